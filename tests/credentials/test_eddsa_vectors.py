"""Published vectors for eddsa-rdfc-2022 and eddsa-jcs-2022, byte for byte.

W3C vc-di-eddsa test vectors (tests/vectors/vc-di-eddsa, key in keyPair.json) and the 1EdTech
OB 3.0 / CLR 2.0 "Linked Data Proof Test Vector" appendices (tests/vectors/1edtech-ldp). Ed25519
is deterministic, so signing the unsigned input with the vector's key and ``created`` must give
the published proofValue exactly.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from credentials.canonical import canonicalize_jsonld, canonicalize_nquads
from credentials.did import DocumentResolver, offline_resolver
from credentials.errors import UnknownContext
from credentials.keys import Ed25519Signer
from credentials.multibase import encode_multibase
from credentials.multikey import (
    decode_secret_multikey,
    did_key_verification_method,
    encode_public_multikey,
    multikey_verification_method,
)
from credentials.proofs import eddsa_jcs_2022, eddsa_rdfc_2022
from credentials.proofs.base import ProofExpectations, ProofOptions
from credentials.proofs.data_integrity import EddsaCryptosuite, hash_data
from credentials.report import Outcome
from tests.conftest import VECTORS

W3C = VECTORS / "vc-di-eddsa"
# (suite, folder, file-name suffix) of the W3C vectors.
W3C_SUITES = [
    pytest.param(eddsa_rdfc_2022.SUITE, W3C / "eddsa-rdfc-2022", "DataInt", id="eddsa-rdfc-2022"),
    pytest.param(eddsa_jcs_2022.SUITE, W3C / "eddsa-jcs-2022", "JCS", id="eddsa-jcs-2022"),
]
ONE_EDTECH = ["obv3p0", "clrv2p0"]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def load(path: Path) -> Any:
    return json.loads(read(path))


def w3c_signer() -> Ed25519Signer:
    key_pair = load(W3C / "keyPair.json")
    private_key = decode_secret_multikey(key_pair["privateKeyMultibase"])
    assert encode_public_multikey(private_key.public_key()) == key_pair["publicKeyMultibase"]
    did = "did:key:" + key_pair["publicKeyMultibase"]
    return Ed25519Signer(private_key, did_key_verification_method(did))


def created_of(proof: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(proof["created"].replace("Z", "+00:00"))


@pytest.mark.parametrize(("suite", "folder", "suffix"), W3C_SUITES)
def test_w3c_vector_every_intermediate_value(
    suite: EddsaCryptosuite, folder: Path, suffix: str
) -> None:
    unsigned = load(W3C / "unsigned.json")
    transformed = suite.transform(unsigned)
    # The published files differ in trailing newlines; the hashes below pin the exact bytes.
    assert transformed.rstrip("\n") == read(folder / f"canonDoc{suffix}.txt").rstrip("\n")
    canonical_config = suite.configure_proof(load(folder / f"proofConfig{suffix}.json"), unsigned)
    assert canonical_config.rstrip("\n") == read(folder / f"proofCanon{suffix}.txt").rstrip("\n")
    doc_hash = hashlib.sha256(transformed.encode()).hexdigest()
    proof_hash = hashlib.sha256(canonical_config.encode()).hexdigest()
    assert doc_hash == read(folder / f"docHash{suffix}.txt").strip()
    assert proof_hash == read(folder / f"proofHash{suffix}.txt").strip()
    data = hash_data(canonical_config, transformed)
    assert data.hex() == read(folder / f"combinedHash{suffix}.txt").strip()
    signature = w3c_signer().sign(data)
    assert signature.hex() == read(folder / f"sigHex{suffix}.txt").strip()
    assert encode_multibase(signature) == read(folder / f"sigBTC58{suffix}.txt").strip()


def test_w3c_rdfc_canonical_forms_keep_their_trailing_newlines() -> None:
    unsigned = load(W3C / "unsigned.json")
    folder = W3C / "eddsa-rdfc-2022"
    assert canonicalize_jsonld(unsigned) == read(folder / "canonDocDataInt.txt")


@pytest.mark.parametrize(("suite", "folder", "suffix"), W3C_SUITES)
def test_w3c_vector_signing_reproduces_the_signed_document(
    suite: EddsaCryptosuite, folder: Path, suffix: str
) -> None:
    signed = load(folder / f"signed{suffix}.json")
    options = ProofOptions(created=created_of(signed["proof"]))
    assert suite.add_proof(load(W3C / "unsigned.json"), w3c_signer(), options) == signed


@pytest.mark.parametrize(("suite", "folder", "suffix"), W3C_SUITES)
def test_w3c_signed_vector_verifies(suite: EddsaCryptosuite, folder: Path, suffix: str) -> None:
    signed = load(folder / f"signed{suffix}.json")
    result = suite.verify_proof(signed, signed["proof"], offline_resolver(), ProofExpectations())
    assert result.outcome is Outcome.PASSED, result.reason
    assert result.verification_method == signed["proof"]["verificationMethod"]
    assert result.controller == signed["proof"]["verificationMethod"].split("#")[0]


def test_w3c_employment_vector_hashes_and_signature() -> None:
    # Its context (w3id.org/citizenship/v4rc1) is not bundled: we check every step after the
    # canonicalization, and that our RDFC-1.0 agrees with the published canonical form.
    folder = W3C / "eddsa-rdfc-2022" / "employ"
    canonical_document = read(folder / "canonDocDataInt.txt")
    canonical_config = read(folder / "proofCanonDataInt.txt")
    assert canonicalize_nquads(canonical_document) == canonical_document
    assert canonicalize_nquads(canonical_config) == canonical_config
    assert (
        hashlib.sha256(canonical_document.encode()).hexdigest()
        == read(folder / "docHashDataInt.txt").strip()
    )
    data = hash_data(canonical_config, canonical_document)
    assert data.hex() == read(folder / "combinedHashDataInt.txt").strip()
    signature = w3c_signer().sign(data)
    assert signature.hex() == read(folder / "sigHexDataInt.txt").strip()
    assert encode_multibase(signature) == read(folder / "sigBTC58DataInt.txt").strip()


def test_w3c_employment_vector_context_is_refused_not_fetched() -> None:
    signed = load(W3C / "eddsa-rdfc-2022" / "employ" / "signedDataInt.json")
    with pytest.raises(UnknownContext, match="citizenship"):
        canonicalize_jsonld(load(W3C / "employmentAuth.json"))
    result = eddsa_rdfc_2022.SUITE.verify_proof(
        signed, signed["proof"], offline_resolver(), ProofExpectations()
    )
    assert result.outcome is Outcome.FAILED
    assert "citizenship" in result.reason


def one_edtech(name: str) -> dict[str, Any]:
    vector: dict[str, Any] = load(VECTORS / "1edtech-ldp" / name / "vector.json")
    return vector


def one_edtech_signer(vector: dict[str, Any]) -> Ed25519Signer:
    seed = bytes.fromhex(vector["privateKeyHex_seed_plus_pub"])[:32]
    private_key = Ed25519PrivateKey.from_private_bytes(seed)
    assert encode_public_multikey(private_key.public_key()) == vector["publicKeyMultibase"]
    return Ed25519Signer(private_key, vector["verificationMethod"])


def one_edtech_resolver(vector: dict[str, Any]) -> DocumentResolver:
    signer = one_edtech_signer(vector)
    controller = signer.verification_method.split("#")[0]
    method = multikey_verification_method(
        signer.verification_method, controller, signer.private_key.public_key()
    )
    document = {"id": controller, "verificationMethod": [method]}
    return DocumentResolver({controller: {**document, "assertionMethod": [method["id"]]}})


@pytest.mark.parametrize("name", ONE_EDTECH)
def test_1edtech_vector_every_intermediate_value(name: str) -> None:
    vector = one_edtech(name)
    folder = VECTORS / "1edtech-ldp" / name
    unsigned = vector["unsignedCredential"]
    transformed = canonicalize_jsonld(unsigned)
    assert transformed == read(folder / "document-canon.txt")
    canonical_config = eddsa_rdfc_2022.SUITE.configure_proof(vector["proofOptions"], unsigned)
    assert canonical_config == read(folder / "proof-canon.txt")
    assert hashlib.sha256(transformed.encode()).hexdigest() == vector["documentCanonSha256"]
    assert hashlib.sha256(canonical_config.encode()).hexdigest() == vector["proofCanonSha256"]
    data = hash_data(canonical_config, transformed)
    assert data.hex() == vector["hashData_proofHash_then_docHash"]
    signature = one_edtech_signer(vector).sign(data)
    assert signature.hex() == vector["signatureHex"]
    assert encode_multibase(signature) == vector["proofValue"]


@pytest.mark.parametrize("name", ONE_EDTECH)
def test_1edtech_vector_signing_reproduces_and_verifies(name: str) -> None:
    vector = one_edtech(name)
    signed = vector["signedCredential"]
    # The CLR vector's proof is a proof set of one.
    proof = signed["proof"][0] if isinstance(signed["proof"], list) else signed["proof"]
    options = ProofOptions(created=created_of(proof))
    ours = eddsa_rdfc_2022.SUITE.add_proof(
        vector["unsignedCredential"], one_edtech_signer(vector), options
    )
    assert ours == {**signed, "proof": proof}
    assert ours["proof"]["proofValue"] == vector["proofValue"]
    result = eddsa_rdfc_2022.SUITE.verify_proof(
        signed, proof, one_edtech_resolver(vector), ProofExpectations()
    )
    assert result.outcome is Outcome.PASSED, result.reason
