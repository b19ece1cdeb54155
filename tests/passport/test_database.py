"""Engine, migrations and the start-up rule, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from infra.database import DatabaseUnavailable, create_database_engine, is_sqlite, redacted_url
from passport.database import (
    UPGRADE_COMMAND,
    DatabaseNotMigrated,
    DeploymentInfo,
    current_revisions,
    database_is_current,
    head_revision,
    migrate_to_head,
    prepare_database,
    require_current_database,
    upgrade_database,
)
from tests.passport.conftest import development_settings
from tests.storage import sqlite_url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    created = create_database_engine(database_url)
    yield created
    created.dispose()


def deployment_rows(engine: Engine) -> list[DeploymentInfo]:
    with Session(engine) as session:
        return list(session.exec(select(DeploymentInfo)))


def test_a_new_database_is_not_current_until_migrated(engine: Engine) -> None:
    assert current_revisions(engine) == frozenset()
    assert not database_is_current(engine)
    assert migrate_to_head(engine) == head_revision()
    assert database_is_current(engine)


def test_first_migration_records_one_deployment(engine: Engine) -> None:
    migrate_to_head(engine)
    [info] = deployment_rows(engine)
    assert info.id == 1
    assert len(info.instance_id) == 36
    migrate_to_head(engine)  # idempotent: the row is neither duplicated nor replaced
    assert deployment_rows(engine) == [info]


def test_unmigrated_database_is_refused_with_the_upgrade_command(engine: Engine) -> None:
    with pytest.raises(DatabaseNotMigrated) as refused:
        require_current_database(engine)
    assert "never migrated" in refused.value.message
    assert f"run `{UPGRADE_COMMAND}`" in refused.value.message
    assert refused.value.status == 503
    migrate_to_head(engine)
    require_current_database(engine)


def test_database_at_another_revision_is_not_current(engine: Engine) -> None:
    migrate_to_head(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'f00d'"))
    assert not database_is_current(engine)
    with pytest.raises(
        DatabaseNotMigrated, match=rf"is at revision f00d, but .* needs revision {head_revision()}"
    ):
        require_current_database(engine)


def test_upgrade_database_migrates_the_configured_database(database_url: str) -> None:
    assert upgrade_database(development_settings(database_url)) == head_revision()
    engine = create_database_engine(database_url)
    assert database_is_current(engine)
    engine.dispose()


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    engine = create_database_engine(sqlite_url(tmp_path))
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    engine.dispose()


def test_in_memory_sqlite_keeps_one_database_across_sessions() -> None:
    engine = create_database_engine("sqlite://")
    migrate_to_head(engine)
    assert len(deployment_rows(engine)) == 1
    engine.dispose()


def test_serving_creates_and_migrates_a_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "var" / "passport.db"
    settings = development_settings(f"sqlite:///{database}")
    assert prepare_database(settings) == (
        f"SQLite database sqlite:///{database} is at revision {head_revision()}"
    )
    assert database.is_file()
    engine = create_database_engine(settings.database_url)
    assert database_is_current(engine)
    engine.dispose()


def test_serving_refuses_an_unmigrated_postgresql_database(postgres_url: str) -> None:
    settings = development_settings(postgres_url)
    with pytest.raises(DatabaseNotMigrated, match="run `passport db upgrade` first"):
        prepare_database(settings)
    engine = create_database_engine(postgres_url)
    assert current_revisions(engine) == frozenset(), "serving must never migrate PostgreSQL"
    engine.dispose()
    upgrade_database(settings)
    assert prepare_database(settings).endswith(f"is at revision {head_revision()}")


def test_unreachable_server_is_reported_without_its_password() -> None:
    # Port 1 on the loopback interface: nothing listens there, the connection is refused.
    url = "postgresql+psycopg://passport:hunter2@127.0.0.1:1/passport"
    with pytest.raises(DatabaseUnavailable) as unavailable:
        prepare_database(development_settings(url))
    assert unavailable.value.message.startswith(
        "cannot use the database postgresql+psycopg://passport:***@127.0.0.1:1/passport: "
    )
    assert "hunter2" not in unavailable.value.message


@pytest.mark.parametrize(
    ("url", "sqlite"),
    [
        ("sqlite:///var/passport.db", True),
        ("sqlite://", True),
        ("postgresql+psycopg://db/passport", False),
    ],
)
def test_is_sqlite(url: str, sqlite: bool) -> None:
    assert is_sqlite(url) is sqlite


def test_redacted_url_hides_only_the_password() -> None:
    assert redacted_url("postgresql+psycopg://app:s3cret@db:5432/passport") == (
        "postgresql+psycopg://app:***@db:5432/passport"
    )
