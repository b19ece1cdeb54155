"""FastAPI dependencies of the issuer routes (this component's and the awards routes alike).

The app state contract, set by the shell's ``create_app``: ``app.state.settings``
(``admin_token``) and ``app.state.master_key_source`` (an ``issuers.master_key.MasterKeySource``).
The request's session, clock, base URL and mail switch are the neutral layer's
(``infra.database``, ``infra.clock``, ``infra.app_state``).

``require_institution_scope(action)`` is THE guard of every institution endpoint: the path must
name the institution as ``{slug}``, the request must carry ``Authorization: Bearer <API key>``
of that institution with ``action`` among its actions. No key or a bad key: 401. A key of another
institution (or of none that exists), or without the action: 403.
``require_admin_or_institution_scope(action)`` also lets the deployment admin token in (API key
management: the admin creates keys, and either the admin or the institution revokes them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from credentials import Forbidden, Unauthorized
from infra import SessionDep
from issuers.access import authenticate_api_key, authorize, check_admin_token, is_admin_token
from issuers.institutions import find_institution, get_institution
from issuers.tables import Institution
from keys import MasterKey

BEARER = "bearer"
ADMIN_ACTOR = "admin"


def get_master_key(request: Request) -> MasterKey:
    key: MasterKey = request.app.state.master_key_source.get()
    return key


MasterKeyDep = Annotated[MasterKey, Depends(get_master_key)]


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (RFC 6750 section 2.1)."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != BEARER or not token.strip():
        return None
    return token.strip()


def _institution_for_key(session: Session, presented: str, slug: str, action: str) -> Institution:
    key = authenticate_api_key(session, presented)
    institution = find_institution(session, slug)
    if institution is None:
        # The same answer as another institution's: keys learn nothing about other slugs.
        raise Forbidden(f"this API key does not belong to institution {slug!r}")
    authorize(key, institution, action)
    return institution


def require_institution_scope(action: str) -> Callable[..., Institution]:
    """A dependency returning the ``{slug}`` institution once the API key may do ``action``."""

    def dependency(slug: str, request: Request, session: SessionDep) -> Institution:
        presented = bearer_token(request)
        if presented is None:
            raise Unauthorized("an API key is required: Authorization: Bearer <key>")
        return _institution_for_key(session, presented, slug, action)

    return dependency


@dataclass(frozen=True)
class Caller:
    """Who called, for the audit log: ``admin`` or ``api-key:<prefix>``."""

    institution: Institution
    actor: str


def require_admin_or_institution_scope(action: str) -> Callable[..., Caller]:
    """Like ``require_institution_scope``, but the deployment admin token is let in as well."""

    def dependency(slug: str, request: Request, session: SessionDep) -> Caller:
        presented = bearer_token(request)
        if presented is None:
            raise Unauthorized("the admin token or an API key is required")
        configured = request.app.state.settings.admin_token
        if is_admin_token(None if configured is None else configured.get_secret_value(), presented):
            return Caller(get_institution(session, slug), ADMIN_ACTOR)
        institution = _institution_for_key(session, presented, slug, action)
        return Caller(institution, f"api-key:{presented.partition('.')[0]}")

    return dependency


def require_admin(request: Request) -> None:
    """The deployment admin's bearer token, compared in constant time."""
    configured = request.app.state.settings.admin_token
    check_admin_token(
        None if configured is None else configured.get_secret_value(), bearer_token(request)
    )
