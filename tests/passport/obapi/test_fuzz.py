"""Schemathesis drives the 1EdTech OB 3.0 OpenAPI (tests/vectors/1edtech-api/) against the
passport over TLS with a token carrying every scope: no generated request ends in a server
error (issue 17). Name lookups of every host but loopback fail meanwhile, so generated
credentials naming remote issuers cannot reach the network."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import not_a_server_error

from tests.passport.obapi.support import ApiClient, openapi_document, tls_learner
from tests.passport.obapi.tls import TlsServer
from tests.test_schemathesis import loopback_only

__all__ = ["loopback_only"]  # a fixture this module uses

schema = schemathesis.openapi.from_dict(openapi_document())
# Schemathesis's coverage phase walks every boundary of the 1EdTech schemas: thousands of
# requests for POST /credentials alone, nine minutes of the suite. The schemas' examples and
# Hypothesis's generated cases stay; hostile bodies are tests/attacks/test_hostile_json.py's.
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture(scope="module")
def bearer(server: TlsServer, loopback_only: None) -> Iterator[str]:
    learner = tls_learner(server)
    client = ApiClient.register(server)
    try:
        yield client.authorize(learner)["access_token"]
    finally:
        learner.close()
        client.http.close()


@pytest.fixture(scope="module")
def ca_file(server: TlsServer, tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("ca") / "ca.pem"
    server.ca.cert_pem.write_to_path(str(path))
    return str(path)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_ends_in_a_server_error(
    case: Case[Any], server: TlsServer, bearer: str, ca_file: str
) -> None:
    case.call_and_validate(
        base_url=f"{server.base_url}/ims/ob/v3p0",
        headers={"Authorization": f"Bearer {bearer}"},
        checks=[not_a_server_error],
        verify=ca_file,
        timeout=10,
    )
