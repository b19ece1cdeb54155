"""Issue 13, "Smaller holes": the audit log names who ran a command (OS user and host), and an
event edited or removed with SQL shows in ``passport audit verify``, on SQLite and PostgreSQL."""

from __future__ import annotations

import getpass
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select
from typer.testing import CliRunner, Result

from infra.database import create_database_engine
from issuers.awards.service import AwardRequest, Learner, issue_recorded
from issuers.awards.tables import AuditEvent
from issuers.institutions import get_institution
from keys.crypto_envelope import load_master_key
from passport.cli import app
from passport.database import migrate_to_head
from tests import storage
from tests.issuers.award_support import add_institution, add_program, context_for
from tests.passport.wallet.support import TEST_MASTER_KEY

runner = CliRunner()


@dataclass
class Deployment:
    database_url: str
    engine: Engine

    def passport(self, *arguments: str) -> Result:
        env = {
            "PASSPORT_DATABASE_URL": self.database_url,
            "PASSPORT_MASTER_KEY": TEST_MASTER_KEY,
            "PASSPORT_BASE_URL": "https://passport.example.ca",
        }
        return runner.invoke(app, list(arguments), env=env)

    def events(self) -> list[AuditEvent]:
        with Session(self.engine) as session:
            return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all())

    def sql(self, statement: str, **params: object) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(statement), params)


@pytest.fixture(params=storage.backend_params())
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    """A migrated database whose one institution issued two awards (two audit events) and
    revoked the first from the command line (a third)."""
    with storage.empty_database(request.param, tmp_path) as url:
        engine = create_database_engine(url)
        migrate_to_head(engine)
        master = load_master_key(TEST_MASTER_KEY)
        with Session(engine) as session:
            institution = add_institution(session, master)
            context = context_for(session, master, institution, add_program(session, institution))
            ids = [
                issue_recorded(
                    session,
                    context,
                    AwardRequest(Learner(f"Learner {n}", f"l{n}@example.ca")),
                    datetime.now(UTC),
                    actor="registrar@college.example.ca",
                ).id
                for n in range(2)
            ]
            session.commit()
        try:
            built = Deployment(url, engine)
            revoked = built.passport("awards", "revoke", ids[0], "--reason", "Fraud")
            assert revoked.exit_code == 0, revoked.output
            yield built
        finally:
            engine.dispose()


def test_cli_actions_record_the_os_user_and_host(deployment: Deployment) -> None:
    origin = f"cli {getpass.getuser()}@{socket.gethostname()}"
    assert deployment.events()[-1].actor == origin
    second = deployment.events()[1].award_id
    assert second is not None
    named = deployment.passport("awards", "revoke", second, "--reason", "x", "--actor", "J. Roy")
    assert named.exit_code == 0, named.output
    assert deployment.events()[-1].actor == f"J. Roy (via {origin})"


def test_an_intact_log_verifies(deployment: Deployment) -> None:
    result = deployment.passport("audit", "verify")
    assert result.exit_code == 0, result.output
    head = deployment.events()[-1].entry_hash
    assert f"college-x: ok, 3 event(s) chained, 0 from before the chain, head {head}" in (
        result.stdout
    )


def test_an_event_edited_with_sql_is_named(deployment: Deployment) -> None:
    edited = deployment.events()[1]
    deployment.sql("UPDATE audit_event SET actor = 'someone else' WHERE id = :id", id=edited.id)
    result = deployment.passport("audit", "verify", "college-x")
    assert result.exit_code == 1, result.output
    assert f"BROKEN at audit event {edited.id}: its content does not match its hash" in (
        result.stdout
    )


def test_an_event_removed_with_sql_breaks_the_next_link(deployment: Deployment) -> None:
    first, removed, following = deployment.events()
    deployment.sql("DELETE FROM audit_event WHERE id = :id", id=removed.id)
    result = deployment.passport("audit", "verify")
    assert result.exit_code == 1, result.output
    assert f"BROKEN at audit event {following.id}: it does not follow event {first.id}" in (
        result.stdout
    )


def test_a_rehashed_edit_still_breaks_the_following_link(deployment: Deployment) -> None:
    # Whoever edits a row and writes a fresh hash for it still breaks the next event's link.
    edited = deployment.events()[1]
    deployment.sql(
        "UPDATE audit_event SET reason = 'x', entry_hash = :forged WHERE id = :id",
        forged="0" * 64,
        id=edited.id,
    )
    result = deployment.passport("audit", "verify")
    assert result.exit_code == 1
    assert f"BROKEN at audit event {edited.id}" in result.stdout


def test_events_from_before_the_chain_are_counted_and_the_chain_starts_after_them(
    tmp_path: Path,
) -> None:
    engine = create_database_engine(storage.sqlite_url(tmp_path))
    migrate_to_head(engine)
    master = load_master_key(TEST_MASTER_KEY)
    with Session(engine) as session:
        institution = add_institution(session, master)
        session.commit()
        institution_id = institution.id
    deployment = Deployment(storage.sqlite_url(tmp_path), engine)
    # As recorded before migration 0016: no hashes.
    deployment.sql(
        "INSERT INTO audit_event (institution_id, actor, action, reason, occurred_at)"
        " VALUES (:institution, 'cli', 'revoke', 'old', '2025-01-01 00:00:00')",
        institution=institution_id,
    )
    with Session(engine) as session:
        institution = get_institution(session, "college-x")
        program = add_program(session, institution)
        context = context_for(session, master, institution, program)
        request = AwardRequest(Learner("Ada", "ada@example.ca"))
        issue_recorded(session, context, request, datetime.now(UTC), actor="registrar")
        session.commit()
    result = deployment.passport("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "1 event(s) chained, 1 from before the chain" in result.stdout
    engine.dispose()
