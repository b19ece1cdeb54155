"""Alembic environment: migrates over the connection that ``passport.database`` passes in.

Run migrations with ``passport db upgrade`` (or ``passport.database.upgrade_database``); there is no
``alembic.ini``, so the ``alembic`` command line is not the way in.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import passport.tables  # registers every component's tables on SQLModel.metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations with `passport db upgrade`, which supplies the connection")

context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    include_name=passport.tables.include_in_comparison,
    # SQLite cannot ALTER most things in place; batch mode rebuilds the table instead.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
