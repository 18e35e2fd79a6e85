"""What every route is given: the hub (workspace + settings), the signed-in principal, and its permission.

Every route takes exactly one ``require(Permission.X)`` dependency (``tests/server/test_permissions.py`` fails
when one does not). ``require`` authenticates the request (a bearer API token, or the session cookie; for the
cookie, an unsafe method must also carry the session's CSRF token in ``X-CSRF-Token``: the synchroniser token
pattern of the OWASP CSRF Prevention Cheat Sheet), checks the role's grants, and audits every refusal: a forged,
expired or revoked token, an ended session, a missing CSRF token, a role without the permission. It leaves the
principal on ``request.state`` so that the error handler can audit a failed change (``vrhub.server.errors``).
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from vrhub.governance.access import Permission, allowed
from vrhub.governance.access.accounts import check_token, session_user
from vrhub.server.oidc import SignOn
from vrhub.server.settings import HubSettings
from vrhub.store import audit
from vrhub.store.catalogue.models import User
from vrhub.store.workspace import Workspace

T = TypeVar("T")
COOKIE = "vrhub_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(auto_error=False, description="An API token made with 'vrhub hub token add'.")
cookie = APIKeyCookie(name=COOKIE, auto_error=False, description="The session cookie set by POST /api/session.")


@dataclass
class Hub:
    """The application's state: settings, workspace, an in-memory cache of built profiles, single sign-on, and the
    upload slots.

    ``upload_slots`` lets ``settings.uploads_at_once`` uploads load at a time (the API's and the web pages' alike).
    A thread semaphore, not an anyio limiter: an anyio limiter belongs to the event loop that made it, and a hub
    served by more than one loop (the test client runs one per calling thread) deadlocked on it, a release in one
    loop never waking a waiter in another (``tests/server/test_concurrency.py`` hung). It is taken in the worker
    thread, never across an await."""

    settings: HubSettings
    ws: Workspace
    cache: dict[Any, Any] = field(default_factory=dict)
    sign_on: SignOn | None = None  # single sign-on, when configured
    uploads_loading: int = 0  # uploads being loaded now (readers are then given the last complete profile)
    upload_slots: threading.BoundedSemaphore = field(init=False)

    def __post_init__(self) -> None:
        self.upload_slots = threading.BoundedSemaphore(max(1, self.settings.uploads_at_once))

    def in_an_upload_slot(self, work: Callable[[], T]) -> T:
        """Run ``work`` (in a worker thread) once one of the upload slots is free."""
        with self.upload_slots:
            return work()


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user, how they signed in (``token`` or ``session``), and the request's client."""

    user: User
    via: str
    session_secret: str | None = None
    client: str = ""

    @property
    def name(self) -> str:
        return self.user.username

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def partner_id(self) -> int | None:
        return self.user.partner_id


def get_hub(request: Request) -> Hub:
    return request.app.state.hub


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def http_error(status: int, message: str, what_to_do: str | None = None,
               headers: dict[str, str] | None = None, *, audited: bool = False) -> HTTPException:
    """An error answer; ``audited`` says the refusal is already in the audit log (the error handler then leaves it)."""
    exc = HTTPException(status, {"message": message, "what_to_do": what_to_do}, headers=headers)
    exc.audited = audited  # type: ignore[attr-defined]
    return exc


def record(hub: Hub, principal: Principal | None, action: str, *, outcome: str = "ok", **kw: Any) -> None:
    """Audit one event by ``principal`` (or an anonymous caller)."""
    audit.record(hub.ws.catalogue, actor=principal.name if principal else "anonymous",
                 actor_role=principal.role if principal else "", action=action, outcome=outcome, **kw)


def _refuse(hub: Hub, request: Request, actor: str, action: str, object_type: str, object_id: str, reason: str,
            status: int, message: str, what_to_do: str, headers: dict[str, str] | None = None) -> HTTPException:
    """Audit a refused request and return the error to raise."""
    audit.record(hub.ws.catalogue, actor=actor, action=action, outcome="denied", object_type=object_type,
                 object_id=object_id, details={"reason": reason, "client": client_of(request),
                                               "request": f"{request.method} {request.url.path}"})
    return http_error(status, message, what_to_do, headers, audited=True)


def _authenticate(request: Request, hub: Hub, creds: HTTPAuthorizationCredentials | None,
                  session_cookie: str | None) -> Principal | None:
    catalogue = hub.ws.catalogue
    if creds is not None:
        found = check_token(catalogue, creds.credentials, max_days=hub.settings.token_max_days)
        if found.user is None:  # the token itself is never written down: its id, if it is a real one
            raise _refuse(hub, request, found.username or "anonymous", "auth", "token",
                          str(found.token_id or ""), found.reason, 401,
                          "the API token is not valid (unknown, expired or revoked)",
                          "ask the hub administrator for a new token", {"WWW-Authenticate": "Bearer"})
        return Principal(found.user, "token", client=client_of(request))
    if session_cookie:
        found_session = session_user(catalogue, session_cookie, idle_minutes=hub.settings.session_idle_minutes,
                                     hours=hub.settings.session_hours)
        if found_session is None:
            raise _refuse(hub, request, "anonymous", "auth", "session", "", "session ended or unknown", 401,
                          "your session has ended", "sign in again (POST /api/session)")
        u, csrf = found_session
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), csrf.encode()):
                raise _refuse(hub, request, u.username, "auth", "csrf", u.username,
                              "CSRF token missing or wrong", 403,
                              f"the {CSRF_HEADER} header is missing or wrong (cross-site request refused)",
                              f"send the csrf_token returned at sign-in in the {CSRF_HEADER} header")
        return Principal(u, "session", session_cookie, client_of(request))
    return None


def require(permission: Permission) -> Callable[..., Principal | None]:
    """A dependency that lets the request through only for a role granted ``permission``; returns the principal
    (``None`` for ``Permission.PUBLIC`` when nobody is signed in)."""

    def dependency(
        request: Request,
        hub: Hub = Depends(get_hub),
        creds: HTTPAuthorizationCredentials | None = Depends(bearer),
        session_cookie: str | None = Depends(cookie),
    ) -> Principal | None:
        if permission is Permission.PUBLIC:
            return None
        principal = _authenticate(request, hub, creds, session_cookie)
        request.state.principal = principal
        if principal is None:
            raise http_error(401, "sign in first", "POST /api/session with your user name and password, or send "
                             "an API token as 'Authorization: Bearer TOKEN'", {"WWW-Authenticate": "Bearer"})
        if not allowed(principal.role, permission):
            record(hub, principal, "denied", outcome="denied", object_type="endpoint",
                   object_id=f"{request.method} {request.url.path}", details={"needs": permission.value})
            raise http_error(403, f"the role {principal.role} may not do this (it needs the {permission.value} "
                             "permission)", "ask the hub administrator if your role should allow it", audited=True)
        return principal

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
