"""Types shared by every securing mechanism.

A mechanism secures a credential with a ``Signer`` and verifies with a ``KeyResolver``. Verifying
returns a ``ProofVerification`` (an outcome, never an exception for a bad signature); malformed
proofs whose shape cannot even be read also come back as a failed verification with the reason,
so one broken proof never hides the report of the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from credentials.keys import ASSERTION_METHOD, KeyResolver, Signer
from credentials.report import Outcome


@dataclass(frozen=True)
class ProofOptions:
    """Options of VC Data Integrity 1.0 section 4.2 "Add Proof"; ``created`` is passed in."""

    created: datetime
    proof_purpose: str = ASSERTION_METHOD
    challenge: str | None = None
    domain: str | None = None
    expires: datetime | None = None


@dataclass(frozen=True)
class ProofExpectations:
    """What the verifier requires of a proof (VC Data Integrity 1.0 section 4.4 step 7).

    ``now`` (passed in: the core reads no clock) dates the proof: a ``created`` later than
    ``now + leeway`` or an ``expires`` earlier than ``now - leeway`` fails (section 2.1 "Proofs",
    steps 12-13 of 4.4 in the 2025 Recommendation). Without ``now`` the dates are not checked.
    """

    proof_purpose: str = ASSERTION_METHOD
    challenge: str | None = None
    domain: str | None = None
    now: datetime | None = None
    leeway: timedelta = timedelta(0)


@dataclass(frozen=True)
class ProofVerification:
    """The result of verifying one proof.

    ``reason`` is a short plain-English sentence without key material. ``verification_method``
    and ``controller`` are those of the resolved key, for the issuer-binding check.
    ``message_key`` names a sentence of its own where the generic one for the outcome would
    mislead (a proof dated in the future was not "changed after it was signed").
    """

    mechanism: str
    outcome: Outcome
    reason: str
    verification_method: str | None = None
    controller: str | None = None
    problem_type: str | None = None
    message_key: str | None = None

    @property
    def verified(self) -> bool:
        return self.outcome is Outcome.PASSED


class DataIntegritySuite(Protocol):
    """A Data Integrity cryptosuite (VC Data Integrity 1.0 section 3)."""

    @property
    def cryptosuite(self) -> str: ...

    def add_proof(
        self, document: dict[str, Any], signer: Signer, options: ProofOptions
    ) -> dict[str, Any]:
        """Return a new document: ``document`` with the new proof added (section 4.2)."""
        ...

    def verify_proof(
        self,
        document: dict[str, Any],
        proof: dict[str, Any],
        resolver: KeyResolver,
        expectations: ProofExpectations,
    ) -> ProofVerification:
        """Verify ``proof`` over ``document`` (which may still carry its ``proof`` member)."""
        ...
