"""Every component's tables, imported in one place so that SQLModel's metadata (and so Alembic's
migrations and their checks) always sees the whole schema."""

from __future__ import annotations

import issuers.awards.tables
import issuers.mail.outbox
import issuers.mail.tokens
import issuers.tables
import keys.tables
import passport.database
import passport.obapi.tables
import passport.wallet.tables
import passport.worker_metrics
import portal.tables
from portal.catalog_version import is_catalog_version_table
from portal.search_index import is_search_index_table

COMPONENT_TABLE_MODULES = (
    passport.database,
    keys.tables,
    issuers.tables,
    issuers.awards.tables,
    issuers.mail.outbox,
    issuers.mail.tokens,
    portal.tables,
    passport.wallet.tables,
    passport.worker_metrics,
    passport.obapi.tables,
)


def include_in_comparison(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic ``include_name`` hook: leave out the tables that migrations create and no model
    declares: the portal's full-text index and FTS5's shadow tables (one backend only) and the
    catalog version (kept out of backups, ``portal.catalog_version``)."""
    unmodelled = (is_search_index_table, is_catalog_version_table)
    return not (type_ == "table" and name is not None and any(test(name) for test in unmodelled))
