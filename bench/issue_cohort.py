"""Issue a cohort end to end (validation, signing in both forms, status entries, storage).

Each (backend, size, workers) runs in a child process of its own, so its peak resident memory
(``ru_maxrss``) is its own: memory must stay flat as the cohort grows. In the same child, the raw
cost of securing one credential in both forms (``eddsa-rdfc-2022`` + ``vc+jwt``, no database) is
measured before and after the cohort (the mean of the two, so that a change of load on the shared
machine during the run weighs on both sides), and the cohort's throughput is reported as a ratio
of it.

    python -m bench.issue_cohort                      # 1,000 and 5,000 rows, SQLite (+ PostgreSQL)
    python -m bench.issue_cohort --sizes 100000       # the issue's 100,000-learner cohort
    python -m bench.issue_cohort --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m bench.issue_cohort --workers 2          # PostgreSQL also with 2 worker processes

SQLite cohorts are issued in the process that submitted them, as the app's thread does. PostgreSQL
cohorts go the production way: one procrastinate job per block of lines
(``issuers.cohorts.jobs.enqueue_batch``), run by N worker processes (``run_worker``, one job at a
time each, as N ``passport worker --concurrency 1`` would), N = 1 and, with ``--workers``, N.

Prints ``BENCH <name> <value> <ratio>`` lines: ``cohort_<backend>_<n>[_w<N>]`` (credentials per
second, ratio to raw both-forms signing times N: the share of raw signing each worker process
achieves), ``cohort_postgresql_<n>_w<N>_scaling`` (ratio to the 1-worker run of the same size),
``cohort_<backend>_<n>_peak_mb`` (peak RSS in MB of the largest process, ratio to the smallest
cohort's; on SQLite that process also submitted the cohort, which holds the uploaded file),
``cohort_postgresql_<n>[_w<N>]_worker_peak_mb`` (the largest worker process's peak, which issues
and does not submit; ratio to the smallest cohort's), ``sign_both_forms`` (raw credentials per
second, ratio 1). A ``#`` line after each gives the wall-clock seconds and the CPU seconds of the
issuing processes per credential against raw signing's (a ratio that the load of other processes
moves less); on PostgreSQL it adds the server's side per credential: the WAL it wrote and, when
the server runs on this machine, the CPU seconds of all its processes (whatever client they
served: run it when the server is otherwise quiet).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from resource import RUSAGE_CHILDREN, RUSAGE_SELF
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from credentials.multibase import encode_base64url
from credentials.proofs.registry import secure
from infra.database import create_database_engine
from issuers.api_models import InstitutionCreate, ProgramCreate
from issuers.awards.service import AwardRequest, Learner, award_values, issuing_context
from issuers.awards.status_lists import StatusSlot
from issuers.cohorts.batches import batch_progress, submit_batch
from issuers.cohorts.jobs import QUEUE, create_job_app, enqueue_batch, runner_for
from issuers.identity import signer_for_institution
from issuers.institutions import create_institution
from issuers.programs.endorsements import endorsed_achievement
from issuers.programs.service import create_program
from keys.crypto_envelope import load_master_key
from passport.database import migrate_to_head

DEFAULT_SIZES = (1_000, 5_000)
BASE_URL = "https://passport.example.ca"
RAW_SECONDS = 3.0


def cohort_csv(size: int) -> bytes:
    rows = [f"S-{n:06d},Amélie Côté {n},learner{n}@example.ca,A,2025-06-01\n" for n in range(size)]
    return ("external_id,name,email,result,awarded_on\n" + "".join(rows)).encode()


def _server_cpu_seconds() -> float:
    """CPU seconds of the local PostgreSQL server's processes (``postgres``, Linux ``/proc``),
    including the backends that exited (the postmaster's reaped children); 0 when none is local."""
    total = 0
    for entry in Path("/proc").iterdir():
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # stat(5): utime and stime are fields 14 and 15; cutime and cstime 16 and 17.
        own, children = int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
        total += own + children
    return total / os.sysconf("SC_CLK_TCK")


def _wal_position(engine: Any) -> int | None:
    """The server's WAL insert position in bytes (PostgreSQL), to count what a cohort wrote."""
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_current_wal_lsn() - '0/0'")).scalar())


def _raw_both_forms(credential: dict[str, Any], signer: Any) -> dict[str, float]:
    """Seconds of wall clock and of this process's CPU per credential secured in both forms."""
    now = datetime.now(UTC)
    timings = {"wall": 0.0, "cpu": 0.0}
    for mechanism in ("eddsa-rdfc-2022", "vc+jwt"):
        secure(credential, signer, mechanism, now=now)
        count, start, cpu = 0, time.perf_counter(), time.process_time()
        while time.perf_counter() - start < RAW_SECONDS / 4:
            secure(credential, signer, mechanism, now=now)
            count += 1
        timings["wall"] += (time.perf_counter() - start) / count
        timings["cpu"] += (time.process_time() - cpu) / count
    return timings


def _institution_and_program(session: Any, master: Any) -> tuple[Any, Any]:
    now = datetime.now(UTC)
    college = InstitutionCreate(
        slug="bench-college",
        legal_name_en="Bench College",
        legal_name_fr="Collège Bench",
        kind="college",
        website="https://college.example.ca",
        contact_email="registrar@college.example.ca",
    )
    institution = create_institution(session, master, now, BASE_URL, college)
    program = ProgramCreate(slug="welding", name_en="Welding", hours=40, delivery_mode="online")
    return institution, create_program(session, institution, program, now)


def _sample_credential(
    session: Any, master: Any, institution: Any, program: Any
) -> tuple[dict[str, Any], Any]:
    """An unsigned credential as the cohort's are built (the same path), and its signer."""
    now = datetime.now(UTC)
    signer = signer_for_institution(session, master, now, institution)
    achievement = endorsed_achievement(session, BASE_URL, institution, program)
    context = issuing_context(BASE_URL, institution, program, achievement, signer)
    request = AwardRequest(Learner("Amélie Côté", "learner@example.ca"), result="A")
    slot = StatusSlot("bench-list", 4_242, context.purpose)
    stored = json.loads(award_values(context, request, now, slot)["ldp_credential"])
    return {key: value for key, value in stored.items() if key != "proof"}, signer


def _issue(database_url: str, master_key: str, batch_id: str) -> None:
    """Issue the batch's pending rows in this process (SQLite: as the app's thread does)."""
    engine = create_database_engine(database_url)
    master = load_master_key(master_key)
    runner_for(engine, lambda: master, BASE_URL, lambda: datetime.now(UTC)).run(batch_id)
    engine.dispose()


def _work(database_url: str, master_key: str, ready: Any, go: Any, cpu: Any) -> None:
    """One worker process, started (imports, engine, job app) before the cohort is submitted, as
    a running ``passport worker`` is: on ``go``, run cohort jobs one at a time until the queue is
    empty, and report the CPU seconds that took."""
    engine = create_database_engine(database_url)
    master = load_master_key(master_key)
    runner = runner_for(engine, lambda: master, BASE_URL, lambda: datetime.now(UTC))
    app = create_job_app(database_url, lambda: runner)
    ready.release()
    go.wait()
    start = time.process_time()
    app.run_worker(queues=[QUEUE], concurrency=1, wait=False, install_signal_handlers=False)
    peak_mb = resource.getrusage(RUSAGE_SELF).ru_maxrss / 1024
    cpu.put((time.process_time() - start, peak_mb))
    engine.dispose()


class _Workers:
    """``count`` worker processes, ready before the clock starts."""

    def __init__(self, database_url: str, master_key: str, count: int) -> None:
        spawn = multiprocessing.get_context("spawn")
        self.ready, self.go, self.cpu = spawn.Semaphore(0), spawn.Event(), spawn.Queue()
        self.processes = [
            spawn.Process(
                target=_work, args=(database_url, master_key, self.ready, self.go, self.cpu)
            )
            for _ in range(count)
        ]
        for process in self.processes:
            process.start()
        for _ in self.processes:
            self.ready.acquire()

    def run(self, database_url: str, master_key: str, batch_id: str) -> tuple[float, float]:
        """Queue the batch's jobs, let the workers share them; their CPU seconds in all, and the
        largest worker's peak memory (MB)."""
        engine = create_database_engine(database_url)
        master = load_master_key(master_key)
        runner = runner_for(engine, lambda: master, BASE_URL, lambda: datetime.now(UTC))
        enqueue_batch(create_job_app(database_url, lambda: runner), engine, batch_id)
        engine.dispose()
        self.go.set()
        reports = [self.cpu.get() for _ in self.processes]
        for process in self.processes:
            process.join()
            assert process.exitcode == 0, process.exitcode
        return sum(cpu for cpu, _ in reports), max(peak for _, peak in reports)


def child(backend: str, size: int, database_url: str, workers: int = 1) -> dict[str, Any]:
    """One run: a fresh database, one institution, one program, the cohort; raw signing around."""
    engine = create_database_engine(database_url)
    migrate_to_head(engine)
    master_key = encode_base64url(secrets.token_bytes(32))
    master = load_master_key(master_key)
    with Session(engine) as session:
        institution, program = _institution_and_program(session, master)
        session.commit()
        unsigned, signer = _sample_credential(session, master, institution, program)
    raw_before = _raw_both_forms(unsigned, signer)
    workers_ready = None if backend == "sqlite" else _Workers(database_url, master_key, workers)
    wal_start, server_cpu_start = _wal_position(engine), _server_cpu_seconds()
    with Session(engine) as session:
        start, cpu_start = time.perf_counter(), time.process_time()
        submission = submit_batch(
            session,
            institution,
            program,
            cohort_csv(size),
            "cohort.csv",
            actor="bench",
            now=datetime.now(UTC),
        )
        session.commit()
        assert submission.batch is not None, submission.report.errors[:3]
        batch_id = submission.batch.id
    validated = time.perf_counter()
    engine.dispose()
    workers_cpu, worker_peak_mb = 0.0, 0.0
    if workers_ready is None:
        _issue(database_url, master_key, batch_id)
    else:
        workers_cpu, worker_peak_mb = workers_ready.run(database_url, master_key, batch_id)
    issued, cpu = time.perf_counter(), time.process_time() - cpu_start + workers_cpu
    server_cpu, wal_end = _server_cpu_seconds() - server_cpu_start, _wal_position(engine)
    with Session(engine) as session:
        progress = batch_progress(session, batch_id)
        assert progress.issued == size, progress
    engine.dispose()
    raw_after = _raw_both_forms(unsigned, signer)
    return {
        "backend": backend,
        "size": size,
        "validate_and_store_s": validated - start,
        "issue_s": issued - validated,
        "total_s": issued - start,
        "cpu_s": cpu,
        "server_cpu_s": server_cpu,
        "wal_bytes": None if wal_end is None or wal_start is None else wal_end - wal_start,
        "raw_s": (raw_before["wall"] + raw_after["wall"]) / 2,
        "raw_cpu_s": (raw_before["cpu"] + raw_after["cpu"]) / 2,
        "workers": workers,
        "worker_peak_mb": worker_peak_mb,
        "peak_rss_mb": max(
            resource.getrusage(who).ru_maxrss / 1024 for who in (RUSAGE_SELF, RUSAGE_CHILDREN)
        ),
    }


def _run_child(backend: str, size: int, database_url: str, workers: int = 1) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "bench.issue_cohort",
        "--child",
        backend,
        str(size),
        database_url,
        "--workers",
        str(workers),
    ]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def _backends(postgres: str | None, directory: Path) -> list[tuple[str, Any]]:
    backends: list[tuple[str, Any]] = [("sqlite", lambda n: f"sqlite:///{directory}/bench-{n}.db")]
    if postgres:
        backends.append(("postgresql", postgres))
    return backends


