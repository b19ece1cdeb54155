"""Metrics of ``passport worker`` processes, pushed through the database.

A worker serves no HTTP, so it cannot be scraped. It counts what it commits like an app process
(``passport.metrics_wiring.observe_engine``) and writes its totals to its ``worker_metrics`` row
every ``PUSH_INTERVAL_SECONDS`` and when it stops; before each scrape, ``/metrics`` of any app
process reads the rows updated within ``STALE_AFTER`` and reports them per worker
(docs/operations.md, "What to monitor").
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, DateTime, Engine, String
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Field, Session, SQLModel, col, select

from passport.metrics import Gauge, PassportMetrics
from passport.metrics_wiring import observe_engine

logger = logging.getLogger("passport.worker_metrics")
PUSH_INTERVAL_SECONDS = 10.0
STALE_AFTER = timedelta(minutes=10)


class WorkerMetrics(SQLModel, table=True):
    """The totals of one worker process since it started (``host:pid``)."""

    __tablename__ = "worker_metrics"

    worker: str = Field(primary_key=True, sa_type=String(100))
    issued: int = Field(default=0, sa_type=BigInteger)
    revoked: int = Field(default=0, sa_type=BigInteger)
    suspended: int = Field(default=0, sa_type=BigInteger)
    updated_at: datetime = Field(sa_type=DateTime(timezone=True))


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def push(engine: Engine, worker: str, metrics: PassportMetrics) -> None:
    """Write this worker's totals to its row."""
    with Session(engine) as session:
        row = session.get(WorkerMetrics, worker) or WorkerMetrics(
            worker=worker, updated_at=datetime.now(UTC)
        )
        row.issued = int(metrics.issued.value())
        row.revoked = int(metrics.status_changes.value(action="revoke"))
        row.suspended = int(metrics.status_changes.value(action="suspend"))
        row.updated_at = datetime.now(UTC)
        session.add(row)
        session.commit()


@contextmanager
def pushing_worker_metrics(engine: Engine) -> Iterator[PassportMetrics]:
    """Count what this worker commits through ``engine`` and push it until the block ends."""
    metrics = PassportMetrics()
    observe_engine(engine, metrics)
    worker = worker_name()
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(PUSH_INTERVAL_SECONDS):
            _push_quietly(engine, worker, metrics)

    thread = threading.Thread(target=loop, name="worker-metrics", daemon=True)
    thread.start()
    try:
        yield metrics
    finally:
        stop.set()
        thread.join()
        _push_quietly(engine, worker, metrics)


def _push_quietly(engine: Engine, worker: str, metrics: PassportMetrics) -> None:
    try:
        push(engine, worker, metrics)
    except SQLAlchemyError as error:  # the database is away: the next push catches up
        logger.warning("worker metrics not pushed: %s", type(error).__name__)


def worker_metrics_collector(engine: Engine, metrics: PassportMetrics) -> Callable[[], None]:
    """A collector setting ``passport_worker_*`` gauges from the rows of live workers."""
    gauges = {
        name: metrics.registry.add(
            Gauge(
                f"passport_worker_{name}",
                f"Credentials {name} by each passport worker since it started "
                "(pushed through the database).",
                ("worker",),
            )
        )
        for name in ("issued", "revoked", "suspended")
    }

    def collect() -> None:
        since = datetime.now(UTC) - STALE_AFTER
        try:
            with Session(engine) as session:
                rows = session.exec(
                    select(WorkerMetrics).where(col(WorkerMetrics.updated_at) >= since)
                ).all()
        except SQLAlchemyError as error:
            logger.warning("metrics: worker totals unavailable: %s", type(error).__name__)
            return
        live = {row.worker for row in rows}
        for name, gauge in gauges.items():
            for row in rows:
                gauge.set(getattr(row, name), worker=row.worker)
            gauge.keep_only(lambda labels: labels["worker"] in live)

    return collect
