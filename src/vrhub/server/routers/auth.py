"""Sign in and out (local accounts), who am I, and a health check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

from vrhub.governance.access import Permission, throttle
from vrhub.governance.access.accounts import active_user, authenticate, close_session, open_session
from vrhub.server.dependencies import COOKIE, Hub, Principal, client_of, get_hub, http_error, record, require
from vrhub.server.oidc import OidcError
from vrhub.store import audit
from vrhub.store.catalogue.models import User
from vrhub.store.health import problems as health_problems

router = APIRouter(tags=["sign-in"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)


def user_json(p: Principal) -> dict[str, Any]:
    u = p.user
    return {"username": u.username, "display_name": u.display_name, "role": u.role, "organisation_id": u.partner_id,
            "organisation": u.partner.name if u.partner else None, "signed_in_with": p.via}


@router.get("/api/health", responses={503: {"description": "the catalogue database or the lake cannot be reached"}})
def health(hub: Hub = Depends(get_hub), _: None = Depends(require(Permission.PUBLIC))) -> dict[str, str]:
    """Whether the hub can work: its catalogue database answers and its lake folder is there (no sign-in needed;
    503 when not, without saying more to an anonymous caller than which part is down)."""
    found = health_problems(hub.ws)
    if found:
        raise http_error(503, "the hub cannot work now: " + "; ".join(found),
                         "tell the hub administrator (the server's log says why)", {"Retry-After": "30"})
    return {"status": "ok"}


@router.post("/api/session")
def sign_in(body: Credentials, request: Request, response: Response, hub: Hub = Depends(get_hub),
            _: None = Depends(require(Permission.PUBLIC))) -> dict[str, Any]:
    """Sign in with a local account: sets the session cookie (Secure, HttpOnly, SameSite=Strict) and returns the
    CSRF token to send in ``X-CSRF-Token`` with every POST, PATCH or DELETE made with the cookie."""
    u = check_password(hub, body.username, body.password, client_of(request))
    return start_session(hub, response, u, client_of(request), "password")


def check_password(hub: Hub, username: str, password: str, client: str) -> User:
    """The user of ``username`` and ``password`` (the API's and the sign-in page's check): refused with 429 past the
    throttle's limit, or 401; each refusal audited."""
    s = hub.settings
    slot = throttle.claim(hub.ws.catalogue, username, limit=s.login_attempts,
                          window=dt.timedelta(minutes=s.login_window_minutes))
    if not slot.allowed:  # decided before the password is checked, atomically (governance/access/throttle.py)
        audit.record(hub.ws.catalogue, actor="anonymous", action="login", object_type="user",
                     object_id=username, outcome="throttled", details={"client": client})
        raise http_error(429, f"too many failed sign-ins for {username!r}: try again in "
                         f"{s.login_window_minutes} minutes", "wait, or ask the hub administrator to check the account",
                         {"Retry-After": str(slot.retry_after)}, audited=True)
    u = authenticate(hub.ws.catalogue, username, password)
    if u is None:
        audit.record(hub.ws.catalogue, actor="anonymous", action="login", object_type="user",
                     object_id=username, outcome="denied", details={"client": client})
        raise http_error(401, "the user name or password is wrong", "check them and try again", audited=True)
    throttle.release(hub.ws.catalogue, username)
    return u


def start_session(hub: Hub, response: Response, u: User, client: str, method: str) -> dict[str, Any]:
    """Open a session for ``u``: set the cookie, audit the sign-in, return the user and the CSRF token."""
    s = hub.settings
    session = open_session(hub.ws.catalogue, u, s.session_hours, s.session_idle_minutes)
    response.set_cookie(COOKIE, session.secret, max_age=int(s.session_hours * 3600), path="/",
                        secure=s.cookie_secure, httponly=True, samesite="strict")
    principal = Principal(u, "session", session.secret, client)
    audit.record(hub.ws.catalogue, actor=u.username, actor_role=u.role, action="login", object_type="user",
                 object_id=u.username, partner_id=u.partner_id, details={"client": client, "method": method})
    return {"user": user_json(principal), "csrf_token": session.csrf_token,
            "expires_at": session.expires_at.isoformat()}


def _sign_on(hub: Hub):  # type: ignore[no-untyped-def]
    if hub.sign_on is None:
        raise http_error(404, "single sign-on is not configured on this hub",
                         "sign in with your user name and password (POST /api/session)")
    return hub.sign_on


@router.get("/api/oidc/login", status_code=307)
def oidc_login(hub: Hub = Depends(get_hub), _: None = Depends(require(Permission.PUBLIC))) -> RedirectResponse:
    """Single sign-on: redirects to the organisation's identity provider (OpenID Connect, with PKCE)."""
    try:
        return RedirectResponse(_sign_on(hub).authorization_url(), status_code=307)
    except OidcError as exc:
        raise http_error(502, f"single sign-on is unavailable: {exc}", "sign in with your password") from exc


@router.get("/api/oidc/callback")
def oidc_callback(request: Request, response: Response, code: str = Query(..., max_length=4096),
                  state: str = Query(..., max_length=128), hub: Hub = Depends(get_hub),
                  _: None = Depends(require(Permission.PUBLIC))) -> dict[str, Any]:
    """Where the identity provider sends the browser back: checks the ID token and opens a session for the hub
    user it names (who must already exist: single sign-on proves identity, the hub decides the role)."""
    sign_on = _sign_on(hub)
    client = client_of(request)
    try:
        username = sign_on.username(code, state)
    except OidcError as exc:
        audit.record(hub.ws.catalogue, actor="anonymous", action="login", object_type="user", object_id="",
                     outcome="denied", details={"client": client, "method": "oidc", "reason": str(exc)})
        raise http_error(401, f"single sign-on failed: {exc}", "start again from /api/oidc/login") from exc
    u = active_user(hub.ws.catalogue, username)
    if u is None:
        audit.record(hub.ws.catalogue, actor="anonymous", action="login", object_type="user", object_id=username,
                     outcome="denied", details={"client": client, "method": "oidc", "reason": "no such hub user"})
        raise http_error(401, f"{username} is not a user of this hub", "ask the hub administrator to add you")
    return start_session(hub, response, u, client, "oidc")


@router.delete("/api/session")
def sign_out(response: Response, hub: Hub = Depends(get_hub),
             principal: Principal = Depends(require(Permission.SIGNED_IN))) -> dict[str, str]:
    """Sign out: the session ends on the server and the cookie is cleared."""
    if principal.session_secret:
        close_session(hub.ws.catalogue, principal.session_secret)
    response.delete_cookie(COOKIE, path="/", secure=hub.settings.cookie_secure, httponly=True, samesite="strict")
    record(hub, principal, "logout", object_type="user", object_id=principal.name)
    return {"status": "signed out"}


@router.get("/api/me")
def me(principal: Principal = Depends(require(Permission.SIGNED_IN))) -> dict[str, Any]:
    """Who is signed in, with which role and organisation."""
    return user_json(principal)
