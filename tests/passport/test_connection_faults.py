"""Database connections failing under a running batch (issue #8, "Faults"), on PostgreSQL.

``make stress`` restarts a PostgreSQL cluster of its own for real (``stress/db_restart.py``);
the shared test server cannot be restarted, so here the fault is injected into the worker's own
connections: ``pg_terminate_backend`` on every connection of one ``passport worker`` (found by
the ``application_name`` its database URL gives it), several times mid-batch. What it cuts is
what a restart cuts: the row transaction in flight, the job queue's pool and its listener.

Also: two runners that finish one batch at the same moment complete and audit it once.
"""

from __future__ import annotations

import dataclasses
import signal
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from issuers.awards.tables import AuditEvent, Award, Batch
from issuers.cohorts import batches
from issuers.cohorts import jobs as batch_jobs
from issuers.cohorts import runner as batch_runner
from issuers.tables import Institution, Program
from tests.issuers.award_support import BASE_URL
from tests.issuers.test_batches import cohort
from tests.passport.test_crash_consistency import (
    PROGRAM,
    WAIT_SECONDS,
    Deployment,
    assert_batch_consistent,
    award_count,
    deployment_on,
    passport,
    run_passport,
    unpassed_checks,
    verification_context,
    wait_until,
)

# Rows are issued 25 to a transaction, hundreds a second: a cohort large enough to be cut into.
COHORT = 1_500
CUT_AT_AWARDS = (100, 500, 900)


def cut_connections(deployment: Deployment, application_name: str) -> int:
    """Terminate the connections named ``application_name``; how many there were."""
    with deployment.engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = :name"
            ),
            {"name": application_name},
        ).all()
    return len(found)


def has_awards(deployment: Deployment, count: int) -> bool:
    return award_count(deployment) >= count


def batch_state(deployment: Deployment) -> str:
    with deployment.session() as session:
        return session.exec(select(Batch.state)).one()


def audit_actions(deployment: Deployment) -> list[str]:
    with deployment.session() as session:
        return sorted(session.exec(select(AuditEvent.action)).all())


def test_connections_cut_mid_batch_are_ridden_through_exactly_once(
    postgres_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "cohort.csv"
    path.write_bytes(cohort(COHORT))
    name = f"lp-fault-{uuid.uuid4().hex[:12]}"
    with deployment_on(postgres_url) as deployment:
        named = make_url(deployment.url).update_query_dict({"application_name": name})
        worker_side = dataclasses.replace(deployment, url=named.render_as_string(False))
        # The worker first, as in production: on a database where no batch was ever queued.
        with passport(worker_side, "worker") as command:
            run_passport(deployment, "issue-batch", str(path), "--program", PROGRAM, "--no-wait")
            cut = partial(cut_connections, deployment, name)
            for wanted in CUT_AT_AWARDS:
                wait_until(partial(has_awards, deployment, wanted), f"{wanted} awards exist")
                # Cut as soon as it has connections again (its pool and the queue's listener
                # reconnect by themselves, and may drop one meanwhile, so "connected" is
                # asked and the cut made in one statement).
                wait_until(lambda: cut() > 0, "the worker's connections are cut")
            wait_until(lambda: batch_state(deployment) == "completed", "the batch completes")
            command.process.send_signal(signal.SIGTERM)
            command.process.wait(timeout=WAIT_SECONDS)
        # The worker rode every cut out by itself (its job waited for the database and went
        # on), and stops cleanly when asked.
        assert command.process.returncode == 0, command.output
        assert "the database is away; trying again" in command.output
        assert_batch_consistent(deployment)
        assert audit_actions(deployment) == ["batch_completed", "batch_submitted"]
        with deployment.session() as session:
            stored = session.exec(select(Award)).all()
            assert len(stored) == COHORT
            assert len({award.external_id for award in stored}) == COHORT
            context = verification_context(session, deployment)
            for award in stored:
                assert unpassed_checks(context, award) == {"issuer_trust"}, award.external_id


def test_two_runners_finishing_together_complete_the_batch_once(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with deployment_on(postgres_url) as deployment:
        with deployment.session() as session:
            institution = session.exec(select(Institution)).one()
            program = session.exec(select(Program)).one()
            submitted = batches.submit_batch(
                session, institution, program, cohort(10), "cohort.csv", actor="test",
                now=datetime.now(UTC),
            )  # fmt: skip
            session.commit()
            assert submitted.batch is not None
            batch_id = submitted.batch.id
        runner = batch_jobs.runner_for(
            deployment.engine, lambda: deployment.master, BASE_URL, lambda: datetime.now(UTC)
        )
        # Every row issued, the batch not yet completed: what two runners find at the end.
        monkeypatch.setattr(batch_runner.BatchRunner, "_finish_if_complete", lambda *_: None)
        assert runner.run(batch_id) == 10
        monkeypatch.undo()
        together = threading.Barrier(2, timeout=WAIT_SECONDS)
        progress = batches.batch_progress

        def progress_together(session: Session, batch: str) -> batches.Progress:
            found = progress(session, batch)
            together.wait()  # both runners have counted: neither has completed the batch yet
            return found

        monkeypatch.setattr(batch_runner, "batch_progress", progress_together)
        with ThreadPoolExecutor(2) as pool:
            runs = [pool.submit(runner.run, batch_id) for _ in range(2)]
            assert [run.result(timeout=WAIT_SECONDS) for run in runs] == [0, 0]
        assert audit_actions(deployment) == ["batch_completed", "batch_submitted"]
        with deployment.session() as session:
            batch = session.get(Batch, batch_id)
            assert batch is not None
            assert (batch.state, batch.issued_rows) == ("completed", 10)
