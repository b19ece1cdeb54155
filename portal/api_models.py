"""Response models of the catalog API (``/api/v1/programs``), documented in the OpenAPI
document. Programs carry their own text in both languages as the institution supplied it
(``null`` where it did not); filter values carry their names in both languages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class FacetValue(BaseModel):
    value: str = Field(description="The value to pass as the filter's query parameter.")
    label_en: str
    label_fr: str
    count: int = Field(description="Matching programs with this value (other filters applied).")
    selected: bool


class Facet(BaseModel):
    name: str = Field(description="The query parameter of this filter, e.g. 'mode'.")
    values: list[FacetValue]


class Skill(BaseModel):
    name: str
    framework: str | None
    code: str | None
    url: str | None


class ProgramSummary(BaseModel):
    institution: str = Field(description="The institution's slug.")
    institution_name_en: str
    institution_name_fr: str
    slug: str
    name_en: str | None
    name_fr: str | None
    description_en: str | None
    description_fr: str | None
    page_url: str
    api_url: str
    hours: int
    weeks: int | None
    delivery_mode: str
    languages: list[str]
    price_cents: int | None
    currency: str = "CAD"
    osap_eligible: bool
    sector: str | None
    noc_codes: list[str]
    start_dates: list[str]


class ProgramList(BaseModel):
    total: int = Field(description="Programs matching the query and filters.")
    limit: int
    offset: int
    items: list[ProgramSummary]
    facets: list[Facet]
    notes: list[str] = Field(
        description="Codes of what was changed in the query: query_shortened (cut at 200 "
        "characters), query_words_dropped (more than 8 words), any_word (no program had "
        "every word; programs with any of them are listed)."
    )
    corrections: dict[str, list[str]] = Field(
        description="Query words with no match, and the indexed words one letter away that "
        "were searched instead."
    )


class Endorsement(BaseModel):
    employer: str
    comment: str | None
    verdict: str = Field(description="The verifier's verdict on the signed endorsement.")
    credential: dict[str, Any] = Field(description="The EndorsementCredential as signed.")


class ProgramDetail(ProgramSummary):
    learning_outcomes: list[dict[str, str]]
    criteria_en: str | None
    criteria_fr: str | None
    assessment_en: str | None
    assessment_fr: str | None
    skills: list[Skill]
    cip_code: str | None
    registration_url: str | None
    part_of: list[str]
    employer_partners: list[str]
    endorsements: list[Endorsement]
    achievement: dict[str, Any] = Field(description="The OB 3.0 Achievement learners receive.")
    updated_at: datetime
