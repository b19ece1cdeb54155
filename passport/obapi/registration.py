"""Dynamic client registration (RFC 7591) with the Open Badges rules (OB 3.0 section 7.1.2).

Registration is open (the spec forbids an initial access token), so it is bounded instead:

- the spec's rules: every required property present, arrays as arrays, every URL https and all
  of them on one host name, ``client_secret_basic`` only, grant types ``authorization_code`` and
  ``refresh_token`` only, response type ``code`` only; Authlib's ``ClientMetadataClaims`` checks
  the RFC 7591 types and the values against what this server supports;
- at most ``REGISTRATIONS_PER_ADDRESS`` registrations per client address per hour (429);
- a client that no learner allows within a day is deleted (``forget_unfinished_clients``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from authlib.oauth2.rfc7591 import ClientRegistrationEndpoint, InvalidClientMetadataError
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from credentials import PassportError
from infra import N_
from passport.obapi.oauth import (
    UNFINISHED_CLIENT_LIFETIME,
    HttpRequest,
    OAuthResponse,
    PassportAuthorizationServer,
    new_secret,
)
from passport.obapi.oauth_models import CLIENT_AUTH_METHOD, digest
from passport.obapi.scopes import OFFLINE_ACCESS
from passport.obapi.tables import ApiClient

REGISTRATIONS_PER_ADDRESS = 10
REGISTRATION_WINDOW = timedelta(hours=1)
REQUIRED = (
    "client_name",
    "client_uri",
    "logo_uri",
    "tos_uri",
    "policy_uri",
    "software_id",
    "software_version",
    "redirect_uris",
    "scope",
)
URL_PROPERTIES = ("client_uri", "logo_uri", "tos_uri", "policy_uri")
ARRAY_PROPERTIES = ("redirect_uris", "grant_types", "response_types", "contacts")
GRANT_TYPES = ("authorization_code", "refresh_token")
MAX_REDIRECT_URIS = 10


class TooManyRegistrations(PassportError):
    code = "too_many_registrations"
    status = 429


def spec_rule_violation(data: Any) -> str | None:
    """Why ``data`` breaks a rule of OB 3.0 section 7.1.2, or None."""
    if not isinstance(data, dict):
        return "the registration request must be a JSON object"
    missing = [name for name in REQUIRED if name not in data]
    if missing:
        return f"missing required properties: {', '.join(missing)}"
    for name in ARRAY_PROPERTIES:
        if name in data and not isinstance(data[name], list):
            return f"{name} must be an array"
    uris = data["redirect_uris"]
    if not uris or len(uris) > MAX_REDIRECT_URIS:
        return f"redirect_uris must hold 1 to {MAX_REDIRECT_URIS} URLs"
    urls = [*uris, *(data[name] for name in URL_PROPERTIES)]
    if not all(isinstance(url, str) for url in urls):
        return "every URL must be a string"
    parts = [urlsplit(url) for url in urls]
    if any(part.scheme != "https" or not part.hostname for part in parts):
        return "every URL must use https"
    if len({part.hostname for part in parts}) != 1:
        return "every URL must have the same host name"
    if data.get("token_endpoint_auth_method", CLIENT_AUTH_METHOD) != CLIENT_AUTH_METHOD:
        return "token_endpoint_auth_method must be client_secret_basic"
    if not set(data.get("grant_types", GRANT_TYPES[:1])) <= set(GRANT_TYPES):
        return "grant_types may hold only authorization_code and refresh_token"
    if data.get("response_types", ["code"]) != ["code"]:
        return "response_types may hold only code"
    return None


class _Registration(ClientRegistrationEndpoint):  # type: ignore[misc]
    server: PassportAuthorizationServer

    def __init__(self, server: PassportAuthorizationServer, client_address: str) -> None:
        super().__init__(server)
        self.client_address = client_address

    def authenticate_token(self, request: Any) -> bool:
        return True  # open registration (OB 3.0 section 7.1.2: no initial access token)

    def get_server_metadata(self) -> dict[str, Any]:
        return {
            "scopes_supported": [*self.server.scopes_supported, OFFLINE_ACCESS],
            "response_types_supported": ["code"],
            "grant_types_supported": list(GRANT_TYPES),
            "token_endpoint_auth_methods_supported": [CLIENT_AUTH_METHOD],
        }

    def extract_client_metadata(self, request: Any) -> dict[str, Any]:
        reason = spec_rule_violation(request.payload.data)
        if reason is not None:
            raise InvalidClientMetadataError(reason)
        metadata: dict[str, Any] = super().extract_client_metadata(request)
        metadata.setdefault("token_endpoint_auth_method", CLIENT_AUTH_METHOD)
        metadata.setdefault("grant_types", list(GRANT_TYPES[:1]))
        metadata.setdefault("response_types", ["code"])
        return metadata

    def generate_client_secret(self, request: Any) -> str:
        return new_secret()

    def save_client(
        self, client_info: dict[str, Any], client_metadata: dict[str, Any], request: Any
    ) -> ApiClient:
        row = ApiClient(
            client_id=client_info["client_id"],
            secret_hash=digest(client_info["client_secret"]),
            client_metadata=client_metadata,
            registered_from=self.client_address[:64],
            issued_at=self.server.now,
        )
        self.server.session.add(row)
        self.server.session.flush()
        return row


def forget_unfinished_clients(session: Session, now: datetime) -> None:
    session.exec(
        delete(ApiClient).where(
            col(ApiClient.first_authorized_at).is_(None),
            col(ApiClient.issued_at) < now - UNFINISHED_CLIENT_LIFETIME,
        )
    )


def register_client(
    server: PassportAuthorizationServer, request: HttpRequest, client_address: str
) -> OAuthResponse:
    """RFC 7591 section 3: 201 with the client's credentials, or 400 with the reason."""
    session, now = server.session, server.now
    forget_unfinished_clients(session, now)
    recent = session.exec(
        select(func.count())
        .select_from(ApiClient)
        .where(
            col(ApiClient.registered_from) == client_address[:64],
            col(ApiClient.issued_at) > now - REGISTRATION_WINDOW,
        )
    ).one()
    if recent >= REGISTRATIONS_PER_ADDRESS:
        raise TooManyRegistrations(N_("too many client registrations from this address"))
    server.register_endpoint(_Registration(server, client_address))
    response: OAuthResponse = server.create_endpoint_response(_Registration.ENDPOINT_NAME, request)
    return response
