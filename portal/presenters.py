"""Search results and programs turned into what the API answers and the pages show.

>>> query_string([("q", "soudage"), ("page", "2")], page=3)
'q=soudage&page=3'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from issuers import Institution, Program, achievement_for
from portal.api_models import (
    Endorsement,
    Facet,
    FacetValue,
    ProgramDetail,
    ProgramList,
    ProgramSummary,
    Skill,
)
from portal.catalog import program_path
from portal.endorsements import VerifiedEndorsement
from portal.facets import FACETS, SECTOR_LABELS, VALUE_LABELS, label
from portal.occupations import occupations
from portal.search import FacetCount, SearchResult
from portal.skills import SkillNames

API_PATH = "/api/v1/programs"


def facet_label(name: str, value: str, lang: str) -> str:
    """The name of a filter value: from the fixed lists, NOC titles for occupations, else as is."""
    if name == "occupation":
        known = occupations().get(value)
        return f"{known.title(lang)} ({value})" if known else value
    return label(VALUE_LABELS.get(name, {}), value, lang)


def sector_label(sector: str | None, lang: str) -> str | None:
    return None if sector is None else label(SECTOR_LABELS, sector, lang)


def summary(base_url: str, program: Program, institution: Institution) -> ProgramSummary:
    path = program_path(institution, program)
    return ProgramSummary(
        institution=institution.slug,
        institution_name_en=institution.legal_name_en,
        institution_name_fr=institution.legal_name_fr,
        slug=program.slug,
        name_en=program.name_en,
        name_fr=program.name_fr,
        description_en=program.description_en,
        description_fr=program.description_fr,
        page_url=f"{base_url}{path}",
        api_url=f"{base_url}{API_PATH}/{institution.slug}/{program.slug}",
        hours=program.hours,
        weeks=program.weeks,
        delivery_mode=program.delivery_mode,
        languages=list(program.languages),
        price_cents=program.price_cents,
        osap_eligible=program.osap_eligible,
        sector=program.sector,
        noc_codes=list(program.noc_codes),
        start_dates=list(program.start_dates),
    )


def _facets(facets: dict[str, list[FacetCount]], skills: SkillNames) -> list[Facet]:
    def label(name: str, value: str, lang: str) -> str:
        return skills.label(value, lang).text if name == "skill" else facet_label(name, value, lang)

    return [
        Facet(
            name=name,
            values=[
                FacetValue(
                    value=count.value,
                    label_en=label(name, count.value, "en"),
                    label_fr=label(name, count.value, "fr"),
                    count=count.count,
                    selected=count.selected,
                )
                for count in facets[name]
            ],
        )
        for name in FACETS
    ]


def program_list(base_url: str, result: SearchResult, skills: SkillNames) -> ProgramList:
    notes = [*result.request.notes, *(["any_word"] if result.any_word else [])]
    return ProgramList(
        total=result.total,
        limit=result.request.limit,
        offset=result.request.offset,
        items=[summary(base_url, hit.program, hit.institution) for hit in result.hits],
        facets=_facets(result.facets, skills),
        notes=notes,
        corrections={word.word: list(word.alternatives) for word in result.corrections},
    )


def program_detail(
    base_url: str,
    program: Program,
    institution: Institution,
    endorsements: Sequence[VerifiedEndorsement],
) -> ProgramDetail:
    skills = [
        Skill(
            name=str(skill.get("targetName")),
            framework=skill.get("targetFramework"),
            code=skill.get("targetCode"),
            url=skill.get("targetUrl"),
        )
        for skill in program.skills
    ]
    return ProgramDetail(
        **summary(base_url, program, institution).model_dump(),
        learning_outcomes=list(program.learning_outcomes),
        criteria_en=program.criteria_en,
        criteria_fr=program.criteria_fr,
        assessment_en=program.assessment_en,
        assessment_fr=program.assessment_fr,
        skills=skills,
        cip_code=program.cip_code,
        registration_url=program.registration_url,
        part_of=list(program.part_of),
        employer_partners=list(program.employer_partners),
        endorsements=[
            Endorsement(
                employer=item.employer.name,
                comment=item.comment,
                verdict=item.report.verdict.value,
                credential=item.credential,
            )
            for item in endorsements
        ],
        achievement=achievement_for(base_url, institution, program),
        updated_at=program.updated_at,
    )


def query_string(parameters: Sequence[tuple[str, str]], *, page: int) -> str:
    """The search's query string with ``page`` replaced (and the UI ``lang`` kept)."""
    kept = [(name, value) for name, value in parameters if name != "page"]
    return urlencode([*kept, ("page", str(page))])


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    previous: str | None
    next: str | None


def pager(parameters: Sequence[tuple[str, str]], result: SearchResult) -> Pager:
    page, pages = result.request.page, result.pages
    previous = query_string(parameters, page=min(page - 1, pages)) if page > 1 else None
    following = query_string(parameters, page=page + 1) if page < pages else None
    return Pager(page, pages, previous, following)


def money(cents: int | None, lang: str) -> str | None:
    """A price in Canadian dollars as each language writes it: $1,250 / 1 250 $ (free: 0)."""
    if cents is None:
        return None
    whole, part = divmod(cents, 100)
    amount = f"{whole:,}" + (f".{part:02d}" if part else "")
    if lang == "fr":
        return amount.replace(",", "\u00a0").replace(".", ",") + "\u00a0$"
    return f"${amount}"
