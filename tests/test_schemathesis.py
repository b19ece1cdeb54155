"""Schemathesis against the application's own OpenAPI document: no generated request to a public
or OpenID4VCI operation may end in a server error (issue #8, "Input").

The operations that need the admin token or an institution API key are left out: without
credentials they stop at the 401 (``tests/test_route_access.py`` checks that). The server is a
real uvicorn on the loopback interface; name lookups of any other host fail during the run, so
a generated credential naming ``did:web:example.com`` or a remote status list cannot reach the
network (the verifier answers "could not check" instead).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import CheckContext, not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.filters import HasAPIOperation

from passport.app import create_app
from passport.database import prepare_database
from passport.settings import Settings
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.route_access import OID4VCI, PUBLIC, rule_of_every_route
from tests.storage import sqlite_url

FUZZED_RULES = frozenset({PUBLIC, OID4VCI})
LOOPBACK_NAMES = frozenset({"127.0.0.1", "::1", "localhost"})
RULES = rule_of_every_route()
UNREACHABLE_SOURCE_STATUS = 503


def _fuzzed(context: HasAPIOperation) -> bool:
    operation = context.operation
    return RULES.get(f"{operation.method.upper()} {operation.path}") in FUZZED_RULES


@pytest.fixture(scope="module")
def loopback_only() -> Iterator[None]:
    """Refuse name lookups of every host but the loopback one while the module runs."""
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK_NAMES:
            raise socket.gaierror(socket.EAI_NONAME, f"{name}: network closed during this test")
        return real_getaddrinfo(host, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        yield


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory, loopback_only: None) -> Iterator[str]:
    app_settings = development_settings(sqlite_url(tmp_path_factory.mktemp("schemathesis")))
    prepare_database(app_settings)
    with serving(create_app(app_settings)) as url:
        yield url


# The verifier's own media types (VC Data Model 2.0 section 6.1, VC-JOSE-COSE section 3.1.1):
# JSON documents and compact JWS text, so schemathesis sends them instead of skipping them.
schemathesis.serializer.alias("application/vc", "application/json")
schemathesis.serializer.alias("application/vc+jwt", "text/plain")

# The document the app serves at /openapi.json (checked below), built at collection time
# because the operations become test parameters; schemathesis's fixture-based lazy loading
# reads a pytest-internal attribute that pytest 9 removed.
_SCHEMA_APP = create_app(Settings(database_url="sqlite://"))
OPENAPI_DOCUMENT = _SCHEMA_APP.openapi()
_SCHEMA_APP.state.engine.dispose()
schema = schemathesis.openapi.from_dict(OPENAPI_DOCUMENT).include(_fuzzed)


@schemathesis.check
def no_server_error_but_an_unreachable_source(
    ctx: CheckContext, response: Response, case: Case[Any]
) -> bool | None:
    """``not_a_server_error``, except the verifier's designed 503 ``fetch_failed`` for a URL it
    could not fetch (every host but loopback is unreachable here, by construction)."""
    if response.status_code == UNREACHABLE_SOURCE_STATUS:
        problem = response.json()
        if isinstance(problem, dict) and problem.get("code") == "fetch_failed":
            return None
    return not_a_server_error(ctx, response, case)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_ends_in_a_server_error(case: Case[Any], base_url: str) -> None:
    case.call_and_validate(
        base_url=base_url, checks=[no_server_error_but_an_unreachable_source], timeout=10
    )


def test_the_schema_is_the_one_the_live_app_serves(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client:
        served = client.get("/openapi.json")
    assert served.status_code == 200
    assert served.json() == OPENAPI_DOCUMENT


def test_the_fuzzed_operations_are_the_public_and_oid4vci_ones() -> None:
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == len(list(schema.get_all_operations())), "an unusable operation"
    fuzzed = {f"{operation.method.upper()} {operation.path}" for operation in operations}
    expected = {route for route, rule in RULES.items() if rule in FUZZED_RULES}
    assert "POST /api/v1/verify" in fuzzed and "POST /oid4vci/credential" in fuzzed
    assert fuzzed <= expected
