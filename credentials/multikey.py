"""Ed25519 Multikey and did:key (Controlled Identifiers 1.0 section 2.2.2; did:key method 0.9).

A Multikey public key is ``z`` + base58btc(0xed 0x01 || 32-byte key) and so starts with ``z6Mk``;
the secret key uses the multicodec 0x8026 (varint ``0x80 0x26``). A did:key for Ed25519 is
``did:key:<multikey>`` and its one verification method is ``did:key:<multikey>#<multikey>``.

>>> did = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
>>> did_key_verification_method(did).split("#")[1][:4]
'z6Mk'
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from credentials.contexts import DID_V1, MULTIKEY_V1
from credentials.errors import InvalidKey, KeyNotFound
from credentials.keys import ASSERTION_METHOD, AUTHENTICATION, VerificationMethod
from credentials.multibase import decode_multibase, encode_multibase

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
DID_KEY_PREFIX = "did:key:"
# did:key lists its one key under every verification relationship (did:key 0.9, section 3.1.2).
DID_KEY_RELATIONSHIPS = frozenset(
    {ASSERTION_METHOD, AUTHENTICATION, "capabilityInvocation", "capabilityDelegation"}
)


def public_key_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def encode_public_multikey(public_key: Ed25519PublicKey) -> str:
    return encode_multibase(ED25519_PUB_PREFIX + public_key_bytes(public_key))


def decode_public_multikey(multikey: str) -> Ed25519PublicKey:
    """Decode an Ed25519 Multikey; anything else (other curves, bad lengths) is ``InvalidKey``."""
    try:
        raw = decode_multibase(multikey)
    except Exception as exc:
        raise InvalidKey(f"publicKeyMultibase is not valid multibase: {exc}") from None
    if not multikey.startswith("z") or raw[:2] != ED25519_PUB_PREFIX:
        raise InvalidKey("publicKeyMultibase is not an Ed25519 Multikey (0xed01 prefix)")
    if len(raw) != 34:
        raise InvalidKey(f"Ed25519 Multikey has {len(raw) - 2} key bytes; 32 expected")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def encode_secret_multikey(private_key: Ed25519PrivateKey) -> str:
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return encode_multibase(ED25519_PRIV_PREFIX + seed)


def decode_secret_multikey(multikey: str) -> Ed25519PrivateKey:
    try:
        raw = decode_multibase(multikey)
    except Exception:
        raise InvalidKey("secretKeyMultibase is not valid multibase") from None
    if raw[:2] != ED25519_PRIV_PREFIX or len(raw) != 34:
        raise InvalidKey("secretKeyMultibase is not an Ed25519 secret Multikey (0x8026 prefix)")
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


def did_key_for(public_key: Ed25519PublicKey) -> str:
    return DID_KEY_PREFIX + encode_public_multikey(public_key)


def did_key_verification_method(did: str) -> str:
    """The verification method id of an Ed25519 did:key (``did:key:z6Mk...#z6Mk...``)."""
    multikey = did.removeprefix(DID_KEY_PREFIX).split("#", 1)[0]
    return f"{DID_KEY_PREFIX}{multikey}#{multikey}"


@lru_cache(maxsize=1024)
def resolve_did_key(verification_method: str) -> VerificationMethod:
    """Resolve a did:key URL locally; a bare did:key (1EdTech fixtures use one) means its key.
    A pure function of its argument, so remembered: base58 decoding took a tenth of a vc+jwt
    verify (docs/performance.md). Refusals are raised, never remembered."""
    if not verification_method.startswith(DID_KEY_PREFIX):
        raise KeyNotFound(f"{verification_method!r} is not a did:key")
    did, _, fragment = verification_method.partition("#")
    multikey = did.removeprefix(DID_KEY_PREFIX)
    if fragment and fragment != multikey:
        raise KeyNotFound(f"did:key has no verification method #{fragment}")
    return VerificationMethod(
        id=f"{did}#{multikey}",
        controller=did,
        public_key=decode_public_multikey(multikey),
        relationships=DID_KEY_RELATIONSHIPS,
    )


def multikey_verification_method(
    method_id: str, controller: str, key: Ed25519PublicKey
) -> dict[str, Any]:
    return {
        "id": method_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": encode_public_multikey(key),
    }


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document of an Ed25519 did:key (did:key 0.9, section 3.1.2 "Document creation")."""
    method = resolve_did_key(did)
    assert isinstance(method.public_key, Ed25519PublicKey)
    entry = multikey_verification_method(method.id, did, method.public_key)
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": [entry],
        **{relationship: [method.id] for relationship in sorted(DID_KEY_RELATIONSHIPS)},
    }
