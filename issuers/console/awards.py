"""Console pages of awarding: search and read awards, issue one, change a status, the audit log.

Server-rendered and usable without JavaScript; every state-changing form is a POST carrying the
console session's CSRF token (``StaffFormDep``). Status changes go through a
confirmation page that asks for the (required) reason. Every award and batch is looked up within
the logged-in staff's institution, so another institution's is "not found" (404).

Cohort uploads and their progress pages are in ``issuers.console.cohorts``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from credentials import Conflict, PassportError
from infra import BaseUrlDep, MailEnabledDep, NowDep, SessionDep
from issuers.audit import log as audit
from issuers.audit.log import audit_page
from issuers.awards import mail as award_mail
from issuers.awards import offers, status_changes
from issuers.awards import service as awards
from issuers.awards.api_models import AwardCreate
from issuers.awards.routes import context_for, download_response
from issuers.awards.search import AwardFilter, program_of, search_awards
from issuers.awards.tables import Award, AwardState, StatusPurpose
from issuers.console.program_forms import error_messages
from issuers.console.staff import CONSOLE, Pages, Staff, StaffDep, StaffFormDep
from issuers.deps import MasterKeyDep
from issuers.programs.service import get_program, list_programs
from issuers.tables import Program
from keys import MasterKey

AWARDS = f"{CONSOLE}/awards"
ISSUE_FIELDS = ("program", "name", "email", "did", "result", "external_id", "language")
DATE_FIELDS = ("awarded_on", "valid_until")
STATUS_ACTIONS = {
    action.value: action
    for action in (audit.AuditAction.SUSPEND, audit.AuditAction.RESTORE, audit.AuditAction.REVOKE)
}


def allowed_actions(award: Award) -> list[str]:
    """The status changes the award's state and status entry allow
    (``status_changes.change_status``)."""
    if award.state == AwardState.ACTIVE:
        suspendable = award.status_purpose == StatusPurpose.SUSPENSION
        return ["suspend", "revoke"] if suspendable else ["revoke"]
    if award.state == AwardState.SUSPENDED:
        return ["restore", "revoke"]
    return []


def award_create_of(form: dict[str, str]) -> AwardCreate:
    """The API's model from the issue form: dates (YYYY-MM-DD) are midnight UTC; empty is none."""
    values: dict[str, Any] = {name: form.get(name, "").strip() or None for name in ISSUE_FIELDS}
    values.pop("program")
    for name in DATE_FIELDS:
        day = form.get(name, "").strip()
        values[name] = f"{day}T00:00:00Z" if day else None
    return AwardCreate.model_validate(values)


def issue_from_form(
    session: Session,
    staff: Staff,
    body: AwardCreate,
    program_slug: str,
    master: MasterKey,
    base_url: str,
    now: datetime,
    *,
    mail: bool,
) -> Award:
    """Issue one award through the one signing path and record it in the audit log; with
    ``mail``, queue the learner's email with a claim link."""
    program = get_program(session, staff.institution, program_slug)
    context = context_for(session, master, base_url, staff.institution, program, now)
    request = body.award_request()
    award = awards.issue_recorded(session, context, request, now, actor=staff.actor)
    if mail:
        award_mail.queue_award_mail(
            session, award, staff.institution, program, base_url, request.language, now
        )
    return award


def add_list_routes(router: APIRouter, pages: Pages) -> None:
    @router.get("/awards")
    def award_list(
        request: Request,
        session: SessionDep,
        staff: StaffDep,
        q: Annotated[str, Query(max_length=200)] = "",
        program: Annotated[str, Query(max_length=100)] = "",
        state: Annotated[str, Query(max_length=20)] = "",
        page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    ) -> Response:
        wanted = AwardFilter(q, program, state)
        found = search_awards(session, staff.institution, wanted, page)
        programs = list_programs(session, staff.institution)
        return pages.page(
            request, "awards/list.html", staff, found=found, wanted=wanted, programs=programs
        )

    @router.get("/audit")
    def audit_log(
        request: Request,
        session: SessionDep,
        staff: StaffDep,
        before: Annotated[int | None, Query(ge=1)] = None,
    ) -> Response:
        found = audit_page(session, staff.institution, before)
        return pages.page(request, "awards/audit.html", staff, found=found, before=before)


def add_issue_routes(router: APIRouter, pages: Pages) -> None:
    def issue_form(
        request: Request,
        session: Session,
        staff: Staff,
        form: dict[str, str],
        errors: list[str],
        status: int = 200,
    ) -> Response:
        programs = list_programs(session, staff.institution)
        return pages.page(
            request,
            "awards/issue.html",
            staff,
            status,
            form=form,
            errors=errors,
            programs=programs,
        )

    @router.get("/awards/new")
    def new_award(request: Request, session: SessionDep, staff: StaffDep) -> Response:
        return issue_form(request, session, staff, {}, [])

    @router.post("/awards/new")
    async def issue(
        request: Request,
        session: SessionDep,
        posted: StaffFormDep,
        master: MasterKeyDep,
        base_url: BaseUrlDep,
        now: NowDep,
        mail: MailEnabledDep,
    ) -> Response:
        staff, form = posted.staff, posted.fields
        try:
            body = award_create_of(form)
            award = issue_from_form(
                session, staff, body, form.get("program", ""), master, base_url, now, mail=mail
            )
        except ValidationError as error:
            session.rollback()
            return issue_form(request, session, staff, form, error_messages(error), 422)
        except PassportError as error:
            session.rollback()
            return issue_form(request, session, staff, form, [error.message], error.status)
        session.commit()
        return RedirectResponse(f"{AWARDS}/{award.id}?done=issue", status_code=303)


