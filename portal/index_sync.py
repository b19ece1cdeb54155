"""Keeping the search index in step with the issuers' tables, without the issuers knowing.

``issuers`` may not import ``portal`` (docs/architecture.md), so the issuers' services cannot call
``reindex_program`` themselves. Instead the shell calls ``keep_index_in_sync(engine)`` once for
its engine: every session on that engine then notes the programs and institutions it flushes
(created, changed or deleted) and, just before it commits, re-indexes them in the same
transaction, so the catalog and its index are committed (or rolled back) together.
"""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, col, select

from issuers import Institution, Program
from portal.search_index import reindex_programs

_SYNCED_ENGINES: weakref.WeakSet[Engine] = weakref.WeakSet()
_PROGRAMS = "portal.changed_programs"
_INSTITUTIONS = "portal.changed_institutions"


def keep_index_in_sync(engine: Engine) -> None:
    """Re-index what sessions on ``engine`` change to programs and institutions, on commit."""
    _SYNCED_ENGINES.add(engine)
    if not event.contains(Session, "after_flush", _note_changes):
        event.listen(Session, "after_flush", _note_changes)
        event.listen(Session, "before_commit", _reindex_before_commit)


def _synced(session: Session) -> bool:
    bind = session.bind
    return isinstance(bind, Engine) and bind in _SYNCED_ENGINES


def _note_changes(session: Session, _context: Any) -> None:
    if not _synced(session):
        return
    for item in (*session.new, *session.dirty, *session.deleted):
        if isinstance(item, Program) and item.id is not None:
            session.info.setdefault(_PROGRAMS, set()).add(item.id)
        elif isinstance(item, Institution) and item.id is not None:
            session.info.setdefault(_INSTITUTIONS, set()).add(item.id)


def _reindex_before_commit(session: Session) -> None:
    if not _synced(session):
        return
    session.flush()
    programs: set[int] = session.info.pop(_PROGRAMS, set())
    institutions: set[int] = session.info.pop(_INSTITUTIONS, set())
    if institutions:
        owned = session.exec(
            select(col(Program.id)).where(col(Program.institution_id).in_(institutions))
        ).all()
        programs |= {program_id for program_id in owned if program_id is not None}
    if programs:
        reindex_programs(session, sorted(programs))
