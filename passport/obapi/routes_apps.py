"""The learner's page of connected applications (see and disconnect), and the API's terms and
privacy page that the Service Description Document links to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from infra import NowDep, SessionDep
from passport.obapi.connected import connected_apps, disconnect
from passport.obapi.routes_api import POLICY_PATH
from passport.obapi.scopes import FAMILIES
from passport.wallet.web import CsrfDep, SignedInDep, WalletRoute, page, redirect

APPS_PATH = "/passport/apps"
router = APIRouter(route_class=WalletRoute, include_in_schema=False)


@router.get(APPS_PATH, response_class=HTMLResponse)
def apps_page(
    request: Request, session: SessionDep, current: SignedInDep, moment: NowDep
) -> HTMLResponse:
    apps = connected_apps(session, current.learner.id, moment)
    return page(request, "obapi_apps.html", learner=current.learner, apps=apps, families=FAMILIES)


@router.post(APPS_PATH + "/revoke", dependencies=[CsrfDep])
def revoke_app(
    client_id: Annotated[str, Form()],
    session: SessionDep,
    current: SignedInDep,
    moment: NowDep,
) -> Response:
    disconnect(session, current.learner.id, client_id, moment)
    session.commit()
    return redirect(f"{APPS_PATH}?revoked=1")


@router.get(POLICY_PATH, response_class=HTMLResponse)
def policy_page(request: Request) -> HTMLResponse:
    return page(request, "obapi_policy.html", families=FAMILIES)
