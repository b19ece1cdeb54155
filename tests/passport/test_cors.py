"""CORS on public documents and the OpenID4VCI endpoints, never on authenticated pages (issue 14).

A browser wallet or verifier on another origin must be able to read DID documents, JWKS, status
lists, contexts, metadata, and call the OpenID4VCI offer, token, nonce and credential endpoints;
no route that a cookie, an API key or a token authenticates may be readable from another origin.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from passport.app import create_app
from passport.database import prepare_database
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.route_access import DUMMY_PATH_VALUES, OID4VCI, PUBLIC
from tests.storage import sqlite_url
from tests.test_route_access import PATH_PARAMETER, RULES

ORIGIN = {"Origin": "https://wallet.example"}
CROSS_ORIGIN_ROUTES = [
    "GET /issuers/{slug}/did.json",
    "GET /issuers/{slug}/jwks.json",
    "GET /employers/{slug}/did.json",
    "GET /status/{list_id}",
    "GET /contexts/learner-passport/v1.jsonld",
    "GET /.well-known/openid-credential-issuer",
    "GET /.well-known/oauth-authorization-server",
    "GET /api/v1/programs",
    "GET /oid4vci/offers/{secret}",
    "POST /oid4vci/token",
    "POST /oid4vci/nonce",
    "POST /oid4vci/credential",
]
AUTHENTICATED = sorted(route for route, rule in RULES.items() if rule not in (PUBLIC, OID4VCI))


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings = development_settings(sqlite_url(tmp_path_factory.mktemp("cors")))
    prepare_database(settings)
    with serving(create_app(settings)) as url:
        yield url


def _request(base_url: str, route: str, headers: dict[str, str]) -> httpx.Response:
    method, template = route.split(" ", 1)
    values = {**DUMMY_PATH_VALUES, "list_id": "no-such-list", "secret": "no-such-offer"}
    path = PATH_PARAMETER.sub(lambda match: values[match.group(1)], template)
    with httpx.Client(base_url=base_url, follow_redirects=False) as client:
        return client.request(method, path, headers=headers)


@pytest.mark.parametrize("route", CROSS_ORIGIN_ROUTES)
def test_public_documents_and_wallet_endpoints_are_readable_from_any_origin(
    base_url: str, route: str
) -> None:
    response = _request(base_url, route, ORIGIN)
    # Even a 404 or a refused token must be readable: the wallet needs the reason.
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_the_credential_endpoint_preflight_allows_the_bearer_token(base_url: str) -> None:
    headers = {
        **ORIGIN,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    response = _request(base_url, "OPTIONS /oid4vci/credential", headers)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "*"
    allowed = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed and "content-type" in allowed
    assert "POST" in response.headers["access-control-allow-methods"]


@pytest.mark.parametrize("route", AUTHENTICATED)
def test_no_authenticated_route_is_readable_from_another_origin(base_url: str, route: str) -> None:
    if route.startswith("MOUNT"):
        return
    response = _request(base_url, route, ORIGIN)
    assert "access-control-allow-origin" not in response.headers, route


@pytest.mark.parametrize("path", ["/passport", "/passport/login", "/console/login", "/verify"])
def test_pages_carry_no_cors_header(base_url: str, path: str) -> None:
    response = _request(base_url, f"GET {path}", ORIGIN)
    assert "access-control-allow-origin" not in response.headers
