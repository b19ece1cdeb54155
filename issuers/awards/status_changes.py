"""Status changes of awards: revoke, suspend and restore, each with its bit and its audit record.

OB 3.0 (and its JSON Schema) allows ONE ``credentialStatus``, so a credential carries one
``BitstringStatusListEntry`` (``issuers.awards.service``): revoking a suspension-purpose
credential sets its bit for good, as revocation is final in our records whatever the list's
purpose; restore lifts a suspension only.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from credentials import Conflict, InvalidInput
from issuers.audit import chain as audit_chain
from issuers.audit import log as audit
from issuers.awards import status_lists
from issuers.awards.tables import Award, AwardState, StatusPurpose

_TRANSITIONS = {
    audit.AuditAction.REVOKE: ({AwardState.ACTIVE, AwardState.SUSPENDED}, AwardState.REVOKED, 1),
    audit.AuditAction.SUSPEND: ({AwardState.ACTIVE}, AwardState.SUSPENDED, 1),
    audit.AuditAction.RESTORE: ({AwardState.SUSPENDED}, AwardState.ACTIVE, 0),
}


def change_status(
    session: Session,
    award: Award,
    action: audit.AuditAction,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> Award:
    """Revoke, suspend or restore ``award`` with a reason, writing its bit and the audit log.

    Revocation is final; restore only lifts a suspension; suspension needs a credential issued
    with a suspension-purpose entry (the institution offered suspension at the time).
    """
    if action not in _TRANSITIONS:
        raise InvalidInput(f"{action.value!r} is not a status change")
    if not reason.strip():
        raise InvalidInput("a reason is required")
    allowed_from, target, bit = _TRANSITIONS[action]
    if award.state not in allowed_from:
        final = " (revocation is final)" if award.state == AwardState.REVOKED else ""
        raise Conflict(f"award {award.id} is {award.state}; it cannot be {action.value}d{final}")
    if action is audit.AuditAction.SUSPEND and award.status_purpose != StatusPurpose.SUSPENSION:
        raise Conflict("this credential was issued without suspension; it can only be revoked")
    audit_chain.lock(session, award.institution_id)  # before the status list's lock
    status_lists.set_status(session, award.status_list_id, award.status_index, bit)
    award.state = target.value
    session.add(award)
    audit.record(
        session,
        institution_id=award.institution_id,
        award_id=award.id,
        actor=actor,
        action=action,
        reason=reason.strip(),
        now=now,
    )
    return award
