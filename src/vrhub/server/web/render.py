"""``render(request, template, **ctx)``: a page from a Jinja2 template, with what every page needs.

Every page gets ``user`` (the signed-in :class:`~vrhub.store.catalogue.models.User` or ``None``), ``role``,
``csrf_token`` (for the hidden field of every form), ``csp_nonce`` (this response's Content-Security-Policy nonce),
``nav`` (the links of the role's pages), ``flash`` (messages left by the previous request, e.g. "signed out"),
``demo`` (whether the workspace holds synthetic/demo data: the phase banner says so) and ``service_name``.

The Content-Security-Policy of a page allows scripts from the hub itself and the one nonce; no inline script runs
without it (``PAGE_POLICY``). Templates are autoescaped.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
SERVICE_NAME = "vrhub"
FLASH_COOKIE = "vrhub_flash"

#: the policy of every page: the hub's own scripts and this response's nonce; styles from the hub's files only
#: (govuk-frontend needs no inline style; charts render to canvas and Leaflet styles elements through the CSSOM,
#: which a policy does not govern); images from the hub and data:/blob: URLs (Leaflet, Vega's canvas export)
PAGE_POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data: blob:; "
               "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
               "frame-ancestors 'none'")

environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                          trim_blocks=True, lstrip_blocks=True)
environment.filters["tojson_script"] = lambda v: json.dumps(v, default=str).replace("<", "\\u003c")
#: a released count: ``[c]`` where it is suppressed (the released files' mark), else with thousands separators
environment.filters["count"] = lambda v: "[c]" if v is None else f"{v:,}"
environment.filters["rate"] = lambda v: "[c]" if v is None else f"{v:,.1f}"


@dataclass(frozen=True)
class Link:
    href: str
    text: str


#: each role's pages, in the header's order (the other engineers add theirs here)
NAV: dict[str, tuple[Link, ...]] = {
    "partner_uploader": (Link("/partner", "Uploads"), Link("/partner/datasets", "Your data"),
                         Link("/partner/audit", "Audit trail")),
    "analyst": (Link("/analyst", "Analysis"), Link("/analyst/catalogue", "Catalogue"),
                Link("/analyst/explorer", "Explorer"), Link("/analyst/hotspots", "Hot spots"),
                Link("/analyst/services", "What works"), Link("/analyst/sna", "SNA"),
                Link("/registers/services", "Services register"), Link("/registers/actions", "Action plans")),
    "board_viewer": (Link("/board", "Dashboard"),),
    "admin": (Link("/admin", "Administration"), Link("/admin/agreements", "Agreements"),
              Link("/admin/users", "Users"), Link("/admin/tokens", "Tokens"), Link("/admin/audit", "Audit"),
              Link("/registers/actions", "Action plans"), Link("/registers/services", "Services")),
}


def flash(response: Response, message: str, kind: str = "success") -> Response:
    """Leave ``message`` for the next page shown (a notification banner): ``kind`` is ``success`` or ``info``."""
    response.set_cookie(FLASH_COOKIE, quote(json.dumps([kind, message[:300]])), max_age=60, path="/",
                        httponly=True, samesite="strict", secure=False)
    return response


def _flash_of(request: Request) -> list[dict[str, str]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        kind, message = json.loads(unquote(raw))
    except (ValueError, TypeError):
        return []
    return [{"kind": "success" if kind == "success" else "info", "message": str(message)}]


def is_demo(request: Request) -> bool:
    """Whether the workspace is the demo (synthetic people; the phase banner says so)."""
    hub = request.app.state.hub
    cached = hub.cache.get("web:is_demo")
    if cached is None:
        home = hub.ws.home
        cached = (home / "demo.json").exists() or (home / ".demo").exists() or home.name == "vrhub-home"
        hub.cache["web:is_demo"] = cached
    return bool(cached)


def context(request: Request, **ctx: Any) -> dict[str, Any]:
    """The template context of a page (what :func:`render` passes)."""
    principal = getattr(request.state, "principal", None)
    user = principal.user if principal is not None else None
    role = user.role if user is not None else None
    nonce = getattr(request.state, "csp_nonce", None) or secrets.token_urlsafe(16)
    request.state.csp_nonce = nonce
    return {"request": request, "user": user, "role": role, "csrf_token": getattr(request.state, "csrf_token", ""),
            "csp_nonce": nonce, "nav": NAV.get(role or "", ()), "flash": _flash_of(request), "demo": is_demo(request),
            "service_name": SERVICE_NAME, "current_path": request.url.path, **ctx}


def render(request: Request, template_name: str, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    """The page ``template_name`` (under ``web/templates``) with ``ctx`` and the common context."""
    values = context(request, **ctx)
    html = environment.get_template(template_name).render(values)
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Security-Policy"] = PAGE_POLICY.format(nonce=values["csp_nonce"])
    if values["flash"]:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response
