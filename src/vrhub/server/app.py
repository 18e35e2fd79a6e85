"""``create_app(settings)``: the hub as one FastAPI object, built in memory (a test builds it; ``vrhub serve``
builds it and hands it to uvicorn).

The OpenAPI document is at ``/api/openapi.json``. The interactive docs pages are off: they load scripts from a
CDN, and the hub makes no request off the machine.
"""

from __future__ import annotations

import datetime as dt
import shutil
import time

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from vrhub.governance.access.reconcile import reconcile
from vrhub.server import errors
from vrhub.server.dependencies import Hub
from vrhub.server.limits import BodyLimit, is_upload
from vrhub.server.oidc import Provider, SignOn
from vrhub.server.routers import admin, analysis, audit, auth, datasets, uploads
from vrhub.server.settings import HubSettings
from vrhub.server.web import app as web
from vrhub.store.workspace import Settings, Workspace
from vrhub.version import __version__

#: every router of the hub, in the order they are included
ROUTERS = (auth.router, uploads.router, datasets.router, analysis.router, audit.router, admin.router)


def api_routes() -> list[APIRoute]:
    """Every route of the hub (what the permission and matrix tests walk)."""
    return [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]


#: a temporary upload folder older than this was left by a killed server (never acknowledged): removed at start
STALE_INCOMING = dt.timedelta(hours=24)


def sweep_incoming(ws: Workspace, older_than: dt.timedelta = STALE_INCOMING) -> list[str]:
    """Remove the temporary folders of uploads a killed server never finished (and so never acknowledged).
    Only old ones: another hub process on the same workspace may be receiving into a new one."""
    incoming = ws.home / "incoming"
    if not incoming.is_dir():
        return []
    cutoff = time.time() - older_than.total_seconds()
    removed = []
    for folder in incoming.iterdir():
        if folder.is_dir() and folder.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder.name)
    return removed


#: sent with every response: no sniffing, no framing, no referrer, nothing cached (answers carry shared data)
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer",
                    "Cache-Control": "no-store"}
#: for HTML (the SNA): a self-contained page needs its inline styles and data: images, and nothing else
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'none'"


#: the web application's own files (CSS, scripts, vendored npm builds): not shared data, so browsers may keep them
STATIC_CACHE = "public, max-age=3600"


async def security_headers(request: Request, call_next):  # type: ignore[no-untyped-def]
    response = await call_next(request)
    if request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", STATIC_CACHE)
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    # a page of the web application sets its own (nonce) policy (vrhub.server.web.render.PAGE_POLICY)
    if response.headers.get("content-type", "").startswith("text/html"):
        response.headers.setdefault("Content-Security-Policy", HTML_POLICY)
    return response


def create_app(settings: HubSettings | Settings, workspace: Workspace | None = None) -> FastAPI:
    """Build the hub over the workspace ``settings`` names (opened, and migrated, here)."""
    hub_settings = settings if isinstance(settings, HubSettings) else HubSettings(workspace=settings)
    ws = workspace or Workspace.open(hub_settings.workspace)
    app = FastAPI(
        title="vrhub data-sharing hub",
        version=__version__,
        description="Partners upload under data-sharing agreements, analysts work, the board reads released "
        "aggregates; every access is audited in a hash-chained log. See docs/hub.md.",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    sweep_incoming(ws)
    reconcile(ws)  # versions a killed hub published are accounted for before anyone reads them
    sign_on = SignOn(Provider(hub_settings.oidc), ws.catalogue) if hub_settings.oidc else None
    app.state.hub = Hub(hub_settings, ws, sign_on=sign_on)
    errors.install(app)
    # innermost first: the body limit raises inside the route's own body reading (so the error handler answers)
    app.add_middleware(BodyLimit, limit=hub_settings.max_body_bytes, exempt=is_upload)
    app.middleware("http")(security_headers)
    if hub_settings.trusted_proxies:  # the client is the connecting address unless it is a configured proxy
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(hub_settings.trusted_proxies))
    for r in ROUTERS:
        app.include_router(r)
    web.install(app)  # the pages, /static, and HTML error pages off /api
    return app
