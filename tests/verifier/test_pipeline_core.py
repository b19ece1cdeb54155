"""The verification pipeline itself, offline: published examples, verdict rules, presentations.

The 1EdTech fixtures are signed with the published 1EdTech test key, so these tests set
``allow_published_test_keys`` (what a test suite may do, never production), except the test that
proves the key is refused without it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bench.sample import sample_credential
from credentials.contexts import OB_V3P0, VC_V2
from credentials.did import offline_resolver
from credentials.keys import AUTHENTICATION
from credentials.models.builders import build_presentation
from credentials.proofs.base import ProofExpectations
from credentials.proofs.registry import secure
from credentials.report import Outcome, Verdict
from tests.conftest import VECTORS
from tests.verifier.support import Issuer
from verifier.context import (
    OfflineStatusLists,
    StaticTrustRegistry,
    TrustedIssuer,
    VerificationContext,
)
from verifier.inputs import read_input
from verifier.pipeline import VerificationReport, verify_document, verify_input

EXAMPLES = VECTORS / "examples" / "1edtech-validator"
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def fixture_context(
    *, allow_test_keys: bool = True, lists: dict[str, Any] | None = None, now: datetime = NOW
) -> VerificationContext:
    documents = load(VECTORS / "fixtures" / "1edtech-issuer-controller-documents.json")
    return VerificationContext(
        now=now,
        resolver=offline_resolver(documents["documents"]),
        status_lists=OfflineStatusLists(lists or {}, now),
        allow_published_test_keys=allow_test_keys,
    )


def outcomes(report: VerificationReport) -> dict[str, Outcome]:
    return {check.id: check.outcome for check in report.checks}


def signed_sample(issuer: Issuer, **changes: Any) -> dict[str, Any]:
    credential = sample_credential(issuer.did)
    del credential["credentialStatus"]
    credential.update(changes)
    signed = secure(credential, issuer.signer, "eddsa-rdfc-2022", now=NOW)
    assert isinstance(signed, dict)
    return signed


@pytest.mark.parametrize(
    "name",
    [
        "ob30-simple-eddsa-rdfc-2022.json",
        "ob30-did-web-method.json",
        "ob30-endorsement-valid.json",
        "ob30-multiple-proofs.json",
    ],
)
def test_published_examples_verify_through_the_pipeline(name: str) -> None:
    report = verify_document(load(EXAMPLES / name), fixture_context())
    assert report.verified, [(c.id, c.outcome, dict(c.params)) for c in report.checks]
    assert outcomes(report)["proof"] is Outcome.PASSED
    assert outcomes(report)["issuer_key"] is Outcome.PASSED


def test_revoked_example_reports_revoked_given_its_status_list() -> None:
    status_list = load(EXAMPLES / "ob30-status-list-credential.json")
    revoked = load(EXAMPLES / "ob30-status-revoked-bitstring.json")
    url = revoked["credentialStatus"]["statusListCredential"]
    report = verify_document(revoked, fixture_context(lists={url: status_list}))
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.checks[0].id == "status"
    assert report.checks[0].message_key == "status.revoked"


def test_status_list_unavailable_is_could_not_check_never_not_revoked() -> None:
    report = verify_document(
        load(EXAMPLES / "ob30-status-revoked-bitstring.json"), fixture_context()
    )
    assert outcomes(report)["status"] is Outcome.COULD_NOT_CHECK
    assert report.verdict is Verdict.COULD_NOT_FULLY_CHECK


def test_published_test_key_is_refused_outside_test_mode() -> None:
    name = "ob30-simple-eddsa-rdfc-2022.json"
    report = verify_document(load(EXAMPLES / name), fixture_context(allow_test_keys=False))
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.checks[0].message_key == "issuer_trust.test_key"


def test_clr_is_verified_as_a_whole_and_each_credential_inside_on_its_own() -> None:
    report = verify_document(load(EXAMPLES / "clr20-simple.json"), fixture_context())
    assert report.verified
    assert len(report.parts) == 1
    assert report.parts[0].verified
    # The inner credential's issuer is not in the registry: a warning inside is a warning outside.
    assert report.parts[0].verdict is Verdict.VERIFIED_WITH_WARNINGS
    assert outcomes(report)["contents"] is Outcome.WARNING


def test_tampered_credential_inside_a_clr_shows_in_its_own_report() -> None:
    clr = load(EXAMPLES / "clr20-simple.json")
    inner = clr["credentialSubject"]["verifiableCredential"][0]
    inner["name"] = "Tampered"
    report = verify_document(clr, fixture_context())
    assert report.verdict is Verdict.NOT_VERIFIED  # the CLR's own signature covers the change
    assert report.parts[0].verdict is Verdict.NOT_VERIFIED


def test_registry_name_is_shown_and_unknown_issuer_is_only_a_warning() -> None:
    issuer = Issuer()
    credential = signed_sample(issuer)
    unknown = verify_document(credential, fixture_context())
    assert unknown.verdict is Verdict.VERIFIED_WITH_WARNINGS
    registry = StaticTrustRegistry(
        {issuer.did: TrustedIssuer(issuer.did, "Great Lakes College", "Collège des Grands Lacs")}
    )
    context = fixture_context()
    known = verify_document(
        credential,
        VerificationContext(
            now=NOW,
            resolver=context.resolver,
            status_lists=context.status_lists,
            trust_registry=registry,
        ),
    )
    assert known.verdict is Verdict.VERIFIED
    trust = next(check for check in known.checks if check.id == "issuer_trust")
    assert trust.params["name_fr"] == "Collège des Grands Lacs"


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"validFrom": "2027-01-01T00:00:00Z"}, "validity.not_yet"),
        (
            {"validFrom": "2025-01-01T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z"},
            "validity.expired",
        ),
    ],
)
def test_validity_window(changes: dict[str, str], key: str) -> None:
    report = verify_document(signed_sample(Issuer(), **changes), fixture_context())
    assert report.verdict is Verdict.NOT_VERIFIED
    assert report.checks[0].message_key == key


def test_clock_leeway_tolerates_small_skew() -> None:
    soon = (NOW + timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    report = verify_document(signed_sample(Issuer(), validFrom=soon), fixture_context())
    assert outcomes(report)["validity"] is Outcome.PASSED


def _presentation(holder: Issuer, credentials: list[dict[str, Any]], challenge: str) -> Any:
    return holder.present(credentials, challenge, "https://employer.example", now=NOW)


def _expecting(challenge: str) -> VerificationContext:
    context = fixture_context()
    return VerificationContext(
        now=NOW,
        resolver=context.resolver,
        status_lists=context.status_lists,
        presentation=ProofExpectations(AUTHENTICATION, challenge, "https://employer.example"),
    )


def test_presentation_bound_to_challenge_and_holder_verifies() -> None:
    holder = Issuer()
    vp = _presentation(holder, [signed_sample(Issuer())], "nonce-1")
    report = verify_document(vp, _expecting("nonce-1"))
    presentation = next(check for check in report.checks if check.id == "presentation")
    assert presentation.outcome is Outcome.PASSED
    assert len(report.parts) == 1


def test_unsigned_presentation_fails_when_a_challenge_was_requested() -> None:
    vp = build_presentation([signed_sample(Issuer())], Issuer().did)
    assert verify_document(vp, _expecting("nonce")).verdict is Verdict.NOT_VERIFIED
    assert verify_document(vp, fixture_context()).verdict is Verdict.VERIFIED_WITH_WARNINGS


def test_baked_and_jws_inputs_go_through_the_same_pipeline() -> None:
    report = verify_input(
        read_input((EXAMPLES / "ob30-baked-json.svg").read_bytes()), fixture_context()
    )
    assert outcomes(report)["format"] is Outcome.PASSED
    issuer = Issuer()
    credential = sample_credential(issuer.did)
    del credential["credentialStatus"]
    token = secure(credential, issuer.signer, "vc+jwt", now=NOW)
    assert isinstance(token, str)
    jwt_report = verify_input(read_input(token.encode()), fixture_context())
    assert jwt_report.verdict is Verdict.VERIFIED_WITH_WARNINGS
    broken = verify_input(read_input((token[:-4] + "AAAA").encode()), fixture_context())
    assert broken.verdict is Verdict.NOT_VERIFIED


def test_a_document_that_is_not_a_credential_gets_a_failed_format_check() -> None:
    report = verify_document(
        {"@context": ["https://example.com"], "type": "Thing"}, fixture_context()
    )
    assert report.verdict is Verdict.NOT_VERIFIED
    assert outcomes(report)["format"] is Outcome.FAILED


def test_endorsements_are_verified_the_same_way_and_reported_each() -> None:
    complete = verify_document(load(EXAMPLES / "ob30-complete.json"), fixture_context())
    # Its five endorsements name the cryptosuite "eddsa-rdf-2022", which does not exist.
    assert len(complete.endorsements) == 5
    assert all(not report.verified for report in complete.endorsements)
    assert outcomes(complete)["endorsements"] is Outcome.WARNING
    # A bad endorsement does not sink the credential it endorses; only its 1EdTechRevocationList
    # status, which this verifier cannot read, keeps it from "verified" (issue #12).
    assert outcomes(complete)["proof"] is Outcome.PASSED
    assert complete.verdict is Verdict.COULD_NOT_FULLY_CHECK
    assert [c.id for c in complete.checks if c.outcome is Outcome.COULD_NOT_CHECK] == ["status"]


def test_a_valid_endorsement_attached_to_the_achievement_passes() -> None:
    issuer, employer = Issuer(), Issuer()
    endorsement = {
        "@context": [VC_V2, OB_V3P0],
        "id": "urn:uuid:7f0f5e2e-8d8c-4a5e-9a59-0b8f0b1f6c22",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsed by Acme Robotics",
        "issuer": {"id": employer.did, "type": ["Profile"], "name": "Acme Robotics"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://grandslacs.example.ca/programs/robotic-welding",
            "type": ["EndorsementSubject"],
            "endorsementComment": "We hire its graduates.",
        },
    }
    signed_endorsement = secure(endorsement, employer.signer, "eddsa-rdfc-2022", now=NOW)
    credential = sample_credential(issuer.did)
    del credential["credentialStatus"]
    credential["credentialSubject"]["achievement"]["endorsement"] = [signed_endorsement]
    signed = secure(credential, issuer.signer, "eddsa-rdfc-2022", now=NOW)
    assert isinstance(signed, dict)
    report = verify_document(signed, fixture_context())
    assert outcomes(report)["endorsements"] is Outcome.PASSED
    assert report.endorsements[0].summary is not None
    assert report.endorsements[0].summary.issuer_id == employer.did
