"""Shared set-up of the awarding tests: a migrated database with one institution and a program.

Import the fixture into a test module (it runs on SQLite, and on PostgreSQL when
``PASSPORT_TEST_DATABASE_URL`` is set)::

    from tests.issuers.award_support import awarding_fixture  # noqa: F401
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from credentials.multibase import encode_base64url
from infra.database import create_database_engine
from issuers.api_models import InstitutionCreate, ProgramCreate
from issuers.awards.service import IssuingContext, issuing_context
from issuers.identity import signer_for_institution
from issuers.institutions import create_institution
from issuers.programs.achievements import achievement_for
from issuers.programs.service import create_program
from issuers.tables import Institution, Program
from keys.crypto_envelope import MasterKey, load_master_key
from passport.database import migrate_to_head
from tests import storage
from tests.secrets_guard import register_secret

BASE_URL = "https://passport.example.ca"
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)


def new_master_key() -> MasterKey:
    return load_master_key(register_secret(encode_base64url(secrets.token_bytes(32)), "master key"))


def add_institution(
    session: Session, master: MasterKey, slug: str = "college-x", **policy: bool
) -> Institution:
    data = InstitutionCreate(
        slug=slug,
        legal_name_en=f"Collège {slug}",
        legal_name_fr=f"Collège {slug}",
        kind="college",
        website="https://college.example.ca",
        contact_email="registrar@college.example.ca",
        **policy,
    )
    return create_institution(session, master, NOW, BASE_URL, data)


def add_program(session: Session, institution: Institution, slug: str = "welding") -> Program:
    data = ProgramCreate(slug=slug, name_en="Welding Basics", hours=40, delivery_mode="in_person")
    return create_program(session, institution, data, NOW)


def context_for(
    session: Session, master: MasterKey, institution: Institution, program: Program
) -> IssuingContext:
    signer = signer_for_institution(session, master, NOW, institution)
    achievement = achievement_for(BASE_URL, institution, program)
    return issuing_context(BASE_URL, institution, program, achievement, signer)


@dataclass
class Awarding:
    database_url: str
    engine: Engine
    master: MasterKey
    institution_id: int
    program_id: int

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def context(self, session: Session) -> IssuingContext:
        institution = session.get(Institution, self.institution_id)
        program = session.get(Program, self.program_id)
        assert institution is not None and program is not None
        return context_for(session, self.master, institution, program)


@pytest.fixture(name="awarding", params=storage.backend_params())
def awarding_fixture(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Awarding]:
    with storage.empty_database(request.param, tmp_path) as database_url:
        yield from _awarding(database_url)


def _awarding(database_url: str) -> Iterator[Awarding]:
    engine = create_database_engine(database_url)
    migrate_to_head(engine)
    master = new_master_key()
    with Session(engine) as session:
        # This institution opts into suspension so the full suspend/restore flow is exercised.
        institution = add_institution(session, master, offers_suspension=True)
        program = add_program(session, institution)
        session.commit()
        assert institution.id is not None and program.id is not None
        ids = institution.id, program.id
    try:
        yield Awarding(database_url, engine, master, *ids)
    finally:
        engine.dispose()
