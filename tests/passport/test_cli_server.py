"""``passport serve``, ``passport db upgrade`` and ``passport demo`` through Typer.

The commands are registered on a Typer app built like ``passport.cli.app``, so these tests
exercise ``register_server_commands`` alone, whatever state the other command modules are in.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import typer
import uvicorn
from fastapi import FastAPI
from typer.testing import CliRunner, Result

from infra.database import create_database_engine
from passport.cli_server import register_server_commands
from passport.database import current_revisions, database_is_current, head_revision
from tests.storage import TEST_DATABASE_URL_VARIABLE, sqlite_url

app = typer.Typer(name="passport", no_args_is_help=True, pretty_exceptions_enable=False)
register_server_commands(app)


class RecordedRun:
    """Stands in for ``uvicorn.run``: the tests check what would be served, without listening."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, dict[str, Any]]] = []

    def __call__(self, application: Any, **options: Any) -> None:
        self.calls.append((application, options))


@pytest.fixture
def uvicorn_run(monkeypatch: pytest.MonkeyPatch) -> RecordedRun:
    recorded = RecordedRun()
    monkeypatch.setattr(uvicorn, "run", recorded)
    return recorded


@pytest.fixture(autouse=True)
def only_the_test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PASSPORT_") and name != TEST_DATABASE_URL_VARIABLE:
            monkeypatch.delenv(name)


def passport(*arguments: str, database_url: str, **environment: str) -> Result:
    env = {"PASSPORT_DATABASE_URL": database_url, **environment}
    return CliRunner().invoke(app, list(arguments), env=env)


def assert_current(database_url: str, current: bool) -> None:
    engine = create_database_engine(database_url)
    assert database_is_current(engine) is current
    engine.dispose()


def test_serve_migrates_a_new_sqlite_database_then_runs_the_app(
    tmp_path: Path, uvicorn_run: RecordedRun
) -> None:
    database_url = sqlite_url(tmp_path / "var")
    result = passport("serve", "--port", "8123", database_url=database_url)
    assert result.exit_code == 0, result.output
    assert f"is at revision {head_revision()}" in result.stdout
    assert_current(database_url, True)
    [(application, options)] = uvicorn_run.calls
    assert isinstance(application, FastAPI)
    assert application.state.settings.database_url == database_url
    assert options["host"] == "127.0.0.1"
    assert options["port"] == 8123
    assert options["timeout_graceful_shutdown"] == 30


def test_db_upgrade_migrates_and_reports_the_revision(tmp_path: Path) -> None:
    database_url = sqlite_url(tmp_path)
    result = passport("db", "upgrade", database_url=database_url)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"database {database_url} is at revision {head_revision()}\n"
    assert_current(database_url, True)


def test_demo_migrates_and_seeds_the_catalog_once(tmp_path: Path) -> None:
    database_url = sqlite_url(tmp_path)
    master_key = "hKm1mWSQrTrMZn3_LsA1PrTjJwl2FuZ6KpDt1mV9Xe8"
    result = passport("demo", database_url=database_url, PASSPORT_MASTER_KEY=master_key)
    assert result.exit_code == 0, result.output
    assert f"migrated {database_url} to revision" in result.stdout
    assert "added 9 institutions, 36 programs, 17 employers, 31 endorsements" in result.stdout
    assert_current(database_url, True)
    again = passport("demo", database_url=database_url, PASSPORT_MASTER_KEY=master_key)
    assert "added 0 institutions, 0 programs, 0 employers, 0 endorsements" in again.stdout


def test_serve_refuses_invalid_settings_with_exit_code_2(
    tmp_path: Path, uvicorn_run: RecordedRun
) -> None:
    result = passport("serve", database_url=sqlite_url(tmp_path), PASSPORT_MODE="production")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: invalid settings: PASSPORT_MASTER_KEY is required in production mode\n"
    )
    assert "Traceback" not in result.output
    assert not uvicorn_run.calls


def test_serve_reports_an_unreachable_database_with_exit_code_2(uvicorn_run: RecordedRun) -> None:
    result = passport("serve", database_url="postgresql+psycopg://app:hunter2@127.0.0.1:1/passport")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot use the database postgresql+psycopg://app:***@")
    assert "hunter2" not in result.output
    assert not uvicorn_run.calls


def test_serve_refuses_unmigrated_postgresql_until_db_upgrade(
    postgres_url: str, uvicorn_run: RecordedRun
) -> None:
    refused = passport("serve", database_url=postgres_url)
    assert refused.exit_code == 2
    assert "run `passport db upgrade` first" in refused.stderr
    assert refused.stderr.count("\n") == 1, "one line, no traceback"
    assert not uvicorn_run.calls
    engine = create_database_engine(postgres_url)
    assert current_revisions(engine) == frozenset()
    engine.dispose()

    upgraded = passport("db", "upgrade", database_url=postgres_url)
    assert upgraded.exit_code == 0, upgraded.output
    assert_current(postgres_url, True)

    served = passport("serve", database_url=postgres_url)
    assert served.exit_code == 0, served.output
    assert len(uvicorn_run.calls) == 1


def test_db_without_a_subcommand_shows_its_help() -> None:
    result = CliRunner().invoke(app, ["db"])
    assert "upgrade" in result.output
