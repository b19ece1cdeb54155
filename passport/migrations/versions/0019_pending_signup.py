"""Pending sign-ups: the account is made when the emailed link is followed (issue 13).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 09:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wallet_pending_signup",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("next_path", sa.String(length=2048), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_index("ix_wallet_pending_signup_expires_at", "wallet_pending_signup", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_wallet_pending_signup_expires_at", table_name="wallet_pending_signup")
    op.drop_table("wallet_pending_signup")
