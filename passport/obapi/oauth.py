"""The authorization server: Authlib's protocol code over our tables, one instance per request.

What the spec asks (OB 3.0 section 7, "Open Badges API Security") and where it is done:

- authorization code grant only (section 7.2), with PKCE S256 required (section 7.2.1,
  RFC 7636): ``RequiredS256``;
- ``client_secret_basic`` only at the token and revocation endpoints (section 7.1.2);
- refresh tokens rotate on use (RFC 6749 section 6; RFC 9700 section 4.14.2): the old pair is
  revoked when the new one is issued;
- revocation (RFC 7009) of an access or refresh token revokes both halves of the grant;
- every secret is random (``secrets.token_urlsafe``), stored as its SHA-256, and expires.

Authlib refuses a request whose URL is not https (``InsecureTransportError``); nothing here
relaxes that, so the OAuth endpoints work only on a deployment served over HTTPS.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from authlib.oauth2 import AuthorizationServer, OAuth2Request
from authlib.oauth2.rfc6749 import (
    InvalidRequestError,
    JsonPayload,
    JsonRequest,
    OAuth2Payload,
    grants,
)
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7636 import CodeChallenge
from sqlalchemy import update
from sqlmodel import Session, col, select

from passport.obapi.oauth_models import (
    CLIENT_AUTH_METHOD,
    IssuedCode,
    IssuedToken,
    RegisteredClient,
    digest,
)
from passport.obapi.tables import ApiClient, ApiToken, AuthorizationCode
from passport.wallet.tables import Learner

CODE_LIFETIME = timedelta(minutes=10)  # RFC 6749 section 4.1.2: "maximum of 10 minutes"
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
REFRESH_TOKEN_LIFETIME = timedelta(days=30)
# Open registration needs no credentials (OB 3.0 section 7.1.2), so a client that no learner
# ever allows is deleted after this long (``registration.forget_unfinished_clients``).
UNFINISHED_CLIENT_LIFETIME = timedelta(days=1)
SECRET_BYTES = 32


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


@dataclass(frozen=True)
class HttpRequest:
    """What the routes read of a request, for Authlib: no framework object crosses over."""

    method: str
    url: str
    headers: Mapping[str, str]  # case-insensitive, as the framework's
    query: str = ""
    form: list[tuple[str, str]] = field(default_factory=list)
    json: Any = None

    def form_pairs(self) -> list[tuple[str, str]]:
        """The query's parameters, then the form's (as Authlib's Flask request's ``values``)."""
        return [*parse_qsl(self.query, keep_blank_values=True), *self.form]


class _Payload(OAuth2Payload):  # type: ignore[misc]
    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._datalist: dict[str, list[str]] = {}
        for name, value in pairs:
            self._datalist.setdefault(name, []).append(value)

    @property
    def data(self) -> dict[str, str]:
        return {name: values[0] for name, values in self._datalist.items()}

    @property
    def datalist(self) -> dict[str, list[str]]:
        return self._datalist


class _OAuthRequest(OAuth2Request):  # type: ignore[misc]
    def __init__(self, request: HttpRequest) -> None:
        super().__init__(method=request.method, uri=request.url, headers=request.headers)
        self.payload = _Payload(request.form_pairs())
        self._query = dict(parse_qsl(request.query, keep_blank_values=True))
        self._form = dict(request.form)

    @property
    def args(self) -> dict[str, str]:
        return self._query

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _JsonPayload(JsonPayload):  # type: ignore[misc]
    def __init__(self, data: Any) -> None:
        self._data = data

    @property
    def data(self) -> Any:
        return self._data


class _JsonRequest(JsonRequest):  # type: ignore[misc]
    def __init__(self, request: HttpRequest) -> None:
        super().__init__(request.method, request.url, request.headers)
        self.payload = _JsonPayload(request.json)


@dataclass(frozen=True)
class OAuthResponse:
    status: int
    body: Any
    headers: list[tuple[str, str]] = field(default_factory=list)


class RequiredS256(CodeChallenge):  # type: ignore[misc]
    """PKCE on every authorization request, with S256 only (OB 3.0 section 7.2.1)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ("S256",)

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge") or data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("PKCE is required: code_challenge with method S256")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: IssuedCode) -> str:
        return authorization_code.row.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: IssuedCode) -> str:
        return authorization_code.row.code_challenge_method


class _CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = (CLIENT_AUTH_METHOD,)
    server: PassportAuthorizationServer

    def save_authorization_code(self, code: str, request: _OAuthRequest) -> None:
        data = request.payload.data
        self.server.session.add(
            AuthorizationCode(
                code_hash=digest(code),
                client_id=request.client.get_client_id(),
                learner_id=request.user.id,
                redirect_uri=data.get("redirect_uri") or request.client.get_default_redirect_uri(),
                scope=request.scope or "",
                code_challenge=data["code_challenge"],
                code_challenge_method=data["code_challenge_method"],
                expires_at=self.server.now + CODE_LIFETIME,
            )
        )
        self.server.session.flush()

    def query_authorization_code(self, code: str, client: RegisteredClient) -> IssuedCode | None:
        row = self.server.session.get(AuthorizationCode, digest(code))
        if row is None or row.client_id != client.get_client_id():
            return None
        if self.server.now >= row.expires_at:
            return None
        return IssuedCode(row)

    def delete_authorization_code(self, authorization_code: IssuedCode) -> None:
        self.server.session.delete(authorization_code.row)
        self.server.session.flush()

    def authenticate_user(self, authorization_code: IssuedCode) -> Learner | None:
        return self.server.session.get(Learner, authorization_code.row.learner_id)


