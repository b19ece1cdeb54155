"""Aggregate counts for the public pages: never a learner, only how many."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from issuers import Award


def issued_count(session: Session, institution_id: int) -> int:
    """How many credentials the institution has issued (revoked and suspended ones included:
    they were issued)."""
    statement = select(func.count()).where(col(Award.institution_id) == institution_id)
    return int(session.exec(statement).one())
