"""A batch's progress as the console's pages and the API show it, scoped to one institution
(another institution's batch is "not found")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from credentials import NotFound
from issuers.awards.tables import Batch, BatchState
from issuers.cohorts.batches import batch_progress
from issuers.tables import Institution

RECENT_BATCHES = 10


@dataclass(frozen=True)
class BatchStatus:
    """A batch's counts as the progress page shows them.

    Rows are never issued partly: a row is done (issued now, or already issued by an earlier
    upload of the same external id), or pending; a batch that stopped for good leaves its
    pending rows failed.
    """

    batch: Batch
    issued: int
    existing: int

    @property
    def done(self) -> int:
        return self.issued + self.existing

    @property
    def pending(self) -> int:
        return 0 if self.failed_state else self.batch.total_rows - self.done

    @property
    def failed(self) -> int:
        return self.batch.total_rows - self.done if self.failed_state else 0

    @property
    def failed_state(self) -> bool:
        return self.batch.state == BatchState.FAILED

    @property
    def finished(self) -> bool:
        return self.batch.state in (BatchState.COMPLETED, BatchState.FAILED)


def get_batch(session: Session, institution: Institution, batch_id: str) -> Batch:
    """The institution's batch; another institution's batch is "not found"."""
    batch = session.get(Batch, batch_id)
    if batch is None or batch.institution_id != institution.id:
        raise NotFound(f"no batch {batch_id!r}")
    return batch


def batch_status(session: Session, institution: Institution, batch_id: str) -> BatchStatus:
    batch = get_batch(session, institution, batch_id)
    progress = batch_progress(session, batch_id)
    return BatchStatus(batch, progress.issued, progress.existing)


def recent_batches(session: Session, institution: Institution) -> list[Batch]:
    statement = (
        select(Batch)
        .where(Batch.institution_id == institution.id)
        .order_by(col(Batch.created_at).desc())
        .limit(RECENT_BATCHES)
    )
    return list(session.exec(statement).all())