def _postgres_run(server: str, size: int, workers: int) -> dict[str, Any]:
    """A run in a schema of its own, dropped afterwards."""
    schema = f"bench_{secrets.token_hex(6)}"
    admin = create_engine(server)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(server).update_query_dict({"options": f"-csearch_path={schema}"})
        return _run_child("postgresql", size, url.render_as_string(hide_password=False), workers)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def report(results: list[dict[str, Any]]) -> None:
    smallest: dict[str, float] = {}
    single: dict[int, float] = {}
    for result in sorted(
        results, key=lambda item: (item["backend"], item["workers"], item["size"])
    ):
        workers = result["workers"]
        name = f"cohort_{result['backend']}_{result['size']}" + (
            f"_w{workers}" if workers > 1 else ""
        )
        per_second = result["size"] / result["total_s"]
        print(f"BENCH {name} {per_second:.1f} {per_second * result['raw_s'] / workers:.3f}")
        if workers == 1:
            single.setdefault(result["size"], per_second)
        elif result["size"] in single:
            scaling = per_second / single[result["size"]]
            print(f"BENCH {name}_scaling {per_second:.1f} {scaling:.3f}")
        base = smallest.setdefault(result["backend"], result["peak_rss_mb"])
        print(
            f"BENCH {name}_peak_mb {result['peak_rss_mb']:.1f} {result['peak_rss_mb'] / base:.3f}"
        )
        if result["worker_peak_mb"]:
            workers_key = f"{result['backend']}_w{workers}"
            worker_base = smallest.setdefault(workers_key, result["worker_peak_mb"])
            peak = result["worker_peak_mb"]
            print(f"BENCH {name}_worker_peak_mb {peak:.1f} {peak / worker_base:.3f}")
        cpu, raw_cpu = result["cpu_s"] / result["size"], result["raw_cpu_s"]
        print(
            f"# {name}: {result['total_s']:.1f} s (validate+store "
            f"{result['validate_and_store_s']:.1f} s, issue {result['issue_s']:.1f} s); CPU of "
            f"our processes {cpu * 1e3:.2f} ms per credential, raw signing {raw_cpu * 1e3:.2f} ms "
            f"(CPU ratio {raw_cpu / cpu:.3f})"
        )
        if result["wal_bytes"] is not None:
            server_ms = result["server_cpu_s"] / result["size"] * 1e3
            wal_kb = result["wal_bytes"] / result["size"] / 1024
            print(
                f"# {name}: PostgreSQL server {server_ms:.2f} ms CPU (its processes, any client) "
                f"and {wal_kb:.1f} KB of WAL per credential"
            )
    raw_runs = [1 / item["raw_s"] for item in results]
    print(f"BENCH sign_both_forms {sum(raw_runs) / len(raw_runs):.1f} 1.000")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--postgres", default=os.environ.get("PASSPORT_TEST_DATABASE_URL"))
    parser.add_argument("--workers", type=int, default=1, choices=range(1, 9))
    parser.add_argument("--child", nargs=3, metavar=("BACKEND", "SIZE", "URL"))
    arguments = parser.parse_args(argv)
    if arguments.child:
        backend, size, url = arguments.child
        print(json.dumps(child(backend, int(size), url, arguments.workers)))
        return
    sizes = [int(size) for size in arguments.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as directory:
        for backend, target in _backends(arguments.postgres, Path(directory)):
            for size in sizes:
                if backend == "sqlite":
                    results.append(_run_child(backend, size, target(size)))
                    continue
                results.append(_postgres_run(target, size, 1))
                if arguments.workers > 1:
                    results.append(_postgres_run(target, size, arguments.workers))
    report(results)


if __name__ == "__main__":
    main()
