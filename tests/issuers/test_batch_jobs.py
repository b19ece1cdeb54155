"""Batches run in a thread on SQLite and on procrastinate workers on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from issuers import batch_jobs
from issuers.award_tables import Award
from issuers.batch_runner import BatchRunner
from issuers.batches import batch_progress
from tests.issuers.award_support import (
    NOW,
    Awarding,
    awarding_fixture,  # noqa: F401  (fixture)
)
from tests.issuers.test_batches import _submit, cohort


def _runner(awarding: Awarding) -> BatchRunner:
    return BatchRunner(
        sessions=awarding.session,
        contexts=lambda session, _institution, _program: awarding.context(session),
        clock=lambda: NOW,
    )


def test_a_batch_runs_where_the_database_says(
    awarding: Awarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_id = _submit(awarding, cohort(12))
    assert batch_id is not None
    if batch_jobs.uses_workers(awarding.engine):
        app = batch_jobs.create_job_app(awarding.database_url, lambda: _runner(awarding))
        monkeypatch.setattr(batch_jobs, "LINES_PER_JOB", 5)
        assert batch_jobs.enqueue_batch(app, awarding.engine, batch_id) == 3
        app.run_worker(wait=False, queues=[batch_jobs.QUEUE], install_signal_handlers=False)
    else:
        thread = batch_jobs.start_in_thread(_runner(awarding), batch_id)
        thread.join(60)
    with awarding.session() as session:
        assert batch_progress(session, batch_id).state == "completed"
        assert session.exec(select(func.count()).select_from(Award)).one() == 12


def test_unfinished_batches_resume_at_start_up(awarding: Awarding) -> None:
    batch_id = _submit(awarding, cohort(4))
    assert batch_id is not None
    if batch_jobs.uses_workers(awarding.engine):
        app = batch_jobs.create_job_app(awarding.database_url, lambda: _runner(awarding))
        # Two workers starting: the batch left without a job is queued once, not twice.
        for _ in range(2):
            batch_jobs.recover_at_start(app, awarding.engine, batch_jobs.STALLED_AFTER_SECONDS)
        with app.open():
            waiting = app.job_manager.list_jobs(queue=batch_jobs.QUEUE, task=batch_jobs.TASK_NAME)
        assert [job.task_kwargs["batch_id"] for job in waiting] == [batch_id]
        app.run_worker(wait=False, queues=[batch_jobs.QUEUE], install_signal_handlers=False)
    else:
        for thread in batch_jobs.resume_in_threads(awarding.engine, _runner(awarding)):
            thread.join(60)
    with awarding.session() as session:
        assert batch_progress(session, batch_id).state == "completed"
