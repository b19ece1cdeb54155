"""Comprehensive Learner Records (issue 14): an institution issues a learner's CLR 2.0 record of
their active awards from the API and ``passport awards clr``; our verifier checks it and every
credential inside, and the standard-contexts verifier accepts it."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from credentials.did import offline_resolver
from credentials.errors import NotFound
from credentials.multikey import did_key_for
from issuers.api_models import InstitutionCreate
from issuers.audit.log import AuditAction
from issuers.awards import status_changes
from issuers.awards.routes import context_for
from issuers.awards.service import AwardRequest, Learner, issue_award
from issuers.awards.status_lists import lists_of, signed_status_list, status_list_url
from issuers.clr.records import issue_clr
from issuers.identity import signer_for_institution
from issuers.institutions import create_institution, get_institution
from tests.issuers.award_support import (
    BASE_URL,
    NOW,
    Awarding,
    add_program,
    awarding_fixture,  # noqa: F401  (fixture "awarding")
)
from tests.issuers.test_award_api import LEARNER
from tests.issuers.test_award_cli import cli  # noqa: F401  (fixture "cli")
from tests.issuers.test_oid4vci_delivery import Api, api  # noqa: F401  (fixture "api")
from tests.issuers.test_portable_credentials import verify_independently
from verifier.context import OfflineStatusLists, VerificationContext
from verifier.pipeline import verify_document

EMAIL = "ada@example.ca"


def issue_record(awarding: Awarding) -> tuple[dict[str, Any], list[str], dict[str, Any]]:
    """Three awards to one learner, one revoked, one to someone else; the CLR, the ids of the
    awards it must hold, and the status lists (by URL) for an offline check."""
    with awarding.session() as session:
        data = InstitutionCreate(
            slug="clr-college",
            legal_name_en="CLR College",
            legal_name_fr="Collège CLR",
            kind="college",
            website="https://clr.example.ca",
            contact_email="registrar@clr.example.ca",
            did_method="did:key",
        )
        institution = create_institution(session, awarding.master, NOW, BASE_URL, data)
        welding = add_program(session, institution)
        welding.part_of = ["https://clr.example.ca/programs/welding-certificate"]
        cutting = add_program(session, institution, "cutting")
        held = []
        for program in (welding, cutting, welding):
            context = context_for(session, awarding.master, BASE_URL, institution, program, NOW)
            award = issue_award(session, context, AwardRequest(Learner("Ada", EMAIL)), NOW)
            held.append(award)
        status_changes.change_status(
            session, held.pop(), AuditAction.REVOKE, actor="test", reason="error", now=NOW
        )
        context = context_for(session, awarding.master, BASE_URL, institution, welding, NOW)
        issue_award(session, context, AwardRequest(Learner("Bob", "bob@example.ca")), NOW)
        signer = signer_for_institution(session, awarding.master, NOW, institution)
        record = issue_clr(
            session, institution, " ADA@example.ca ", signer, base_url=BASE_URL, now=NOW
        )
        lists = {
            status_list_url(BASE_URL, row.id): json.loads(
                signed_status_list(session, row, institution, signer, BASE_URL, NOW).text
            )
            for row in lists_of(session, institution.id or 0)
        }
        session.commit()
    return json.loads(record.credential), [award.credential_id for award in held], lists


def test_the_record_holds_the_learners_active_awards_and_their_stacking(
    awarding: Awarding,
) -> None:
    clr, expected, _ = issue_record(awarding)
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = clr["credentialSubject"]
    assert sorted(item["id"] for item in subject["verifiableCredential"]) == sorted(expected)
    [association] = subject["association"]
    assert association["associationType"] == "isPartOf"
    assert association["targetId"] == "https://clr.example.ca/programs/welding-certificate"
    assert subject["identifier"][0]["identityType"] == "emailAddress"
    assert EMAIL not in json.dumps(clr)


def test_our_verifier_checks_the_record_and_every_credential_inside(awarding: Awarding) -> None:
    clr, expected, lists = issue_record(awarding)
    context = VerificationContext(
        now=NOW + timedelta(days=1),
        resolver=offline_resolver(),
        status_lists=OfflineStatusLists(lists, NOW),
    )
    report = verify_document(clr, context)
    assert report.verdict.value == "verified_with_warnings", report  # an unregistered issuer
    assert len(report.parts) == len(expected)
    assert all(part.verdict.value == "verified_with_warnings" for part in report.parts)
    verify_independently(clr, {})


def test_a_learner_without_active_awards_gets_no_record(awarding: Awarding) -> None:
    issue_record(awarding)
    with awarding.session() as session:
        institution = get_institution(session, "clr-college")
        signer = signer_for_institution(session, awarding.master, NOW, institution)
        with pytest.raises(NotFound, match="no active award"):
            issue_clr(session, institution, "ghost@example.ca", signer, base_url=BASE_URL, now=NOW)


def test_the_cli_writes_a_record(cli: tuple[typer.Typer, Any], tmp_path: Path) -> None:  # noqa: F811
    app, _ = cli
    runner = CliRunner()
    cohort = tmp_path / "cohort.csv"
    cohort.write_bytes(b"external_id,name,email\nS-1,Ada,ada@example.ca\n")
    issued = runner.invoke(app, ["issue-batch", str(cohort), "--program", "college-x/welding"])
    assert issued.exit_code == 0, issued.output
    out = tmp_path / "clr.json"
    result = runner.invoke(app, ["awards", "clr", "college-x", "--email", EMAIL, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text("utf-8"))["type"][-1] == "ClrCredential"
    missing = runner.invoke(
        app, ["awards", "clr", "college-x", "--email", "x@example.ca", "--out", str(out)]
    )
    assert missing.exit_code == 2 and "no active award" in missing.output


def test_the_api_issues_a_record_with_the_copy_signed_for_the_learners_wallet(
    api: Api,  # noqa: F811
) -> None:
    award = api.issue()
    holder = Ed25519PrivateKey.generate()
    assert api.claim(award["id"], holder).status_code == 200
    response = api.client.post(
        "/api/v1/institutions/college-x/clr", json={"email": LEARNER["email"]}, headers=api.auth
    )
    assert response.status_code == 201, response.text
    clr = response.json()["credential"]
    holder_did = did_key_for(holder.public_key())
    assert clr["credentialSubject"]["id"] == holder_did
    [inside] = clr["credentialSubject"]["verifiableCredential"]
    assert inside["credentialSubject"]["id"] == holder_did
    unknown = api.client.post(
        "/api/v1/institutions/college-x/clr", json={"email": "x@example.ca"}, headers=api.auth
    )
    assert unknown.status_code == 404
