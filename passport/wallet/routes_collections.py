"""Collections, and what takes a set of credentials out: ZIP export, a signed presentation, and
the printable one-page summary."""

from __future__ import annotations

import base64
import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from infra import NowDep, SessionDep, negotiate_language
from passport.wallet import holdings
from passport.wallet.badges import BadgesDep
from passport.wallet.display import holder_name, skills_summary, timeline
from passport.wallet.exports import Download, export_zip, qr_svg
from passport.wallet.presenting import sign_presentation
from passport.wallet.routes_passport import file_response, timeline_entries
from passport.wallet.sharing import LASTING_SHARE, create_share, share_url
from passport.wallet.web import (
    CsrfDep,
    SignedInDep,
    WalletDep,
    WalletRoute,
    learner_signer,
    page,
    redirect,
)

router = APIRouter(route_class=WalletRoute, include_in_schema=False)
Chosen = Annotated[list[str] | None, Form()]


@router.post("/passport/collections", dependencies=[CsrfDep])
def collection_create(
    session: SessionDep, current: SignedInDep, moment: NowDep, name: Annotated[str, Form()] = ""
) -> Response:
    collection = holdings.create_collection(session, current.learner.id, name, moment)
    session.commit()
    return redirect(f"/passport/collections/{collection.id}")


@router.get("/passport/collections/{collection_id}", response_class=HTMLResponse)
def collection_page(
    request: Request,
    collection_id: str,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    badges: BadgesDep,
) -> HTMLResponse:
    learner = current.learner
    collection = holdings.get_collection(session, learner.id, collection_id)
    credentials = holdings.collection_credentials(session, learner.id, collection.id)
    language = negotiate_language(request)
    return page(
        request,
        "wallet_collection.html",
        learner=learner,
        collection=collection,
        entries=timeline_entries(badges, credentials, learner, wallet, language, moment),
    )


@router.post("/passport/collections/{collection_id}/delete", dependencies=[CsrfDep])
def collection_delete(collection_id: str, session: SessionDep, current: SignedInDep) -> Response:
    holdings.delete_collection(session, current.learner.id, collection_id)
    session.commit()
    return redirect("/passport")


@router.get("/passport/export.zip")
def export_everything(session: SessionDep, current: SignedInDep, moment: NowDep) -> Response:
    learner = current.learner
    archive = export_zip(holdings.list_credentials(session, learner.id), learner.did, moment)
    name = f"learner-passport-{moment:%Y-%m-%d}.zip"
    return file_response(Download(name, "application/zip", archive))


@router.post("/passport/presentation", dependencies=[CsrfDep])
def presentation_download(
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    credential: Chosen = None,
    challenge: Annotated[str, Form()] = "",
    domain: Annotated[str, Form()] = "",
) -> Response:
    """One verifiable presentation of the chosen credentials, signed with the learner's key;
    bound to a verifier's ``challenge`` and ``domain`` when the learner was given them."""
    learner = current.learner
    chosen = holdings.credentials_by_ids(session, learner.id, credential or [])
    signer = learner_signer(wallet, session, learner, moment)
    presentation = sign_presentation(
        chosen,
        learner.did,
        signer,
        now=moment,
        challenge=challenge.strip()[:128] or None,
        domain=domain.strip()[:255] or None,
    )
    content = json.dumps(presentation, ensure_ascii=False, indent=2).encode("utf-8")
    name = f"presentation-{moment:%Y-%m-%d}.json"
    return file_response(Download(name, "application/vp+ld+json", content))


def _data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")


@router.post("/passport/print", dependencies=[CsrfDep])
def printable_summary(
    request: Request,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    badges: BadgesDep,
    credential: Chosen = None,
) -> HTMLResponse:
    """The one-page summary under the learner's name: one share link for the printed set
    (shown on the page, listed in Sharing, expiring in a year), and a QR code per credential
    pointing at its place on that link's page."""
    learner = current.learner
    chosen = timeline(holdings.credentials_by_ids(session, learner.id, credential or []))
    made = create_share(
        session,
        learner.id,
        credential_ids=[stored.id for stored in chosen],
        label=f"Printed summary {moment:%Y-%m-%d}",
        expires_at=moment + LASTING_SHARE,
        now=moment,
    )
    session.commit()
    link = share_url(request.app.state.settings.base_url, made.token)
    language = negotiate_language(request)
    entries = timeline_entries(badges, chosen, learner, wallet, language, moment)
    position = {stored.id: index for index, stored in enumerate(chosen, start=1)}
    for entry in entries:
        number = position[entry["stored"].id]
        entry["qr"] = _data_uri(qr_svg(f"{link}#credential-{number}"))
    return page(
        request,
        "wallet_print.html",
        learner=learner,
        entries=entries,
        skills=skills_summary(chosen),
        link=link,
        share=made.share,
        holder=holder_name(chosen) or learner.email,
        printed_on=moment,
    )
