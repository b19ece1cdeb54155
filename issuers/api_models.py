"""Request and response models of the issuer API (and of the console forms, which reuse them).

Validation happens here, once: a request that breaks a rule is answered 422 problem+json naming
each field and why (``passport.errors``). The limits follow Ontario's OSAP micro-credential
guidance where it has one (standards digest section 10: up to three NOC 2021 codes, a CIP 2021
code) and are generous elsewhere (hours 1..2000, weeks 1..104).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from issuers.tables import DeliveryMode, InstitutionKind

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
# A pragmatic address check (one @, a dotted domain, no spaces): deliverability is not our call.
_EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
_WEB_URL = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][^\s]*)?")


def _email(value: str) -> str:
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        raise ValueError("not a valid email address")
    return value


def _web_url(value: str) -> str:
    if len(value) > 500 or not _WEB_URL.fullmatch(value):
        raise ValueError("not an absolute http(s) URL")
    return value


Email = Annotated[str, AfterValidator(_email)]
WebUrl = Annotated[str, AfterValidator(_web_url)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
Language = Literal["en", "fr"]
Action = Literal["issue", "revoke", "manage_programs", "manage_keys", "manage_api_keys"]
# Room for the key's prefix and label around it in the audit event (at most 1000 characters).
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
NocCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{5}$")]
CipCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{2}\.[0-9]{4}$")]
HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InstitutionCreate(_Strict):
    slug: Slug
    legal_name_en: Name
    legal_name_fr: Name
    kind: InstitutionKind
    website: WebUrl
    logo_url: WebUrl | None = None
    brand_colour: HexColour | None = None
    contact_email: Email
    region: Short | None = None
    did_method: Literal["did:web", "did:key"] = "did:web"
    include_learner_name: bool = True
    offers_suspension: bool = False
    jwt_format: Literal["vc+jwt", "ob-jwt"] = "vc+jwt"


class InstitutionPublic(BaseModel):
    slug: str
    legal_name_en: str
    legal_name_fr: str
    kind: str
    website: str
    logo_url: str | None
    brand_colour: str | None = None
    has_logo: bool = False  # a logo uploaded for its badges (PUT .../logo)
    contact_email: str
    region: str | None
    did: str
    jwt_format: str


class StaffUserCreate(_Strict):
    email: Email
    password: Annotated[str, StringConstraints(min_length=12, max_length=200)]


class ApiKeyCreate(_Strict):
    label: Name
    actions: Annotated[list[Action], Field(min_length=1, max_length=5)]


class ApiKeyCreated(BaseModel):
    """The only response that ever contains the key: it is shown once and stored hashed."""

    prefix: str
    key: str
    actions: list[str]
    label: str


class ApiKeyPublic(BaseModel):
    """A key as listed: never the key or its hash. Use is not tracked (no "last used")."""

    id: int
    prefix: str
    label: str
    actions: list[str]
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyRevoke(_Strict):
    reason: Reason


class SkillNames(_Strict):
    en: Name | None = None
    fr: Name | None = None


class Skill(_Strict):
    """An OB 3.0 Alignment (e.g. an ESCO skill), read and written with the OB member names.

    ``targetName`` is the name in the program's first language; ``names`` may give it in
    English and French, for the catalog's filter and for credentials issued in either language
    (``issuers.programs.skill_name``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, serialize_by_alias=True)

    target_name: Name = Field(alias="targetName")
    target_url: WebUrl = Field(alias="targetUrl")
    target_framework: Short | None = Field(default=None, alias="targetFramework")
    target_code: Short | None = Field(default=None, alias="targetCode")
    names: SkillNames | None = None


class LearningOutcome(_Strict):
    en: LongText | None = None
    fr: LongText | None = None


class ProgramFields(_Strict):
    """Everything a program says about itself; ``name_en`` or ``name_fr`` is required."""

    name_en: Name | None = None
    name_fr: Name | None = None
    description_en: LongText | None = None
    description_fr: LongText | None = None
    learning_outcomes: Annotated[list[LearningOutcome], Field(max_length=50)] = []
    criteria_en: LongText | None = None
    criteria_fr: LongText | None = None
    assessment_en: LongText | None = None
    assessment_fr: LongText | None = None
    hours: Annotated[int, Field(ge=1, le=2000)]
    weeks: Annotated[int, Field(ge=1, le=104)] | None = None
    delivery_mode: DeliveryMode
    languages: Annotated[list[Language], Field(max_length=2)] = ["en"]
    price_cents: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    osap_eligible: bool = False
    skills: Annotated[list[Skill], Field(max_length=50)] = []
    noc_codes: Annotated[list[NocCode], Field(max_length=3)] = []
    cip_code: CipCode | None = None
    sector: Short | None = None
    registration_url: WebUrl | None = None
    start_dates: Annotated[list[date], Field(max_length=50)] = []
    part_of: Annotated[list[WebUrl], Field(max_length=20)] = []
    employer_partners: Annotated[list[Name], Field(max_length=50)] = []
    published: bool = True

    @model_validator(mode="after")
    def _named(self) -> ProgramFields:
        if not (self.name_en or self.name_fr):
            raise ValueError("a program needs a name in English or French")
        return self


class ProgramCreate(ProgramFields):
    slug: Slug


class ProgramPublic(BaseModel):
    slug: str
    fields: ProgramFields
    achievement: dict[str, object]
    updated_at: datetime


class EmployerCreate(_Strict):
    slug: Slug
    name: Name
    website: WebUrl | None = None
    did_method: Literal["did:web", "did:key"] = "did:key"


class EndorsementCreate(_Strict):
    employer_slug: Slug
    comment: LongText


class KeyPublic(BaseModel):
    id: str
    status: str
    created_at: datetime
    retired_at: datetime | None
    revoked_at: datetime | None
    published: bool


class KeyRevoke(_Strict):
    key_id: Annotated[str, StringConstraints(min_length=1, max_length=512)]
    compromised_since: datetime
    unpublish: bool = False


class KeyRevoked(BaseModel):
    key: KeyPublic
    credentials_signed_since_compromise: int
    # The key that became active in the same step (None when a retired key was revoked).
    new_key: KeyPublic | None = None


class StaffUserPublic(BaseModel):
    email: str
    institution: str


class EmployerPublic(BaseModel):
    slug: str
    name: str
    did: str


class EndorsementPublic(BaseModel):
    credential_id: str
    employer: str
    signing_key_id: str
