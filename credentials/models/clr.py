"""Comprehensive Learner Record 2.0 classes (1EdTech CLR 2.0, section B "Data Model").

A ClrCredential is the passport: its subject holds complete AchievementCredentials, each still
carrying its own issuer's proof, and the CLR issuer signs the whole. Those credentials are kept as
the dicts they were (never re-serialized through a model), so their proofs still verify.

>>> link = Association(association_type="isPartOf", source_id="urn:x:1", target_id="urn:x:2")
>>> link.to_jsonld()["associationType"]
'isPartOf'
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from credentials.models.common import (
    DateTimeStamp,
    Image,
    Iri,
    JsonLdModel,
    LocalizedText,
    TypeValue,
    spec_type_field,
)
from credentials.models.credential import CredentialBase
from credentials.models.ob import Achievement, IdentityObject

CLR_CREDENTIAL = "ClrCredential"

AssociationType = Literal[
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
]


class Association(JsonLdModel):
    """How two achievements relate, e.g. a micro-credential ``isPartOf`` a program."""

    spec_type: ClassVar[TypeValue] = "Association"
    type: TypeValue | None = spec_type_field()
    association_type: AssociationType = Field(alias="associationType")
    source_id: Iri = Field(alias="sourceId")
    target_id: Iri = Field(alias="targetId")


class ClrSubject(JsonLdModel):
    """The learner of a CLR: an ``id`` and/or ``identifier``, and the credentials themselves."""

    id: Iri | None = None
    spec_type: ClassVar[TypeValue] = ["ClrSubject"]
    type: TypeValue | None = spec_type_field()
    identifier: list[IdentityObject] | None = None
    achievement: list[Achievement] | None = None
    verifiable_credential: list[dict[str, Any]] = Field(alias="verifiableCredential")
    association: list[Association] | None = None

    @model_validator(mode="after")
    def _identifies_the_learner(self) -> ClrSubject:
        if self.id is None and not self.identifier:
            raise ValueError("the subject needs an id or at least one identifier (CLR 2.0)")
        if not self.verifiable_credential:
            raise ValueError("verifiableCredential needs at least one credential (CLR 2.0)")
        return self


class ClrCredential(CredentialBase[ClrSubject]):
    """CLR 2.0 ClrCredential: ``name`` is required; ``partial`` marks a subset of the record."""

    credential_types: ClassVar[frozenset[str]] = frozenset({CLR_CREDENTIAL})
    requires_valid_from: ClassVar[bool] = True

    name: LocalizedText
    image: Image | Iri | None = None
    partial: bool | None = None
    awarded_date: DateTimeStamp | None = Field(default=None, alias="awardedDate")
    endorsement: list[dict[str, Any]] | None = None
