"""The append-only audit log of awarding and of API keys: who did what, to which award or key,
when, and why.

Append-only is enforced in code twice over: this module offers ``record`` and reads, nothing that
changes or removes an event, and a ``before_flush`` hook refuses any session flush that would
update or delete an ``AuditEvent`` row (``AuditLogIsAppendOnly``), whoever tries. Changes made
around the code, with SQL, show in each institution's hash chain (``issuers.audit.chain``).

>>> AuditAction.REVOKE.value
'revoke'
"""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from credentials import Conflict, InvalidInput
from issuers.audit import chain as audit_chain
from issuers.awards.tables import AuditEvent
from issuers.tables import Institution

MAX_REASON_LENGTH = 1000
PAGE_SIZE = 50  # events per page of the console's audit log
MAX_ACTOR_LENGTH = 200


class AuditAction(StrEnum):
    ISSUE = "issue"
    REVOKE = "revoke"
    SUSPEND = "suspend"
    RESTORE = "restore"
    BATCH_SUBMITTED = "batch_submitted"
    BATCH_COMPLETED = "batch_completed"
    OFFER_CREATED = "offer_created"
    API_KEY_REVOKED = "api_key_revoked"


class AuditLogIsAppendOnly(Conflict):
    code = "audit_log_append_only"


def _refuse_changes(session: OrmSession, _context: Any, _instances: Any) -> None:
    changed = [item for item in session.dirty if isinstance(item, AuditEvent)]
    changed += [item for item in session.deleted if isinstance(item, AuditEvent)]
    if any(session.is_modified(item) or item in session.deleted for item in changed):
        raise AuditLogIsAppendOnly("audit events are never changed or deleted")


event.listen(OrmSession, "before_flush", _refuse_changes)


def record(
    session: Session,
    *,
    institution_id: int,
    actor: str,
    action: AuditAction,
    reason: str,
    now: datetime,
    award_id: str | None = None,
) -> AuditEvent:
    """Append one event; ``reason`` is required for every status change."""
    if not actor.strip() or len(actor) > MAX_ACTOR_LENGTH:
        raise InvalidInput(f"the actor must be 1 to {MAX_ACTOR_LENGTH} characters")
    if len(reason) > MAX_REASON_LENGTH:
        raise InvalidInput(f"the reason must be at most {MAX_REASON_LENGTH} characters")
    audit_event = AuditEvent(
        institution_id=institution_id,
        award_id=award_id,
        actor=actor,
        action=action.value,
        reason=reason,
        occurred_at=now,
    )
    audit_chain.chain(session, audit_event)
    session.add(audit_event)
    session.flush()
    return audit_event


def cli_actor(named: str | None = None) -> str:
    """The actor of a command-line action: the OS user and host it ran as, after the name the
    operator gave (``--actor``), if any."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor the password database
        user = f"uid {os.getuid()}"
    origin = f"cli {user}@{socket.gethostname()}"
    actor = origin if named is None else f"{named} (via {origin})"
    return actor[:MAX_ACTOR_LENGTH]


def events_for(
    session: Session,
    institution_id: int,
    *,
    award_id: str | None = None,
    limit: int = 100,
    before_id: int | None = None,
) -> list[AuditEvent]:
    """The institution's events, newest first (``before_id`` pages backwards)."""
    statement = select(AuditEvent).where(AuditEvent.institution_id == institution_id)
    if award_id is not None:
        statement = statement.where(AuditEvent.award_id == award_id)
    if before_id is not None:
        statement = statement.where(col(AuditEvent.id) < before_id)
    statement = statement.order_by(col(AuditEvent.id).desc()).limit(limit)
    return list(session.exec(statement).all())


@dataclass(frozen=True)
class AuditPage:
    """Newest first; ``older`` is the ``before`` cursor of the next page, if there is one."""

    events: Sequence[AuditEvent]
    older: int | None


def audit_page(
    session: Session,
    institution: Institution,
    before: int | None = None,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    """One page of the institution's audit log, keyset-paginated on the event id."""
    assert institution.id is not None
    events = events_for(session, institution.id, limit=page_size + 1, before_id=before)
    shown = events[:page_size]
    older = shown[-1].id if len(events) > page_size and shown else None
    return AuditPage(shown, older)
