"""The data-sharing hub: users, API tokens, sessions, agreements, uploads, the hash-chained audit log, and single
sign-on states.

Organisations are the existing ``partners`` table. The audit log is append-only: triggers refuse UPDATE and
DELETE on ``hub_audit_log`` (SQLite and PostgreSQL); the hash chain (``vrhub audit verify``) detects an edit made
by someone who drops them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hub_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name="fk_hub_users_partner_id_partners"),
        sa.PrimaryKeyConstraint("id", name="pk_hub_users"),
        sa.UniqueConstraint("username", name="uq_hub_users_username"),
    )
    op.create_table(
        "hub_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=True),
        sa.Column("revoked_at", TS, nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["hub_users.id"], name="fk_hub_api_tokens_user_id_hub_users",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name="pk_hub_api_tokens"),
        sa.UniqueConstraint("token_sha256", name="uq_hub_api_tokens_token_sha256"),
    )
    op.create_table(
        "hub_sessions",
        sa.Column("id_sha256", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["hub_users.id"], name="fk_hub_sessions_user_id_hub_users",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id_sha256", name="pk_hub_sessions"),
    )
    op.create_table(
        "hub_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("lawful_basis", sa.Text(), nullable=False),
        sa.Column("fields_allowed", sa.JSON(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name="fk_hub_agreements_partner_id_partners"),
        sa.PrimaryKeyConstraint("id", name="pk_hub_agreements"),
        sa.UniqueConstraint("name", name="uq_hub_agreements_name"),
    )
    op.create_table(
        "hub_agreement_analysts",
        sa.Column("agreement_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["hub_agreements.id"],
                                name="fk_hub_agreement_analysts_agreement_id_hub_agreements", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["hub_users.id"], name="fk_hub_agreement_analysts_user_id_hub_users",
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("agreement_id", "user_id", name="pk_hub_agreement_analysts"),
    )
    op.create_table(
        "hub_uploads",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("agreement_id", sa.Integer(), nullable=True),
        sa.Column("filename", sa.String(500), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("dataset_ids", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"], name="fk_hub_uploads_partner_id_partners"),
        sa.ForeignKeyConstraint(["user_id"], ["hub_users.id"], name="fk_hub_uploads_user_id_hub_users",
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["agreement_id"], ["hub_agreements.id"],
                                name="fk_hub_uploads_agreement_id_hub_agreements"),
        sa.PrimaryKeyConstraint("id", name="pk_hub_uploads"),
    )
    op.create_table(
        "hub_audit_log",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("actor_role", sa.String(32), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("object_type", sa.String(64), nullable=False),
        sa.Column("object_id", sa.String(200), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=True),
        sa.Column("data_version", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_hub_audit_log"),
        sa.UniqueConstraint("prev_hash", name="uq_hub_audit_log_prev_hash"),
        sa.UniqueConstraint("hash", name="uq_hub_audit_log_hash"),
    )
    op.create_table(
        "hub_oidc_states",
        sa.Column("state", sa.String(128), nullable=False),
        sa.Column("nonce", sa.String(128), nullable=False),
        sa.Column("code_verifier", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("state", name="pk_hub_oidc_states"),
    )
    op.create_index("ix_hub_audit_log_partner_id", "hub_audit_log", ["partner_id"])
    op.create_index("ix_hub_audit_log_object_id", "hub_audit_log", ["object_id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION hub_audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'hub_audit_log is append-only'; END $$""")
        op.execute("CREATE TRIGGER hub_audit_log_append_only BEFORE UPDATE OR DELETE ON hub_audit_log "
                   "FOR EACH ROW EXECUTE FUNCTION hub_audit_log_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER hub_audit_log_no_{event.lower()} BEFORE {event} ON hub_audit_log "
                       "BEGIN SELECT RAISE(ABORT, 'hub_audit_log is append-only'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS hub_audit_log_append_only ON hub_audit_log")
        op.execute("DROP FUNCTION IF EXISTS hub_audit_log_append_only()")
    for table in ("hub_oidc_states", "hub_audit_log", "hub_uploads", "hub_agreement_analysts", "hub_agreements",
                  "hub_sessions", "hub_api_tokens", "hub_users"):
        op.drop_table(table)
