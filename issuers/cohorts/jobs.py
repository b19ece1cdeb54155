"""Where cohort batches run: a thread of the app or CLI on SQLite, procrastinate workers on
PostgreSQL (``passport worker``, any number of them, on any machine).

On PostgreSQL a batch becomes one procrastinate job per block of ``LINES_PER_JOB`` lines, so a
large cohort spreads over every worker. Jobs are idempotent (``issuers.cohorts.batches``): a job run
twice, or a batch resumed while a stalled job is retried, issues nothing twice. Procrastinate's
own tables are created on first use (``ensure_job_schema``, under an advisory lock) rather than
by our Alembic migrations, which describe only our tables.

A job whose database goes away (a restart, a failover) waits for it and goes on
(``run_through_outages``): its worker is alive, so no heartbeat rule would ever retry it.

A worker killed mid-job (SIGKILL, lost machine) leaves its job ``doing``. Procrastinate marks
such a job stalled once its worker's heartbeat is older than ``STALLED_AFTER_SECONDS``
(procrastinate docs, "Retry stalled jobs"): every worker retries stalled cohort jobs when it
starts and once a minute (a periodic task), so the rows of a dead worker are picked up by the
living ones. At start-up a worker also queues jobs for unfinished batches that have none
waiting or running (a batch whose jobs were lost), and only for those.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable

from procrastinate import App, PsycopgConnector
from procrastinate.schema import SchemaManager
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from issuers.awards.service import IssuingContext
from issuers.awards.tables import BatchRow
from issuers.cohorts.batches import unfinished_batches
from issuers.cohorts.runner import BatchInterrupted, BatchRunner, Clock
from issuers.identity import signer_for_institution
from issuers.programs.endorsements import program_issuing_context
from issuers.tables import Institution, Program
from keys import MasterKey

logger = logging.getLogger("issuers.batch_jobs")
LINES_PER_JOB = 500
# How long a job waits for its database to come back, in doubling pauses of at most 10 s
# (so it is issuing again at most 10 s after the database is back).
OUTAGE_PATIENCE_SECONDS = 600.0
MAX_PAUSE_SECONDS = 10.0
QUEUE = "cohorts"
TASK_NAME = "issuers.issue_batch_lines"
RECOVERY_TASK_NAME = "issuers.retry_stalled_cohort_jobs"
# Procrastinate workers send a heartbeat every 10 s; three missed heartbeats and more.
STALLED_AFTER_SECONDS = 60.0
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


def run_through_outages(
    runner: BatchRunner,
    batch_id: str,
    lines: tuple[int, int],
    *,
    patience: float = OUTAGE_PATIENCE_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Issue a block of lines, waiting out database outages of up to ``patience`` seconds.

    The job waits rather than fail: procrastinate records a failure (and its retry) in the same
    database, so a job failed during a long outage stays "doing" with nobody running it, and
    its rows pending. Waiting keeps the job's state true. Each run resumes from the pending rows
    (``issuers.cohorts.runner``), so nothing is issued twice.
    """
    waited, pause = 0.0, 1.0
    while True:
        try:
            runner.run(batch_id, lines=lines)
            return
        except BatchInterrupted as interrupted:
            if interrupted.rows_done:
                # The database was back between outages: a new outage starts a new wait, so
                # a job cut three times does not sleep as if through one long outage.
                waited, pause = 0.0, 1.0
            if waited >= patience:
                raise
            logger.warning(
                "batch %s: the database is away; trying again in %.0f s", batch_id, pause
            )
            sleep(pause)
            waited += pause
            pause = min(pause * 2, MAX_PAUSE_SECONDS)


def create_job_app(
    database_url: str,
    runner_factory: Callable[[], BatchRunner],
    *,
    stalled_after: float = STALLED_AFTER_SECONDS,
) -> App:
    """The procrastinate app with the cohort task (``runner_factory`` is called per job) and the
    periodic task that retries the cohort jobs of dead workers."""
    app = App(connector=PsycopgConnector(conninfo=conninfo_of(database_url)))

    @app.task(name=TASK_NAME, queue=QUEUE, retry=3)
    def issue_batch_lines(batch_id: str, first_line: int, last_line: int) -> None:
        run_through_outages(runner_factory(), batch_id, (first_line, last_line))

    @app.periodic(cron="* * * * *", periodic_id="retry-stalled-cohort-jobs")
    @app.task(name=RECOVERY_TASK_NAME, queue=QUEUE, queueing_lock=RECOVERY_TASK_NAME)
    async def retry_stalled_cohort_jobs(timestamp: int) -> None:
        await retry_stalled_jobs(app, stalled_after)

    return app


async def retry_stalled_jobs(app: App, stalled_after: float) -> int:
    """Put the cohort jobs of workers silent for ``stalled_after`` seconds back in the queue."""
    stalled = await app.job_manager.get_stalled_jobs(
        queue=QUEUE, task_name=TASK_NAME, seconds_since_heartbeat=stalled_after
    )
    count = 0
    for job in stalled:
        await app.job_manager.retry_job(job)
        count += 1
    if count:
        logger.warning("retried %d cohort job(s) of stopped workers", count)
    return count


def recover_at_start(app: App, engine: Engine, stalled_after: float) -> None:
    """At worker start: retry stalled jobs, then queue the unfinished batches left without any
    job (never a second set of jobs for a batch whose jobs are waiting or running)."""
    ensure_job_schema(engine)

    async def retry() -> None:
        async with app.open_async():
            await retry_stalled_jobs(app, stalled_after)

    asyncio.run(retry())
    with app.open():
        queued = {
            str(job.task_kwargs.get("batch_id"))
            for status in ("todo", "doing")
            for job in app.job_manager.list_jobs(queue=QUEUE, task=TASK_NAME, status=status)
        }
    with Session(engine) as session:
        orphans = [batch for batch in unfinished_batches(session) if batch not in queued]
    for batch_id in orphans:
        enqueue_batch(app, engine, batch_id)


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
    engine: Engine,
    master: Callable[[], MasterKey],
    base_url: str,
    clock: Clock,
    *,
    mail: bool = False,
) -> BatchRunner:
    """A runner on ``engine`` signing with each institution's key (decrypted per block);
    with ``mail``, each issued learner's email and the staff's completion email are queued."""

    def contexts(session: Session, institution: Institution, program: Program) -> IssuingContext:
        signer = signer_for_institution(session, master(), clock(), institution)
        return program_issuing_context(session, base_url, institution, program, signer)

    # Objects are not expired at each group's commit: the block's institution, program and
    # claimed rows are not read again, and reloading them would cost round trips per group.
    return BatchRunner(
        sessions=lambda: Session(engine, expire_on_commit=False),
        contexts=contexts,
        clock=clock,
        mail_base_url=base_url if mail else None,
    )


def start_batch(
    engine: Engine, database_url: str, runner: BatchRunner, batch_id: str
) -> threading.Thread | None:
    """Start issuing a stored batch: a thread on SQLite, procrastinate jobs on PostgreSQL."""
    if uses_workers(engine):
        enqueue_batch(create_job_app(database_url, lambda: runner), engine, batch_id)
        return None
    return start_in_thread(runner, batch_id)
