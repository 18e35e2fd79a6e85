"""The hub keeps its promises (issue 12): the organisations or units an agreement's supplier may send rows for,
an atomic sign-in throttle, the audit log's organisation index, and a PostgreSQL guard against TRUNCATE.

- ``hub_agreements.supplies_for``: forces, trusts, ED sites or services (as the rows name them) whose rows the
  organisation may upload under the agreement, besides its own name.
- ``hub_login_throttle``: failed sign-ins per user name in the current window, counted and decided in one
  conditional UPDATE (no race between counting and checking).
- ``hub_audit_partners``: which organisations' data each audit event touched (its ``partner_id`` and the owners
  of the data versions it read or wrote), so an organisation's own view includes analysts' and the board's
  reads of its data. Back-filled for the rows already in the log; append-only like the log.
- PostgreSQL: a statement trigger refuses ``TRUNCATE hub_audit_log`` (row triggers do not fire on TRUNCATE);
  SQLite has no TRUNCATE, and its ``DELETE`` without ``WHERE`` fires the row trigger.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("hub_agreements") as batch:
        batch.add_column(sa.Column("supplies_for", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "hub_login_throttle",
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", TS, nullable=False),
        sa.PrimaryKeyConstraint("username", name="pk_hub_login_throttle"),
    )
    op.create_table(
        "hub_audit_partners",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", "partner_id", name="pk_hub_audit_partners"),
    )
    op.create_index("ix_hub_audit_partners_partner_id", "hub_audit_partners", ["partner_id"])
    _backfill_audit_partners()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER hub_audit_log_no_truncate BEFORE TRUNCATE ON hub_audit_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION hub_audit_log_append_only()")
        op.execute("CREATE TRIGGER hub_audit_partners_append_only BEFORE UPDATE OR DELETE ON hub_audit_partners "
                   "FOR EACH ROW EXECUTE FUNCTION hub_audit_log_append_only()")
        op.execute("CREATE TRIGGER hub_audit_partners_no_truncate BEFORE TRUNCATE ON hub_audit_partners "
                   "FOR EACH STATEMENT EXECUTE FUNCTION hub_audit_log_append_only()")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER hub_audit_partners_no_{event.lower()} BEFORE {event} ON hub_audit_partners "
                       "BEGIN SELECT RAISE(ABORT, 'hub_audit_log is append-only'); END")


def _backfill_audit_partners() -> None:
    """Index the events already in the log by the organisations whose data they touched."""
    bind = op.get_bind()
    owners: dict[int, int] = dict(
        bind.execute(sa.text("SELECT id, partner_id FROM datasets WHERE partner_id IS NOT NULL")).all())
    rows = []
    for event_id, partner_id, data_version in bind.execute(
            sa.text("SELECT id, partner_id, data_version FROM hub_audit_log")):
        found = {partner_id} if partner_id is not None else set()
        found |= {owners[d] for d in (data_version or "").split(",") if d in owners}
        rows += [{"event_id": event_id, "partner_id": p} for p in sorted(found)]
    if rows:
        bind.execute(sa.text("INSERT INTO hub_audit_partners (event_id, partner_id) VALUES (:event_id, :partner_id)"),
                     rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS hub_audit_log_no_truncate ON hub_audit_log")
        op.execute("DROP TRIGGER IF EXISTS hub_audit_partners_append_only ON hub_audit_partners")
        op.execute("DROP TRIGGER IF EXISTS hub_audit_partners_no_truncate ON hub_audit_partners")
    op.drop_index("ix_hub_audit_partners_partner_id", "hub_audit_partners")
    op.drop_table("hub_audit_partners")
    op.drop_table("hub_login_throttle")
    with op.batch_alter_table("hub_agreements") as batch:
        batch.drop_column("supplies_for")
