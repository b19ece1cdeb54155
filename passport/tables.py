"""Every component's tables, imported in one place so that SQLModel's metadata (and so Alembic's
migrations and their checks) always sees the whole schema."""

from __future__ import annotations

import passport.database
import passport.obapi.tables
import passport.wallet.tables
import passport.worker_metrics
from issuers import award_tables, issuer_tables, mail_outbox, mail_tokens
from keys import tables as key_tables
from portal import is_catalog_version_table, is_search_index_table
from portal import tables as portal_tables

COMPONENT_TABLE_MODULES = (
    passport.database,
    key_tables,
    issuer_tables,
    award_tables,
    mail_outbox,
    mail_tokens,
    portal_tables,
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
