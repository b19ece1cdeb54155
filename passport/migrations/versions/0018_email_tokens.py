"""Email confirmation and password reset tokens; confirmed addresses (issue 15).

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-07 06:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_token",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=80), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    op.create_index("ix_email_token_account", "email_token", ["account"])
    for table in ("wallet_learner", "staff_user"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("email_confirmed_at", sa.DateTime(timezone=True), nullable=True)
            )


def downgrade() -> None:
    for table in ("staff_user", "wallet_learner"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("email_confirmed_at")
    op.drop_index("ix_email_token_account", table_name="email_token")
    op.drop_table("email_token")
