"""What a credential claims about itself, read defensively for display; nothing is verified.

Everything here is *claimed* by the credential; the verifier's report pairs it with the checks
that say how far to trust it (the issuer name shown to employers comes from the trust registry
when known). ``summarize`` gives who, what and when; ``details_of`` what the credential says it
is for (program, hours, skills, assessment). The verifier and the passport's display both read
credentials through these functions.

>>> summary = summarize({"type": ["OpenBadgeCredential"], "issuer": "did:web:example.edu"})
>>> summary.kind, summary.issuer_id
('ob', 'did:web:example.edu')
>>> first_subject({"credentialSubject": [{"id": "did:key:z6Mk"}, {}]})
{'id': 'did:key:z6Mk'}
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from credentials.ontario import CLASSIFICATIONS, learning_hours

MAX_LISTED = 50
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


def first_subject(document: dict[str, Any]) -> dict[str, Any]:
    """The (first) ``credentialSubject`` object; empty when there is none."""
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
    subject = first_subject(document)
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


def _trimmed(value: Any) -> str | None:
    """A claimed text without surrounding blanks; None when empty or not text."""
    return value.strip() or None if isinstance(value, str) else None


def _objects(value: Any) -> list[dict[str, Any]]:
    items = value if isinstance(value, list) else [value]
    return [item for item in items[:MAX_LISTED] if isinstance(item, dict)]


@dataclass(frozen=True)
class Skill:
    name: str
    framework: str | None
    code: str | None
    url: str | None  # the framework's page of the skill; only http(s), as a link for people


def _link(value: Any) -> str | None:
    """A URL the page may link to: claims are untrusted, so never ``javascript:`` or ``data:``."""
    text = _trimmed(value)
    return text if text and text.lower().startswith(("https://", "http://")) else None


@dataclass(frozen=True)
class Assessment:
    name: str | None
    value: str | None


@dataclass(frozen=True)
class CredentialDetails:
    """What an Open Badge says it attests (OB 3.0 section B.1.1 Achievement, B.1.16 Result)."""

    program: str | None
    description: str | None
    achievement_type: str | None
    criteria: str | None
    hours: str | None
    credits: str | None
    code: str | None
    awarded: str | None
    skills: tuple[Skill, ...]
    assessments: tuple[Assessment, ...]
    language: str | None = None  # the achievement's ``inLanguage`` (OB 3.0 B.1.1), e.g. "fr"


def _number(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return f"{value:g}"


def _assessments(subject: dict[str, Any], achievement: dict[str, Any]) -> tuple[Assessment, ...]:
    """Each result with the name of the result description it refers to (OB 3.0 B.1.16)."""
    names = {
        item.get("id"): _trimmed(item.get("name"))
        for item in _objects(achievement.get("resultDescription", []))
    }
    return tuple(
        Assessment(names.get(result.get("resultDescription")), _trimmed(result.get("value")))
        for result in _objects(subject.get("result", []))
    )


def details_of(document: dict[str, Any]) -> CredentialDetails:
    """The display details of a credential; every field is optional and read defensively.

    There is no OB 3.0 term for hours (standards digest section 10); they are read from the
    ``learningHours`` member (``credentials.ontario``). NOC and CIP alignments classify the
    program; they are not skills.
    """
    subject = first_subject(document)
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    criteria = achievement.get("criteria")
    skills = tuple(
        Skill(
            name,
            _trimmed(item.get("targetFramework")),
            _trimmed(item.get("targetCode")),
            _link(item.get("targetUrl")),
        )
        for item in _objects(achievement.get("alignment", []))
        if (name := _trimmed(item.get("targetName")))
        and item.get("targetFramework") not in CLASSIFICATIONS
    )
    return CredentialDetails(
        program=_trimmed(achievement.get("name")),
        description=_trimmed(achievement.get("description")),
        achievement_type=_trimmed(achievement.get("achievementType")),
        criteria=_trimmed(criteria.get("narrative")) if isinstance(criteria, dict) else None,
        hours=_number(learning_hours(achievement)),
        credits=_number(achievement.get("creditsAvailable")),
        code=_trimmed(achievement.get("humanCode")),
        awarded=_trimmed(document.get("awardedDate")),
        skills=skills,
        assessments=_assessments(subject, achievement),
        language=_language(achievement.get("inLanguage")),
    )


def _language(value: Any) -> str | None:
    """The primary subtag of a BCP 47 tag ("fr-CA" -> "fr"), for a page's ``lang`` attribute."""
    text = _trimmed(value)
    primary = text.split("-")[0].lower() if text else ""
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
