"""The database engine and the request's session, for every component.

SQLite gets foreign keys and WAL on every connection, and a new database file is created
readable by its owner only; PostgreSQL connections that sat idle are pinged before use, and
time out instead of hanging. The app state contract: the shell's ``create_app`` puts the engine in
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
import time
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection, StaticPool
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from credentials import PassportError

POSTGRES_CONNECT_TIMEOUT_SECONDS = 10
# Connections kept open per process. Requests run in a thread pool, so a worker under load holds
# one connection per request in flight; with SQLAlchemy's default of 5, the sixth and later were
# "overflow" connections, opened and closed per request, which cost PostgreSQL a backend fork
# each (68 backends in a 60 s load run). Twenty stay open; bursts beyond them still get one.
POSTGRES_POOL_SIZE = 20
POSTGRES_POOL_OVERFLOW = 20
# A pooled connection idle this long is pinged before it is handed out (a restart or a proxy may
# have closed it meanwhile). One used more recently is not: under load every connection is used
# again within milliseconds, and a ping on each checkout was a round trip per request (17% of
# the workers' wall time in the load mix). A connection cut in between fails its one request,
# as one in flight at the cut does, and SQLAlchemy then replaces every pooled connection.
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "passport_idle_since"


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
    """An engine for ``database_url``: SQLite with WAL and foreign keys; PostgreSQL pooled,
    pinged after idling."""
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
    engine = create_engine(
        url,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=POSTGRES_POOL_OVERFLOW,
        connect_args=connect_args,
    )
    _ping_connections_left_idle(engine)
    return engine


def _ping_connections_left_idle(engine: Engine) -> None:
    """SQLAlchemy's "pessimistic disconnect handling" with a custom ping: only a connection idle
    for ``PING_AFTER_IDLE_SECONDS`` is pinged; a dead one raises ``DisconnectionError``, on
    which the pool discards it and hands out a fresh one."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(
        connection: Any, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, connection, None):
                raise DisconnectionError(str(error)) from error
            raise


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


@contextmanager
def statement_session(engine: Engine) -> Iterator[Session]:
    """A session whose statements each run on their own (autocommit), for reads that one
    statement answers: no ``BEGIN`` before it and no ``ROLLBACK`` after it, two round trips
    fewer than a transaction's. Never for writes, nor for reads that must agree with each other
    (each statement sees the database as of its own start)."""
    with engine.connect() as connection:
        autocommit = connection.execution_options(isolation_level="AUTOCOMMIT")
        with Session(bind=autocommit) as session:
            yield session


_STATEMENT_BY_STATEMENT = "passport_statement_by_statement"
_autocommit_engines: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
E = TypeVar("E", bound=Callable[..., Any])


def statement_by_statement(endpoint: E) -> E:
    """Mark a route whose request session runs each statement on its own (autocommit), as
    ``statement_session`` does: no ``BEGIN`` before its first statement nor ``ROLLBACK`` /
    ``COMMIT`` after its last, two round trips fewer, which on a busy machine are two waits
    for the database and for a core (issue #19). For routes that read, and write at most
    with single statements (each is atomic on its own); never where reads must agree."""
    setattr(endpoint, _STATEMENT_BY_STATEMENT, True)
    return endpoint


def _autocommit(engine: Engine) -> Engine:
    """``engine`` whose connections run in autocommit (same pool), made once per engine."""
    made = _autocommit_engines.get(engine)
    if made is None:
        made = engine.execution_options(isolation_level="AUTOCOMMIT")
        _autocommit_engines[engine] = made
    return made


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, on the engine ``create_app`` put in ``app.state.engine``
    (statement by statement for a route marked ``statement_by_statement``).

    Made and closed on the event loop, not in FastAPI's thread pool: each hop there and back
    waits on a busy loop (``infra.clock.request_now``). Making one does no I/O; closing one
    does only while a transaction is open (its ROLLBACK), and that close goes to a thread
    (a statement-by-statement session never has one open)."""
    engine: Engine = request.app.state.engine
    endpoint = getattr(request.scope.get("route"), "endpoint", None)
    each_on_its_own = getattr(endpoint, _STATEMENT_BY_STATEMENT, False)
    session = Session(_autocommit(engine) if each_on_its_own else engine)
    try:
        yield session
    finally:
        if session.in_transaction() and not each_on_its_own:
            await run_in_threadpool(session.close)
        else:
            session.close()


SessionDep = Annotated[Session, Depends(get_session)]
