"""Round trips, tampering and the Verify Proof checks of VC Data Integrity 1.0 section 4.4.

Keys are generated fresh per test; did:key resolves locally and controller documents are built
here, so each check of section 4.4 / vc-di-eddsa 3.2.2 and 3.3.2 is shown to fail on its own.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import example, given, settings
from hypothesis import strategies as st

from credentials.canonical import canonicalize_jsonld
from credentials.contexts import OB_V3P0, VC_V2
from credentials.did import DocumentResolver, offline_resolver
from credentials.errors import InvalidInput, InvalidKey, ResolutionUnavailable, UndefinedTerm
from credentials.keys import ASSERTION_METHOD, Ed25519Signer, VerificationMethod
from credentials.multikey import (
    did_key_for,
    did_key_verification_method,
    multikey_verification_method,
)
from credentials.proofs.base import DataIntegritySuite, ProofExpectations, ProofOptions
from credentials.proofs.data_integrity import (
    INVALID_CHALLENGE_ERROR,
    INVALID_DOMAIN_ERROR,
    INVALID_VERIFICATION_METHOD,
    MALFORMED_PROOF_ERROR,
    MISMATCHED_PROOF_PURPOSE_ERROR,
    PROOF_TRANSFORMATION_ERROR,
    without_proof,
)
from credentials.proofs.eddsa_jcs_2022 import SUITE as JCS
from credentials.proofs.eddsa_rdfc_2022 import SUITE as RDFC
from credentials.proofs.eddsa_rdfc_2022 import EddsaRdfc2022
from credentials.proofs.registry import SUPPORTED_CRYPTOSUITES, verify_data_integrity
from credentials.report import Outcome

SUITES = [RDFC, JCS]
CREATED = datetime(2024, 5, 1, 12, 30, 5, 123456, tzinfo=UTC)
EXPECT = ProofExpectations()


def new_signer() -> Ed25519Signer:
    key = Ed25519PrivateKey.generate()
    return Ed25519Signer(key, did_key_verification_method(did_key_for(key.public_key())))


def badge(name: str = "Électricité — niveau 1") -> dict[str, Any]:
    return {
        "@context": [VC_V2, OB_V3P0],
        "id": "urn:uuid:7d1e4f5a-0b6c-4d7e-8f90-a1b2c3d4e5f6",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://college.example/issuers/1",
            "type": ["Profile"],
            "name": "Collège",
        },
        "validFrom": "2024-05-01T00:00:00Z",
        "name": name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://college.example/achievements/elec-1",
                "type": ["Achievement"],
                "name": name,
                "description": "Micro-credential.",
                "criteria": {"narrative": "Réussir l'évaluation pratique."},
            },
        },
    }


def sign(suite: DataIntegritySuite, **options: Any) -> tuple[dict[str, Any], Ed25519Signer]:
    signer = new_signer()
    document = suite.add_proof(badge(), signer, ProofOptions(created=CREATED, **options))
    return document, signer


def verify(document: dict[str, Any], resolver: Any = None, **expect: Any) -> Any:
    (result,) = verify_data_integrity(
        document, resolver or offline_resolver(), ProofExpectations(**expect)
    )
    return result


def test_both_suites_are_on_the_allow_list() -> None:
    assert SUPPORTED_CRYPTOSUITES == {"eddsa-rdfc-2022": RDFC, "eddsa-jcs-2022": JCS}


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.cryptosuite)
def test_round_trip(suite: DataIntegritySuite) -> None:
    document, signer = sign(suite)
    result = verify(document)
    assert result.outcome is Outcome.PASSED, result.reason
    assert result.mechanism == suite.cryptosuite
    assert result.verification_method == signer.verification_method
    assert result.controller == signer.verification_method.split("#")[0]


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.cryptosuite)
def test_add_proof_never_modifies_its_input_and_formats_created(suite: DataIntegritySuite) -> None:
    unsigned = badge()
    before = copy.deepcopy(unsigned)
    local = timezone(timedelta(hours=-5))
    signed = suite.add_proof(
        unsigned, new_signer(), ProofOptions(created=CREATED.astimezone(local))
    )
    assert unsigned == before
    assert signed["proof"]["created"] == "2024-05-01T12:30:05Z"
    assert {key: value for key, value in signed.items() if key != "proof"} == before


def test_created_without_time_zone_is_refused() -> None:
    with pytest.raises(InvalidInput, match="time zone"):
        RDFC.add_proof(badge(), new_signer(), ProofOptions(created=datetime(2024, 1, 1)))


def test_rdfc_add_proof_refuses_undefined_terms() -> None:
    with pytest.raises(UndefinedTerm, match="nickname"):
        RDFC.add_proof({**badge(), "nickname": "x"}, new_signer(), ProofOptions(created=CREATED))


def test_rdfc_proof_has_no_context_and_jcs_proof_copies_it() -> None:
    rdfc, _ = sign(RDFC)
    jcs, _ = sign(JCS)
    assert "@context" not in rdfc["proof"]
    assert jcs["proof"]["@context"] == [VC_V2, OB_V3P0]


def test_proof_sets_append_and_each_proof_verifies() -> None:
    once, _ = sign(RDFC)
    twice = JCS.add_proof(once, new_signer(), ProofOptions(created=CREATED))
    assert isinstance(twice["proof"], list) and len(twice["proof"]) == 2
    assert twice["proof"][0] == once["proof"]
    results = verify_data_integrity(twice, offline_resolver(), EXPECT)
    assert [(r.mechanism, r.outcome) for r in results] == [
        ("eddsa-rdfc-2022", Outcome.PASSED),
        ("eddsa-jcs-2022", Outcome.PASSED),
    ]
    thrice = RDFC.add_proof(twice, new_signer(), ProofOptions(created=CREATED))
    assert len(thrice["proof"]) == 3


@pytest.mark.parametrize("suite", SUITES, ids=lambda s: s.cryptosuite)
@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.update(name=d["name"] + "!"),
        lambda d: d["issuer"].update(id="https://evil.example/issuers/1"),
        lambda d: d["credentialSubject"]["achievement"]["criteria"].update(narrative="Rien."),
        lambda d: d.update(validFrom="2023-05-01T00:00:00Z"),
        lambda d: d["proof"].update(created="2024-05-01T12:30:06Z"),
    ],
    ids=["name", "issuer", "narrative", "validFrom", "created"],
)
def test_tampering_fails(suite: DataIntegritySuite, tamper: Any) -> None:
    document, _ = sign(suite)
    tamper(document)
    result = verify(document)
    assert result.outcome is Outcome.FAILED
    assert result.reason == "the signature does not match the document"


def test_a_signature_by_another_key_fails() -> None:
    document, _ = sign(RDFC)
    other, _ = sign(RDFC)
    document["proof"]["proofValue"] = other["proof"]["proofValue"]
    assert verify(document).reason == "the signature does not match the document"


def test_no_proof() -> None:
    results = verify_data_integrity(badge(), offline_resolver(), EXPECT)
    assert [(r.outcome, r.reason) for r in results] == [(Outcome.FAILED, "no proof")]


@pytest.mark.parametrize(
    ("proof", "reason"),
    [
        ("z123", "proof is not a JSON object"),
        (
            {"type": "Ed25519Signature2020"},
            "this credential uses Ed25519Signature2020, which this verifier does not check",
        ),
        (
            {"type": "DataIntegrityProof"},
            "this credential uses an unnamed cryptosuite, which this verifier does not check",
        ),
    ],
)
def test_unreadable_or_unknown_proofs_are_named(proof: Any, reason: str) -> None:
    assert verify({**badge(), "proof": proof}).reason == reason


@pytest.mark.parametrize(
    ("change", "problem", "reason_part"),
    [
        ({"proofPurpose": "authentication"}, MISMATCHED_PROOF_PURPOSE_ERROR, "proofPurpose"),
        ({"created": "2024-05-01 12:30:05"}, MALFORMED_PROOF_ERROR, "created"),
        ({"created": "2024-05-01T12:30:05"}, MALFORMED_PROOF_ERROR, "created"),
        ({"expires": "2024-13-01T00:00:00Z"}, MALFORMED_PROOF_ERROR, "expires"),
        ({"proofValue": "u" + "A" * 86}, MALFORMED_PROOF_ERROR, "base58btc"),
        ({"proofValue": "z3yMR7vV"}, MALFORMED_PROOF_ERROR, "64"),
        ({"proofValue": "z0OIl"}, MALFORMED_PROOF_ERROR, "base58btc character"),
        ({"verificationMethod": 7}, MALFORMED_PROOF_ERROR, "verificationMethod"),
        ({"previousProof": "urn:uuid:1"}, MALFORMED_PROOF_ERROR, "previousProof"),
    ],
)
def test_malformed_proof_members_fail(
    change: dict[str, Any], problem: str, reason_part: str
) -> None:
    document, _ = sign(RDFC)
    document["proof"].update(change)
    result = verify(document)
    assert (result.outcome, result.problem_type) == (Outcome.FAILED, problem)
    assert reason_part in result.reason


def test_expected_proof_purpose_must_match() -> None:
    document, _ = sign(RDFC, proof_purpose="authentication")
    assert verify(document).problem_type == MISMATCHED_PROOF_PURPOSE_ERROR
    assert verify(document, proof_purpose="authentication").outcome is Outcome.PASSED


def test_challenge_and_domain_must_match_when_expected() -> None:
    document, _ = sign(JCS, challenge="n-0S6_WzA2Mj", domain="employer.example")
    assert verify(document, challenge="n-0S6_WzA2Mj", domain="employer.example").verified
    assert verify(document, challenge="other").problem_type == INVALID_CHALLENGE_ERROR
    assert verify(document, domain="evil.example").problem_type == INVALID_DOMAIN_ERROR
    unchallenged, _ = sign(JCS)
    assert verify(unchallenged, challenge="n-0S6_WzA2Mj").problem_type == INVALID_CHALLENGE_ERROR


def test_expires_is_signed_and_formatted() -> None:
    document, _ = sign(RDFC, expires=CREATED + timedelta(days=1))
    assert document["proof"]["expires"] == "2024-05-02T12:30:05Z"
    assert verify(document).verified


def controller_resolver(signer: Ed25519Signer, relationship: str) -> DocumentResolver:
    controller = "https://college.example/issuers/1"
    method_id = controller + "#key-1"
    entry = multikey_verification_method(method_id, controller, signer.private_key.public_key())
    document = {"id": controller, "verificationMethod": [entry], relationship: [method_id]}
    return DocumentResolver({controller: document})


def test_the_method_must_be_listed_under_the_proof_purpose() -> None:
    signer = new_signer()
    https_signer = Ed25519Signer(signer.private_key, "https://college.example/issuers/1#key-1")
    document = RDFC.add_proof(badge(), https_signer, ProofOptions(created=CREATED))
    assert verify(document, controller_resolver(signer, ASSERTION_METHOD)).verified
    result = verify(document, controller_resolver(signer, "authentication"))
    assert result.outcome is Outcome.FAILED
    assert "not listed under 'assertionMethod'" in result.reason


@dataclass
class FixedResolver:
    method: VerificationMethod | None = None
    error: Exception | None = None

    def resolve(self, verification_method: str) -> VerificationMethod:
        if self.error is not None:
            raise self.error
        assert self.method is not None
        return self.method


def test_unknown_keys_fail_and_unreachable_keys_could_not_be_checked() -> None:
    document, _ = sign(RDFC)
    document["proof"]["verificationMethod"] = "did:example:123#key-1"
    result = verify(document)
    assert (result.outcome, result.problem_type) == (Outcome.FAILED, INVALID_VERIFICATION_METHOD)
    assert "did:example:123#key-1" in result.reason
    unreachable = FixedResolver(error=ResolutionUnavailable("did:web needs the network"))
    result = verify(document, unreachable)
    assert (result.outcome, result.reason) == (Outcome.COULD_NOT_CHECK, "did:web needs the network")


def test_an_undecodable_key_fails() -> None:
    document, _ = sign(RDFC)
    result = verify(document, FixedResolver(error=InvalidKey("publicKeyMultibase is not valid")))
    assert (result.outcome, result.reason) == (Outcome.FAILED, "publicKeyMultibase is not valid")


def test_the_key_must_be_ed25519() -> None:
    document, signer = sign(RDFC)
    ec_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    method = VerificationMethod(signer.verification_method, "did:key:x", ec_key)
    result = verify(document, FixedResolver(method))
    assert result.outcome is Outcome.FAILED
    assert "not an Ed25519 key" in result.reason


def test_jcs_document_context_must_start_with_the_proof_context() -> None:
    document, _ = sign(JCS)
    document["@context"] = [OB_V3P0, VC_V2]
    result = verify(document)
    assert result.outcome is Outcome.FAILED
    assert "does not start with the proof's @context" in result.reason


def test_jcs_signs_with_the_proof_context_when_the_document_adds_contexts() -> None:
    unsigned = {**badge(), "@context": [VC_V2]}
    unsigned.pop("credentialSubject")
    unsigned["type"] = ["VerifiableCredential"]
    unsigned["issuer"] = "https://college.example/issuers/1"
    signed = JCS.add_proof(unsigned, new_signer(), ProofOptions(created=CREATED))
    widened = {**signed, "@context": [VC_V2, OB_V3P0]}
    assert verify(widened).verified


def test_undefined_terms_at_verification_are_a_failed_transformation() -> None:
    document, _ = sign(RDFC)
    document["nickname"] = "added later"
    result = verify(document)
    assert (result.outcome, result.problem_type) == (Outcome.FAILED, PROOF_TRANSFORMATION_ERROR)
    assert "nickname" in result.reason


names = st.text(min_size=1, max_size=40)


@settings(max_examples=25, deadline=None)
@given(name=names, suite=st.sampled_from(SUITES))
@example(name="Électricité", suite=RDFC)
@example(name='ligne\u0000\u0007\u001f\u007f\b\f\t\n\r"\\ fin', suite=RDFC)
@example(name='ligne\u0000\u0007\u001f\u007f\b\f\t\n\r"\\ fin', suite=JCS)
def test_sign_then_verify_any_unicode_name(name: str, suite: DataIntegritySuite) -> None:
    document = suite.add_proof(badge(name), new_signer(), ProofOptions(created=CREATED))
    assert verify(document).verified
    document["name"] = name + "."
    assert not verify(document).verified


def test_rdfc_canonicalizes_a_repeated_proof_configuration_once() -> None:
    """A cohort's credentials signed in the same second share their proof configuration
    (vc-di-eddsa 3.2.5): its canonical form is computed once, and every proof still verifies."""
    inputs: list[dict[str, Any]] = []

    def counted(document: dict[str, Any]) -> str:
        inputs.append(document)
        return canonicalize_jsonld(document)

    suite, signer = EddsaRdfc2022(counted), new_signer()
    signed = [
        suite.add_proof(badge(name), signer, ProofOptions(created=CREATED))
        for name in ("Soudage", "Électricité", "Plomberie")
    ]
    configs = [document for document in inputs if "cryptosuite" in document]
    assert len(inputs) == 4 and len(configs) == 1
    suite.add_proof(badge(), signer, ProofOptions(created=CREATED + timedelta(seconds=1)))
    assert len([document for document in inputs if "cryptosuite" in document]) == 2
    for document in signed:
        assert verify(document).outcome is Outcome.PASSED
        # Ed25519 is deterministic: a suite with nothing cached signs the very same bytes.
        fresh = EddsaRdfc2022().add_proof(
            without_proof(document), signer, ProofOptions(created=CREATED)
        )
        assert fresh == document
