"""Cohorts: validate every row first, issue each row once, survive an outage mid-batch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, func, select

from issuers.awards import service as awards_module
from issuers.awards.tables import Award, Batch, BatchRow
from issuers.cohorts import batch_store
from issuers.cohorts import cohort_file as cohort_csv
from issuers.cohorts import runner as batch_runner
from issuers.cohorts.batches import batch_progress, submit_batch
from issuers.cohorts.cohort_file import validate_cohort
from issuers.cohorts.runner import BatchInterrupted, BatchRunner
from issuers.tables import Institution, Program
from tests.issuers.award_support import (
    NOW,
    Awarding,
    awarding_fixture,  # noqa: F401  (fixture)
)

HEADER = "external_id,name,email,result,awarded_on\n"


def cohort(count: int, start: int = 1) -> bytes:
    lines = [
        f"S-{n},Amélie Côté {n},learner{n}@example.ca,A,2025-06-0{1 + n % 9}\n"
        for n in range(start, start + count)
    ]
    return (HEADER + "".join(lines)).encode()


def errors_of(data: bytes, filename: str = "cohort.csv") -> list[str]:
    return [str(error) for error in validate_cohort(data, filename, "welding", NOW).errors]


def test_a_good_file_with_a_bom_keeps_its_accents() -> None:
    report = validate_cohort(b"\xef\xbb\xbf" + cohort(3), "cohort.csv", "welding", NOW)
    assert (report.row_count, report.errors) == (3, [])


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"id,name,email\n1,A,a@example.ca\n", "line 1: unknown column(s) id"),
        (b"external_id,name\n1,A\n", "line 1: missing required column(s) email"),
        (
            "external_id,name,email\nS-1,Amélie,a@example.ca\nS-2,Côté,b@example.ca\n".encode(
                "latin-1"
            ),
            "line 2: the file is not UTF-8 (byte 0xE9)",
        ),
        (b"external_id,name,email\nS-1,A\n", "line 2: 2 cells where the header has 3"),
        (b"", "line 1: the file is empty"),
    ],
)
def test_unreadable_files_are_refused_with_the_line(data: bytes, expected: str) -> None:
    [error] = errors_of(data)
    assert expected in error


def test_each_bad_row_is_reported_with_line_column_and_reason() -> None:
    data = (
        b"external_id,name,email,awarded_on,valid_until,program\n"
        b"S-1,Ann,ann@example.ca,2025-01-01,,welding\n"
        b"S-1,Bob,bob@example.ca,,,\n"
        b"S-3,Cy,ann@example.ca,,,\n"
        b"S-4,Di,not-an-email,,,\n"
        b"S-5,Ed,ed@example.ca,2031-01-01,,\n"
        b"S-6,Flo,flo@example.ca,,1999-01-01,\n"
        b"S-7,Gus,gus@example.ca,01/02/2025,,\n"
        b"S-8,,hal@example.ca,,,plumbing\n"
    )
    assert errors_of(data) == [
        "line 3, column external_id: duplicate of line 2",
        "line 4, column email: duplicate of line 2",
        "line 5, column email: 'not-an-email' is not an email address",
        "line 6, column awarded_on: 2031-01-01 is out of range (1950-01-01 to today)",
        "line 7, column valid_until: 1999-01-01 is out of range (after today, before 2125-08-08)",
        "line 8, column awarded_on: '01/02/2025' is not a date (YYYY-MM-DD)",
        "line 9, column name: is required",
        "line 9, column program: unknown program 'plumbing' for this upload",
    ]


def test_json_cohorts_are_read_like_csv() -> None:
    learners = [{"external_id": "S-1", "name": "Zoë", "email": "zoe@example.ca"}, ["no"]]
    assert errors_of(json.dumps(learners).encode(), "cohort.json") == [
        "line 0: item 2: each learner must be a JSON object"
    ]
    good = {"learners": learners[:1]}
    assert errors_of(json.dumps(good).encode(), "cohort.json") == []


def test_oversized_uploads_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cohort_csv, "MAX_UPLOAD_BYTES", 100)
    assert "the limit is 100" in errors_of(cohort(5))[0]
    monkeypatch.setattr(cohort_csv, "MAX_UPLOAD_BYTES", 10**6)
    monkeypatch.setattr(cohort_csv, "MAX_ROWS", 3)
    assert errors_of(cohort(5))[-1] == "line 0: the file has more than 3 rows"


def _submit(awarding: Awarding, data: bytes, *, dry_run: bool = False) -> str | None:
    with awarding.session() as session:
        institution = session.get(Institution, awarding.institution_id)
        program = session.get(Program, awarding.program_id)
        assert institution is not None and program is not None
        submission = submit_batch(
            session,
            institution,
            program,
            data,
            "cohort.csv",
            actor="registrar",
            now=NOW,
            dry_run=dry_run,
        )
        session.commit()
        return submission.batch.id if submission.batch else None


def _runner(awarding: Awarding, sessions: object = None) -> BatchRunner:
    return BatchRunner(
        sessions=sessions or awarding.session,  # type: ignore[arg-type]
        contexts=lambda session, _institution, _program: awarding.context(session),
        clock=lambda: NOW,
    )


def _count(awarding: Awarding, model: type[Award] | type[BatchRow]) -> int:
    with awarding.session() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_bad_rows_or_a_dry_run_store_nothing(awarding: Awarding) -> None:
    bad = cohort(3) + b"S-9,Bad,not-an-email,A,2025-06-01\n"
    assert _submit(awarding, bad) is None
    assert _submit(awarding, cohort(3), dry_run=True) is None
    assert (_count(awarding, BatchRow), _count(awarding, Award)) == (0, 0)


def test_a_cohort_is_issued_once_even_when_submitted_twice(awarding: Awarding) -> None:
    first = _submit(awarding, cohort(5))
    assert first is not None
    assert _runner(awarding).run(first) == 5
    second = _submit(awarding, cohort(7))
    assert second is not None
    assert _runner(awarding).run(second) == 7
    with awarding.session() as session:
        progress = batch_progress(session, second)
        assert (progress.issued, progress.existing, progress.state) == (2, 5, "completed")
        external_ids = session.exec(select(Award.external_id)).all()
    assert sorted(str(item) for item in external_ids) == sorted(f"S-{n}" for n in range(1, 8))


class FlakyDatabase:
    """Sessions whose commits fail from the ``fail_at``-th on: the database went away (and,
    with ``back_at``, came back at that commit)."""

    def __init__(self, awarding: Awarding, fail_at: int, back_at: int | None = None) -> None:
        self.awarding, self.fail_at, self.back_at, self.commits = awarding, fail_at, back_at, 0

    @contextmanager
    def __call__(self) -> Iterator[Session]:
        with self.awarding.session() as session:
            original = session.commit

            def commit() -> None:
                self.commits += 1
                if self.fail_at <= self.commits < (self.back_at or self.commits + 1):
                    raise OperationalError("COMMIT", {}, Exception("server closed the connection"))
                original()

            session.commit = commit  # type: ignore[method-assign]
            yield session


def test_an_outage_mid_batch_stops_cleanly_and_resumes(
    awarding: Awarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batch_runner, "GROUP_SIZE", 3)
    batch_id = _submit(awarding, cohort(10))
    assert batch_id is not None
    # Commits: the batch marked running, the status entries, then one per group of 3; the
    # third group's commit fails.
    with pytest.raises(BatchInterrupted):
        _runner(awarding, FlakyDatabase(awarding, fail_at=5)).run(batch_id)
    interrupted = _count(awarding, Award)
    assert interrupted == 6
    with awarding.session() as session:
        assert batch_progress(session, batch_id).issued == interrupted
        assert session.get(Batch, batch_id).state == "running"  # type: ignore[union-attr]
    _runner(awarding).run(batch_id)
    with awarding.session() as session:
        awards = session.exec(select(Award)).all()
        assert batch_progress(session, batch_id).state == "completed"
    assert len(awards) == 10
    assert len({award.external_id for award in awards}) == 10
    assert len({(award.status_list_id, award.status_index) for award in awards}) == 10
    assert all(award.ldp_credential and award.jwt_credential for award in awards)


def test_a_group_that_collides_with_another_worker_settles_row_by_row(
    awarding: Awarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker stored S-2's award after this group looked for it: nothing is doubled."""
    earlier = _submit(awarding, cohort(1, start=2))
    assert earlier is not None
    _runner(awarding).run(earlier)
    monkeypatch.setattr(awards_module, "award_ids_by_external_id", lambda *_args: {})
    batch_id = _submit(awarding, cohort(4))
    assert batch_id is not None
    assert _runner(awarding).run(batch_id) == 4
    with awarding.session() as session:
        progress = batch_progress(session, batch_id)
        stored = session.exec(select(Award.external_id)).all()
        s2 = session.exec(select(BatchRow).where(BatchRow.external_id == "S-2")).all()
    assert (progress.issued, progress.existing, progress.state) == (3, 1, "completed")
    assert sorted(str(item) for item in stored) == ["S-1", "S-2", "S-3", "S-4"]
    assert {row.state for row in s2} == {"issued", "existing"}


