"""Initial schema: the deployment_info row that identifies this database's deployment.

Revision ID: 0001
Revises:
Create Date: 2025-11-28
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    deployment_info = op.create_table(
        "deployment_info",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("instance_id", sa.String(length=36), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Migrations are part of the shell, so reading the clock here is allowed; the random
    # instance id tells two deployments' databases (and their backups) apart.
    op.bulk_insert(
        deployment_info,
        [{"id": 1, "instance_id": str(uuid.uuid4()), "created_at": datetime.now(UTC)}],
    )


def downgrade() -> None:
    op.drop_table("deployment_info")
