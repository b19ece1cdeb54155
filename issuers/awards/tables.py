"""Tables of awarding: awards, status lists, the audit log, cohort batches and credential offers.

An ``Award`` keeps the two signed forms of its credential exactly as issued (``ldp_credential``,
the JSON-LD text with its ``eddsa-rdfc-2022`` proof, and ``jwt_credential``, the ``vc+jwt``
compact JWS) in TEXT columns: they are served byte for byte and never rebuilt from the other
columns. ``signing_key_id`` names the exact verification method that signed both.

A ``StatusList`` holds one bitstring (Bitstring Status List 1.0) of 131,072 entries for one
institution and one purpose. ``allocated`` counts the positions handed out; the position is turned
into the published index by a keyed permutation whose key (``permutation_key``) never leaves the
database, so indexes are unpredictable (section 6.2, "herd privacy"). ``version`` grows with every
change of the bits; ``signed_version`` says which version ``signed_credential`` shows.

Secrets of offers (pre-authorized codes, access tokens, transaction codes) are stored as SHA-256
hashes only, like API keys.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, CheckConstraint, Column, Index, LargeBinary, String, Text
from sqlalchemy import UniqueConstraint as Unique
from sqlmodel import Field, SQLModel

from infra import UTCDateTime


class StatusPurpose(StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"


class AwardState(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    REVOKED = "revoked"


class BatchState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class RowState(StrEnum):
    PENDING = "pending"
    ISSUED = "issued"
    # The external id already had an award (a re-submitted file): nothing was issued again.
    EXISTING = "existing"


class StatusList(SQLModel, table=True):
    __tablename__: ClassVar[str] = "status_list"
    __table_args__ = (
        CheckConstraint("allocated >= 0 AND allocated <= size", name="ck_status_list_allocated"),
        CheckConstraint("purpose IN ('revocation', 'suspension')", name="ck_status_list_purpose"),
    )

    id: str = Field(primary_key=True, sa_type=String(40))
    institution_id: int = Field(foreign_key="institution.id", index=True)
    purpose: str = Field(sa_type=String(16))
    size: int
    allocated: int = 0
    permutation_key: str = Field(sa_type=String(64), repr=False)
    bits: bytes = Field(sa_column=Column(LargeBinary, nullable=False), repr=False)
    version: int = 1
    signed_version: int = 0
    signed_credential: str | None = Field(default=None, sa_column=Column(Text), repr=False)
    etag: str | None = Field(default=None, sa_type=String(80))
    signed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Award(SQLModel, table=True):
    __table_args__ = (
        Unique("institution_id", "program_id", "external_id", name="uq_award_external_id"),
        Unique("status_list_id", "status_index", name="uq_award_status_entry"),
        CheckConstraint("state IN ('active', 'suspended', 'revoked')", name="ck_award_state"),
    )

    id: str = Field(primary_key=True, sa_type=String(36))
    institution_id: int = Field(foreign_key="institution.id", index=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    external_id: str | None = Field(default=None, sa_type=String(200))
    batch_id: str | None = Field(
        default=None, foreign_key="batch.id", index=True, sa_type=String(36)
    )
    credential_id: str = Field(sa_type=String(100), unique=True)
    learner_name: str = Field(sa_type=String(300))
    learner_email: str = Field(sa_type=String(320), index=True)
    learner_did: str | None = Field(default=None, sa_type=String(512))
    result: str | None = Field(default=None, sa_type=String(200))
    signing_key_id: str = Field(sa_type=String(512))
    status_list_id: str = Field(foreign_key="status_list.id", sa_type=String(40))
    status_index: int
    status_purpose: str = Field(sa_type=String(16))
    state: str = Field(default=AwardState.ACTIVE.value, sa_type=String(16))
    ldp_credential: str = Field(sa_column=Column(Text, nullable=False), repr=False)
    jwt_credential: str = Field(sa_column=Column(Text, nullable=False), repr=False)
    valid_from: datetime = Field(sa_type=UTCDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    issued_at: datetime = Field(sa_type=UTCDateTime, index=True)
    # The award that re-issued this one after its signing key was compromised
    # (issuers.key_compromise.affected_awards): the old copy's share links say it was replaced.
    replaced_by: str | None = Field(default=None, sa_type=String(36))


class AuditEvent(SQLModel, table=True):
    """One line of the append-only audit log: who did what, when and why."""

    __tablename__: ClassVar[str] = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    award_id: str | None = Field(
        default=None, foreign_key="award.id", index=True, sa_type=String(36)
    )
    actor: str = Field(sa_type=String(200))
    action: str = Field(sa_type=String(40))
    reason: str = Field(sa_column=Column(Text, nullable=False))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    # The hash chain of the institution's events (issuers.audit.chain); None on events recorded
    # before the chain existed (migration 0016).
    previous_hash: str | None = Field(default=None, sa_type=String(64))
    entry_hash: str | None = Field(default=None, sa_type=String(64))


class Batch(SQLModel, table=True):
    """A cohort upload: validated in full before it is stored, then issued row by row."""

    id: str = Field(primary_key=True, sa_type=String(36))
    institution_id: int = Field(foreign_key="institution.id", index=True)
    program_id: int = Field(foreign_key="program.id")
    filename: str = Field(sa_type=String(300))
    state: str = Field(default=BatchState.QUEUED.value, sa_type=String(16))
    total_rows: int
    issued_rows: int = 0
    existing_rows: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))
    created_by: str = Field(sa_type=String(200))
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class BatchRow(SQLModel, table=True):
    __tablename__: ClassVar[str] = "batch_row"
    __table_args__ = (
        Unique("batch_id", "line_number", name="uq_batch_row_line"),
        Index("ix_batch_row_pending", "batch_id", "state", "line_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(foreign_key="batch.id", sa_type=String(36))
    line_number: int
    external_id: str = Field(sa_type=String(200))
    learner: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    state: str = Field(default=RowState.PENDING.value, sa_type=String(16))
    award_id: str | None = Field(default=None, foreign_key="award.id", sa_type=String(36))


class CredentialOffer(SQLModel, table=True):
    """An OpenID4VCI 1.0 pre-authorized code offer for one award (secrets stored hashed)."""

    __tablename__: ClassVar[str] = "credential_offer"

    id: str = Field(primary_key=True, sa_type=String(64))
    award_id: str = Field(foreign_key="award.id", index=True, sa_type=String(36))
    code_hash: str = Field(sa_type=String(64), unique=True)
    tx_code_hash: str | None = Field(default=None, sa_type=String(64))
    # Wrong transaction codes so far; at ``issuers.awards.offers.MAX_TX_CODE_FAILURES`` the offer
    # locks.
    tx_code_failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    expires_at: datetime = Field(sa_type=UTCDateTime)
    code_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    access_token_hash: str | None = Field(default=None, sa_type=String(64), unique=True)
    access_token_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    credential_issued_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)


class OfferNonce(SQLModel, table=True):
    """A ``c_nonce`` from the nonce endpoint (OpenID4VCI 1.0 section 7), usable once."""

    __tablename__: ClassVar[str] = "offer_nonce"

    nonce_hash: str = Field(primary_key=True, sa_type=String(64))
    expires_at: datetime = Field(sa_type=UTCDateTime)


class AwardCopy(SQLModel, table=True):
    """One copy of an award's credential signed at claim time for the holder who proved a key
    (OpenID4VCI 1.0 section 8): the same credential id and status entry as the award, the
    holder's DID as ``credentialSubject.id``. Kept as delivered, with the exact key that signed
    it, so key compromise records, downloads, backups and CLRs see every copy of an award."""

    __tablename__: ClassVar[str] = "award_copies"
    __table_args__ = (
        Unique("award_id", "form", "holder_did", name="uq_award_copy"),
        CheckConstraint("form IN ('json', 'jwt')", name="ck_award_copy_form"),
    )

    id: str = Field(primary_key=True, sa_type=String(36))
    award_id: str = Field(foreign_key="award.id", index=True, sa_type=String(36))
    # "json": the eddsa-rdfc-2022 JSON-LD text; "jwt": the compact JWS, as downloads name them.
    form: str = Field(sa_type=String(8))
    holder_did: str = Field(sa_type=String(512))
    signing_key_id: str = Field(sa_type=String(512), index=True)
    credential: str = Field(sa_column=Column(Text, nullable=False), repr=False)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class ClrRecord(SQLModel, table=True):
    """A Comprehensive Learner Record (CLR 2.0 ``ClrCredential``) an institution issued: the
    learner's awards from it, as signed, in one credential. Kept as issued, with its key."""

    __tablename__: ClassVar[str] = "clr_records"

    id: str = Field(primary_key=True, sa_type=String(36))
    institution_id: int = Field(foreign_key="institution.id", index=True)
    learner_email: str = Field(sa_type=String(320), index=True)
    credential_id: str = Field(sa_type=String(100), unique=True)
    signing_key_id: str = Field(sa_type=String(512), index=True)
    credential: str = Field(sa_column=Column(Text, nullable=False), repr=False)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
