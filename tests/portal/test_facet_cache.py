"""Filter counts kept per process under the catalog version (``portal.catalog_version``): served
again while the catalog is unchanged, recomputed as soon as another process commits a change.

"Another process" is a second engine (its own connection pool) kept in sync by
``keep_index_in_sync``, as the app's is; the reading engine shares nothing with it but the
database. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, select

from infra.database import create_database_engine
from issuers.api_models import ProgramCreate
from issuers.programs.service import create_program, get_program, program_fields, update_program
from issuers.tables import DeliveryMode, Institution
from passport.app import create_app
from portal.catalog_version import catalog_version
from portal.index_sync import keep_index_in_sync
from portal.search import FacetCountCache, Facets, parse_search_request, search
from portal.search_index import rebuild_index
from portal.versioned_cache import VersionedCache
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.portal.conftest import TEST_MASTER_KEY, seed

NOW = datetime(2026, 11, 28, tzinfo=UTC)
QUERIES: list[list[tuple[str, str]]] = [
    [],
    [("mode", "online")],
    [("mode", "hybrid"), ("hours", "60-119")],
    [("q", "nurse")],
    [("q", "nurce"), ("language", "en")],
    [("min_hours", "20"), ("max_cost", "1500")],
]
PLC = "plc-programming-fundamentals"  # Lakeshore College, hybrid


@pytest.fixture
def engines(database_url: str) -> Iterator[tuple[Engine, Engine]]:
    """The engine of this process (reads) and one of another process (writes, kept in sync)."""
    seed(database_url)
    reader, writer = create_database_engine(database_url), create_database_engine(database_url)
    keep_index_in_sync(writer)
    yield reader, writer
    reader.dispose()
    writer.dispose()


def counted(engine: Engine, parameters: list[tuple[str, str]], cache: FacetCountCache) -> Facets:
    with Session(engine) as session:
        return search(session, parse_search_request(parameters), counts=cache).facets


def computed(engine: Engine, parameters: list[tuple[str, str]]) -> Facets:
    with Session(engine) as session:
        return search(session, parse_search_request(parameters)).facets


def count_of(facets: Facets, name: str, value: str) -> int:
    return next((item.count for item in facets[name] if item.value == value), 0)


class GroupedQueries:
    """How many ``GROUP BY`` statements (the counts) an engine runs."""

    def __init__(self, engine: Engine) -> None:
        self.seen = 0
        event.listen(engine, "before_cursor_execute", self._note)

    def _note(self, *arguments: Any) -> None:
        if "GROUP BY" in arguments[2]:
            self.seen += 1


def lakeshore(session: Session) -> Institution:
    return session.exec(select(Institution).where(Institution.slug == "lakeshore-college")).one()


def test_kept_counts_equal_computed_ones_and_are_not_computed_again(
    engines: tuple[Engine, Engine],
) -> None:
    reader, _ = engines
    cache = FacetCountCache()
    grouped = GroupedQueries(reader)
    first = [counted(reader, query, cache) for query in QUERIES]
    computing = grouped.seen
    again = [counted(reader, [*query, ("page", "2")], cache) for query in QUERIES]
    assert computing >= len(QUERIES)
    assert grouped.seen == computing  # the second round, another page, counted nothing
    assert first == again == [computed(reader, query) for query in QUERIES]


def create_online_program(session: Session) -> None:
    fields = {"slug": "hydrogen-safety", "name_en": "Hydrogen Safety", "hours": 12}
    data = ProgramCreate.model_validate({**fields, "delivery_mode": "online"})
    create_program(session, lakeshore(session), data, NOW)


def move_plc_online(session: Session) -> None:
    fields = program_fields(get_program(session, lakeshore(session), PLC))
    online = fields.model_copy(update={"delivery_mode": DeliveryMode.ONLINE})
    update_program(session, lakeshore(session), PLC, online, NOW)


def unpublish_plc(session: Session) -> None:
    fields = program_fields(get_program(session, lakeshore(session), PLC))
    update_program(
        session, lakeshore(session), PLC, fields.model_copy(update={"published": False}), NOW
    )


def move_lakeshore_north(session: Session) -> None:
    institution = lakeshore(session)
    institution.region = "Far North"
    session.add(institution)


@pytest.mark.parametrize(
    "change",
    [create_online_program, move_plc_online, unpublish_plc, move_lakeshore_north],
    ids=lambda change: change.__name__,
)
def test_a_change_committed_by_another_process_is_counted_at_once(
    engines: tuple[Engine, Engine], change: Callable[[Session], None]
) -> None:
    reader, writer = engines
    cache = FacetCountCache()
    before = [counted(reader, query, cache) for query in QUERIES]
    with Session(writer) as session:
        change(session)
        session.commit()
    after = [counted(reader, query, cache) for query in QUERIES]
    assert after == [computed(reader, query) for query in QUERIES]
    assert after != before


def test_the_kept_counts_show_the_change_itself(engines: tuple[Engine, Engine]) -> None:
    reader, writer = engines
    cache = FacetCountCache()
    online = count_of(counted(reader, [], cache), "mode", "online")
    with Session(writer) as session:
        create_online_program(session)
        move_lakeshore_north(session)
        session.commit()
    browse = counted(reader, [], cache)
    assert count_of(browse, "mode", "online") == online + 1
    lakeshore_programs = count_of(browse, "institution", "lakeshore-college")
    assert count_of(browse, "region", "Far North") == lakeshore_programs > 0


def test_the_served_api_counts_a_change_made_by_another_process(
    engines: tuple[Engine, Engine], database_url: str
) -> None:
    _, writer = engines
    settings = development_settings(database_url, master_key=TEST_MASTER_KEY)

    def online(client: httpx.Client) -> int:
        body = client.get("/api/v1/programs", params={"language": "en"}).json()
        modes = next(facet for facet in body["facets"] if facet["name"] == "mode")
        return int(next(item["count"] for item in modes["values"] if item["value"] == "online"))

    app = create_app(settings)
    grouped = GroupedQueries(app.state.engine)
    with serving(app) as base_url, httpx.Client(base_url=base_url) as client:
        before = online(client)
        computing = grouped.seen
        assert online(client) == before and grouped.seen == computing  # kept by the app
        with Session(writer) as session:
            create_online_program(session)
            session.commit()
        assert online(client) == before + 1


def test_a_rolled_back_change_keeps_the_version_and_the_kept_counts(
    engines: tuple[Engine, Engine],
) -> None:
    reader, writer = engines
    cache, grouped = FacetCountCache(), GroupedQueries(reader)
    before = counted(reader, [], cache)
    with Session(reader) as session:
        version = catalog_version(session)
    with Session(writer) as session:
        create_online_program(session)
        session.flush()
        session.rollback()
    seen = grouped.seen
    assert counted(reader, [], cache) == before
    assert grouped.seen == seen
    with Session(reader) as session:
        assert catalog_version(session) == version


def test_every_index_write_gives_a_new_version(catalog_session: Session) -> None:
    versions = {catalog_version(catalog_session)}
    rebuild_index(catalog_session)
    catalog_session.commit()
    versions.add(catalog_version(catalog_session))
    rebuild_index(catalog_session)
    catalog_session.rollback()
    versions.add(catalog_version(catalog_session))
    assert len(versions) == 2


def test_the_least_recently_used_entry_leaves_first() -> None:
    cache: VersionedCache[str, int] = VersionedCache(max_entries=2)
    computed_keys: list[str] = []

    def value(key: str) -> int:
        def compute() -> int:
            computed_keys.append(key)
            return len(computed_keys)

        return cache.get("v1", key, compute)

    assert [value("a"), value("b"), value("a"), value("c")] == [1, 2, 1, 3]
    assert [value("a"), value("b")] == [1, 4]  # "b" had left; "a" was used after it
    assert computed_keys == ["a", "b", "c", "b"]
    assert cache.get("v2", "a", lambda: 5) == 5  # another version is another entry
