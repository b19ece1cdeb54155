"""The learner's wallet: accounts, sessions, sign-in failures, stored credentials, collections,
share links and employers' presentation requests (passport.wallet.tables).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 19:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wallet_learner",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("did", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
    )
    op.create_table(
        "wallet_login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_key", sa.String(length=64), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("wallet_login_failure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_login_failure_account_key"), ["account_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_wallet_login_failure_client_address"), ["client_address"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_wallet_login_failure_failed_at"), ["failed_at"], unique=False
        )

    op.create_table(
        "wallet_presentation_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("viewer_key_hash", sa.String(length=64), nullable=False),
        sa.Column("challenge", sa.String(length=64), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verdict", sa.String(length=32), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("challenge"),
    )
    op.create_table(
        "wallet_collection",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["wallet_learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("learner_id", "name", name="uq_wallet_collection_name"),
    )
    with op.batch_alter_table("wallet_collection", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_collection_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "wallet_credential",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("credential_id", sa.String(length=512), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("issuer_id", sa.String(length=512), nullable=True),
        sa.Column("display", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "format IN ('json', 'jws', 'png', 'svg')", name="ck_wallet_credential_fmt"
        ),
        sa.ForeignKeyConstraint(["learner_id"], ["wallet_learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("learner_id", "content_sha256", name="uq_wallet_credential_bytes"),
        sa.UniqueConstraint("learner_id", "credential_id", name="uq_wallet_credential_id"),
    )
    with op.batch_alter_table("wallet_credential", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_credential_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "wallet_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["learner_id"], ["wallet_learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("wallet_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_session_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "wallet_collection_item",
        sa.Column("collection_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(["collection_id"], ["wallet_collection.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["credential_id"], ["wallet_credential.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("collection_id", "credential_id"),
    )
    with op.batch_alter_table("wallet_collection_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_collection_item_credential_id"), ["credential_id"], unique=False
        )

    op.create_table(
        "wallet_share",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("learner_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("collection_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("view_count", sa.Integer(), nullable=False),
        sa.Column("last_viewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(kind = 'collection') = (collection_id IS NOT NULL)", name="ck_wallet_share_target"
        ),
        sa.CheckConstraint(
            "kind IN ('credential', 'collection', 'selection')", name="ck_wallet_share_kind"
        ),
        sa.ForeignKeyConstraint(["collection_id"], ["wallet_collection.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["learner_id"], ["wallet_learner.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("wallet_share", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_share_learner_id"), ["learner_id"], unique=False
        )

    op.create_table(
        "wallet_share_item",
        sa.Column("share_id", sa.String(length=36), nullable=False),
        sa.Column("credential_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["credential_id"], ["wallet_credential.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["share_id"], ["wallet_share.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("share_id", "credential_id"),
    )
    with op.batch_alter_table("wallet_share_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_wallet_share_item_credential_id"), ["credential_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("wallet_share_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_share_item_credential_id"))

    op.drop_table("wallet_share_item")
    with op.batch_alter_table("wallet_share", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_share_learner_id"))

    op.drop_table("wallet_share")
    with op.batch_alter_table("wallet_collection_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_collection_item_credential_id"))

    op.drop_table("wallet_collection_item")
    with op.batch_alter_table("wallet_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_session_learner_id"))

    op.drop_table("wallet_session")
    with op.batch_alter_table("wallet_credential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_credential_learner_id"))

    op.drop_table("wallet_credential")
    with op.batch_alter_table("wallet_collection", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_collection_learner_id"))

    op.drop_table("wallet_collection")
    op.drop_table("wallet_presentation_request")
    with op.batch_alter_table("wallet_login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wallet_login_failure_failed_at"))
        batch_op.drop_index(batch_op.f("ix_wallet_login_failure_client_address"))
        batch_op.drop_index(batch_op.f("ix_wallet_login_failure_account_key"))

    op.drop_table("wallet_login_failure")
    op.drop_table("wallet_learner")