def test_the_runner_logs_start_progress_interruption_and_end(
    awarding: Awarding, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Issue 20, problem 5: the worker logged almost nothing about the batches it ran.
    monkeypatch.setattr(batch_runner, "GROUP_SIZE", 3)
    batch_id = _submit(awarding, cohort(7))
    assert batch_id is not None
    caplog.set_level("INFO", logger="issuers.batches")
    with pytest.raises(BatchInterrupted):
        _runner(awarding, FlakyDatabase(awarding, fail_at=5)).run(batch_id)
    _runner(awarding).run(batch_id)
    records = [r for r in caplog.records if r.name == "issuers.batches"]
    lines = [r.getMessage() for r in records]
    # A block holds several groups: the 6 rows committed before the outage are not yet counted
    # by the interrupted run; the resumed run issues the last one.
    assert lines[:2] == [
        f"batch {batch_id}: start (all pending rows)",
        f"batch {batch_id} interrupted after 0 rows: OperationalError",
    ]
    assert f"batch {batch_id}: 1 rows done" in lines
    assert (
        lines[-1] == f"batch {batch_id}: end (all pending rows): 1 rows done; the batch is complete"
    )
    assert all(getattr(r, "batch_id", None) == batch_id for r in records)


def test_award_statistics_are_refreshed_once_the_table_outgrows_them(
    awarding: Awarding, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 19: stale statistics made PostgreSQL read a program's every award in each group."""
    batch_id = _submit(awarding, cohort(3))
    assert batch_id is not None
    _runner(awarding).run(batch_id)
    monkeypatch.setattr(batch_store, "STATISTICS_SLACK", 0)
    postgresql = awarding.engine.dialect.name == "postgresql"
    with awarding.session() as session:
        if postgresql:
            # The runner's connection (the pool's only one) publishes its counts now, not in 1 s.
            session.connection().execute(text("SELECT pg_stat_force_next_flush()"))
            session.commit()
        assert batch_store.refresh_award_statistics(session) is postgresql
        session.commit()
        # Counted now: three awards are not more than twice what the planner knows.
        assert batch_store.refresh_award_statistics(session) is False
        if postgresql:
            known = session.connection().execute(
                text("SELECT reltuples FROM pg_class WHERE oid = 'award'::regclass")
            )
            assert known.scalar() == 3