class _RefreshGrant(grants.RefreshTokenGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = (CLIENT_AUTH_METHOD,)
    INCLUDE_NEW_REFRESH_TOKEN = True
    server: PassportAuthorizationServer

    def authenticate_refresh_token(self, refresh_token: str) -> IssuedToken | None:
        token = self.server.find_token(refresh_token, "refresh_token")
        if token is None or token.is_revoked() or token.is_refresh_expired():
            return None
        return token

    def authenticate_user(self, refresh_token: IssuedToken) -> Learner:
        return refresh_token.learner

    def revoke_old_credential(self, refresh_token: IssuedToken) -> None:
        refresh_token.row.revoked_at = self.server.now
        self.server.session.add(refresh_token.row)
        self.server.session.flush()


class _Revocation(RevocationEndpoint):  # type: ignore[misc]
    CLIENT_AUTH_METHODS = (CLIENT_AUTH_METHOD,)
    server: PassportAuthorizationServer

    def query_token(self, token_string: str, token_type_hint: str | None) -> IssuedToken | None:
        return self.server.find_token(token_string, token_type_hint)

    def revoke_token(self, token: IssuedToken, request: _OAuthRequest) -> None:
        token.row.revoked_at = self.server.now
        self.server.session.add(token.row)
        self.server.session.flush()


class PassportAuthorizationServer(AuthorizationServer):  # type: ignore[misc]
    """Authlib's server bound to one database session and one reading of the clock."""

    def __init__(self, session: Session, now: datetime, scopes: list[str]) -> None:
        super().__init__(scopes_supported=scopes)
        self.session = session
        self.now = now
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                lambda **_: new_secret(),
                lambda **_: new_secret(),
                int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            ),
        )
        self.register_grant(_CodeGrant, [RequiredS256(required=True)])
        self.register_grant(_RefreshGrant)
        self.register_endpoint(_Revocation)

    def query_client(self, client_id: str) -> RegisteredClient | None:
        row = self.session.get(ApiClient, client_id) if isinstance(client_id, str) else None
        if row is None or is_unfinished_and_expired(row, self.now):
            return None
        return RegisteredClient(row)

    def save_token(self, token: dict[str, Any], request: _OAuthRequest) -> None:
        client: RegisteredClient = request.client
        self.session.add(
            ApiToken(
                id=str(uuid.uuid4()),
                client_id=client.get_client_id(),
                learner_id=request.user.id,
                access_hash=digest(token["access_token"]),
                refresh_hash=digest(token["refresh_token"]) if "refresh_token" in token else None,
                scope=token.get("scope", ""),
                issued_at=self.now,
                access_expires_at=self.now + ACCESS_TOKEN_LIFETIME,
                refresh_expires_at=self.now + REFRESH_TOKEN_LIFETIME,
            )
        )
        if client.row.first_authorized_at is None:
            client.row.first_authorized_at = self.now  # the client finished: it no longer expires
            self.session.add(client.row)
        self.session.flush()

    def find_token(self, value: str, hint: str | None) -> IssuedToken | None:
        hashed = digest(value)
        columns = [col(ApiToken.access_hash), col(ApiToken.refresh_hash)]
        if hint == "refresh_token":
            columns.reverse()
        for column in columns:
            row = self.session.exec(select(ApiToken).where(column == hashed)).first()
            if row is not None:
                return self._token_of(row)
        return None

    def find_access_token(self, value: str) -> IssuedToken | None:
        row = self.session.exec(
            select(ApiToken).where(col(ApiToken.access_hash) == digest(value))
        ).first()
        return None if row is None else self._token_of(row)

    def _token_of(self, row: ApiToken) -> IssuedToken | None:
        client = self.session.get(ApiClient, row.client_id)
        learner = self.session.get(Learner, row.learner_id)
        if client is None or learner is None:
            return None
        return IssuedToken(row, RegisteredClient(client), learner, self.now)

    def create_oauth2_request(self, request: HttpRequest | _OAuthRequest) -> _OAuthRequest:
        return request if isinstance(request, _OAuthRequest) else _OAuthRequest(request)

    def create_json_request(self, request: HttpRequest) -> _JsonRequest:
        return _JsonRequest(request)

    def handle_response(
        self, status: int, body: Any, headers: list[tuple[str, str]]
    ) -> OAuthResponse:
        return OAuthResponse(status, body, list(headers))

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Authlib's hook for framework signals; nothing listens here."""


def is_unfinished_and_expired(row: ApiClient, now: datetime) -> bool:
    return row.first_authorized_at is None and now >= row.issued_at + UNFINISHED_CLIENT_LIFETIME


def revoke_grants(session: Session, learner_id: str, client_id: str, now: datetime) -> None:
    """The learner disconnects an application: every token it holds for them stops working."""
    session.exec(
        update(ApiToken)
        .where(
            col(ApiToken.learner_id) == learner_id,
            col(ApiToken.client_id) == client_id,
            col(ApiToken.revoked_at).is_(None),
        )
        .values(revoked_at=now)
    )
    session.flush()
