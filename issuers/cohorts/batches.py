"""Cohort batches: validate everything, store the rows; ``issuers.cohorts.runner`` issues them.

Guarantees (issue #3, "Awarding" and "Bad input"):
- A file with any bad row stores nothing and issues nothing (``submit_batch`` validates first),
  and a dry run stores nothing at all.
- Two passes over the file keep memory flat whatever the cohort's size.
- Idempotent on the external id: the award table is unique on (institution, program,
  external_id), so a row whose learner already has the award is marked ``existing``, never
  issued twice, whether the file was submitted again or two workers raced for the row.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from credentials import InvalidInput, NotFound
from issuers.audit import log as audit
from issuers.awards.service import AwardRequest, Learner
from issuers.awards.tables import Batch, BatchRow, BatchState, RowState
from issuers.cohorts.cohort_file import CohortReport, validated_requests
from issuers.tables import Institution, Program

INSERT_CHUNK = 1_000


@dataclass(frozen=True)
class Submission:
    report: CohortReport
    batch: Batch | None


@dataclass(frozen=True)
class Progress:
    total: int
    issued: int
    existing: int
    state: str

    @property
    def done(self) -> int:
        return self.issued + self.existing


def submit_batch(
    session: Session,
    institution: Institution,
    program: Program,
    data: bytes,
    filename: str,
    *,
    actor: str,
    now: datetime,
    dry_run: bool = False,
) -> Submission:
    """Validate the cohort; unless it is a dry run or has errors, store it as a queued batch.

    Two passes over the file keep memory flat: the first only validates, the second stores.
    """
    if program.institution_id != institution.id or institution.id is None or program.id is None:
        raise NotFound(f"program {program.slug!r} is not one of {institution.slug!r}'s programs")
    report = CohortReport()
    for _ in validated_requests(data, filename, program.slug, now, report):
        pass
    if dry_run or not report.valid:
        return Submission(report, None)
    if report.row_count == 0:
        raise InvalidInput("the file has no learners")
    batch = Batch(
        id=str(uuid.uuid4()),
        institution_id=institution.id,
        program_id=program.id,
        filename=filename[:300],
        total_rows=report.row_count,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    session.add(batch)
    session.flush()
    stored = CohortReport()
    chunk: list[dict[str, Any]] = []
    for line, request in validated_requests(data, filename, program.slug, now, stored):
        chunk.append(_batch_row(batch.id, line, request))
        if len(chunk) == INSERT_CHUNK:
            _insert_rows(session, chunk)
            chunk = []
    _insert_rows(session, chunk)
    audit.record(
        session,
        institution_id=institution.id,
        actor=actor,
        action=audit.AuditAction.BATCH_SUBMITTED,
        reason=f"{filename}: {report.row_count} learners for {program.slug}",
        now=now,
    )
    return Submission(report, batch)


def _insert_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """One multi-row INSERT of a chunk of rows: Core, no ORM object per learner (a cohort of
    100,000 rows spent more time building and flushing ``BatchRow`` objects than validating)."""
    if rows:
        session.connection().execute(insert(BatchRow.__table__), rows)  # type: ignore[attr-defined]


def _batch_row(batch_id: str, line: int, request: AwardRequest) -> dict[str, Any]:
    learner = {
        "name": request.learner.name,
        "email": request.learner.email,
        "did": request.learner.did,
        "result": request.result,
        "evidence": list(request.evidence),
        "awarded_on": request.awarded_on.isoformat() if request.awarded_on else None,
        "valid_until": request.valid_until.isoformat() if request.valid_until else None,
        "language": request.language,
    }
    return {
        "batch_id": batch_id,
        "line_number": line,
        "external_id": request.external_id or "",
        "learner": learner,
        "state": RowState.PENDING.value,
    }


def request_of(external_id: str, data: Mapping[str, Any]) -> AwardRequest:
    """The award request a stored row (``_batch_row``'s ``learner`` values) stands for."""

    def moment(value: object) -> datetime | None:
        return datetime.fromisoformat(str(value)) if value else None

    return AwardRequest(
        learner=Learner(data["name"], data["email"], data.get("did")),
        result=data.get("result"),
        evidence=tuple(data.get("evidence") or ()),
        awarded_on=moment(data.get("awarded_on")),
        valid_until=moment(data.get("valid_until")),
        external_id=external_id,
        language=data.get("language"),
    )


def batch_progress(session: Session, batch_id: str) -> Progress:
    batch = session.get(Batch, batch_id)
    if batch is None:
        raise NotFound(f"no batch {batch_id!r}")
    counts = dict(
        session.exec(
            select(BatchRow.state, func.count())
            .where(BatchRow.batch_id == batch_id)
            .group_by(col(BatchRow.state))
        ).all()
    )
    return Progress(
        batch.total_rows,
        counts.get(RowState.ISSUED, 0),
        counts.get(RowState.EXISTING, 0),
        batch.state,
    )


def pending_count(session: Session, batch_id: str, lines: tuple[int, int] | None) -> int:
    """How many rows of the batch (or of its ``lines``) are still to be issued."""
    statement = select(func.count()).where(
        BatchRow.batch_id == batch_id, BatchRow.state == RowState.PENDING
    )
    if lines is not None:
        statement = statement.where(col(BatchRow.line_number).between(*lines))
    return int(session.exec(statement).one())


def has_pending(session: Session, batch_id: str) -> bool:
    """Whether any row of the batch is still to be issued (stops at the first one found)."""
    statement = (
        select(BatchRow.id)
        .where(BatchRow.batch_id == batch_id, BatchRow.state == RowState.PENDING)
        .limit(1)
    )
    return session.exec(statement).first() is not None


def unfinished_batches(session: Session) -> list[str]:
    """Batches with rows still pending (after a crash or restart), oldest first."""
    statement = (
        select(Batch.id)
        .where(col(Batch.state).in_([BatchState.QUEUED.value, BatchState.RUNNING.value]))
        .order_by(col(Batch.created_at))
    )
    return list(session.exec(statement).all())
