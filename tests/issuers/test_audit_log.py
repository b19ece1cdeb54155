"""The audit log only ever grows: no function changes it, and the session refuses to."""

from __future__ import annotations

import pytest
from sqlmodel import select

from issuers.audit import log as audit
from issuers.audit.log import AuditAction, AuditLogIsAppendOnly, record
from issuers.awards.tables import AuditEvent
from tests.issuers.award_support import (
    NOW,
    Awarding,
    awarding_fixture,  # noqa: F401  (fixture)
)


def _one_event(awarding: Awarding) -> int:
    with awarding.session() as session:
        event = record(
            session,
            institution_id=awarding.institution_id,
            actor="registrar",
            action=AuditAction.BATCH_SUBMITTED,
            reason="spring cohort",
            now=NOW,
        )
        session.commit()
        assert event.id is not None
        return event.id


def test_the_module_offers_no_way_to_change_or_remove_events() -> None:
    public = {name for name in vars(audit) if not name.startswith("_")}
    assert not {name for name in public if name.startswith(("update", "delete", "remove", "edit"))}


def test_an_event_cannot_be_updated(awarding: Awarding) -> None:
    event_id = _one_event(awarding)
    with awarding.session() as session:
        event = session.get(AuditEvent, event_id)
        assert event is not None
        event.reason = "rewritten history"
        session.add(event)
        with pytest.raises(AuditLogIsAppendOnly):
            session.flush()
        session.rollback()
        assert session.exec(select(AuditEvent.reason)).all() == ["spring cohort"]


def test_an_event_cannot_be_deleted(awarding: Awarding) -> None:
    event_id = _one_event(awarding)
    with awarding.session() as session:
        event = session.get(AuditEvent, event_id)
        session.delete(event)
        with pytest.raises(AuditLogIsAppendOnly):
            session.commit()
        session.rollback()
        assert len(session.exec(select(AuditEvent)).all()) == 1


def test_events_page_backwards(awarding: Awarding) -> None:
    ids = [_one_event(awarding) for _ in range(3)]
    with awarding.session() as session:
        newest = audit.events_for(session, awarding.institution_id, limit=2)
        older = audit.events_for(session, awarding.institution_id, before_id=newest[-1].id)
    assert [event.id for event in newest + older] == ids[::-1]
