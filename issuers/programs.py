"""Programs as Open Badges 3.0 Achievements (OB 3.0 section B.1.1 "Achievement").

``achievement_for`` is the one place a Program row becomes the ``achievement`` of the credentials
awarded for it, so every award, the sample credential and the portal show the same thing.
"""

from __future__ import annotations

from typing import Any

from issuers.tables import Institution, Program


def program_url(base_url: str, institution: Institution, program: Program) -> str:
    return f"{base_url.rstrip('/')}/issuers/{institution.slug}/programs/{program.slug}"


def _primary_language(program: Program) -> str:
    return program.languages[0] if program.languages else "en"


def _localized(program: Program, english: str | None, french: str | None) -> str | None:
    if _primary_language(program) == "fr":
        return french or english
    return english or french


def achievement_for(base_url: str, institution: Institution, program: Program) -> dict[str, Any]:
    """The OB 3.0 Achievement of ``program``, in the program's primary language."""
    achievement: dict[str, Any] = {
        "id": program_url(base_url, institution, program),
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": _localized(program, program.name_en, program.name_fr) or program.slug,
        "description": _localized(program, program.description_en, program.description_fr) or "",
        "criteria": {
            "narrative": _localized(program, program.criteria_en, program.criteria_fr) or "",
        },
        "inLanguage": _primary_language(program),
    }
    if program.skills:
        achievement["alignment"] = [{"type": ["Alignment"], **skill} for skill in program.skills]
    return achievement
