"""The presentation request flow: the employer's request page, the learner's answer, and the
``direct_post`` endpoint another wallet can answer to (OpenID4VP 1.0 section 8.2 shape: a form
field ``vp_token`` holding the presentation)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.responses import Response

from credentials import PassportError, ProofExpectations, parse_json_object
from infra import NowDep, SessionDep, negotiate_language
from passport.wallet import holdings, presenting
from passport.wallet.exports import qr_svg
from passport.wallet.web import (
    CsrfDep,
    SignedInDep,
    WalletDep,
    WalletRoute,
    WalletState,
    error_message,
    learner_signer,
    page,
    redirect,
)
from verifier import VerifiableInput, VerificationReport, render_verdict

router = APIRouter(route_class=WalletRoute, include_in_schema=False)
api_router = APIRouter(tags=["presentation requests"])
REQUESTS_PATH = "/presentation-requests"


def _respond_link(request: Request, request_id: str) -> str:
    return f"{request.app.state.settings.base_url}/passport/respond/{request_id}"


def _verify_with(wallet: WalletState, moment: datetime) -> presenting.VerifyPresentation:
    def verify(item: VerifiableInput, expectations: ProofExpectations) -> VerificationReport:
        return wallet.live.verify(item, moment, presentation=expectations)

    return verify


def _explain_with(wallet: WalletState) -> Any:
    # Stored in both languages: the employer may read it in either.
    return lambda report: {lang: wallet.live.explained(report, lang) for lang in ("en", "fr")}


@router.get(f"{REQUESTS_PATH}/new", response_class=HTMLResponse)
def request_start(request: Request) -> HTMLResponse:
    return page(request, "wallet_request_new.html")


@router.post(REQUESTS_PATH, dependencies=[CsrfDep])
def request_create(request: Request, session: SessionDep, moment: NowDep) -> Response:
    domain = request.app.state.settings.base_url
    made = presenting.create_request(session, domain=domain, now=moment)
    session.commit()
    return redirect(f"{REQUESTS_PATH}/{made.request.id}?key={made.viewer_key}")


@router.get(f"{REQUESTS_PATH}/{{request_id}}", response_class=HTMLResponse)
def request_view(
    request: Request, request_id: str, key: str, session: SessionDep, moment: NowDep
) -> HTMLResponse:
    """The employer's page: the challenge, the learner's link and QR code, then the answer."""
    wanted = presenting.request_for_viewer(session, request_id, key)
    link = _respond_link(request, wanted.id)
    qr = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(link)).decode("ascii")
    language = negotiate_language(request)
    result = wanted.result[language] if wanted.result else None
    return page(
        request,
        "wallet_request_view.html",
        presentation_request=wanted,
        link=link,
        qr=qr,
        result=result,
        open=presenting.is_open(wanted, moment),
    )


@router.get("/passport/respond/{request_id}", response_class=HTMLResponse)
def respond_form(
    request: Request, request_id: str, session: SessionDep, current: SignedInDep, moment: NowDep
) -> HTMLResponse:
    wanted = presenting.get_request(session, request_id)
    return page(
        request,
        "wallet_respond.html",
        learner=current.learner,
        presentation_request=wanted,
        open=presenting.is_open(wanted, moment),
        credentials=holdings.list_credentials(session, current.learner.id),
        error=None,
        result=None,
    )


@router.post("/passport/respond/{request_id}", dependencies=[CsrfDep])
def respond_submit(
    request: Request,
    request_id: str,
    session: SessionDep,
    wallet: WalletDep,
    current: SignedInDep,
    moment: NowDep,
    credential: Annotated[list[str] | None, Form()] = None,
) -> HTMLResponse:
    """Sign a presentation for the request's challenge and domain, and hand it in."""
    learner = current.learner
    wanted = presenting.get_request(session, request_id)
    chosen = holdings.credentials_by_ids(session, learner.id, credential or [])
    signer = learner_signer(wallet, session, learner, moment)
    presentation = presenting.sign_presentation(
        chosen,
        learner.did,
        signer,
        now=moment,
        challenge=wanted.challenge,
        domain=wanted.domain,
    )
    language = negotiate_language(request)
    context: dict[str, Any] = {"error": None, "result": None}
    status = 200
    try:
        _, report = presenting.answer_request(
            session,
            wanted.id,
            presentation,
            _verify_with(wallet, moment),
            _explain_with(wallet),
            now=moment,
        )
        context["result"] = wallet.live.explained(report, language)
        session.commit()
    except PassportError as error:
        session.rollback()
        refused: VerificationReport | None = getattr(error, "report", None)
        context = {
            "error": error_message(request, error),
            "result": wallet.live.explained(refused, language) if refused else None,
        }
        status = error.status
    return page(
        request,
        "wallet_respond.html",
        status=status,
        learner=learner,
        presentation_request=wanted,
        open=False,
        credentials=[],
        **context,
    )


@api_router.post(f"{REQUESTS_PATH}/{{request_id}}/response")
def request_direct_post(
    request_id: str,
    session: SessionDep,
    wallet: WalletDep,
    moment: NowDep,
    vp_token: Annotated[str, Form()],
) -> JSONResponse:
    """Answer a request with a presentation made elsewhere; 200 with the verdict, or
    problem+json (400 refused with the reason, 404 unknown request, 409 expired or used)."""
    presentation = parse_json_object(vp_token)
    answered, report = presenting.answer_request(
        session,
        request_id,
        presentation,
        _verify_with(wallet, moment),
        _explain_with(wallet),
        now=moment,
    )
    session.commit()
    return JSONResponse(
        {
            "request": answered.id,
            "verdict": report.verdict.value,
            "summary": render_verdict(report.verdict, "en"),
        },
        headers={"Cache-Control": "no-store"},
    )
