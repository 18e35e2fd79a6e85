"""Dataset versions a user may see, and a version's quarantine (JSON, or CSV with formula injection neutralised)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from vrhub.governance.access import Permission
from vrhub.governance.access.scope import can_see, visible_datasets
from vrhub.report.csv_safe import write_table
from vrhub.server.dependencies import Hub, Principal, get_hub, http_error, record, require
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
    found = visible_datasets(hub.ws.catalogue, principal.user, dt.date.today(), include_withdrawn=include_withdrawn)
    record(hub, principal, "read", object_type="datasets", partner_id=principal.partner_id,
           data_version=[d.id for d in found])
    return [dataset_json(d) for d in found]


@router.get("/api/datasets/{dataset_id}/quarantine", response_model=None)
def quarantine(dataset_id: str, format: Literal["json", "csv"] = "json", limit: int = Query(1000, ge=1, le=100_000),
               hub: Hub = Depends(get_hub),
               principal: Principal = Depends(require(Permission.QUARANTINE_READ))) -> dict[str, Any] | Response:
    """The rows of a version that were quarantined, each with its line in the file and why (``format=csv`` to
    download them; cells that a spreadsheet would run as a formula are neutralised)."""
    d = hub.ws.catalogue.get(dataset_id)
    if d is None or not can_see(hub.ws.catalogue, principal.user, d, dt.date.today()):
        record(hub, principal, "read", outcome="denied", object_type="quarantine", object_id=dataset_id)
        raise http_error(404, f"no dataset {dataset_id!r} that you may see", "list yours with GET /api/datasets")

    t = hub.ws.engine().quarantine(dataset_id).order_by("_source_row").limit(limit).to_pyarrow()
    action = "export" if format == "csv" else "read"
    record(hub, principal, action, object_type="quarantine", object_id=d.id, partner_id=d.partner_id,
           data_version=d.id, details={"rows": t.num_rows, "format": format})
    if format == "csv":
        buf = io.StringIO()
        write_table(buf, t)
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{d.id}-quarantine.csv"'})
    return {"dataset_id": d.id, "source_file": d.source_file, "rows_read": d.rows_read,
            "rows_quarantined": d.rows_quarantined, "rows": t.to_pylist()}

