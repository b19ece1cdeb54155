"""Response models of ``POST /api/v1/verify``, for the OpenAPI document (docs/verification.md).

The route returns the JSON that ``verifier.wording.rendering.explained_report`` builds; these models
describe it field by field, and a test keeps the two in step.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

OutcomeName = Literal["passed", "failed", "warning", "could_not_check"]
VerdictName = Literal["verified", "verified_with_warnings", "not_verified", "could_not_fully_check"]


class CheckOut(BaseModel):
    """One check: a stable ``id``, its outcome, and plain-language sentences."""

    id: str = Field(description="Stable check id: format, proof, issuer_key, issuer_trust, ...")
    outcome: OutcomeName
    message: str = Field(description="What was found, in one sentence.")
    meaning: str | None = Field(description="What this means for the reader.")
    next_step: str | None = Field(description="What to do next, when the check did not pass.")
    problem: str | None = Field(
        default=None, description="The W3C problem type URL, where the specs define one."
    )


class CredentialOut(BaseModel):
    """What the credential says about itself (claims, trusted as far as the checks say)."""

    kind: str
    id: str | None
    issuer_id: str | None
    issuer_claimed_name: str | None
    achievement: str | None
    subject_id: str | None
    subject_name: str | None
    valid_from: str | None
    valid_until: str | None


class IssuerOut(BaseModel):
    """The issuer as the trust registry knows it; only ``id`` and ``claimed_name`` when the
    registry does not list it (then ``recognized`` is false)."""

    id: str
    recognized: bool
    claimed_name: str | None
    name: str | None = Field(default=None, description="The registry's name, in ?lang.")
    name_en: str | None = None
    name_fr: str | None = None
    institution_type: str | None = None
    jurisdiction: str | None = None
    status: Literal["active", "suspended", "withdrawn"] | None = None
    registry: str | None = Field(default=None, description="The registry that lists it.")


class VerifyResponse(BaseModel):
    """A verification report. ``parts`` holds one report per credential inside a CLR or a
    presentation."""

    verified: bool = Field(description="True for verified and verified_with_warnings.")
    verdict: VerdictName
    summary: str = Field(description="The verdict in words, in ?lang.")
    advice: str = Field(description="One sentence on what the verdict means, in ?lang.")
    checks: list[CheckOut] = Field(description="Failed checks first, then in pipeline order.")
    credential: CredentialOut | None
    issuer: IssuerOut | None
    parts: list[VerifyResponse] | None = None
    email_check: (
        Literal["matches", "does not match", "no email identifier", "could not check"] | None
    ) = Field(
        default=None,
        description="With a Candidate-Email header: whether it is the email the credential's "
        "hashed identifier stands for (the hash itself is never shown).",
    )


class HostedCredential(BaseModel):
    """Ask the verifier to fetch a hosted credential (https only) and verify it."""

    url: str
