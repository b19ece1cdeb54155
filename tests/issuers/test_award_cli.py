"""``passport issue-batch``, ``passport awards revoke`` and ``passport worker`` on SQLite."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from credentials.multibase import encode_base64url
from infra.database import create_database_engine
from issuers.awards.cli import register_award_commands
from issuers.awards.tables import AuditEvent, Award
from issuers.cli import Workspace
from issuers.cohorts.cli import register_cohort_commands
from issuers.master_key import MasterKeySource
from passport.database import migrate_to_head
from tests.issuers.award_support import BASE_URL, add_institution, add_program
from tests.issuers.test_batches import cohort
from tests.storage import sqlite_url


@pytest.fixture
def cli(tmp_path: Path) -> Iterator[tuple[typer.Typer, Session]]:
    engine = create_database_engine(sqlite_url(tmp_path))
    migrate_to_head(engine)
    keys = MasterKeySource(
        encode_base64url(secrets.token_bytes(32)), None, allow_development_key=False
    )
    with Session(engine) as session:
        institution = add_institution(session, keys.get())
        add_program(session, institution)
        session.commit()

    @contextmanager
    def open_workspace() -> Iterator[Workspace]:
        with Session(engine) as session:
            yield Workspace(session, keys, BASE_URL)

    app = typer.Typer()
    app.command("noop")(lambda: None)
    register_award_commands(app, open_workspace)
    register_cohort_commands(app, open_workspace)
    with Session(engine) as reader:
        yield app, reader
    engine.dispose()


def test_issue_batch_then_revoke(cli: tuple[typer.Typer, Session], tmp_path: Path) -> None:
    app, reader = cli
    runner = CliRunner()
    path = tmp_path / "cohort.csv"
    path.write_bytes(cohort(4))
    program = ["--program", "college-x/welding"]
    result = runner.invoke(app, ["issue-batch", str(path), *program])
    assert result.exit_code == 0, result.output
    assert "4 issued" in result.output
    again = runner.invoke(app, ["issue-batch", str(path), *program])
    assert "0 issued, 4 already issued before" in again.output
    assert reader.exec(select(func.count()).select_from(Award)).one() == 4
    path.write_bytes(cohort(2) + b"S-9,X,bad,A,2025-06-01\n")
    bad = runner.invoke(app, ["issue-batch", str(path), *program])
    assert bad.exit_code == 2
    assert "line 4, column email: 'bad' is not an email address" in bad.output
    award_id = reader.exec(select(Award.id)).first()
    revoked = runner.invoke(app, ["awards", "revoke", str(award_id), "--reason", "Fraud"])
    assert revoked.exit_code == 0 and "revoked" in revoked.output
    reader.expire_all()
    assert reader.exec(select(AuditEvent.action).where(AuditEvent.award_id == award_id)).all() == [
        "revoke"
    ]
    unknown = runner.invoke(app, ["awards", "restore", "nope", "--reason", "x"])
    assert unknown.exit_code == 2


def test_worker_finishes_interrupted_batches(
    cli: tuple[typer.Typer, Session], tmp_path: Path
) -> None:
    app, reader = cli
    path = tmp_path / "cohort.csv"
    path.write_bytes(cohort(3))
    dry = CliRunner().invoke(
        app, ["issue-batch", str(path), "--program", "college-x/welding", "--dry-run"]
    )
    assert "3 learners are valid" in dry.output
    assert reader.exec(select(func.count()).select_from(Award)).one() == 0
    result = CliRunner().invoke(app, ["worker"])
    assert result.exit_code == 0 and "no batch is left unfinished" in result.output


def test_missing_cohort_file_exits_2_with_a_reason(
    cli: tuple[typer.Typer, Session], tmp_path: Path
) -> None:
    app, _ = cli
    missing = tmp_path / "absent.csv"
    result = CliRunner().invoke(app, ["issue-batch", str(missing), "--program", "a/b"])
    assert result.exit_code == 2
    assert "absent.csv: No such file or directory" in result.stderr
    assert "Traceback" not in result.output
