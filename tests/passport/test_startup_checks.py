"""Start-up checks, ``passport check-config`` and ``/readyz`` (issue 20, problems 1 and 2).

Each test runs the real command or the real app: a mistaken master key, a missing key file, an
http base URL in production and a mistyped setting, as an operator would make them.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import httpx
import pytest
import typer
import uvicorn
from sqlmodel import Session
from typer.testing import CliRunner, Result

from credentials.multibase import encode_base64url
from infra.database import create_database_engine
from keys.crypto_envelope import load_master_key
from passport.app import create_app
from passport.cli_server import register_server_commands
from passport.database import prepare_database
from tests.issuers.award_support import add_institution
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.secrets_guard import register_secret
from tests.storage import TEST_DATABASE_URL_VARIABLE, sqlite_url

app = typer.Typer(name="passport", no_args_is_help=True, pretty_exceptions_enable=False)
register_server_commands(app)


@pytest.fixture(autouse=True)
def only_the_test_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("PASSPORT_") and name != TEST_DATABASE_URL_VARIABLE:
            monkeypatch.delenv(name)


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What ``uvicorn.run`` was asked to serve (nothing listens)."""
    calls: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda application, **_: calls.append(application))
    return calls


def master_key() -> str:
    return register_secret(encode_base64url(secrets.token_bytes(32)), "master key")


def production(tmp_path: Path, **environment: str) -> dict[str, str]:
    return {
        "PASSPORT_DATABASE_URL": sqlite_url(tmp_path),
        "PASSPORT_MODE": "production",
        "PASSPORT_BASE_URL": "https://passport.example.ca",
        **environment,
    }


def passport(*arguments: str, env: dict[str, str]) -> Result:
    return CliRunner().invoke(app, list(arguments), env=env)


def assert_refused(result: Result, line: str) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr == f"error: {line}\n"
    assert "Traceback" not in result.output


def test_a_64_character_random_master_key_is_refused_at_start(
    tmp_path: Path, served: list[object]
) -> None:
    # The docs asked for "at least 32 random characters"; this one started, then every
    # signing failed.
    key = register_secret(secrets.token_urlsafe(48), "master key")
    assert len(key) == 64
    result = passport("serve", env=production(tmp_path, PASSPORT_MASTER_KEY=key))
    assert_refused(
        result,
        "PASSPORT_MASTER_KEY: the master key decodes to 48 bytes; 32 expected; make one with: "
        'python3 -c "import secrets; print(secrets.token_urlsafe(32))"',
    )
    assert key not in result.output
    assert not served


def test_a_missing_master_key_file_is_refused_at_start(
    tmp_path: Path, served: list[object]
) -> None:
    missing = tmp_path / "master.key"
    result = passport("serve", env=production(tmp_path, PASSPORT_MASTER_KEY_FILE=str(missing)))
    assert_refused(
        result, f"PASSPORT_MASTER_KEY_FILE: cannot read {missing}: No such file or directory"
    )
    assert not served


def test_production_refuses_an_http_base_url(tmp_path: Path, served: list[object]) -> None:
    environment = production(
        tmp_path, PASSPORT_MASTER_KEY=master_key(), PASSPORT_BASE_URL="http://passport.example.ca"
    )
    result = passport("serve", env=environment)
    assert_refused(
        result,
        "PASSPORT_BASE_URL: http://passport.example.ca is not https; production mode needs "
        "the public https address (the proxy terminates TLS)",
    )
    assert not served


def test_every_problem_gets_its_own_line(tmp_path: Path) -> None:
    environment = production(
        tmp_path,
        PASSPORT_MASTER_KEY_FILE=str(tmp_path / "absent.key"),
        PASSPORT_BASE_URL="http://passport.example.ca",
    )
    result = passport("check-config", env=environment)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.split(":")[1].strip() for line in lines] == [
        "PASSPORT_MASTER_KEY_FILE",
        "PASSPORT_BASE_URL",
    ]


def test_unknown_settings_are_named_with_the_nearest_known_one(
    tmp_path: Path, served: list[object]
) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_text(master_key() + "\n")
    environment = production(
        tmp_path,
        PASSPORT_MASTER_KEY_FILE=str(key_file),
        PASSPORT_METRICS_TOKN="x",
        PASSPORT_TEST_SOMETHING="the test suite's own variable",
    )
    result = passport("serve", env=environment)
    assert result.exit_code == 0, result.output
    assert result.stderr == (
        "warning: PASSPORT_METRICS_TOKN is not a setting of Learner Passport and is ignored; "
        "did you mean PASSPORT_METRICS_TOKEN?\n"
    )
    assert len(served) == 1


def test_check_config_passes_a_good_configuration_without_touching_the_database(
    tmp_path: Path,
) -> None:
    environment = production(tmp_path / "never", PASSPORT_MASTER_KEY=master_key())
    result = passport("check-config", env=environment)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("configuration is usable: mode production")
    assert not (tmp_path / "never").exists()


def test_readyz_fails_while_healthz_passes_when_the_key_file_is_gone(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_text(master_key() + "\n")
    settings = development_settings(sqlite_url(tmp_path), master_key_file=key_file)
    prepare_database(settings)
    application = create_app(settings)
    key_file.unlink()  # after a start-up check passed: a secret mount that went away
    with serving(application) as base_url, httpx.Client(base_url=base_url) as client:
        assert client.get("/healthz").status_code == 200
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json() == {
        "status": "not_ready",
        "database": "ok",
        "migrations": "ok",
        "master_key": "failed",
        "signing": "skipped",
    }
    assert str(tmp_path) not in ready.text


def test_readyz_passes_when_the_master_key_unseals_and_signs(tmp_path: Path) -> None:
    key = master_key()
    settings = development_settings(sqlite_url(tmp_path), master_key=key)
    prepare_database(settings)
    engine = create_database_engine(settings.database_url)
    with Session(engine) as session:
        add_institution(session, load_master_key(key))
        session.commit()
    engine.dispose()
    with serving(create_app(settings)) as base_url, httpx.Client(base_url=base_url) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["signing"] == "ok"


def test_readyz_fails_under_another_master_key(tmp_path: Path) -> None:
    settings = development_settings(sqlite_url(tmp_path), master_key=master_key())
    prepare_database(settings)
    engine = create_database_engine(settings.database_url)
    with Session(engine) as session:
        add_institution(session, load_master_key(master_key()))
        session.commit()
    engine.dispose()
    with serving(create_app(settings)) as base_url, httpx.Client(base_url=base_url) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert (ready.json()["master_key"], ready.json()["signing"]) == ("failed", "skipped")


def test_readyz_fails_on_a_database_behind_the_code(tmp_path: Path) -> None:
    settings = development_settings(sqlite_url(tmp_path), master_key=master_key())
    application = create_app(settings)  # never migrated
    with serving(application) as base_url, httpx.Client(base_url=base_url) as client:
        ready = client.get("/readyz")
    assert ready.status_code == 503
    assert (ready.json()["database"], ready.json()["migrations"]) == ("ok", "failed")
