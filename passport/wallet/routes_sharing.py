"""Share links: the learner's page to make, list and revoke them, their QR codes, and the public
page ``/s/<token>`` that shows each shared credential with the verifier's live result."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from credentials import InvalidInput, NotFound
from infra import N_, NowDep, SessionDep, negotiate_language, statement_by_statement
from passport.wallet import holdings, sharing
from passport.wallet.badges import BadgesDep
from passport.wallet.display import issuer_view
from passport.wallet.exports import Download, available_formats, download, qr_png, qr_svg
from passport.wallet.routes_passport import file_response
from passport.wallet.web import (
    CsrfDep,
    SignedInDep,
    WalletDep,
    WalletRoute,
    kept_page,
    page,
    redirect,
)

router = APIRouter(route_class=WalletRoute, include_in_schema=False)
EXPIRY_CHOICES = {"1": 1, "7": 7, "30": 30, "90": 90, "365": 365}


def _expiry(choice: str, now: datetime) -> datetime | None:
    if choice == "never":
        return None
    if choice not in EXPIRY_CHOICES:
        raise InvalidInput(N_("choose how long the link works"))
    return now + timedelta(days=EXPIRY_CHOICES[choice])


@router.get("/passport/shares", response_class=HTMLResponse)
def shares_page(
    request: Request, session: SessionDep, current: SignedInDep, moment: NowDep
) -> HTMLResponse:
    learner = current.learner
    return page(
        request,
        "wallet_shares.html",
        learner=learner,
        shares=sharing.list_shares(session, learner.id),
        credentials=holdings.list_credentials(session, learner.id),
        collections=holdings.list_collections(session, learner.id),
        now=moment,
        is_live=sharing.is_live,
    )


@router.post("/passport/shares", dependencies=[CsrfDep])
def share_create(
    request: Request,
    session: SessionDep,
    current: SignedInDep,
    moment: NowDep,
    expires: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "",
    collection: Annotated[str, Form()] = "",
    credential: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    made = sharing.create_share(
        session,
        current.learner.id,
        credential_ids=credential or [],
        collection_id=collection or None,
        label=label,
        expires_at=_expiry(expires, moment),
        now=moment,
    )
    session.commit()
    return page(
        request,
        "wallet_share_created.html",
        learner=current.learner,
        share=made.share,
        token=made.token,
        link=sharing.share_url(request.app.state.settings.base_url, made.token),
    )


@router.post("/passport/shares/{share_id}/revoke", dependencies=[CsrfDep])
def share_revoke(
    share_id: str, session: SessionDep, current: SignedInDep, moment: NowDep
) -> Response:
    sharing.revoke_share(session, current.learner.id, share_id, moment)
    session.commit()
    return redirect("/passport/shares")


@router.get("/passport/shares/{share_id}/qr.{kind}")
def share_qr(
    request: Request, share_id: str, kind: str, t: str, session: SessionDep, current: SignedInDep
) -> Response:
    """The link's QR code (it carries the link, nothing else); the learner proves the link is
    theirs by giving its token, which only they saw."""
    share = sharing.share_with_token(session, current.learner.id, share_id, t)
    link = sharing.share_url(request.app.state.settings.base_url, t)
    if kind == "png":
        return file_response(Download(f"share-{share.id[:8]}.png", "image/png", qr_png(link)))
    if kind == "svg":
        return file_response(Download(f"share-{share.id[:8]}.svg", "image/svg+xml", qr_svg(link)))
    raise NotFound(N_("no such QR code format"))


def missing_share(request: Request) -> HTMLResponse:
    """The one answer for a wrong, tampered, expired or revoked link."""
    response = page(request, "wallet_share_missing.html", status=404)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@router.get("/s/{token}", response_class=HTMLResponse)
@statement_by_statement
def public_share(
    request: Request,
    token: str,
    session: SessionDep,
    wallet: WalletDep,
    moment: NowDep,
    badges: BadgesDep,
) -> HTMLResponse:
    # The view is counted as the link is found, in one statement that commits on its own
    # (``statement_by_statement``): no row lock is held while verifying and rendering.
    opened = sharing.view_share(session, token, moment)
    if opened is None:
        return missing_share(request)
    credentials, replaced = opened.credentials, opened.replaced
    registry = wallet.live.service.registry
    # The employer reads it: a kept report only while all it depends on is unchanged
    # (passport.wallet.live), so our own revocations show at once.
    reports = wallet.live.reports_for(credentials, moment, opened.own_revision)
    arts = badges.of_each(credentials, reports)
    key = (
        registry.version,
        tuple(
            (stored.id, stored.content_sha256, arts[stored.id], stored.id in replaced)
            for stored in credentials
        ),
    )

    def shown() -> dict[str, Any]:
        language = negotiate_language(request)
        items = [
            {
                "stored": stored,
                "badge": arts[stored.id],
                "view": wallet.live.explained(reports[stored.id], language),
                "issuer": issuer_view(stored.issuer_id, registry, language, reports[stored.id]),
                "formats": available_formats(stored),
                "replaced": stored.id in replaced,
            }
            for stored in credentials
        ]
        return {"shown": items, "token": token}

    ordered_reports = [reports[stored.id] for stored in credentials]
    response = kept_page(request, key, ordered_reports, "wallet_share.html", shown)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@router.get("/s/{token}/{number}/{requested}")
def public_share_download(
    request: Request,
    token: str,
    number: int,
    requested: str,
    session: SessionDep,
    wallet: WalletDep,
    moment: NowDep,
    badges: BadgesDep,
) -> Response:
    """A shared credential as a file, to verify it anywhere else (not counted as a view)."""
    opened = sharing.open_share(session, token, moment)
    if opened is None or not 1 <= number <= len(opened.credentials):
        return missing_share(request)
    stored = opened.credentials[number - 1]
    report = wallet.live.reports_for([stored], moment, opened.own_revision)[stored.id]
    art = badges.of(stored, report)
    return file_response(download(stored, requested, art))
