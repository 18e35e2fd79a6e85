"""The board viewer's pages: released, disclosure-controlled figures only (docs/web.md)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from vrhub.governance.access import Permission
from vrhub.server.dependencies import Principal
from vrhub.server.web.auth import page_require
from vrhub.server.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/board", response_class=HTMLResponse)
def dashboard(request: Request, _: Principal = Depends(page_require(Permission.PROFILE_READ))) -> HTMLResponse:
    """The board's dashboard of released figures."""
    return render(request, "board/dashboard.html")
