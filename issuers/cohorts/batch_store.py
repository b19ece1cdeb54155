"""The database side of issuing a group of a batch's rows, in Core statements.

A cohort group touches three tables: its rows are claimed (``batch_row``), its awards inserted
(``award``) and its rows marked issued or existing (``batch_row`` again). Through ORM objects
that cost more than the database work itself: building one ``Award`` model ran pydantic-style
attribute instrumentation for every column, and the unit of work tracked each object and each
row's change (a profile of 2,000 rows: 0.56 s to construct the awards, 0.5 s in flushes, beside
2.9 s of signing; docs/performance.md). Here a group is one ``SELECT ... FOR UPDATE SKIP
LOCKED`` returning plain tuples, one executemany ``INSERT`` of plain dictionaries, and one
``UPDATE`` (PostgreSQL; an executemany on SQLite): the same transaction, nothing kept in the
session.

Each group also asks which of its learners already have the award
(``issuers.awards.service.award_ids_by_external_id``). PostgreSQL answers that from the unique
index on (institution, program, external id) only if its statistics know the program has many
awards; statistics older than the cohort (a new deployment, a new program: autovacuum analyzes
after 10% of the table changed, and at most once a minute) made it read every award of the
program in every group and filter them, a cost growing with the cohort (5,000 rows: 0.16 ms of
server CPU per row, a third of the server's share; docs/performance.md, issue #19). So
``refresh_award_statistics`` analyzes the lookup's three columns when the table has more than
doubled since the planner last counted it: about seven times in a 100,000-row cohort, 10 ms at
4,000 awards.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, insert, select, text, update
from sqlmodel import Session

from issuers.awards.tables import Award, BatchRow, RowState

# Awards stored beyond twice what the planner last counted before the statistics are refreshed.
STATISTICS_SLACK = 1_000
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


# PostgreSQL: a group's outcomes in one statement, the same text for every group (prepared
# once per connection), instead of one ``UPDATE`` per row (``executemany``).
_MARK_ROWS_POSTGRESQL = text(
    "UPDATE batch_row SET state = settled.state, award_id = settled.award_id "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:states AS varchar[]), "
    "CAST(:award_ids AS varchar[])) AS settled (id, state, award_id) "
    "WHERE batch_row.id = settled.id"
)


def mark_rows(session: Session, settled: Sequence[SettledRow]) -> None:
    """Record each claimed row's outcome: one ``UPDATE`` for the group on PostgreSQL (its
    server time per row halved against one statement per row), an executemany on SQLite."""
    if not settled:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(
            _MARK_ROWS_POSTGRESQL,
            {
                "ids": [row.id for row in settled],
                "states": [row.state.value for row in settled],
                "award_ids": [row.award_id for row in settled],
            },
        )
        return
    statement = (
        update(_ROWS)
        .where(_ROWS.c.id == bindparam("row_id"))
        .values(state=bindparam("new_state"), award_id=bindparam("new_award_id"))
    )
    connection.execute(
        statement,
        [
            {"row_id": row.id, "new_state": row.state.value, "new_award_id": row.award_id}
            for row in settled
        ],
    )


def refresh_award_statistics(session: Session) -> bool:
    """PostgreSQL: analyze the award lookup's columns when the table has outgrown what the
    planner knows of it (more than twice its count, plus ``STATISTICS_SLACK``); True if it did.

    A column list keeps it short (the credential texts are not sampled); it updates the table's
    row count, which is what the next check compares with.
    """
    if session.get_bind().dialect.name != "postgresql":
        return False
    connection = session.connection()
    counts = connection.execute(
        text(
            "SELECT s.n_live_tup, c.reltuples FROM pg_stat_user_tables s "
            "JOIN pg_class c ON c.oid = s.relid WHERE s.relid = 'award'::regclass"
        )
    ).first()
    if counts is None or counts[0] <= 2 * max(counts[1], 0) + STATISTICS_SLACK:
        return False
    connection.execute(text("ANALYZE award (institution_id, program_id, external_id)"))
    return True
