"""Credential models: Open Badges 3.0, CLR 2.0, VC Data Model 2.0 credentials and presentations.

Reading someone else's document: ``parse_credential`` / ``parse_presentation`` (``InvalidInput``
with the JSON path and the reason when malformed; unknown members are kept). Emitting ours: the
``build_*`` functions of ``credentials.models.builders``, which follow the standards to the letter.

>>> credential = parse_credential({
...     "@context": ["https://www.w3.org/ns/credentials/v2"],
...     "type": ["VerifiableCredential"],
...     "issuer": "did:example:issuer",
...     "credentialSubject": {"id": "did:example:learner"},
... })
>>> type(credential).__name__, credential.issuer_id
('GenericCredential', 'did:example:issuer')
"""

from credentials.models.builders import (
    CLR_CONTEXTS,
    OB_CONTEXTS,
    AchievementCredentialTemplate,
    bitstring_status_entry,
    build_achievement_credential,
    build_clr_credential,
    build_endorsement_credential,
    build_presentation,
    hashed_identity_object,
)
from credentials.models.clr import Association, ClrCredential, ClrSubject
from credentials.models.common import (
    VC_V1,
    BitstringStatusListEntry,
    CredentialSchema,
    CredentialStatus,
    Evidence,
    IdentifierEntry,
    Image,
    LanguageValue,
    Profile,
    format_datetime,
    parse_datetime_stamp,
)
from credentials.models.credential import GenericCredential
from credentials.models.ob import (
    Achievement,
    AchievementCredential,
    AchievementSubject,
    Alignment,
    Criteria,
    EndorsementCredential,
    EndorsementSubject,
    IdentityObject,
    OpenBadgeCredential,
    Related,
    Result,
    ResultDescription,
    RubricCriterionLevel,
    hashed_identity,
    identity_matches,
)
from credentials.models.presentation import (
    AnyCredential,
    EnvelopedVerifiableCredential,
    Holder,
    VerifiablePresentation,
    parse_credential,
    parse_presentation,
)

__all__ = [
    "CLR_CONTEXTS",
    "OB_CONTEXTS",
    "VC_V1",
    "Achievement",
    "AchievementCredential",
    "AchievementCredentialTemplate",
    "AchievementSubject",
    "Alignment",
    "AnyCredential",
    "Association",
    "BitstringStatusListEntry",
    "ClrCredential",
    "ClrSubject",
    "CredentialSchema",
    "CredentialStatus",
    "Criteria",
    "EndorsementCredential",
    "EndorsementSubject",
    "EnvelopedVerifiableCredential",
    "Evidence",
    "GenericCredential",
    "Holder",
    "IdentifierEntry",
    "IdentityObject",
    "Image",
    "LanguageValue",
    "OpenBadgeCredential",
    "Profile",
    "Related",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "VerifiablePresentation",
    "bitstring_status_entry",
    "build_achievement_credential",
    "build_clr_credential",
    "build_endorsement_credential",
    "build_presentation",
    "format_datetime",
    "hashed_identity",
    "hashed_identity_object",
    "identity_matches",
    "parse_credential",
    "parse_datetime_stamp",
    "parse_presentation",
]
