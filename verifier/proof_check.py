"""Check 2, "proof": run the securing mechanism and turn its results into one check.

A document may carry several proofs (VC Data Integrity 1.0 section 2.1.2 "Proof Sets"); OB 3.0
section 8.2 lets verifiers accept any one. We pass when at least one proof of an allowed
mechanism verifies and no proof of an allowed mechanism fails: a failing proof of a mechanism we
understand is a tampering signal even when another proof passes. Proofs of mechanisms outside the
allow-list are ignored when another proof passes, and otherwise make the check "could not check"
by name; a credential with no proof at all is not verified ("carries no signature").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from credentials import (
    FOREIGN_KEY,
    Check,
    IssuerBoundResolver,
    KeyResolver,
    Outcome,
    ProofExpectations,
    ProofVerification,
    is_supported_mechanism,
    refusal,
    verify_data_integrity,
    verify_jws,
)

CHECK_ID = "proof"


@dataclass(frozen=True)
class ProofOutcome:
    """The check, and the proof that carried it (its key, for the issuer-key check)."""

    check: Check
    accepted: ProofVerification | None
    # A key refused before any fetch because it cannot be the issuer's (``key_binding``).
    foreign_key: str | None = None


def combine_proof_results(results: Sequence[ProofVerification]) -> ProofOutcome:
    if not results:
        missing = Check.of(CHECK_ID, Outcome.FAILED, "proof.missing", reason="no proof")
        return ProofOutcome(missing, None)
    understood = [result for result in results if is_supported_mechanism(result.mechanism)]
    failures = [result for result in understood if result.outcome is Outcome.FAILED]
    passed = [result for result in understood if result.outcome is Outcome.PASSED]
    if failures:
        first = failures[0]
        foreign = next((r for r in failures if r.message_key == FOREIGN_KEY), None)
        if foreign is not None:
            key = foreign.verification_method or "?"
            return ProofOutcome(_check(foreign, "proof.failed", key=key), None, key)
        return ProofOutcome(_check(first, "proof.failed", reason=first.reason), None)
    if passed:
        first = passed[0]
        return ProofOutcome(_check(first, "proof.ok", mechanism=first.mechanism), first)
    unavailable = [result for result in understood if result.outcome is Outcome.COULD_NOT_CHECK]
    if unavailable:
        first = unavailable[0]
        return ProofOutcome(_check(first, "proof.unavailable", reason=first.reason), None)
    # Only proofs we cannot read: a malformed or missing proof fails; a mechanism we do not
    # implement is named, since the credential may well be genuine (issue #12).
    broken = [result for result in results if result.outcome is Outcome.FAILED] or list(results)
    first = broken[0]
    return ProofOutcome(
        _check(first, "proof.failed", reason=first.reason, mechanism=first.mechanism), None
    )


def _check(result: ProofVerification, message_key: str, **params: str) -> Check:
    return Check.of(
        CHECK_ID, result.outcome, result.message_key or message_key, result.problem_type, **params
    )


def check_embedded_proofs(
    document: dict[str, Any],
    resolver: KeyResolver,
    expectations: ProofExpectations,
    signer: str | None = None,
) -> ProofOutcome:
    """Verify the Data Integrity proofs of ``document``, resolving only keys that can belong to
    ``signer`` (the issuer, or a presentation's holder) when it is given."""
    bound = IssuerBoundResolver(resolver, signer)
    results = verify_data_integrity(document, bound, expectations)
    if signer is not None and bound.refused is not None:
        refused = refusal(bound.refused, signer)
        results = [
            replace(result, verification_method=bound.refused, message_key=FOREIGN_KEY)
            if result.reason == refused
            else result
            for result in results
        ]
    return combine_proof_results(results)


@dataclass(frozen=True)
class JwsOutcome:
    proof: ProofOutcome
    credential: dict[str, Any] | None


def check_jws(token: str, resolver: KeyResolver, now: datetime, leeway: timedelta) -> JwsOutcome:
    verification = verify_jws(token, resolver, now=now, leeway=leeway)
    return JwsOutcome(combine_proof_results([verification.proof]), verification.credential)
