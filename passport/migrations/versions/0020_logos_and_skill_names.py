"""Institutions' logos for their badges, and the skill filter's names in each language (#16).

``institution.logo_png`` holds the small PNG drawn from an uploaded logo
(``credentials.badge_art.checked_logo``). ``portal_skill_name`` is derived like the other
portal tables: existing programs get their rows on the next ``passport demo`` or
``portal.search_index.rebuild_index``; until then their skills show by filter value.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 09:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.add_column(sa.Column("logo_png", sa.LargeBinary(), nullable=True))
    op.create_table(
        "portal_skill_name",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("skill", sa.String(length=120), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("program_id", "skill", "language"),
    )


def downgrade() -> None:
    op.drop_table("portal_skill_name")
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.drop_column("logo_png")
