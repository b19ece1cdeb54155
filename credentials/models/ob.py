"""Open Badges 3.0 classes (1EdTech OB 3.0 specification, section B "Data Model").

Members are declared ``id``, ``type``, then in the alphabetical order of the specification's
examples. Required members are those of the OB 3.0 data model; everything else is optional and
every unknown member is kept.

>>> achievement = Achievement(
...     id="https://example.edu/achievements/1",
...     name="Teamwork",
...     description="Works well in a team.",
...     criteria=Criteria(narrative="Nominated by peers."),
... )
>>> achievement.to_jsonld()["type"]
['Achievement']
>>> hashed_identity("learner@example.edu", "pepper")[:7]
'sha256$'
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any, ClassVar

from pydantic import Field, field_validator, model_validator

from credentials.errors import UnsupportedMechanism
from credentials.models.common import (
    DateTimeStamp,
    IdentifierEntry,
    Image,
    Iri,
    JsonLdModel,
    LocalizedText,
    Profile,
    TypeValue,
    spec_type_field,
)
from credentials.models.credential import CredentialBase

ACHIEVEMENT_CREDENTIAL = "AchievementCredential"
OPEN_BADGE_CREDENTIAL = "OpenBadgeCredential"
ENDORSEMENT_CREDENTIAL = "EndorsementCredential"
SHA256_PREFIX = "sha256$"


class Alignment(JsonLdModel):
    """A link from an Achievement or Result to a framework item (CASE, CTDL...)."""

    spec_type: ClassVar[TypeValue] = ["Alignment"]
    type: TypeValue | None = spec_type_field()
    target_code: str | None = Field(default=None, alias="targetCode")
    target_description: str | None = Field(default=None, alias="targetDescription")
    target_name: str = Field(alias="targetName")
    target_framework: str | None = Field(default=None, alias="targetFramework")
    target_type: str | None = Field(default=None, alias="targetType")
    target_url: Iri = Field(alias="targetUrl")


class Criteria(JsonLdModel):
    """How the achievement is earned: a URL (``id``), a narrative, or both."""

    id: Iri | None = None
    narrative: str | None = None

    @model_validator(mode="after")
    def _has_id_or_narrative(self) -> Criteria:
        if self.id is None and self.narrative is None:
            raise ValueError("criteria needs an id or a narrative (OB 3.0 Criteria)")
        return self


class RubricCriterionLevel(JsonLdModel):
    id: Iri
    spec_type: ClassVar[TypeValue] = ["RubricCriterionLevel"]
    type: TypeValue | None = spec_type_field()
    alignment: list[Alignment] | None = None
    description: LocalizedText | None = None
    level: str | None = None
    name: LocalizedText
    points: str | None = None


class ResultDescription(JsonLdModel):
    """What results an Achievement can have (a letter grade, a percentage, a rubric...)."""

    id: Iri
    spec_type: ClassVar[TypeValue] = ["ResultDescription"]
    type: TypeValue | None = spec_type_field()
    alignment: list[Alignment] | None = None
    allowed_value: list[str] | None = Field(default=None, alias="allowedValue")
    name: LocalizedText
    required_level: str | None = Field(default=None, alias="requiredLevel")
    required_value: str | None = Field(default=None, alias="requiredValue")
    result_type: str = Field(alias="resultType")
    rubric_criterion_level: list[RubricCriterionLevel] | None = Field(
        default=None, alias="rubricCriterionLevel"
    )
    value_max: str | None = Field(default=None, alias="valueMax")
    value_min: str | None = Field(default=None, alias="valueMin")


class Result(JsonLdModel):
    """A learner's result; ``resultDescription`` and ``achievedLevel`` are id references."""

    spec_type: ClassVar[TypeValue] = ["Result"]
    type: TypeValue | None = spec_type_field()
    achieved_level: str | None = Field(default=None, alias="achievedLevel")
    alignment: list[Alignment] | None = None
    result_description: str | None = Field(default=None, alias="resultDescription")
    status: str | None = None
    value: str | None = None


class Related(JsonLdModel):
    """Another version of the same Achievement (e.g. in another language)."""

    id: Iri
    spec_type: ClassVar[TypeValue] = ["Related"]
    type: TypeValue | None = spec_type_field()
    in_language: str | None = Field(default=None, alias="inLanguage")
    version: str | None = None


class Achievement(JsonLdModel):
    """OB 3.0 Achievement: ``id``, ``name``, ``description`` and ``criteria`` are required."""

    id: Iri
    spec_type: ClassVar[TypeValue] = ["Achievement"]
    type: TypeValue | None = spec_type_field()
    alignment: list[Alignment] | None = None
    achievement_type: str | None = Field(default=None, alias="achievementType")
    creator: Profile | None = None
    credits_available: int | float | None = Field(default=None, alias="creditsAvailable")
    criteria: Criteria
    description: LocalizedText
    # Endorsements are credentials signed by others: kept exactly as given.
    endorsement: list[dict[str, Any]] | None = None
    field_of_study: str | None = Field(default=None, alias="fieldOfStudy")
    human_code: str | None = Field(default=None, alias="humanCode")
    image: Image | Iri | None = None
    in_language: str | None = Field(default=None, alias="inLanguage")
    name: LocalizedText
    other_identifier: list[IdentifierEntry] | None = Field(default=None, alias="otherIdentifier")
    related: list[Related] | None = None
    result_description: list[ResultDescription] | None = Field(
        default=None, alias="resultDescription"
    )
    specialization: str | None = None
    tag: list[str] | None = None
    version: str | None = None


