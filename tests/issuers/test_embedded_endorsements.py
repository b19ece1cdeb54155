"""Awards for an endorsed program carry the partner's EndorsementCredential in
``achievement.endorsement`` (OB 3.0 B.1.1), and the verifier checks each one (issue 14)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from credentials.did import offline_resolver
from issuers.api_models import EmployerCreate, InstitutionCreate
from issuers.awards.routes import context_for
from issuers.awards.service import AwardRequest, Learner, issue_award
from issuers.institutions import create_institution
from issuers.programs.endorsements import create_employer, endorse_program
from tests.issuers.award_support import (
    BASE_URL,
    NOW,
    Awarding,
    add_program,
    awarding_fixture,  # noqa: F401  (fixture "awarding")
)
from verifier.context import OfflineStatusLists, VerificationContext
from verifier.pipeline import verify_document


def endorsed_award(awarding: Awarding) -> tuple[dict[str, Any], dict[str, Any]]:
    """An award issued through the API's issuing context after an employer endorsed the program;
    and the endorsement as stored."""
    with awarding.session() as session:
        data = InstitutionCreate(
            slug="endorsed-college",
            legal_name_en="Endorsed College",
            legal_name_fr="Collège appuyé",
            kind="college",
            website="https://endorsed.example.ca",
            contact_email="registrar@endorsed.example.ca",
            did_method="did:key",
        )
        institution = create_institution(session, awarding.master, NOW, BASE_URL, data)
        program = add_program(session, institution)
        employer = create_employer(
            session,
            awarding.master,
            NOW,
            BASE_URL,
            EmployerCreate(slug="acme", name="Acme Fabrication", did_method="did:key"),
        )
        endorsement = endorse_program(
            session, awarding.master, NOW, BASE_URL, institution, program, employer, "We hire them."
        )
        context = context_for(session, awarding.master, BASE_URL, institution, program, NOW)
        learner = Learner("Ada Lovelace", "ada@example.ca")
        award = issue_award(session, context, AwardRequest(learner), NOW)
        session.commit()
    return json.loads(award.ldp_credential), json.loads(endorsement.signed_json)


def offline(now_offset: timedelta = timedelta(days=1)) -> VerificationContext:
    return VerificationContext(
        now=NOW + now_offset, resolver=offline_resolver(), status_lists=OfflineStatusLists({}, NOW)
    )


def test_the_award_carries_the_partners_signed_endorsement(awarding: Awarding) -> None:
    award, endorsement = endorsed_award(awarding)
    assert award["credentialSubject"]["achievement"]["endorsement"] == [endorsement]
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]


def test_the_verifier_checks_the_embedded_endorsement(awarding: Awarding) -> None:
    award, endorsement = endorsed_award(awarding)
    report = verify_document(award, offline())
    checks = {check.id: check for check in report.checks}
    assert checks["endorsements"].outcome.value == "passed"
    [endorsement_report] = report.endorsements
    assert endorsement_report.summary is not None
    assert endorsement_report.summary.id == endorsement["id"]
    assert checks["proof"].outcome.value == "passed"
