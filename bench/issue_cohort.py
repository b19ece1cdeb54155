"""Issue a cohort end to end (validation, signing in both forms, status entries, storage).

Each (backend, size) runs in a child process of its own, so its peak resident memory
(``ru_maxrss``) is its own: memory must stay flat as the cohort grows. In the same child, the raw
cost of securing one credential in both forms (``eddsa-rdfc-2022`` + ``vc+jwt``, no database) is
measured, and the cohort's throughput is reported as a ratio of it.

    python -m bench.issue_cohort                      # 1,000 and 5,000 rows, SQLite (+ PostgreSQL)
    python -m bench.issue_cohort --sizes 100000       # the issue's 100,000-learner cohort
    python -m bench.issue_cohort --postgres postgresql+psycopg://postgres@127.0.0.1:5432/test
    python -m bench.issue_cohort --workers 2          # PostgreSQL also with 2 worker processes

Prints ``BENCH <name> <value> <ratio>`` lines: ``cohort_<backend>_<n>`` (credentials per second,
ratio to raw both-forms signing), ``cohort_<backend>_<n>_peak_mb`` (peak RSS in MB of the
largest process, ratio to the smallest cohort's), ``sign_both_forms`` (raw credentials per
second, ratio 1). With ``--workers N`` (N > 1), PostgreSQL cohorts are also issued by N processes
sharing one batch, as N ``passport worker`` processes would (rows claimed with SKIP LOCKED):
``cohort_postgresql_<n>_w<N>``, ratio to the single-process run of the same size.
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
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from credentials.multibase import encode_base64url
from credentials.proofs.registry import secure
from infra.database import create_database_engine
from issuers.api_models import InstitutionCreate, ProgramCreate
from issuers.awards.tables import Award
from issuers.cohorts.batches import batch_progress, submit_batch
from issuers.cohorts.jobs import runner_for
from issuers.identity import signer_for_institution
from issuers.institutions import create_institution
from issuers.programs.service import create_program
from keys.crypto_envelope import load_master_key
from passport.database import migrate_to_head

DEFAULT_SIZES = (1_000, 5_000)
BASE_URL = "https://passport.example.ca"
RAW_SECONDS = 3.0


def cohort_csv(size: int) -> bytes:
    rows = [f"S-{n:06d},Amélie Côté {n},learner{n}@example.ca,A,2025-06-01\n" for n in range(size)]
    return ("external_id,name,email,result,awarded_on\n" + "".join(rows)).encode()


def _raw_both_forms_per_second(credential: dict[str, Any], signer: Any) -> dict[str, float]:
    now = datetime.now(UTC)
    timings: dict[str, float] = {}
    for mechanism in ("eddsa-rdfc-2022", "vc+jwt"):
        secure(credential, signer, mechanism, now=now)
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < RAW_SECONDS / 2:
            secure(credential, signer, mechanism, now=now)
            count += 1
        timings[mechanism] = (time.perf_counter() - start) / count
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


def _issue(database_url: str, master_key: str, batch_id: str) -> None:
    """Issue the batch's pending rows in this process (one of several workers, or alone)."""
    engine = create_database_engine(database_url)
    master = load_master_key(master_key)
    runner_for(engine, lambda: master, BASE_URL, lambda: datetime.now(UTC)).run(batch_id)
    engine.dispose()


def child(backend: str, size: int, database_url: str, workers: int = 1) -> dict[str, Any]:
    """One run: a fresh database, one institution, one program, the cohort; then raw signing."""
    engine = create_database_engine(database_url)
    migrate_to_head(engine)
    master_key = encode_base64url(secrets.token_bytes(32))
    master = load_master_key(master_key)
    with Session(engine) as session:
        institution, program = _institution_and_program(session, master)
        session.commit()
        institution_id = institution.id
        data = cohort_csv(size)
        start = time.perf_counter()
        submission = submit_batch(
            session,
            institution,
            program,
            data,
            "cohort.csv",
            actor="bench",
            now=datetime.now(UTC),
        )
        session.commit()
        assert submission.batch is not None, submission.report.errors[:3]
        batch_id = submission.batch.id
    validated = time.perf_counter()
    engine.dispose()
    if workers == 1:
        _issue(database_url, master_key, batch_id)
    else:
        processes = [
            multiprocessing.get_context("spawn").Process(
                target=_issue, args=(database_url, master_key, batch_id)
            )
            for _ in range(workers)
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
            assert process.exitcode == 0, process.exitcode
    issued = time.perf_counter()
    with Session(engine) as session:
        progress = batch_progress(session, batch_id)
        assert progress.issued == size, progress
        last = session.exec(select(Award).limit(1)).one()
        stored = json.loads(last.ldp_credential)
        unsigned = {key: value for key, value in stored.items() if key != "proof"}
        institution = session.get(type(institution), institution_id)
        assert institution is not None
        signer = signer_for_institution(session, master, datetime.now(UTC), institution)
        raw = _raw_both_forms_per_second(unsigned, signer)
    engine.dispose()
    return {
        "backend": backend,
        "size": size,
        "validate_and_store_s": validated - start,
        "issue_s": issued - validated,
        "total_s": issued - start,
        "raw_rdfc_s": raw["eddsa-rdfc-2022"],
        "raw_jwt_s": raw["vc+jwt"],
        "workers": workers,
        "peak_rss_mb": max(
            resource.getrusage(who).ru_maxrss / 1024
            for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
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
        raw = 1 / (result["raw_rdfc_s"] + result["raw_jwt_s"])
        if workers == 1:
            single.setdefault(result["size"], per_second)
            print(f"BENCH {name} {per_second:.1f} {per_second / raw:.3f}")
        else:
            baseline = single.get(result["size"], per_second)
            print(f"BENCH {name} {per_second:.1f} {per_second / baseline:.3f}")
        base = smallest.setdefault(result["backend"], result["peak_rss_mb"])
        print(
            f"BENCH {name}_peak_mb {result['peak_rss_mb']:.1f} {result['peak_rss_mb'] / base:.3f}"
        )
        share = result["size"] * result["raw_rdfc_s"] / result["total_s"]
        jwt_share = result["size"] * result["raw_jwt_s"] / result["total_s"]
        print(
            f"# {name}: validate+store {result['validate_and_store_s']:.1f}s, issue "
            f"{result['issue_s']:.1f}s; rdfc signing ~{share:.0%}, jwt signing ~{jwt_share:.1%} "
            f"of the time (of one process)"
        )
    raw_runs = [1 / (item["raw_rdfc_s"] + item["raw_jwt_s"]) for item in results]
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