class IdentityObject(JsonLdModel):
    """An identifier of the learner, plain or hashed (OB 3.0 IdentityObject)."""

    spec_type: ClassVar[TypeValue] = "IdentityObject"
    type: TypeValue | None = spec_type_field()
    hashed: bool
    identity_hash: str = Field(alias="identityHash")
    identity_type: str = Field(alias="identityType")
    salt: str | None = None


class AchievementSubject(JsonLdModel):
    """The learner and what they achieved: an ``id`` and/or at least one ``identifier``."""

    id: Iri | None = None
    spec_type: ClassVar[TypeValue] = ["AchievementSubject"]
    type: TypeValue | None = spec_type_field()
    activity_end_date: DateTimeStamp | None = Field(default=None, alias="activityEndDate")
    activity_start_date: DateTimeStamp | None = Field(default=None, alias="activityStartDate")
    credits_earned: int | float | None = Field(default=None, alias="creditsEarned")
    # Required in a credential (checked there); optional here so that a builder can be given the
    # learner and the achievement separately.
    achievement: Achievement | None = None
    identifier: list[IdentityObject] | None = None
    image: Image | Iri | None = None
    license_number: str | None = Field(default=None, alias="licenseNumber")
    narrative: str | None = None
    result: list[Result] | None = None
    role: str | None = None
    source: Profile | None = None
    term: str | None = None

    @model_validator(mode="after")
    def _identifies_the_learner(self) -> AchievementSubject:
        if self.id is None and not self.identifier:
            raise ValueError("the subject needs an id or at least one identifier (OB 3.0)")
        return self


class AchievementCredential(CredentialBase[AchievementSubject]):
    """OB 3.0 AchievementCredential; ``OpenBadgeCredential`` is the same class."""

    credential_types: ClassVar[frozenset[str]] = frozenset(
        {ACHIEVEMENT_CREDENTIAL, OPEN_BADGE_CREDENTIAL}
    )
    requires_valid_from: ClassVar[bool] = True

    image: Image | Iri | None = None
    awarded_date: DateTimeStamp | None = Field(default=None, alias="awardedDate")
    endorsement: list[dict[str, Any]] | None = None

    @field_validator("credential_subject")
    @classmethod
    def _names_the_achievement(cls, subject: AchievementSubject) -> AchievementSubject:
        if subject.achievement is None:
            raise ValueError("achievement is required (OB 3.0 AchievementSubject)")
        return subject


OpenBadgeCredential = AchievementCredential


class EndorsementSubject(JsonLdModel):
    """What is endorsed (a credential, Achievement or Profile, by ``id``) and the comment."""

    id: Iri
    spec_type: ClassVar[TypeValue] = ["EndorsementSubject"]
    type: TypeValue | None = spec_type_field()
    endorsement_comment: str | None = Field(default=None, alias="endorsementComment")


class EndorsementCredential(CredentialBase[EndorsementSubject]):
    """OB 3.0 EndorsementCredential: ``name`` is required as well."""

    credential_types: ClassVar[frozenset[str]] = frozenset({ENDORSEMENT_CREDENTIAL})
    requires_valid_from: ClassVar[bool] = True

    name: LocalizedText
    image: Image | Iri | None = None
    awarded_date: DateTimeStamp | None = Field(default=None, alias="awardedDate")


def hashed_identity(identifier: str, salt: str) -> str:
    """``sha256$`` + hex SHA-256 of ``identifier`` followed by ``salt`` (OB 3.0 IdentityObject)."""
    digest = hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()
    return SHA256_PREFIX + digest


def identity_matches(
    identity: IdentityObject, claimed: str, *, identity_type: str | None = None
) -> bool:
    """Whether ``claimed`` (e.g. an email address) is the identifier ``identity`` stands for.

    OB 3.0 verification, step "Recipient": match ``identityType`` when given, then compare the
    plain value or the salted hash. Comparison is in constant time; an unknown hash algorithm
    raises ``UnsupportedMechanism`` rather than answering "no".
    """
    if identity_type is not None and identity.identity_type != identity_type:
        return False
    if not identity.hashed:
        return hmac.compare_digest(identity.identity_hash.encode(), claimed.encode())
    algorithm, _, expected = identity.identity_hash.partition("$")
    if algorithm.lower() != SHA256_PREFIX[:-1]:
        raise UnsupportedMechanism(f"identity hash algorithm {algorithm!r} is not sha256")
    actual = hashed_identity(claimed, identity.salt or "").removeprefix(SHA256_PREFIX)
    return hmac.compare_digest(actual.encode(), expected.lower().encode())
