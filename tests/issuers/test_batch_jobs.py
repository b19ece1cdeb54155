"""Batches run in a thread on SQLite and on procrastinate workers on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import func, select

from issuers.awards.tables import AuditEvent, Award
from issuers.cohorts import jobs as batch_jobs
from issuers.cohorts import runner as batch_runner
from issuers.cohorts.batches import batch_progress
from issuers.cohorts.runner import BatchInterrupted, BatchRunner
from tests.issuers.award_support import (
    NOW,
    Awarding,
    awarding_fixture,  # noqa: F401  (fixture)
)
from tests.issuers.test_batches import FlakyDatabase, _submit, cohort


def _runner(awarding: Awarding, sessions: object = None) -> BatchRunner:
    return BatchRunner(
        sessions=sessions or awarding.session,  # type: ignore[arg-type]
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


def test_a_job_waits_out_an_outage_and_issues_every_row_once(
    awarding: Awarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_runner, "GROUP_SIZE", 3)
    batch_id = _submit(awarding, cohort(10))
    assert batch_id is not None
    (lines,) = batch_jobs.line_blocks(awarding.engine, batch_id)
    # Commits 4 to 6 fail (the second group of rows, then twice as the job starts again): the
    # database is away for a while.
    runner = _runner(awarding, FlakyDatabase(awarding, fail_at=4, back_at=7))
    pauses: list[float] = []
    batch_jobs.run_through_outages(runner, batch_id, lines, sleep=pauses.append)
    assert pauses == [1.0, 2.0, 4.0]
    with awarding.session() as session:
        awards = session.exec(select(Award)).all()
        assert batch_progress(session, batch_id).state == "completed"
        actions = sorted(session.exec(select(AuditEvent.action)).all())
    assert len(awards) == 10
    assert len({award.external_id for award in awards}) == 10
    assert len({(award.status_list_id, award.status_index) for award in awards}) == 10
    assert actions == ["batch_completed", "batch_submitted"]


def test_a_job_gives_up_when_the_outage_outlasts_its_patience(
    awarding: Awarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_runner, "GROUP_SIZE", 3)
    batch_id = _submit(awarding, cohort(4))
    assert batch_id is not None
    (lines,) = batch_jobs.line_blocks(awarding.engine, batch_id)
    runner = _runner(awarding, FlakyDatabase(awarding, fail_at=4))
    pauses: list[float] = []
    with pytest.raises(BatchInterrupted):
        batch_jobs.run_through_outages(runner, batch_id, lines, patience=5, sleep=pauses.append)
    assert pauses == [1.0, 2.0, 4.0]
    with awarding.session() as session:
        assert batch_progress(session, batch_id).state == "running"
