"""Issue #12 item 5: a second key in an issuer's DID document must not break valid credentials.

A DID document may list methods of any type (DID Core 1.0 section 5.2): a P-256 Multikey beside
the Ed25519 key, an X25519 ``keyAgreement`` key. The verifier uses every method it can read,
ignores the others, and selects the signing key exactly by id.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from bench.sample import sample_credential
from credentials.did import offline_resolver
from credentials.keys import Ed25519Signer
from credentials.multibase import encode_multibase
from credentials.multikey import encode_public_multikey
from credentials.proofs.registry import secure
from credentials.report import Outcome, Verdict
from tests.attacks.verdict_world import World, check
from tests.verifier.support import NOW

DID = "did:web:college.example"
P256_PREFIX = b"\x80\x24"  # multicodec p256-pub, varint
X25519_PREFIX = b"\xec\x01"  # multicodec x25519-pub, varint


def _p256_multikey() -> str:
    point = ec.generate_private_key(ec.SECP256R1()).public_key()
    return encode_multibase(
        P256_PREFIX + point.public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    )


def _x25519_multikey() -> str:
    raw = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return encode_multibase(X25519_PREFIX + raw)


def _document(ed25519: Ed25519PrivateKey) -> dict[str, Any]:
    def method(name: str, multikey: str) -> dict[str, Any]:
        return {
            "id": f"{DID}#{name}",
            "type": "Multikey",
            "controller": DID,
            "publicKeyMultibase": multikey,
        }

    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": DID,
        "verificationMethod": [
            method("p256", _p256_multikey()),
            method("ed25519", encode_public_multikey(ed25519.public_key())),
        ],
        "assertionMethod": [f"{DID}#p256", f"{DID}#ed25519"],
        "keyAgreement": [method("x25519", _x25519_multikey())],
    }


def _world_and_credential(method: str = "ed25519") -> tuple[World, Any]:
    key = Ed25519PrivateKey.generate()
    world = World(resolver=offline_resolver({DID: _document(key)}))
    signer = Ed25519Signer(key, f"{DID}#{method}")
    document = sample_credential(DID)
    del document["credentialStatus"]
    return world, secure(document, signer, "eddsa-rdfc-2022", now=NOW)


def test_p256_and_x25519_keys_beside_ed25519_do_not_break_a_genuine_credential() -> None:
    world, credential = _world_and_credential()
    report = world.verify(credential)
    assert check(report, "proof").outcome is Outcome.PASSED
    assert check(report, "issuer_key").outcome is Outcome.PASSED
    assert report.verdict is not Verdict.NOT_VERIFIED


def test_a_proof_naming_the_p256_key_is_not_verified_by_the_ed25519_key() -> None:
    world, credential = _world_and_credential(method="p256")
    report = world.verify(credential)
    assert check(report, "proof").outcome is Outcome.FAILED
    assert report.verdict is Verdict.NOT_VERIFIED
