"""A verification report explained for people: the API's JSON body and the employer page's view.

Every check gets its sentence (``verifier.messages.render_check``), what it means and, when it did
not pass, what to do next (``verifier.explanations``). The issuer is named by the trust registry
(English and French), beside the name the credential claims for itself, never instead of the
registry's. ``details_of`` reads what the credential says it is for (program, hours, skills,
assessment): claims, shown under the checks that say how far to trust them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from credentials.ontario import CLASSIFICATIONS, learning_hours
from credentials.report import Check, Outcome
from verifier.explanations import render_advice, render_meaning, render_next_step
from verifier.pipeline import VerificationReport
from verifier.registry import InstitutionRegistry, RegistryEntry, RegistrySource
from verifier.render import report_as_json
from verifier.summary import _first_subject

MAX_LISTED = 50
EMPTY_REGISTRY = InstitutionRegistry({})


def key_is_issuers(checks: Sequence[Check]) -> bool:
    """Did the issuer-key check pass? Only then may a page name the issuer from the registry."""
    return any(check.id == "issuer_key" and check.outcome is Outcome.PASSED for check in checks)


def _text(value: Any) -> str | None:
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
    text = _text(value)
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
        item.get("id"): _text(item.get("name"))
        for item in _objects(achievement.get("resultDescription", []))
    }
    return tuple(
        Assessment(names.get(result.get("resultDescription")), _text(result.get("value")))
        for result in _objects(subject.get("result", []))
    )


def details_of(document: dict[str, Any]) -> CredentialDetails:
    """The display details of a credential; every field is optional and read defensively.

    There is no OB 3.0 term for hours (standards digest section 10); they are read from the
    ``learningHours`` member (``credentials.ontario``). NOC and CIP alignments classify the
    program; they are not skills.
    """
    subject = _first_subject(document)
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    criteria = achievement.get("criteria")
    skills = tuple(
        Skill(
            name,
            _text(item.get("targetFramework")),
            _text(item.get("targetCode")),
            _link(item.get("targetUrl")),
        )
        for item in _objects(achievement.get("alignment", []))
        if (name := _text(item.get("targetName")))
        and item.get("targetFramework") not in CLASSIFICATIONS
    )
    return CredentialDetails(
        program=_text(achievement.get("name")),
        description=_text(achievement.get("description")),
        achievement_type=_text(achievement.get("achievementType")),
        criteria=_text(criteria.get("narrative")) if isinstance(criteria, dict) else None,
        hours=_number(learning_hours(achievement)),
        credits=_number(achievement.get("creditsAvailable")),
        code=_text(achievement.get("humanCode")),
        awarded=_text(document.get("awardedDate")),
        skills=skills,
        assessments=_assessments(subject, achievement),
        language=_language(achievement.get("inLanguage")),
    )


def _language(value: Any) -> str | None:
    """The primary subtag of a BCP 47 tag ("fr-CA" -> "fr"), for a page's ``lang`` attribute."""
    text = _text(value)
    primary = text.split("-")[0].lower() if text else ""
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None


def issuer_as_json(
    issuer_id: str | None, registry: RegistrySource, claimed_name: str | None, language: str
) -> dict[str, Any] | None:
    """Who issued it: the registry's entry when there is one (whatever its status)."""
    if issuer_id is None:
        return None
    entry: RegistryEntry | None = registry.entry(issuer_id)
    if entry is None:
        return {"id": issuer_id, "recognized": False, "claimed_name": claimed_name}
    return {
        "id": issuer_id,
        "recognized": entry.status.value == "active",
        "name": entry.name_fr if language == "fr" else entry.name_en,
        "name_en": entry.name_en,
        "name_fr": entry.name_fr,
        "institution_type": entry.kind,
        "jurisdiction": entry.jurisdiction,
        "status": entry.status.value,
        "registry": entry.source,
        "claimed_name": claimed_name,
    }


def explained_report(
    report: VerificationReport, language: str, registry: RegistrySource
) -> dict[str, Any]:
    """``report_as_json`` plus, per check, ``meaning`` and ``next_step``; ``advice`` under the
    verdict; ``issuer`` from the registry. Parts (CLR members, presented credentials) alike."""
    result = report_as_json(report, language)
    result["advice"] = render_advice(report.verdict, language, report.checks)
    for check, rendered in zip(report.checks, result["checks"], strict=True):
        rendered["meaning"] = render_meaning(check, language)
        rendered["next_step"] = render_next_step(check, language)
    summary = report.summary
    # The registry's name and badge only for a key shown to be the issuer's (issue #12).
    named = registry if key_is_issuers(report.checks) else EMPTY_REGISTRY
    result["issuer"] = (
        issuer_as_json(summary.issuer_id, named, summary.issuer_claimed_name, language)
        if summary
        else None
    )
    if report.parts:
        result["parts"] = [explained_report(part, language, registry) for part in report.parts]
    return result
