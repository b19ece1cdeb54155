"""Signing keys, institutions, programs, employer endorsements and staff access.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 18:30:32.242370
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "institution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("legal_name_en", sa.String(length=300), nullable=False),
        sa.Column("legal_name_fr", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=False),
        sa.Column("logo_url", sa.String(length=500), nullable=True),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("did", sa.String(length=512), nullable=False),
        sa.Column("include_learner_name", sa.Boolean(), nullable=False),
        sa.Column("offers_suspension", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("did"),
    )
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_institution_slug"), ["slug"], unique=True)

    op.create_table(
        "signing_key",
        sa.Column("id", sa.String(length=512), nullable=False),
        sa.Column("owner_id", sa.String(length=200), nullable=False),
        sa.Column("did", sa.String(length=512), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("public_key_multibase", sa.String(length=128), nullable=False),
        sa.Column("encrypted_private_key", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("compromised_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.CheckConstraint("algorithm = 'Ed25519'", name="ck_signing_key_algorithm"),
        sa.CheckConstraint("published OR status = 'revoked'", name="ck_signing_key_unpublished"),
        sa.CheckConstraint(
            "status <> 'active' OR (retired_at IS NULL AND revoked_at IS NULL)",
            name="ck_signing_key_active_times",
        ),
        sa.CheckConstraint(
            "status <> 'revoked' OR (revoked_at IS NOT NULL AND compromised_since IS NOT NULL)",
            name="ck_signing_key_revoked_times",
        ),
        sa.CheckConstraint(
            "status IN ('active', 'retired', 'revoked')", name="ck_signing_key_status"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("public_key_multibase", name="uq_signing_key_public_key"),
    )
    with op.batch_alter_table("signing_key", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signing_key_did"), ["did"], unique=False)
        batch_op.create_index(batch_op.f("ix_signing_key_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            "uq_signing_key_active_owner",
            ["owner_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "program",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=120), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=True),
        sa.Column("name_fr", sa.String(length=300), nullable=True),
        sa.Column("description_en", sa.Text(), nullable=True),
        sa.Column("description_fr", sa.Text(), nullable=True),
        sa.Column("learning_outcomes", sa.JSON(), nullable=True),
        sa.Column("criteria_en", sa.Text(), nullable=True),
        sa.Column("criteria_fr", sa.Text(), nullable=True),
        sa.Column("assessment_en", sa.Text(), nullable=True),
        sa.Column("assessment_fr", sa.Text(), nullable=True),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=True),
        sa.Column("delivery_mode", sa.String(length=30), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=True),
        sa.Column("price_cents", sa.Integer(), nullable=True),
        sa.Column("osap_eligible", sa.Boolean(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=True),
        sa.Column("noc_codes", sa.JSON(), nullable=True),
        sa.Column("cip_code", sa.String(length=10), nullable=True),
        sa.Column("sector", sa.String(length=100), nullable=True),
        sa.Column("registration_url", sa.String(length=500), nullable=True),
        sa.Column("start_dates", sa.JSON(), nullable=True),
        sa.Column("part_of", sa.JSON(), nullable=True),
        sa.Column("employer_partners", sa.JSON(), nullable=True),
        sa.Column("published", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"],
            ["institution.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("institution_id", "slug", name="uq_program_slug"),
    )
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_institution_id"), ["institution_id"], unique=False
        )
    _create_partner_and_access_tables()


def _create_partner_and_access_tables() -> None:
    op.create_table(
        "employer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("did", sa.String(length=512), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("did"),
    )
    with op.batch_alter_table("employer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_employer_slug"), ["slug"], unique=True)

    op.create_table(
        "program_endorsement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("program_id", sa.Integer(), nullable=False),
        sa.Column("employer_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=100), nullable=False),
        sa.Column("signing_key_id", sa.String(length=512), nullable=False),
        sa.Column("signed_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["employer_id"], ["employer.id"]),
        sa.ForeignKeyConstraint(["program_id"], ["program.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credential_id"),
    )
    with op.batch_alter_table("program_endorsement", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_program_endorsement_employer_id"), ["employer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_program_endorsement_program_id"), ["program_id"], unique=False
        )

    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=24), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=True),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_api_key_institution_id"), ["institution_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_api_key_prefix"), ["prefix"], unique=True)

    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institution.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_user_email"), ["email"], unique=True)
        batch_op.create_index(
            batch_op.f("ix_staff_user_institution_id"), ["institution_id"], unique=False
        )

    op.create_table(
        "staff_session",
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_user_id"], ["staff_user.id"]),
        sa.PrimaryKeyConstraint("token_sha256"),
    )
    with op.batch_alter_table("staff_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staff_session_staff_user_id"), ["staff_user_id"], unique=False
        )


def _drop_partner_and_access_tables() -> None:
    for table, indexes in (
        ("staff_session", ["ix_staff_session_staff_user_id"]),
        ("staff_user", ["ix_staff_user_institution_id", "ix_staff_user_email"]),
        ("api_key", ["ix_api_key_prefix", "ix_api_key_institution_id"]),
        (
            "program_endorsement",
            ["ix_program_endorsement_program_id", "ix_program_endorsement_employer_id"],
        ),
        ("employer", ["ix_employer_slug"]),
    ):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for index in indexes:
                batch_op.drop_index(batch_op.f(index))
        op.drop_table(table)


def downgrade() -> None:
    _drop_partner_and_access_tables()
    with op.batch_alter_table("program", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_program_institution_id"))

    op.drop_table("program")
    with op.batch_alter_table("signing_key", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_signing_key_active_owner",
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )
        batch_op.drop_index(batch_op.f("ix_signing_key_owner_id"))
        batch_op.drop_index(batch_op.f("ix_signing_key_did"))

    op.drop_table("signing_key")
    with op.batch_alter_table("institution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_institution_slug"))

    op.drop_table("institution")
