"""Programs changed through the issuers' own services stay searchable, with no call to portal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from infra.database import create_database_engine
from issuers.api_models import ProgramCreate
from issuers.programs.service import create_program, get_program, program_fields, update_program
from issuers.tables import Institution
from portal.index_sync import keep_index_in_sync
from portal.search import parse_search_request, search
from tests.portal.conftest import seed

NOW = datetime(2026, 11, 28, tzinfo=UTC)
HYDROGEN = ProgramCreate.model_validate(
    {
        "slug": "hydrogen-safety",
        "name_en": "Hydrogen Fuel Safety",
        "hours": 12,
        "delivery_mode": "online",
    }
)


@pytest.fixture
def synced_engine(database_url: str) -> Iterator[Engine]:
    seed(database_url)
    engine = create_database_engine(database_url)
    keep_index_in_sync(engine)
    yield engine
    engine.dispose()


def found(engine: Engine, query: str) -> list[str]:
    with Session(engine) as session:
        result = search(session, parse_search_request([("q", query)]))
        return [hit.program.slug for hit in result.hits]


def lakeshore(session: Session) -> Institution:
    return session.exec(select(Institution).where(Institution.slug == "lakeshore-college")).one()


def test_a_created_program_is_found_after_commit(synced_engine: Engine) -> None:
    with Session(synced_engine) as session:
        data = HYDROGEN
        create_program(session, lakeshore(session), data, NOW)
        session.commit()
    assert found(synced_engine, "hydrogen") == ["hydrogen-safety"]


def test_a_rolled_back_program_is_not_indexed(synced_engine: Engine) -> None:
    with Session(synced_engine) as session:
        data = HYDROGEN
        create_program(session, lakeshore(session), data, NOW)
        session.flush()
        session.rollback()
    assert found(synced_engine, "hydrogen") == []


def test_an_updated_and_an_unpublished_program_follow(synced_engine: Engine) -> None:
    with Session(synced_engine) as session:
        institution = lakeshore(session)
        fields = program_fields(get_program(session, institution, "lean-six-sigma-yellow-belt"))
        renamed = fields.model_copy(update={"name_en": "Kaizen Yellow Belt"})
        update_program(session, institution, "lean-six-sigma-yellow-belt", renamed, NOW)
        session.commit()
    assert found(synced_engine, "kaizen") == ["lean-six-sigma-yellow-belt"]
    with Session(synced_engine) as session:
        institution = lakeshore(session)
        hidden = renamed.model_copy(update={"published": False})
        update_program(session, institution, "lean-six-sigma-yellow-belt", hidden, NOW)
        session.commit()
    assert found(synced_engine, "kaizen") == []


def test_a_renamed_institution_reindexes_its_programs(synced_engine: Engine) -> None:
    with Session(synced_engine) as session:
        institution = lakeshore(session)
        institution.legal_name_en = "Waterfront Polytechnic"
        session.add(institution)
        session.commit()
    assert "plc-programming-fundamentals" in found(synced_engine, "waterfront polytechnic")
