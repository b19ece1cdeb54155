"""The console's program pages: the list, a new program, editing one.

Forms are validated with the API's own models (``issuers.console.program_forms``).
"""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from credentials import PassportError
from infra import NowDep, SessionDep
from issuers.api_models import ProgramCreate
from issuers.console.program_forms import error_messages, form_of, parse_program
from issuers.console.staff import CONSOLE, Pages, Staff, StaffDep, StaffFormDep
from issuers.programs.service import (
    create_program,
    get_program,
    list_programs,
    program_fields,
    update_program,
)
from issuers.tables import DeliveryMode


def program_form(
    pages: Pages,
    request: Request,
    staff: Staff,
    form: dict[str, str],
    languages: Sequence[str],
    *,
    slug: str | None,
    errors: Sequence[str] = (),
    status: int = 200,
) -> Response:
    return pages.page(
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


def add_program_routes(router: APIRouter, pages: Pages) -> None:
    @router.get("/programs")
    def programs(request: Request, session: SessionDep, staff: StaffDep) -> Response:
        found = list_programs(session, staff.institution)
        return pages.page(request, "console_programs.html", staff, programs=found)

    @router.get("/programs/new")
    def new_program(request: Request, staff: StaffDep) -> Response:
        return program_form(pages, request, staff, {"published": "on"}, ["en"], slug=None)

    @router.post("/programs/new")
    async def add_program(
        request: Request, session: SessionDep, posted: StaffFormDep, now: NowDep
    ) -> Response:
        staff, form, languages = posted.staff, posted.fields, posted.languages
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
        return program_form(
            pages, request, staff, form, languages, slug=None, errors=errors, status=status
        )

    @router.get("/programs/{program_slug}/edit")
    def edit_program(
        program_slug: str, request: Request, session: SessionDep, staff: StaffDep
    ) -> Response:
        fields = program_fields(get_program(session, staff.institution, program_slug))
        form, languages = form_of(fields), list(fields.languages)
        return program_form(pages, request, staff, form, languages, slug=program_slug)

    @router.post("/programs/{program_slug}/edit")
    async def save_program(
        program_slug: str,
        request: Request,
        session: SessionDep,
        posted: StaffFormDep,
        now: NowDep,
    ) -> Response:
        try:
            data = parse_program(posted.fields, posted.languages, slug=None)
        except ValidationError as error:
            return program_form(
                pages,
                request,
                posted.staff,
                posted.fields,
                posted.languages,
                slug=program_slug,
                errors=error_messages(error),
                status=422,
            )
        update_program(session, posted.staff.institution, program_slug, data, now)
        session.commit()
        return RedirectResponse(f"{CONSOLE}/programs", status_code=303)
