"""Key compromise: a proof made with a key its controller reported compromised fails.

Controlled Identifiers 1.0 section 2.2.1: a verification method may carry ``revoked``, the time
from which it must no longer be trusted. A proof's ``created`` (and a JWT's ``iat``) is written by
whoever holds the key, so once the key may be in a thief's hands the date proves nothing: every
proof made with a revoked key fails, whatever date it claims ("signed with a key its issuer
reported compromised on ..."). The one exception is the deployment's own records, the truth for
its own institutions (did:key ones included, whose documents cannot say ``revoked``): a
credential it issued and recorded before the compromise, with exactly the same signature, is
still genuine (``VerificationContext.own_records``).
"""

from __future__ import annotations

from typing import Any

from credentials import Check, Outcome, PassportError
from verifier.context import VerificationContext
from verifier.proof_check import CHECK_ID, ProofOutcome


def proof_value_of(document: dict[str, Any], verification_method: str) -> str | None:
    """The ``proofValue`` of the document's proof made with ``verification_method``."""
    proofs = document.get("proof", [])
    for proof in proofs if isinstance(proofs, list) else [proofs]:
        if isinstance(proof, dict) and proof.get("verificationMethod") == verification_method:
            value = proof.get("proofValue")
            return value if isinstance(value, str) else None
    return None


def jws_signature(token: str) -> str:
    """The signature part of a compact JWS (RFC 7515 section 7.1)."""
    return token.rsplit(".", 1)[-1]


def honour_key_compromise(
    proof: ProofOutcome, signature: str | None, context: VerificationContext
) -> ProofOutcome:
    """``proof`` unchanged unless the key that made it is revoked; then a failed proof check
    naming the compromise date, except for our own credentials recorded before it."""
    accepted = proof.accepted
    if accepted is None or accepted.verification_method is None:
        return proof
    try:
        method = context.resolver.resolve(accepted.verification_method)
    except PassportError:
        return proof  # it resolved for the proof a moment ago; the proof check stands
    if method.revoked is None:
        return proof
    own = context.own_records
    if own is not None and signature and own.recorded_before_compromise(method.id, signature):
        return proof
    date = method.revoked.strftime("%Y-%m-%d %H:%M UTC")
    check = Check.of(CHECK_ID, Outcome.FAILED, "proof.key_compromised", date=date)
    return ProofOutcome(check, None)
