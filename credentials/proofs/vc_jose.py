"""JWT-secured credentials: VC-JOSE-COSE ``vc+jwt`` (W3C Recommendation 2025), issued and read;
Open Badges 3.0's JWT profile and the older ``vc``-claim form, read only.

Three token shapes are told apart by ``typ`` and the payload, each verified as its own mechanism:

- ``vc+jwt`` (mechanism ``vc+jwt``): VC-JOSE-COSE section 3.1.1; ``typ`` ``vc+jwt`` (``vp+jwt`` for
  a presentation, section 3.1.2). The payload *is* the credential; ``vc``/``vp`` claims MUST NOT
  be present; ``iss``, if present, MUST equal the issuer (the holder for a presentation).
- ``ob-jwt`` (mechanism ``ob-jwt``): OB 3.0 section 8.2 "JSON Web Token Proof Format"; ``typ``
  ``JWT`` or absent. As the 1EdTech validator's baked badges show, the payload is the credential
  with the registered claims beside it: ``iss`` = issuer.id, ``jti`` = id, ``nbf`` = validFrom,
  ``sub`` = credentialSubject.id, ``exp`` = validUntil ("JWT Payload Format"), each checked when
  present.
- ``vc-claim`` (mechanism ``vc-claim-jwt``): VC Data Model 1.1 section 6.3.1, the credential in
  the ``vc`` claim (``vp`` for a presentation), with the same claim mapping (1EdTech
  ``simple.jwt``).

The verification key is the ``kid`` (a relative ``#frag`` is joined to ``iss`` or the issuer id),
or without one the issuer id itself (a did:key names exactly its one key), always resolved through
the ``KeyResolver``: never a URL the token names (``jku``/``x5u``/``x5c`` are refused). A public
``jwk`` header is used only when the issuer's own key is that same key. Whether the resolved key's
controller is the issuer is the verifier's issuer-binding step, as for Data Integrity proofs.

>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> from datetime import datetime, timezone
>>> from credentials.did import offline_resolver
>>> from credentials.keys import Ed25519Signer
>>> from credentials.multikey import did_key_for, did_key_verification_method
>>> key = Ed25519PrivateKey.generate()
>>> did = did_key_for(key.public_key())
>>> signer = Ed25519Signer(key, did_key_verification_method(did))
>>> token = sign_vc_jwt({"type": ["VerifiableCredential"], "issuer": did}, signer)
>>> now = datetime(2025, 1, 1, tzinfo=timezone.utc)
>>> result = verify_jws(token, offline_resolver(), now=now)
>>> (result.shape, result.proof.outcome.value)
('vc+jwt', 'passed')
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credentials.errors import (
    InvalidInput,
    InvalidKey,
    KeyNotFound,
    ResolutionUnavailable,
    UnsupportedMechanism,
)
from credentials.jwk import public_key_from_jwk
from credentials.key_binding import FOREIGN_KEY, IssuerBoundResolver
from credentials.keys import (
    ASSERTION_METHOD,
    AUTHENTICATION,
    KeyResolver,
    PublicKey,
    Signer,
    VerificationMethod,
)
from credentials.multibase import encode_base64url
from credentials.proofs.base import ProofVerification
from credentials.proofs.jws import (
    ALLOWED_ALGORITHMS,
    CompactJws,
    looks_like_compact_jws,
    parse_compact_jws,
    refused_header_reason,
    signature_failure,
)
from credentials.report import Outcome

__all__ = [
    "JWT_MECHANISM",
    "READ_ONLY_JWT_MECHANISMS",
    "JwtVerification",
    "looks_like_compact_jws",
    "sign_vc_jwt",
    "verify_jws",
]

JWT_MECHANISM = "vc+jwt"
OB_JWT_MECHANISM = "ob-jwt"
VC_CLAIM_MECHANISM = "vc-claim-jwt"
READ_ONLY_JWT_MECHANISMS = (OB_JWT_MECHANISM, VC_CLAIM_MECHANISM)
# VC Data Model 2.0 section 7.1: the problem type for a signature or key that does not hold.
CRYPTOGRAPHIC_SECURITY_ERROR = "https://www.w3.org/TR/vc-data-model#CRYPTOGRAPHIC_SECURITY_ERROR"
EMBEDDED_KEY_NOT_ISSUERS = "the token's embedded key is not a key of the issuer"

Shape = Literal["vc+jwt", "ob-jwt", "vc-claim"]
_MECHANISMS: dict[Shape, str] = {
    "vc+jwt": JWT_MECHANISM,
    "ob-jwt": OB_JWT_MECHANISM,
    "vc-claim": VC_CLAIM_MECHANISM,
}
# RFC 7515 section 4.1.9: typ may drop the "application/" prefix; media types ignore case.
_JOSE_TYPES = frozenset({"vc+jwt", "vp+jwt"})
_OB_TYPES = {None, "jwt"}


@dataclass(frozen=True)
class JwtVerification:
    """A verified (or refused) token: its ``shape``, the ``credential`` it carries (``None`` when
    a ``vc``/``vp`` claim is not an object), its protected ``header``, and the ``proof`` outcome."""

    shape: Shape
    credential: dict[str, Any] | None
    header: dict[str, Any]
    proof: ProofVerification


def _is_presentation(document: dict[str, Any]) -> bool:
    types = document.get("type")
    return types == "VerifiablePresentation" or (
        isinstance(types, list) and "VerifiablePresentation" in types
    )


def sign_vc_jwt(credential: dict[str, Any], signer: Signer) -> str:
    """Secure a credential (or presentation) as ``vc+jwt`` (``vp+jwt``): VC-JOSE-COSE section 3.1.

    The payload is the document itself, compact UTF-8 JSON; only ``signer.sign`` sees the bytes.
    """
    if "vc" in credential or "vp" in credential:
        raise InvalidInput("a vc+jwt payload MUST NOT contain 'vc' or 'vp' (VC-JOSE-COSE 3.1.1)")
    kind = "vp" if _is_presentation(credential) else "vc"
    return compact_jws({"typ": f"{kind}+jwt", "cty": kind}, credential, signer)


def compact_jws(header: dict[str, Any], payload: dict[str, Any], signer: Signer) -> str:
    """A compact JWS (RFC 7515 section 7.1) of ``payload`` as compact UTF-8 JSON, ``header``
    completed with the signer's ``alg`` and ``kid``."""
    if signer.algorithm not in ALLOWED_ALGORITHMS:
        raise UnsupportedMechanism(
            f"signer algorithm {signer.algorithm!r} is not an allowed JWS alg"
        )
    protected = {"alg": signer.algorithm, **header, "kid": signer.verification_method}
    try:
        encoded = json.dumps(
            payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        ).encode("utf-8")
    except (TypeError, ValueError) as exc:
        # UnicodeEncodeError (a lone surrogate) is a ValueError too.
        raise InvalidInput(f"the credential cannot be serialized as JSON: {exc}") from None
    header_part = encode_base64url(json.dumps(protected, separators=(",", ":")).encode("ascii"))
    signing_input = f"{header_part}.{encode_base64url(encoded)}"
    signature = signer.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{encode_base64url(signature)}"


