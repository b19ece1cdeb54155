"""Pages of the learner's email flows: confirm the address, forgot and reset the password.

Thin: ``email_flows`` does the work. The token pages are capability URLs (their token is the
only key); opening one changes nothing, its form's POST does.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from credentials import PassportError
from infra import NowDep, SessionDep, mail_enabled, negotiate_language
from passport.wallet import email_flows
from passport.wallet.web import CsrfDep, SignedInDep, WalletRoute, error_message, page, redirect

router = APIRouter(route_class=WalletRoute, include_in_schema=False)


def _base_url(request: Request) -> str:
    base_url: str = request.app.state.settings.base_url
    return base_url


@router.post("/passport/account/confirm", dependencies=[CsrfDep])
def resend_confirmation(
    request: Request, session: SessionDep, current: SignedInDep, moment: NowDep
) -> Response:
    if mail_enabled(request):
        lang = negotiate_language(request)
        email_flows.send_confirmation(session, current.learner, _base_url(request), lang, moment)
        session.commit()
    return redirect("/passport?confirmation=sent")


@router.get("/passport/confirm/{email_token}", response_class=HTMLResponse)
def confirm_form(request: Request, email_token: str) -> HTMLResponse:
    return page(request, "wallet_confirm.html", token=email_token, outcome=None)


@router.post("/passport/confirm/{email_token}", dependencies=[CsrfDep])
def confirm(request: Request, session: SessionDep, moment: NowDep, email_token: str) -> Response:
    confirmed = email_flows.confirm_email(session, email_token, moment)
    session.commit()
    outcome = "confirmed" if confirmed else "invalid"
    return page(
        request,
        "wallet_confirm.html",
        status=200 if confirmed else 400,
        token=email_token,
        outcome=outcome,
    )


@router.get("/passport/forgot", response_class=HTMLResponse)
def forgot_form(request: Request) -> HTMLResponse:
    return page(request, "wallet_forgot.html", sent=False)


@router.post("/passport/forgot", dependencies=[CsrfDep])
def forgot(
    request: Request,
    session: SessionDep,
    moment: NowDep,
    email: Annotated[str, Form()] = "",
) -> Response:
    # The same page whether or not the address has an account: no enumeration.
    if mail_enabled(request):
        lang = negotiate_language(request)
        email_flows.request_reset(session, email[:320], _base_url(request), lang, moment)
        session.commit()
    return page(request, "wallet_forgot.html", sent=True)


@router.get("/passport/reset/{email_token}", response_class=HTMLResponse)
def reset_form(
    request: Request, session: SessionDep, moment: NowDep, email_token: str
) -> HTMLResponse:
    valid = email_flows.reset_link_is_valid(session, email_token, moment)
    return page(
        request,
        "wallet_reset.html",
        status=200 if valid else 400,
        token=email_token,
        valid=valid,
        error=None,
    )


@router.post("/passport/reset/{email_token}", dependencies=[CsrfDep])
def reset(
    request: Request,
    session: SessionDep,
    moment: NowDep,
    email_token: str,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        email_flows.reset_password(session, email_token, password, moment)
    except PassportError as error:
        session.rollback()
        valid = email_flows.reset_link_is_valid(session, email_token, moment)
        return page(
            request,
            "wallet_reset.html",
            status=error.status,
            token=email_token,
            valid=valid,
            error=error_message(request, error),
        )
    session.commit()
    return redirect("/passport/login?reset=done")
