"""What the portal's pages show, read from the issuers' tables: programs in the visitor's
language (saying when a text exists only in the other one), institutions, occupations.

A program's own text is shown in the page language when the institution supplied it, otherwise
in the language it has, marked with that language (``LocalText.lang``: the page puts it in a
``lang`` attribute, WCAG 2.1 success criterion 3.1.2).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from credentials import NotFound
from issuers import Institution, Program, program_url, skill_name
from keys import SigningKey
from portal.facets import skill_value
from portal.occupations import Occupation, occupation
from portal.tables import ProgramFacet

LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class LocalText:
    text: str
    lang: str


def local_text(english: str | None, french: str | None, lang: str) -> LocalText | None:
    """``english`` or ``french`` for a page in ``lang``, falling back to the other one."""
    preferred, other = (french, english) if lang == "fr" else (english, french)
    if preferred:
        return LocalText(preferred, lang)
    if other:
        return LocalText(other, "en" if lang == "fr" else "fr")
    return None


def skill_text(program: Program, skill: dict[str, Any], lang: str) -> LocalText:
    """A skill's name for a page in ``lang``, in the other language when it has none in it."""
    named = local_text(skill_name(program, skill, "en"), skill_name(program, skill, "fr"), lang)
    return named or LocalText(str(skill.get("targetName")), lang)


@dataclass(frozen=True)
class SkillView:
    name: LocalText
    url: str | None
    framework: str | None
    code: str | None


def program_name(program: Program, lang: str) -> LocalText:
    return local_text(program.name_en, program.name_fr, lang) or LocalText(program.slug, lang)


def institution_name(institution: Institution, lang: str) -> str:
    return institution.legal_name_fr if lang == "fr" else institution.legal_name_en


def institution_names(session: Session, lang: str) -> dict[str, str]:
    """Every institution's name in ``lang``, by slug (to name the institution filter's values)."""
    rows = session.exec(
        select(Institution.slug, Institution.legal_name_en, Institution.legal_name_fr)
    ).all()
    return {slug: french if lang == "fr" else english for slug, english, french in rows}


def text_languages(program: Program) -> list[str]:
    """The languages the institution wrote the program's own text in."""
    return [lang for lang, name in (("en", program.name_en), ("fr", program.name_fr)) if name]


@dataclass(frozen=True)
class ProgramView:
    """A program as its page shows it in one language."""

    program: Program
    institution: Institution
    lang: str
    name: LocalText
    description: LocalText | None
    criteria: LocalText | None
    assessment: LocalText | None
    outcomes: list[LocalText]
    skills: list[SkillView]
    only_in: str | None  # the one language of the program's text, when it is not the page's
    occupations: list[Occupation]
    stacks_into: list[str]

    @property
    def path(self) -> str:
        return program_path(self.institution, self.program)


def program_path(institution: Institution, program: Program) -> str:
    return f"/programs/{institution.slug}/{program.slug}"


def program_view(program: Program, institution: Institution, lang: str) -> ProgramView:
    languages = text_languages(program)
    outcomes = [
        text
        for outcome in program.learning_outcomes
        if (text := local_text(outcome.get("en"), outcome.get("fr"), lang))
    ]
    return ProgramView(
        program=program,
        institution=institution,
        lang=lang,
        name=program_name(program, lang),
        description=local_text(program.description_en, program.description_fr, lang),
        criteria=local_text(program.criteria_en, program.criteria_fr, lang),
        assessment=local_text(program.assessment_en, program.assessment_fr, lang),
        outcomes=outcomes,
        skills=[
            SkillView(
                skill_text(program, skill, lang),
                skill.get("targetUrl"),
                skill.get("targetFramework"),
                skill.get("targetCode"),
            )
            for skill in program.skills
        ],
        only_in=languages[0] if len(languages) == 1 and languages[0] != lang else None,
        occupations=[occupation(code) for code in program.noc_codes],
        stacks_into=list(program.part_of),
    )


def find_published_program(
    session: Session, institution_slug: str, program_slug: str
) -> tuple[Program, Institution]:
    """The published program, or ``NotFound`` (an unpublished one is not public)."""
    row = session.exec(
        select(Program, Institution)
        .join(Institution, col(Institution.id) == col(Program.institution_id))
        .where(
            col(Institution.slug) == institution_slug,
            col(Program.slug) == program_slug,
            col(Program.published),
        )
    ).first()
    if row is None:
        raise NotFound("no published program has this address")
    return row[0], row[1]


