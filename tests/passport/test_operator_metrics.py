"""Metrics an operator can use (issue 20, problem 5): "issued" read 0 after 10,000 batch
awards because workers expose no metrics, and there was no revocation counter.

- ``passport worker`` pushes its totals through the database; ``/metrics`` of an app process
  that issued nothing reports them;
- revocations and suspensions are counted when committed; verifications have a latency
  histogram of their own.
"""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from credentials.multibase import encode_base64url
from infra.database import create_database_engine
from issuers.audit.log import AuditAction
from issuers.awards.service import AwardRequest, Learner, issue_award
from issuers.awards.status_changes import change_status
from issuers.awards.tables import Award
from issuers.cohorts.batches import submit_batch
from keys.crypto_envelope import load_master_key
from passport.app import create_app
from passport.cli import app as passport_cli
from passport.database import prepare_database
from tests.issuers.award_support import NOW, add_institution, add_program, context_for
from tests.issuers.test_batches import cohort
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.secrets_guard import register_secret
from tests.storage import TEST_DATABASE_URL_VARIABLE, sqlite_url


@pytest.fixture(autouse=True)
def only_the_test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PASSPORT_") and name != TEST_DATABASE_URL_VARIABLE:
            monkeypatch.delenv(name)


def test_worker_totals_reach_the_metrics_of_an_app_process(tmp_path: Path) -> None:
    master_text = register_secret(encode_base64url(secrets.token_bytes(32)), "master key")
    settings = development_settings(sqlite_url(tmp_path), master_key=master_text)
    prepare_database(settings)
    engine = create_database_engine(settings.database_url)
    with Session(engine) as session:
        institution = add_institution(session, load_master_key(master_text))
        program = add_program(session, institution)
        submit_batch(session, institution, program, cohort(5), "c.csv", actor="registrar", now=NOW)
        session.commit()
    engine.dispose()

    environment = {
        "PASSPORT_DATABASE_URL": settings.database_url,
        "PASSPORT_MASTER_KEY": master_text,
    }
    result = CliRunner().invoke(passport_cli, ["worker", "--no-wait"], env=environment)
    assert result.exit_code == 0, result.output

    worker = f"{socket.gethostname()}:{os.getpid()}"  # the CLI ran in this process
    with serving(create_app(settings)) as base_url:
        exposition = httpx.get(f"{base_url}/metrics").text
    assert f'passport_worker_issued{{worker="{worker}"}} 5' in exposition
    assert "passport_credentials_issued_total 0" in exposition  # this app process issued none


def test_status_changes_and_verification_latency_are_counted(tmp_path: Path) -> None:
    master_text = register_secret(encode_base64url(secrets.token_bytes(32)), "master key")
    settings = development_settings(sqlite_url(tmp_path), master_key=master_text)
    prepare_database(settings)
    application = create_app(settings)
    master = load_master_key(master_text)
    with Session(application.state.engine, expire_on_commit=False) as session:
        institution = add_institution(session, master)
        program = add_program(session, institution)
        context = context_for(session, master, institution, program)
        for number in range(2):
            request = AwardRequest(Learner(f"Learner {number}", f"l{number}@example.ca"))
            issue_award(session, context, request, NOW)
        session.commit()
        first, second = session.exec(select(Award)).all()
        change_status(session, first, AuditAction.REVOKE, actor="t", reason="x", now=NOW)
        session.commit()
    with serving(application) as base_url, httpx.Client(base_url=base_url) as client:
        client.post("/api/v1/verify", content=first.ldp_credential)
        exposition = client.get("/metrics").text
    assert 'passport_status_changes_total{action="revoke"} 1' in exposition
    assert "passport_credentials_issued_total 2" in exposition
    assert 'passport_verify_duration_seconds_count{route="/api/v1/verify"} 1' in exposition
    assert second.id != first.id
