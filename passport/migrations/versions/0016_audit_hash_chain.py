"""The audit log's hash chain per institution (issue #13, issuers.audit.chain), and the
learners' sign-up attempts, for the sign-up rate limit (passport.wallet.tables.SignUpAttempt).

Events recorded before this revision keep no hash: each institution's chain starts at its first
event recorded after it (docs/operations.md, "The audit log's hash chain").

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
    op.create_table(
        "wallet_signup_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("wallet_signup_attempt", schema=None) as batch_op:
        for column in ("account_key", "client_address", "failed_at"):
            batch_op.create_index(
                batch_op.f(f"ix_wallet_signup_attempt_{column}"), [column], unique=False
            )


def downgrade() -> None:
    op.drop_table("wallet_signup_attempt")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("entry_hash")
        batch_op.drop_column("previous_hash")
