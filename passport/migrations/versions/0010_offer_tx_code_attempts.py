"""Wrong transaction codes counted per offer, so a few are allowed before the offer locks
(issuers.awards.tables.CredentialOffer.tx_code_failures; issue 13).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 05:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("credential_offer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tx_code_failures", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("credential_offer", schema=None) as batch_op:
        batch_op.drop_column("tx_code_failures")
