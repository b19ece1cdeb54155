"""Ontario metadata reads and verifies alike in awards issued before and after the change to
standard contexts only (issue 14): the former ``learner-passport/v1`` context stays bundled."""

from __future__ import annotations

from typing import Any

import pytest

from bench.sample import sample_credential
from credentials.claims import details_of
from credentials.contexts import LEARNER_PASSPORT_V1, UNDEFINED_TERMS_V2
from credentials.report import Verdict
from tests.verifier.support import Issuer
from tests.verifier.test_pipeline_core import fixture_context, signed_sample
from verifier.pipeline import verify_document

NOC = {
    "type": ["Alignment"],
    "targetName": "NOC 2021 72106",
    "targetUrl": "https://noc.esdc.gc.ca/Structure/NOCProfile?code=72106",
    "targetFramework": "NOC 2021",
    "targetCode": "72106",
}
FORMER = {"@context": LEARNER_PASSPORT_V1, "learningHours": 40, "nocCode": ["72106"]}
CURRENT = {"@context": UNDEFINED_TERMS_V2, "learningHours": 40, "alignment": [NOC]}


def award_with(members: dict[str, Any]) -> dict[str, Any]:
    issuer = Issuer()
    subject = sample_credential(issuer.did)["credentialSubject"]
    subject["achievement"] = {**subject["achievement"], **members}
    return signed_sample(issuer, credentialSubject=subject)


@pytest.mark.parametrize("members", [FORMER, CURRENT], ids=["former", "current"])
def test_award_verifies_and_shows_its_hours(members: dict[str, Any]) -> None:
    award = award_with(members)
    report = verify_document(award, fixture_context())
    assert report.verdict is Verdict.VERIFIED_WITH_WARNINGS, report
    details = details_of(award)
    assert details.hours == "40"
    assert all(skill.framework != "NOC 2021" for skill in details.skills)