def add_award_routes(router: APIRouter, pages: Pages) -> None:
    @router.get("/awards/{award_id}")
    def award_detail(
        award_id: str,
        request: Request,
        session: SessionDep,
        staff: StaffDep,
        done: Annotated[str, Query(max_length=20)] = "",
    ) -> Response:
        award = awards.get_award(session, staff.institution, award_id)
        assert staff.institution.id is not None
        history = audit.events_for(session, staff.institution.id, award_id=award.id)
        return pages.page(
            request,
            "awards/detail.html",
            staff,
            award=award,
            program=program_of(session, award),
            history=history,
            actions=allowed_actions(award),
            done=done if done in {"issue", *STATUS_ACTIONS} else "",
        )

    @router.get("/awards/{award_id}/credential.{form}")
    def download(award_id: str, form: str, session: SessionDep, staff: StaffDep) -> Response:
        award = awards.get_award(session, staff.institution, award_id)
        return download_response(session, award, form)

    @router.post("/awards/{award_id}/resend")
    async def resend(
        award_id: str,
        session: SessionDep,
        posted: StaffFormDep,
        base_url: BaseUrlDep,
        now: NowDep,
        mail: MailEnabledDep,
    ) -> Response:
        """Email the learner a new claim link; the earlier links stop working."""
        staff, form = posted.staff, posted.fields
        award = awards.get_award(session, staff.institution, award_id)
        program = session.get(Program, award.program_id)
        if not mail or program is None:
            raise Conflict("this deployment sends no mail (PASSPORT_SMTP_URL is not set)")
        language = form.get("language") or None
        award_mail.queue_award_mail(
            session, award, staff.institution, program, base_url, language, now
        )
        audit.record(
            session,
            institution_id=award.institution_id,
            award_id=award.id,
            actor=staff.actor,
            action=audit.AuditAction.OFFER_CREATED,
            reason="claim link emailed again",
            now=now,
        )
        session.commit()
        return RedirectResponse(f"{AWARDS}/{award.id}?done=resend", status_code=303)

    @router.post("/awards/{award_id}/offer")
    async def claim_link(
        award_id: str,
        request: Request,
        session: SessionDep,
        posted: StaffFormDep,
        base_url: BaseUrlDep,
        now: NowDep,
    ) -> Response:
        staff, form = posted.staff, posted.fields
        award = awards.get_award(session, staff.institution, award_id)
        created = offers.create_offer(session, award, now, with_tx_code=bool(form.get("tx_code")))
        audit.record(
            session,
            institution_id=award.institution_id,
            award_id=award.id,
            actor=staff.actor,
            action=audit.AuditAction.OFFER_CREATED,
            reason="claim link created in the console",
            now=now,
        )
        session.commit()
        return pages.page(
            request,
            "awards/offer.html",
            staff,
            award=award,
            offer=created,
            offer_uri=offers.offer_uri(base_url, created.secret),
            claim_url=offers.claim_page_url(base_url, created.secret),
        )


def add_status_routes(router: APIRouter, pages: Pages) -> None:
    def confirm_page(
        request: Request,
        staff: Staff,
        award: Award,
        action: str,
        reason: str = "",
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        return pages.page(
            request,
            "awards/status.html",
            staff,
            status,
            award=award,
            action=action,
            reason=reason,
            error=error,
        )

    @router.get("/awards/{award_id}/status")
    def confirm_status(
        award_id: str,
        request: Request,
        session: SessionDep,
        staff: StaffDep,
        action: Annotated[str, Query(max_length=20)] = "",
    ) -> Response:
        award = awards.get_award(session, staff.institution, award_id)
        if action not in allowed_actions(award):
            return RedirectResponse(f"{AWARDS}/{award.id}", status_code=303)
        return confirm_page(request, staff, award, action)

    @router.post("/awards/{award_id}/status")
    async def change_status(
        award_id: str, request: Request, session: SessionDep, posted: StaffFormDep, now: NowDep
    ) -> Response:
        staff, form = posted.staff, posted.fields
        award = awards.get_award(session, staff.institution, award_id)
        action, reason = form.get("action", ""), form.get("reason", "")
        if action not in STATUS_ACTIONS:
            return RedirectResponse(f"{AWARDS}/{award.id}", status_code=303)
        if not reason.strip():
            return confirm_page(request, staff, award, action, reason, "reason_required", 422)
        try:
            status_changes.change_status(
                session,
                award,
                STATUS_ACTIONS[action],
                actor=staff.actor,
                reason=reason,
                now=now,
            )
        except PassportError as error:
            session.rollback()
            return confirm_page(request, staff, award, action, reason, error.message, error.status)
        session.commit()
        return RedirectResponse(f"{AWARDS}/{award.id}?done={action}", status_code=303)