def _issuer_id(document: dict[str, Any], presentation: bool) -> str | None:
    value = document.get("holder" if presentation else "issuer")
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else None


def _numeric_date(value: Any) -> float | None:
    """An RFC 7519 section 2 NumericDate (a JSON number, never a boolean), else ``None``."""
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _same_instant(numeric: Any, text: Any) -> bool:
    seconds = _numeric_date(numeric)
    if seconds is None or not isinstance(text, str):
        return False
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return False
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # A NumericDate may drop the fraction of a second that an XML Schema dateTime keeps.
    return abs(moment.timestamp() - seconds) < 1


def _subject_ids(credential: dict[str, Any]) -> list[Any]:
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    return [subject.get("id") for subject in subjects if isinstance(subject, dict)]


def _claims_failure(
    jose: bool, payload: dict[str, Any], credential: dict[str, Any], presentation: bool
) -> str | None:
    """Registered claims that contradict the credential they secure.

    VC-JOSE-COSE 3.1.1/3.1.2 ties only ``iss``; the OB 3.0 JWT profile (section 8.2, "JWT Payload
    Format") and VC Data Model 1.1 section 6.3.1 also tie ``jti``, ``sub``, ``nbf`` and ``exp``.
    An absent claim is no contradiction (the signature covers the credential either way); a claim
    whose credential property is absent is one.
    """
    holder_or_issuer = "holder" if presentation else "issuer"
    if "iss" in payload and payload["iss"] != _issuer_id(credential, presentation):
        return f"the iss claim does not match the {holder_or_issuer} id"
    if jose:
        return None
    if "jti" in payload and payload["jti"] != credential.get("id"):
        return "the jti claim does not match the credential id"
    if presentation:
        return None
    if "sub" in payload and payload["sub"] not in _subject_ids(credential):
        return "the sub claim does not match credentialSubject.id"
    valid_from = credential.get("validFrom", credential.get("issuanceDate"))
    if "nbf" in payload and not _same_instant(payload["nbf"], valid_from):
        return "the nbf claim does not match validFrom"
    valid_until = credential.get("validUntil", credential.get("expirationDate"))
    if "exp" in payload and not _same_instant(payload["exp"], valid_until):
        return "the exp claim does not match validUntil"
    return None


