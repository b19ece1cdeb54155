"""Bearer tokens on the API (RFC 6750, OB 3.0 section 7.3), checked by Authlib's resource
protector: a token must be ours, unexpired, unrevoked, and carry the operation's scope.

Tokens are read from the ``Authorization`` header only: never from a query string or a form
(RFC 6750 section 2.3 is not supported, so an access token never appears in a URL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from authlib.oauth2 import OAuth2Error, ResourceProtector
from authlib.oauth2.rfc6750 import BearerTokenValidator
from sqlmodel import Session

from credentials import PassportError
from passport.obapi.oauth import PassportAuthorizationServer
from passport.obapi.oauth_models import IssuedToken
from passport.wallet.tables import Learner

RFC6750_ERRORS = frozenset({"invalid_request", "invalid_token", "insufficient_scope"})


class TokenRefused(PassportError):
    """No token, an unknown, expired or revoked one (401), or one without the scope (403)."""

    code = "token_refused"

    def __init__(self, error: OAuth2Error) -> None:
        super().__init__(error.description or error.error)
        self.status = error.status_code
        given = dict(error.get_headers()).get("WWW-Authenticate")
        # RFC 6750 section 3: no error code when the request had no token at all.
        coded = f'Bearer error="{error.error}"' if error.error in RFC6750_ERRORS else "Bearer"
        self.challenge = given or coded


class _Validator(BearerTokenValidator):  # type: ignore[misc]
    def __init__(self, server: PassportAuthorizationServer) -> None:
        super().__init__()
        self.server = server

    def authenticate_token(self, token_string: str) -> IssuedToken | None:
        # Only the access half: a refresh token never opens the API.
        return self.server.find_access_token(token_string)


@dataclass(frozen=True)
class _Headers:
    headers: dict[str, str]


def token_learner(
    session: Session, now: datetime, authorization: str | None, scope: str
) -> Learner:
    """The learner whose passport the bearer token opens, if it carries ``scope``."""
    protector = ResourceProtector()
    server = PassportAuthorizationServer(session, now, [scope])
    protector.register_token_validator(_Validator(server))
    headers = {} if authorization is None else {"Authorization": authorization}
    try:
        token: IssuedToken = protector.validate_request([scope], _Headers(headers))
    except OAuth2Error as error:
        raise TokenRefused(error) from None
    return token.learner
