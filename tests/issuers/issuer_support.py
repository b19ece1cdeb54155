"""Shared set-up of the institution tests: a migrated database (SQLite, and PostgreSQL when
``PASSPORT_TEST_DATABASE_URL`` is set) and helpers that make institutions and programs.

    from tests.issuers.issuer_support import store_fixture  # noqa: F401  (fixture "store")
    from tests.storage import database_url  # noqa: F401  (fixture)
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from credentials.multibase import encode_base64url
from infra.database import create_database_engine
from issuers.api_models import InstitutionCreate, ProgramCreate
from issuers.institutions import create_institution
from issuers.programs.service import create_program
from issuers.tables import Institution, Program
from keys.crypto_envelope import MasterKey, load_master_key
from passport.database import migrate_to_head
from tests.storage import database_url  # noqa: F401  (fixture)

BASE_URL = "https://passport.example.ca"
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)


def new_master_key() -> MasterKey:
    return load_master_key(encode_base64url(secrets.token_bytes(32)))


def institution_data(slug: str, **overrides: Any) -> InstitutionCreate:
    values: dict[str, Any] = {
        "slug": slug,
        "legal_name_en": f"College {slug}",
        "legal_name_fr": f"Collège {slug}",
        "kind": "college",
        "website": f"https://{slug}.example.ca",
        "contact_email": f"registrar@{slug}.example.ca",
        "region": "ON",
    }
    return InstitutionCreate.model_validate(values | overrides)


def program_data(slug: str = "welding", **overrides: Any) -> ProgramCreate:
    values: dict[str, Any] = {
        "slug": slug,
        "name_en": "Welding Basics",
        "name_fr": "Soudage de base",
        "description_en": "Safe welding in a shop.",
        "criteria_en": "Complete every module.",
        "assessment_en": "A supervised weld, graded by an instructor.",
        "learning_outcomes": [{"en": "Weld a T-joint", "fr": "Souder un joint en T"}],
        "hours": 40,
        "weeks": 6,
        "delivery_mode": "hybrid",
        "languages": ["en", "fr"],
        "price_cents": 35000,
        "osap_eligible": True,
        "skills": [
            {
                "targetName": "weld metal",
                "targetUrl": "http://data.europa.eu/esco/skill/5e2b5a0a",
                "targetFramework": "ESCO",
                "targetCode": "5e2b5a0a",
            }
        ],
        "noc_codes": ["72106"],
        "cip_code": "48.0508",
        "part_of": ["https://passport.example.ca/issuers/a/programs/trades-certificate"],
        "employer_partners": ["Acme Fabrication"],
    }
    return ProgramCreate.model_validate(values | overrides)


@dataclass
class Store:
    engine: Engine
    master: MasterKey

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def add_institution(self, slug: str, **overrides: Any) -> Institution:
        with self.session() as session:
            data = institution_data(slug, **overrides)
            institution = create_institution(session, self.master, NOW, BASE_URL, data)
            session.commit()
            return institution

    def add_program(self, institution: Institution, slug: str = "welding") -> Program:
        with self.session() as session:
            program = create_program(session, institution, program_data(slug), NOW)
            session.commit()
            return program


@pytest.fixture(name="store")
def store_fixture(database_url: str) -> Iterator[Store]:  # noqa: F811
    engine = create_database_engine(database_url)
    migrate_to_head(engine)
    try:
        yield Store(engine, new_master_key())
    finally:
        engine.dispose()
