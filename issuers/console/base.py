"""The institution console (server-rendered, EN/FR, no JavaScript): log in, programs, keys.

Security, in one place:
- the session cookie (``lp_staff``) is ``HttpOnly``, ``SameSite=Strict``, ``Path=/console`` and
  ``Secure`` when the deployment is on HTTPS; it holds a random token stored only hashed;
- every state-changing form carries the session's CSRF token (``check_csrf``); the login form,
  which comes before any session, uses a double-submit cookie (``lp_login_csrf``);
- failed logins lock the account for a while (``issuers.access.MAX_FAILED_LOGINS``), and too
  many from one client address lock that address (``MAX_FAILED_LOGINS_PER_ADDRESS``);
- pages never run inline scripts (the Content-Security-Policy forbids them).

Other components' console pages (awards, batches, revocation) reuse ``require_staff``.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from credentials.errors import PassportError, Unauthorized
from issuers.access import check_csrf, log_in, log_out, staff_session
from issuers.api_models import ProgramCreate
from issuers.console.program_forms import error_messages, form_of, parse_program
from issuers.demo_staff import DEMO_PASSWORD, demo_sign_ins
from issuers.deps import MasterKeyDep, NowDep, PageRenderer, SessionDep
from issuers.identity import institution_keys, institution_owner, rotate_institution_key
from issuers.key_compromise.affected_awards import affected_awards
from issuers.programs.service import (
    create_program,
    get_program,
    list_programs,
    program_fields,
    update_program,
)
from issuers.tables import DeliveryMode, Institution, StaffSession, StaffUser
from keys.tables import KeyStatus

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
CONSOLE = "/console"
SESSION_COOKIE = "lp_staff"
LOGIN_CSRF_COOKIE = "lp_login_csrf"


@dataclass(frozen=True)
class Staff:
    """The logged-in staff user, their institution and their session (for its CSRF token)."""

    user: StaffUser
    institution: Institution
    session: StaffSession


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


StaffDep = Annotated[Staff | None, Depends(optional_staff)]


def require_staff(staff: StaffDep) -> Staff:
    """For console routes that answer only logged-in staff (401 problem otherwise)."""
    if staff is None:
        raise Unauthorized("please log in to the console")
    return staff


def _to_login() -> RedirectResponse:
    return RedirectResponse(f"{CONSOLE}/login", status_code=303)


def new_login_csrf() -> str:
    return secrets.token_urlsafe(32)


async def form_fields(request: Request) -> dict[str, str]:
    return (await _form(request))[0]


async def _form(request: Request) -> tuple[dict[str, str], list[str]]:
    form = await request.form()
    values = {key: value for key, value in form.items() if isinstance(value, str)}
    languages = [value for value in form.getlist("languages") if isinstance(value, str)]
    return values, languages


@dataclass(frozen=True)
class Pages:
    """The console's page helpers over the shell's renderer."""

    render_page: PageRenderer

    def page(
        self,
        request: Request,
        template: str,
        staff: Staff | None,
        status: int = 200,
        **context: object,
    ) -> Response:
        response = self.render_page(request, template, staff=staff, **context)
        response.status_code = status
        response.headers["Cache-Control"] = "no-store"
        return response

    def set_login_csrf(self, request: Request, response: Response, token: str) -> None:
        """The double-submit cookie of the forms shown before a session (login, password)."""
        response.set_cookie(
            LOGIN_CSRF_COOKIE,
            token,
            httponly=True,
            samesite="strict",
            secure=request.app.state.settings.uses_https,
            path=CONSOLE,
        )

    def login_form(
        self, request: Request, session: Session, error: str | None, status: int = 200
    ) -> Response:
        token = new_login_csrf()
        # The demo's registrars are listed in demo mode only, never in development or production.
        demo = request.app.state.settings.mode == "demo"
        response = self.page(
            request,
            "console_login.html",
            None,
            status,
            csrf=token,
            error=error,
            demo_sign_ins=demo_sign_ins(session) if demo else [],
            demo_password=DEMO_PASSWORD,
        )
        self.set_login_csrf(request, response, token)
        return response

    def program_form(
        self,
        request: Request,
        staff: Staff,
        form: dict[str, str],
        languages: Sequence[str],
        *,
        slug: str | None,
        errors: Sequence[str] = (),
        status: int = 200,
    ) -> Response:
        return self.page(
            request,
            "console_program_form.html",
            staff,
            status,
            form=form,
            languages=languages,
            slug=slug,
            errors=list(errors),
            delivery_modes=list(DeliveryMode),
        )


def create_console_router(render_page: PageRenderer) -> APIRouter:
    """The console's routes, rendered with the shell's ``render_page``."""
    router = APIRouter(prefix=CONSOLE, include_in_schema=False)
    pages = Pages(render_page)
    _add_login_routes(router, pages)
    _add_program_routes(router, pages)
    _add_key_routes(router, pages)
    return router


def _add_login_routes(router: APIRouter, pages: Pages) -> None:
    @router.get("")
    def console_home() -> Response:
        return _to_login()  # which goes on to the programs when signed in

    @router.get("/login")
    def login_page(request: Request, staff: StaffDep, session: SessionDep) -> Response:
        if staff is not None:
            return RedirectResponse(f"{CONSOLE}/programs", status_code=303)
        return pages.login_form(request, session, None)

    @router.post("/login")
    async def login(request: Request, session: SessionDep, now: NowDep) -> Response:
        form, _ = await _form(request)
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
        if not expected or not hmac.compare_digest(expected, form.get("csrf", "")):
            return pages.login_form(request, session, "csrf", 403)
        try:
            address = request.client.host if request.client else "unknown"
            opened = log_in(session, form.get("email", ""), form.get("password", ""), now, address)
        except PassportError as error:
            return pages.login_form(request, session, error.code, error.status)
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
    async def logout(request: Request, session: SessionDep, staff: StaffDep) -> Response:
        if staff is not None:
            form, _ = await _form(request)
            check_csrf(staff.session, form.get("csrf"))
            log_out(session, request.cookies.get(SESSION_COOKIE, ""))
            session.commit()
        response = _to_login()
        response.delete_cookie(SESSION_COOKIE, path=CONSOLE)
        return response


def _add_program_routes(router: APIRouter, pages: Pages) -> None:
    @router.get("/programs")
    def programs(request: Request, session: SessionDep, staff: StaffDep) -> Response:
        if staff is None:
            return _to_login()
        found = list_programs(session, staff.institution)
        return pages.page(request, "console_programs.html", staff, programs=found)

    @router.get("/programs/new")
    def new_program(request: Request, staff: StaffDep) -> Response:
        if staff is None:
            return _to_login()
        return pages.program_form(request, staff, {"published": "on"}, ["en"], slug=None)

    @router.post("/programs/new")
    async def add_program(
        request: Request, session: SessionDep, staff: StaffDep, now: NowDep
    ) -> Response:
        if staff is None:
            return _to_login()
        form, languages = await _form(request)
        check_csrf(staff.session, form.get("csrf"))
        try:
            data = parse_program(form, languages, slug=form.get("slug", ""))
            assert isinstance(data, ProgramCreate)
            create_program(session, staff.institution, data, now)
        except ValidationError as error:
            errors, status = error_messages(error), 422
        except PassportError as error:
            errors, status = [error.message], error.status
        else:
            session.commit()
            return RedirectResponse(f"{CONSOLE}/programs", status_code=303)
        return pages.program_form(
            request, staff, form, languages, slug=None, errors=errors, status=status
        )

    @router.get("/programs/{program_slug}/edit")
    def edit_program(
        program_slug: str, request: Request, session: SessionDep, staff: StaffDep
    ) -> Response:
        if staff is None:
            return _to_login()
        fields = program_fields(get_program(session, staff.institution, program_slug))
        form, languages = form_of(fields), list(fields.languages)
        return pages.program_form(request, staff, form, languages, slug=program_slug)

    @router.post("/programs/{program_slug}/edit")
    async def save_program(
        program_slug: str, request: Request, session: SessionDep, staff: StaffDep, now: NowDep
    ) -> Response:
        if staff is None:
            return _to_login()
        form, languages = await _form(request)
        check_csrf(staff.session, form.get("csrf"))
        try:
            data = parse_program(form, languages, slug=None)
        except ValidationError as error:
            return pages.program_form(
                request,
                staff,
                form,
                languages,
                slug=program_slug,
                errors=error_messages(error),
                status=422,
            )
        update_program(session, staff.institution, program_slug, data, now)
        session.commit()
        return RedirectResponse(f"{CONSOLE}/programs", status_code=303)


def _add_key_routes(router: APIRouter, pages: Pages) -> None:
    @router.get("/keys")
    def keys(
        request: Request, session: SessionDep, staff: StaffDep, master: MasterKeyDep, now: NowDep
    ) -> Response:
        if staff is None:
            return _to_login()
        owner = institution_owner(staff.institution)
        found = institution_keys(session, master, now, owner)
        # Issue 12: what each compromised key signed (the first page; the API and CLI page on).
        affected = {
            key.id: affected_awards(session, master, now, staff.institution, key.id)
            for key in found
            if key.status == KeyStatus.REVOKED
        }
        return pages.page(request, "console_keys.html", staff, keys=found, affected=affected)

    @router.post("/keys/rotate")
    async def rotate(
        request: Request, session: SessionDep, staff: StaffDep, master: MasterKeyDep, now: NowDep
    ) -> Response:
        if staff is None:
            return _to_login()
        form, _ = await _form(request)
        check_csrf(staff.session, form.get("csrf"))
        rotate_institution_key(session, master, now, staff.institution)
        session.commit()
        return RedirectResponse(f"{CONSOLE}/keys", status_code=303)
