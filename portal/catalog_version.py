"""The catalog version: a token that changes in the same transaction as every write to the index.

Whatever is computed from the index (the filter counts of ``portal.search``) may be kept
under the version it was computed at: a cached value is only used while the database still holds
that version, so a change committed by any process is seen by every other one on its next read.

The token is random (``uuid4``), not a counter: a version never comes back, even after a restore
or in a database recreated under the same URL, so a process can never find an old entry under a
new catalog. Readers read the version BEFORE computing from the index: each later statement sees
at least what that read saw, so an entry is never older than its version (at worst it holds a
change committed meanwhile, whose own new version is then read by every later request).

The table is declared by no model, so it is not in backups (``passport.backup``): a restore
rewrites the index through ``reindex_programs`` and so changes the version, as a change must.
Created, with its one row, by migration 0006.

>>> is_catalog_version_table("portal_catalog_version")
True
"""

from __future__ import annotations

import uuid

from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlmodel import Session

CATALOG_VERSION_TABLE = "portal_catalog_version"
VERSION_LENGTH = 32
# The one row's id.
ROW_ID = 1

_VERSION = Table(
    CATALOG_VERSION_TABLE,
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("version", String(VERSION_LENGTH), nullable=False),
)


def is_catalog_version_table(name: str) -> bool:
    return name == CATALOG_VERSION_TABLE


def catalog_version(session: Session) -> str:
    """The version the database holds now."""
    statement = select(_VERSION.c.version).where(_VERSION.c.id == ROW_ID)
    return str(session.execute(statement).scalar_one())


def note_catalog_change(session: Session) -> None:
    """Give the catalog a new version, committed (or rolled back) with the caller's change.

    On PostgreSQL the row stays locked until the transaction ends: call it after the change."""
    statement = update(_VERSION).where(_VERSION.c.id == ROW_ID).values(version=uuid.uuid4().hex)
    session.execute(statement)
