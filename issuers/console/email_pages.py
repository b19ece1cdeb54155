"""The console's email pages: confirm the address, forgot and reset the password (issue 15).

Thin: ``issuers.mail.staff_email`` does the work. The token pages are capability URLs (the token is
the only key); opening one changes nothing, its form's POST does (a mail scanner that fetches
links spends nothing). Forms before a session carry the login form's double-submit token.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from credentials import PassportError
from infra import BaseUrlDep, MailEnabledDep, NowDep, SessionDep
from issuers.console.staff import CONSOLE, Pages, StaffFormDep, login_csrf_ok, read_form
from issuers.mail import staff_email


def add_email_routes(router: APIRouter, pages: Pages) -> None:
    public_page = pages.public_page

    async def checked_form(request: Request) -> dict[str, str] | None:
        """The form's fields if it carries its double-submit token, else None."""
        form, _ = await read_form(request)
        return form if login_csrf_ok(request, form) else None

    @router.post("/account/confirm")
    async def resend(
        session: SessionDep,
        posted: StaffFormDep,
        now: NowDep,
        base_url: BaseUrlDep,
        mail: MailEnabledDep,
    ) -> Response:
        if mail:
            staff_email.send_confirmation(session, posted.staff.user, base_url, now)
            session.commit()
        return RedirectResponse(f"{CONSOLE}/programs?confirmation=sent", status_code=303)

    @router.get("/confirm/{email_token}")
    def confirm_form(request: Request, email_token: str) -> Response:
        return public_page(request, "console_confirm.html", token=email_token, outcome=None)

    @router.post("/confirm/{email_token}")
    async def confirm(
        request: Request, session: SessionDep, now: NowDep, email_token: str
    ) -> Response:
        if await checked_form(request) is None:
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
        form = await checked_form(request)
        if form is None:
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
        form = await checked_form(request)
        if form is None:
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
