"""``passport demo``: seed the demonstration catalog, so a newcomer sees a living portal.

The catalog is package data (``data/demo_catalog.json``): nine fictional institutions (colleges,
universities, Indigenous Institutes and private career colleges), 36 programs across sectors in
English, French or both, and the employer partners who endorse them. Seeding goes through the
issuers' own services (institutions and employers get their keys in the ``KeyStore``, each
endorsement is signed by its employer) and then indexes the programs for search.

Idempotent: what already exists (by slug, or an endorsement by the same employer) is left as it
is, so running it twice adds nothing.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any, Literal
from urllib.parse import urlsplit

from sqlmodel import Session, col, select

from issuers import (
    Employer,
    EmployerCreate,
    Institution,
    InstitutionCreate,
    Program,
    ProgramCreate,
    ProgramEndorsement,
    create_employer,
    create_institution,
    create_program,
    endorse_program,
    find_employer,
    find_institution,
    find_program,
)
from keys import MasterKey
from portal.search_index import reindex_programs
from portal.text import tokens

ENDORSEMENT_COMMENT = {
    "en": "We helped design this program and hire its graduates: it teaches what our teams need.",
    "fr": "Nous avons contribué à concevoir ce programme et nous embauchons ses diplômés : il "
    "enseigne ce dont nos équipes ont besoin.",
}


@dataclass(frozen=True)
class SeedReport:
    institutions: int
    programs: int
    employers: int
    endorsements: int


@cache
def demo_catalog() -> dict[str, Any]:
    text = resources.files("portal").joinpath("data/demo_catalog.json").read_text("utf-8")
    catalog: dict[str, Any] = json.loads(text)
    return catalog


def employer_slug(name: str) -> str:
    """``Électro-Est inc.`` -> ``electro-est-inc``."""
    return "-".join(tokens(name))[:63].strip("-")


def _did_method(base_url: str) -> Literal["did:web", "did:key"]:
    """did:web on a named host; did:key when the deployment is reached by an IP address (the
    default ``http://127.0.0.1:8000``), which a did:web cannot name (did:web method 3.2.1)."""
    try:
        ipaddress.ip_address(urlsplit(base_url).hostname or "")
    except ValueError:
        return "did:web"
    return "did:key"


def _institutions(session: Session, master: MasterKey, now: datetime, base_url: str) -> int:
    added = 0
    for row in demo_catalog()["institutions"]:
        if find_institution(session, row["slug"]) is None:
            host = urlsplit(row["website"]).netloc
            data = InstitutionCreate(
                **row, contact_email=f"microcredentials@{host}", did_method=_did_method(base_url)
            )
            create_institution(session, master, now, base_url, data)
            added += 1
    return added


def _employers(session: Session, master: MasterKey, now: datetime, base_url: str) -> int:
    names = {name for row in demo_catalog()["programs"] for name in row["employer_partners"]}
    added = 0
    for name in sorted(names):
        slug = employer_slug(name)
        if find_employer(session, slug) is None:
            website = f"https://{slug}.example.ca"
            create_employer(
                session,
                master,
                now,
                base_url,
                EmployerCreate(slug=slug, name=name, website=website),
            )
            added += 1
    return added


def _programs(session: Session, now: datetime) -> list[Program]:
    added = []
    for row in demo_catalog()["programs"]:
        institution = find_institution(session, row["institution"])
        assert institution is not None
        if find_program(session, institution, row["slug"]) is None:
            fields = {name: value for name, value in row.items() if name != "institution"}
            added.append(create_program(session, institution, ProgramCreate(**fields), now))
    return added


def _endorsements(session: Session, master: MasterKey, now: datetime, base_url: str) -> int:
    added = 0
    rows = session.exec(select(Program, Institution).join(Institution)).all()
    for program, institution in rows:
        endorsed_by = set(
            session.exec(
                select(ProgramEndorsement.employer_id).where(
                    col(ProgramEndorsement.program_id) == program.id
                )
            ).all()
        )
        lang = "fr" if program.languages == ["fr"] else "en"
        for name in program.employer_partners:
            employer = session.exec(select(Employer).where(col(Employer.name) == name)).first()
            if employer is None or employer.id in endorsed_by:
                continue
            endorse_program(
                session,
                master,
                now,
                base_url,
                institution,
                program,
                employer,
                ENDORSEMENT_COMMENT[lang],
            )
            added += 1
    return added


def seed_demo_catalog(
    session: Session, master: MasterKey, now: datetime, base_url: str
) -> SeedReport:
    """Add whatever of the demonstration catalog is missing, index it, and commit."""
    institutions = _institutions(session, master, now, base_url)
    employers = _employers(session, master, now, base_url)
    programs = _programs(session, now)
    endorsements = _endorsements(session, master, now, base_url)
    reindex_programs(session, [program.id for program in programs if program.id is not None])
    session.commit()
    return SeedReport(institutions, len(programs), employers, endorsements)
