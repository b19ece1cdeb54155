"""Programs as Open Badges 3.0 Achievements (OB 3.0 section B.1.1 "Achievement").

``achievement_for`` is the one place a Program row becomes the ``achievement`` of the credentials
awarded for it, so every award, the sample credential and the public program page show the same
thing. Ontario's micro-credential framework maps onto OB 3.0 as the standards digest (section 10)
sets out: skills are ``alignment`` entries (ESCO or another framework), the criteria narrative
carries the criteria, the summative assessment and the learning outcomes (Markdown, which OB 3.0
allows there), ``achievementType`` is ``MicroCredential``.

OB 3.0 has no term for hours, weeks, delivery mode, languages of instruction, tuition, OSAP
eligibility, NOC 2021 or CIP 2021 codes or employer partners: those use our extension context
``credentials.contexts.LEARNER_PASSPORT_V1``. The achievement names that context itself (an
embedded ``@context``, JSON-LD 1.1 section 4.1), so it stays defined in JSON-LD safe mode in any
credential it is placed in, whoever builds that credential; the context's terms are new names
under our own namespace and clash with no protected VC 2.0 or OB 3.0 term.

Stacking (CLR 2.0 ``Association``, ``isPartOf``) belongs in a CLR's subject, not in the
Achievement: ``stacking_associations`` builds those entries.

>>> from datetime import UTC, datetime
>>> when = datetime(2025, 9, 1, tzinfo=UTC)
>>> college = Institution(slug="c", legal_name_en="C", legal_name_fr="C", kind="college",
...     website="https://c.example", contact_email="a@c.example", did="did:web:c", created_at=when)
>>> welding = Program(slug="weld", name_en="Welding", hours=40, delivery_mode="online",
...     price_cents=35000, noc_codes=["72106"], institution_id=1, created_at=when, updated_at=when)
>>> achievement = achievement_for("https://passport.example", college, welding)
>>> achievement["learningHours"], achievement["tuitionFee"], achievement["nocCode"]
(40, '350.00', ['72106'])
"""

from __future__ import annotations

from typing import Any

from credentials.contexts import LEARNER_PASSPORT_V1
from issuers.tables import Institution, Program

TUITION_CURRENCY = "CAD"


def program_url(base_url: str, institution: Institution, program: Program) -> str:
    return f"{base_url.rstrip('/')}/issuers/{institution.slug}/programs/{program.slug}"


def _primary_language(program: Program) -> str:
    return program.languages[0] if program.languages else "en"


def _localized(program: Program, english: str | None, french: str | None) -> str | None:
    if _primary_language(program) == "fr":
        return french or english
    return english or french


def _criteria_narrative(program: Program) -> str:
    """Criteria, summative assessment and learning outcomes as one Markdown narrative."""
    french = _primary_language(program) == "fr"
    parts = [_localized(program, program.criteria_en, program.criteria_fr) or ""]
    assessment = _localized(program, program.assessment_en, program.assessment_fr)
    if assessment:
        heading = "Évaluation sommative" if french else "Summative assessment"
        parts.append(f"**{heading}:** {assessment}")
    outcomes = [
        _localized(program, outcome.get("en"), outcome.get("fr")) or ""
        for outcome in program.learning_outcomes
    ]
    if outcomes:
        heading = "Résultats d'apprentissage" if french else "Learning outcomes"
        parts.append(f"**{heading}:**\n" + "\n".join(f"- {outcome}" for outcome in outcomes))
    return "\n\n".join(part for part in parts if part)


def _extension_terms(program: Program) -> dict[str, Any]:
    """The members defined by our extension context (absent values are left out)."""
    terms: dict[str, Any] = {
        "learningHours": program.hours,
        "durationWeeks": program.weeks,
        "deliveryMode": program.delivery_mode,
        "languageOfInstruction": list(program.languages) or None,
        "osapEligible": program.osap_eligible,
        "nocCode": list(program.noc_codes) or None,
        "cipCode": program.cip_code,
        "employerPartner": list(program.employer_partners) or None,
    }
    if program.price_cents is not None:
        # xsd:decimal as a string: a JSON number would become an xsd:double in RDF.
        whole, cents = divmod(program.price_cents, 100)
        terms["tuitionFee"] = f"{whole}.{cents:02d}"
        terms["tuitionCurrency"] = TUITION_CURRENCY
    return {name: value for name, value in terms.items() if value is not None}


def achievement_for(base_url: str, institution: Institution, program: Program) -> dict[str, Any]:
    """The OB 3.0 Achievement of ``program``, in the program's primary language."""
    achievement: dict[str, Any] = {
        "@context": LEARNER_PASSPORT_V1,
        "id": program_url(base_url, institution, program),
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": _localized(program, program.name_en, program.name_fr) or program.slug,
        "description": _localized(program, program.description_en, program.description_fr) or "",
        "criteria": {"narrative": _criteria_narrative(program)},
        "inLanguage": _primary_language(program),
    }
    if program.skills:
        achievement["alignment"] = [{"type": ["Alignment"], **skill} for skill in program.skills]
    return achievement | _extension_terms(program)


def stacking_associations(
    base_url: str, institution: Institution, program: Program
) -> list[dict[str, Any]]:
    """CLR 2.0 ``Association`` entries saying this program ``isPartOf`` each larger credential."""
    source = program_url(base_url, institution, program)
    return [
        {
            "type": "Association",
            "associationType": "isPartOf",
            "sourceId": source,
            "targetId": target,
        }
        for target in program.part_of
    ]
