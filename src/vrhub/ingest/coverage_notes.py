"""What a load did to the force-months it covers, said to the user: months it does not replace, other suppliers,
series that are new to the workspace.

The rules themselves live in ``vrhub.store.catalogue.coverage``; this module turns their outcome for one loaded
file into structured notes (``LoadResult.coverage_issues``) with a message that says what to do.
"""

from __future__ import annotations

from typing import Any

from vrhub.domain.kinds import KINDS
from vrhub.store.catalogue.coverage import STRAY_SHARE, CoverageRow, current_per_supplier
from vrhub.store.workspace import Workspace


def _supplier_names(ws: Workspace) -> dict[int | None, str]:
    return {None: "no partner named", **{p.id: p.name for p in ws.catalogue.partners()}}


def coverage_issues(ws: Workspace, kind: str) -> dict[str, list[dict[str, Any]]]:
    """Per dataset version of ``kind``, the force-months it covers that are not simply read from it, and why.

    ``barely_covers``: a few rows in a month its supplier's current version covers far more fully (not read);
    ``other_supplier``: another organisation also supplies that force-month (``read`` says whether this version is
    the one read: the one supplied first). Each issue has a message that says what to do.
    """
    rows = ws.catalogue.coverage_rows(kind)
    names = _supplier_names(ws)
    per_supplier = current_per_supplier(rows)
    issues: dict[str, list[dict[str, Any]]] = {}
    for r in (r for r in rows if not r.supersedes):
        kept = per_supplier[(r.supplier, r.force, r.month)]
        if kept.dataset_id == r.dataset_id:
            continue  # nothing else left to read for that month (e.g. the fuller version was withdrawn)
        issues.setdefault(r.dataset_id, []).append(_issue("barely_covers", False, r, kept, (
            f"{r.month:%Y-%m} {r.force}: {r.dataset_id} has only {r.rows:,} row(s) for this month (under "
            f"{STRAY_SHARE:.0%} of its largest month), against {kept.rows:,} in the current version {kept.dataset_id}: "
            "it does not replace that month (its rows are kept, not read). If it should, withdraw "
            f"{kept.dataset_id} with 'vrhub withdraw'")))
    for c in ws.catalogue.conflicts(kind):
        read, other = c.read, c.other
        message = (f"{c.month:%Y-%m} {c.force}: {names.get(read.supplier)} (dataset {read.dataset_id}) and "
                   f"{names.get(other.supplier)} (dataset {other.dataset_id}) both supply this force-month; one "
                   f"organisation's data never replaces another's, so {read.dataset_id} (supplied first) is read. "
                   "Withdraw the version that should not be used ('vrhub withdraw DATASET --reason …')")
        issues.setdefault(other.dataset_id, []).append(_issue("other_supplier", False, other, read, message))
        issues.setdefault(read.dataset_id, []).append(_issue("other_supplier", True, read, other, message))
    return issues


def _issue(problem: str, read: bool, row: CoverageRow, other: CoverageRow, message: str) -> dict[str, Any]:
    return {"problem": problem, "force": row.force, "month": row.month.strftime("%Y-%m"), "rows": row.rows,
            "read": read, "other_dataset": other.dataset_id, "other_rows": other.rows, "message": message}


def new_series_notes(kind: str, known: set[str], covered: set[str]) -> list[str]:
    """A note for each force (ED site, service) a file brings that no earlier data of its kind had: a typing error in
    a site code opens a new series and leaves a gap in the real one. Nothing is said for a workspace's first data."""
    if not known:
        return []
    info = KINDS.get(kind)
    label = info.force_label if info else "force"
    shown = ", ".join(sorted(known)[:10]) + (" …" if len(known) > 10 else "")
    return [f"{label} '{force}' is new: no earlier {kind} data in this workspace has it (known: {shown}). Its rows are "
            "kept as a series of their own; if the code is a typing error, correct the file, load it again and "
            "withdraw this version" for force in sorted(covered - known)]
