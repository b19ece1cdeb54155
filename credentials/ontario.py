"""The Ontario micro-credential terms OB 3.0 lacks, and how a reader finds them in either form.

An achievement carries them as members named by ``OntarioTerm``: since the change to standard
contexts only, as issuer-dependent terms of the W3C ``undefined-terms/v2`` context; before it,
under our own ``learner-passport/v1`` context. The JSON member names are the same in both, only
their IRIs differ (``ISSUER_DEPENDENT`` and ``FORMER_VOCABULARY``), so a reader of the JSON reads
both alike and a reader of the signed graph looks for either IRI. NOC 2021 and CIP 2021 codes
are OB 3.0 ``alignment`` entries now (``targetFramework`` ``NOC_FRAMEWORK`` / ``CIP_FRAMEWORK``),
and were ``nocCode`` / ``cipCode`` members before: classifications of the program, not skills.

>>> learning_hours({"learningHours": 40})
40
>>> f"{ISSUER_DEPENDENT}{OntarioTerm.LEARNING_HOURS}"
'https://www.w3.org/ns/credentials/undefined-term#learningHours'
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

ISSUER_DEPENDENT = "https://www.w3.org/ns/credentials/undefined-term#"
FORMER_VOCABULARY = "https://w3id.org/learner-passport/vocab#"
NOC_FRAMEWORK = "NOC 2021"
CIP_FRAMEWORK = "CIP 2021"
CLASSIFICATIONS = frozenset({NOC_FRAMEWORK, CIP_FRAMEWORK})


class OntarioTerm(StrEnum):
    """Achievement members for what OB 3.0 has no term for (docs/architecture.md has the table)."""

    LEARNING_HOURS = "learningHours"
    DURATION_WEEKS = "durationWeeks"
    DELIVERY_MODE = "deliveryMode"
    LANGUAGES = "languageOfInstruction"
    TUITION_FEE = "tuitionFee"
    TUITION_CURRENCY = "tuitionCurrency"
    OSAP_ELIGIBLE = "osapEligible"
    EMPLOYER_PARTNERS = "employerPartner"


def learning_hours(achievement: dict[str, Any]) -> int | float | None:
    """The hours of learning an achievement claims (both forms), or None."""
    hours = achievement.get(OntarioTerm.LEARNING_HOURS)
    if isinstance(hours, bool) or not isinstance(hours, int | float):
        return None
    return hours
