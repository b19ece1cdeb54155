"""A routine key rotation never breaks a verifier that caches (issue 20, problem 4).

The deployment runs for real (its DID document and status lists served by the app); the
verifier is the production ``VerifierService`` over the guarded fetcher, whose requests for
``passport.example.ca`` are answered by that app. The verifier holds the college's DID document
from before the rotation, as any verifier with a 5-minute cache does; then the key is rotated,
a credential is issued with the new key and an old one is revoked, and both are verified at once.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from credentials.multibase import encode_base64url
from credentials.report import Outcome
from infra.database import create_database_engine
from infra.fetch.fetcher import FetchPolicy, GuardedFetcher
from issuers.audit.log import AuditAction
from issuers.awards.service import AwardRequest, Learner, issue_award
from issuers.awards.status_changes import change_status
from issuers.awards.tables import Award
from issuers.identity import (
    DOCUMENT_MAX_AGE,
    institution_owner,
    rotate_institution_key,
    status_list_signer_for_institution,
)
from issuers.tables import Institution, Program
from keys.crypto_envelope import MasterKey, load_master_key
from keys.did_web import DID_DOCUMENT_ACCEPT, did_web_url
from keys.store import KeyStore
from passport.app import create_app
from passport.database import prepare_database
from tests.issuers.award_support import (
    BASE_URL,
    NOW,
    add_institution,
    add_program,
    context_for,
)
from tests.keys.loopback import PUBLIC_ADDRESS, FakeDns
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.secrets_guard import register_secret
from tests.storage import sqlite_url
from verifier.pipeline import VerificationReport
from verifier.registry import CompositeRegistry
from verifier.service import VerifierService


@dataclass
class College:
    session: Session
    master: MasterKey
    institution: Institution
    program: Program

    def issue(self, name: str) -> str:
        context = context_for(self.session, self.master, self.institution, self.program)
        award = issue_award(self.session, context, AwardRequest(Learner(name, "a@example.ca")), NOW)
        self.session.commit()
        return award.ldp_credential


@pytest.fixture
def college(tmp_path: Path) -> Iterator[tuple[College, str]]:
    """A college on a served deployment; yields it and the app's loopback URL."""
    master_text = register_secret(encode_base64url(secrets.token_bytes(32)), "master key")
    master = load_master_key(master_text)
    settings = development_settings(sqlite_url(tmp_path), base_url=BASE_URL, master_key=master_text)
    prepare_database(settings)
    engine = create_database_engine(settings.database_url)
    with Session(engine, expire_on_commit=False) as session:
        institution = add_institution(session, master)
        program = add_program(session, institution)
        session.commit()
        with serving(create_app(settings)) as loopback:
            yield College(session, master, institution, program), loopback
    engine.dispose()


def caching_verifier(loopback: str) -> VerifierService:
    """The production verifier; passport.example.ca is answered by the served app."""

    def forward(request: httpx.Request) -> httpx.Response:
        answer = httpx.get(f"{loopback}{request.url.raw_path.decode()}", headers=request.headers)
        return httpx.Response(answer.status_code, content=answer.content, headers=answer.headers)

    fetcher = GuardedFetcher(
        FetchPolicy(),
        transport=httpx.MockTransport(forward),
        resolver=FakeDns({"passport.example.ca": [PUBLIC_ADDRESS]}),
    )
    return VerifierService(fetcher, CompositeRegistry([]))


def outcome(report: VerificationReport, check_id: str) -> Outcome:
    return next(check.outcome for check in report.checks if check.id == check_id)


def test_rotate_then_verify_at_once_with_a_verifier_holding_the_old_did_document(
    college: tuple[College, str],
) -> None:
    school, loopback = college
    verifier = caching_verifier(loopback)
    earlier = school.issue("Ada Lovelace")
    # The verifier cached the DID document before the rotation (another credential, minutes ago).
    verifier.fetcher.fetch(did_web_url(school.institution.did), accept=DID_DOCUMENT_ACCEPT)

    rotate_institution_key(school.session, school.master, datetime.now(UTC), school.institution)
    school.session.commit()
    later = school.issue("Grace Hopper")
    award_id = json.loads(earlier)["id"]
    [award] = [a for a in _awards(school.session) if a.credential_id == award_id]
    change_status(
        school.session, award, AuditAction.REVOKE, actor="test", reason="x", now=datetime.now(UTC)
    )
    school.session.commit()

    now = datetime.now(UTC)
    new_key = verifier.verify_bytes(later.encode(), "en", now=now).report
    assert outcome(new_key, "proof") is Outcome.PASSED, new_key
    revoked = verifier.verify_bytes(earlier.encode(), "en", now=now).report
    assert outcome(revoked, "proof") is Outcome.PASSED
    status = next(check for check in revoked.checks if check.id == "status")
    assert status.outcome is Outcome.FAILED
    assert "revoked" in status.message_key, status


def test_status_lists_are_signed_by_the_retired_key_for_one_document_lifetime(
    college: tuple[College, str],
) -> None:
    school, _ = college
    owner = institution_owner(school.institution)
    rotated_at = datetime.now(UTC)
    old = KeyStore(school.session, school.master, rotated_at).active_key(owner)
    assert old is not None
    new = rotate_institution_key(school.session, school.master, rotated_at, school.institution)
    school.session.commit()

    def signer_at(moment: datetime) -> str:
        signer = status_list_signer_for_institution(
            school.session, school.master, moment, school.institution
        )
        return signer.verification_method

    assert signer_at(rotated_at + DOCUMENT_MAX_AGE - timedelta(seconds=1)) == old.id
    assert signer_at(rotated_at + DOCUMENT_MAX_AGE) == new.id


def _awards(session: Session) -> list[Award]:
    return list(session.exec(select(Award)).all())
