"""Holder binding: an award signed at claim time for the wallet key that proved possession.

OpenID4VCI 1.0 section 8.2: the key proof names the holder's key; the credential delivered is
then bound to it. ``copy_for_holder`` takes the award's credential as it was signed, sets
``credentialSubject.id`` to the holder's DID (VC Data Model 2.0 section 4.4: the subject the
claims are about) and signs it again, in the requested form, under the SAME credential ``id`` and
the SAME ``credentialStatus`` entry, so revoking or suspending the award reaches every copy.
Nothing else changes: the hashed email identifier, the achievement, the dates.

Every copy is stored (``AwardCopy``, table ``award_copies``) with the exact key that signed it;
a second claim by the same holder gets the copy already made, not another signature.
``copies_of`` (the award's copies) and ``copies_signed_after`` (a key's signatures, counted
with the awards' on key revocation) are what downloads and key-compromise records read.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, func, select

from credentials import NotFound, Signer, secure
from issuers.awards.offers import LDP_FORM, CopySigner
from issuers.awards.tables import Award, AwardCopy
from issuers.identity import SignedCredentialCounter, signer_for_institution
from issuers.tables import Institution
from keys import MasterKey

LDP_MECHANISM = "eddsa-rdfc-2022"


def bound_document(award: Award, holder_did: str) -> dict[str, Any]:
    """The award's credential, unsigned, with the holder as the subject ``id``."""
    document: dict[str, Any] = json.loads(award.ldp_credential)
    del document["proof"]
    subject = document["credentialSubject"]
    others = {name: value for name, value in subject.items() if name != "id"}
    document["credentialSubject"] = {"id": holder_did, **others}
    return document


def copy_for_holder(
    session: Session,
    award: Award,
    holder_did: str,
    form: str,
    *,
    signer_of: Callable[[], Signer],
    jwt_mechanism: str,
    now: datetime,
) -> AwardCopy:
    """The award signed for ``holder_did`` in ``form`` ("json" or "jwt"), made once and kept."""
    existing = session.exec(
        select(AwardCopy).where(
            AwardCopy.award_id == award.id,
            AwardCopy.form == form,
            AwardCopy.holder_did == holder_did,
        )
    ).first()
    if existing is not None:
        return existing
    signer = signer_of()
    mechanism = LDP_MECHANISM if form == LDP_FORM else jwt_mechanism
    signed = secure(bound_document(award, holder_did), signer, mechanism, now=now)
    copy = AwardCopy(
        id=str(uuid.uuid4()),
        award_id=award.id,
        form=form,
        holder_did=holder_did,
        signing_key_id=signer.verification_method,
        credential=json.dumps(signed, ensure_ascii=False) if isinstance(signed, dict) else signed,
        created_at=now,
    )
    session.add(copy)
    session.flush()
    return copy


def copy_signer(session: Session, master: MasterKey, now: datetime) -> CopySigner:
    """The ``offers.redeem`` hook: copies signed by the award's institution's active key."""

    def sign(award: Award, holder_did: str, form: str) -> str:
        institution = session.get(Institution, award.institution_id)
        if institution is None:
            raise NotFound("the award's institution no longer exists")
        copy = copy_for_holder(
            session,
            award,
            holder_did,
            form,
            signer_of=lambda: signer_for_institution(session, master, now, institution),
            jwt_mechanism=institution.jwt_format,
            now=now,
        )
        return copy.credential

    return sign


def copies_of(session: Session, award_id: str) -> list[AwardCopy]:
    """Every holder-bound copy of the award, oldest first."""
    statement = (
        select(AwardCopy)
        .where(AwardCopy.award_id == award_id)
        .order_by(col(AwardCopy.created_at), col(AwardCopy.id))
    )
    return list(session.exec(statement).all())


def copies_signed_after(session: Session) -> SignedCredentialCounter:
    """``SignedCredentialCounter`` over holder copies (for ``issuers.counters``)."""

    def count(key_id: str, since: datetime) -> int:
        statement = select(func.count()).where(
            AwardCopy.signing_key_id == key_id, col(AwardCopy.created_at) >= since
        )
        return int(session.exec(statement).one())

    return count
