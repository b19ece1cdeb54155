"""Pages to sign up, sign in, sign out and delete the account (thin: ``accounts`` and ``signups``
do the work)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from credentials import Forbidden, PassportError
from infra import N_, NowDep, SessionDep, mail_enabled, negotiate_language
from passport.wallet import accounts, signups
from passport.wallet.web import (
    SESSION_COOKIE,
    CsrfDep,
    SignedInDep,
    WalletDep,
    WalletRoute,
    error_message,
    page,
    redirect,
    set_cookie,
)

router = APIRouter(route_class=WalletRoute, include_in_schema=False)
SESSION_COOKIE_MAX_AGE = int(accounts.SESSION_LIFETIME.total_seconds())
MAX_NEXT_LENGTH = 2048  # the column that keeps it for a pending sign-up


def _safe_next(target: str) -> str:
    """Only a path on this site (never ``//elsewhere``): no open redirect after sign-in."""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and len(target) <= MAX_NEXT_LENGTH
    ):
        return target
    return "/passport"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _catches_mail(request: Request) -> bool:
    """Whether mail lands in the built-in catcher (development and demo modes: ``/dev/mail``)."""
    return getattr(request.app.state.mail, "catcher", None) is not None


def _signed_in_response(request: Request, token: str, target: str) -> Response:
    response = redirect(_safe_next(target))
    set_cookie(request, response, SESSION_COOKIE, token, max_age=SESSION_COOKIE_MAX_AGE)
    return response


@router.get("/passport/signup", response_class=HTMLResponse)
def signup_form(request: Request, next: str = "/passport") -> HTMLResponse:
    return page(request, "wallet_signup.html", error=None, email="", next=_safe_next(next))


@router.post("/passport/signup", dependencies=[CsrfDep])
def signup(
    request: Request,
    session: SessionDep,
    moment: NowDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/passport",
) -> Response:
    # One answer whether or not the address has an account: the rest goes by mail (signups).
    target = _safe_next(next)
    try:
        if not mail_enabled(request):
            raise Forbidden(
                N_("sign-up needs e-mail, which this site has not set up; ask its operator")
            )
        accounts.admit_sign_up(session, email=email, client_address=_client(request), now=moment)
        session.commit()  # the attempt counts whatever becomes of it
        signups.request_sign_up(
            session,
            email=email,
            password=password,
            next_path=target,
            base_url=request.app.state.settings.base_url,
            lang=negotiate_language(request),
            now=moment,
        )
    except PassportError as error:
        session.rollback()
        return page(
            request,
            "wallet_signup.html",
            status=error.status,
            error=error_message(request, error),
            email=email,
            next=target,
        )
    session.commit()
    return page(request, "wallet_signup_sent.html", next=target, dev_mail=_catches_mail(request))


@router.get("/passport/signup/{email_token}", response_class=HTMLResponse)
def finish_signup_form(
    request: Request, session: SessionDep, moment: NowDep, email_token: str
) -> HTMLResponse:
    # Opening the link changes nothing (a mail scanner may fetch it): the form's POST does.
    valid = signups.link_is_valid(session, email_token, moment)
    return page(
        request,
        "wallet_signup_finish.html",
        status=200 if valid else 400,
        token=email_token,
        valid=valid,
        error=None,
    )


@router.post("/passport/signup/{email_token}", dependencies=[CsrfDep])
def finish_signup(
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    moment: NowDep,
    email_token: str,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        finished = signups.finish_sign_up(
            session,
            wallet.master_key(),
            token=email_token,
            password=password,
            client_address=_client(request),
            now=moment,
        )
    except PassportError as error:
        if isinstance(error, accounts.SignInRefused):
            session.commit()  # keeps the failure on record for the rate limit
        else:
            session.rollback()
        valid = signups.link_is_valid(session, email_token, moment)
        return page(
            request,
            "wallet_signup_finish.html",
            status=error.status,
            token=email_token,
            valid=valid,
            error=error_message(request, error),
        )
    session.commit()
    return _signed_in_response(request, finished.signed_in.token, finished.next_path)


@router.get("/passport/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/passport") -> HTMLResponse:
    return page(request, "wallet_login.html", error=None, email="", next=_safe_next(next))


@router.post("/passport/login", dependencies=[CsrfDep])
def login(
    request: Request,
    session: SessionDep,
    moment: NowDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/passport",
) -> Response:
    try:
        signed = accounts.sign_in(
            session, email=email, password=password, client_address=_client(request), now=moment
        )
    except PassportError as error:
        session.commit()  # keeps the failure on record for the rate limit
        return page(
            request,
            "wallet_login.html",
            status=error.status,
            error=error_message(request, error),
            email=email,
            next=_safe_next(next),
        )
    session.commit()
    return _signed_in_response(request, signed.token, next)


@router.post("/passport/logout", dependencies=[CsrfDep])
def logout(request: Request, session: SessionDep, current: SignedInDep) -> Response:
    accounts.sign_out(session, current.token)
    session.commit()
    response = redirect("/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/passport/account/delete", response_class=HTMLResponse)
def delete_form(request: Request, current: SignedInDep) -> HTMLResponse:
    return page(request, "wallet_delete.html", learner=current.learner, error=None)


@router.post("/passport/account/delete", dependencies=[CsrfDep])
def delete_account(
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        accounts.delete_account(session, current.learner, password)
    except PassportError as error:
        session.rollback()
        return page(
            request,
            "wallet_delete.html",
            status=error.status,
            learner=current.learner,
            error=error_message(request, error),
        )
    session.commit()
    wallet.live.clear()
    response = redirect("/?deleted=1")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
