"""The database engine and the request's session, for every component.

SQLite gets foreign keys and WAL on every connection, and a new database file is created
readable by its owner only; PostgreSQL connections are pre-pinged and time out instead of
hanging. The app state contract: the shell's ``create_app`` puts the engine in
``app.state.engine``; ``SessionDep`` opens one session on it per request, shared by every
dependency of that request.

>>> from sqlalchemy import text
>>> with disposable_engine("sqlite://") as engine, engine.connect() as connection:
...     connection.execute(text("PRAGMA foreign_keys")).scalar()
1
>>> redacted_url("postgresql+psycopg://passport:secret@db/passport")
'postgresql+psycopg://passport:***@db/passport'
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from credentials import PassportError

POSTGRES_CONNECT_TIMEOUT_SECONDS = 10


class DatabaseUnavailable(PassportError):
    """The database could not be reached or opened."""

    code = "database_unavailable"
    status = 503


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


@contextmanager
def disposable_engine(database_url: str) -> Iterator[Engine]:
    """An engine for one command, disposed afterwards; connection failures become
    ``DatabaseUnavailable``. A SQLite file's directory is created first."""
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


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, on the engine ``create_app`` put in ``app.state.engine``."""
    with Session(request.app.state.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
