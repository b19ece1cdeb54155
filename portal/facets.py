"""The filters of the catalog: which values a program has for each, and their names in EN/FR.

A filter's values are strings stored in ``portal_program_facet`` (``portal.tables``). Ranges
(hours, weeks, cost) are stored as the bucket the program falls in, so that every filter, range
or not, is counted the same way. Several values of one filter are alternatives (OR); different
filters all apply (AND).

>>> hours_bucket(45), cost_bucket(0), cost_bucket(129_900)
('20-59', 'free', '1000-1999')
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from issuers import LANGUAGES, DeliveryMode, Institution, InstitutionKind, Program, skill_name
from portal.tables import MAX_FACET_VALUE_LENGTH


@dataclass(frozen=True)
class Bucket:
    value: str
    low: int
    high: int | None  # inclusive; None: no upper bound


HOURS_BUCKETS = (
    Bucket("0-19", 0, 19),
    Bucket("20-59", 20, 59),
    Bucket("60-119", 60, 119),
    Bucket("120-", 120, None),
)
WEEKS_BUCKETS = (
    Bucket("0-4", 0, 4),
    Bucket("5-8", 5, 8),
    Bucket("9-16", 9, 16),
    Bucket("17-", 17, None),
)
# In dollars; a price of 0 is "free".
COST_BUCKETS = (
    Bucket("1-499", 1, 499),
    Bucket("500-999", 500, 999),
    Bucket("1000-1999", 1000, 1999),
    Bucket("2000-", 2000, None),
)
ANYTIME = "anytime"
YES, NO = "yes", "no"

# Display order of the filters on the search page and in the API.
FACETS = (
    "mode",
    "language",
    "hours",
    "weeks",
    "cost",
    "osap",
    "start",
    "sector",
    "occupation",
    "skill",
    "institution",
    "kind",
    "region",
)

Labels = dict[str, dict[str, str]]

MODE_LABELS: Labels = {
    DeliveryMode.ONLINE: {"en": "Online", "fr": "En ligne"},
    DeliveryMode.IN_PERSON: {"en": "In person", "fr": "En personne"},
    DeliveryMode.HYBRID: {"en": "Hybrid", "fr": "Hybride"},
    DeliveryMode.WORK_INTEGRATED: {"en": "Work-integrated", "fr": "Intégré au travail"},
}
LANGUAGE_LABELS: Labels = {
    "en": {"en": "English", "fr": "Anglais"},
    "fr": {"en": "French", "fr": "Français"},
}
KIND_LABELS: Labels = {
    InstitutionKind.COLLEGE: {"en": "College", "fr": "Collège"},
    InstitutionKind.UNIVERSITY: {"en": "University", "fr": "Université"},
    InstitutionKind.INDIGENOUS_INSTITUTE: {
        "en": "Indigenous Institute",
        "fr": "Institut autochtone",
    },
    InstitutionKind.PRIVATE_CAREER_COLLEGE: {
        "en": "Private career college",
        "fr": "Collège d'enseignement professionnel privé",
    },
    InstitutionKind.OTHER: {
        "en": "Other training provider",
        "fr": "Autre fournisseur de formation",
    },
}
SECTOR_LABELS: Labels = {
    "advanced-manufacturing": {"en": "Advanced manufacturing", "fr": "Fabrication de pointe"},
    "health-care": {"en": "Health care", "fr": "Soins de santé"},
    "information-technology": {
        "en": "Information technology",
        "fr": "Technologies de l'information",
    },
    "skilled-trades": {"en": "Skilled trades", "fr": "Métiers spécialisés"},
    "business": {"en": "Business", "fr": "Affaires"},
    "agriculture": {"en": "Agriculture and food", "fr": "Agriculture et alimentation"},
    "early-childhood-education": {
        "en": "Early childhood education",
        "fr": "Éducation de la petite enfance",
    },
    "community-services": {"en": "Community services", "fr": "Services communautaires"},
    "clean-energy": {"en": "Clean energy", "fr": "Énergie propre"},
    "supply-chain": {
        "en": "Supply chain and logistics",
        "fr": "Chaîne d'approvisionnement et logistique",
    },
}
# Ontario's regions as the province names them in English and French.
REGION_LABELS: Labels = {
    "Toronto": {"en": "Toronto", "fr": "Toronto"},
    "Central Ontario": {"en": "Central Ontario", "fr": "Centre de l'Ontario"},
    "Eastern Ontario": {"en": "Eastern Ontario", "fr": "Est de l'Ontario"},
    "Northern Ontario": {"en": "Northern Ontario", "fr": "Nord de l'Ontario"},
    "Northeastern Ontario": {"en": "Northeastern Ontario", "fr": "Nord-Est de l'Ontario"},
    "Northwestern Ontario": {"en": "Northwestern Ontario", "fr": "Nord-Ouest de l'Ontario"},
    "Southwestern Ontario": {"en": "Southwestern Ontario", "fr": "Sud-Ouest de l'Ontario"},
    "Western Ontario": {"en": "Western Ontario", "fr": "Ouest de l'Ontario"},
    "Ottawa": {"en": "Ottawa", "fr": "Ottawa"},
}
OSAP_LABELS: Labels = {
    YES: {"en": "OSAP eligible", "fr": "Admissible au RAFEO"},
    NO: {"en": "Not OSAP eligible", "fr": "Non admissible au RAFEO"},
}
BUCKET_LABELS: dict[str, Labels] = {
    "hours": {
        "0-19": {"en": "Under 20 hours", "fr": "Moins de 20 heures"},
        "20-59": {"en": "20 to 59 hours", "fr": "20 à 59 heures"},
        "60-119": {"en": "60 to 119 hours", "fr": "60 à 119 heures"},
        "120-": {"en": "120 hours or more", "fr": "120 heures ou plus"},
    },
    "weeks": {
        "0-4": {"en": "Up to 4 weeks", "fr": "4 semaines ou moins"},
        "5-8": {"en": "5 to 8 weeks", "fr": "5 à 8 semaines"},
        "9-16": {"en": "9 to 16 weeks", "fr": "9 à 16 semaines"},
        "17-": {"en": "17 weeks or more", "fr": "17 semaines ou plus"},
    },
    "cost": {
        "free": {"en": "Free", "fr": "Gratuit"},
        "1-499": {"en": "Under $500", "fr": "Moins de 500 $"},
        "500-999": {"en": "$500 to $999", "fr": "500 $ à 999 $"},
        "1000-1999": {"en": "$1,000 to $1,999", "fr": "1 000 $ à 1 999 $"},
        "2000-": {"en": "$2,000 or more", "fr": "2 000 $ ou plus"},
    },
    "start": {ANYTIME: {"en": "Start any time", "fr": "Début en tout temps"}},
}
VALUE_LABELS: dict[str, Labels] = {
    "mode": MODE_LABELS,
    "language": LANGUAGE_LABELS,
    "kind": KIND_LABELS,
    "sector": SECTOR_LABELS,
    "osap": OSAP_LABELS,
    "region": REGION_LABELS,
    **BUCKET_LABELS,
}


def label(labels: Labels, value: str, lang: str) -> str:
    """The name of ``value`` in ``lang``; an unknown value is shown as it is."""
    names = labels.get(value)
    return names[lang] if names else value


def _bucket(buckets: tuple[Bucket, ...], amount: int) -> str:
    for bucket in buckets:
        if amount >= bucket.low and (bucket.high is None or amount <= bucket.high):
            return bucket.value
    return buckets[0].value


def hours_bucket(hours: int) -> str:
    return _bucket(HOURS_BUCKETS, hours)


def weeks_bucket(weeks: int) -> str:
    return _bucket(WEEKS_BUCKETS, weeks)


def cost_bucket(price_cents: int) -> str:
    if price_cents <= 0:
        return "free"
    return _bucket(COST_BUCKETS, -(-price_cents // 100))


def facet_values(program: Program, institution: Institution) -> Iterator[tuple[str, str]]:
    """Every (filter, value) pair of ``program``, without duplicates of the same pair."""
    seen: set[tuple[str, str]] = set()
    for pair in _raw_facet_values(program, institution):
        value = _stored(pair[1])
        if value and (pair[0], value) not in seen:
            seen.add((pair[0], value))
            yield pair[0], value


def _stored(value: str) -> str:
    return value.strip()[:MAX_FACET_VALUE_LENGTH]


def skill_value(program: Program, skill: dict[str, Any]) -> str | None:
    """A skill's filter value, the same whatever the page's language: its English name when it
    has one, so that an English and a French program teaching it share the value, else its
    French name."""
    for language in LANGUAGES:
        name = skill_name(program, skill, language)
        if name:
            return name
    target = skill.get("targetName")
    return target if isinstance(target, str) else None


def skill_names(program: Program) -> Iterator[tuple[str, str, str]]:
    """(filter value, language, name) of each skill of ``program`` in each language it has a
    name in: what the skill filter shows in a page's language (``portal.skills``)."""
    seen: set[tuple[str, str]] = set()
    for skill in program.skills:
        value = _stored(skill_value(program, skill) or "")
        for language in LANGUAGES:
            name = _stored(skill_name(program, skill, language) or "")
            if value and name and (value, language) not in seen:
                seen.add((value, language))
                yield value, language, name


def _raw_facet_values(program: Program, institution: Institution) -> Iterator[tuple[str, str]]:
    yield "mode", program.delivery_mode
    yield from (("language", language) for language in program.languages)
    yield "hours", hours_bucket(program.hours)
    if program.weeks is not None:
        yield "weeks", weeks_bucket(program.weeks)
    if program.price_cents is not None:
        yield "cost", cost_bucket(program.price_cents)
    yield "osap", YES if program.osap_eligible else NO
    yield from (("start", start[:7]) for start in program.start_dates)
    if not program.start_dates:
        yield "start", ANYTIME
    if program.sector:
        yield "sector", program.sector
    yield from (("occupation", code) for code in program.noc_codes)
    for skill in program.skills:
        value = skill_value(program, skill)
        if value:
            yield "skill", value
    yield "institution", institution.slug
    yield "kind", institution.kind
    if institution.region:
        yield "region", institution.region
