"""Where cohort batches run: a thread of the app or CLI on SQLite, procrastinate workers on
PostgreSQL (``passport worker``, any number of them, on any machine).

On PostgreSQL a batch becomes one procrastinate job per block of ``LINES_PER_JOB`` lines, so a
large cohort spreads over every worker. Jobs are idempotent (``issuers.batches``): a job run
twice, or a batch resumed while a stalled job is retried, issues nothing twice. Procrastinate's
own tables are created on first use (``ensure_job_schema``, under an advisory lock) rather than
by our Alembic migrations, which describe only our tables.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from procrastinate import App, PsycopgConnector
from procrastinate.schema import SchemaManager
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from issuers.award_tables import BatchRow
from issuers.awards import IssuingContext, issuing_context
from issuers.batches import BatchInterrupted, BatchRunner, Clock, unfinished_batches
from issuers.identity import signer_for_institution
from issuers.programs import achievement_for
from issuers.tables import Institution, Program
from keys.crypto_envelope import MasterKey

logger = logging.getLogger("issuers.batch_jobs")
LINES_PER_JOB = 500
QUEUE = "cohorts"
TASK_NAME = "issuers.issue_batch_lines"
# An arbitrary, fixed key: serializes the creation of procrastinate's schema between processes.
_SCHEMA_LOCK = 7_341_003


def uses_workers(engine: Engine) -> bool:
    """PostgreSQL batches go to ``passport worker``; SQLite ones run in-process."""
    return engine.dialect.name == "postgresql"


def start_in_thread(runner: BatchRunner, batch_id: str) -> threading.Thread:
    """Run a batch in a daemon thread of this process (SQLite); an outage just stops it."""

    def run() -> None:
        try:
            runner.run(batch_id)
        except BatchInterrupted as error:
            logger.warning("%s", error.message)

    thread = threading.Thread(target=run, name=f"batch-{batch_id}", daemon=True)
    thread.start()
    return thread


def resume_in_threads(engine: Engine, runner: BatchRunner) -> list[threading.Thread]:
    """At start-up (SQLite): pick up every batch a crash or restart left unfinished."""
    with Session(engine) as session:
        return [start_in_thread(runner, batch_id) for batch_id in unfinished_batches(session)]


def conninfo_of(database_url: str) -> str:
    """The libpq URI of a SQLAlchemy PostgreSQL URL (procrastinate speaks psycopg directly)."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def ensure_job_schema(engine: Engine) -> None:
    """Create procrastinate's tables once (procrastinate docs: "apply the schema")."""
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        exists = connection.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar()
        if exists is None:
            # Straight to psycopg: without parameters it does not read '%' as a placeholder.
            cursor = connection.connection.cursor()
            cursor.execute(SchemaManager.get_schema())
            cursor.close()


def create_job_app(database_url: str, runner_factory: Callable[[], BatchRunner]) -> App:
    """The procrastinate app with the one cohort task; ``runner_factory`` is called per job."""
    app = App(connector=PsycopgConnector(conninfo=conninfo_of(database_url)))

    @app.task(name=TASK_NAME, queue=QUEUE, retry=3)
    def issue_batch_lines(batch_id: str, first_line: int, last_line: int) -> None:
        runner_factory().run(batch_id, lines=(first_line, last_line))

    return app


def line_blocks(engine: Engine, batch_id: str) -> list[tuple[int, int]]:
    """The pending rows of a batch cut into blocks of about ``LINES_PER_JOB`` rows."""
    with Session(engine) as session:
        lines = session.exec(
            select(BatchRow.line_number)
            .where(BatchRow.batch_id == batch_id, BatchRow.state == "pending")
            .order_by(col(BatchRow.line_number))
        ).all()
    return [
        (lines[start], lines[min(start + LINES_PER_JOB, len(lines)) - 1])
        for start in range(0, len(lines), LINES_PER_JOB)
    ]


def enqueue_batch(app: App, engine: Engine, batch_id: str) -> int:
    """Defer one job per block of pending lines; returns the number of jobs."""
    ensure_job_schema(engine)
    blocks = line_blocks(engine, batch_id)
    with app.open():
        task = app.tasks[TASK_NAME]
        for first, last in blocks:
            task.defer(batch_id=batch_id, first_line=first, last_line=last)
    return len(blocks)


def runner_for(
    engine: Engine, master: Callable[[], MasterKey], base_url: str, clock: Clock
) -> BatchRunner:
    """A runner on ``engine`` signing with each institution's key (decrypted per block)."""

    def contexts(session: Session, institution: Institution, program: Program) -> IssuingContext:
        signer = signer_for_institution(session, master(), clock(), institution)
        achievement = achievement_for(base_url, institution, program)
        return issuing_context(base_url, institution, program, achievement, signer)

    return BatchRunner(sessions=lambda: Session(engine), contexts=contexts, clock=clock)


def start_batch(
    engine: Engine, database_url: str, runner: BatchRunner, batch_id: str
) -> threading.Thread | None:
    """Start issuing a stored batch: a thread on SQLite, procrastinate jobs on PostgreSQL."""
    if uses_workers(engine):
        enqueue_batch(create_job_app(database_url, lambda: runner), engine, batch_id)
        return None
    return start_in_thread(runner, batch_id)
