"""Comprehensive Learner Records: an institution issues a learner's CLR 2.0 ``ClrCredential``.

``issue_clr`` gathers the learner's active awards from the institution (revoked and suspended
ones stay out) and puts each credential in ``verifiableCredential`` exactly as it was signed
(CLR 2.0 section 4.2, ClrSubject): the copy signed for the learner's wallet key when there is
one (``issuers.awards.holder_copies``), else the award as issued. Stacking becomes CLR
``Association`` entries (``isPartOf``, ``issuers.programs.achievements.stacking_associations``).
The subject is the learner's DID when all their copies name one DID, and always their salted
email hash, as in the awards.
The record is signed with ``eddsa-rdfc-2022`` by the institution's active key and kept
(``ClrRecord``) with that key; the verifier checks it and every credential inside it.
"""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from credentials import NotFound, Signer, secure
from credentials.models import ClrSubject, build_clr_credential, hashed_identity_object
from issuers.awards.holder_copies import copies_of
from issuers.awards.offers import LDP_FORM
from issuers.awards.service import LDP_MECHANISM, Learner
from issuers.awards.tables import Award, AwardCopy, AwardState, ClrRecord
from issuers.identity import SignedCredentialCounter, issuer_profile
from issuers.programs.achievements import stacking_associations
from issuers.tables import Institution, Program

CLR_NAME = "Comprehensive Learner Record"


def _active_awards(session: Session, institution: Institution, email: str) -> list[Award]:
    statement = (
        select(Award)
        .where(
            Award.institution_id == institution.id,
            Award.learner_email == email,
            Award.state == AwardState.ACTIVE.value,
        )
        .order_by(col(Award.issued_at), col(Award.id))
    )
    return list(session.exec(statement).all())


def _held_copy(session: Session, award: Award) -> AwardCopy | None:
    return next((copy for copy in copies_of(session, award.id) if copy.form == LDP_FORM), None)


def _subject(
    session: Session, base_url: str, institution: Institution, email: str, found: list[Award]
) -> dict[str, Any]:
    credentials: list[dict[str, Any]] = []
    holders: set[str] = set()
    associations: list[dict[str, Any]] = []
    programs: set[int] = set()
    for award in found:
        copy = _held_copy(session, award)
        credentials.append(json.loads(copy.credential if copy else award.ldp_credential))
        holder = copy.holder_did if copy else award.learner_did
        if holder:
            holders.add(holder)
        program = session.get(Program, award.program_id)
        if program is not None and award.program_id not in programs:
            programs.add(award.program_id)
            associations += stacking_associations(base_url, institution, program)
    identity = hashed_identity_object(email, salt=secrets.token_hex(16))
    subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        "identifier": [identity.model_dump(mode="json", by_alias=True, exclude_none=True)],
        "verifiableCredential": credentials,
    }
    if len(holders) == 1:
        subject["id"] = holders.pop()
    if associations:
        subject["association"] = associations
    return subject


def issue_clr(
    session: Session,
    institution: Institution,
    email: str,
    signer: Signer,
    *,
    base_url: str,
    now: datetime,
) -> ClrRecord:
    """Sign and store the learner's CLR; ``NotFound`` when they hold no active award here."""
    checked = Learner("learner", email).checked_email()
    found = _active_awards(session, institution, checked)
    if not found:
        raise NotFound(f"{institution.slug} has no active award for {checked}")
    record_id = str(uuid.uuid4())
    subject = ClrSubject.model_validate(_subject(session, base_url, institution, checked, found))
    credential = build_clr_credential(
        credential_id=f"urn:uuid:{record_id}",
        issuer=issuer_profile(institution),
        subject=subject,
        name=CLR_NAME,
        valid_from=now,
        awarded_date=now,
    )
    signed = secure(credential, signer, LDP_MECHANISM, now=now)
    record = ClrRecord(
        id=record_id,
        institution_id=found[0].institution_id,
        learner_email=checked,
        credential_id=credential["id"],
        signing_key_id=signer.verification_method,
        credential=json.dumps(signed, ensure_ascii=False),
        created_at=now,
    )
    session.add(record)
    session.flush()
    return record


def clrs_signed_after(session: Session) -> SignedCredentialCounter:
    """``SignedCredentialCounter`` over CLRs (for ``issuers.counters``)."""

    def count(key_id: str, since: datetime) -> int:
        statement = select(func.count()).where(
            ClrRecord.signing_key_id == key_id, col(ClrRecord.created_at) >= since
        )
        return int(session.exec(statement).one())

    return count
