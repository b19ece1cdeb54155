"""SQLModel table of signing keys.

One row per verification method. ``id`` is the verification method id that proofs name
(``did:web:host:issuers:x#key-1`` or ``did:key:z6Mk...#z6Mk...``), so a credential is always
checked against the exact key that signed it, also after rotation. The private key is stored only
as an envelope (``keys.crypto_envelope``) and is left out of the row's ``repr``.

Invariants the database itself enforces (SQLite and PostgreSQL alike):
- at most one ``active`` key per owner (partial unique index ``uq_signing_key_active_owner``);
- an active key has no retirement or revocation time; a revoked key has both ``revoked_at`` and
  ``compromised_since``; only a revoked key may be unpublished.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import (
    CheckConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from infra import UTCDateTime


class KeyStatus(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"
    REVOKED = "revoked"


ED25519 = "Ed25519"


_ACTIVE_ONLY = text("status = 'active'")


class SigningKey(SQLModel, table=True):
    """An Ed25519 signing key of an issuer or a learner, with its lifecycle."""

    __tablename__: ClassVar[str] = "signing_key"
    __table_args__ = (
        Index(
            "uq_signing_key_active_owner",
            "owner_id",
            unique=True,
            sqlite_where=_ACTIVE_ONLY,
            postgresql_where=_ACTIVE_ONLY,
        ),
        UniqueConstraint("public_key_multibase", name="uq_signing_key_public_key"),
        CheckConstraint("status IN ('active', 'retired', 'revoked')", name="ck_signing_key_status"),
        CheckConstraint(f"algorithm = '{ED25519}'", name="ck_signing_key_algorithm"),
        CheckConstraint(
            "status <> 'active' OR (retired_at IS NULL AND revoked_at IS NULL)",
            name="ck_signing_key_active_times",
        ),
        CheckConstraint(
            "status <> 'revoked' OR (revoked_at IS NOT NULL AND compromised_since IS NOT NULL)",
            name="ck_signing_key_revoked_times",
        ),
        CheckConstraint("published OR status = 'revoked'", name="ck_signing_key_unpublished"),
    )

    id: str = Field(primary_key=True, sa_type=String(512))
    owner_id: str = Field(index=True, sa_type=String(200))
    did: str = Field(index=True, sa_type=String(512))
    algorithm: str = Field(default=ED25519, sa_type=String(16))
    public_key_multibase: str = Field(sa_type=String(128))
    encrypted_private_key: str = Field(sa_type=Text, repr=False)
    status: str = Field(default=KeyStatus.ACTIVE.value, sa_type=String(16))
    created_at: datetime = Field(sa_type=UTCDateTime)
    retired_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    compromised_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published: bool = Field(default=True)
