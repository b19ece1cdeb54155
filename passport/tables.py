"""Every component's tables, imported in one place so that SQLModel's metadata (and so Alembic's
migrations and their checks) always sees the whole schema."""

from __future__ import annotations

import issuers.tables
import keys.tables
import passport.database

COMPONENT_TABLE_MODULES = (passport.database, keys.tables, issuers.tables)
