"""Fixtures for key custody tests: a fresh database per test on SQLite, and on PostgreSQL too.

PostgreSQL runs when ``PASSPORT_TEST_DATABASE_URL`` is set (e.g.
``postgresql+psycopg://postgres@127.0.0.1:5432/test``). Each test gets its own uniquely named
schema, selected with ``search_path`` and dropped afterwards, so concurrent runs never interfere.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel, create_engine

from credentials.multibase import encode_base64url
from keys.crypto_envelope import MasterKey, load_master_key
from keys.store import KeyStore
from keys.tables import SigningKey
from tests.secrets_guard import register_secret

POSTGRES_URL = os.environ.get("PASSPORT_TEST_DATABASE_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]
NOW = datetime(2025, 9, 1, 12, 0, tzinfo=UTC)


def _create_tables(engine: Engine) -> None:
    SQLModel.metadata.create_all(
        engine, tables=[SQLModel.metadata.tables[SigningKey.__tablename__]]
    )


def _sqlite_engine() -> Engine:
    return create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )


@contextmanager
def _postgres_engine(url: str) -> Iterator[Engine]:
    schema = f"test_keys_{secrets.token_hex(8)}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    if request.param == "sqlite":
        sqlite = _sqlite_engine()
        _create_tables(sqlite)
        yield sqlite
        sqlite.dispose()
        return
    assert POSTGRES_URL is not None
    with _postgres_engine(POSTGRES_URL) as postgres:
        _create_tables(postgres)
        yield postgres


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as db_session:
        yield db_session


@pytest.fixture
def master() -> MasterKey:
    return load_master_key(register_secret(encode_base64url(secrets.token_bytes(32)), "master key"))


@pytest.fixture
def store(session: Session, master: MasterKey) -> KeyStore:
    return KeyStore(session, master, now=NOW)
