"""Compact JWS (RFC 7515 section 7.1): reading a token and checking its signature, allow-list first.

Only three algorithms are ever accepted (RFC 7518 section 3.1, RFC 8037 section 3.1), each bound to
one key type so a token cannot choose how its key is used: ``EdDSA`` with Ed25519, ``ES256`` with
P-256, ``RS256`` with RSA of at least 2048 bits. ``none`` and every HMAC algorithm are refused (an
HS256 token "keyed" with a public key is the classic algorithm-confusion forgery), and so are the
header parameters that would make us understand an extension (``crit``, ``b64`` of RFC 7797) or
fetch or trust a key the token names itself (``jku``, ``x5u``, ``x5c``, a private ``jwk``).

Reading raises ``InvalidInput`` (``InputTooLarge`` over 1 MiB) for what is not a compact JWS at
all; refusing a header or a signature is an outcome, so those functions return a reason instead.

>>> looks_like_compact_jws("eyJhbGciOiJFZERTQSJ9.e30.c2ln")
True
>>> looks_like_compact_jws('{"type": ["VerifiableCredential"]}')
False
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from credentials.errors import InputTooLarge, InvalidInput
from credentials.jsonio import MAX_DOCUMENT_BYTES, parse_json, parse_json_object
from credentials.jwk import MIN_RSA_BITS, public_jwk_of
from credentials.keys import PublicKey
from credentials.multibase import decode_base64url

MAX_TOKEN_BYTES = MAX_DOCUMENT_BYTES
# Any JSON object header starts with '{"' (or '{' and whitespace), whose base64url starts "ey".
_COMPACT_SHAPE = re.compile(r"ey[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
# Parameters naming a key source the token controls (RFC 7515 sections 4.1.2, 4.1.5, 4.1.6).
KEY_SOURCE_PARAMETERS = ("jku", "x5u", "x5c")


@dataclass(frozen=True)
class CompactJws:
    """A parsed compact JWS. ``signing_input`` is ASCII(header '.' payload) (section 5.2 step 8)."""

    header: dict[str, Any]
    payload: dict[str, Any]
    signing_input: bytes
    signature: bytes


def looks_like_compact_jws(text: str) -> bool:
    """Cheap shape test (three base64url parts, a JSON-object header) to tell a JWS from JSON."""
    return _COMPACT_SHAPE.fullmatch(text.strip()) is not None


def _decode_part(part: str, name: str) -> bytes:
    try:
        return decode_base64url(part)
    except InvalidInput as exc:
        raise InvalidInput(f"the JWS {name} is not base64url: {exc.message}") from None


def parse_compact_jws(token: str) -> CompactJws:
    """Split and decode a compact JWS whose payload is a JSON object (RFC 7519 section 7.2)."""
    if len(token) > MAX_TOKEN_BYTES:
        raise InputTooLarge(f"the token is {len(token)} characters; the limit is {MAX_TOKEN_BYTES}")
    token = token.strip()
    parts = token.split(".")
    if len(parts) != 3:
        raise InvalidInput(
            f"a compact JWS has three base64url parts separated by '.'; this has {len(parts)}"
        )
    header_part, payload_part, signature_part = parts
    header = parse_json(_decode_part(header_part, "header"))
    if not isinstance(header, dict):
        raise InvalidInput("the JWS protected header is not a JSON object")
    try:
        payload = parse_json_object(_decode_part(payload_part, "payload"))
    except InvalidInput as exc:
        raise type(exc)(f"the JWS payload is not a JSON object: {exc.message}") from None
    return CompactJws(
        header=header,
        payload=payload,
        signing_input=f"{header_part}.{payload_part}".encode("ascii"),
        signature=_decode_part(signature_part, "signature"),
    )


def _verify_eddsa(key: PublicKey, signature: bytes, data: bytes) -> None:
    assert isinstance(key, Ed25519PublicKey)
    key.verify(signature, data)


def _verify_es256(key: PublicKey, signature: bytes, data: bytes) -> None:
    # JOSE carries ECDSA signatures as the raw 32-byte r || s (RFC 7518 section 3.4), not DER.
    assert isinstance(key, ec.EllipticCurvePublicKey)
    if len(signature) != 64:
        raise InvalidSignature
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))


def _verify_rs256(key: PublicKey, signature: bytes, data: bytes) -> None:
    assert isinstance(key, rsa.RSAPublicKey)
    key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())


def _is_ed25519(key: PublicKey) -> bool:
    return isinstance(key, Ed25519PublicKey)


def _is_p256(key: PublicKey) -> bool:
    return isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)


def _is_strong_rsa(key: PublicKey) -> bool:
    return isinstance(key, rsa.RSAPublicKey) and key.key_size >= MIN_RSA_BITS


@dataclass(frozen=True)
class JwsAlgorithm:
    """One allowed ``alg``: the only key type it may be used with, and its verify primitive."""

    name: str
    key_description: str
    fits: Callable[[PublicKey], bool]
    verify: Callable[[PublicKey, bytes, bytes], None]


ALLOWED_ALGORITHMS: Mapping[str, JwsAlgorithm] = {
    "EdDSA": JwsAlgorithm("EdDSA", "an Ed25519 key", _is_ed25519, _verify_eddsa),
    "ES256": JwsAlgorithm("ES256", "a P-256 key", _is_p256, _verify_es256),
    "RS256": JwsAlgorithm(
        "RS256", f"an RSA key of {MIN_RSA_BITS}+ bits", _is_strong_rsa, _verify_rs256
    ),
}


def describe_key(key: PublicKey) -> str:
    """A public, key-material-free description for reasons ("RSA-1024", "EC secp384r1")."""
    if isinstance(key, Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    return f"RSA-{key.key_size}"


def refused_header_reason(header: Mapping[str, Any]) -> str | None:
    """Why a protected header is refused before any key is looked up, or ``None`` if it is not."""
    alg = header.get("alg")
    if not isinstance(alg, str):
        return "the token has no 'alg' header"
    if alg.lower() == "none":
        return "unsecured tokens (alg 'none') are never accepted"
    if alg.upper().startswith("HS"):
        return (
            f"HMAC algorithms ({alg}) are never accepted: a credential needs a public-key signature"
        )
    if alg not in ALLOWED_ALGORITHMS:
        return f"alg {alg!r} is not allowed (allowed: {', '.join(ALLOWED_ALGORITHMS)})"
    if "crit" in header:
        return "the token has a 'crit' header; no JWS extensions are understood"
    if "b64" in header:
        return "unencoded payloads (RFC 7797 'b64') are refused"
    named = [name for name in KEY_SOURCE_PARAMETERS if name in header]
    if named:
        return f"the token names its own key source ({', '.join(named)}); such keys are never used"
    if "kid" in header and not isinstance(header["kid"], str):
        return "the 'kid' header is not a string"
    jwk = header.get("jwk")
    if jwk is not None:
        if not isinstance(jwk, dict):
            return "the 'jwk' header is not a JSON object"
        if len(public_jwk_of(jwk)) != len(jwk):
            return "the embedded 'jwk' contains private key members; it is refused"
    return None


def signature_failure(algorithm: JwsAlgorithm, key: PublicKey, jws: CompactJws) -> str | None:
    """Why the signature does not hold with ``key``, or ``None`` when it verifies."""
    if not algorithm.fits(key):
        return (
            f"alg {algorithm.name} needs {algorithm.key_description}; "
            f"the resolved key is {describe_key(key)}"
        )
    try:
        algorithm.verify(key, jws.signature, jws.signing_input)
    except InvalidSignature:
        return "the signature does not verify"
    return None
