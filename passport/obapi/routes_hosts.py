"""The learner's connections to other Hosts (``passport.obapi.client``): connect, come back
from the Host's consent page, pull, push.

Connecting answers a page with a link to the Host's consent page rather than a redirect: the
page's ``form-action 'self'`` policy would stop a form's redirect to another site."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session, col, select
from starlette.responses import Response

from credentials import InvalidInput
from infra import N_, NowDep, SessionDep
from passport.obapi import client_transfer
from passport.obapi.client import (
    CALLBACK_PATH,
    ClientSite,
    Remote,
    connected_grant,
    finish_connection,
    start_connection,
)
from passport.obapi.tables import RemoteGrant, RemoteHost
from passport.wallet import holdings
from passport.wallet.web import (
    CsrfDep,
    SignedInDep,
    WalletDep,
    WalletRoute,
    WalletState,
    page,
    redirect,
)

HOSTS_PATH = "/passport/hosts"
CONNECTION_PATH = HOSTS_PATH + "/connection"
router = APIRouter(route_class=WalletRoute, include_in_schema=False)


def _remote(request: Request, session: Session, wallet: WalletState, now: datetime) -> Remote:
    site = ClientSite(request.app.state.settings.base_url)
    return Remote(session, wallet.remote_http, wallet.master_key(), site, now)


def _connections(session: Session, learner_id: str) -> list[tuple[RemoteGrant, RemoteHost]]:
    rows = session.exec(
        select(RemoteGrant, RemoteHost)
        .join(RemoteHost)
        .where(RemoteGrant.learner_id == learner_id, col(RemoteGrant.access_sealed).is_not(None))
    ).all()
    return [(grant, host) for grant, host in rows]


@router.get(HOSTS_PATH, response_class=HTMLResponse)
def hosts_page(request: Request, session: SessionDep, current: SignedInDep) -> HTMLResponse:
    connections = _connections(session, current.learner.id)
    return page(request, "obapi_hosts.html", learner=current.learner, connections=connections)


@router.post(HOSTS_PATH, dependencies=[CsrfDep])
def connect(
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    url: Annotated[str, Form()] = "",
) -> HTMLResponse:
    remote = _remote(request, session, wallet, moment)
    target = start_connection(remote, current.learner, url)
    session.commit()
    return page(request, "obapi_host_go.html", learner=current.learner, target=target)


@router.get(CALLBACK_PATH)
def callback(
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    state: str = "",
    code: str = "",
    error: str = "",
) -> Response:
    if error or not code:
        raise InvalidInput(
            N_("the other Host did not connect your passport: %(reason)s"),
            params={"reason": error or "no code"},
        )
    remote = _remote(request, session, wallet, moment)
    grant = finish_connection(remote, current.learner, state, code)
    session.commit()
    return redirect(f"{CONNECTION_PATH}?connection={grant.id}")


def _connection_page(
    request: Request, session: Session, current: Any, grant: RemoteGrant, **context: Any
) -> HTMLResponse:
    host = session.get(RemoteHost, grant.host_id)
    credentials = holdings.list_credentials(session, current.learner.id)
    return page(
        request,
        "obapi_host.html",
        learner=current.learner,
        grant=grant,
        host=host,
        credentials=credentials,
        **context,
    )


@router.get(CONNECTION_PATH, response_class=HTMLResponse)
def connection_page(
    connection: str,
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
) -> HTMLResponse:
    grant = connected_grant(_remote(request, session, wallet, moment), current.learner, connection)
    return _connection_page(request, session, current, grant)


@router.post(HOSTS_PATH + "/pull", dependencies=[CsrfDep])
def pull(
    connection: Annotated[str, Form()],
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
) -> HTMLResponse:
    remote = _remote(request, session, wallet, moment)
    grant = connected_grant(remote, current.learner, connection)
    result = client_transfer.pull(
        remote, current.learner, grant, lambda item: wallet.live.verify(item, moment)
    )
    session.commit()
    return _connection_page(request, session, current, grant, pulled=result)


@router.post(HOSTS_PATH + "/push", dependencies=[CsrfDep])
def push(
    connection: Annotated[str, Form()],
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    credential: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    remote = _remote(request, session, wallet, moment)
    grant = connected_grant(remote, current.learner, connection)
    chosen = holdings.credentials_by_ids(session, current.learner.id, credential or [])
    result = client_transfer.push(remote, grant, chosen)
    session.commit()
    return _connection_page(request, session, current, grant, pushed=result)
