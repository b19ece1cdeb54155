"""Issuing a stored batch's pending rows: one runner per process (thread, CLI or worker).

Guarantees (issue #3, "Awarding" and "Bad input"; issue #8, "Faults"):
- Rows are issued in groups of ``GROUP_SIZE``, one transaction per group: each award is stored
  with its status entry and its signed copies, and its row is marked issued, in that same
  transaction. A crash or a database outage loses at most the group in flight (rolled back:
  nothing of it stays), and a rerun picks up exactly the pending rows. One transaction per
  group rather than per row divides the round trips and commits by the group size.
- Rows are claimed with ``SELECT ... FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite has one
  writer), so any number of workers can share a batch. A group that collides with an award
  another worker stored meanwhile is rolled back and settled row by row (``existing``).
- Commits of row transactions are not waited for on disk (PostgreSQL ``synchronous_commit =
  off`` for that transaction; SQLite ``synchronous = NORMAL`` in WAL mode while a block runs).
  This is safe here and only here: a commit lost in a power failure leaves its rows pending
  and their awards unstored together, so the rows are simply issued on the next run. Waiting
  for one fsync per group would otherwise bound a cohort at the disk's fsync rate.
- Status entries are reserved a block at a time in a short transaction of their own, so workers
  do not queue on the status list's counter while they sign; a crash leaves unused entries as
  holes (bits that stay 0), never a credential without an entry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, col, update

from credentials import NotFound, PassportError
from issuers.audit import log as audit
from issuers.awards import mail as award_mail
from issuers.awards import service as awards
from issuers.awards import status_lists
from issuers.awards.service import IssuingContext
from issuers.awards.tables import Award, Batch, BatchState, RowState
from issuers.cohorts import batch_store
from issuers.cohorts.batches import batch_progress, has_pending, pending_count, request_of
from issuers.tables import Institution, Program

logger = logging.getLogger("issuers.batches")
RESERVE_BLOCK = 200
# Rows issued per transaction: fewer round trips and commits, and a crash loses one group.
GROUP_SIZE = 25

Clock = Callable[[], datetime]
SessionFactory = Callable[[], Session]
ContextFactory = Callable[[Session, Institution, Program], IssuingContext]
ProgressCallback = Callable[[int], None]


class BatchInterrupted(PassportError):
    """The database failed mid-batch; the batch stops cleanly and resumes from its pending rows."""

    code = "batch_interrupted"
    status = 503

    def __init__(self, message: str, *, rows_done: int = 0) -> None:
        super().__init__(message)
        self.rows_done = rows_done  # issued by the interrupted run before the database failed


@dataclass
class BatchRunner:
    """Issues the pending rows of a batch; one runner per process (thread, CLI or worker)."""

    sessions: SessionFactory
    contexts: ContextFactory
    clock: Clock
    # Set: queue each issued learner's award email (and the completion email) with its group.
    mail_base_url: str | None = None

    def run(
        self,
        batch_id: str,
        *,
        lines: tuple[int, int] | None = None,
        progress: ProgressCallback | None = None,
    ) -> int:
        """Issue pending rows (all, or those in ``lines``); returns how many rows were done.

        A database failure raises ``BatchInterrupted`` after rolling back the row in flight.
        """
        done = 0
        scope = "all pending rows" if lines is None else f"lines {lines[0]}-{lines[1]}"
        logger.info("batch %s: start (%s)", batch_id, scope, extra={"batch_id": batch_id})
        try:
            self._mark(batch_id, BatchState.RUNNING)
            while True:
                count = self._run_block(batch_id, lines, progress)
                if count == 0:
                    break
                done += count
                logger.info(
                    "batch %s: %d rows done",
                    batch_id,
                    done,
                    extra={"batch_id": batch_id, "done": done},
                )
            completed = self._finish_if_complete(batch_id)
        except DBAPIError as error:
            logger.warning(
                "batch %s interrupted after %d rows: %s",
                batch_id,
                done,
                type(error).__name__,
                extra={"batch_id": batch_id, "done": done},
            )
            raise BatchInterrupted(
                f"the database failed during batch {batch_id}; it resumes from its pending rows",
                rows_done=done,
            ) from None
        logger.info(
            "batch %s: end (%s): %d rows done%s",
            batch_id,
            scope,
            done,
            "; the batch is complete" if completed else "",
            extra={"batch_id": batch_id, "done": done},
        )
        return done

    def _run_block(
        self, batch_id: str, lines: tuple[int, int] | None, progress: ProgressCallback | None
    ) -> int:
        with self.sessions() as session:
            batch = session.get(Batch, batch_id)
            if batch is None:
                raise NotFound(f"no batch {batch_id!r}")
            institution = session.get(Institution, batch.institution_id)
            program = session.get(Program, batch.program_id)
            if institution is None or program is None:
                raise NotFound(f"batch {batch_id} names a program that no longer exists")
            context = self.contexts(session, institution, program)
            if session.get_bind().dialect.name == "sqlite":
                session.connection().execute(text("PRAGMA synchronous = NORMAL"))
            pending = pending_count(session, batch_id, lines)
            if pending == 0:
                return 0
            batch_store.refresh_award_statistics(session)
            slots = status_lists.allocate(
                session, institution, context.purpose, min(pending, RESERVE_BLOCK), self.clock()
            )
            session.commit()
            done = 0
            for start in range(0, len(slots), GROUP_SIZE):
                count = self._issue_group(
                    session, context, batch_id, lines, slots[start : start + GROUP_SIZE]
                )
                if count == 0:
                    break
                done += count
                if progress is not None:
                    progress(count)
            return done

    def _issue_group(
        self,
        session: Session,
        context: IssuingContext,
        batch_id: str,
        lines: tuple[int, int] | None,
        slots: list[status_lists.StatusSlot],
    ) -> int:
        """Claim up to one row per slot and issue them in ONE transaction; 0 when none is left.

        If another worker stored one of these learners' awards meanwhile (a unique-constraint
        failure), the group is rolled back and its rows are settled one transaction each.
        """
        rows = batch_store.claim_rows(session, batch_id, lines, len(slots))
        if not rows:
            session.rollback()
            return 0
        try:
            self._settle(session, context, batch_id, rows, slots)
        except IntegrityError:
            session.rollback()
            for row, slot in zip(rows, slots, strict=False):
                self._settle_alone(session, context, batch_id, row.id, slot)
        return len(rows)

    def _settle(
        self,
        session: Session,
        context: IssuingContext,
        batch_id: str,
        rows: list[batch_store.ClaimedRow],
        slots: list[status_lists.StatusSlot],
    ) -> None:
        """Issue each row's award (or record the one its learner already has) and commit."""
        if session.get_bind().dialect.name == "postgresql":
            session.connection().execute(text("SET LOCAL synchronous_commit = off"))
        existing = awards.award_ids_by_external_id(
            session,
            context.institution.id or 0,
            context.program.id or 0,
            [row.external_id for row in rows],
        )
        now = self.clock()
        issued: list[tuple[dict[str, Any], str | None]] = []
        settled: list[batch_store.SettledRow] = []
        for row, slot in zip(rows, slots, strict=False):
            award_id = existing.get(row.external_id)
            if award_id is None:
                request = request_of(row.external_id, row.learner)
                values = awards.award_values(context, request, now, slot, batch_id=batch_id)
                issued.append((values, request.language))
                settled.append(batch_store.SettledRow(row.id, RowState.ISSUED, values["id"]))
            else:
                settled.append(batch_store.SettledRow(row.id, RowState.EXISTING, award_id))
        batch_store.insert_awards(session, [values for values, _ in issued])
        batch_store.mark_rows(session, settled)
        if self.mail_base_url is not None:
            for values, language in issued:
                award_mail.queue_award_mail(
                    session,
                    Award(**values),
                    context.institution,
                    context.program,
                    self.mail_base_url,
                    language,
                    now,
                )
        session.commit()

    def _settle_alone(
        self,
        session: Session,
        context: IssuingContext,
        batch_id: str,
        row_id: int,
        slot: status_lists.StatusSlot,
    ) -> None:
        """One row of a group that collided, in a transaction of its own."""
        row = batch_store.claim_row(session, row_id)
        if row is None:
            session.rollback()
            return
        try:
            self._settle(session, context, batch_id, [row], [slot])
        except IntegrityError:
            # Another worker issued this learner's award between our check and our insert.
            session.rollback()
            self._mark_existing(session, row_id, context, row.external_id)

    @staticmethod
    def _mark_existing(
        session: Session, row_id: int, context: IssuingContext, external_id: str
    ) -> None:
        award = awards.find_award(
            session, context.institution.id or 0, context.program.id or 0, external_id
        )
        settled = batch_store.SettledRow(row_id, RowState.EXISTING, award.id if award else None)
        batch_store.mark_rows(session, [settled])
        session.commit()

    def _mark(self, batch_id: str, state: BatchState) -> None:
        with self.sessions() as session:
            session.exec(
                update(Batch)
                .where(col(Batch.id) == batch_id, col(Batch.state) != BatchState.COMPLETED)
                .values(state=state.value, updated_at=self.clock())
            )
            session.commit()

    def _finish_if_complete(self, batch_id: str) -> bool:
        """Complete (and audit) the batch when no row is pending; True if this call did."""
        with self.sessions() as session:
            if has_pending(session, batch_id):
                return False
            progress = batch_progress(session, batch_id)
            # Locked (PostgreSQL): of two runners finishing together, one completes and audits.
            batch = session.get(Batch, batch_id, with_for_update=True)
            if batch is None or batch.state == BatchState.COMPLETED:
                return False
            batch.state = BatchState.COMPLETED.value
            batch.issued_rows, batch.existing_rows = progress.issued, progress.existing
            batch.updated_at = self.clock()
            session.add(batch)
            audit.record(
                session,
                institution_id=batch.institution_id,
                actor="batch-runner",
                action=audit.AuditAction.BATCH_COMPLETED,
                reason=f"batch {batch.id}: {progress.issued} issued, {progress.existing} existing",
                now=self.clock(),
            )
            institution = session.get(Institution, batch.institution_id)
            if self.mail_base_url is not None and institution is not None:
                award_mail.queue_batch_mail(
                    session, batch, institution, self.mail_base_url, self.clock()
                )
            session.commit()
        return True
