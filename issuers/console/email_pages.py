"""The console's email pages: confirm the address, forgot and reset the password (issue 15).

Thin: ``issuers.mail.staff_email`` does the work. The token pages are capability URLs (the token is
the only key); opening one changes nothing, its form's POST does (a mail scanner that fetches
links spends nothing). Forms before a session carry the login form's double-submit token.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from credentials.errors import PassportError
from issuers.access import check_csrf
from issuers.console.base import (
    CONSOLE,
    LOGIN_CSRF_COOKIE,
    Pages,
    StaffDep,
    form_fields,
    new_login_csrf,
)
from issuers.deps import BaseUrlDep, MailEnabledDep, NowDep, PageRenderer, SessionDep
from issuers.mail import staff_email


def create_console_email_router(render_page: PageRenderer) -> APIRouter:
    router = APIRouter(prefix=CONSOLE, include_in_schema=False)
    pages = Pages(render_page)

    def public_page(
        request: Request, template: str, status: int = 200, **context: object
    ) -> Response:
        token = new_login_csrf()
        response = pages.page(request, template, None, status, csrf=token, **context)
        pages.set_login_csrf(request, response, token)
        return response

    def csrf_ok(request: Request, form: dict[str, str]) -> bool:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        return bool(expected) and hmac.compare_digest(expected, form.get("csrf", ""))

    @router.post("/account/confirm")
    async def resend(
        request: Request,
        session: SessionDep,
        staff: StaffDep,
        now: NowDep,
        base_url: BaseUrlDep,
        mail: MailEnabledDep,
    ) -> Response:
        if staff is None:
            return RedirectResponse(f"{CONSOLE}/login", status_code=303)
        check_csrf(staff.session, (await form_fields(request)).get("csrf"))
        if mail:
            staff_email.send_confirmation(session, staff.user, base_url, now)
            session.commit()
        return RedirectResponse(f"{CONSOLE}/programs?confirmation=sent", status_code=303)

    @router.get("/confirm/{email_token}")
    def confirm_form(request: Request, email_token: str) -> Response:
        return public_page(request, "console_confirm.html", token=email_token, outcome=None)

    @router.post("/confirm/{email_token}")
    async def confirm(
        request: Request, session: SessionDep, now: NowDep, email_token: str
    ) -> Response:
        if not csrf_ok(request, await form_fields(request)):
            return public_page(
                request, "console_confirm.html", 403, token=email_token, outcome="csrf"
            )
        confirmed = staff_email.confirm_email(session, email_token, now)
        session.commit()
        outcome = "confirmed" if confirmed else "invalid"
        return public_page(
            request,
            "console_confirm.html",
            200 if confirmed else 400,
            token=email_token,
            outcome=outcome,
        )

    @router.get("/forgot")
    def forgot_form(request: Request) -> Response:
        return public_page(request, "console_forgot.html", sent=False, error=None)

    @router.post("/forgot")
    async def forgot(
        request: Request,
        session: SessionDep,
        now: NowDep,
        base_url: BaseUrlDep,
        mail: MailEnabledDep,
    ) -> Response:
        form = await form_fields(request)
        if not csrf_ok(request, form):
            return public_page(request, "console_forgot.html", 403, sent=False, error="csrf")
        # The same page whether or not the address is a staff member's: no enumeration.
        if mail:
            staff_email.request_reset(session, form.get("email", "")[:320], base_url, now)
            session.commit()
        return public_page(request, "console_forgot.html", sent=True, error=None)

    @router.get("/reset/{email_token}")
    def reset_form(
        request: Request, session: SessionDep, now: NowDep, email_token: str
    ) -> Response:
        valid = staff_email.reset_link_is_valid(session, email_token, now)
        return public_page(
            request,
            "console_reset.html",
            200 if valid else 400,
            token=email_token,
            valid=valid,
            error=None,
        )

    @router.post("/reset/{email_token}")
    async def reset(
        request: Request, session: SessionDep, now: NowDep, email_token: str
    ) -> Response:
        form = await form_fields(request)
        if not csrf_ok(request, form):
            return public_page(
                request, "console_reset.html", 403, token=email_token, valid=True, error="csrf"
            )
        try:
            staff_email.reset_password(session, email_token, form.get("password", ""), now)
        except PassportError as error:
            session.rollback()
            valid = staff_email.reset_link_is_valid(session, email_token, now)
            return public_page(
                request,
                "console_reset.html",
                error.status,
                token=email_token,
                valid=valid,
                error="password" if valid else None,
            )
        session.commit()
        return RedirectResponse(f"{CONSOLE}/login?reset=done", status_code=303)

    return router
