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
from fastapi.responses import HTMLResponse, JSONResponse

from vrhub.governance.access import Permission
from vrhub.library import Partnership
from vrhub.library.dashboard import BoardDashboard
from vrhub.server.dependencies import Hub, Principal, get_hub, record
from vrhub.server.web.auth import page_require
from vrhub.server.web.charts import measures_spec, monthly_spec
from vrhub.server.web.render import render

router = APIRouter(include_in_schema=False)
_BUILD = threading.Lock()


def dashboard_for(hub: Hub) -> BoardDashboard:
    """The dashboard of the data versions current now (cached by them and by the day: RAG and contract states move
    with the date)."""
    key = ("web:board", dt.date.today(), tuple(sorted(d.id for d in hub.ws.catalogue.datasets())))
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
