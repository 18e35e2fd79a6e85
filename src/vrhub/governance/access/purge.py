"""Purge data past its agreement's retention period, and record the purge in the audit log.

A dataset version loaded through the hub is kept for its agreement's ``retention_days`` after the upload that
brought it; then it is *withdrawn* with the catalogue's own mechanism (``Catalogue.withdraw``: never read again,
the earlier version of the same force-month is read instead) and one audit event per version records it.
Withdrawing, not deleting, keeps the catalogue and lake consistent and leaves the audit trail's data versions
resolvable; deleting the files of withdrawn versions from disk is the operator's backup policy (docs/hub.md).
A version that a later upload under a longer-lived agreement brought again is kept for the longer period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from vrhub.governance.access.agreements import agreements
from vrhub.governance.access.uploads import uploads
from vrhub.store import audit
from vrhub.store.workspace import Workspace

#: statuses of uploads whose versions are kept under their agreement (every one that may have published)
KEPT = ("loaded", "failed", "interrupted")


@dataclass(frozen=True)
class Expired:
    dataset_id: str
    agreement: str
    partner_id: int
    retain_until: dt.date


def expired(ws: Workspace, today: dt.date) -> list[Expired]:
    """Dataset versions (not yet withdrawn) whose every hub upload's retention ended before ``today``.

    An upload's versions are kept under the agreement it loaded each kind under (``report["agreements"]``, or its
    ``agreement_id``), whether the upload loaded whole, failed part-way or was interrupted (``reconcile``)."""
    by_id = {a.id: a for a in agreements(ws.catalogue)}
    live = {d.id: d for d in ws.catalogue.datasets()}
    until: dict[str, tuple[dt.date, str, int]] = {}
    for u in uploads(ws):
        if u.status not in KEPT:
            continue
        per_kind = (u.report or {}).get("agreements", {})
        for ds in u.dataset_ids:
            d = live.get(ds)
            a = by_id.get(per_kind.get(d.kind, u.agreement_id) if d is not None else u.agreement_id)
            if a is None:
                continue
            end = u.received_at.date() + dt.timedelta(days=a.retention_days)
            if ds not in until or end > until[ds][0]:
                until[ds] = (end, a.name, u.partner_id)
    return [Expired(ds, name, pid, end) for ds, (end, name, pid) in sorted(until.items())
            if end < today and ds in live]


def purge(ws: Workspace, *, today: dt.date | None = None, actor: str = "system", dry_run: bool = False
          ) -> list[Expired]:
    """Withdraw every expired version (see :func:`expired`) and audit each; ``dry_run`` only lists them."""
    today = today or dt.date.today()
    found = expired(ws, today)
    if dry_run:
        return found
    for e in found:
        ws.catalogue.withdraw(e.dataset_id, f"retention period of agreement {e.agreement!r} ended on "
                              f"{e.retain_until} (purged {today})")
        audit.record(ws.catalogue, actor=actor, actor_role="system" if actor == "system" else "admin",
                     action="purge", object_type="dataset", object_id=e.dataset_id, partner_id=e.partner_id,
                     data_version=e.dataset_id,
                     details={"agreement": e.agreement, "retain_until": e.retain_until.isoformat()})
    return found
