"""Verifiable Presentations (VC Data Model 2.0 section 4.13) and the reading entry points.

``parse_credential`` and ``parse_presentation`` are how the rest of the project reads a document
it did not make: they raise ``InvalidInput`` with the JSON path and the reason when the document
is not a well-formed credential or presentation. Proofs are not checked here.

>>> vp = parse_presentation({
...     "@context": ["https://www.w3.org/ns/credentials/v2"],
...     "type": ["VerifiablePresentation"],
...     "verifiableCredential": [{
...         "@context": "https://www.w3.org/ns/credentials/v2",
...         "id": "data:application/vc+jwt,eyJhbGciOiJFZERTQSJ9.e30.c2ln",
...         "type": "EnvelopedVerifiableCredential",
...     }],
... })
>>> vp.embedded_credentials()
('eyJhbGciOiJFZERTQSJ9.e30.c2ln',)
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from credentials.contexts import VC_V2
from credentials.errors import InvalidInput
from credentials.models.clr import CLR_CREDENTIAL, ClrCredential
from credentials.models.common import (
    Iri,
    JsonLdModel,
    TypeValue,
    VcContexts,
    type_names,
    validate_document,
)
from credentials.models.credential import GenericCredential
from credentials.models.ob import (
    ACHIEVEMENT_CREDENTIAL,
    ENDORSEMENT_CREDENTIAL,
    OPEN_BADGE_CREDENTIAL,
    AchievementCredential,
    EndorsementCredential,
)
from credentials.proofs.jws import looks_like_compact_jws

VERIFIABLE_PRESENTATION = "VerifiablePresentation"
ENVELOPED_VERIFIABLE_CREDENTIAL = "EnvelopedVerifiableCredential"
VC_JWT_DATA_URL_PREFIX = "data:application/vc+jwt,"

AnyCredential = AchievementCredential | ClrCredential | EndorsementCredential | GenericCredential


class EnvelopedVerifiableCredential(JsonLdModel):
    """A credential secured by an enveloping proof, carried as a ``data:`` URL (VC 2.0 4.13)."""

    context: str | list[str | dict[str, Any]] = Field(alias="@context", default=VC_V2)
    id: str
    type: TypeValue = ENVELOPED_VERIFIABLE_CREDENTIAL

    @field_validator("id")
    @classmethod
    def _is_data_url(cls, value: str) -> str:
        if not value.startswith("data:") or "," not in value:
            raise ValueError("an enveloped credential's id must be a data: URL (VC 2.0 4.13)")
        return value

    @classmethod
    def from_jwt(cls, jws: str) -> EnvelopedVerifiableCredential:
        """Envelope a VC-JOSE-COSE or OB 3.0 JWT (compact JWS) as ``data:application/vc+jwt``."""
        if not looks_like_compact_jws(jws):
            raise InvalidInput("a JWT credential must be a compact JWS (header.payload.signature)")
        return cls(id=VC_JWT_DATA_URL_PREFIX + jws)

    @property
    def jwt(self) -> str | None:
        """The compact JWS when the envelope is ``data:application/vc+jwt``, else None."""
        if not self.id.startswith(VC_JWT_DATA_URL_PREFIX):
            return None
        return self.id.removeprefix(VC_JWT_DATA_URL_PREFIX)


class Holder(JsonLdModel):
    """A holder given as an object; VC 2.0 section 4.13 requires its ``id``."""

    id: Iri
    type: TypeValue | None = None


class VerifiablePresentation(JsonLdModel):
    """VC 2.0 presentation: credentials kept exactly as given, each verified on its own."""

    context: VcContexts = Field(alias="@context")
    id: Iri | None = None
    type: TypeValue
    holder: Iri | Holder | None = None
    verifiable_credential: dict[str, Any] | list[dict[str, Any]] | None = Field(
        default=None, alias="verifiableCredential"
    )
    proof: dict[str, Any] | list[dict[str, Any]] | None = None

    @field_validator("type")
    @classmethod
    def _is_presentation(cls, value: TypeValue) -> TypeValue:
        if VERIFIABLE_PRESENTATION not in type_names(value):
            raise ValueError(f"must include {VERIFIABLE_PRESENTATION}")
        return value

    @property
    def holder_id(self) -> str | None:
        if self.holder is None or isinstance(self.holder, str):
            return self.holder
        return self.holder.id

    def embedded_credentials(self) -> tuple[dict[str, Any] | str, ...]:
        """The credentials presented: a compact JWS for each ``data:application/vc+jwt``
        envelope, the credential object as given otherwise."""
        found = self.verifiable_credential
        items = [] if found is None else (found if isinstance(found, list) else [found])
        return tuple(_unwrap_envelope(item) for item in items)


def _unwrap_envelope(item: dict[str, Any]) -> dict[str, Any] | str:
    if ENVELOPED_VERIFIABLE_CREDENTIAL not in _declared_types(item):
        return item
    envelope = validate_document(EnvelopedVerifiableCredential, item, what="enveloped credential")
    jwt = envelope.jwt
    return item if jwt is None else jwt


def _declared_types(document: dict[str, Any]) -> tuple[str, ...]:
    declared = document.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(name for name in declared if isinstance(name, str))
    return ()


def credential_class(document: dict[str, Any]) -> type[AnyCredential]:
    """The model a credential's ``type`` calls for; a CLR is checked first (it may list more)."""
    declared = _declared_types(document)
    if CLR_CREDENTIAL in declared:
        return ClrCredential
    if ACHIEVEMENT_CREDENTIAL in declared or OPEN_BADGE_CREDENTIAL in declared:
        return AchievementCredential
    if ENDORSEMENT_CREDENTIAL in declared:
        return EndorsementCredential
    return GenericCredential


def parse_credential(document: dict[str, Any]) -> AnyCredential:
    """Read a credential (OB 3.0, CLR 2.0, endorsement or any other VC); ``InvalidInput`` if bad."""
    if not isinstance(document, dict):
        raise InvalidInput(f"a credential must be a JSON object, not {type(document).__name__}")
    return validate_document(credential_class(document), document, what="credential")


def parse_presentation(document: dict[str, Any]) -> VerifiablePresentation:
    """Read a Verifiable Presentation; the credentials inside are left for ``parse_credential``."""
    return validate_document(VerifiablePresentation, document, what="presentation")
