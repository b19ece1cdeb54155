"""JSON Web Keys (RFC 7517/7518/8037) to and from ``cryptography`` keys.

Public JWKs of type OKP/Ed25519, EC/P-256 and RSA (>= 2048 bits) are read; Ed25519 private JWKs
(with ``d``) are read and written for the CLI's key files. Anything else is ``InvalidKey``.

>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> jwk = private_jwk(Ed25519PrivateKey.generate())
>>> sorted(public_jwk_of(jwk))
['crv', 'kty', 'x']
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from credentials.errors import InvalidInput, InvalidKey
from credentials.keys import PublicKey
from credentials.multibase import decode_base64url, encode_base64url

MIN_RSA_BITS = 2048


def _member(jwk: dict[str, Any], name: str) -> bytes:
    value = jwk.get(name)
    if not isinstance(value, str):
        raise InvalidKey(f"JWK member {name!r} is missing or not a string")
    try:
        return decode_base64url(value)
    except InvalidInput:
        raise InvalidKey(f"JWK member {name!r} is not base64url") from None


def public_key_from_jwk(jwk: Any) -> PublicKey:
    """The public key of a JWK. Private members are ignored, never echoed in errors."""
    if not isinstance(jwk, dict):
        raise InvalidKey("a JWK must be a JSON object")
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        raw = _member(jwk, "x")
        if len(raw) != 32:
            raise InvalidKey("Ed25519 JWK 'x' must be 32 bytes")
        return Ed25519PublicKey.from_public_bytes(raw)
    if kty == "EC" and crv == "P-256":
        x, y = _member(jwk, "x"), _member(jwk, "y")
        if len(x) != 32 or len(y) != 32:
            raise InvalidKey("P-256 JWK coordinates must be 32 bytes")
        try:
            numbers = ec.EllipticCurvePublicNumbers(
                int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
            )
            return numbers.public_key()
        except ValueError:
            raise InvalidKey("P-256 JWK point is not on the curve") from None
    if kty == "RSA":
        n, e = _member(jwk, "n"), _member(jwk, "e")
        if len(n) * 8 < MIN_RSA_BITS:
            raise InvalidKey(f"RSA keys under {MIN_RSA_BITS} bits are refused")
        try:
            return rsa.RSAPublicNumbers(
                int.from_bytes(e, "big"), int.from_bytes(n, "big")
            ).public_key()
        except ValueError:
            raise InvalidKey("RSA JWK is not a valid public key") from None
    raise InvalidKey(f"unsupported JWK type kty={kty!r} crv={crv!r}")


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": encode_base64url(key.public_bytes(Encoding.Raw, PublicFormat.Raw)),
    }


def private_jwk(key: Ed25519PrivateKey) -> dict[str, str]:
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return {**public_jwk(key.public_key()), "d": encode_base64url(seed)}


def public_jwk_of(jwk: dict[str, Any]) -> dict[str, Any]:
    """The JWK without its private members (RFC 7518 section 6)."""
    private = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}
    return {name: value for name, value in jwk.items() if name not in private}


def ed25519_private_key_from_jwk(jwk: Any) -> Ed25519PrivateKey:
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise InvalidKey("expected an Ed25519 private JWK (kty OKP, crv Ed25519)")
    seed = _member(jwk, "d")
    if len(seed) != 32:
        raise InvalidKey("Ed25519 JWK 'd' must be 32 bytes")
    key = Ed25519PrivateKey.from_private_bytes(seed)
    if "x" in jwk and _member(jwk, "x") != key.public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw
    ):
        raise InvalidKey("the JWK's 'x' does not match its private key")
    return key
