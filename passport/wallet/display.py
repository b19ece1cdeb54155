"""What the passport shows of a credential: read once at import, then kept beside the bytes.

Everything here is what the credential *claims*; the issuer's name shown to the learner and to
employers comes from the trust registry when the issuer is in it (``issuer_view``), and every view
is paired with the live verification report (``passport.wallet.live``). The timeline, the skills
summary and the exports read ``StoredCredential.display`` and never re-parse the credentials, so a
passport of 200 credentials renders without touching their JSON.

Hours are read from the achievement's ``learningHours`` member, under either term it was signed
with (``credentials.ontario.learning_hours``; OB 3.0 has no term for it, standards digest
section 10);
skills are the achievement's ``alignment`` entries
(OB 3.0 section B.1.4 Alignment), grouped by ``targetFramework``.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from credentials import (
    PassportError,
    details_of,
    extract,
    first_subject,
    instant_or_none,
    summarize,
)
from passport.wallet.tables import CredentialFormat, StoredCredential
from verifier import (
    RegistrySource,
    VerificationReport,
    claimed_document,
    key_is_issuers,
    read_input,
)

OTHER_FRAMEWORK = ""


def credential_text(stored: StoredCredential) -> str:
    """The credential itself as text (JSON or a compact JWS), out of its image when baked."""
    if stored.format in (CredentialFormat.PNG, CredentialFormat.SVG):
        return extract(stored.content)
    return stored.content.decode("utf-8").removeprefix("\ufeff").strip()


def display_of(document: dict[str, Any]) -> dict[str, Any]:
    """The JSON kept in ``StoredCredential.display``."""
    summary = summarize(document)
    details = details_of(document)
    name = document.get("name")
    return {
        "title": details.program or (name if isinstance(name, str) else None) or summary.kind,
        "issuer_claimed_name": summary.issuer_claimed_name,
        "description": details.description,
        "code": details.code,
        "achievement_type": details.achievement_type,
        "hours": details.hours,
        "credits": details.credits,
        "skills": [asdict(skill) for skill in details.skills],
        "results": [asdict(result) for result in details.assessments],
        "awarded": details.awarded,
        "valid_from": summary.valid_from,
        "valid_until": summary.valid_until,
        "subject_id": summary.subject_id,
    }


def holder_name(credentials: list[StoredCredential]) -> str | None:
    """The learner's name as the issuers wrote it, from the first credential that carries one
    (the passport account itself holds no name): ``credentialSubject.name``, or an unhashed
    ``identifier`` of ``identityType`` ``name`` (OB 3.0 B.1.2 and B.1.10, what ours write)."""
    for stored in credentials:
        with contextlib.suppress(PassportError, ValueError):
            subject = first_subject(claimed_document(read_input(credential_text(stored).encode())))
            names = [subject.get("name")] + [
                item.get("identityHash")
                for item in subject.get("identifier") or []
                if isinstance(item, dict)
                and item.get("identityType") == "name"
                and item.get("hashed") is False
            ]
            found = next((name for name in names if isinstance(name, str) and name.strip()), None)
            if found is not None:
                return found.strip()
    return None


def issued_to_another_holder(stored: StoredCredential, holder: str) -> bool:
    """The credential names a DID as its subject and it is not ``holder``, the learner's own:
    kept (it may be the learner's under an older key, or held for someone), but marked, since
    it cannot be presented as theirs (a presentation's holder must be each credential's subject,
    docs/verification.md check ``presentation``). A subject named otherwise, or not at all,
    binds to no key and is not marked."""
    subject = stored.display.get("subject_id")
    return isinstance(subject, str) and subject.startswith("did:") and subject != holder


def issuer_view(
    issuer_id: str | None, registry: RegistrySource, language: str, report: VerificationReport
) -> dict[str, Any]:
    """The issuer as the pages name it: the registry's name when known and the ``report`` shows
    the signing key is the issuer's (else a forger would borrow the name), else the claim."""
    known = issuer_id is not None and key_is_issuers(report.checks)
    entry = registry.entry(issuer_id) if issuer_id is not None and known else None
    if entry is None:
        return {"id": issuer_id, "recognized": False, "name": None}
    return {
        "id": issuer_id,
        "recognized": entry.status.value == "active",
        "status": entry.status.value,
        "name": entry.name_fr if language == "fr" else entry.name_en,
    }


def learning_date(stored: StoredCredential) -> datetime:
    """When the learning was recognized: awarded, else valid from, else when it was added."""
    display = stored.display
    return (
        instant_or_none(display.get("awarded"))
        or instant_or_none(display.get("valid_from"))
        or stored.added_at
    )


def timeline(credentials: list[StoredCredential]) -> list[StoredCredential]:
    """Most recent learning first."""
    return sorted(credentials, key=learning_date, reverse=True)


@dataclass
class SkillLine:
    name: str
    code: str | None
    credentials: int = 0
    url: str | None = None  # the framework's page of the skill (credentials stored earlier lack it)


@dataclass
class SkillsSummary:
    """Totals over a passport, and skills grouped by framework (``""`` for none named)."""

    credentials: int = 0
    total_hours: float = 0.0
    frameworks: dict[str, list[SkillLine]] = field(default_factory=dict)

    @property
    def hours_text(self) -> str:
        return f"{self.total_hours:g}"


def skills_summary(credentials: list[StoredCredential]) -> SkillsSummary:
    """Sum the hours and count each skill once per credential that aligns to it."""
    summary = SkillsSummary(credentials=len(credentials))
    grouped: dict[str, dict[tuple[str, str | None], SkillLine]] = defaultdict(dict)
    for stored in credentials:
        hours = stored.display.get("hours")
        with contextlib.suppress(ValueError, TypeError):
            summary.total_hours += float(hours) if hours is not None else 0.0
        seen: set[tuple[str, str, str | None]] = set()
        for skill in stored.display.get("skills", []):
            framework = skill.get("framework") or OTHER_FRAMEWORK
            key = (framework, skill["name"], skill.get("code"))
            if key in seen:
                continue
            seen.add(key)
            line = grouped[framework].setdefault(
                (skill["name"], skill.get("code")),
                SkillLine(skill["name"], skill.get("code"), url=skill.get("url")),
            )
            line.credentials += 1
    summary.frameworks = {
        framework: sorted(lines.values(), key=lambda line: line.name.casefold())
        for framework, lines in sorted(grouped.items(), key=lambda item: (not item[0], item[0]))
    }
    return summary
