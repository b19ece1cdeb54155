"""Does a candidate's email match the credential's hashed email identifier? (issue 14)

OB 3.0 section B.1.2 AchievementSubject ``identifier``: an award names its learner by a salted
SHA-256 ``IdentityObject`` of their email (``identityType`` ``emailAddress``, ``hashed: true``).
An employer who has the candidate's address asks whether it is the one the hash stands for;
the answer is one of ``EmailCheck`` and never shows the hash or the salt. Emails are compared
trimmed and lower-cased, as issuers hash them. The answer says what the credential claims: how
far to trust it is the verdict's to say.

>>> check_email({"credentialSubject": {"id": "did:example:1"}}, "a@b.ca").value
'no email identifier'
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from credentials import IdentityObject, PassportError, first_subject, identity_matches

EMAIL = "emailAddress"
MAX_EMAIL_LENGTH = 320


class EmailCheck(StrEnum):
    MATCHES = "matches"
    DOES_NOT_MATCH = "does not match"
    NO_IDENTIFIER = "no email identifier"
    COULD_NOT_CHECK = "could not check"


def _email_identities(document: dict[str, Any]) -> list[IdentityObject]:
    identifiers = first_subject(document).get("identifier")
    items = identifiers if isinstance(identifiers, list) else [identifiers]
    found = []
    for item in items:
        if isinstance(item, dict) and item.get("identityType") == EMAIL:
            try:
                found.append(IdentityObject.model_validate(item))
            except ValueError:
                continue
    return found


def check_email(document: dict[str, Any], email: str) -> EmailCheck:
    """The answer for ``email`` against the first subject's email identifiers."""
    identities = _email_identities(document)
    if not identities:
        return EmailCheck.NO_IDENTIFIER
    claimed = email.strip().lower()
    try:
        matched = any(identity_matches(item, claimed, identity_type=EMAIL) for item in identities)
    except PassportError:
        return EmailCheck.COULD_NOT_CHECK  # a hash algorithm other than SHA-256
    return EmailCheck.MATCHES if matched else EmailCheck.DOES_NOT_MATCH
