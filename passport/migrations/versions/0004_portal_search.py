"""The portal's search: the full-text index, the vocabulary, sort keys and filter values.

``portal_fts`` is backend-specific and declared by no model (``portal.search_index``): an FTS5
virtual table on SQLite, a ``tsvector`` column with a GIN index on PostgreSQL. The other three
tables are the models of ``portal.tables``. Existing programs are indexed on the next
``passport demo`` or by ``portal.search_index.rebuild_index``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 19:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_search_term",
        sa.Column("term", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("term"),
    )
    op.create_table(
        "portal_indexed_program",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("sort_name_en", sa.String(length=300), nullable=False),
        sa.Column("sort_name_fr", sa.String(length=300), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=True),
        sa.Column("price_cents", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("program_id"),
    )
    op.create_table(
        "portal_program_facet",
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("facet", sa.String(length=20), nullable=False),
        sa.Column("value", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("program_id", "facet", "value"),
    )
    with op.batch_alter_table("portal_program_facet", schema=None) as batch_op:
        batch_op.create_index(
            "ix_portal_program_facet_value", ["facet", "value", "program_id"], unique=False
        )
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE portal_fts USING fts5("
            "name, skills, occupations, body, "
            "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')"
        )
    else:
        op.execute(
            "CREATE TABLE portal_fts ("
            "program_id INTEGER PRIMARY KEY REFERENCES program (id) ON DELETE CASCADE, "
            "document tsvector NOT NULL)"
        )
        op.execute("CREATE INDEX ix_portal_fts_document ON portal_fts USING GIN (document)")


def downgrade() -> None:
    op.execute("DROP TABLE portal_fts")
    with op.batch_alter_table("portal_program_facet", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_program_facet_value")
    op.drop_table("portal_program_facet")
    op.drop_table("portal_indexed_program")
    op.drop_table("portal_search_term")
