"""Holder-bound copies of awards signed at claim time (issuers.awards.tables.AwardCopy), the
Comprehensive Learner Records institutions issue (ClrRecord), and each institution's JWT format
(issuers.tables.Institution.jwt_format).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 05:20:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("jwt_format", sa.String(length=16), server_default="vc+jwt", nullable=False)
        )
    op.create_table(
        "award_copies",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("award_id", sa.String(length=36), nullable=False),
        sa.Column("form", sa.String(length=8), nullable=False),
        sa.Column("holder_did", sa.String(length=512), nullable=False),
        sa.Column("signing_key_id", sa.String(length=512), nullable=False),
        sa.Column("credential", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("form IN ('json', 'jwt')", name="ck_award_copy_form"),
        sa.ForeignKeyConstraint(["award_id"], ["award.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("award_id", "form", "holder_did", name="uq_award_copy"),
    )
    with op.batch_alter_table("award_copies", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_award_copies_award_id"), ["award_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_award_copies_signing_key_id"), ["signing_key_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_award_copies_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "clr_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("learner_email", sa.String(length=320), nullable=False),
        sa.Column("credential_id", sa.String(length=100), nullable=False),
        sa.Column("signing_key_id", sa.String(length=512), nullable=False),
        sa.Column("credential", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credential_id"),
    )
    with op.batch_alter_table("clr_records", schema=None) as batch_op:
        for column in ("institution_id", "learner_email", "signing_key_id", "created_at"):
            batch_op.create_index(batch_op.f(f"ix_clr_records_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("clr_records")
    op.drop_table("award_copies")
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.drop_column("jwt_format")
