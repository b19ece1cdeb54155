"""Issue #12 items 4, 6 and 8: what this verifier cannot check is named, and proof dates hold.

A status type or proof mechanism we do not implement is "could not check" by name, never
"passed" (a status we cannot read may say "revoked") nor "changed after it was signed" (the
credential may be genuine); a credential with no proof at all is "not verified". A proof dated
in the future, or past its own ``expires``, fails.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from credentials.proofs.base import ProofOptions
from credentials.proofs.eddsa_rdfc_2022 import SUITE as RDFC
from credentials.report import Outcome, Verdict
from tests.attacks.verdict_world import CHECKED_AT, World, check
from tests.conftest import VECTORS
from tests.verifier.test_pipeline_core import fixture_context
from verifier.pipeline import verify_document
from verifier.wording.sentences import render_check

EXAMPLES = VECTORS / "examples" / "1edtech-validator"


def example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return document


def test_1edtech_revocation_list_status_is_could_not_check_naming_the_type() -> None:
    report = verify_document(example("ob30-complete.json"), fixture_context())
    status = check(report, "status")
    assert status.outcome is Outcome.COULD_NOT_CHECK
    assert "1EdTechRevocationList" in render_check(status, "en")
    assert "1EdTechRevocationList" in render_check(status, "fr")
    assert report.verdict is Verdict.COULD_NOT_FULLY_CHECK


@pytest.mark.parametrize(
    "kind", ["1EdTechRevocationList", "https://status.example/vocab#RegistryEntry2099"]
)
def test_unknown_status_type_on_a_recognized_credential_never_passes(kind: str) -> None:
    world = World()
    status = {"id": "https://college.example/revocations/3", "type": kind}
    report = world.verify(world.signed(world.credential(credentialStatus=status)))
    assert check(report, "status").outcome is Outcome.COULD_NOT_CHECK
    assert check(report, "status").params["kind"] == kind
    assert not report.verified


def test_unknown_status_purpose_is_could_not_check() -> None:
    world = World()
    document = world.credential()
    document["credentialStatus"]["statusPurpose"] = "cancellation"
    report = world.verify(world.signed(document))
    assert check(report, "status").outcome is Outcome.COULD_NOT_CHECK


def test_ecdsa_sd_2023_example_is_could_not_check_not_tampered() -> None:
    report = verify_document(example("ob30-ecdsa-sd-2023-derived.json"), fixture_context())
    proof = check(report, "proof")
    assert proof.outcome is Outcome.COULD_NOT_CHECK
    assert proof.message_key == "proof.unsupported"
    assert "uses ecdsa-sd-2023, which this verifier does not check" in render_check(proof, "en")
    assert "ecdsa-sd-2023" in render_check(proof, "fr")
    assert report.verdict is not Verdict.VERIFIED


@pytest.mark.parametrize(
    ("proof", "named"),
    [
        ({"type": "Ed25519Signature2020", "proofValue": "z3FXQ"}, "Ed25519Signature2020"),
        ({"type": "DataIntegrityProof", "cryptosuite": "bbs-2099"}, "bbs-2099"),
    ],
)
def test_unimplemented_proof_types_are_named_could_not_check(
    proof: dict[str, Any], named: str
) -> None:
    world = World()
    document = world.credential()
    report = world.verify({**document, "proof": {**proof, "proofPurpose": "assertionMethod"}})
    assert check(report, "proof").outcome is Outcome.COULD_NOT_CHECK
    assert check(report, "proof").params["mechanism"] == named
    assert report.verdict is Verdict.COULD_NOT_FULLY_CHECK


def test_credential_without_proof_carries_no_signature() -> None:
    world = World()
    report = world.verify(world.credential())
    proof = check(report, "proof")
    assert proof.outcome is Outcome.FAILED
    assert "carries no signature" in render_check(proof, "en")
    assert report.verdict is Verdict.NOT_VERIFIED


def _signed_with(world: World, options: ProofOptions) -> dict[str, Any]:
    return RDFC.add_proof(world.credential(), world.issuer.signer, options)


def test_proof_created_in_the_future_fails() -> None:
    world = World()
    future = CHECKED_AT + timedelta(days=2)
    report = world.verify(_signed_with(world, ProofOptions(created=future)))
    assert check(report, "proof").outcome is Outcome.FAILED
    assert "in the future" in render_check(check(report, "proof"), "en")
    assert report.verdict is Verdict.NOT_VERIFIED


def test_proof_created_within_the_clock_skew_verifies() -> None:
    world = World()
    report = world.verify(
        _signed_with(world, ProofOptions(created=CHECKED_AT + timedelta(minutes=2)))
    )
    assert check(report, "proof").outcome is Outcome.PASSED


def test_proof_past_its_expires_fails() -> None:
    world = World()
    created = CHECKED_AT - timedelta(days=10)
    options = ProofOptions(created=created, expires=CHECKED_AT - timedelta(days=1))
    report = world.verify(_signed_with(world, options))
    assert check(report, "proof").outcome is Outcome.FAILED
    assert "expired" in render_check(check(report, "proof"), "en")
    assert report.verdict is Verdict.NOT_VERIFIED


def test_open_badges_2_assertion_is_recognized_and_explained_not_called_tampered() -> None:
    assertion = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://college.example/assertions/42",
        "recipient": {"type": "email", "hashed": False, "identity": "learner@example.org"},
        "badge": "https://college.example/badges/welding",
        "verification": {"type": "hosted"},
        "issuedOn": "2024-05-01T00:00:00Z",
    }
    report = World().verify(assertion)
    assert check(report, "format").message_key == "format.ob2"
    assert "Open Badges 2.0" in render_check(check(report, "format"), "fr")
    proof = check(report, "proof")
    assert proof.outcome is Outcome.COULD_NOT_CHECK
    assert "Open Badges 2.0 (hosted verification)" in render_check(proof, "en")
    assert report.verdict is Verdict.COULD_NOT_FULLY_CHECK
