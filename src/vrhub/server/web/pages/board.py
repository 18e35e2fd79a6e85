"""The board viewer's pages: released, disclosure-controlled figures only (docs/web.md).

The dashboard renders :class:`vrhub.library.dashboard.BoardDashboard` (``Partnership.board_dashboard``), which holds
nothing exact; it is built once per set of data versions and day, and kept in the hub's cache, so a second visitor
waits for nothing. The map fetches ``/board/districts.geojson``: the district outlines with the same released
figures.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from vrhub.domain.errors import NotFound
from vrhub.governance.access import Permission
from vrhub.library import Partnership
from vrhub.library.dashboard import BoardDashboard
from vrhub.server.dependencies import Hub, Principal, get_hub, record
from vrhub.server.web import work
from vrhub.server.web.auth import page_require
from vrhub.server.web.charts import measures_spec, monthly_spec
from vrhub.server.web.render import render

router = APIRouter(include_in_schema=False)
_BUILD = threading.Lock()


def dashboard_for(hub: Hub) -> BoardDashboard:
    """The dashboard of the data current now (cached by the workspace's data version, which also moves with a new
    register, and by the day: RAG and contract states move with the date). The key is ``Catalogue.data_version``
    (ids only, one query per table: 0.6 ms on the demo workspace) where it was every dataset's ORM record with its
    coverage (12.7 ms, the largest part of a cached request: benchmarks/web.py, docs/benchmarks.md)."""
    key = ("web:board", dt.date.today(), work.data_version(hub))
    with _BUILD:
        if key not in hub.cache:
            for old in [k for k in hub.cache if isinstance(k, tuple) and k[:1] == ("web:board",)]:
                hub.cache.pop(old)
            hub.cache[key] = Partnership(hub.ws).board_dashboard().value
        return hub.cache[key]  # type: ignore[no-any-return]


@router.get("/board", response_class=HTMLResponse)
def dashboard(request: Request, hub: Hub = Depends(get_hub),
              principal: Principal = Depends(page_require(Permission.PROFILE_READ))) -> HTMLResponse:
    """The board's dashboard of released figures."""
    board = dashboard_for(hub)
    record(hub, principal, "query", object_type="board_dashboard", object_id=f"{board.start:%Y-%m}..{board.end:%Y-%m}",
           data_version=board.datasets, details={"released": True})
    return render(request, "board/dashboard.html", board=board, monthly_spec=monthly_spec(board),
                  measures_spec=measures_spec(board))


@router.get("/board/districts.geojson")
def districts(hub: Hub = Depends(get_hub),
              _: Principal = Depends(page_require(Permission.PROFILE_READ))) -> JSONResponse:
    """The district outlines with their released counts and rates (what the dashboard's map draws)."""
    doc: dict[str, Any] = dashboard_for(hub).geojson()
    return JSONResponse(doc, media_type="application/geo+json")


@router.get("/board/sna")
def sna(request: Request, principal: Principal = Depends(page_require(Permission.SNA_READ))) -> Response:
    """The released SNA: built as a job the first time on the current data (its page shows the stage and progress),
    then opened at once by everyone of the role until the data or the narrative change."""
    job = work.board_sna_job(request, principal)
    if job.status == "done":
        return RedirectResponse(f"/board/sna/{job.id}", status_code=303)
    return RedirectResponse(f"/jobs/{job.id}?back=/board", status_code=303)


def _built(request: Request, principal: Principal, job_id: str) -> Any:
    job = work.runner(request).get(job_id, principal.role, principal.name)
    if job is None or job.kind != "board_sna" or job.status != "done":
        raise NotFound(f"there is no built SNA {job_id!r}", "open the SNA from the dashboard: it is built again")
    return job.result


@router.get("/board/sna/{job_id}", response_class=HTMLResponse)
def sna_page(request: Request, job_id: str, hub: Hub = Depends(get_hub),
             principal: Principal = Depends(page_require(Permission.SNA_READ))) -> HTMLResponse:
    """The built, released SNA as its self-contained HTML page (the app's policy for HTML it did not render)."""
    page = _built(request, principal, job_id)
    record(hub, principal, "query", object_type="sna", object_id="all", data_version=page.datasets,
           details={"released": page.released})
    return HTMLResponse(page.html)


@router.get("/board/sna/{job_id}/download.pdf")
def sna_pdf(request: Request, job_id: str, hub: Hub = Depends(get_hub),
            principal: Principal = Depends(page_require(Permission.SNA_READ))) -> Response:
    """The built, released SNA as its tagged PDF."""
    page = _built(request, principal, job_id)
    record(hub, principal, "export", object_type="sna", object_id=f"{page.stem}.pdf", data_version=page.datasets,
           details={"released": page.released, "format": "pdf"})
    return Response(page.pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{page.stem}.pdf"'})
