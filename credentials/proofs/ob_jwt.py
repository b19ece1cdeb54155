"""Open Badges 3.0 section 8.2 "JSON Web Token Proof Format", issued (``ob-jwt``).

Beside VC-JOSE-COSE ``vc+jwt``, an institution may issue the JWT shape OB 3.0 itself describes,
which OB 3.0 wallets and the 1EdTech validator read: the JOSE header has ``typ`` ``JWT``
(section 8.2.2), and the payload is the credential with the registered claims beside it
(section 8.2.3 "JWT Payload Format"): ``iss`` = ``issuer.id``, ``jti`` = ``id``, ``nbf`` =
``validFrom``, ``sub`` = ``credentialSubject.id`` and ``exp`` = ``validUntil`` when those exist,
as RFC 7519 NumericDates. ``credentials.proofs.vc_jose`` verifies it (shape ``ob-jwt``) and
checks each claim against the credential.

>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> from credentials.keys import Ed25519Signer
>>> from credentials.multikey import did_key_for, did_key_verification_method
>>> did = did_key_for((key := Ed25519PrivateKey.generate()).public_key())
>>> signer = Ed25519Signer(key, did_key_verification_method(did))
>>> token = sign_ob_jwt({"id": "urn:uuid:1", "issuer": did, "validFrom": "2025-01-01T00:00:00Z",
...     "credentialSubject": {"id": "did:example:1"}}, signer)
>>> from credentials.proofs.jws import parse_compact_jws
>>> jws = parse_compact_jws(token)
>>> jws.header["typ"], jws.payload["jti"], jws.payload["nbf"], jws.payload["sub"]
('JWT', 'urn:uuid:1', 1735689600, 'did:example:1')
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from credentials.errors import InvalidInput
from credentials.keys import Signer
from credentials.proofs.vc_jose import OB_JWT_MECHANISM, compact_jws

__all__ = ["OB_JWT_MECHANISM", "registered_claims", "sign_ob_jwt"]

REGISTERED = ("iss", "jti", "sub", "nbf", "exp")


def _numeric_date(text: Any, name: str) -> int:
    if not isinstance(text, str):
        raise InvalidInput(f"{name} must be a dateTime to become a JWT claim")
    moment = datetime.fromisoformat(text)
    return int((moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp())


def registered_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """Section 8.2.3: the JWT claims that mirror the credential's own properties."""
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    claims: dict[str, Any] = {"iss": issuer_id, "jti": credential.get("id")}
    if not isinstance(issuer_id, str) or not isinstance(claims["jti"], str):
        raise InvalidInput("an OB 3.0 JWT needs the credential's issuer id and id")
    subject = credential.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("id"), str):
        claims["sub"] = subject["id"]
    claims["nbf"] = _numeric_date(credential.get("validFrom"), "validFrom")
    if "validUntil" in credential:
        claims["exp"] = _numeric_date(credential["validUntil"], "validUntil")
    return claims


def sign_ob_jwt(credential: dict[str, Any], signer: Signer) -> str:
    """Secure ``credential`` in the OB 3.0 section 8.2 JWT shape."""
    clashing = sorted(set(REGISTERED) & set(credential))
    if clashing:
        raise InvalidInput(f"the credential already has JWT claim names: {', '.join(clashing)}")
    return compact_jws({"typ": "JWT"}, {**credential, **registered_claims(credential)}, signer)
