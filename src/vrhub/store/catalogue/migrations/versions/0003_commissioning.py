"""Commissioning register versions, providers' returns files and their accepted rows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "commissioning_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_commissioning_versions")),
        sa.UniqueConstraint("sha256", name=op.f("uq_commissioning_versions_sha256")),
    )
    op.create_table(
        "returns_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source_file", sa.Text(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("register_sha256", sa.String(length=64), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), nullable=False),
        sa.Column("rows_set_aside", sa.Integer(), nullable=False),
        sa.Column("set_aside", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_returns_files")),
        sa.UniqueConstraint("sha256", name=op.f("uq_returns_files_sha256")),
    )
    op.create_table(
        "return_rows",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("provider", sa.String(length=200), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("qualifier", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_id"], ["returns_files.id"], name=op.f("fk_return_rows_file_id_returns_files"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("file_id", "row", name=op.f("pk_return_rows")),
    )
    op.create_index(op.f("ix_return_rows_service"), "return_rows", ["service"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_return_rows_service"), table_name="return_rows")
    op.drop_table("return_rows")
    op.drop_table("returns_files")
    op.drop_table("commissioning_versions")
