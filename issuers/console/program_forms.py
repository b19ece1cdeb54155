"""Console forms <-> ``issuers.api_models``: the console validates with the API's own models.

A form is flat text; these turn it into the model's shape (lists from one-per-line text areas,
dollars to cents, check boxes to booleans) and turn a ``ValidationError`` into one readable
message per field, so the page can show what to fix next to the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import ValidationError

from issuers.api_models import ProgramCreate, ProgramFields, Skill

TEXT_FIELDS = (
    "name_en",
    "name_fr",
    "description_en",
    "description_fr",
    "criteria_en",
    "criteria_fr",
    "assessment_en",
    "assessment_fr",
    "cip_code",
    "sector",
    "registration_url",
)
SKILL_SEPARATOR = "|"


def _lines(form: Mapping[str, str], name: str) -> list[str]:
    return [line.strip() for line in form.get(name, "").splitlines() if line.strip()]


def _price_cents(text: str) -> Any:
    if not text.strip():
        return None
    try:
        return int(Decimal(text.strip()) * 100)
    except (InvalidOperation, ValueError):
        return text  # left for the model to refuse, with its message


def _skills(form: Mapping[str, str]) -> list[dict[str, Any]]:
    """One skill a line: name | URL | framework | code | English name | French name."""
    skills = []
    for line in _lines(form, "skills"):
        parts = [part.strip() for part in line.split(SKILL_SEPARATOR)]
        keys = ("targetName", "targetUrl", "targetFramework", "targetCode")
        skill: dict[str, Any] = {
            key: value for key, value in zip(keys, parts[:4], strict=False) if value
        }
        names = {lang: name for lang, name in zip(("en", "fr"), parts[4:6], strict=False) if name}
        skills.append(skill | ({"names": names} if names else {}))
    return skills


def _skill_line(skill: Skill) -> str:
    names = [skill.names.en or "", skill.names.fr or ""] if skill.names else []
    parts = [skill.target_name, skill.target_url, skill.target_framework or ""]
    return f" {SKILL_SEPARATOR} ".join([*parts, skill.target_code or "", *names]).rstrip(
        f" {SKILL_SEPARATOR}"
    )


def _outcomes(form: Mapping[str, str]) -> list[dict[str, str]]:
    english, french = _lines(form, "outcomes_en"), _lines(form, "outcomes_fr")
    count = max(len(english), len(french))
    return [
        {
            key: value
            for key, value in (
                ("en", english[i] if i < len(english) else ""),
                ("fr", french[i] if i < len(french) else ""),
            )
            if value
        }
        for i in range(count)
    ]


def program_values(form: Mapping[str, str], languages: list[str]) -> dict[str, Any]:
    """The model input of a program form (``languages``: the checked language boxes)."""
    values: dict[str, Any] = {name: form.get(name, "").strip() or None for name in TEXT_FIELDS}
    values |= {
        "hours": form.get("hours", "").strip() or None,
        "weeks": form.get("weeks", "").strip() or None,
        "delivery_mode": form.get("delivery_mode", ""),
        "languages": languages or ["en"],
        "price_cents": _price_cents(form.get("price", "")),
        "osap_eligible": form.get("osap_eligible") == "on",
        "published": form.get("published") == "on",
        "noc_codes": [
            code.strip() for code in form.get("noc_codes", "").split(",") if code.strip()
        ],
        "skills": _skills(form),
        "learning_outcomes": _outcomes(form),
        "part_of": _lines(form, "part_of"),
        "employer_partners": _lines(form, "employer_partners"),
    }
    return values


def form_of(fields: ProgramFields) -> dict[str, str]:
    """A stored program as the text of its form."""
    form = {name: getattr(fields, name) or "" for name in TEXT_FIELDS}
    price = "" if fields.price_cents is None else f"{Decimal(fields.price_cents) / 100:.2f}"
    form |= {
        "hours": str(fields.hours),
        "weeks": "" if fields.weeks is None else str(fields.weeks),
        "delivery_mode": fields.delivery_mode.value,
        "price": price,
        "osap_eligible": "on" if fields.osap_eligible else "",
        "published": "on" if fields.published else "",
        "noc_codes": ", ".join(fields.noc_codes),
        "skills": "\n".join(_skill_line(skill) for skill in fields.skills),
        "outcomes_en": "\n".join(outcome.en or "" for outcome in fields.learning_outcomes),
        "outcomes_fr": "\n".join(outcome.fr or "" for outcome in fields.learning_outcomes),
        "part_of": "\n".join(fields.part_of),
        "employer_partners": "\n".join(fields.employer_partners),
    }
    return form


def parse_program(
    form: Mapping[str, str], languages: list[str], *, slug: str | None
) -> ProgramFields:
    """``ProgramCreate`` (with ``slug``) or ``ProgramFields``; raises ``ValidationError``."""
    values = program_values(form, languages)
    if slug is None:
        return ProgramFields.model_validate(values)
    return ProgramCreate.model_validate(values | {"slug": slug})


def error_messages(error: ValidationError) -> list[str]:
    """One line per problem: the field (as the form names it) and what is wrong."""
    messages = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "form"
        messages.append(f"{where}: {item['msg']}")
    return messages
