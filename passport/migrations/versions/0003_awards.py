"""Awards, status lists, the audit log, cohort batches and OpenID4VCI offers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "offer_nonce",
        sa.Column("nonce_hash", sa.String(length=64), nullable=False),
        _timestamp("expires_at"),
        sa.PrimaryKeyConstraint("nonce_hash"),
    )
    op.create_table(
        "status_list",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("permutation_key", sa.String(length=64), nullable=False),
        sa.Column("bits", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("signed_version", sa.Integer(), nullable=False),
        sa.Column("signed_credential", sa.Text(), nullable=True),
        sa.Column("etag", sa.String(length=80), nullable=True),
        _timestamp("signed_at", nullable=True),
        _timestamp("created_at"),
        sa.CheckConstraint(
            "purpose IN ('revocation', 'suspension')", name="ck_status_list_purpose"
        ),
        sa.CheckConstraint("allocated >= 0 AND allocated <= size", name="ck_status_list_allocated"),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("status_list", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_list_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "batch",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("total_rows", sa.Integer(), nullable=False),
        sa.Column("issued_rows", sa.Integer(), nullable=False),
        sa.Column("existing_rows", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_batch_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "award",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=True),
        sa.Column("batch_id", sa.String(length=36), nullable=True),
        sa.Column("credential_id", sa.String(length=100), nullable=False),
        sa.Column("learner_name", sa.String(length=300), nullable=False),
        sa.Column("learner_email", sa.String(length=320), nullable=False),
        sa.Column("learner_did", sa.String(length=512), nullable=True),
        sa.Column("result", sa.String(length=200), nullable=True),
        sa.Column("signing_key_id", sa.String(length=512), nullable=False),
        sa.Column("status_list_id", sa.String(length=40), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("status_purpose", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("ldp_credential", sa.Text(), nullable=False),
        sa.Column("jwt_credential", sa.Text(), nullable=False),
        _timestamp("valid_from"),
        _timestamp("valid_until", nullable=True),
        _timestamp("issued_at"),
        sa.CheckConstraint("state IN ('active', 'suspended', 'revoked')", name="ck_award_state"),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.ForeignKeyConstraint(["status_list_id"], ["status_list.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credential_id"),
        sa.UniqueConstraint(
            "institution_id", "program_id", "external_id", name="uq_award_external_id"
        ),
        sa.UniqueConstraint("status_list_id", "status_index", name="uq_award_status_entry"),
    )
    with op.batch_alter_table("award", schema=None) as batch_op:
        for column in ("batch_id", "institution_id", "issued_at", "learner_email", "program_id"):
            batch_op.create_index(batch_op.f(f"ix_award_{column}"), [column], unique=False)

    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("award_id", sa.String(length=36), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        _timestamp("occurred_at"),
        sa.ForeignKeyConstraint(["award_id"], ["award.id"]),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_award_id"), ["award_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "batch_row",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("learner", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("award_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(["award_id"], ["award.id"]),
        sa.ForeignKeyConstraint(["batch_id"], ["batch.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("batch_id", "line_number", name="uq_batch_row_line"),
    )
    with op.batch_alter_table("batch_row", schema=None) as batch_op:
        batch_op.create_index(
            "ix_batch_row_pending", ["batch_id", "state", "line_number"], unique=False
        )

    op.create_table(
        "credential_offer",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("award_id", sa.String(length=36), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tx_code_hash", sa.String(length=64), nullable=True),
        _timestamp("expires_at"),
        _timestamp("code_used_at", nullable=True),
        sa.Column("access_token_hash", sa.String(length=64), nullable=True),
        _timestamp("access_token_expires_at", nullable=True),
        _timestamp("credential_issued_at", nullable=True),
        _timestamp("created_at"),
        sa.ForeignKeyConstraint(["award_id"], ["award.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("access_token_hash"),
        sa.UniqueConstraint("code_hash"),
    )
    with op.batch_alter_table("credential_offer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credential_offer_award_id"), ["award_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("credential_offer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credential_offer_award_id"))
    op.drop_table("credential_offer")
    with op.batch_alter_table("batch_row", schema=None) as batch_op:
        batch_op.drop_index("ix_batch_row_pending")
    op.drop_table("batch_row")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_institution_id"))
        batch_op.drop_index(batch_op.f("ix_audit_event_award_id"))
    op.drop_table("audit_event")
    with op.batch_alter_table("award", schema=None) as batch_op:
        for column in ("program_id", "learner_email", "issued_at", "institution_id", "batch_id"):
            batch_op.drop_index(batch_op.f(f"ix_award_{column}"))
    op.drop_table("award")
    with op.batch_alter_table("batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_batch_institution_id"))
    op.drop_table("batch")
    with op.batch_alter_table("status_list", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_list_institution_id"))
    op.drop_table("status_list")
    op.drop_table("offer_nonce")
