"""Presentations signed with the learner's key, and the employer's challenge flow (single use)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import httpx

from credentials.did import offline_resolver
from credentials.keys import AUTHENTICATION
from credentials.proofs.base import ProofExpectations
from credentials.report import Verdict
from tests.passport.wallet.support import Learner, Visitor, signed_credential
from tests.verifier.support import Issuer
from verifier.context import OfflineStatusLists, VerificationContext
from verifier.pipeline import verify_document
from verifier.wording.sentences import render_verdict


def offline_context(presentation: ProofExpectations | None = None) -> VerificationContext:
    moment = datetime.now(UTC)
    return VerificationContext(
        moment, offline_resolver(), OfflineStatusLists({}, moment), presentation=presentation
    )


def employer_request(base_url: str) -> tuple[Visitor, str, str]:
    """An employer makes a request; returns them, the learner's link path and their page."""
    employer = Visitor(base_url)
    made = employer.post("/presentation-requests", csrf_from="/presentation-requests/new")
    assert made.status_code == 303
    page = employer.get(made.headers["location"])
    link = re.search(
        r'id="respond-link" readonly value="[^"]*(/passport/respond/[0-9a-f-]{36})"', page.text
    )
    assert link is not None
    return employer, link[1], made.headers["location"]


def test_exported_presentation_is_signed_by_the_learner_for_authentication(
    learner: Learner,
) -> None:
    first = learner.import_credential(signed_credential(Issuer(), subject=learner.did))
    second = learner.import_credential(signed_credential(Issuer(), mechanism="vc+jwt"))
    response = learner.post("/passport/presentation", {"credential": [first, second]})
    assert response.status_code == 200
    presentation = json.loads(response.content)
    assert presentation["holder"] == learner.did
    assert presentation["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert presentation["proof"]["proofPurpose"] == AUTHENTICATION
    assert presentation["verifiableCredential"][1]["type"] == "EnvelopedVerifiableCredential"
    report = verify_document(presentation, offline_context())
    assert report.verdict is Verdict.VERIFIED_WITH_WARNINGS  # did:key issuers: not in a registry
    assert any(check.message_key == "presentation.ok" for check in report.checks)
    presentation["holder"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    assert verify_document(presentation, offline_context()).verdict is Verdict.NOT_VERIFIED


def answer(learner: Learner, link: str, credentials: list[str]) -> httpx.Response:
    return learner.post(link, {"credential": credentials}, csrf_from=link)


def test_employer_request_answered_by_the_learner_shows_verified(learner: Learner) -> None:
    stored = learner.import_credential(signed_credential(Issuer(), subject=learner.did))
    employer, link, employer_page = employer_request(learner.base_url)
    try:
        assert "Challenge:" in employer.get(employer_page).text
        response = answer(learner, link, [stored])
        assert response.status_code == 200, response.text
        assert "Sent. The employer now sees this result:" in response.text
        result = employer.get(employer_page).text
        assert '<h2 id="verdict-headline" class="headline">Verified, with warnings</h2>' in result
        french = employer.get(employer_page + "&lang=fr").text
        assert render_verdict(Verdict.VERIFIED_WITH_WARNINGS, "fr") in french
        # Without the employer's key, the answer is not readable.
        request_id = link.rsplit("/", 1)[1]
        assert (
            employer.get(f"/presentation-requests/{request_id}?key={'A' * 43}").status_code == 404
        )
    finally:
        employer.close()


def test_attack_presentation_replay(learner: Learner) -> None:
    """A presentation captured from one answer is refused everywhere else: at the same request
    (the challenge is single use) and at a new one (the challenge differs)."""
    stored = learner.import_credential(signed_credential(Issuer(), subject=learner.did))
    employer, link, page = employer_request(learner.base_url)
    try:
        request_id = link.rsplit("/", 1)[1]
        captured = _signed_for(learner, _challenge(employer, page), "http://127.0.0.1:8000", stored)
        first = _direct_post(learner.base_url, request_id, captured)
        assert first.status_code == 200, first.text
        assert first.json()["verdict"] == "verified_with_warnings"
        replayed = _direct_post(learner.base_url, request_id, captured)
        assert replayed.status_code == 409
        assert "each challenge is used once" in replayed.json()["detail"]
        second_employer, other_link, other_page = employer_request(learner.base_url)
        second_employer.close()
        other_id = other_link.rsplit("/", 1)[1]
        elsewhere = _direct_post(learner.base_url, other_id, captured)
        assert elsewhere.status_code == 400
        assert "not made for this request" in elsewhere.json()["detail"]
        # Rewriting the challenge breaks the holder's signature; the request stays open.
        forged = dict(
            captured, proof=dict(captured["proof"], challenge=_challenge(employer, other_page))
        )
        refused = _direct_post(learner.base_url, other_id, forged)
        assert refused.status_code == 400
        assert "did not verify" in refused.json()["detail"]
        assert "Give the learner this link" in employer.get(other_page).text
    finally:
        employer.close()


def test_expired_or_unknown_requests_are_refused(learner: Learner) -> None:
    stored = learner.import_credential(signed_credential(Issuer(), subject=learner.did))
    missing = learner.get("/passport/respond/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    response = _direct_post(learner.base_url, "not-a-uuid", {"type": ["VerifiablePresentation"]})
    assert response.status_code == 404
    assert stored


def test_presentation_of_nothing_is_refused(learner: Learner) -> None:
    response = learner.post("/passport/presentation", {})
    assert response.status_code == 400
    assert "choose at least one credential" in response.text


def _signed_for(learner: Learner, challenge: str, domain: str, stored: str) -> dict[str, Any]:
    """A presentation signed in the passport for this challenge and domain, as a wallet sends
    it with direct_post (what an eavesdropper would capture)."""
    response = learner.post(
        "/passport/presentation", {"credential": [stored], "challenge": challenge, "domain": domain}
    )
    presentation: dict[str, Any] = json.loads(response.content)
    return presentation


def _challenge(employer: Visitor, page: str) -> str:
    found = re.search(r'id="challenge">([^<]+)<', employer.get(page).text)
    assert found is not None
    return found[1]


def _direct_post(base_url: str, request_id: str, presentation: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        f"{base_url}/presentation-requests/{request_id}/response",
        data={"vp_token": json.dumps(presentation)},
    )
