"""The one error handler: every error leaves the hub as JSON ``{"error": {"status", "message", "what_to_do"}}``.

    HTTPException (FastAPI/Starlette)  its status and detail
    RequestValidationError             422, with each field's problem
    VrhubError                         the class's ``http_status`` (see ``vrhub.domain.errors``): NotFound and
                                       NoDataError 404, Conflict 409, AgreementMissing 403, the rest 422
    ValueError                         422 (a library's own check on an argument)
    anything else                      500, logged; the message says nothing of the internals

A change (POST, PATCH, DELETE) by a signed-in user that fails is written to the audit log here, unless the route
audited the refusal itself (an ``http_error(..., audited=True)``): a failed administrative call, an upload that
broke, a body that did not validate.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from vrhub.domain.errors import VrhubError

log = logging.getLogger("vrhub.server")


def error_body(status: int, message: str, what_to_do: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": {"status": status, "message": message, "what_to_do": what_to_do, **extra}}


def classify(exc: Exception) -> tuple[int, dict[str, Any], dict[str, str]]:
    """(status, body, headers) for an exception."""
    if isinstance(exc, StarletteHTTPException):
        detail = exc.detail
        if isinstance(detail, dict):
            return exc.status_code, error_body(exc.status_code, detail.get("message", ""), detail.get("what_to_do")), \
                dict(exc.headers or {})
        return exc.status_code, error_body(exc.status_code, str(detail)), dict(exc.headers or {})
    if isinstance(exc, RequestValidationError):
        problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
                    for e in exc.errors()]
        text = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
        return 422, error_body(422, f"the request is not valid: {text}", "correct the fields named and send it again",
                               problems=problems), {}
    if isinstance(exc, VrhubError):
        return exc.http_status, error_body(exc.http_status, exc.message, exc.hint or None), {}
    if isinstance(exc, ValueError):
        return 422, error_body(422, str(exc), "correct the request and send it again"), {}
    log.exception("unexpected error", exc_info=exc)
    return 500, error_body(500, "the hub failed to answer this request (the error is in the server's log)",
                           "try again; if it happens again, tell the hub administrator the time it happened"), {}


UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def audit_failure(request: Request, exc: Exception, status: int, body: dict[str, Any]) -> None:
    """Audit a failed change by a signed-in user that its route did not audit itself."""
    principal = getattr(request.state, "principal", None)
    if principal is None or request.method not in UNSAFE or getattr(exc, "audited", False):
        return
    from vrhub.store import audit

    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    try:
        audit.record(request.app.state.hub.ws.catalogue, actor=principal.name, actor_role=principal.role,
                     action="request", outcome="failed", object_type="endpoint", object_id=f"{request.method} {path}",
                     partner_id=principal.partner_id,
                     details={"status": status, "error": body["error"]["message"][:500], "client": principal.client})
    except Exception:  # the catalogue itself is failing: the answer still goes out, and the log says why
        log.exception("could not audit a failed request")


async def handle(request: Request, exc: Exception) -> JSONResponse:
    status, body, headers = classify(exc)
    audit_failure(request, exc, status, body)
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    for cls in (StarletteHTTPException, RequestValidationError, VrhubError, ValueError, Exception):
        app.add_exception_handler(cls, handle)
