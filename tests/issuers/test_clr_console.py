"""The console's Comprehensive Learner Record button (issue 14): the award's learner's record of
every active award from the staff's institution, as a download; nobody else's, never without
the form's CSRF token, in English and French."""

from __future__ import annotations

import json

import httpx

from tests.issuers.test_award_console import (  # noqa: F401  (fixtures)
    Console,
    console,
    csrf_of,
    issue,
    staff_a,
    staff_b,
)


def test_the_record_holds_the_learners_awards(staff_a: httpx.Client) -> None:  # noqa: F811
    first = issue(staff_a, "Léa Roy", "lea@example.ca")
    issue(staff_a, "Léa Roy", "lea@example.ca")
    issue(staff_a, "Other Learner", "other@example.ca")
    page = staff_a.get(f"/console/awards/{first}")
    assert "Download the learner's record" in page.text
    answer = staff_a.post(f"/console/awards/{first}/clr", data={"csrf": csrf_of(page)})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"].startswith("attachment;")
    record = json.loads(answer.content)
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    assert len(record["credentialSubject"]["verifiableCredential"]) == 2
    french = staff_a.get(f"/console/awards/{first}?lang=fr").text
    assert "Télécharger le relevé de l'apprenant" in french


def test_another_institution_and_a_forged_form_get_nothing(
    staff_a: httpx.Client,  # noqa: F811
    staff_b: httpx.Client,  # noqa: F811
) -> None:
    award_id = issue(staff_a, "Zoé Martin", "zoe@example.ca")
    token_b = csrf_of(staff_b.get("/console/awards/new"))
    assert (
        staff_b.post(f"/console/awards/{award_id}/clr", data={"csrf": token_b}).status_code == 404
    )
    forged = staff_a.post(f"/console/awards/{award_id}/clr", data={"csrf": "forged"})
    assert forged.status_code == 403
