"""``python -m stress.db_restart`` (part of ``make stress``): PostgreSQL restarted for real in the
middle of a cohort batch (issue #8, "Faults").

On a throwaway cluster of its own (``stress.pg_cluster``; never the shared server), it migrates
a database, makes an institution and a program, starts ``STRESS_RESTART_WORKERS``
``passport worker`` processes (default 2), then queues a cohort of ``STRESS_RESTART_ROWS``
learners (default 10,000) with ``passport issue-batch --no-wait``. Once
``STRESS_RESTART_AT`` of the rows (default 0.3) are issued it stops the cluster
(``pg_ctlcluster stop``: every connection cut, open transactions rolled back), waits
``STRESS_RESTART_DOWN_SECONDS`` (default 5) and starts it again. The workers are left alone
unless one exits or nothing moves for ``STALL_SECONDS``: then it is restarted, as a process
supervisor would, and the report says so. The whole run is bounded by ``STRESS_RESTART_TIMEOUT``
(default 1800 s). Then ``stress.restart_checks`` checks the batch and verifies a sample of
``STRESS_RESTART_VERIFY`` credentials (default 1,000; 0 verifies all), and it prints rows/s
before and after, the downtime and the time to recover. The cluster is dropped afterwards; the
workers' logs are kept in ``STRESS_RESTART_LOGS`` if set.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from credentials.multibase import encode_base64url
from infra.database import create_database_engine
from keys.crypto_envelope import load_master_key
from passport.database import migrate_to_head
from stress.pg_cluster import Cluster, throwaway_cluster
from stress.restart_checks import count_problems, verify_sample
from stress.run import setting
from stress.seed import INSTITUTION, PROGRAM, seed_program
from tests.issuers.award_support import BASE_URL
from tests.issuers.test_batches import cohort
from tests.passport.test_crash_consistency import Deployment

ROOT = Path(__file__).resolve().parents[1]
POLL_SECONDS = 0.25
STALL_SECONDS = 60
WINDOW_SECONDS = 5
DATABASE = "passport"
NEVER = datetime.min.replace(tzinfo=UTC)
_PROGRESS = text(
    "SELECT (SELECT count(*) FROM batch_row WHERE batch_id = :batch AND state <> 'pending'), "
    "(SELECT state FROM batch WHERE id = :batch)"
)


def _passport(environment: dict[str, str], *args: str, log: Path) -> subprocess.Popen[bytes]:
    """``passport ARGS`` in a process group of its own, its output appended to ``log``."""
    argv = [sys.executable, "-c", "from passport.cli import app; app()", *args]
    with log.open("ab") as output:
        return subprocess.Popen(  # noqa: S603  (our own interpreter and command)
            argv, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


@dataclass
class Workers:
    """The ``passport worker`` processes, restarted when one exits or all stall."""

    environment: dict[str, str]
    count: int
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    restarts: list[str] = field(default_factory=list)

    def start(self, number: int) -> subprocess.Popen[bytes]:
        log = self.logs / f"worker-{number}.log"
        return _passport(self.environment, "worker", "--concurrency", "1", log=log)

    def restart_exited(self, at: float) -> None:
        for number, process in enumerate(self.processes):
            if process.poll() is not None:
                self.restarts.append(
                    f"worker {number} exited ({process.returncode}) at {at:.1f} s, "
                    f"its last words: {self.last_line(number)!r}"
                )
                self.processes[number] = self.start(number)

    def last_line(self, number: int) -> str:
        lines = (self.logs / f"worker-{number}.log").read_text(errors="replace").splitlines()
        return next((line for line in reversed(lines) if line.strip()), "")

    def restart_all(self, reason: str) -> None:
        self.restarts.append(reason)
        self.stop()
        self.processes = [self.start(number) for number in range(self.count)]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def log_lines(self, *needles: str) -> int:
        return sum(
            1
            for path in self.logs.glob("worker-*.log")
            for line in path.read_text(errors="replace").splitlines()
            if any(needle in line for needle in needles)
        )


@contextmanager
def running_workers(environment: dict[str, str], count: int, logs: Path) -> Iterator[Workers]:
    workers = Workers(environment, count, logs)
    workers.processes = [workers.start(number) for number in range(count)]
    try:
        yield workers
    finally:
        workers.stop()


@dataclass
class Timeline:
    """Seconds since the cohort was submitted, and the rows done at the moments that matter."""

    samples: list[tuple[float, int]] = field(default_factory=list)
    stop_at: float = 0.0
    stopped_on: datetime = NEVER  # the stop, on the awards' clock
    done_at_stop: int = 0
    down_at: float = 0.0
    up_at: float = 0.0
    resumed_at: float = 0.0
    done_at_resume: int = 0
    finished_at: float = 0.0

    def done_at(self, moment: float) -> int:
        return max((done for at, done in self.samples if at <= moment), default=0)


def _progress(engine: Engine, batch_id: str) -> tuple[int, str] | None:
    """Rows done and the batch's state, or ``None`` while the database does not answer."""
    try:
        with engine.connect() as connection:
            done, state = connection.execute(_PROGRESS, {"batch": batch_id}).one()
            return int(done), str(state)
    except OperationalError:
        return None