def _time_failure(payload: dict[str, Any], now: datetime, leeway: timedelta) -> str | None:
    """RFC 7519 sections 4.1.4 and 4.1.5, with ``leeway`` for clock skew."""
    instant, slack = now.timestamp(), leeway.total_seconds()
    for claim in ("exp", "nbf"):
        if claim in payload and _numeric_date(payload[claim]) is None:
            return f"the {claim} claim is not a NumericDate"
    if "exp" in payload and instant > payload["exp"] + slack:
        return "the token has expired"
    if "nbf" in payload and instant + slack < payload["nbf"]:
        return "the token is not yet valid"
    return None


def _typ(header: dict[str, Any]) -> str | None:
    typ = header.get("typ")
    return typ.lower().removeprefix("application/") if isinstance(typ, str) else None


def _shape_of(typ: str | None, payload: dict[str, Any]) -> tuple[Shape, dict[str, Any] | None]:
    if typ in _JOSE_TYPES:
        return "vc+jwt", payload
    if "vc" in payload or "vp" in payload:
        claim = payload.get("vc", payload.get("vp"))
        return "vc-claim", claim if isinstance(claim, dict) else None
    return "ob-jwt", payload


def _shape_failure(
    typ: str | None, shape: Shape, payload: dict[str, Any], credential: dict[str, Any]
) -> str | None:
    """Refusals that depend on the token type rather than on the key or the signature."""
    if typ not in _JOSE_TYPES and typ not in _OB_TYPES:
        return f"typ {typ!r} is not a credential token type (vc+jwt, vp+jwt or JWT)"
    if shape == "vc+jwt":
        if "vc" in payload or "vp" in payload:
            return "a vc+jwt payload MUST NOT contain 'vc' or 'vp' claims (VC-JOSE-COSE 3.1.1)"
        if (typ == "vp+jwt") != _is_presentation(credential):
            return f"typ {typ} does not match the payload's type"
    return None


def _key_reference(
    header: dict[str, Any], payload: dict[str, Any], issuer: str | None
) -> str | None:
    kid = header.get("kid")
    if not isinstance(kid, str):
        return issuer
    if not kid.startswith("#"):
        return kid
    base = payload.get("iss") if isinstance(payload.get("iss"), str) else issuer
    return f"{base.split('#', 1)[0]}{kid}" if base else None


