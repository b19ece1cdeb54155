"""Every component's tables, imported in one place so that SQLModel's metadata (and so Alembic's
migrations and their checks) always sees the whole schema."""

from __future__ import annotations

import issuers.award_tables
import issuers.tables
import keys.tables
import passport.database
import passport.wallet.tables
import portal.tables
from portal.search_index import is_search_index_table

COMPONENT_TABLE_MODULES = (
    passport.database,
    keys.tables,
    issuers.tables,
    issuers.award_tables,
    portal.tables,
    passport.wallet.tables,
)


def include_in_comparison(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic ``include_name`` hook: leave out what a migration creates for one backend only
    and no model declares (the portal's full-text index and FTS5's shadow tables)."""
    return not (type_ == "table" and name is not None and is_search_index_table(name))
