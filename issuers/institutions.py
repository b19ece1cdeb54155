"""Institutions: created by the deployment admin, each with its DID and first signing key.

Services take the caller's ``Session`` and ``now``, flush but never commit (the caller owns the
transaction) and raise ``PassportError`` subclasses: a taken slug is ``Conflict`` (409), an
unknown one ``NotFound`` (404).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from credentials import Conflict, NotFound, checked_logo
from issuers.api_models import InstitutionCreate
from issuers.identity import institution_did, institution_owner
from issuers.tables import Institution
from keys import KeyStore, MasterKey


def create_institution(
    session: Session, master: MasterKey, now: datetime, base_url: str, data: InstitutionCreate
) -> Institution:
    """Store the institution and make its Ed25519 key (owner ``issuer:<slug>``)."""
    if find_institution(session, data.slug) is not None:
        raise Conflict(f"an institution with slug {data.slug!r} already exists")
    fields = data.model_dump(exclude={"did_method"})
    institution = Institution(**fields, did="", created_at=now)
    key = KeyStore(session, master, now).create_key(
        institution_owner(institution), institution_did(base_url, data.slug, data.did_method)
    )
    institution.did = key.did
    session.add(institution)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(f"institution {data.slug!r} conflicts with a stored one") from None
    return institution


def find_institution(session: Session, slug: str) -> Institution | None:
    return session.exec(select(Institution).where(Institution.slug == slug)).one_or_none()


def get_institution(session: Session, slug: str) -> Institution:
    institution = find_institution(session, slug)
    if institution is None:
        raise NotFound(f"no institution {slug!r}")
    return institution


def list_institutions(session: Session) -> list[Institution]:
    return list(session.exec(select(Institution).order_by(col(Institution.slug))).all())


def set_logo(session: Session, institution: Institution, image: bytes | None) -> Institution:
    """Keep the logo its badges show, drawn again from ``image`` (PNG or JPEG) as a small PNG
    (``checked_logo``: a bad or oversized image is ``InvalidInput``); ``None`` removes it."""
    institution.logo_png = None if image is None else checked_logo(image)
    session.add(institution)
    session.flush()
    return institution