def _same_key(first: PublicKey, second: PublicKey) -> bool:
    spki = (Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return first.public_bytes(*spki) == second.public_bytes(*spki)


def _outcome(
    mechanism: str,
    outcome: Outcome,
    reason: str,
    method: VerificationMethod | None = None,
    problem_type: str | None = None,
) -> ProofVerification:
    return ProofVerification(
        mechanism=mechanism,
        outcome=outcome,
        reason=reason,
        verification_method=method.id if method else None,
        controller=method.controller if method else None,
        problem_type=problem_type,
    )


def _issuer_key(
    mechanism: str, jws: CompactJws, issuer: str | None, resolver: KeyResolver
) -> VerificationMethod | ProofVerification:
    """The issuer's key for this token, or the outcome that says why there is none."""
    embedded = jws.header.get("jwk")
    reference = _key_reference(jws.header, jws.payload, issuer)
    if reference is None:
        return _outcome(mechanism, Outcome.FAILED, "the token names no key (no kid, no issuer)")
    try:
        method = resolver.resolve(reference)
    except ResolutionUnavailable as exc:
        reason = f"the issuer's key {reference!r} cannot be resolved here: {exc.message}"
        return _outcome(mechanism, Outcome.COULD_NOT_CHECK, reason)
    except (KeyNotFound, InvalidKey) as exc:
        reason = (
            EMBEDDED_KEY_NOT_ISSUERS if embedded is not None else f"no usable key: {exc.message}"
        )
        return _outcome(
            mechanism, Outcome.FAILED, reason, problem_type=CRYPTOGRAPHIC_SECURITY_ERROR
        )
    if embedded is not None:
        try:
            same = _same_key(public_key_from_jwk(embedded), method.public_key)
        except InvalidKey as exc:
            return _outcome(
                mechanism, Outcome.FAILED, f"the embedded jwk is unusable: {exc.message}"
            )
        if not same:
            return _outcome(
                mechanism,
                Outcome.FAILED,
                EMBEDDED_KEY_NOT_ISSUERS,
                method,
                CRYPTOGRAPHIC_SECURITY_ERROR,
            )
    return method


def _verify_proof(
    shape: Shape,
    jws: CompactJws,
    credential: dict[str, Any] | None,
    resolver: KeyResolver,
    *,
    now: datetime,
    leeway: timedelta,
) -> ProofVerification:
    """Header allow-list, type, key, signature, then claims and time: the first failure wins."""
    mechanism = _MECHANISMS[shape]
    if credential is None:
        return _outcome(mechanism, Outcome.FAILED, "the token's 'vc'/'vp' claim is not an object")
    refusal = refused_header_reason(jws.header)
    refusal = refusal or _shape_failure(_typ(jws.header), shape, jws.payload, credential)
    if refusal is not None:
        return _outcome(
            mechanism, Outcome.FAILED, refusal, problem_type=CRYPTOGRAPHIC_SECURITY_ERROR
        )
    presentation = _is_presentation(credential)
    issuer = _issuer_id(credential, presentation)
    bound = IssuerBoundResolver(resolver, issuer)
    method = _issuer_key(mechanism, jws, issuer, bound)
    if isinstance(method, ProofVerification):
        if bound.refused is not None:
            return replace(method, verification_method=bound.refused, message_key=FOREIGN_KEY)
        return method
    purpose = AUTHENTICATION if presentation else ASSERTION_METHOD
    if purpose not in method.relationships:
        reason = f"the key {method.id} is not listed for {purpose}"
        return _outcome(mechanism, Outcome.FAILED, reason, method, CRYPTOGRAPHIC_SECURITY_ERROR)
    failure = signature_failure(ALLOWED_ALGORITHMS[jws.header["alg"]], method.public_key, jws)
    if failure is not None:
        return _outcome(mechanism, Outcome.FAILED, failure, method, CRYPTOGRAPHIC_SECURITY_ERROR)
    failure = _claims_failure(shape == "vc+jwt", jws.payload, credential, presentation)
    failure = failure or _time_failure(jws.payload, now, leeway)
    if failure is not None:
        return _outcome(mechanism, Outcome.FAILED, failure, method)
    return _outcome(mechanism, Outcome.PASSED, f"the signature verifies with {method.id}", method)


def verify_jws(
    token: str,
    resolver: KeyResolver,
    *,
    now: datetime,
    leeway: timedelta = timedelta(seconds=60),
) -> JwtVerification:
    """Verify a compact JWS carrying a credential in any of the three shapes (module docstring).

    A token that is not a compact JWS with JSON header and payload raises ``InvalidInput``;
    everything else (refused headers, unknown keys, bad signatures, claim mismatches, expiry) is
    returned in ``proof``. ``now`` must be timezone-aware.
    """
    if now.tzinfo is None:
        raise InvalidInput("'now' must be a timezone-aware datetime")
    jws = parse_compact_jws(token)
    shape, credential = _shape_of(_typ(jws.header), jws.payload)
    proof = _verify_proof(shape, jws, credential, resolver, now=now, leeway=leeway)
    return JwtVerification(shape=shape, credential=credential, header=jws.header, proof=proof)
