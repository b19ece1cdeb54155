"""Tables of institutions and their programs (the Achievements they award).

Tables are separate from the API models and from the credential models: a Program row becomes an
OB 3.0 ``Achievement`` through ``issuers.programs.achievements.achievement_for``, and an award
stores the signed credential bytes as issued (never re-serialized from rows).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, LargeBinary, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from infra import LoginFailureColumns, UTCDateTime


class InstitutionKind(StrEnum):
    """Ontario's kinds of postsecondary providers offering micro-credentials."""

    COLLEGE = "college"
    UNIVERSITY = "university"
    INDIGENOUS_INSTITUTE = "indigenous_institute"
    PRIVATE_CAREER_COLLEGE = "private_career_college"
    OTHER = "other_training_provider"


class DeliveryMode(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    HYBRID = "hybrid"
    WORK_INTEGRATED = "work_integrated"


class Institution(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(80), unique=True, nullable=False, index=True))
    legal_name_en: str = Field(max_length=300)
    legal_name_fr: str = Field(max_length=300)
    kind: str = Field(max_length=40)
    website: str = Field(max_length=500)
    logo_url: str | None = Field(default=None, max_length=500)
    # "#rrggbb": the colour of the institution's badge pictures (credentials.badge_art).
    brand_colour: str | None = Field(default=None, max_length=7)
    # The logo its badge pictures show: a small PNG we drew ourselves from the uploaded image
    # (credentials.badge_art.checked_logo), embedded in badges, never fetched from elsewhere.
    logo_png: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True), repr=False
    )
    contact_email: str = Field(max_length=320)
    region: str | None = Field(default=None, max_length=100)
    did: str = Field(sa_column=Column(String(512), unique=True, nullable=False))
    # OB 3.0 lets the subject carry the learner's name unhashed; institutions may turn it off.
    include_learner_name: bool = True
    # OB 3.0's schema allows one credentialStatus entry, so a credential carries either a
    # revocation or a suspension entry. Revocation is the default because every verifier checks
    # it; an institution that opts into suspension accepts that other verifiers will then show a
    # revoked credential as "suspended" (still not valid). Revocation stays final in our records.
    offers_suspension: bool = False
    # The JWT form of its awards: VC-JOSE-COSE "vc+jwt" (default) or OB 3.0 section 8.2
    # "ob-jwt" (typ JWT, iss/jti/sub/nbf/exp claims), which OB 3.0 wallets read.
    jwt_format: str = Field(
        default="vc+jwt", sa_column=Column(String(16), nullable=False, server_default="vc+jwt")
    )
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Program(SQLModel, table=True):
    """A micro-credential program with the metadata of Ontario's framework (eCampusOntario 2020)
    and the OSAP micro-credential guidance (hours, weeks, CIP 2021, up to three NOC 2021)."""

    __table_args__ = (UniqueConstraint("institution_id", "slug", name="uq_program_slug"),)

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    slug: str = Field(max_length=120)
    name_en: str | None = Field(default=None, max_length=300)
    name_fr: str | None = Field(default=None, max_length=300)
    description_en: str | None = Field(default=None, sa_column=Column(Text))
    description_fr: str | None = Field(default=None, sa_column=Column(Text))
    learning_outcomes: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON))
    criteria_en: str | None = Field(default=None, sa_column=Column(Text))
    criteria_fr: str | None = Field(default=None, sa_column=Column(Text))
    assessment_en: str | None = Field(default=None, sa_column=Column(Text))
    assessment_fr: str | None = Field(default=None, sa_column=Column(Text))
    hours: int
    weeks: int | None = None
    delivery_mode: str = Field(max_length=30)
    languages: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    price_cents: int | None = None
    osap_eligible: bool = False
    # OB Alignment objects: {"targetName", "targetUrl", "targetFramework", "targetCode"}.
    skills: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON))
    noc_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    cip_code: str | None = Field(default=None, max_length=10)
    sector: str | None = Field(default=None, max_length=100)
    registration_url: str | None = Field(default=None, max_length=500)
    start_dates: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # Achievement ids of larger credentials this one stacks into (CLR Association isPartOf).
    part_of: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    # Names of employer partners; those with a key of their own also endorse (ProgramEndorsement).
    employer_partners: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    published: bool = True
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Employer(SQLModel, table=True):
    """An employer partner: an entity with its own signing key (owner ``employer:<slug>``)."""

    __tablename__: ClassVar[str] = "employer"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_column=Column(String(80), unique=True, nullable=False, index=True))
    name: str = Field(max_length=300)
    website: str | None = Field(default=None, max_length=500)
    did: str = Field(sa_column=Column(String(512), unique=True, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ProgramEndorsement(SQLModel, table=True):
    """An OB 3.0 EndorsementCredential of a program, kept as the exact signed JSON text."""

    __tablename__: ClassVar[str] = "program_endorsement"

    id: int | None = Field(default=None, primary_key=True)
    program_id: int = Field(foreign_key="program.id", index=True)
    employer_id: int = Field(foreign_key="employer.id", index=True)
    credential_id: str = Field(sa_column=Column(String(100), unique=True, nullable=False))
    signing_key_id: str = Field(max_length=512)
    signed_json: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class ApiKey(SQLModel, table=True):
    """A staff API key: only its SHA-256 hash and a short lookup prefix are stored."""

    __tablename__: ClassVar[str] = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    prefix: str = Field(sa_column=Column(String(24), unique=True, nullable=False, index=True))
    secret_sha256: str = Field(max_length=64)
    actions: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    label: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class StaffUser(SQLModel, table=True):
    """A console user of one institution; the password is stored as an argon2id hash."""

    __tablename__: ClassVar[str] = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    institution_id: int = Field(foreign_key="institution.id", index=True)
    email: str = Field(sa_column=Column(String(320), unique=True, nullable=False, index=True))
    password_hash: str = Field(sa_column=Column(String(200), nullable=False), repr=False)
    # Login throttling lives in the row so every app process sees the same count.
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # None until the link of the confirmation email is followed (issuers.mail.staff_email).
    email_confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class StaffSession(SQLModel, table=True):
    """A console login; the cookie holds the token, the row only its SHA-256 hash."""

    __tablename__: ClassVar[str] = "staff_session"

    token_sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    staff_user_id: int = Field(foreign_key="staff_user.id", index=True)
    csrf_token: str = Field(max_length=64, repr=False)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class StaffLoginFailure(LoginFailureColumns, table=True):
    """One failed console login, for the per-address limit (``infra.login_limits``); the
    per-account lockout stays in ``StaffUser``. ``account_key`` is the SHA-256 of the email."""

    __tablename__: ClassVar[str] = "staff_login_failure"
