"""The database side of issuing a group of a batch's rows, in Core statements.

A cohort group touches three tables: its rows are claimed (``batch_row``), its awards inserted
(``award``) and its rows marked issued or existing (``batch_row`` again). Through ORM objects
that cost more than the database work itself: building one ``Award`` model ran pydantic-style
attribute instrumentation for every column, and the unit of work tracked each object and each
row's change (a profile of 2,000 rows: 0.56 s to construct the awards, 0.5 s in flushes, beside
2.9 s of signing; docs/performance.md). Here a group is one ``SELECT ... FOR UPDATE SKIP
LOCKED`` returning plain tuples, one multi-row ``INSERT`` of plain dictionaries, and one
executemany ``UPDATE``: the same statements, the same transaction, nothing kept in the session.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, insert, select, update
from sqlmodel import Session

from issuers.awards.tables import Award, BatchRow, RowState

_ROWS = BatchRow.__table__  # type: ignore[attr-defined]
_AWARDS = Award.__table__  # type: ignore[attr-defined]
# Awards inserted by ``insert_awards`` in the session's current transaction.
INSERTED_AWARDS = "issuers.cohorts.batch_store.inserted_awards"


@dataclass(frozen=True)
class ClaimedRow:
    """A pending row of a batch, locked by this transaction until it commits."""

    id: int
    external_id: str
    learner: Mapping[str, Any]


@dataclass(frozen=True)
class SettledRow:
    """What became of a claimed row: ``issued`` or ``existing``, and the award it points to."""

    id: int
    state: RowState
    award_id: str | None


def claim_rows(
    session: Session, batch_id: str, lines: tuple[int, int] | None, limit: int
) -> list[ClaimedRow]:
    """Lock up to ``limit`` pending rows of the batch (of ``lines``, if given), in line order,
    skipping rows another worker holds (PostgreSQL; SQLite has one writer)."""
    statement = _pending().where(_ROWS.c.batch_id == batch_id)
    if lines is not None:
        statement = statement.where(_ROWS.c.line_number.between(*lines))
    return _claim(session, statement.order_by(_ROWS.c.line_number).limit(limit))


def claim_row(session: Session, row_id: int) -> ClaimedRow | None:
    """Lock one row if it is still pending and no other worker holds it."""
    claimed = _claim(session, _pending().where(_ROWS.c.id == row_id))
    return claimed[0] if claimed else None


def _pending() -> Select[tuple[Any, Any, Any]]:
    return select(_ROWS.c.id, _ROWS.c.external_id, _ROWS.c.learner).where(
        _ROWS.c.state == RowState.PENDING.value
    )


def _claim(session: Session, statement: Select[tuple[Any, Any, Any]]) -> list[ClaimedRow]:
    result = session.connection().execute(statement.with_for_update(skip_locked=True))
    return [ClaimedRow(int(row_id), str(external), learner) for row_id, external, learner in result]


def insert_awards(session: Session, awards: Sequence[Mapping[str, Any]]) -> None:
    """Insert the group's awards (column values, ``issuers.awards.award_values``) at once.

    No ORM object is flushed, so the count goes in ``session.info`` (``INSERTED_AWARDS``), where
    whoever counts committed awards (the shell's metrics) finds it beside flushed ones.
    """
    if awards:
        session.connection().execute(insert(_AWARDS), list(awards))
        session.info[INSERTED_AWARDS] = session.info.get(INSERTED_AWARDS, 0) + len(awards)


def mark_rows(session: Session, settled: Sequence[SettledRow]) -> None:
    """Record each claimed row's outcome (one executemany)."""
    if not settled:
        return
    statement = (
        update(_ROWS)
        .where(_ROWS.c.id == bindparam("row_id"))
        .values(state=bindparam("new_state"), award_id=bindparam("new_award_id"))
    )
    session.connection().execute(
        statement,
        [
            {"row_id": row.id, "new_state": row.state.value, "new_award_id": row.award_id}
            for row in settled
        ],
    )
