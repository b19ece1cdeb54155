"""The Open Badges API: registered clients, authorization codes, tokens and learners' profiles;
the other Hosts this deployment is a client of, and learners' grants there (passport.obapi.tables).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 05:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _learner() -> sa.Column[str]:
    return sa.Column(
        "learner_id",
        sa.String(length=36),
        sa.ForeignKey("wallet_learner.id", ondelete="CASCADE"),
        nullable=False,
    )


def _client() -> sa.Column[str]:
    return sa.Column(
        "client_id",
        sa.String(length=64),
        sa.ForeignKey("obapi_client.client_id", ondelete="CASCADE"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "obapi_client",
        sa.Column("client_id", sa.String(length=64), primary_key=True),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("client_metadata", sa.JSON(), nullable=False),
        sa.Column("registered_from", sa.String(length=64), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_authorized_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_obapi_client_registered_from", "obapi_client", ["registered_from"])
    op.create_index("ix_obapi_client_issued_at", "obapi_client", ["issued_at"])
    op.create_table(
        "obapi_code",
        sa.Column("code_hash", sa.String(length=64), primary_key=True),
        _client(),
        _learner(),
        sa.Column("redirect_uri", sa.String(length=2048), nullable=False),
        sa.Column("scope", sa.String(length=1024), nullable=False),
        sa.Column("code_challenge", sa.String(length=128), nullable=False),
        sa.Column("code_challenge_method", sa.String(length=8), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_obapi_code_client_id", "obapi_code", ["client_id"])
    op.create_index("ix_obapi_code_learner_id", "obapi_code", ["learner_id"])
    op.create_table(
        "obapi_token",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _client(),
        _learner(),
        sa.Column("access_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("refresh_hash", sa.String(length=64), nullable=True, unique=True),
        sa.Column("scope", sa.String(length=1024), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("access_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refresh_expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_obapi_token_client_id", "obapi_token", ["client_id"])
    op.create_index("ix_obapi_token_learner_id", "obapi_token", ["learner_id"])
    op.create_table(
        "obapi_profile",
        sa.Column(
            "learner_id",
            sa.String(length=36),
            sa.ForeignKey("wallet_learner.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "obapi_remote_host",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("base_url", sa.String(length=512), nullable=False, unique=True),
        sa.Column("client_id", sa.String(length=256), nullable=False),
        sa.Column("secret_sealed", sa.Text(), nullable=False),
        sa.Column("authorization_url", sa.String(length=2048), nullable=False),
        sa.Column("token_url", sa.String(length=2048), nullable=False),
        sa.Column("api_url", sa.String(length=2048), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "obapi_remote_grant",
        sa.Column("id", sa.String(length=36), primary_key=True),
        _learner(),
        sa.Column(
            "host_id",
            sa.String(length=36),
            sa.ForeignKey("obapi_remote_host.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("state_hash", sa.String(length=64), nullable=True),
        sa.Column("verifier_sealed", sa.Text(), nullable=True),
        sa.Column("access_sealed", sa.Text(), nullable=True),
        sa.Column("refresh_sealed", sa.Text(), nullable=True),
        sa.Column("access_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scope", sa.String(length=1024), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_obapi_remote_grant_learner_id", "obapi_remote_grant", ["learner_id"])
    op.create_index("ix_obapi_remote_grant_host_id", "obapi_remote_grant", ["host_id"])


def downgrade() -> None:
    op.drop_table("obapi_remote_grant")
    op.drop_table("obapi_remote_host")
    op.drop_table("obapi_profile")
    op.drop_table("obapi_token")
    op.drop_table("obapi_code")
    op.drop_table("obapi_client")
