"""``install(app)``: the web application in the hub's FastAPI app.

Mounts ``/static`` (the hub's own CSS and scripts and the vendored npm builds under ``static/vendor``), includes
every page router of :data:`vrhub.server.web.pages.PAGE_ROUTERS`, and answers errors on pages as HTML pages
(``/api`` keeps its JSON errors: :mod:`vrhub.server.errors`).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from vrhub.domain.errors import VrhubError
from vrhub.server import errors
from vrhub.server.web.auth import PageForbidden, SignInNeeded, sign_in_url
from vrhub.server.web.pages import PAGE_ROUTERS
from vrhub.server.web.render import flash, render

STATIC = Path(__file__).parent / "static"
#: paths answered with the API's JSON errors rather than an HTML page
NOT_PAGES = ("/api", "/static")


def page_routes() -> list[APIRoute]:
    """Every page route (what the permission and matrix tests walk, as ``api_routes`` for the API)."""
    return [r for router in PAGE_ROUTERS for r in router.routes if isinstance(r, APIRoute)]


def is_page(request: Request) -> bool:
    return not request.url.path.startswith(NOT_PAGES)


async def sign_in_needed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInNeeded)
    response = RedirectResponse(sign_in_url(exc.next_url), status_code=303)
    if exc.ended:
        flash(response, "Your session has ended (it was idle too long, or signed out elsewhere). Sign in again.",
              "info")
    return response


async def forbidden(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageForbidden)
    return render(request, "error.html", status_code=403, heading="You cannot see this page",
                  message=exc.message, what_to_do=exc.what_to_do)


async def page_error(request: Request, exc: Exception) -> Response:
    """An error on a page as an HTML page (audited as the API's are); on ``/api`` the API's JSON answer."""
    if not is_page(request):
        return await errors.handle(request, exc)
    status, body, _ = errors.classify(exc)
    errors.audit_failure(request, exc, status, body)
    headings = {404: "Page not found", 403: "You cannot see this page", 422: "There is a problem",
                405: "Page not found"}
    return render(request, "error.html", status_code=status, heading=headings.get(status, "Sorry, there is a problem"),
                  message=body["error"]["message"], what_to_do=body["error"]["what_to_do"] or "")


def install(app: FastAPI) -> None:
    """Add the web application to ``app`` (called by ``vrhub.server.app.create_app``)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.add_exception_handler(SignInNeeded, sign_in_needed)
    app.add_exception_handler(PageForbidden, forbidden)
    for cls in (StarletteHTTPException, RequestValidationError, VrhubError, ValueError, Exception):
        app.add_exception_handler(cls, page_error)
