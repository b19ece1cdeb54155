"""Employer partners and their endorsements of programs (OB 3.0 B.1.3 EndorsementCredential).

An employer is an entity with its own signing key (owner ``employer:<slug>``; a did:key, or a
did:web served by this deployment under ``/employers/<slug>``). Its endorsement of a program is
an EndorsementCredential whose subject is the program's Achievement id, signed with
``eddsa-rdfc-2022`` by the employer's key and stored as the exact JSON text signed, which is what
every page and API response shows: a signed document is never re-serialized from rows.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from credentials import Conflict, NotFound, Signer, build_endorsement_credential, secure
from issuers.api_models import EmployerCreate
from issuers.awards.service import IssuingContext, issuing_context
from issuers.identity import EMPLOYERS_PATH, SignedCredentialCounter, did_for
from issuers.programs.achievements import LANGUAGES, achievement_for, program_url, text_language
from issuers.tables import Employer, Institution, Program, ProgramEndorsement
from keys import KeyStore, MasterKey

ENDORSEMENT_MECHANISM = "eddsa-rdfc-2022"


def employer_owner(employer: Employer) -> str:
    return f"employer:{employer.slug}"


def create_employer(
    session: Session, master: MasterKey, now: datetime, base_url: str, data: EmployerCreate
) -> Employer:
    """Store the employer and make its Ed25519 key."""
    if find_employer(session, data.slug) is not None:
        raise Conflict(f"an employer with slug {data.slug!r} already exists")
    employer = Employer(
        slug=data.slug, name=data.name, website=data.website, did="", created_at=now
    )
    did = did_for(base_url, EMPLOYERS_PATH, data.slug, data.did_method)
    employer.did = KeyStore(session, master, now).create_key(employer_owner(employer), did).did
    session.add(employer)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"employer {data.slug!r} conflicts with a stored one") from None
    return employer


def find_employer(session: Session, slug: str) -> Employer | None:
    return session.exec(select(Employer).where(Employer.slug == slug)).one_or_none()


def get_employer(session: Session, slug: str) -> Employer:
    employer = find_employer(session, slug)
    if employer is None:
        raise NotFound(f"no employer {slug!r}")
    return employer


def endorse_program(
    session: Session,
    master: MasterKey,
    now: datetime,
    base_url: str,
    institution: Institution,
    program: Program,
    employer: Employer,
    comment: str,
) -> ProgramEndorsement:
    """Sign and store the employer's endorsement of ``program``."""
    issuer: dict[str, Any] = {"id": employer.did, "type": ["Profile"], "name": employer.name}
    if employer.website:
        issuer["url"] = employer.website
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    credential = build_endorsement_credential(
        credential_id=credential_id,
        issuer=issuer,
        endorsed_id=program_url(base_url, institution, program),
        endorsement_comment=comment,
        name=f"{employer.name} endorsement",
        valid_from=now,
    )
    signer = KeyStore(session, master, now).signer_for(employer_owner(employer))
    signed = secure(credential, signer, ENDORSEMENT_MECHANISM, now=now)
    assert program.id is not None and employer.id is not None
    endorsement = ProgramEndorsement(
        program_id=program.id,
        employer_id=employer.id,
        credential_id=credential_id,
        signing_key_id=signer.verification_method,
        signed_json=json.dumps(signed, ensure_ascii=False),
        created_at=now,
    )
    session.add(endorsement)
    session.flush()
    return endorsement


def endorsements_of(session: Session, program: Program) -> list[ProgramEndorsement]:
    statement = (
        select(ProgramEndorsement)
        .where(ProgramEndorsement.program_id == program.id)
        .order_by(col(ProgramEndorsement.created_at), col(ProgramEndorsement.id))
    )
    return list(session.exec(statement).all())


def endorsed_achievement(
    session: Session, base_url: str, institution: Institution, program: Program
) -> dict[str, Any]:
    """The program's Achievement with its partners' endorsements in ``endorsement`` (OB 3.0
    B.1.1), each EndorsementCredential exactly as its issuer signed it: the public program
    document and every award for the program carry them, so whoever holds the award can check
    who endorses it (the verifier's ``endorsements`` check)."""
    return endorsed_achievements(session, base_url, institution, program)[text_language(program)]


def endorsed_achievements(
    session: Session, base_url: str, institution: Institution, program: Program
) -> dict[str, dict[str, Any]]:
    """The endorsed Achievement in each language the program is written in, by language
    (its first language always among them)."""
    signed = [json.loads(item.signed_json) for item in endorsements_of(session, program)]
    written = {}
    for language in LANGUAGES:
        achievement = achievement_for(base_url, institution, program, language)
        if achievement["inLanguage"] == language:
            written[language] = achievement | ({"endorsement": signed} if signed else {})
    return written


def program_issuing_context(
    session: Session, base_url: str, institution: Institution, program: Program, signer: Signer
) -> IssuingContext:
    """What the awards of ``program`` are signed with: the Achievement in the program's first
    language, and in each other language it is written in for learners who chose that one."""
    achievements = endorsed_achievements(session, base_url, institution, program)
    default = achievements[text_language(program)]
    return issuing_context(base_url, institution, program, default, signer, achievements)


def endorsements_signed_after(session: Session) -> SignedCredentialCounter:
    """``SignedCredentialCounter`` over the endorsements an employer key signed."""

    def count(key_id: str, since: datetime) -> int:
        statement = select(func.count()).where(
            ProgramEndorsement.signing_key_id == key_id, ProgramEndorsement.created_at >= since
        )
        return session.exec(statement).one()

    return count
