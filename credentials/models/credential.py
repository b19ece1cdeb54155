"""The verifiable credential itself (VC Data Model 2.0 section 4), read or built.

``CredentialBase`` holds what every credential shares and checks what VC 2.0 requires of it; the
OB 3.0 and CLR 2.0 classes narrow its subject and name the ``type`` they need.
``GenericCredential`` is any other credential, such as a Bitstring Status List credential.

>>> credential = GenericCredential(
...     context=["https://www.w3.org/ns/credentials/v2"],
...     type=["VerifiableCredential"],
...     issuer="did:example:issuer",
...     valid_from="2025-01-01T00:00:00-05:00",
...     credential_subject={"id": "did:example:learner"},
... )
>>> credential.validity_start.isoformat(), credential.is_vc_v1
('2025-01-01T00:00:00-05:00', False)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import Field, ValidationInfo, field_validator, model_validator

from credentials.models.common import (
    VC_V1,
    VERIFIABLE_CREDENTIAL,
    BitstringStatusListEntry,
    CredentialSchema,
    CredentialStatus,
    DateTimeStamp,
    Evidence,
    Iri,
    JsonLdModel,
    LocalizedText,
    Profile,
    StatusEntry,
    TypeValue,
    VcContexts,
    parse_datetime_stamp,
    type_names,
)

SubjectT = TypeVar("SubjectT")


class CredentialBase(JsonLdModel, Generic[SubjectT]):
    """The members every verifiable credential shares (VC Data Model 2.0 section 4).

    Subclasses name the ``type`` they require (``credential_types``: one of them must be present)
    and whether ``validFrom`` is required. A VC Data Model 1.1 credential (first context
    ``https://www.w3.org/2018/credentials/v1``) is read for compatibility: it carries
    ``issuanceDate``/``expirationDate`` instead, and ``is_vc_v1`` says so.
    """

    credential_types: ClassVar[frozenset[str]] = frozenset()
    requires_valid_from: ClassVar[bool] = False

    context: VcContexts = Field(alias="@context")
    id: Iri | None = None
    type: TypeValue
    issuer: Iri | Profile
    valid_from: DateTimeStamp | None = Field(default=None, alias="validFrom")
    valid_until: DateTimeStamp | None = Field(default=None, alias="validUntil")
    issuance_date: DateTimeStamp | None = Field(default=None, alias="issuanceDate")
    expiration_date: DateTimeStamp | None = Field(default=None, alias="expirationDate")
    name: LocalizedText | None = None
    description: LocalizedText | None = None
    credential_subject: SubjectT = Field(alias="credentialSubject")
    evidence: Evidence | list[Evidence] | None = None
    credential_schema: CredentialSchema | list[CredentialSchema] | None = Field(
        default=None, alias="credentialSchema"
    )
    credential_status: StatusEntry | list[StatusEntry] | None = Field(
        default=None, alias="credentialStatus"
    )
    # Proofs are checked by credentials.proofs, never re-serialized: kept exactly as given.
    proof: dict[str, Any] | list[dict[str, Any]] | None = None

    @field_validator("type")
    @classmethod
    def _has_credential_types(cls, value: TypeValue) -> TypeValue:
        names = type_names(value)
        if VERIFIABLE_CREDENTIAL not in names:
            raise ValueError(f"must include {VERIFIABLE_CREDENTIAL} (VC Data Model 2.0 4.5)")
        if cls.credential_types and cls.credential_types.isdisjoint(names):
            wanted = " or ".join(sorted(cls.credential_types))
            raise ValueError(f"must include {wanted}")
        return value

    @field_validator("valid_until", "expiration_date")
    @classmethod
    def _not_before_start(cls, value: str | None, info: ValidationInfo) -> str | None:
        start_field = "valid_from" if info.field_name == "valid_until" else "issuance_date"
        start = info.data.get(start_field)
        if value is None or start is None:
            return value
        if parse_datetime_stamp(value) < parse_datetime_stamp(start):
            raise ValueError(f"{value} is before the start of validity {start}")
        return value

    @model_validator(mode="after")
    def _has_start_of_validity(self) -> CredentialBase[SubjectT]:
        if self.is_vc_v1 and self.issuance_date is None:
            raise ValueError("issuanceDate is required in a VC Data Model 1.1 credential")
        if not self.is_vc_v1 and self.requires_valid_from and self.valid_from is None:
            raise ValueError(f"validFrom is required ({type(self).__name__})")
        return self

    @property
    def contexts(self) -> tuple[str | dict[str, Any], ...]:
        return _as_tuple(self.context)

    @property
    def is_vc_v1(self) -> bool:
        """True for a VC Data Model 1.1 credential, read for compatibility only."""
        return self.contexts[0] == VC_V1

    @property
    def types(self) -> tuple[str, ...]:
        return type_names(self.type)

    @property
    def issuer_id(self) -> str:
        return self.issuer if isinstance(self.issuer, str) else self.issuer.id

    @property
    def validity_start(self) -> datetime | None:
        """``validFrom`` (``issuanceDate`` in VC 1.1) as an aware datetime."""
        start = self.issuance_date if self.is_vc_v1 else self.valid_from
        return None if start is None else parse_datetime_stamp(start)

    @property
    def validity_end(self) -> datetime | None:
        """``validUntil`` (``expirationDate`` in VC 1.1) as an aware datetime."""
        end = self.expiration_date if self.is_vc_v1 else self.valid_until
        return None if end is None else parse_datetime_stamp(end)

    @property
    def status_entries(self) -> tuple[BitstringStatusListEntry | CredentialStatus, ...]:
        return _as_tuple(self.credential_status)

    @property
    def proofs(self) -> tuple[dict[str, Any], ...]:
        return _as_tuple(self.proof)


T = TypeVar("T")


def _as_tuple(value: T | list[T] | None) -> tuple[T, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


class GenericCredential(CredentialBase[dict[str, Any] | list[dict[str, Any]]]):
    """Any other verifiable credential (e.g. a BitstringStatusListCredential)."""
