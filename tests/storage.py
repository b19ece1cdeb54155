"""Database backends for storage tests: SQLite always, PostgreSQL when a test server is named.

Set ``PASSPORT_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
to run every test that uses ``database_url`` on PostgreSQL as well. Each PostgreSQL test gets a
schema of its own (dropped afterwards), reached through ``search_path`` in the URL, so runs in
parallel or after a crash never see each other's tables.

Use from a component's conftest.py::

    from tests.storage import database_url, postgres_url  # noqa: F401  (fixtures)

Tests that only make sense on PostgreSQL ask for ``postgres_url``; call
``deselect_postgres_only_tests`` from ``pytest_collection_modifyitems`` so that, without a test
server, they are deselected (reported as such) instead of skipped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

TEST_DATABASE_URL_VARIABLE = "PASSPORT_TEST_DATABASE_URL"


def postgres_test_url() -> str | None:
    """The PostgreSQL server the tests may use, if one is configured."""
    return os.environ.get(TEST_DATABASE_URL_VARIABLE) or None


def backend_params() -> list[object]:
    """``pytest.param`` per available backend, for ``@pytest.fixture(params=...)``."""
    params: list[object] = [pytest.param("sqlite", id="sqlite")]
    if postgres_test_url() is not None:
        params.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    return params


def sqlite_url(directory: Path) -> str:
    """A SQLite file database URL in ``directory`` (the file is created on first use)."""
    return f"sqlite:///{directory / 'passport.db'}"


@contextmanager
def isolated_postgres_schema(server_url: str) -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema; the schema is dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex}"
    admin = create_engine(server_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _required_postgres_url() -> str:
    server_url = postgres_test_url()
    if server_url is None:
        pytest.fail(f"{TEST_DATABASE_URL_VARIABLE} is not set", pytrace=False)
    return server_url


@contextmanager
def empty_database(backend: str, directory: Path) -> Iterator[str]:
    """The URL of an empty database on ``backend`` (a ``backend_params`` value): a SQLite file
    in ``directory``, or a PostgreSQL schema of its own, dropped afterwards."""
    if backend == "sqlite":
        yield sqlite_url(directory)
        return
    with isolated_postgres_schema(_required_postgres_url()) as url:
        yield url


@pytest.fixture(params=backend_params())
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each available backend."""
    with empty_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL schema (tests using this are deselected without a test server)."""
    with isolated_postgres_schema(_required_postgres_url()) as url:
        yield url


def deselect_postgres_only_tests(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without ``PASSPORT_TEST_DATABASE_URL``, deselect the tests that need ``postgres_url``."""
    if postgres_test_url() is not None:
        return
    postgres_only = [item for item in items if "postgres_url" in getattr(item, "fixturenames", ())]
    if postgres_only:
        config.hook.pytest_deselected(items=postgres_only)
        deselected = set(postgres_only)
        items[:] = [item for item in items if item not in deselected]
