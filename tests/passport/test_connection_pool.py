"""PostgreSQL connections are reused, and pinged only after idling (``infra.database``)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, text

from infra import database
from infra.database import create_database_engine


def backend_pid(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def terminate(engine: Engine, pid: int) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        connection.commit()


def test_a_connection_that_died_while_idle_is_replaced_before_use(
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine, killer = create_database_engine(postgres_url), create_database_engine(postgres_url)
    try:
        first = backend_pid(engine)
        terminate(killer, first)  # as a server restart would, while the connection sits idle
        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
        assert backend_pid(engine) != first  # pinged, found dead, replaced: no error
    finally:
        engine.dispose()
        killer.dispose()


def test_a_connection_used_a_moment_ago_is_reused_without_a_ping(
    postgres_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    engine = create_database_engine(postgres_url)
    pings: list[object] = []
    ping = engine.dialect.do_ping

    def counted_ping(raw: Any) -> bool:
        pings.append(raw)
        return ping(raw)

    monkeypatch.setattr(engine.dialect, "do_ping", counted_ping)
    try:
        pids = {backend_pid(engine) for _ in range(20)}
        assert len(pids) == 1  # the pool keeps it: no new backend per use
        assert pings == []  # and no round trip before each use
        monkeypatch.setattr(database, "PING_AFTER_IDLE_SECONDS", 0.0)
        backend_pid(engine)
        assert len(pings) == 1
    finally:
        engine.dispose()


def test_concurrent_requests_keep_their_connections_open(
    postgres_url: str,
) -> None:
    """Ten sessions at once (a worker's thread pool under load) and then ten again: the second
    round reuses the first round's connections instead of opening overflow ones per request."""
    engine = create_database_engine(postgres_url)
    try:
        for _ in range(2):
            connections = [engine.connect() for _ in range(10)]
            for connection in connections:
                connection.execute(text("SELECT 1"))
                connection.close()
        assert engine.pool.checkedin() == 10  # type: ignore[attr-defined]
    finally:
        engine.dispose()
