"""Failed console logins, for the per-address login limit (issuers.tables.StaffLoginFailure).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_login_failure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_login_failure_account_key"), ["account_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staff_login_failure_client_address"), ["client_address"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_staff_login_failure_failed_at"), ["failed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_login_failure_failed_at"))
        batch_op.drop_index(batch_op.f("ix_staff_login_failure_client_address"))
        batch_op.drop_index(batch_op.f("ix_staff_login_failure_account_key"))

    op.drop_table("staff_login_failure")
