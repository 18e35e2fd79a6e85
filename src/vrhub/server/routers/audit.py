"""The audit trail: an administrator reads the whole log; a partner uploader reads the events about their own
organisation's data: its uploads, and every read, query, export and purge of it by anyone (an analyst's profile,
the board's SNA), with the data versions shown limited to the organisation's own."""

from __future__ import annotations

import io
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from vrhub.governance.access import Permission
from vrhub.report.csv_safe import write_rows
from vrhub.server.dependencies import Hub, Principal, get_hub, record, require
from vrhub.store import audit

router = APIRouter(tags=["audit"])
COLUMNS = ["id", "at", "actor", "actor_role", "action", "object_type", "object_id", "partner_id", "data_version",
           "outcome", "details", "prev_hash", "hash"]


def _own_versions(row: dict[str, Any], own: set[str]) -> dict[str, Any]:
    """An event as its organisation sees it: of the data versions it names, only the organisation's own."""
    return {**row, "data_version": ",".join(v for v in row["data_version"].split(",") if v in own)}


def _respond(hub: Hub, principal: Principal, partner_id: int | None, limit: int, format: str) -> Any:
    rows = [audit.to_json(e) for e in audit.latest(hub.ws.catalogue, partner_id=partner_id, limit=limit)]
    if partner_id is not None:
        own = {d.id for d in hub.ws.catalogue.datasets(include_withdrawn=True) if d.partner_id == partner_id}
        rows = [_own_versions(r, own) for r in rows]
    record(hub, principal, "export" if format == "csv" else "read", object_type="audit_log",
           object_id="all" if partner_id is None else f"organisation {partner_id}", partner_id=partner_id,
           details={"rows": len(rows), "format": format})
    if format == "csv":
        import json

        buf = io.StringIO()
        write_rows(buf, COLUMNS, ([json.dumps(r[c]) if c == "details" else r[c] for c in COLUMNS] for r in rows))
        return Response(buf.getvalue(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return rows


@router.get("/api/audit", response_model=None)
def whole_log(limit: int = Query(1000, ge=1, le=100_000), format: Literal["json", "csv"] = "json",
              hub: Hub = Depends(get_hub),
              principal: Principal = Depends(require(Permission.AUDIT_READ_ALL))) -> Any:
    """The newest ``limit`` rows of the whole audit log, oldest first (each with its hash and the previous
    row's)."""
    return _respond(hub, principal, None, limit, format)


@router.get("/api/audit/mine", response_model=None)
def own_trail(limit: int = Query(1000, ge=1, le=100_000), format: Literal["json", "csv"] = "json",
              hub: Hub = Depends(get_hub),
              principal: Principal = Depends(require(Permission.AUDIT_READ_OWN))) -> Any:
    """The audit trail of your organisation's data (the newest ``limit`` events): who uploaded, read, exported or
    purged it, and when."""
    return _respond(hub, principal, principal.partner_id if principal.partner_id is not None else -1, limit, format)
