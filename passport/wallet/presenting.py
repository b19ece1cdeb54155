"""Verifiable presentations signed with the learner's key, and employers' presentation requests.

A presentation (VC Data Model 2.0 section 4.13) holds the chosen credentials as issued (a JWT
credential enveloped, ``build_presentation``) with the learner's did:key as ``holder``, and one
``eddsa-rdfc-2022`` proof with proof purpose ``authentication`` (VC Data Integrity 1.0 section
4.2). For an employer's request the proof also carries the request's ``challenge`` and
``domain`` (section 2.1: they bind the proof to one verifier and one moment).

The request flow (the same-device and cross-device shape of OpenID4VP, simplified): the employer
asks for a request and gets a page with the challenge, a link and its QR code; the learner opens
it in their passport and chooses what to present; the passport signs for that challenge and
domain and hands the presentation to ``answer_request``, which is also what a
``direct_post`` from another wallet reaches. The verifier checks the proof against the stored
challenge and domain (``ProofExpectations``). A challenge is used once and expires after
``REQUEST_LIFETIME``:

- a presentation that does not verify is refused with the report and changes nothing, so a
  stranger who knows the (public) request id cannot burn it;
- the first presentation that verifies answers the request, in one conditional ``UPDATE``
  (``answered_at IS NULL``): a second one, or a replay of the first, is refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from credentials import (
    AUTHENTICATION,
    SUPPORTED_CRYPTOSUITES,
    Conflict,
    InvalidInput,
    NotFound,
    ProofExpectations,
    ProofOptions,
    Signer,
    Verdict,
    build_presentation,
    parse_json_object,
)
from infra import N_
from passport.wallet.display import credential_text
from passport.wallet.tables import PresentationRequest, StoredCredential
from passport.wallet.tokens import digest, is_token_shaped, new_token, same_token
from verifier import VerifiableInput, VerificationReport

PRESENTATION_SUITE = "eddsa-rdfc-2022"
REQUEST_LIFETIME = timedelta(minutes=10)
VerifyPresentation = Callable[[VerifiableInput, ProofExpectations], VerificationReport]


class RequestClosed(Conflict):
    """The request expired or was already answered (a challenge is good for one answer)."""

    code = "presentation_request_closed"


class PresentationRefused(InvalidInput):
    code = "presentation_refused"

    def __init__(self, message: str, report: VerificationReport | None = None) -> None:
        super().__init__(message)
        self.report = report


def presented_member(stored: StoredCredential) -> dict[str, Any] | str:
    """The credential as it goes into a presentation: its JSON, or its JWS as is."""
    text = credential_text(stored)
    return parse_json_object(text) if text.startswith("{") else text


def sign_presentation(
    credentials: Sequence[StoredCredential],
    holder: str,
    signer: Signer,
    *,
    now: datetime,
    challenge: str | None = None,
    domain: str | None = None,
) -> dict[str, Any]:
    """A presentation of ``credentials`` by ``holder``, signed by ``signer`` (their key)."""
    if not credentials:
        raise InvalidInput(N_("choose at least one credential to present"))
    unsigned = build_presentation(
        [presented_member(stored) for stored in credentials],
        holder,
        presentation_id=f"urn:uuid:{uuid.uuid4()}",
    )
    options = ProofOptions(
        created=now, proof_purpose=AUTHENTICATION, challenge=challenge, domain=domain
    )
    return SUPPORTED_CRYPTOSUITES[PRESENTATION_SUITE].add_proof(unsigned, signer, options)


@dataclass(frozen=True)
class NewRequest:
    """A request just made; ``viewer_key`` lets the employer read the answer (shown once)."""

    request: PresentationRequest
    viewer_key: str


def create_request(session: Session, *, domain: str, now: datetime) -> NewRequest:
    viewer_key = new_token()
    request = PresentationRequest(
        id=str(uuid.uuid4()),
        viewer_key_hash=digest(viewer_key),
        challenge=new_token(),
        domain=domain,
        created_at=now,
        expires_at=now + REQUEST_LIFETIME,
    )
    session.add(request)
    session.flush()
    return NewRequest(request, viewer_key)


def get_request(session: Session, request_id: str) -> PresentationRequest:
    request = session.get(PresentationRequest, request_id) if _is_uuid(request_id) else None
    if request is None:
        raise NotFound(N_("no such presentation request"))
    return request


def request_for_viewer(session: Session, request_id: str, viewer_key: str) -> PresentationRequest:
    """The request, for the employer who holds its key; NotFound for a wrong key too."""
    request = get_request(session, request_id)
    if not is_token_shaped(viewer_key) or not same_token(
        digest(viewer_key), request.viewer_key_hash
    ):
        raise NotFound(N_("no such presentation request"))
    return request


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def is_open(request: PresentationRequest, now: datetime) -> bool:
    return request.answered_at is None and now < request.expires_at


def _require_open(request: PresentationRequest, now: datetime) -> None:
    if request.answered_at is not None:
        raise RequestClosed(N_("this request was already answered; each challenge is used once"))
    if now >= request.expires_at:
        raise RequestClosed(N_("this request has expired; ask the employer for a new one"))


def _claimed_binding(presentation: dict[str, Any]) -> tuple[Any, Any]:
    proof = presentation.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    first = proofs[0] if proofs and isinstance(proofs[0], dict) else {}
    return first.get("challenge"), first.get("domain")


def answer_request(
    session: Session,
    request_id: str,
    presentation: dict[str, Any],
    verify: VerifyPresentation,
    explain: Callable[[VerificationReport], dict[str, Any]],
    *,
    now: datetime,
) -> tuple[PresentationRequest, VerificationReport]:
    """Verify ``presentation`` for the request and, when it verifies, record the answer."""
    request = get_request(session, request_id)
    _require_open(request, now)
    if _claimed_binding(presentation) != (request.challenge, request.domain):
        raise PresentationRefused(
            N_("this presentation was not made for this request (its challenge or domain differs)")
        )
    expectations = ProofExpectations(
        proof_purpose=AUTHENTICATION, challenge=request.challenge, domain=request.domain
    )
    report = verify(VerifiableInput("json", document=presentation), expectations)
    if report.verdict is Verdict.NOT_VERIFIED:
        raise PresentationRefused(N_("the presentation did not verify"), report)
    answered = session.exec(
        update(PresentationRequest)
        .where(
            col(PresentationRequest.id) == request.id,
            col(PresentationRequest.answered_at).is_(None),
        )
        .values(answered_at=now, verdict=report.verdict.value, result=explain(report))
    )
    if answered.rowcount != 1:
        raise RequestClosed(N_("this request was already answered; each challenge is used once"))
    session.flush()
    session.refresh(request)
    return request, report
