"""What a credential says about itself, read defensively for display.

Everything here is *claimed* by the credential; the report pairs it with the checks that say how
far to trust it (the issuer name shown to employers comes from the trust registry when known).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

OB_TYPES = {"OpenBadgeCredential", "AchievementCredential"}


def types_of(document: dict[str, Any]) -> list[str]:
    value = document.get("type", [])
    items = value if isinstance(value, list) else [value]
    return [item for item in items if isinstance(item, str)]


def kind_of(document: dict[str, Any]) -> str:
    """``ob``, ``clr``, ``endorsement``, ``presentation`` or ``vc``."""
    types = set(types_of(document))
    if "VerifiablePresentation" in types:
        return "presentation"
    if "ClrCredential" in types:
        return "clr"
    if "EndorsementCredential" in types:
        return "endorsement"
    if types & OB_TYPES:
        return "ob"
    return "vc"


def issuer_id_of(document: dict[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _first_subject(document: dict[str, Any]) -> dict[str, Any]:
    subject = document.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    return subject if isinstance(subject, dict) else {}


@dataclass(frozen=True)
class CredentialSummary:
    kind: str
    id: str | None
    issuer_id: str | None
    issuer_claimed_name: str | None
    achievement: str | None
    subject_id: str | None
    subject_name: str | None
    valid_from: str | None
    valid_until: str | None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def _subject_name(subject: dict[str, Any]) -> str | None:
    name = _text(subject.get("name"))
    if name:
        return name
    identifiers = subject.get("identifier")
    for identity in identifiers if isinstance(identifiers, list) else []:
        is_name = isinstance(identity, dict) and identity.get("identityType") == "name"
        if is_name and not identity.get("hashed"):
            return _text(identity.get("identityHash"))
    return None


def summarize(document: dict[str, Any]) -> CredentialSummary:
    issuer = document.get("issuer")
    subject = _first_subject(document)
    achievement = subject.get("achievement")
    return CredentialSummary(
        kind=kind_of(document),
        id=_text(document.get("id")),
        issuer_id=issuer_id_of(document),
        issuer_claimed_name=_text(issuer.get("name")) if isinstance(issuer, dict) else None,
        achievement=_text(achievement.get("name")) if isinstance(achievement, dict) else None,
        subject_id=_text(subject.get("id")),
        subject_name=_subject_name(subject),
        valid_from=_text(document.get("validFrom") or document.get("issuanceDate")),
        valid_until=_text(document.get("validUntil") or document.get("expirationDate")),
    )
