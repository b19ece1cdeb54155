"""Fixtures of the portal tests: the demonstration catalog on every backend, a live server.

``catalog_url`` is an empty database on each backend (``tests.storage``) migrated and seeded with
``passport demo``'s catalog; ``portal_server`` serves the app over a seeded SQLite database on
127.0.0.1 for the HTTP and browser tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import Session

from infra.database import create_database_engine
from keys.crypto_envelope import load_master_key
from passport.app import create_app
from passport.database import migrate_to_head, prepare_database
from portal.demo import seed_demo_catalog
from tests.passport.conftest import development_settings
from tests.passport.live_server import serving
from tests.storage import (
    database_url,  # noqa: F401  (fixture)
    deselect_postgres_only_tests,
    sqlite_url,
)

# A fixed test master key (base64url of 32 random bytes), never used outside the tests.
TEST_MASTER_KEY = "hKm1mWSQrTrMZn3_LsA1PrTjJwl2FuZ6KpDt1mV9Xe8"
BASE_URL = "http://127.0.0.1:8000"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    deselect_postgres_only_tests(config, items)


def seed(url: str) -> None:
    engine = create_database_engine(url)
    try:
        migrate_to_head(engine)
        with Session(engine) as session:
            master = load_master_key(TEST_MASTER_KEY)
            seed_demo_catalog(session, master, datetime.now(UTC), BASE_URL)
    finally:
        engine.dispose()


@pytest.fixture
def catalog_session(database_url: str) -> Iterator[Session]:  # noqa: F811
    """A session on a database (each backend) holding the demonstration catalog."""
    seed(database_url)
    engine = create_database_engine(database_url)
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="session")
def portal_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database holding the demonstration catalog, shared by the HTTP tests."""
    url = sqlite_url(tmp_path_factory.mktemp("portal"))
    seed(url)
    return url


@pytest.fixture(scope="session")
def portal_server(portal_database: str) -> Iterator[str]:
    """The application over ``portal_database``, served on 127.0.0.1; yields its URL."""
    settings = development_settings(portal_database, master_key=TEST_MASTER_KEY)
    prepare_database(settings)
    with serving(create_app(settings)) as base_url:
        yield base_url