def _restart(cluster: Cluster, timeline: Timeline, started: float, down_seconds: int) -> None:
    timeline.stop_at = time.monotonic() - started
    timeline.stopped_on = datetime.now(UTC)
    cluster.stop()
    timeline.down_at = time.monotonic() - started
    time.sleep(down_seconds)
    cluster.start()
    timeline.up_at = cluster.wait_until_accepting(timeout=60) - started


def drive(
    cluster: Cluster, engine: Engine, batch_id: str, workers: Workers, total: int, started: float
) -> Timeline:
    """Watch the batch, restart the database at the chosen point, wait until it completes;
    ``started`` (``time.monotonic``) is when the cohort was submitted."""
    share = float(os.environ.get("STRESS_RESTART_AT", "0.3"))
    if not 0 < share < 1:
        raise SystemExit("STRESS_RESTART_AT must be between 0 and 1 (a share of the rows)")
    restart_at = max(int(total * share), 1)
    down_seconds = setting("STRESS_RESTART_DOWN_SECONDS", 5, 120, minimum=0)
    deadline = setting("STRESS_RESTART_TIMEOUT", 1800, 7200)
    timeline = Timeline()
    last_move, resumed_when = 0.0, total
    while True:
        now = time.monotonic() - started
        if now > deadline:
            raise SystemExit(f"the batch did not complete within {deadline} s")
        found = _progress(engine, batch_id)
        if found is not None:
            done, state = found
            if done > timeline.done_at(now):
                last_move = now
            timeline.samples.append((now, done))
            if state == "completed":
                timeline.finished_at = now
                if not timeline.resumed_at:  # done within 1% of the rows after the restart
                    timeline.resumed_at, timeline.done_at_resume = now, done
                return timeline
            if not timeline.stop_at and done >= restart_at:
                timeline.done_at_stop = done
                _restart(cluster, timeline, started, down_seconds)
                last_move = timeline.up_at
                # Issuing again: 1% of the rows done since the stop (not a straggler commit).
                resumed_when = done + max(total // 100, 1)
            elif timeline.up_at and not timeline.resumed_at and done >= resumed_when:
                timeline.resumed_at, timeline.done_at_resume = now, done
        workers.restart_exited(now)
        if now - last_move > STALL_SECONDS:
            workers.restart_all(f"no row issued for {STALL_SECONDS} s at {now:.1f} s: restarted")
            last_move = now
        time.sleep(POLL_SECONDS)


def _environment(cluster: Cluster, master_text: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("PASSPORT_")}
    return inherited | {
        "PASSPORT_DATABASE_URL": cluster.url(DATABASE),
        "PASSPORT_MASTER_KEY": master_text,
        "PASSPORT_BASE_URL": BASE_URL,
        "PASSPORT_MODE": "development",
    }


def _submit(environment: dict[str, str], engine: Engine, work: Path, total: int) -> str:
    """Queue the cohort with ``passport issue-batch --no-wait``; returns the batch id."""
    path = work / "cohort.csv"
    path.write_bytes(cohort(total))
    program = f"{INSTITUTION}/{PROGRAM}"
    log = work / "issue-batch.log"
    command = _passport(
        environment, "issue-batch", str(path), "--program", program, "--no-wait", log=log
    )
    if command.wait(timeout=600) != 0:
        raise SystemExit(f"issue-batch failed:\n{log.read_text()}")
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT id FROM batch")).scalar_one())


_ISSUING = text(
    "SELECT count(*), min(issued_at), max(issued_at) FROM award WHERE batch_id = :batch "
    "AND (issued_at < :stop) = :before"
)


def issuing_rate(engine: Engine, batch_id: str, stopped_on: datetime, *, before: bool) -> float:
    """Rows/s from the awards' own ``issued_at``, before or after the stop (exact, unlike
    polling; "after" includes the workers' restart)."""
    with engine.connect() as connection:
        values = {"batch": batch_id, "stop": stopped_on, "before": before}
        count, first, last = connection.execute(_ISSUING, values).one()
    return float(count) / max((last - first).total_seconds(), 1e-9) if count else 0.0


def report(timeline: Timeline, total: int, workers: Workers, engine: Engine, batch_id: str) -> None:
    rates = [
        issuing_rate(engine, batch_id, timeline.stopped_on, before=before)
        for before in (True, False)
    ]
    print(f"\nrows: {total}; stopped at {timeline.done_at_stop} rows ({timeline.stop_at:.1f} s)")
    print(f"rows/s before the restart: {rates[0]:.1f}; after it: {rates[1]:.1f} (issued_at)")
    print(f"stop took {timeline.down_at - timeline.stop_at:.1f} s; down (stop to accepting "
          f"connections): {timeline.up_at - timeline.stop_at:.1f} s")  # fmt: skip
    print(f"time to recover (accepting connections to 1% more rows issued): "
          f"{timeline.resumed_at - timeline.up_at:.1f} s")  # fmt: skip
    print(f"whole batch (submitted to completed): {timeline.finished_at:.1f} s")
    print(f"rows/s per {WINDOW_SECONDS} s window: {windows(timeline, WINDOW_SECONDS)}")
    print("worker restarts: " + ("; ".join(workers.restarts) or "none (they reconnected)"))
    print(f"runs interrupted (worker logs): {workers.log_lines('interrupted')}")


def job_summary(engine: Engine) -> str:
    """Procrastinate's jobs by status, and how many runs were retries."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT status, count(*), sum(attempts) FROM procrastinate_jobs GROUP BY status")
        ).all()
    statuses = ", ".join(f"{count} {status}" for status, count, _ in rows)
    # ``attempts`` counts every finished run, the successful one included.
    runs = sum(int(attempts or 0) for *_, attempts in rows)
    finished = sum(count for status, count, _ in rows if status not in {"todo", "doing"})
    return f"jobs: {statuses}; runs retried after an error: {runs - finished}"


def windows(timeline: Timeline, seconds: float) -> str:
    """Rows/s in consecutive windows of ``seconds`` from the submission on."""
    start, rates = 0.0, []
    while start < timeline.finished_at:
        done = timeline.done_at(start + seconds) - timeline.done_at(start)
        rates.append(f"{done / seconds:.0f}")
        start += seconds
    return " ".join(rates)


def main() -> None:
    total = setting("STRESS_RESTART_ROWS", 10_000, 200_000)
    count = setting("STRESS_RESTART_WORKERS", 2, 16)
    sample = setting("STRESS_RESTART_VERIFY", 1_000, 200_000, minimum=0)
    master_text = encode_base64url(secrets.token_bytes(32))
    master = load_master_key(master_text)
    with throwaway_cluster() as cluster, tempfile.TemporaryDirectory() as scratch:
        # The workers' logs are kept where STRESS_RESTART_LOGS says, else dropped at the end.
        work = os.environ.get("STRESS_RESTART_LOGS") or scratch
        Path(work).mkdir(parents=True, exist_ok=True)
        print(f"cluster {cluster.version}/{cluster.name} on 127.0.0.1:{cluster.port}; logs: {work}")
        cluster.create_database(DATABASE)
        engine = create_database_engine(cluster.url(DATABASE))
        migrate_to_head(engine)
        with Session(engine) as session:
            seed_program(session, master, BASE_URL, datetime.now(UTC))
            session.commit()
        environment = _environment(cluster, master_text)
        # Workers first, as in production: the batch's jobs are queued once, no duplicates.
        with running_workers(environment, count, Path(work)) as workers:
            started = time.monotonic()
            batch_id = _submit(environment, engine, Path(work), total)
            print(f"batch {batch_id}: {total} rows queued for {count} workers")
            timeline = drive(cluster, engine, batch_id, workers, total, started)
        report(timeline, total, workers, engine, batch_id)
        print(job_summary(engine))
        print("checks:")
        problems = count_problems(engine, batch_id, total)
        deployment = Deployment(cluster.url(DATABASE), engine, master_text, master)
        verified = verify_sample(deployment, batch_id, sample)
        print(f"  ok  {verified.checked} credentials verified in both forms "
              f"({verified.seconds:.1f} s)")  # fmt: skip
        engine.dispose()
    if problems:
        raise SystemExit("the batch is not consistent: " + "; ".join(problems))


if __name__ == "__main__":
    main()
