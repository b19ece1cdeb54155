"""HTTP surface of awarding: awards, cohorts, status changes, downloads, status lists, OID4VCI.

Thin on purpose: each route reads the request, calls a service with the request's session and
``now``, commits, answers. Institution endpoints are guarded by
``issuers.deps.require_institution_scope`` ("issue" or "revoke"); an award of another
institution is "not found". Public endpoints: ``GET /status/{list_id}`` (cacheable: strong ETag,
``Cache-Control: public, max-age=300``, 304 on ``If-None-Match``), the OpenID4VCI issuer and
authorization server metadata, and the OpenID4VCI offer, token, nonce and credential endpoints.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Form, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from credentials.errors import NotFound
from issuers.audit import log as audit
from issuers.awards import delivery as award_delivery
from issuers.awards import holder_copies, offers, status_lists
from issuers.awards import mail as award_mail
from issuers.awards import service as awards
from issuers.awards.api_models import (
    AuditEventPublic,
    AwardCreate,
    AwardPublic,
    BatchAccepted,
    BatchProgress,
    CohortValidation,
    OfferCreate,
    OfferCreated,
    StatusChange,
)
from issuers.awards.offers import OAuthError
from issuers.awards.oid4vci_metadata import authorization_server_metadata, issuer_metadata
from issuers.awards.search import AwardFilter, search_awards
from issuers.awards.service import IssuingContext
from issuers.awards.tables import Award, Batch, StatusList
from issuers.cohorts import batches
from issuers.cohorts import jobs as batch_jobs
from issuers.cohorts.runner import BatchRunner
from issuers.deps import (
    BaseUrlDep,
    MailEnabledDep,
    MasterKeyDep,
    NowDep,
    SessionDep,
    get_now,
    require_institution_scope,
)
from issuers.identity import signer_for_institution, status_list_signer_for_institution
from issuers.programs.endorsements import endorsed_achievement
from issuers.programs.service import get_program
from issuers.tables import Institution, Program
from keys.crypto_envelope import MasterKey

logger = logging.getLogger(__name__)

API = "/api/v1/institutions/{slug}"
Issuing = Annotated[Institution, Depends(require_institution_scope("issue"))]
Revoking = Annotated[Institution, Depends(require_institution_scope("revoke"))]
NO_STORE = {"Cache-Control": "no-store"}
MAX_AWARDS_PAGE = 200
# Read from any origin (passport.cors): status lists and metadata, and the OpenID4VCI endpoints a
# browser wallet calls without cookies (the code or access token is in the request itself).
CORS_PATHS = (
    "/status/{list_id}",
    "/.well-known/openid-credential-issuer",
    "/.well-known/oauth-authorization-server",
    "/oid4vci/offers/{offer}",
    "/oid4vci/token",
    "/oid4vci/nonce",
    "/oid4vci/credential",
)


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
    achievement = endorsed_achievement(session, base_url, institution, program)
    return awards.issuing_context(base_url, institution, program, achievement, signer)


def _app_runner(state: Any) -> BatchRunner:
    """The batch runner of this app (its engine, master key, base URL and clock)."""
    return batch_jobs.runner_for(
        state.engine,
        state.master_key_source.get,
        state.settings.base_url,
        get_now,
        mail=state.mail.enabled,
    )


def start_batch_in_background(request: Request, batch_id: str) -> None:
    """Run a submitted batch: a thread on SQLite, a procrastinate job on PostgreSQL (API and
    console both start batches through this)."""
    state = request.app.state
    batch_jobs.start_batch(state.engine, state.settings.database_url, _app_runner(state), batch_id)


def _oauth_error(error: OAuthError) -> JSONResponse:
    body = {"error": error.error, "error_description": error.message}
    headers = dict(NO_STORE)
    if error.status == 401:
        # RFC 6750 section 3: a refused bearer token is answered with its challenge.
        headers["WWW-Authenticate"] = offers.bearer_challenge(error)
    return JSONResponse(body, status_code=error.status, headers=headers)


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
        awards.change_status(session, award, action, actor="api", reason=body.reason, now=now)
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

    @router.post(f"{API}/programs/{{program_slug}}/batches", status_code=202)
    def submit(
        request: Request,
        institution: Issuing,
        program_slug: str,
        session: SessionDep,
        now: NowDep,
        data: Annotated[bytes, Body(media_type="text/csv")],
        filename: Annotated[str, Query(max_length=300)] = "cohort.csv",
        dry_run: bool = False,
    ) -> JSONResponse:
        program = get_program(session, institution, program_slug)
        submission = batches.submit_batch(
            session, institution, program, data, filename, actor="api", now=now, dry_run=dry_run
        )
        session.commit()
        batch_id = submission.batch.id if submission.batch else None
        if batch_id is not None:
            start_batch_in_background(request, batch_id)
        body = BatchAccepted(batch_id=batch_id, validation=CohortValidation.of(submission.report))
        status = 202 if submission.report.valid else 422
        return JSONResponse(body.model_dump(mode="json"), status_code=status)

    @router.get(f"{API}/batches/{{batch_id}}")
    def progress(institution: Issuing, batch_id: str, session: SessionDep) -> BatchProgress:
        batch = session.get(Batch, batch_id)
        if batch is None or batch.institution_id != institution.id:
            raise NotFound(f"no batch {batch_id!r}")
        return BatchProgress.of(batch_id, batches.batch_progress(session, batch_id))

    _add_public_routes(router)
    return router


def download_response(session: Session, award: Award, form: str) -> Response:
    """The stored credential as JSON, JWS, or baked into a PNG or SVG badge."""
    art = award_delivery.badge_art(
        session.get(Program, award.program_id), session.get(Institution, award.institution_id)
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


def _add_public_routes(router: APIRouter) -> None:
    @router.get("/status/{list_id}")
    def status_list(
        list_id: str,
        request: Request,
        session: SessionDep,
        master: MasterKeyDep,
        base_url: BaseUrlDep,
        now: NowDep,
    ) -> Response:
        row = session.get(StatusList, list_id)
        institution = session.get(Institution, row.institution_id) if row else None
        if row is None or institution is None:
            raise NotFound(f"no status list {list_id!r}")
        signer = status_list_signer_for_institution(session, master, now, institution)
        signed = status_lists.signed_status_list(session, row, institution, signer, base_url, now)
        session.commit()
        cache = f"public, max-age={status_lists.STATUS_LIST_MAX_AGE_SECONDS}"
        headers = {"ETag": signed.etag, "Cache-Control": cache}
        if request.headers.get("if-none-match") == signed.etag:
            return Response(status_code=304, headers=headers)
        return Response(signed.text, media_type="application/vc", headers=headers)

    @router.get("/.well-known/openid-credential-issuer")
    def credential_issuer(base_url: BaseUrlDep) -> dict[str, Any]:
        return issuer_metadata(base_url)

    @router.get("/.well-known/oauth-authorization-server")
    def authorization_server(base_url: BaseUrlDep) -> dict[str, Any]:
        return authorization_server_metadata(base_url)

    @router.get("/oid4vci/offers/{secret}")
    def offer_document(
        secret: str, session: SessionDep, base_url: BaseUrlDep, now: NowDep
    ) -> JSONResponse:
        try:
            document = offers.offer_document(session, base_url, secret, now)
        except OAuthError as error:
            return _oauth_error(error)
        return JSONResponse(document, headers=NO_STORE)

    @router.get("/oid4vci/offers/{secret}/qr.{kind}")
    def offer_qr(
        secret: str, kind: str, session: SessionDep, base_url: BaseUrlDep, now: NowDep
    ) -> Response:
        offers.offer_document(session, base_url, secret, now)
        uri = offers.offer_uri(base_url, secret)
        if kind == "png":
            return Response(award_delivery.qr_png(uri), media_type="image/png", headers=NO_STORE)
        if kind == "svg":
            return Response(
                award_delivery.qr_svg(uri), media_type="image/svg+xml", headers=NO_STORE
            )
        raise NotFound("QR codes are qr.png or qr.svg")

    @router.post("/oid4vci/token")
    def token(
        session: SessionDep,
        now: NowDep,
        grant_type: Annotated[str | None, Form()] = None,
        code: Annotated[str | None, Form(alias="pre-authorized_code")] = None,
        tx_code: Annotated[str | None, Form()] = None,
    ) -> JSONResponse:
        try:
            if grant_type != offers.PRE_AUTHORIZED_GRANT:
                raise OAuthError("unsupported_grant_type", "only the pre-authorized code grant")
            if not code:
                raise OAuthError("invalid_request", "pre-authorized_code is required")
            access_token, expires_in = offers.exchange_code(session, code, tx_code, now)
        except OAuthError as error:
            # Kept: a wrong tx_code counts against the offer's tries.
            session.commit()
            return _oauth_error(error)
        session.commit()
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": expires_in}
        return JSONResponse(body, headers=NO_STORE)

    @router.post("/oid4vci/nonce")
    def nonce(session: SessionDep, now: NowDep) -> JSONResponse:
        value = offers.new_nonce(session, now)
        session.commit()
        return JSONResponse({"c_nonce": value}, headers=NO_STORE)

    @router.post("/oid4vci/credential")
    def credential(
        request: Request,
        session: SessionDep,
        base_url: BaseUrlDep,
        master: MasterKeyDep,
        now: NowDep,
        body: Annotated[dict[str, Any], Body()],
    ) -> Response:
        scheme, _, access_token = request.headers.get("authorization", "").partition(" ")
        try:
            if scheme.lower() != "bearer" or not access_token:
                raise OAuthError("invalid_token", "a Bearer access token is required", status=401)
            sign_copy = holder_copies.copy_signer(session, master, now)
            text = offers.redeem(
                session, access_token.strip(), body, base_url, now, sign_copy=sign_copy
            )
        except OAuthError as error:
            session.rollback()
            return _oauth_error(error)
        session.commit()
        return Response(text, media_type="application/json", headers=NO_STORE)


def resume_batches(app: Any) -> None:
    """At start-up on SQLite, finish the batches a crash or restart interrupted (PostgreSQL
    batches are resumed by ``passport worker``)."""
    state = app.state
    try:
        if batch_jobs.uses_workers(state.engine):
            return
        batch_jobs.resume_in_threads(state.engine, _app_runner(state))
    except SQLAlchemyError:
        # The app must still start (and /healthz say 503) when the database is down; the
        # batches resume at the next start with the database back, nothing lost.
        logger.exception("could not resume unfinished batches at start-up")
