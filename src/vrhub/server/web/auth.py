"""``page_require(Permission.X)``: the pages' permission check, the API's (``vrhub.server.dependencies.require``)
with a browser's answers.

The page is signed in by the hub's session cookie only (API tokens are for programs). Not signed in, or a session
that ended (idle or too old): a 303 to ``/sign-in?next=...``. A role without the permission: the 403 page, and the
refusal is audited exactly as the API audits it. A POST, PUT, PATCH or DELETE must carry the session's CSRF token
(the OWASP synchroniser token pattern the API already uses) in a hidden ``csrf_token`` form field, or in the
``X-CSRF-Token`` header (for a script's request, e.g. an upload sent with a progress bar).
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import Depends, Request

from vrhub.governance.access import Permission, allowed
from vrhub.governance.access.accounts import session_user
from vrhub.server.dependencies import (
    CSRF_HEADER,
    SAFE_METHODS,
    Hub,
    Principal,
    client_of,
    cookie,
    get_hub,
    record,
)
from vrhub.store import audit

CSRF_FIELD = "csrf_token"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class SignInNeeded(Exception):
    """Not signed in (or the session ended): answered with a 303 to the sign-in page."""

    def __init__(self, next_url: str, ended: bool = False) -> None:
        super().__init__(next_url)
        self.next_url = next_url
        self.ended = ended


class PageForbidden(Exception):
    """The role may not see this page (or the form's CSRF token is wrong): answered with the 403 page."""

    def __init__(self, message: str, what_to_do: str) -> None:
        super().__init__(message)
        self.message = message
        self.what_to_do = what_to_do


def sign_in_url(next_url: str) -> str:
    return "/sign-in?next=" + quote(next_url, safe="/")


def current_path(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


async def _sent_csrf(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").split(";")[0].strip() in FORM_TYPES:
        form = await request.form()  # cached on the request: the route's own Form(...) parameters read it again
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def page_require(permission: Permission) -> Callable[..., Awaitable[Principal | None]]:
    """A dependency for a page: the signed-in principal if its role has ``permission`` (``None`` for
    ``Permission.PUBLIC`` when nobody is signed in); else a redirect to sign in, or the audited 403 page."""

    async def dependency(request: Request, hub: Hub = Depends(get_hub),
                         session_cookie: str | None = Depends(cookie)) -> Principal | None:
        principal = None
        if session_cookie:
            found = session_user(hub.ws.catalogue, session_cookie, idle_minutes=hub.settings.session_idle_minutes,
                                 hours=hub.settings.session_hours)
            if found is not None:
                u, csrf = found
                principal = Principal(u, "session", session_cookie, client_of(request))
                request.state.principal = principal
                request.state.csrf_token = csrf
                if request.method not in SAFE_METHODS:
                    sent = await _sent_csrf(request)
                    if not hmac.compare_digest(sent.encode(), csrf.encode()):
                        audit.record(hub.ws.catalogue, actor=u.username, action="auth", outcome="denied",
                                     object_type="csrf", object_id=u.username,
                                     details={"reason": "CSRF token missing or wrong", "client": client_of(request),
                                              "request": f"{request.method} {request.url.path}"})
                        raise PageForbidden("This form was not sent from the hub's own page (its security token is "
                                            "missing or out of date).", "Go back, reload the page and send it again.")
        if permission is Permission.PUBLIC:
            return principal
        if principal is None:
            if session_cookie:  # audited as the API audits an ended session
                audit.record(hub.ws.catalogue, actor="anonymous", action="auth", outcome="denied",
                             object_type="session", object_id="",
                             details={"reason": "session ended or unknown", "client": client_of(request),
                                      "request": f"{request.method} {request.url.path}"})
            raise SignInNeeded(current_path(request) if request.method in SAFE_METHODS else "/", bool(session_cookie))
        if not allowed(principal.role, permission):
            record(hub, principal, "denied", outcome="denied", object_type="endpoint",
                   object_id=f"{request.method} {request.url.path}", details={"needs": permission.value})
            raise PageForbidden(f"Your role ({principal.role.replace('_', ' ')}) cannot see this page: it needs the "
                                f"{permission.value} permission.",
                                "Ask the hub administrator if your role should allow it.")
        return principal

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
