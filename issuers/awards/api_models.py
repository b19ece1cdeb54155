"""Request and response models of the awarding API (console forms reuse them)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from issuers.awards.service import AwardRequest, Learner
from issuers.awards.tables import AuditEvent, Award, AwardCopy
from issuers.cohorts.batches import Progress
from issuers.cohorts.cohort_file import CohortReport

Text = Annotated[str, Field(min_length=1, max_length=1000)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class EvidenceIn(_Strict):
    id: Annotated[str, Field(max_length=500)] | None = None
    name: Annotated[str, Field(max_length=300)] | None = None
    narrative: Annotated[str, Field(max_length=5000)] | None = None


class AwardCreate(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=300)]
    email: Annotated[str, Field(min_length=3, max_length=320)]
    did: Annotated[str, Field(max_length=512)] | None = None
    result: Annotated[str, Field(max_length=200)] | None = None
    evidence: Annotated[list[EvidenceIn], Field(max_length=20)] = []
    awarded_on: datetime | None = None
    valid_until: datetime | None = None
    external_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    # The learner's language: of the award email, and of the credential's texts when the
    # program has them in it (issuers.programs.text_language); the program's when left out.
    language: Literal["en", "fr"] | None = None

    def evidence_items(self) -> tuple[dict[str, Any], ...]:
        return tuple(item.model_dump(exclude_none=True) for item in self.evidence)

    def award_request(self) -> AwardRequest:
        """The service's request for this body (the API and the console both issue through it)."""
        return AwardRequest(
            learner=Learner(self.name, self.email, self.did),
            result=self.result,
            evidence=self.evidence_items(),
            awarded_on=self.awarded_on,
            valid_until=self.valid_until,
            external_id=self.external_id,
            language=self.language,
        )


class AwardCopyPublic(BaseModel):
    """A copy signed at claim time for a holder's key (``issuers.awards.holder_copies``), as
    delivered."""

    form: str
    holder_did: str
    signing_key_id: str
    created_at: datetime
    credential: str


class AwardPublic(BaseModel):
    id: str
    credential_id: str
    program_id: int
    external_id: str | None
    learner_name: str
    learner_email: str
    learner_did: str | None
    state: str
    status_purpose: str
    signing_key_id: str
    issued_at: datetime
    copies: list[AwardCopyPublic] = []

    @classmethod
    def of(cls, award: Award, copies: Sequence[AwardCopy] = ()) -> AwardPublic:
        public = cls.model_validate(award, from_attributes=True)
        public.copies = [AwardCopyPublic.model_validate(c, from_attributes=True) for c in copies]
        return public


class StatusChange(_Strict):
    action: Literal["revoke", "suspend", "restore"]
    reason: Text


class OfferCreate(_Strict):
    tx_code: bool = False


class OfferCreated(BaseModel):
    # The https page the learner clicks (claims into this deployment's passport, shows the rest).
    claim_url: str
    offer_uri: str
    qr_png_url: str
    qr_svg_url: str
    tx_code: str | None
    expires_at: datetime


class RowProblem(BaseModel):
    line: int
    column: str | None
    reason: str


class CohortValidation(BaseModel):
    rows: int
    valid: bool
    errors: list[RowProblem]
    truncated: bool

    @classmethod
    def of(cls, report: CohortReport) -> CohortValidation:
        problems = [
            RowProblem(line=e.line, column=e.column, reason=e.reason) for e in report.errors
        ]
        return cls(
            rows=report.row_count, valid=report.valid, errors=problems, truncated=report.truncated
        )


class BatchAccepted(BaseModel):
    batch_id: str | None
    validation: CohortValidation


class BatchProgress(BaseModel):
    batch_id: str
    state: str
    total: int
    issued: int
    existing: int

    @classmethod
    def of(cls, batch_id: str, progress: Progress) -> BatchProgress:
        return cls(
            batch_id=batch_id,
            state=progress.state,
            total=progress.total,
            issued=progress.issued,
            existing=progress.existing,
        )


class AuditEventPublic(BaseModel):
    id: int
    award_id: str | None
    actor: str
    action: str
    reason: str
    occurred_at: datetime

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventPublic:
        return cls.model_validate(event, from_attributes=True)


KeyId = Annotated[str, Field(min_length=1, max_length=512)]


class AffectedAwardsPage(BaseModel):
    """One page of the awards a compromised key signed (issuers.key_compromise.affected_awards)."""

    key_id: str
    total: int
    offset: int
    limit: int
    awards: list[AwardPublic]


class AffectedRevoke(_Strict):
    key_id: KeyId
    reason: Text


class AffectedRevoked(BaseModel):
    key_id: str
    revoked: int


class AffectedReissue(_Strict):
    key_id: KeyId
    limit: Annotated[int, Field(ge=1, le=500)] = 100


class ReissuedAward(BaseModel):
    """A re-issued award and the new claim offer for its learner (shown once)."""

    replaced_award_id: str
    award: AwardPublic
    offer_uri: str
    tx_code: str | None
    expires_at: datetime


class AffectedReissued(BaseModel):
    key_id: str
    reissued: list[ReissuedAward]
    remaining: int
