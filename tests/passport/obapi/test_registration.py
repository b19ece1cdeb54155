"""Dynamic client registration with the spec's rules (OB 3.0 section 7.1.2, RFC 7591), PKCE
required with S256 (section 7.2.1), open registration bounded, HTTPS only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from passport.obapi.oauth import UNFINISHED_CLIENT_LIFETIME
from passport.obapi.registration import REGISTRATIONS_PER_ADDRESS
from passport.obapi.scopes import OB_V3P0, PROFILE_READONLY
from passport.obapi.tables import ApiClient as ClientRow
from tests.passport.obapi.support import ApiClient, client_metadata, tls_host
from tests.passport.obapi.tls import TlsServer
from tests.passport.wallet.support import Learner, served_on


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"redirect_uris": ["http://lms.example.org/cb"]}, "https"),
        ({"logo_uri": "https://elsewhere.example.net/logo.png"}, "same host"),
        ({"redirect_uris": "https://lms.example.org/cb"}, "array"),
        ({"token_endpoint_auth_method": "none"}, "client_secret_basic"),
        ({"grant_types": ["client_credentials"]}, "grant_types"),
        ({"scope": "https://example.org/scope/everything"}, "scope"),
    ],
)
def test_a_registration_breaking_a_rule_is_refused(
    server: TlsServer, changes: dict[str, Any], reason: str
) -> None:
    with server.client() as http:
        response = http.post("/oauth2/register", json=client_metadata(**changes))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"


def test_a_registration_missing_a_required_property_is_refused(server: TlsServer) -> None:
    metadata = client_metadata()
    del metadata["software_id"]
    with server.client() as http:
        response = http.post("/oauth2/register", json=metadata)
    assert response.status_code == 400 and "software_id" in response.json()["error_description"]


def test_registration_answers_what_the_spec_requires(
    new_client: Callable[..., ApiClient],
) -> None:
    registration = new_client().registration
    for name in ("client_id", "client_secret", "client_id_issued_at", "client_secret_expires_at"):
        assert name in registration
    assert {key: registration[key] for key in client_metadata()} == client_metadata()


def test_pkce_is_required_with_s256(
    new_learner: Callable[[], Learner], new_client: Callable[..., ApiClient]
) -> None:
    learner = new_learner()
    client = new_client()
    base = {
        "response_type": "code",
        "client_id": client.registration["client_id"],
        "redirect_uri": client.registration["redirect_uris"][0],
        "scope": OB_V3P0.scope(PROFILE_READONLY),
        "state": "xyz",
    }
    for extra in ({}, {"code_challenge": "a" * 43, "code_challenge_method": "plain"}):
        response = learner.get("/oauth2/authorize", params=base | extra)
        assert response.status_code == 302
        location = httpx.URL(response.headers["location"])
        assert location.params["error"] == "invalid_request"
        assert "code" not in location.params


def test_open_registration_is_rate_limited_per_address(tmp_path: Path) -> None:
    with tls_host(tmp_path) as server, server.client() as http:
        answers = [
            http.post("/oauth2/register", json=client_metadata()).status_code
            for _ in range(REGISTRATIONS_PER_ADDRESS + 1)
        ]
    assert answers[-1] == 429


def test_a_client_no_learner_allowed_expires(server: TlsServer) -> None:
    with server.client() as http:
        registration = http.post("/oauth2/register", json=client_metadata()).json()
    with Session(server.app.state.engine) as session:
        row = session.get(ClientRow, registration["client_id"])
        assert row is not None
        row.issued_at -= UNFINISHED_CLIENT_LIFETIME + timedelta(minutes=1)
        session.add(row)
        session.commit()
    with server.client() as http:
        token = http.post(
            "/oauth2/token",
            data={"grant_type": "authorization_code", "code": "x", "redirect_uri": "https://x"},
            auth=(registration["client_id"], registration["client_secret"]),
        )
    assert token.status_code == 401 and token.json()["error"] == "invalid_client"


def test_over_plain_http_the_api_and_oauth_refuse(tmp_path: Path) -> None:
    with served_on(tmp_path) as (_app, base_url), httpx.Client(base_url=base_url) as http:
        for method, path in (
            ("GET", "/ims/ob/v3p0/discovery"),
            ("POST", "/oauth2/register"),
            ("POST", "/oauth2/token"),
        ):
            response = http.request(method, path, json=client_metadata())
            assert response.status_code == 403, (path, response.text)
