"""HTTP surface of awards: issue one, search, read, download, change a status, offers, the
audit log.

Thin on purpose: each route reads the request, calls a service with the request's session and
``now``, commits, answers. Every endpoint is guarded by
``issuers.deps.require_institution_scope`` ("issue" or "revoke"); an award of another
institution is "not found". The other surfaces of awarding have routers of their own: cohorts
(``issuers.cohorts.routes``), status lists (``issuers.awards.status_list_routes``) and
OpenID4VCI (``issuers.awards.oid4vci_routes``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlmodel import Session

from credentials import NotFound
from infra import BaseUrlDep, MailEnabledDep, NowDep, SessionDep
from issuers.audit import log as audit
from issuers.awards import delivery as award_delivery
from issuers.awards import holder_copies, offers, status_changes
from issuers.awards import mail as award_mail
from issuers.awards import service as awards
from issuers.awards.api_models import (
    AuditEventPublic,
    AwardCreate,
    AwardPublic,
    OfferCreate,
    OfferCreated,
    StatusChange,
)
from issuers.awards.search import AwardFilter, search_awards
from issuers.awards.service import IssuingContext
from issuers.awards.tables import Award
from issuers.deps import MasterKeyDep, require_institution_scope
from issuers.identity import signer_for_institution
from issuers.programs.endorsements import program_issuing_context
from issuers.programs.service import get_program
from issuers.tables import Institution, Program
from keys import MasterKey

API = "/api/v1/institutions/{slug}"
Issuing = Annotated[Institution, Depends(require_institution_scope("issue"))]
Revoking = Annotated[Institution, Depends(require_institution_scope("revoke"))]
MAX_AWARDS_PAGE = 200


def context_for(
    session: Session,
    master: MasterKey,
    base_url: str,
    institution: Institution,
    program: Program,
    now: datetime,
) -> IssuingContext:
    """The issuing context of a program (the institution's signer and the Achievement)."""
    signer = signer_for_institution(session, master, now, institution)
    return program_issuing_context(session, base_url, institution, program, signer)


def create_award_router() -> APIRouter:
    router = APIRouter(tags=["awards"])

    @router.post(f"{API}/programs/{{program_slug}}/awards", status_code=201)
    def issue(
        institution: Issuing,
        program_slug: str,
        body: AwardCreate,
        session: SessionDep,
        master: MasterKeyDep,
        base_url: BaseUrlDep,
        now: NowDep,
        mail: MailEnabledDep,
    ) -> AwardPublic:
        program = get_program(session, institution, program_slug)
        context = context_for(session, master, base_url, institution, program, now)
        award = awards.issue_recorded(session, context, body.award_request(), now, actor="api")
        if mail:
            award_mail.queue_award_mail(
                session, award, institution, program, base_url, body.language, now
            )
        session.commit()
        return AwardPublic.of(award)

    @router.get(f"{API}/awards")
    def search(
        institution: Issuing,
        session: SessionDep,
        q: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_AWARDS_PAGE)] = 50,
    ) -> list[AwardPublic]:
        found = search_awards(session, institution, AwardFilter(text=q or ""), page_size=limit)
        return [AwardPublic.of(item.award) for item in found.items]

    @router.get(f"{API}/awards/{{award_id}}")
    def show(institution: Issuing, award_id: str, session: SessionDep) -> AwardPublic:
        award = awards.get_award(session, institution, award_id)
        return AwardPublic.of(award, holder_copies.copies_of(session, award.id))

    @router.get(f"{API}/awards/{{award_id}}/credential.{{form}}")
    def download(institution: Issuing, award_id: str, form: str, session: SessionDep) -> Response:
        award = awards.get_award(session, institution, award_id)
        return download_response(session, award, form)

    @router.post(f"{API}/awards/{{award_id}}/status")
    def change_status(
        institution: Revoking,
        award_id: str,
        body: StatusChange,
        session: SessionDep,
        now: NowDep,
    ) -> AwardPublic:
        award = awards.get_award(session, institution, award_id)
        action = audit.AuditAction(body.action)
        status_changes.change_status(
            session, award, action, actor="api", reason=body.reason, now=now
        )
        session.commit()
        return AwardPublic.of(award)

    @router.get(f"{API}/audit")
    def audit_log(
        institution: Revoking,
        session: SessionDep,
        before: int | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 100,
    ) -> list[AuditEventPublic]:
        assert institution.id is not None
        events = audit.events_for(session, institution.id, limit=limit, before_id=before)
        return [AuditEventPublic.of(event) for event in events]

    @router.post(f"{API}/awards/{{award_id}}/offers", status_code=201)
    def offer(
        institution: Issuing,
        award_id: str,
        session: SessionDep,
        base_url: BaseUrlDep,
        now: NowDep,
        body: OfferCreate | None = None,
    ) -> OfferCreated:
        award = awards.get_award(session, institution, award_id)
        created = offers.create_offer(session, award, now, with_tx_code=bool(body and body.tx_code))
        session.commit()
        qr = f"{base_url}/oid4vci/offers/{created.secret}/qr"
        return OfferCreated(
            claim_url=offers.claim_page_url(base_url, created.secret),
            offer_uri=offers.offer_uri(base_url, created.secret),
            qr_png_url=f"{qr}.png",
            qr_svg_url=f"{qr}.svg",
            tx_code=created.tx_code,
            expires_at=created.expires_at,
        )

    return router


def download_response(session: Session, award: Award, form: str) -> Response:
    """The stored credential as JSON, JWS, or baked into a PNG or SVG badge."""
    art = award_delivery.award_badge_art(
        award,
        session.get(Program, award.program_id),
        session.get(Institution, award.institution_id),
    )
    disposition = {"Content-Disposition": f'attachment; filename="{award.id}.{form}"'}
    if form == "json":
        return Response(award.ldp_credential, media_type="application/vc", headers=disposition)
    if form == "jwt":
        return Response(award.jwt_credential, media_type="application/vc+jwt", headers=disposition)
    if form == "png":
        return Response(
            award_delivery.baked_png(art, award.jwt_credential),
            media_type="image/png",
            headers=disposition,
        )
    if form == "svg":
        body = award_delivery.baked_svg(art, award.ldp_credential)
        return Response(body, media_type="image/svg+xml", headers=disposition)
    raise NotFound(f"no download form {form!r} (json, jwt, png, svg)")
