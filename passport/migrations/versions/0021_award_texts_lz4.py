"""Awards' two credential texts compressed with LZ4 on PostgreSQL (issue #19).

Each award stores about 5 KB of credential text (2.3 KB JSON-LD, 2.8 KB JWT). Over the 2 KB
TOAST threshold the server compresses them, by default with pglz. Inserting 100,000 real awards
as a cohort does (groups of 25), LZ4 cut the server's CPU per award from 0.24 to 0.15 ms and
stored a little less (4.7 against 4.8 KB per award; the base64url JWT compresses little either
way); storing them uncompressed (``STORAGE EXTERNAL``) used less CPU than pglz too but wrote 33%
more WAL and 27% more data (docs/performance.md, issue #19).

Only values written from now on are compressed with LZ4; those stored keep pglz, and both read
back the same. It needs PostgreSQL 14 or later built with LZ4 (``default_toast_compression``
offers ``lz4``); on any other server, and on SQLite, nothing changes.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 12:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TEXT_COLUMNS = ("ldp_credential", "jwt_credential")


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    offered = bind.execute(
        sa.text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
    ).scalar()
    return bool(offered)


def upgrade() -> None:
    if _lz4_available():
        for column in TEXT_COLUMNS:
            op.execute(f"ALTER TABLE award ALTER COLUMN {column} SET COMPRESSION lz4")


def downgrade() -> None:
    if _lz4_available():
        for column in TEXT_COLUMNS:
            op.execute(f"ALTER TABLE award ALTER COLUMN {column} SET COMPRESSION DEFAULT")
