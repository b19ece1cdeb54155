"""The portal's catalog version: one row whose random token changes with every index write, so
that each app process may cache filter counts and still see every change (portal.catalog_version).

Declared by no model (it is left out of backups; a restore changes it). The row starts with a
version of its own, so two databases migrated apart never share one.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 20:30:00.000000
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "portal_catalog_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "version": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("portal_catalog_version")
