"""Reports rendered for people: as JSON (``passport verify --json``), explained (the API's body
and the employer page's view: ``explained_report``) and as plain text (the CLI's readable form).

All render every check through ``verifier.wording.sentences`` so every surface uses the same
sentences; the explained form adds, per check, what it means and, when it did not pass, what to
do next (``verifier.wording.explanations``). The issuer is named by the trust registry (English
and French), beside the name the credential claims for itself, never instead of the registry's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from credentials import Check, Outcome
from verifier.pipeline import VerificationReport
from verifier.registry import InstitutionRegistry, RegistryEntry, RegistrySource
from verifier.wording.explanations import render_advice, render_meaning, render_next_step
from verifier.wording.sentences import render_check, render_verdict

EMPTY_REGISTRY = InstitutionRegistry({})


def report_as_json(report: VerificationReport, language: str = "en") -> dict[str, Any]:
    result: dict[str, Any] = {
        "verified": report.verified,
        "verdict": report.verdict.value,
        "summary": render_verdict(report.verdict, language),
        "checks": [
            {
                "id": check.id,
                "outcome": check.outcome.value,
                "message": render_check(check, language),
                **({"problem": check.problem_type} if check.problem_type else {}),
            }
            for check in report.checks
        ],
        "credential": report.summary.as_dict() if report.summary else None,
    }
    if report.parts:
        result["parts"] = [report_as_json(part, language) for part in report.parts]
    if report.endorsements:
        result["endorsements"] = [report_as_json(item, language) for item in report.endorsements]
    return result


MARKS = {"passed": "ok", "failed": "FAILED", "warning": "warning", "could_not_check": "unchecked"}


def report_as_text(report: VerificationReport, language: str = "en", indent: str = "") -> str:
    lines = [f"{indent}{render_verdict(report.verdict, language)}"]
    if report.summary and report.summary.achievement:
        lines.append(f"{indent}  {report.summary.achievement} ({report.summary.issuer_id})")
    for check in report.checks:
        mark = MARKS[check.outcome.value]
        lines.append(f"{indent}  [{mark}] {check.id}: {render_check(check, language)}")
    for number, part in enumerate(report.parts, start=1):
        lines.append(f"{indent}  credential {number} inside:")
        lines.append(report_as_text(part, language, indent + "    "))
    for number, endorsement in enumerate(report.endorsements, start=1):
        lines.append(f"{indent}  endorsement {number}:")
        lines.append(report_as_text(endorsement, language, indent + "    "))
    return "\n".join(lines)


def key_is_issuers(checks: Sequence[Check]) -> bool:
    """Did the issuer-key check pass? Only then may a page name the issuer from the registry."""
    return any(check.id == "issuer_key" and check.outcome is Outcome.PASSED for check in checks)


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
