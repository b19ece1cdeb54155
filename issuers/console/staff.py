"""Who is signed in to the institution console, and the one opening of every console handler.

Security, in one place:
- the session cookie (``lp_staff``) is ``HttpOnly``, ``SameSite=Strict``, ``Path=/console`` and
  ``Secure`` when the deployment is on HTTPS; it holds a random token stored only hashed;
- every state-changing form carries the session's CSRF token (``check_csrf``); the login form,
  which comes before any session, uses a double-submit cookie (``lp_login_csrf``);
- failed logins lock the account for a while (``issuers.access.MAX_FAILED_LOGINS``), and too
  many from one client address lock that address (``MAX_FAILED_LOGINS_PER_ADDRESS``);
- pages never run inline scripts (the Content-Security-Policy forbids them).

A console handler opens with one dependency: ``StaffDep`` for a page (the signed-in staff; a
visitor without a session is sent to the login page), ``StaffFormDep`` for a form's POST (the
same, then the form's text fields with its CSRF token checked). ``require_staff`` answers 401
instead of a redirect, for the JSON the pages' scripts poll.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from credentials import Unauthorized
from infra import NowDep, SessionDep, render_page
from issuers.access import check_csrf, staff_session
from issuers.tables import Institution, StaffSession, StaffUser

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
CONSOLE = "/console"
LOGIN = f"{CONSOLE}/login"
SESSION_COOKIE = "lp_staff"
LOGIN_CSRF_COOKIE = "lp_login_csrf"


@dataclass(frozen=True)
class Staff:
    """The logged-in staff user, their institution and their session (for its CSRF token)."""

    user: StaffUser
    institution: Institution
    session: StaffSession

    @property
    def actor(self) -> str:
        """How the audit log names a console user."""
        return f"console:{self.user.email}"


def optional_staff(request: Request, session: SessionDep, now: NowDep) -> Staff | None:
    """The logged-in staff of the request's session cookie, if any."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        row, user = staff_session(session, token, now)
    except Unauthorized:
        return None
    institution = session.get(Institution, user.institution_id)
    return None if institution is None else Staff(user, institution, row)


MaybeStaffDep = Annotated[Staff | None, Depends(optional_staff)]


def to_login() -> RedirectResponse:
    return RedirectResponse(LOGIN, status_code=303)


def signed_in_staff(staff: MaybeStaffDep) -> Staff:
    """The signed-in staff; anyone else is sent to the login page."""
    if staff is None:
        # The shell answers an HTTPException under 400 as it is (passport.errors): a redirect.
        raise HTTPException(303, headers={"Location": LOGIN})
    return staff


StaffDep = Annotated[Staff, Depends(signed_in_staff)]


def require_staff(staff: MaybeStaffDep) -> Staff:
    """For console routes that answer only logged-in staff (401 problem otherwise)."""
    if staff is None:
        raise Unauthorized("please log in to the console")
    return staff


async def read_form(request: Request) -> tuple[dict[str, str], list[str]]:
    """A posted form's text fields, and its ``languages`` choices (file parts are left to the
    route that expects one)."""
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    languages = [value for value in form.getlist("languages") if isinstance(value, str)]
    return values, languages


@dataclass(frozen=True)
class StaffForm:
    """A form posted by the signed-in staff, its CSRF token checked."""

    staff: Staff
    fields: dict[str, str]
    languages: list[str]


async def staff_form(request: Request, staff: StaffDep) -> AsyncIterator[StaffForm]:
    async with request.form():  # closes an uploaded file's spool when the request is done
        fields, languages = await read_form(request)
        check_csrf(staff.session, fields.get("csrf"))
        yield StaffForm(staff, fields, languages)


StaffFormDep = Annotated[StaffForm, Depends(staff_form)]


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


def login_csrf_ok(request: Request, fields: dict[str, str]) -> bool:
    """Whether a form shown before a session (login, password) carries its double-submit token."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(expected) and hmac.compare_digest(expected, fields.get("csrf", ""))


@dataclass(frozen=True)
class Pages:
    """The console's page helpers."""

    def page(
        self,
        request: Request,
        template: str,
        staff: Staff | None,
        status: int = 200,
        **context: object,
    ) -> Response:
        response = render_page(request, template, staff=staff, **context)
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"
        return response

    def public_page(
        self, request: Request, template: str, status: int = 200, **context: object
    ) -> Response:
        """A page with a form shown before a session, and its double-submit cookie."""
        token = new_login_csrf()
        response = self.page(request, template, None, status, csrf=token, **context)
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.app.state.settings.uses_https,
            path=CONSOLE,
        )
        return response
