"""Dataset versions a user may see, and a version's quarantine (JSON, or CSV with formula injection neutralised):
thin calls of the library's :class:`~vrhub.library.viewer.Viewer`, which decides what the user may see and audits
each read."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from vrhub.governance.access import Permission
from vrhub.library import Partnership
from vrhub.library.viewer import table_csv
from vrhub.server.dependencies import Hub, Principal, get_hub, require
from vrhub.store.catalogue import Dataset

router = APIRouter(tags=["datasets"])


def dataset_json(d: Dataset) -> dict[str, Any]:
    return {"dataset_id": d.id, "kind": d.kind, "organisation_id": d.partner_id,
            "organisation": d.partner.name if d.partner else None, "source_file": d.source_file, "sha256": d.sha256,
            "received_at": d.received_at.isoformat(), "rows_read": d.rows_read, "rows_accepted": d.rows_accepted,
            "rows_quarantined": d.rows_quarantined, "synthetic": d.synthetic,
            "months": sorted({c.month.strftime("%Y-%m") for c in d.coverage}),
            "withdrawn_at": d.withdrawn_at.isoformat() if d.withdrawn_at else None,
            "withdrawn_reason": d.withdrawn_reason, "warnings": d.warnings}


@router.get("/api/datasets")
def list_datasets(include_withdrawn: bool = False, hub: Hub = Depends(get_hub),
                  principal: Principal = Depends(require(Permission.DATASETS_READ))) -> list[dict[str, Any]]:
    """The dataset versions you may see: your organisation's (uploaders), or those of the agreements naming you
    (analysts)."""
    found = Partnership(hub.ws).viewer(principal.user).datasets(include_withdrawn=include_withdrawn)
    return [dataset_json(d) for d in found]


@router.get("/api/datasets/{dataset_id}/quarantine", response_model=None)
def quarantine(dataset_id: str, format: Literal["json", "csv"] = "json", limit: int = Query(1000, ge=1, le=100_000),
               hub: Hub = Depends(get_hub),
               principal: Principal = Depends(require(Permission.QUARANTINE_READ))) -> dict[str, Any] | Response:
    """The rows of a version that were quarantined, each with its line in the file and why (``format=csv`` to
    download them; cells that a spreadsheet would run as a formula are neutralised)."""
    d, t = Partnership(hub.ws).viewer(principal.user).quarantine(dataset_id, limit=limit, format=format)
    if format == "csv":
        return Response(table_csv(t), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{d.id}-quarantine.csv"'})
    return {"dataset_id": d.id, "source_file": d.source_file, "rows_read": d.rows_read,
            "rows_quarantined": d.rows_quarantined, "rows": t.to_pylist()}
