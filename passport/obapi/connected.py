"""The applications a learner has connected to their passport through the Open Badges API, and
disconnecting one (every token it holds for the learner stops working at once)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from credentials import NotFound
from infra import N_
from passport.obapi.oauth import revoke_grants
from passport.obapi.tables import ApiClient, ApiToken


@dataclass(frozen=True)
class ConnectedApp:
    client_id: str
    name: str
    site: str
    scopes: list[str]
    since: datetime


def connected_apps(session: Session, learner_id: str, now: datetime) -> list[ConnectedApp]:
    """Clients holding a live grant (a refresh token not revoked nor expired) for the learner."""
    rows = session.exec(
        select(ApiToken, ApiClient)
        .join(ApiClient, col(ApiClient.client_id) == col(ApiToken.client_id))
        .where(
            col(ApiToken.learner_id) == learner_id,
            col(ApiToken.revoked_at).is_(None),
            col(ApiToken.refresh_expires_at) > now,
        )
        .order_by(col(ApiToken.issued_at))
    ).all()
    apps: dict[str, ConnectedApp] = {}
    for token, client in rows:
        known = apps.get(client.client_id)
        scopes = sorted({*token.scope.split(), *(known.scopes if known else [])})
        apps[client.client_id] = ConnectedApp(
            client_id=client.client_id,
            name=str(client.client_metadata.get("client_name", "")),
            site=str(client.client_metadata.get("client_uri", "")),
            scopes=scopes,
            since=known.since if known else token.issued_at,
        )
    return list(apps.values())


def disconnect(session: Session, learner_id: str, client_id: str, now: datetime) -> None:
    """Revoke every grant of ``client_id`` for the learner; another's app is ``NotFound``."""
    if not any(app.client_id == client_id for app in connected_apps(session, learner_id, now)):
        raise NotFound(N_("no such connected application"))
    revoke_grants(session, learner_id, client_id, now)
