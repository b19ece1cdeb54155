"""The deployment's database: Alembic migrations run from code, and the shell's own tables.

The engine and the request session are the neutral layer's (``infra.database``).

SQLite (the default, ``var/passport.db``) is created and migrated automatically when the server
starts. A server database (PostgreSQL, ``postgresql+psycopg://...``) is migrated only by the
operator with ``passport db upgrade``: the server refuses to start on an unmigrated or outdated
one, because migrating a shared database is a deliberate step, not a side effect of a restart.

There is no ``alembic.ini``: ``alembic_config`` builds the configuration from the package, and
migrations run over a connection from ``infra.database.create_database_engine`` so they see the
same pragmas and connection options as the application.

>>> from infra.database import create_database_engine
>>> engine = create_database_engine("sqlite://")
>>> database_is_current(engine)
False
>>> migrate_to_head(engine) == head_revision()
True
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import DateTime, Engine
from sqlalchemy.engine import Connection
from sqlmodel import Field, SQLModel

from credentials import PassportError
from infra import disposable_engine, is_sqlite, redacted_url
from passport.settings import Settings

UPGRADE_COMMAND = "passport db upgrade"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseNotMigrated(PassportError):
    """The database schema is missing or not the one this version of the code expects."""

    code = "database_not_migrated"
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


def upgrade_database(settings: Settings) -> str:
    """``passport db upgrade``: migrate the configured database to head; returns the revision."""
    with disposable_engine(settings.database_url) as engine:
        return migrate_to_head(engine)


def prepare_database(settings: Settings) -> str:
    """What ``passport serve`` does first: migrate SQLite, refuse a stale server database.

    Returns a one-line description of what was done; raises ``DatabaseNotMigrated`` or
    ``DatabaseUnavailable``.
    """
    with disposable_engine(settings.database_url) as engine:
        if is_sqlite(settings.database_url):
            revision = migrate_to_head(engine)
            return (
                f"SQLite database {redacted_url(settings.database_url)} is at revision {revision}"
            )
        require_current_database(engine)
        return f"database {redacted_url(settings.database_url)} is at revision {head_revision()}"
