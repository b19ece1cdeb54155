"""Every base URL the deployment has used (passport.database.DeploymentBaseUrl), so that its own
status lists are read from its records under any of them; and ``award.replaced_by``, the award
that re-issued one whose signing key was compromised (issue 12).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07 05:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deployment_base_url",
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("first_used_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("url"),
    )
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.add_column(sa.Column("replaced_by", sa.String(length=36), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("award", schema=None) as batch_op:
        batch_op.drop_column("replaced_by")
    op.drop_table("deployment_base_url")
