"""Batches run in a thread on SQLite and on procrastinate workers on PostgreSQL."""

from __future__ import annotations

import threading
from typing import cast

import pytest
from procrastinate import App
from sqlmodel import func, select

from issuers.awards.status_lists import permuted_index
from issuers.awards.tables import AuditEvent, Award, StatusList
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


class _CutThreeTimes:
    """A runner whose database is cut three times, each after the rows of a block were issued."""

    def __init__(self) -> None:
        self.cuts = 3

    def run(self, batch_id: str, *, lines: tuple[int, int]) -> int:
        if self.cuts:
            self.cuts -= 1
            raise BatchInterrupted("cut", rows_done=25)
        return 25


def test_each_outage_after_progress_starts_a_new_short_wait() -> None:
    """Three cuts between which the database was back are three outages of one second each,
    not one long outage whose pauses double (a cohort cut three times finished late)."""
    pauses: list[float] = []
    runner = cast(BatchRunner, _CutThreeTimes())
    batch_jobs.run_through_outages(runner, "b", (1, 500), patience=5, sleep=pauses.append)
    assert pauses == [1.0, 1.0, 1.0]


def _issue_in_two_workers(awarding: Awarding, batch_id: str, ran: dict[str, int]) -> None:
    """Two procrastinate workers share the batch's chunk jobs, each with its own app, connection
    and event loop. A barrier holds each worker's first job until the other has one too, so both
    really run at once."""
    both_started = threading.Barrier(2, timeout=60)

    def app_of(worker: str) -> App:
        def runner() -> BatchRunner:
            ran[worker] += 1
            if ran[worker] == 1:
                both_started.wait()
            return _runner(awarding)

        return batch_jobs.create_job_app(awarding.database_url, runner)

    apps = [app_of(worker) for worker in ran]
    assert batch_jobs.enqueue_batch(apps[0], awarding.engine, batch_id) == 6
    options = {"wait": False, "queues": [batch_jobs.QUEUE], "concurrency": 1}
    threads = [
        threading.Thread(
            target=app.run_worker, kwargs={**options, "install_signal_handlers": False}
        )
        for app in apps
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


def _issue_in_two_runners(awarding: Awarding, batch_id: str, ran: dict[str, int]) -> None:
    """SQLite has one process by design: two runners take the same chunks in turn."""
    for position, lines in enumerate(batch_jobs.line_blocks(awarding.engine, batch_id)):
        worker = list(ran)[position % 2]
        ran[worker] += 1
        _runner(awarding).run(batch_id, lines=lines)


def test_two_workers_share_a_batch_in_chunks_with_no_double_and_no_gap(
    awarding: Awarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_jobs, "LINES_PER_JOB", 5)
    monkeypatch.setattr(batch_runner, "GROUP_SIZE", 2)
    batch_id = _submit(awarding, cohort(28))
    assert batch_id is not None
    assert len(batch_jobs.line_blocks(awarding.engine, batch_id)) == 6
    ran = {"a": 0, "b": 0}
    if batch_jobs.uses_workers(awarding.engine):
        _issue_in_two_workers(awarding, batch_id, ran)
    else:
        _issue_in_two_runners(awarding, batch_id, ran)
    assert ran["a"] >= 1 and ran["b"] >= 1 and ran["a"] + ran["b"] == 6
    with awarding.session() as session:
        stored = session.exec(select(Award)).all()
        progress = batch_progress(session, batch_id)
        lists = session.exec(select(StatusList)).all()
        actions = sorted(session.exec(select(AuditEvent.action)).all())
    assert (progress.state, progress.issued, progress.existing) == ("completed", 28, 0)
    assert sorted(award.external_id or "" for award in stored) == sorted(
        f"S-{n}" for n in range(1, 29)
    )
    # No gap: each list's indexes are exactly the first positions of its permutation (two
    # workers starting at once may each open a list; issuers.awards.status_lists).
    assert sum(status_list.allocated for status_list in lists) == 28
    for status_list in lists:
        key = bytes.fromhex(status_list.permutation_key)
        used = [award.status_index for award in stored if award.status_list_id == status_list.id]
        assert sorted(used) == sorted(
            permuted_index(key, position) for position in range(status_list.allocated)
        )
    assert actions == ["batch_completed", "batch_submitted"]