def stacking_partners(session: Session, program: Program) -> list[tuple[Program, Institution]]:
    """Other published programs that count towards the same larger credentials."""
    if not program.part_of:
        return []
    rows = session.exec(
        select(Program, Institution)
        .join(Institution, col(Institution.id) == col(Program.institution_id))
        .where(col(Program.published), col(Program.id) != program.id)
        .where(col(Program.institution_id) == program.institution_id)
    ).all()
    targets = set(program.part_of)
    return [(other, owner) for other, owner in rows if targets & set(other.part_of)]


@dataclass(frozen=True)
class InstitutionSummary:
    institution: Institution
    program_count: int


def list_institutions(session: Session) -> list[InstitutionSummary]:
    """Every institution with its number of published programs, by English name."""
    institutions = session.exec(select(Institution).order_by(col(Institution.legal_name_en))).all()
    counts = Counter(
        session.exec(select(Program.institution_id).where(col(Program.published))).all()
    )
    return [InstitutionSummary(item, counts[item.id or 0]) for item in institutions]


def find_institution(session: Session, slug: str) -> Institution:
    institution = session.exec(select(Institution).where(col(Institution.slug) == slug)).first()
    if institution is None:
        raise NotFound("no institution has this address")
    return institution


def published_programs(session: Session, institution: Institution) -> list[Program]:
    return list(
        session.exec(
            select(Program)
            .where(col(Program.institution_id) == institution.id, col(Program.published))
            .order_by(col(Program.slug))
        ).all()
    )


def published_keys(session: Session, institution: Institution) -> list[SigningKey]:
    """The institution's keys as its DID document publishes them (any status), oldest first."""
    return list(
        session.exec(
            select(SigningKey)
            .where(col(SigningKey.did) == institution.did, col(SigningKey.published))
            .order_by(col(SigningKey.created_at))
        ).all()
    )


@dataclass(frozen=True)
class SkillDemand:
    value: str  # the skill filter's value (``portal.facets.skill_value``)
    name: LocalText
    framework: str | None
    code: str | None
    program_count: int


@dataclass(frozen=True)
class OccupationView:
    occupation: Occupation
    skills: list[SkillDemand]
    programs: list[tuple[Program, Institution]]


def occupation_view(session: Session, code: str, lang: str) -> OccupationView:
    """The skills programs tagged with NOC ``code`` align to (most taught first), and those
    programs. A code no program names is ``NotFound``."""
    found = occupation(code)
    rows = session.exec(
        select(Program, Institution)
        .join(Institution, col(Institution.id) == col(Program.institution_id))
        .join(ProgramFacet, col(ProgramFacet.program_id) == col(Program.id))
        .where(col(ProgramFacet.facet) == "occupation", col(ProgramFacet.value) == code)
        .order_by(col(Program.slug))
    ).all()
    if not rows:
        raise NotFound(f"no program prepares for NOC {code}")
    programs = [(program, institution) for program, institution in rows]
    skills = skill_demand((program for program, _ in programs), lang)
    return OccupationView(found, skills, programs)


def skill_demand(programs: Any, lang: str) -> list[SkillDemand]:
    """The skills of ``programs`` (OB alignments), counted by the programs that teach them,
    named for a page in ``lang``."""
    counted: Counter[tuple[str, str | None, str | None]] = Counter()
    names: dict[str, LocalText] = {}
    for program in programs:
        seen = set()
        for skill in program.skills:
            value = skill_value(program, skill) or ""
            key = (value, skill.get("targetFramework"), skill.get("targetCode"))
            names.setdefault(value, skill_text(program, skill, lang))
            if key not in seen:
                seen.add(key)
                counted[key] += 1
    return [
        SkillDemand(value, names[value], framework, code, count)
        for (value, framework, code), count in sorted(
            counted.items(), key=lambda item: (-item[1], names[item[0][0]].text)
        )
    ]


def occupation_codes_in_use(session: Session) -> list[str]:
    """Every NOC code some published program names, in order."""
    codes = session.exec(
        select(ProgramFacet.value).where(col(ProgramFacet.facet) == "occupation").distinct()
    ).all()
    return sorted(codes)


def achievement_id(base_url: str, view: ProgramView) -> str:
    return program_url(base_url, view.institution, view.program)


def all_published(session: Session) -> Sequence[tuple[Program, Institution]]:
    """Every published program with its institution (for the sitemap)."""
    return session.exec(
        select(Program, Institution)
        .join(Institution, col(Institution.id) == col(Program.institution_id))
        .where(col(Program.published))
        .order_by(col(Institution.slug), col(Program.slug))
    ).all()
