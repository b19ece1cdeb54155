"""The database engine, the request session dependency, and Alembic migrations run from code.

SQLite (the default, ``var/passport.db``) is created and migrated automatically when the server
starts. A server database (PostgreSQL, ``postgresql+psycopg://...``) is migrated only by the
operator with ``passport db upgrade``: the server refuses to start on an unmigrated or outdated
one, because migrating a shared database is a deliberate step, not a side effect of a restart.

There is no ``alembic.ini``: ``alembic_config`` builds the configuration from the package, and
migrations run over a connection from ``create_database_engine`` so they see the same pragmas
and connection options as the application.

>>> engine = create_database_engine("sqlite://")
>>> database_is_current(engine)
False
>>> migrate_to_head(engine) == head_revision()
True
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import Depends, Request
from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Field, Session, SQLModel

from credentials.errors import PassportError
from passport.settings import Settings

UPGRADE_COMMAND = "passport db upgrade"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
POSTGRES_CONNECT_TIMEOUT_SECONDS = 10


class DatabaseNotMigrated(PassportError):
    """The database schema is missing or not the one this version of the code expects."""

    code = "database_not_migrated"
    status = 503


class DatabaseUnavailable(PassportError):
    """The database could not be reached or opened."""

    code = "database_unavailable"
    status = 503


class DeploymentInfo(SQLModel, table=True):
    """One row written by the first migration: which deployment this database belongs to."""

    __tablename__ = "deployment_info"

    id: int = Field(default=1, primary_key=True)
    instance_id: str = Field(max_length=36, unique=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class DeploymentBaseUrl(SQLModel, table=True):
    """Every base URL this deployment has served under (recorded at each start): its own status
    lists are recognized under any of them (``passport.own_documents``)."""

    __tablename__ = "deployment_base_url"

    url: str = Field(primary_key=True, max_length=500)
    first_used_at: datetime = Field(sa_type=DateTime(timezone=True))


def is_sqlite(database_url: str) -> bool:
    """Whether the URL names a SQLite database (migrated automatically on start)."""
    return make_url(database_url).get_backend_name() == "sqlite"


def redacted_url(database_url: str) -> str:
    """The URL with any password replaced by ``***``, safe for messages and logs."""
    return make_url(database_url).render_as_string(hide_password=True)


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers proceed during a write.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _create_private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600) before SQLite opens it: it holds
    password hashes, sessions and learners' credentials. SQLite gives its WAL and shared-memory
    files the database file's permissions. An existing file is left as the operator set it."""
    if path.exists() or not path.parent.is_dir():
        return  # a missing directory stays an error SQLite reports (and /healthz shows)
    descriptor = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
    os.close(descriptor)


def create_database_engine(database_url: str) -> Engine:
    """An engine for ``database_url``: SQLite with WAL and foreign keys, PostgreSQL pre-pinged."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        in_memory = url.database in (None, "", ":memory:")
        if not in_memory and url.database is not None:
            _create_private_file(Path(url.database))
        engine = create_engine(
            url,
            # Requests run in a thread pool; each connection is still used by one thread at a time.
            connect_args={"check_same_thread": False},
            # An in-memory database lives only as long as its one connection.
            poolclass=StaticPool if in_memory else None,
        )
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        return engine
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql" and "connect_timeout" not in url.query:
        # Fail (and report "unavailable") instead of hanging when the server does not answer.
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_SECONDS
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, on the engine ``create_app`` put in ``app.state.engine``."""
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic configuration built in code; ``env.py`` migrates over ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration this version of the code ships."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("passport/migrations/versions holds no migration")
    return head


def current_revisions(engine: Engine) -> frozenset[str]:
    """The revisions the database is stamped with (empty when it was never migrated)."""
    with engine.connect() as connection:
        return frozenset(MigrationContext.configure(connection).get_current_heads())


def database_is_current(engine: Engine) -> bool:
    """True when the database is migrated to exactly this code's head revision."""
    return current_revisions(engine) == {head_revision()}


def require_current_database(engine: Engine) -> None:
    """Raise ``DatabaseNotMigrated``, naming ``passport db upgrade``, unless current."""
    current = current_revisions(engine)
    head = head_revision()
    if current == {head}:
        return
    found = ", ".join(sorted(current)) if current else "none (never migrated)"
    raise DatabaseNotMigrated(
        f"the database {engine.url.render_as_string(hide_password=True)} is at "
        f"revision {found}, but this version of Learner Passport needs revision {head}; "
        f"run `{UPGRADE_COMMAND}` first"
    )


def migrate_to_head(engine: Engine) -> str:
    """Apply every pending migration (a no-op when current) and return the head revision."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    return head_revision()


@contextmanager
def _engine_for(database_url: str) -> Iterator[Engine]:
    """A disposable engine; connection failures become ``DatabaseUnavailable``."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_database_engine(database_url)
    try:
        yield engine
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else "no answer"
        raise DatabaseUnavailable(
            f"cannot use the database {redacted_url(database_url)}: {reason}"
        ) from None
    finally:
        engine.dispose()


def upgrade_database(settings: Settings) -> str:
    """``passport db upgrade``: migrate the configured database to head; returns the revision."""
    with _engine_for(settings.database_url) as engine:
        return migrate_to_head(engine)


def prepare_database(settings: Settings) -> str:
    """What ``passport serve`` does first: migrate SQLite, refuse a stale server database.

    Returns a one-line description of what was done; raises ``DatabaseNotMigrated`` or
    ``DatabaseUnavailable``.
    """
    with _engine_for(settings.database_url) as engine:
        if is_sqlite(settings.database_url):
            revision = migrate_to_head(engine)
            return (
                f"SQLite database {redacted_url(settings.database_url)} is at revision {revision}"
            )
        require_current_database(engine)
        return f"database {redacted_url(settings.database_url)} is at revision {head_revision()}"
