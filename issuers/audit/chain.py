"""The hash chain of each institution's audit events, so that an event edited or removed with SQL
shows (``passport audit verify``).

Each event stores the SHA-256 of its canonical content, which includes the previous event's hash
(``previous_hash``). Appends are serialized per institution: on PostgreSQL by a transaction-level
advisory lock on the institution, held until the appending transaction ends, so two processes
never chain onto the same event; SQLite lets one writer at a time commit, and a transaction that
read an older head cannot commit its write (WAL "busy snapshot").

Events recorded before the chain existed have no hash: the chain starts at the institution's
first hashed event, whose ``previous_hash`` is empty (docs/operations.md).

>>> len(entry_hash_of({"actor": "registrar"}, None))
64
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, select

from issuers.awards.tables import AuditEvent

# The first key of pg_advisory_xact_lock(int, int): this lock's namespace, the second key being
# the institution's id. Any constant other users of advisory locks here do not use.
_CHAIN_LOCK_NAMESPACE = 0x4155_4454  # "AUDT"


def canonical_content(event: AuditEvent) -> dict[str, Any]:
    """The event's fields that its hash covers (all but its id and its own hash)."""
    return {
        "institution_id": event.institution_id,
        "award_id": event.award_id,
        "actor": event.actor,
        "action": event.action,
        "reason": event.reason,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
    }


def entry_hash_of(content: dict[str, Any], previous_hash: str | None) -> str:
    """SHA-256 (hex) of the content and the previous hash as sorted, compact UTF-8 JSON."""
    document = {**content, "previous_hash": previous_hash}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def lock(session: Session, institution_id: int) -> None:
    """Hold the institution's append lock until the transaction ends (PostgreSQL; taking it again
    in the same transaction is free). Transactions that lock other rows before recording take it
    first, so that every recording transaction locks in one order: this lock, then the rest (no
    deadlock between, say, a bulk revocation and a single one on another status list)."""
    if session.get_bind().dialect.name == "postgresql":
        session.exec(  # type: ignore[call-overload]
            text("SELECT pg_advisory_xact_lock(:namespace, :institution)"),
            params={"namespace": _CHAIN_LOCK_NAMESPACE, "institution": institution_id},
        )


def chain(session: Session, event: AuditEvent) -> None:
    """Link ``event`` (not yet added) to its institution's latest event, under the append lock."""
    lock(session, event.institution_id)
    latest = session.exec(
        select(AuditEvent.entry_hash)
        .where(AuditEvent.institution_id == event.institution_id)
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()
    event.previous_hash = latest
    event.entry_hash = entry_hash_of(canonical_content(event), latest)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of checking one institution's chain: ``broken_event_id`` names the first
    event that does not hold, with ``problem`` saying why."""

    chained: int
    before_chain: int
    head: str | None
    broken_event_id: int | None = None
    problem: str | None = None


def _problem(event: AuditEvent, previous: AuditEvent | None) -> str | None:
    expected_previous = None if previous is None else previous.entry_hash
    if event.entry_hash is None:
        return "it has no hash, yet the chain had begun before it"
    if event.previous_hash != expected_previous:
        before = "the chain's start" if previous is None else f"event {previous.id}"
        return f"it does not follow {before} (an event before it was changed or removed)"
    if entry_hash_of(canonical_content(event), event.previous_hash) != event.entry_hash:
        return "its content does not match its hash (it was changed)"
    return None


def check_events(events: Iterable[AuditEvent]) -> ChainReport:
    """Check events of one institution, in id order."""
    before_chain, chained, previous = 0, 0, None
    for event in events:
        if chained == 0 and event.entry_hash is None:
            before_chain += 1
            continue
        problem = _problem(event, previous)
        if problem is not None:
            head = None if previous is None else previous.entry_hash
            return ChainReport(chained, before_chain, head, event.id, problem)
        chained, previous = chained + 1, event
    return ChainReport(chained, before_chain, None if previous is None else previous.entry_hash)


def check_institution(session: Session, institution_id: int) -> ChainReport:
    """Check one institution's whole chain (events are read in id order, a page at a time)."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.institution_id == institution_id)
        .order_by(col(AuditEvent.id))
        .execution_options(yield_per=500)
    )
    events = session.exec(statement)
    try:
        return check_events(events)
    finally:
        events.close()  # a broken link stops the walk with the server-side cursor still open
