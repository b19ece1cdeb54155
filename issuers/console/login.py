"""The console's login and logout (the session cookie's rules are in ``issuers.console.staff``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from credentials import PassportError
from infra import NowDep, SessionDep
from issuers.access import check_csrf, log_in, log_out
from issuers.console.staff import (
    CONSOLE,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    MaybeStaffDep,
    Pages,
    login_csrf_ok,
    read_form,
    to_login,
)
from issuers.demo_staff import DEMO_PASSWORD, demo_sign_ins


def login_form(
    pages: Pages, request: Request, session: Session, error: str | None, status: int = 200
) -> Response:
    # The demo's registrars are listed in demo mode only, never in development or production.
    demo = request.app.state.settings.mode == "demo"
    return pages.public_page(
        request,
        "console_login.html",
        status,
        error=error,
        demo_sign_ins=demo_sign_ins(session) if demo else [],
        demo_password=DEMO_PASSWORD,
    )


def add_login_routes(router: APIRouter, pages: Pages) -> None:
    @router.get("")
    def console_home() -> Response:
        return to_login()  # which goes on to the programs when signed in

    @router.get("/login")
    def login_page(request: Request, staff: MaybeStaffDep, session: SessionDep) -> Response:
        if staff is not None:
            return RedirectResponse(f"{CONSOLE}/programs", status_code=303)
        return login_form(pages, request, session, None)

    @router.post("/login")
    async def login(request: Request, session: SessionDep, now: NowDep) -> Response:
        form, _ = await read_form(request)
        if not login_csrf_ok(request, form):
            return login_form(pages, request, session, "csrf", 403)
        try:
            address = request.client.host if request.client else "unknown"
            opened = log_in(session, form.get("email", ""), form.get("password", ""), now, address)
        except PassportError as error:
            return login_form(pages, request, session, error.code, error.status)
        session.commit()
        response = RedirectResponse(f"{CONSOLE}/programs", status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            opened.token,
            httponly=True,
            samesite="strict",
            secure=request.app.state.settings.uses_https,
            path=CONSOLE,
        )
        response.delete_cookie(LOGIN_CSRF_COOKIE, path=CONSOLE)
        return response

    @router.post("/logout")
    async def logout(request: Request, session: SessionDep, staff: MaybeStaffDep) -> Response:
        # Not StaffFormDep: without a session, the stale cookie is still cleared.
        if staff is not None:
            form, _ = await read_form(request)
            check_csrf(staff.session, form.get("csrf"))
            log_out(session, request.cookies.get(SESSION_COOKIE, ""))
            session.commit()
        response = to_login()
        response.delete_cookie(SESSION_COOKIE, path=CONSOLE)
        return response
