"""Reports as JSON (API, ``passport verify --json``) and as plain text (the CLI's readable form).

Both render every check through ``verifier.messages`` so all surfaces use the same sentences.
"""

from __future__ import annotations

from typing import Any

from verifier.messages import render_check, render_verdict
from verifier.pipeline import VerificationReport


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
