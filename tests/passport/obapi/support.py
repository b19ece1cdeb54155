"""An OB 3.0 API client for the tests, built on oauthlib (not the server's Authlib): RFC 7591
registration as a plain POST, then the authorization code grant with PKCE S256, refresh and
revocation, the learner consenting through the passport's own consent page."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import trustme
from jsonschema import Draft202012Validator
from oauthlib.oauth2 import WebApplicationClient
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from passport.obapi.scopes import OB_V3P0, SCOPE_NAMES
from passport.settings import Settings
from tests.passport.obapi.tls import TlsServer, serving_tls
from tests.passport.wallet.support import Learner, wallet_settings
from tests.storage import sqlite_url

CLIENT_HOST = "https://lms.example.org"
REDIRECT_URI = f"{CLIENT_HOST}/oauth/callback"
ALL_SCOPES = " ".join(OB_V3P0.scope(name) for name in SCOPE_NAMES)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
OPENAPI_URI = "urn:1edtech:imsob_v3p0_openapi"
OPENAPI_FILE = (
    Path(__file__).resolve().parents[2] / "vectors" / "1edtech-api" / "imsob_v3p0_openapi.json"
)


def client_metadata(**changes: Any) -> dict[str, Any]:
    """A registration request as OB 3.0 section 7.1.2's example, for ``CLIENT_HOST``."""
    metadata: dict[str, Any] = {
        "client_name": "Example LMS",
        "client_uri": f"{CLIENT_HOST}/",
        "logo_uri": f"{CLIENT_HOST}/logo.png",
        "tos_uri": f"{CLIENT_HOST}/terms",
        "policy_uri": f"{CLIENT_HOST}/privacy",
        "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
        "software_version": "v4.0.30319",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": ALL_SCOPES,
    }
    return metadata | changes


def host_settings(directory: Path) -> Any:
    def settings_for(base_url: str) -> Settings:
        return wallet_settings(sqlite_url(directory), base_url=base_url)

    return settings_for


@contextmanager
def tls_host(directory: Path) -> Iterator[TlsServer]:
    """A passport served over TLS on a fresh SQLite database."""
    with serving_tls(directory, trustme.CA(), host_settings(directory)) as server:
        yield server


def tls_learner(server: TlsServer) -> Learner:
    return Learner(server.base_url, client=server.client(follow_redirects=False))


@dataclass
class ApiClient:
    """A registered client of ``server``; ``tokens`` is the last token response."""

    server: TlsServer
    registration: dict[str, Any]
    http: httpx.Client
    tokens: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def register(cls, server: TlsServer, **changes: Any) -> ApiClient:
        http = server.client()
        discovery = http.get(OB_V3P0.path("/discovery")).json()
        scheme = discovery["components"]["securitySchemes"]["OAuth2ACG"]
        response = http.post(scheme["x-imssf-registrationUrl"], json=client_metadata(**changes))
        assert response.status_code == 201, response.text
        return cls(server, response.json(), http)

    @property
    def oauth(self) -> WebApplicationClient:
        return WebApplicationClient(self.registration["client_id"])

    @property
    def basic_auth(self) -> httpx.BasicAuth:
        return httpx.BasicAuth(self.registration["client_id"], self.registration["client_secret"])

    def _flow(self) -> dict[str, str]:
        discovery = self.http.get(OB_V3P0.path("/discovery")).json()
        scheme = discovery["components"]["securitySchemes"]["OAuth2ACG"]
        flow: dict[str, str] = scheme["flows"]["authorizationCode"]
        return flow

    def authorization_url(self, scope: str, verifier: str, state: str) -> str:
        client = self.oauth
        challenge = client.create_code_challenge(verifier, "S256")
        url: str = client.prepare_request_uri(
            self._flow()["authorizationUrl"],
            redirect_uri=REDIRECT_URI,
            scope=scope,
            state=state,
            code_challenge=challenge,
            code_challenge_method="S256",
        )
        return url

    def consent(self, learner: Learner, url: str, decision: str = "allow") -> httpx.Response:
        """The learner opens the authorization URL, reads the consent page and decides."""
        page = learner.client.get(url)
        assert page.status_code == 200, page.text
        token = _CSRF.search(page.text)
        assert token is not None
        action = httpx.URL(url)
        return learner.client.post(
            f"{action.path}?{action.query.decode()}",
            data={"csrf_token": token[1], "decision": decision},
        )

    def authorize(self, learner: Learner, scope: str = ALL_SCOPES) -> dict[str, Any]:
        """The whole grant: PKCE, consent, code exchange; returns the token response."""
        verifier = self.oauth.create_code_verifier(64)
        state = secrets.token_urlsafe(16)
        answer = self.consent(learner, self.authorization_url(scope, verifier, state))
        assert answer.status_code == 302, answer.text
        code = self.oauth.parse_request_uri_response(answer.headers["location"], state=state)[
            "code"
        ]
        return self.exchange(code, verifier)

    def exchange(self, code: str, verifier: str) -> dict[str, Any]:
        body = self.oauth.prepare_request_body(
            code=code, redirect_uri=REDIRECT_URI, code_verifier=verifier, include_client_id=False
        )
        return self._token_request(body)

    def refresh(self) -> dict[str, Any]:
        body = self.oauth.prepare_refresh_body(refresh_token=self.tokens["refresh_token"])
        return self._token_request(body)

    def revoke(self, token: str, hint: str) -> httpx.Response:
        revocation_url = f"{self.server.base_url}/oauth2/revoke"
        url, headers, body = self.oauth.prepare_token_revocation_request(
            revocation_url, token, token_type_hint=hint
        )
        return self.http.post(url, content=body, headers=headers, auth=self.basic_auth)

    def _token_request(self, body: str) -> dict[str, Any]:
        response = self.http.post(
            self._flow()["tokenUrl"],
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            auth=self.basic_auth,
        )
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        self.tokens = self.oauth.parse_request_body_response(response.text)
        return self.tokens

    def api(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        bearer = token if token is not None else self.tokens["access_token"]
        headers = {"Authorization": f"Bearer {bearer}", **kwargs.pop("headers", {})}
        return self.http.request(method, OB_V3P0.path(path), headers=headers, **kwargs)


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(OPENAPI_FILE.read_text(encoding="utf-8"))
    return document


def schema_errors(instance: Any, schema_name: str) -> list[str]:
    """Why ``instance`` does not match the 1EdTech OpenAPI's ``components/schemas/<name>``."""
    document = openapi_document()
    resource = Resource.from_contents(document, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource(OPENAPI_URI, resource)
    validator = Draft202012Validator(
        {"$ref": f"{OPENAPI_URI}#/components/schemas/{schema_name}"}, registry=registry
    )
    return [error.message for error in validator.iter_errors(instance)]
