"""What every route is given: the hub (workspace + settings), the signed-in principal, and its permission.

Every route takes exactly one ``require(Permission.X)`` dependency (``tests/server/test_permissions.py`` fails
when one does not). ``require`` authenticates the request (a bearer API token, or the session cookie; for the
cookie, an unsafe method must also carry the session's CSRF token in ``X-CSRF-Token``: the synchroniser token
pattern of the OWASP CSRF Prevention Cheat Sheet), checks the role's grants, and audits a refusal.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from vrhub.governance.access import Permission, allowed
from vrhub.governance.access.accounts import session_user, user_for_token
from vrhub.server.oidc import SignOn
from vrhub.server.settings import HubSettings
from vrhub.store import audit
from vrhub.store.catalogue.models import User
from vrhub.store.workspace import Workspace

COOKIE = "vrhub_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(auto_error=False, description="An API token made with 'vrhub hub token add'.")
cookie = APIKeyCookie(name=COOKIE, auto_error=False, description="The session cookie set by POST /api/session.")


@dataclass
class Hub:
    """The application's state: settings, workspace, an in-memory cache of built profiles, single sign-on."""

    settings: HubSettings
    ws: Workspace
    cache: dict[Any, Any] = field(default_factory=dict)
    sign_on: SignOn | None = None  # single sign-on, when configured


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
               headers: dict[str, str] | None = None) -> HTTPException:
    return HTTPException(status, {"message": message, "what_to_do": what_to_do}, headers=headers)


def record(hub: Hub, principal: Principal | None, action: str, *, outcome: str = "ok", **kw: Any) -> None:
    """Audit one event by ``principal`` (or an anonymous caller)."""
    audit.record(hub.ws.catalogue, actor=principal.name if principal else "anonymous",
                 actor_role=principal.role if principal else "", action=action, outcome=outcome, **kw)


def _authenticate(request: Request, hub: Hub, creds: HTTPAuthorizationCredentials | None,
                  session_cookie: str | None) -> Principal | None:
    catalogue = hub.ws.catalogue
    if creds is not None:
        u = user_for_token(catalogue, creds.credentials)
        if u is None:
            raise http_error(401, "the API token is not valid (unknown, expired or revoked)",
                             "ask the hub administrator for a new token", {"WWW-Authenticate": "Bearer"})
        return Principal(u, "token", client=client_of(request))
    if session_cookie:
        found = session_user(catalogue, session_cookie)
        if found is None:
            raise http_error(401, "your session has ended", "sign in again (POST /api/session)")
        u, csrf = found
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER, "")
            if not hmac.compare_digest(sent.encode(), csrf.encode()):
                raise http_error(403, f"the {CSRF_HEADER} header is missing or wrong (cross-site request refused)",
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
        if principal is None:
            raise http_error(401, "sign in first", "POST /api/session with your user name and password, or send "
                             "an API token as 'Authorization: Bearer TOKEN'", {"WWW-Authenticate": "Bearer"})
        if not allowed(principal.role, permission):
            record(hub, principal, "denied", outcome="denied", object_type="endpoint",
                   object_id=f"{request.method} {request.url.path}", details={"needs": permission.value})
            raise http_error(403, f"the role {principal.role} may not do this (it needs the {permission.value} "
                             "permission)", "ask the hub administrator if your role should allow it")
        return principal

    dependency.permission = permission  # type: ignore[attr-defined]
    return dependency
