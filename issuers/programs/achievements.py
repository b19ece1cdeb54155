"""Programs as Open Badges 3.0 Achievements (OB 3.0 section B.1.1 "Achievement").

``achievement_for`` is the one place a Program row becomes the ``achievement`` of the credentials
awarded for it, so every award, the sample credential and the public program page show the same
thing. Ontario's micro-credential framework maps onto OB 3.0 as the standards digest (section 10)
sets out: skills are ``alignment`` entries (ESCO or another framework), the criteria narrative
carries the criteria, the summative assessment and the learning outcomes (Markdown, which OB 3.0
allows there), ``achievementType`` is ``MicroCredential``.

Only standard contexts are named (docs/architecture.md, "Ontario metadata", has the table):
NOC 2021 and CIP 2021 codes are ``alignment`` entries like the ESCO skills (``targetFramework``
and ``targetCode``), the language is ``inLanguage``, the sector and delivery mode are ``tag``
keywords, the program's catalog slug is an ``otherIdentifier``, the summative assessment is a
``resultDescription``. OB 3.0 has no term for hours, weeks, delivery mode, the set of languages of
instruction, tuition, OSAP eligibility or employer partners: those keep their names as
issuer-dependent terms of the W3C ``undefined-terms/v2`` context (VC Data Model 2.0 section 5.2),
which the achievement names itself (an embedded ``@context``, JSON-LD 1.1 section 4.1), so the
``@vocab`` covers these members and nothing else in the credential, whoever builds it. Awards
issued before named our own ``learner-passport/v1`` context for the same names; both read alike
(``credentials.ontario``).

Stacking (CLR 2.0 ``Association``, ``isPartOf``) belongs in a CLR's subject, not in the
Achievement: ``stacking_associations`` builds those entries.

>>> from datetime import UTC, datetime
>>> when = datetime(2025, 9, 1, tzinfo=UTC)
>>> college = Institution(slug="c", legal_name_en="C", legal_name_fr="C", kind="college",
...     website="https://c.example", contact_email="a@c.example", did="did:web:c", created_at=when)
>>> welding = Program(slug="weld", name_en="Welding", hours=40, delivery_mode="online",
...     price_cents=35000, noc_codes=["72106"], institution_id=1, created_at=when, updated_at=when)
>>> achievement = achievement_for("https://passport.example", college, welding)
>>> achievement["learningHours"], achievement["tuitionFee"]
(40, '350.00')
>>> achievement["alignment"][0]["targetFramework"], achievement["alignment"][0]["targetCode"]
('NOC 2021', '72106')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from credentials import CIP_FRAMEWORK, NOC_FRAMEWORK, UNDEFINED_TERMS_V2, OntarioTerm
from issuers.tables import Institution, Program

TUITION_CURRENCY = "CAD"
# The languages program texts (and so credentials) can be written in.
LANGUAGES = ("en", "fr")
# ESDC's page of a NOC 2021 unit group, and Statistics Canada's CIP 2021 (an Alignment needs a
# targetUrl, OB 3.0 section B.1.4; the code itself is the targetCode).
NOC_URL = "https://noc.esdc.gc.ca/Structure/NOCProfile?GocTemplateCulture=en-CA&code={code}&version=2021.0"
CIP_URL = "https://www.statcan.gc.ca/en/subjects/standard/cip/2021/index"


def program_url(base_url: str, institution: Institution, program: Program) -> str:
    return f"{base_url.rstrip('/')}/issuers/{institution.slug}/programs/{program.slug}"


def _primary_language(program: Program) -> str:
    return program.languages[0] if program.languages else "en"


def text_language(program: Program, wanted: str | None = None) -> str:
    """The language a credential of ``program`` is written in: ``wanted`` (the learner's) when
    the program has its name in that language, else the program's first language."""
    names = dict(zip(LANGUAGES, (program.name_en, program.name_fr), strict=True))
    if wanted is not None and names.get(wanted):
        return wanted
    return _primary_language(program)


def _localized(language: str, english: str | None, french: str | None) -> str | None:
    """The text in ``language``, else in the other (a program may lack one translation)."""
    if language == "fr":
        return french or english
    return english or french


def skill_name(program: Program, skill: Mapping[str, Any], language: str) -> str | None:
    """The skill's name in ``language``: from its ``names``, else its ``targetName`` when that
    language is the program's first (the language the institution wrote it in), else none."""
    names = skill.get("names")
    named = names.get(language) if isinstance(names, Mapping) else None
    if isinstance(named, str) and named:
        return named
    target = skill.get("targetName")
    return target if isinstance(target, str) and _primary_language(program) == language else None


def _criteria_narrative(program: Program, language: str) -> str:
    """Criteria, summative assessment and learning outcomes as one Markdown narrative."""
    french = language == "fr"
    parts = [_localized(language, program.criteria_en, program.criteria_fr) or ""]
    assessment = _localized(language, program.assessment_en, program.assessment_fr)
    if assessment:
        heading = "Évaluation sommative" if french else "Summative assessment"
        parts.append(f"**{heading}:** {assessment}")
    outcomes = [
        _localized(language, outcome.get("en"), outcome.get("fr")) or ""
        for outcome in program.learning_outcomes
    ]
    if outcomes:
        heading = "Résultats d'apprentissage" if french else "Learning outcomes"
        parts.append(f"**{heading}:**\n" + "\n".join(f"- {outcome}" for outcome in outcomes))
    return "\n\n".join(part for part in parts if part)


def _extension_terms(program: Program) -> dict[str, Any]:
    """The issuer-dependent members (absent values are left out)."""
    terms: dict[str, Any] = {
        OntarioTerm.LEARNING_HOURS: program.hours,
        OntarioTerm.DURATION_WEEKS: program.weeks,
        OntarioTerm.DELIVERY_MODE: program.delivery_mode,
        OntarioTerm.LANGUAGES: list(program.languages) or None,
        OntarioTerm.OSAP_ELIGIBLE: program.osap_eligible,
        OntarioTerm.EMPLOYER_PARTNERS: list(program.employer_partners) or None,
    }
    if program.price_cents is not None:
        # A string keeps the cents exact (a JSON number becomes an xsd:double in RDF).
        whole, cents = divmod(program.price_cents, 100)
        terms[OntarioTerm.TUITION_FEE] = f"{whole}.{cents:02d}"
        terms[OntarioTerm.TUITION_CURRENCY] = TUITION_CURRENCY
    return {str(name): value for name, value in terms.items() if value is not None}


def _alignments(program: Program, language: str) -> list[dict[str, Any]]:
    """Skills (ESCO or another framework), named in ``language`` where they have a name in it,
    then the NOC 2021 and CIP 2021 codes."""
    alignments = [
        {
            "type": ["Alignment"],
            **{name: value for name, value in skill.items() if name != "names"},
            "targetName": skill_name(program, skill, language) or skill["targetName"],
        }
        for skill in program.skills
    ]
    alignments += [
        {
            "type": ["Alignment"],
            "targetName": f"{NOC_FRAMEWORK} {code}",
            "targetUrl": NOC_URL.format(code=code),
            "targetFramework": NOC_FRAMEWORK,
            "targetCode": code,
        }
        for code in program.noc_codes
    ]
    if program.cip_code:
        alignments.append(
            {
                "type": ["Alignment"],
                "targetName": f"{CIP_FRAMEWORK} {program.cip_code}",
                "targetUrl": CIP_URL,
                "targetFramework": CIP_FRAMEWORK,
                "targetCode": program.cip_code,
            }
        )
    return alignments


def _standard_terms(
    base_url: str, institution: Institution, program: Program, language: str
) -> dict[str, Any]:
    """``alignment``, ``tag``, ``otherIdentifier`` and ``resultDescription`` (OB 3.0 B.1.1)."""
    terms: dict[str, Any] = {}
    alignments = _alignments(program, language)
    if alignments:
        terms["alignment"] = alignments
    terms["tag"] = [tag for tag in (program.sector, program.delivery_mode) if tag]
    terms["otherIdentifier"] = [
        {"type": "IdentifierEntry", "identifier": program.slug, "identifierType": "systemId"}
    ]
    assessment = _localized(language, program.assessment_en, program.assessment_fr)
    if assessment:
        terms["resultDescription"] = [
            {
                "id": f"{program_url(base_url, institution, program)}#assessment",
                "type": ["ResultDescription"],
                "name": assessment,
                "resultType": "Status",
            }
        ]
    return {name: value for name, value in terms.items() if value}


def achievement_for(
    base_url: str, institution: Institution, program: Program, language: str | None = None
) -> dict[str, Any]:
    """The OB 3.0 Achievement of ``program``, written in ``language`` when the program has it,
    else in its first language (``text_language``). ``inLanguage`` names the language of its
    texts (OB 3.0 B.1.1 "the language of the achievement"); ``languageOfInstruction`` keeps
    every language the program is taught in."""
    written = text_language(program, language)
    achievement: dict[str, Any] = {
        "@context": UNDEFINED_TERMS_V2,
        "id": program_url(base_url, institution, program),
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        "name": _localized(written, program.name_en, program.name_fr) or program.slug,
        "description": _localized(written, program.description_en, program.description_fr) or "",
        "criteria": {"narrative": _criteria_narrative(program, written)},
        "inLanguage": written,
    }
    return (
        achievement
        | _standard_terms(base_url, institution, program, written)
        | _extension_terms(program)
    )


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
