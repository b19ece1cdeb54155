"""After a key compromise: the awards the key signed, revoked in bulk, re-issued with the new key.

Once ``passport keys revoke`` (``issuers.identity.revoke_signing_key``) has marked a key
compromised and made the institution's new active key, verifiers refuse every proof made with
the old key that our records do not hold from before the compromise. What the institution does
next (docs/operations.md, "A key is compromised"):

1. list the affected awards: every award that key signed, oldest first, in pages;
2. revoke them in bulk, with a reason (their status bits are set, as one by one);
3. re-issue each with the new key: a new award for the same learner, program, result, evidence
   and dates, the old one revoked and marked ``replaced_by`` the new one (its share links say it
   was replaced), and a new claim offer for the learner. The external id moves to the new award.

Services take the caller's ``Session`` and ``now``, flush but never commit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from credentials import Conflict, NotFound, instant_or_none
from issuers.audit import log as audit
from issuers.awards.offers import CreatedOffer, create_offer
from issuers.awards.service import AwardRequest, Learner, issue_recorded, issuing_context
from issuers.awards.status_changes import change_status
from issuers.awards.tables import Award, AwardState
from issuers.identity import institution_owner, signer_for_institution
from issuers.programs.achievements import achievement_for
from issuers.tables import Institution, Program
from keys import KeyStatus, KeyStore, MasterKey

MAX_PAGE = 500
REPLACED_REASON = "replaced by a re-issued credential after the compromise of its signing key"


@dataclass(frozen=True)
class AffectedAwards:
    """One page of the awards a key signed, and how many there are in all."""

    total: int
    awards: list[Award]


@dataclass(frozen=True)
class Reissued:
    old: Award
    new: Award
    offer: CreatedOffer


def _owned_key(
    session: Session, master: MasterKey, now: datetime, institution: Institution, key_id: str
) -> None:
    """``NotFound`` unless ``key_id`` is one of the institution's keys (never another's)."""
    key = KeyStore(session, master, now).get_key(key_id)
    if key.owner_id != institution_owner(institution):
        raise NotFound(f"no key {key_id!r} for {institution.slug!r}")


def _signed_by(institution: Institution, key_id: str) -> Any:
    return select(Award).where(
        Award.institution_id == institution.id, Award.signing_key_id == key_id
    )


def affected_awards(
    session: Session,
    master: MasterKey,
    now: datetime,
    institution: Institution,
    key_id: str,
    *,
    offset: int = 0,
    limit: int = 100,
) -> AffectedAwards:
    """Every award ``key_id`` signed (each copy is its own award), oldest first, one page."""
    _owned_key(session, master, now, institution, key_id)
    total = session.exec(
        select(func.count()).where(
            Award.institution_id == institution.id, Award.signing_key_id == key_id
        )
    ).one()
    page = session.exec(
        _signed_by(institution, key_id)
        .order_by(col(Award.issued_at), col(Award.id))
        .offset(max(0, offset))
        .limit(max(1, min(limit, MAX_PAGE)))
    ).all()
    return AffectedAwards(int(total), list(page))


def revoke_affected(
    session: Session,
    master: MasterKey,
    now: datetime,
    institution: Institution,
    key_id: str,
    *,
    actor: str,
    reason: str,
) -> int:
    """Revoke every award ``key_id`` signed that is not revoked yet; returns how many."""
    _owned_key(session, master, now, institution, key_id)
    standing = session.exec(
        _signed_by(institution, key_id).where(col(Award.state) != AwardState.REVOKED.value)
    ).all()
    for award in standing:
        change_status(session, award, audit.AuditAction.REVOKE, actor=actor, reason=reason, now=now)
    session.flush()
    return len(standing)


def reissue_affected(
    session: Session,
    master: MasterKey,
    now: datetime,
    institution: Institution,
    key_id: str,
    *,
    actor: str,
    base_url: str,
    limit: int = 100,
) -> tuple[list[Reissued], int]:
    """Re-issue up to ``limit`` of the awards ``key_id`` signed and nothing replaced yet, with
    the institution's active key; returns them and how many remain (call again for those)."""
    _owned_key(session, master, now, institution, key_id)
    key = KeyStore(session, master, now).get_key(key_id)
    if key.status != KeyStatus.REVOKED:
        raise Conflict(f"{key_id!r} is not revoked: revoke it first (passport keys revoke)")
    pending = _signed_by(institution, key_id).where(col(Award.replaced_by).is_(None))
    batch = session.exec(
        pending.order_by(col(Award.issued_at), col(Award.id)).limit(max(1, min(limit, MAX_PAGE)))
    ).all()
    signer = signer_for_institution(session, master, now, institution)
    done = [_reissue(session, award, institution, signer, base_url, actor, now) for award in batch]
    remaining = session.exec(select(func.count()).select_from(pending.subquery())).one()
    return done, int(remaining)


def _written_in(credential: dict[str, Any]) -> str | None:
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    language = achievement.get("inLanguage") if isinstance(achievement, dict) else None
    return language if isinstance(language, str) else None


def _reissue(
    session: Session,
    old: Award,
    institution: Institution,
    signer: Any,
    base_url: str,
    actor: str,
    now: datetime,
) -> Reissued:
    program = session.get(Program, old.program_id)
    if program is None:
        raise NotFound(f"the program of award {old.id} is gone")
    signed = json.loads(old.ldp_credential)
    language = _written_in(signed)  # the replacement keeps the learner's language
    achievement = achievement_for(base_url, institution, program, language)
    context = issuing_context(base_url, institution, program, achievement, signer)
    request = AwardRequest(
        learner=Learner(old.learner_name, old.learner_email, old.learner_did),
        result=old.result,
        evidence=signed.get("evidence", []),
        awarded_on=instant_or_none(signed.get("awardedDate")),
        valid_until=old.valid_until,
        external_id=old.external_id,
        language=language,
    )
    old.external_id = None  # the replacement takes the learner's record id over
    session.add(old)
    session.flush()
    new = issue_recorded(session, context, request, now, actor=actor)
    if old.state != AwardState.REVOKED:
        change_status(
            session, old, audit.AuditAction.REVOKE, actor=actor, reason=REPLACED_REASON, now=now
        )
    old.replaced_by = new.id
    session.add(old)
    session.flush()
    return Reissued(old, new, create_offer(session, new, now, with_tx_code=True))
