"""The unsigned credentials and presentations WE emit, to the letter of the standards.

- ``@context``: VC 2.0 first, then OB ``context-3.0.3.json`` (CLR: ``context-2.0.1.json`` before
  it), then OB ``extensions.json``, which alone defines ``1EdTechJsonSchemaValidator2019`` (without
  it, JSON-LD safe mode fails on our ``credentialSchema``; standards digest, end notes).
- ``type`` is ``["VerifiableCredential", "OpenBadgeCredential"]`` (resp. Endorsement/Clr).
- Dates are ``YYYY-MM-DDThh:mm:ssZ`` (``format_datetime``); status indexes are strings.
- ``credentialSchema`` names the 1EdTech JSON Schema of the class (OB 3.0 section 8.1, CLR 2.0).
- Never the terms ``jti``/``endorsementJwt``: older copies of context 3.0.3 lack them.

Each builder reads its output back through the same parser we use on others' credentials, so what
we emit is what we accept. Signing is ``credentials.proofs``' job; these return plain dicts.

>>> from datetime import UTC, datetime
>>> vc = build_endorsement_credential(
...     credential_id="urn:uuid:0f0a0e5e-1b1c-4d3e-8f00-000000000001",
...     issuer={"id": "https://employer.example", "type": ["Profile"], "name": "Employer"},
...     endorsed_id="https://college.example/achievements/welding",
...     endorsement_comment="Graduates are job-ready.",
...     name="Employer endorsement",
...     valid_from=datetime(2025, 1, 1, tzinfo=UTC),
... )
>>> vc["type"], vc["validFrom"]
(['VerifiableCredential', 'EndorsementCredential'], '2025-01-01T00:00:00Z')
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from credentials.contexts import CLR_V2P0, OB_V3P0, OB_V3P0_EXTENSIONS, VC_V2
from credentials.errors import InvalidInput
from credentials.models.clr import CLR_CREDENTIAL, ClrCredential, ClrSubject
from credentials.models.common import (
    BitstringStatusListEntry,
    Evidence,
    Image,
    Profile,
    format_datetime,
)
from credentials.models.emitting import (
    StatusArgument,
    as_json,
    checked_contexts,
    credential_head,
    emitted_issuer,
    finish_credential,
    put_members,
)
from credentials.models.ob import (
    ENDORSEMENT_CREDENTIAL,
    OPEN_BADGE_CREDENTIAL,
    Achievement,
    AchievementCredential,
    AchievementSubject,
    EndorsementCredential,
    IdentityObject,
    hashed_identity,
)
from credentials.models.presentation import (
    VERIFIABLE_PRESENTATION,
    EnvelopedVerifiableCredential,
    parse_credential,
    parse_presentation,
)

OB_CONTEXTS = (VC_V2, OB_V3P0, OB_V3P0_EXTENSIONS)
CLR_CONTEXTS = (VC_V2, CLR_V2P0, OB_V3P0, OB_V3P0_EXTENSIONS)
OB_ACHIEVEMENT_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
OB_ENDORSEMENT_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
CLR_SCHEMA = (
    "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"
)


def bitstring_status_entry(
    *, status_list_credential: str, index: int, status_purpose: str = "revocation"
) -> BitstringStatusListEntry:
    """A status entry with a string index and an ``id`` of ``<list URL>#<index>``
    (Bitstring Status List 1.0 section 2.1: the id must not be the list's own URL)."""
    if index < 0:
        raise InvalidInput("a status list index cannot be negative")
    return BitstringStatusListEntry(
        id=f"{status_list_credential}#{index}",
        status_purpose=status_purpose,
        status_list_index=str(index),
        status_list_credential=status_list_credential,
    )


def hashed_identity_object(
    identifier: str, *, salt: str, identity_type: str = "emailAddress"
) -> IdentityObject:
    """An IdentityObject that names the learner without disclosing ``identifier``."""
    return IdentityObject(
        hashed=True,
        identity_hash=hashed_identity(identifier, salt),
        identity_type=identity_type,
        salt=salt,
    )


def build_achievement_credential(
    *,
    credential_id: str,
    issuer: Profile | Mapping[str, Any],
    achievement: Achievement,
    subject: AchievementSubject,
    valid_from: datetime,
    valid_until: datetime | None = None,
    name: str | None = None,
    description: str | None = None,
    image: Image | None = None,
    awarded_date: datetime | None = None,
    credential_status: StatusArgument = None,
    evidence: Sequence[Evidence] = (),
    extra_contexts: Sequence[str] = (),
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential (OB 3.0 section 8.1) for ``subject``.

    ``subject`` names the learner (``id`` and/or ``identifier``); the ``achievement`` is put in
    it. A subject that already names a different achievement is refused.
    """
    template = AchievementCredentialTemplate(
        issuer=issuer,
        achievement=achievement,
        name=name,
        description=description,
        image=image,
        extra_contexts=extra_contexts,
    )
    return template.build(
        credential_id=credential_id,
        subject=subject,
        valid_from=valid_from,
        valid_until=valid_until,
        awarded_date=awarded_date,
        credential_status=credential_status,
        evidence=evidence,
    )


class AchievementCredentialTemplate:
    """The members that OpenBadgeCredentials of one issuer and Achievement share, emitted once;
    ``build`` adds one learner's (a cohort builds thousands of credentials from one template).

    ``build`` returns what ``build_achievement_credential`` returns, member for member and in the
    same order. The first document is validated in full; in the next ones the issuer and the
    Achievement are given to the validator as the models read from that first document (pydantic
    takes a model instance as it is), so every document is still read back whole through the
    parser we use on others' credentials, without reading the same Achievement again each time.
    Documents of one template share the issuer's and the Achievement's JSON objects: they are
    read (signed, serialized), never modified.
    """

    def __init__(
        self,
        *,
        issuer: Profile | Mapping[str, Any],
        achievement: Achievement,
        name: str | None = None,
        description: str | None = None,
        image: Image | None = None,
        extra_contexts: Sequence[str] = (),
    ) -> None:
        self._contexts = checked_contexts((*OB_CONTEXTS, *extra_contexts))
        self._issuer = emitted_issuer(issuer)
        self._achievement = achievement
        self._achievement_json = as_json(achievement)
        self._named = put_members({}, name=name, description=description, image=image)
        # The issuer and the Achievement as the first document's validation read them.
        self._read: tuple[Profile | str, Achievement] | None = None

    def build(
        self,
        *,
        credential_id: str,
        subject: AchievementSubject,
        valid_from: datetime,
        valid_until: datetime | None = None,
        awarded_date: datetime | None = None,
        credential_status: StatusArgument = None,
        evidence: Sequence[Evidence] = (),
    ) -> dict[str, Any]:
        """One learner's credential; the shared members as JSON or, once read, as models."""
        if subject.achievement is not None and subject.achievement != self._achievement:
            raise InvalidInput("the subject already names a different achievement")
        issuer, achievement = self._read or (self._issuer, self._achievement_json)
        document = credential_head(
            contexts=list(self._contexts),
            credential_id=credential_id,
            credential_type=OPEN_BADGE_CREDENTIAL,
            issuer=issuer,
            valid_from=valid_from,
            valid_until=valid_until,
        )
        document.update(self._named)
        put_members(
            document, awardedDate=None if awarded_date is None else format_datetime(awarded_date)
        )
        subject_json = _with_achievement(subject.to_jsonld(), achievement)
        document["credentialSubject"] = subject_json
        put_members(document, evidence=list(evidence) or None)
        read = finish_credential(
            document, OB_ACHIEVEMENT_SCHEMA, credential_status, AchievementCredential
        )
        if self._read is None and read.credential_subject.achievement is not None:
            self._read = (read.issuer, read.credential_subject.achievement)
        document["issuer"] = self._issuer
        subject_json["achievement"] = self._achievement_json
        return document


# The members of an AchievementSubject that its model puts before ``achievement``: where
# ``model_copy(update={"achievement": ...}).to_jsonld()`` would put it.
_BEFORE_ACHIEVEMENT = frozenset(
    itertools.takewhile(
        lambda alias: alias != "achievement",
        (field.alias or name for name, field in AchievementSubject.model_fields.items()),
    )
)


def _with_achievement(subject: dict[str, Any], achievement: Any) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for key, value in subject.items():
        if "achievement" not in members and key not in _BEFORE_ACHIEVEMENT:
            members["achievement"] = achievement
        if key != "achievement":
            members[key] = value
    members.setdefault("achievement", achievement)
    return members


def build_endorsement_credential(
    *,
    credential_id: str,
    issuer: Profile | Mapping[str, Any],
    endorsed_id: str,
    endorsement_comment: str | None,
    name: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    description: str | None = None,
    credential_status: StatusArgument = None,
    extra_contexts: Sequence[str] = (),
) -> dict[str, Any]:
    """An unsigned EndorsementCredential (OB 3.0 B.1.3) of the credential, Achievement or
    Profile whose id is ``endorsed_id``."""
    document = credential_head(
        contexts=checked_contexts((*OB_CONTEXTS, *extra_contexts)),
        credential_id=credential_id,
        credential_type=ENDORSEMENT_CREDENTIAL,
        issuer=emitted_issuer(issuer),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    put_members(document, name=name, description=description)
    subject = {"id": endorsed_id, "type": ["EndorsementSubject"]}
    put_members(
        document, credentialSubject=put_members(subject, endorsementComment=endorsement_comment)
    )
    finish_credential(document, OB_ENDORSEMENT_SCHEMA, credential_status, EndorsementCredential)
    return document


def build_clr_credential(
    *,
    credential_id: str,
    issuer: Profile | Mapping[str, Any],
    subject: ClrSubject,
    name: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    description: str | None = None,
    partial: bool | None = None,
    awarded_date: datetime | None = None,
    credential_status: StatusArgument = None,
    extra_contexts: Sequence[str] = (),
) -> dict[str, Any]:
    """An unsigned ClrCredential (CLR 2.0): the learner's signed credentials, inserted as given,
    with optional achievements and associations; ``partial`` marks a subset of the record."""
    for position, credential in enumerate(subject.verifiable_credential):
        try:
            parse_credential(credential)
        except InvalidInput as exc:
            raise InvalidInput(f"verifiableCredential[{position}]: {exc.message}") from None
    document = credential_head(
        contexts=checked_contexts((*CLR_CONTEXTS, *extra_contexts)),
        credential_id=credential_id,
        credential_type=CLR_CREDENTIAL,
        issuer=emitted_issuer(issuer),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    put_members(document, name=name, description=description, partial=partial)
    put_members(
        document, awardedDate=None if awarded_date is None else format_datetime(awarded_date)
    )
    put_members(document, credentialSubject=subject)
    finish_credential(document, CLR_SCHEMA, credential_status, ClrCredential)
    return document


def build_presentation(
    credentials: Sequence[Mapping[str, Any] | str],
    holder: str | None,
    *,
    presentation_id: str | None = None,
    extra_contexts: Sequence[str] = (),
) -> dict[str, Any]:
    """An unsigned Verifiable Presentation (VC Data Model 2.0 section 4.13).

    Credential objects are inserted as given; a JWT credential (compact JWS) is wrapped as an
    ``EnvelopedVerifiableCredential`` with id ``data:application/vc+jwt,<jws>``. Holder binding
    comes from the presentation's proof (challenge and domain), added by ``credentials.proofs``.
    """
    document: dict[str, Any] = {"@context": checked_contexts((VC_V2, *extra_contexts))}
    put_members(document, id=presentation_id)
    document["type"] = [VERIFIABLE_PRESENTATION]
    put_members(document, holder=holder)
    embedded = [
        EnvelopedVerifiableCredential.from_jwt(item).to_jsonld()
        if isinstance(item, str)
        else dict(item)
        for item in credentials
    ]
    put_members(document, verifiableCredential=embedded or None)
    parse_presentation(document)
    return document
