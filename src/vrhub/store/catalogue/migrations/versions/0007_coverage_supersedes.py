"""Coverage that does not supersede: a version's force-month it barely covers (issue 13.13).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("dataset_coverage") as batch:
        batch.add_column(sa.Column("supersedes", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("dataset_coverage") as batch:
        batch.drop_column("supersedes")
