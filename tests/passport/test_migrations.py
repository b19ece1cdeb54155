"""The migrations build exactly the schema the tables declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel

from infra.database import create_database_engine
from passport.database import database_is_current, migrate_to_head
from passport.tables import include_in_comparison  # and every component's tables


def test_migrated_schema_matches_the_table_models(database_url: str) -> None:
    engine = create_database_engine(database_url)
    try:
        migrate_to_head(engine)
        assert database_is_current(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": include_in_comparison}
            )
            differences = compare_metadata(context, SQLModel.metadata)
        assert differences == [], differences
    finally:
        engine.dispose()


def test_award_texts_are_compressed_with_lz4_on_postgresql(postgres_url: str) -> None:
    # Migration 0021: the server offers lz4 here (PostgreSQL 15, built with it).
    engine = create_database_engine(postgres_url)
    try:
        migrate_to_head(engine)
        with engine.connect() as connection:
            methods = connection.execute(
                text(
                    "SELECT attname, attcompression FROM pg_attribute "
                    "WHERE attrelid = 'award'::regclass "
                    "AND attname IN ('ldp_credential', 'jwt_credential')"
                )
            ).all()
        assert sorted(methods) == [("jwt_credential", "l"), ("ldp_credential", "l")]
    finally:
        engine.dispose()
