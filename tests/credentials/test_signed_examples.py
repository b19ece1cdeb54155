"""Signed examples made by other implementations verify, and any change to a signed field fails.

Examples: the 1EdTech validator's Data Integrity fixtures (tests/vectors/examples/1edtech-validator)
and the W3C vc-di-eddsa signed vectors. HTTPS verification methods resolve through our controller
document fixture (tests/vectors/fixtures/README.md); did:key resolves locally.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from credentials.did import offline_resolver
from credentials.keys import KeyResolver
from credentials.proofs.base import ProofExpectations
from credentials.proofs.registry import verify_data_integrity
from credentials.report import Outcome
from tests.conftest import VECTORS

EXAMPLES = VECTORS / "examples" / "1edtech-validator"
VERIFYING = {
    "ob30-simple-eddsa-rdfc-2022": EXAMPLES / "ob30-simple-eddsa-rdfc-2022.json",
    "ob30-did-key-method": EXAMPLES / "ob30-did-key-method.json",
    "ob30-did-web-method": EXAMPLES / "ob30-did-web-method.json",
    "ob30-status-list-credential": EXAMPLES / "ob30-status-list-credential.json",
    "ob30-status-revoked-bitstring": EXAMPLES / "ob30-status-revoked-bitstring.json",
    "ob30-endorsement-valid": EXAMPLES / "ob30-endorsement-valid.json",
    "ob30-complete": EXAMPLES / "ob30-complete.json",
    "clr20-simple": EXAMPLES / "clr20-simple.json",
    "vc-di-eddsa-rdfc": VECTORS / "vc-di-eddsa" / "eddsa-rdfc-2022" / "signedDataInt.json",
    "vc-di-eddsa-jcs": VECTORS / "vc-di-eddsa" / "eddsa-jcs-2022" / "signedJCS.json",
}
# Signed leaves to change, where a document has them as strings.
LEAF_PATHS: list[tuple[str | int, ...]] = [
    ("name",),
    ("issuer",),
    ("issuer", "id"),
    ("issuer", "name"),
    ("validFrom",),
    ("credentialSubject", "id"),
    ("credentialSubject", "achievement", "name"),
    ("credentialSubject", "achievement", "criteria", "narrative"),
    ("credentialSubject", "endorsementComment"),
    ("credentialSubject", "encodedList"),
    ("credentialStatus", "statusListIndex"),
    ("credentialSubject", "alumniOf"),
    ("credentialSubject", "verifiableCredential", 0, "name"),
    ("proof", "created"),
    ("proof", 0, "created"),
]


def resolver() -> KeyResolver:
    fixture = json.loads(
        (VECTORS / "fixtures" / "1edtech-issuer-controller-documents.json").read_text()
    )
    return offline_resolver(fixture["documents"])


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(VERIFYING[name].read_text(encoding="utf-8"))
    return document


def leaf(document: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(document, list) or step >= len(document):
                return None
        elif not isinstance(document, dict) or step not in document:
            return None
        document = document[step]
    return document


def changed(value: str) -> str:
    # Dates stay dates, so the change is only to the signed value, never to its shape.
    return value.replace("20", "21", 1) if value[:4].isdigit() else value + "x"


TAMPER_CASES = [
    (name, path)
    for name in VERIFYING
    for path in LEAF_PATHS
    if isinstance(leaf(load(name), path), str)
]


@pytest.mark.parametrize("name", VERIFYING)
def test_signed_example_verifies(name: str) -> None:
    results = verify_data_integrity(load(name), resolver(), ProofExpectations())
    assert [result.outcome for result in results] == [Outcome.PASSED], results
    assert results[0].verification_method is not None
    assert results[0].controller == results[0].verification_method.split("#")[0]


def test_every_example_has_several_tamper_cases() -> None:
    counts = {name: sum(1 for case in TAMPER_CASES if case[0] == name) for name in VERIFYING}
    assert min(counts.values()) >= 3, counts


@pytest.mark.parametrize(("name", "path"), TAMPER_CASES, ids=str)
def test_changing_a_signed_field_fails(name: str, path: tuple[str | int, ...]) -> None:
    document = copy.deepcopy(load(name))
    parent = leaf(document, path[:-1])
    parent[path[-1]] = changed(parent[path[-1]])
    results = verify_data_integrity(document, resolver(), ProofExpectations())
    assert [result.outcome for result in results] == [Outcome.FAILED]
    assert results[0].reason == "the signature does not match the document"


def test_multiple_proofs_each_proof_gets_its_result() -> None:
    document = json.loads((EXAMPLES / "ob30-multiple-proofs.json").read_text())
    first, second = verify_data_integrity(document, resolver(), ProofExpectations())
    assert first.outcome is Outcome.COULD_NOT_CHECK
    assert first.reason == "this credential uses SomeProofType, which this verifier does not check"
    assert second.outcome is Outcome.PASSED


def embedded_credentials(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [found for item in node for found in embedded_credentials(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if "proof" in node else []
    return own + [found for value in node.values() for found in embedded_credentials(value)]


def test_complete_example_endorsements_use_a_wrong_cryptosuite_name() -> None:
    complete = json.loads((EXAMPLES / "ob30-complete.json").read_text())
    endorsements = embedded_credentials(complete)[1:]
    assert len(endorsements) == 5
    for endorsement in endorsements:
        results = verify_data_integrity(endorsement, resolver(), ProofExpectations())
        assert [result.outcome for result in results] == [Outcome.COULD_NOT_CHECK]
        assert results[0].mechanism == "eddsa-rdf-2022"


@pytest.mark.parametrize("cryptosuite", ["eddsa-rdf-2022", "eddsa-2022", "ecdsa-rdfc-2019"])
def test_misnamed_cryptosuites_are_refused_by_name(cryptosuite: str) -> None:
    document = load("ob30-did-key-method")
    document["proof"] = [{**document["proof"][0], "cryptosuite": cryptosuite}]
    (result,) = verify_data_integrity(document, resolver(), ProofExpectations())
    assert result.outcome is Outcome.COULD_NOT_CHECK
    assert (
        result.reason == f"this credential uses {cryptosuite}, which this verifier does not check"
    )


def test_ecdsa_sd_2023_is_an_unsupported_cryptosuite_not_a_crash() -> None:
    document = json.loads((EXAMPLES / "ob30-ecdsa-sd-2023-derived.json").read_text())
    (result,) = verify_data_integrity(document, resolver(), ProofExpectations())
    assert result.outcome is Outcome.COULD_NOT_CHECK
    assert result.mechanism == "ecdsa-sd-2023"


def test_legacy_ed25519_signature_2020_is_an_unsupported_proof_type() -> None:
    document = json.loads((EXAMPLES / "clr20-complex.json").read_text())
    (result,) = verify_data_integrity(document, resolver(), ProofExpectations())
    assert result.outcome is Outcome.COULD_NOT_CHECK
    assert result.mechanism == "Ed25519Signature2020"
