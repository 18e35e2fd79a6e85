"""The audit trail: an administrator reads the whole log; a partner uploader reads the events about their own
organisation's data: its uploads, and every read, query, export and purge of it by anyone (an analyst's profile,
the board's SNA), with the data versions shown limited to the organisation's own. Thin calls of the library's
:class:`~vrhub.library.viewer.Viewer`, which reads and audits."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from vrhub.governance.access import Permission
from vrhub.library import Partnership
from vrhub.library.viewer import audit_csv
from vrhub.server.dependencies import Hub, Principal, get_hub, require

router = APIRouter(tags=["audit"])


def _respond(hub: Hub, principal: Principal, own: bool, limit: int, format: str) -> Any:
    rows = Partnership(hub.ws).viewer(principal.user).audit_log(limit=limit, format=format, own=own)
    if format == "csv":
        return Response(audit_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="audit.csv"'})
    return rows


@router.get("/api/audit", response_model=None)
def whole_log(limit: int = Query(1000, ge=1, le=100_000), format: Literal["json", "csv"] = "json",
              hub: Hub = Depends(get_hub),
              principal: Principal = Depends(require(Permission.AUDIT_READ_ALL))) -> Any:
    """The newest ``limit`` rows of the whole audit log, oldest first (each with its hash and the previous
    row's)."""
    return _respond(hub, principal, False, limit, format)


@router.get("/api/audit/mine", response_model=None)
def own_trail(limit: int = Query(1000, ge=1, le=100_000), format: Literal["json", "csv"] = "json",
              hub: Hub = Depends(get_hub),
              principal: Principal = Depends(require(Permission.AUDIT_READ_OWN))) -> Any:
    """The audit trail of your organisation's data (the newest ``limit`` events): who uploaded, read, exported or
    purged it, and when."""
    return _respond(hub, principal, True, limit, format)
