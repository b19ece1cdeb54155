"""The passport pages: timeline and skills, one credential, import, claim, downloads, LinkedIn."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from credentials import BadgeArt, InputTooLarge, InvalidInput, PassportError
from infra import N_, NowDep, SessionDep, error_text, negotiate_language, statement_by_statement
from passport.wallet import claim, holdings
from passport.wallet.badges import Badges, BadgesDep
from passport.wallet.display import (
    issued_to_another_holder,
    issuer_view,
    skills_summary,
    timeline,
)
from passport.wallet.exports import available_formats, download, linkedin_url
from passport.wallet.live import live_state
from passport.wallet.sharing import LASTING_SHARE, create_share, share_url
from passport.wallet.tables import Collection, Learner, StoredCredential
from passport.wallet.web import (
    CsrfDep,
    SignedInDep,
    WalletDep,
    WalletRoute,
    WalletState,
    kept_page,
    learner_signer,
    page,
    redirect,
    signed_in_with_collections,
)
from verifier import MAX_IMAGE_BYTES, VerificationReport, render_verdict

router = APIRouter(route_class=WalletRoute, include_in_schema=False)
IMPORT_PATH = "/passport/import"
# An upload is at most an 8 MiB image plus the multipart framing around it.
MAX_IMPORT_REQUEST_BYTES = MAX_IMAGE_BYTES + 64 * 1024


def timeline_entries(
    badges: Badges,
    credentials: list[StoredCredential],
    learner: Learner,
    wallet: WalletState,
    language: str,
    now: datetime,
) -> list[dict[str, Any]]:
    """Each credential with its registry-named issuer, its badge, its live state and whether it
    names another holder, newest first."""
    reports = wallet.live.reports_for(credentials, now)
    arts = badges.of_each(credentials, reports)
    return timeline_view(credentials, reports, arts, learner, wallet, language)


def timeline_view(
    credentials: list[StoredCredential],
    reports: Mapping[str, VerificationReport],
    arts: Mapping[str, BadgeArt],
    learner: Learner,
    wallet: WalletState,
    language: str,
) -> list[dict[str, Any]]:
    registry = wallet.live.service.registry
    return [
        {
            "stored": stored,
            "badge": arts[stored.id],
            "issuer": issuer_view(stored.issuer_id, registry, language, reports[stored.id]),
            "state": live_state(reports[stored.id]),
            "headline": render_verdict(reports[stored.id].verdict, language),
            "other_holder": issued_to_another_holder(stored, learner.did),
        }
        for stored in timeline(credentials)
    ]


def shown_of(
    learner: Learner,
    credentials: list[StoredCredential],
    arts: Mapping[str, BadgeArt],
    collections: list[tuple[Collection, set[str]]],
    wallet: WalletState,
) -> Hashable:
    """The key of a passport page (``kept_page``): all it shows of the learner, their
    credentials (a display is made from the bytes), badges and collections, and the registry."""
    return (
        (learner.id, learner.email, learner.did, learner.email_confirmed_at),
        tuple(
            (stored.id, stored.content_sha256, stored.source, stored.added_at, arts[stored.id])
            for stored in credentials
        ),
        tuple((group.id, group.name, frozenset(members)) for group, members in collections),
        wallet.live.service.registry.version,
    )


@router.get("/passport", response_class=HTMLResponse)
@statement_by_statement
def passport_home(
    request: Request, session: SessionDep, wallet: WalletDep, moment: NowDep, badges: BadgesDep
) -> HTMLResponse:
    current, collections = signed_in_with_collections(request, session, moment)
    learner = current.learner
    credentials, own_revision = holdings.credentials_at_revision(session, learner.id)
    reports = wallet.live.reports_for(credentials, moment, own_revision)
    arts = badges.of_each(credentials, reports)

    def shown() -> dict[str, Any]:
        language = negotiate_language(request)
        return {
            "learner": learner,
            "entries": timeline_view(credentials, reports, arts, learner, wallet, language),
            "skills": skills_summary(credentials),
            "collections": collections,
        }

    key = shown_of(learner, credentials, arts, collections, wallet)
    ordered_reports = [reports[stored.id] for stored in credentials]
    return kept_page(request, key, ordered_reports, "wallet_passport.html", shown, forms=True)


@router.get("/passport/credentials/{credential_id}", response_class=HTMLResponse)
@statement_by_statement
def credential_page(
    request: Request,
    credential_id: str,
    session: SessionDep,
    wallet: WalletDep,
    moment: NowDep,
    badges: BadgesDep,
) -> HTMLResponse:
    current, collections = signed_in_with_collections(request, session, moment)
    learner = current.learner
    stored, own_revision = holdings.credential_at_revision(session, learner.id, credential_id)
    report = wallet.live.reports_for([stored], moment, own_revision)[stored.id]
    art = badges.of(stored, report)

    def shown() -> dict[str, Any]:
        language = negotiate_language(request)
        registry = wallet.live.service.registry
        return {
            "learner": learner,
            "stored": stored,
            "view": wallet.live.explained(report, language),
            "state": live_state(report),
            "other_holder": issued_to_another_holder(stored, learner.did),
            "issuer": issuer_view(stored.issuer_id, registry, language, report),
            "badge_picture": art,
            "formats": available_formats(stored),
            "collections": collections,
        }

    key = shown_of(learner, [stored], {stored.id: art}, collections, wallet)
    return kept_page(request, key, [report], "wallet_credential.html", shown, forms=True)


@router.get("/passport/credentials/{credential_id}/download/{requested}")
def credential_download(
    credential_id: str,
    requested: str,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    badges: BadgesDep,
) -> Response:
    stored = holdings.get_credential(session, current.learner.id, credential_id)
    art = badges.of(stored, wallet.live.report_for(stored, moment))
    return file_response(download(stored, requested, art))


def file_response(file: Any) -> Response:
    return Response(
        file.content,
        media_type=file.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{file.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/passport/credentials/{credential_id}/delete", dependencies=[CsrfDep])
def credential_delete(
    credential_id: str, session: SessionDep, wallet: WalletDep, current: SignedInDep
) -> Response:
    stored = holdings.get_credential(session, current.learner.id, credential_id)
    wallet.live.forget(stored)
    holdings.delete_credential(session, current.learner.id, stored.id)
    session.commit()
    return redirect("/passport")


@router.post("/passport/credentials/{credential_id}/linkedin", dependencies=[CsrfDep])
def credential_linkedin(
    request: Request,
    credential_id: str,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
) -> Response:
    """Make a share link for LinkedIn (shown, listed in Sharing, expiring in a year) and give
    the learner a link to LinkedIn's form. A link, not a redirect: the CSP's
    ``form-action 'self'`` rightly stops a form from ending on another site."""
    stored = holdings.get_credential(session, current.learner.id, credential_id)
    made = create_share(
        session,
        current.learner.id,
        credential_ids=[stored.id],
        label=f"LinkedIn: {stored.display.get('title')}",
        expires_at=moment + LASTING_SHARE,
        now=moment,
    )
    session.commit()
    report = wallet.live.report_for(stored, moment)
    issuer = issuer_view(
        stored.issuer_id, wallet.live.service.registry, negotiate_language(request), report
    )
    organization = issuer["name"] or stored.display.get("issuer_claimed_name") or ""
    url = share_url(request.app.state.settings.base_url, made.token)
    return page(
        request,
        "wallet_linkedin.html",
        learner=current.learner,
        stored=stored,
        share=made.share,
        link=url,
        linkedin=linkedin_url(stored, str(organization), url),
    )


@router.post("/passport/credentials/{credential_id}/collections", dependencies=[CsrfDep])
def credential_collections(
    credential_id: str,
    session: SessionDep,
    current: SignedInDep,
    collection: Annotated[list[str] | None, Form()] = None,
) -> Response:
    holdings.set_collections_of(session, current.learner.id, credential_id, collection or [])
    session.commit()
    return redirect(f"/passport/credentials/{credential_id}")


def _verifier_for(wallet: WalletState, moment: datetime) -> holdings.Verify:
    return lambda item: wallet.live.verify(item, moment)


def _refusal_context(error: PassportError, wallet: WalletState, language: str) -> dict[str, Any]:
    report = getattr(error, "report", None)
    return {
        "error": error_text(error, language),
        "report": wallet.live.explained(report, language) if report is not None else None,
        "existing": getattr(error, "existing", None),
    }


@router.get(IMPORT_PATH, response_class=HTMLResponse)
def import_form(request: Request, current: SignedInDep) -> HTMLResponse:
    return page(request, "wallet_import.html", learner=current.learner, error=None, report=None)


@router.post(IMPORT_PATH, dependencies=[CsrfDep])
def import_credential(
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    learner = current.learner
    language = negotiate_language(request)
    try:
        data = file.file.read(MAX_IMAGE_BYTES + 1) if file is not None else b""
        if not data:
            raise InvalidInput(N_("choose a file: a credential (JSON or token) or a badge image"))
        if len(data) > MAX_IMAGE_BYTES:
            raise InputTooLarge(
                N_("the file is over the limit of %(count)s bytes"),
                params={"count": MAX_IMAGE_BYTES},
            )
        stored, _ = holdings.add_credential(
            session, learner, data, _verifier_for(wallet, moment), source="import", now=moment
        )
    except PassportError as error:
        session.rollback()
        context = _refusal_context(error, wallet, language)
        return page(request, "wallet_import.html", status=error.status, learner=learner, **context)
    session.commit()
    return redirect(f"/passport/credentials/{stored.id}?added=1")


@router.get("/passport/claim", response_class=HTMLResponse)
def claim_form(request: Request, current: SignedInDep, offer: str = "") -> HTMLResponse:
    """The claim form, filled in when the institution's link points here (no claim on GET)."""
    return page(request, "wallet_claim.html", learner=current.learner, offer=offer, error=None)


@router.post("/passport/claim", dependencies=[CsrfDep])
def claim_submit(
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    offer: Annotated[str, Form()] = "",
    tx_code: Annotated[str, Form()] = "",
) -> Response:
    try:
        signer = learner_signer(wallet, session, current.learner, moment)
        # Our own issuer answers in-process with sessions of its own (own_issuer.py): no
        # write of this request may hold SQLite's lock meanwhile.
        session.commit()
        stored = claim.claim_into_passport(
            session,
            current.learner,
            offer,
            tx_code,
            signer=signer,
            http=wallet.issuer_http.for_one_claim(),
            verify=_verifier_for(wallet, moment),
            now=moment,
        )
    except PassportError as error:
        session.rollback()
        context = _refusal_context(error, wallet, negotiate_language(request))
        return page(
            request,
            "wallet_claim.html",
            status=error.status,
            learner=current.learner,
            offer=offer,
            **context,
        )
    session.commit()
    return redirect(f"/passport/credentials/{stored.id}?added=1")
