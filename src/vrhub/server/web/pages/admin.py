"""The admin role's pages (each route takes exactly one ``page_require(Permission.X)``, the permission of the
API operation it shows)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from vrhub.governance.access import Permission
from vrhub.server.dependencies import Principal
from vrhub.server.web.auth import page_require
from vrhub.server.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def home(request: Request, _: Principal = Depends(page_require(Permission.ADMIN))) -> HTMLResponse:
    """The role's home page (a placeholder of the skeleton: replace it)."""
    return render(request, "admin/home.html")
