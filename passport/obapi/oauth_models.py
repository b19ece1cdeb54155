"""Authlib's client, code and token interfaces over our tables (RFC 6749 section 2 and 10).

Secrets are compared and looked up by their SHA-256 digest only (``digest``): the database never
holds a usable client secret, code or token.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.util import scope_to_list

from passport.obapi.scopes import ALL_SCOPES
from passport.obapi.tables import ApiClient, ApiToken, AuthorizationCode
from passport.wallet.tables import Learner

# The only client authentication the spec allows (OB 3.0 section 7.1.2, token_endpoint_auth_method).
CLIENT_AUTH_METHOD = "client_secret_basic"


def digest(secret: str) -> str:
    """The stored form of a secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def allowed_scope(registered: str, requested: str | None) -> str:
    """The requested scopes that the client registered and we serve, in the request's order."""
    granted = set(scope_to_list(registered) or []) & ALL_SCOPES
    wanted = scope_to_list(requested) if requested else sorted(granted)
    return " ".join(scope for scope in dict.fromkeys(wanted or []) if scope in granted)


class RegisteredClient(ClientMixin):  # type: ignore[misc]
    """A row of ``obapi_client`` as Authlib's ``ClientMixin``."""

    def __init__(self, row: ApiClient) -> None:
        self.row = row
        self.metadata: dict[str, Any] = row.client_metadata

    @property
    def name(self) -> str:
        return str(self.metadata.get("client_name", ""))

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> str | None:
        # RFC 6749 section 3.1.2.3: with several registered, the request must name one.
        uris = self.metadata.get("redirect_uris", [])
        return uris[0] if len(uris) == 1 else None

    def get_allowed_scope(self, scope: str | None) -> str:
        return allowed_scope(self.metadata.get("scope", ""), scope)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exact string comparison (RFC 6749 section 3.1.2.3, RFC 9700 section 2.1).
        return redirect_uri in self.metadata.get("redirect_uris", [])

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(digest(client_secret), self.row.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == CLIENT_AUTH_METHOD

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.metadata.get("grant_types", ["authorization_code"])


class IssuedCode(AuthorizationCodeMixin):  # type: ignore[misc]
    def __init__(self, row: AuthorizationCode) -> None:
        self.row = row

    def get_redirect_uri(self) -> str:
        return self.row.redirect_uri

    def get_scope(self) -> str:
        return self.row.scope


@dataclass
class IssuedToken(TokenMixin):  # type: ignore[misc]
    """A row of ``obapi_token``, read at ``now``."""

    row: ApiToken
    client: RegisteredClient
    learner: Learner
    now: datetime

    def check_client(self, client: RegisteredClient) -> bool:
        return client.get_client_id() == self.row.client_id

    def get_scope(self) -> str:
        return self.row.scope

    def get_expires_in(self) -> int:
        return int((self.row.access_expires_at - self.row.issued_at).total_seconds())

    def is_expired(self) -> bool:
        return self.now >= self.row.access_expires_at

    def is_refresh_expired(self) -> bool:
        return self.now >= self.row.refresh_expires_at

    def is_revoked(self) -> bool:
        return self.row.revoked_at is not None

    def get_user(self) -> Learner:
        return self.learner

    def get_client(self) -> RegisteredClient:
        return self.client
