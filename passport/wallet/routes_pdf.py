"""PDF downloads (``passport.pdf``): a credential and a passport summary for the learner, the
verification report of a share link for the employer.

The learner's PDFs carry a QR code to a share link made for them, which the learner sees in
Sharing (labelled "PDF: ...", expiring in a year, revocable): no hidden link. The employer's PDF
points at the share page it was made from, and is verified afresh when made.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from infra import N_, NowDep, SessionDep, negotiate_language, translations_for
from passport.pdf import PdfDocument
from passport.wallet import holdings, sharing
from passport.wallet.display import holder_name, issuer_view, skills_summary, timeline
from passport.wallet.routes_sharing import missing_share
from passport.wallet.tables import StoredCredential
from passport.wallet.web import CsrfDep, SignedInDep, WalletDep, WalletRoute, WalletState

router = APIRouter(route_class=WalletRoute, include_in_schema=False)
LABELS = {
    "issuer": N_("Issued by"),
    "holder": N_("Issued to"),
    "hours": N_("Hours"),
    "skills": N_("Skills"),
    "awarded": N_("Awarded on"),
    "verdict": N_("Verification"),
}


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _facts(
    document: PdfDocument, stored: StoredCredential, view: dict[str, Any], issuer: str
) -> list[tuple[str, str]]:
    display = stored.display
    skills = ", ".join(skill["name"] for skill in display.get("skills") or [])
    return [
        (document.translate(LABELS["verdict"]), str(view.get("summary") or "")),
        (document.translate(LABELS["issuer"]), issuer),
        (document.translate(LABELS["holder"]), holder_name([stored]) or ""),
        (document.translate(LABELS["hours"]), str(display.get("hours") or "")),
        (document.translate(LABELS["skills"]), skills),
        (document.translate(LABELS["awarded"]), str(display.get("awarded") or "")[:10]),
    ]


def _add_credentials(
    document: PdfDocument,
    credentials: list[StoredCredential],
    wallet: WalletState,
    language: str,
    moment: datetime,
) -> None:
    registry = wallet.live.service.registry
    reports = wallet.live.reports_for(credentials, moment)
    for stored in credentials:
        report = reports[stored.id]
        view = wallet.live.explained(report, language)
        named = issuer_view(stored.issuer_id, registry, language, report)
        issuer = named["name"] or stored.display.get("issuer_claimed_name") or ""
        document.section(str(stored.display.get("title")), _facts(document, stored, view, issuer))
        for check in view.get("checks") or []:
            document.line(f"  · {check.get('message')}", size=8)


def _learner_share(
    request: Request,
    session: SessionDep,
    learner_id: str,
    ids: list[str],
    label: str,
    now: datetime,
) -> str:
    made = sharing.create_share(
        session,
        learner_id,
        credential_ids=ids,
        label=label,
        expires_at=now + sharing.LASTING_SHARE,
        now=now,
    )
    session.commit()
    return sharing.share_url(request.app.state.settings.base_url, made.token)


@router.post("/passport/credentials/{credential_id}/pdf", dependencies=[CsrfDep])
def credential_pdf(
    request: Request,
    credential_id: str,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
) -> Response:
    stored = holdings.get_credential(session, current.learner.id, credential_id)
    title = str(stored.display.get("title"))
    link = _learner_share(
        request, session, current.learner.id, [stored.id], f"PDF: {title}", moment
    )
    language = negotiate_language(request)
    document = PdfDocument(language, title, link, moment)
    _add_credentials(document, [stored], wallet, language, moment)
    return _pdf(document.output(), "credential.pdf")


@router.post("/passport/summary.pdf", dependencies=[CsrfDep])
def summary_pdf(
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    credential: Annotated[list[str] | None, Form()] = None,
) -> Response:
    learner = current.learner
    chosen = timeline(holdings.credentials_by_ids(session, learner.id, credential or []))
    ids = [stored.id for stored in chosen]
    link = _learner_share(
        request, session, learner.id, ids, f"PDF summary {moment:%Y-%m-%d}", moment
    )
    language = negotiate_language(request)
    holder = holder_name(chosen) or learner.email
    document = PdfDocument(language, holder, link, moment)
    totals = skills_summary(chosen)
    document.line(
        document.translate(N_("%(count)s credentials, %(hours)s hours of learning in total."))
        % {"count": totals.credentials, "hours": totals.hours_text},
        bold=True,
    )
    _add_credentials(document, chosen, wallet, language, moment)
    return _pdf(document.output(), "learner-passport-summary.pdf")


@router.get("/s/{token}/report.pdf")
def share_report_pdf(
    request: Request, token: str, session: SessionDep, wallet: WalletDep, moment: NowDep
) -> Response:
    """The employer's verification report of a share link, checked now."""
    opened = sharing.open_share(session, token, moment)
    if opened is None:
        return missing_share(request)
    credentials = opened.credentials
    language = negotiate_language(request)
    link = sharing.share_url(request.app.state.settings.base_url, token)
    title = translations_for(language).gettext(N_("Verification report"))
    document = PdfDocument(language, title, link, moment)
    _add_credentials(document, credentials, wallet, language, moment)
    return _pdf(document.output(), "verification-report.pdf")
