"""Sign in, sign out, and ``/``: each role's home.

The sign-in form is the API's password check (``vrhub.server.routers.auth.check_password``: the same throttle and
audit) and opens the same session. Before there is a session, its form is protected from cross-site posting by a
double-submit token (a random cookie echoed in a hidden field; OWASP CSRF Prevention Cheat Sheet, "login CSRF").
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from vrhub.governance.access import Permission
from vrhub.governance.access.accounts import close_session
from vrhub.server.dependencies import COOKIE, Hub, Principal, client_of, get_hub, record
from vrhub.server.routers.auth import check_password, start_session
from vrhub.server.web.auth import page_require
from vrhub.server.web.render import flash, render

router = APIRouter(include_in_schema=False)

#: each role's home page
HOMES = {"partner_uploader": "/partner", "analyst": "/analyst", "board_viewer": "/board", "admin": "/admin"}
SIGN_IN_COOKIE = "vrhub_sign_in"


def safe_next(next_url: str | None) -> str | None:
    """``next_url`` if it is a path on this hub (never another site: no open redirect), else ``None``."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//") or "\\" in next_url:
        return None
    return next_url


def _sign_in_page(request: Request, hub: Hub, next_url: str | None, errors: list[dict[str, str]] | None = None,
                  username: str = "", status_code: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(request, "home/sign_in.html", status_code=status_code, next_url=safe_next(next_url) or "",
                      sign_in_token=token, errors=errors or [], username=username,
                      single_sign_on=hub.sign_on is not None)
    response.set_cookie(SIGN_IN_COOKIE, token, max_age=3600, path="/sign-in", secure=hub.settings.cookie_secure,
                        httponly=True, samesite="strict")
    return response


@router.get("/", response_class=HTMLResponse)
def home(principal: Principal | None = Depends(page_require(Permission.PUBLIC))) -> Response:
    """The signed-in role's home page; the sign-in page for anyone else."""
    if principal is None:
        return RedirectResponse("/sign-in", status_code=303)
    return RedirectResponse(HOMES.get(principal.role, "/sign-in"), status_code=303)


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str | None = None, hub: Hub = Depends(get_hub),
                 principal: Principal | None = Depends(page_require(Permission.PUBLIC))) -> Response:
    """The sign-in form (a signed-in user goes on to where they were going, or home)."""
    if principal is not None:
        return RedirectResponse(safe_next(next) or HOMES.get(principal.role, "/"), status_code=303)
    return _sign_in_page(request, hub, next)


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in(request: Request, username: str = Form("", max_length=200), password: str = Form("", max_length=1024),
            next: str = Form("", max_length=2000), sign_in_token: str = Form("", max_length=100),
            hub: Hub = Depends(get_hub),
            _: Principal | None = Depends(page_require(Permission.PUBLIC))) -> Response:
    """Check the user name and password; open a session and go to the role's home (or ``next``)."""
    expected = request.cookies.get(SIGN_IN_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), sign_in_token.encode()):
        return _sign_in_page(request, hub, next, [{"href": "#username", "text": "The sign-in form had expired. "
                                                   "Enter your user name and password again."}], username, 400)
    missing = [{"href": f"#{field}", "text": f"Enter your {label}"}
               for field, label, value in (("username", "user name", username), ("password", "password", password))
               if not value]
    if missing:
        return _sign_in_page(request, hub, next, missing, username, 400)
    try:
        u = check_password(hub, username, password, client_of(request))
    except HTTPException as exc:
        detail = exc.detail if isinstance(exc.detail, dict) else {"message": str(exc.detail)}
        text = detail["message"][:1].upper() + detail["message"][1:]
        return _sign_in_page(request, hub, next, [{"href": "#username", "text": text}], username, exc.status_code)
    response = RedirectResponse(safe_next(next) or HOMES.get(u.role, "/"), status_code=303)
    start_session(hub, response, u, client_of(request), "password")
    response.delete_cookie(SIGN_IN_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out", response_class=HTMLResponse)
def sign_out(hub: Hub = Depends(get_hub),
             principal: Principal = Depends(page_require(Permission.SIGNED_IN))) -> Response:
    """End the session on the server, clear the cookie, and say so on the sign-in page."""
    if principal.session_secret:
        close_session(hub.ws.catalogue, principal.session_secret)
    record(hub, principal, "logout", object_type="user", object_id=principal.name)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(COOKIE, path="/", secure=hub.settings.cookie_secure, httponly=True, samesite="strict")
    return flash(response, "You have signed out.")
