"""Who may open each partner and administrator page (the role × page matrix: the same permission as the API
operation each performs), and CSRF: a form posted without the session's token is refused and audited. Plain HTTP
through the app (TestClient), no browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from vrhub_webkit import HOMES, PASSWORD, USERS

from vrhub.governance.access import allowed
from vrhub.server import create_app
from vrhub.server.web.app import page_routes
from vrhub.server.web.auth import page_require  # noqa: F401  (the dependency whose permission is read below)
from vrhub.store import audit

MINE = ("/partner", "/admin", "/registers")


def permission_of(route) -> object:  # type: ignore[no-untyped-def]
    found = [d.call.permission for d in route.dependant.dependencies if hasattr(d.call, "permission")]
    assert len(found) == 1, route.path
    return found[0]


def my_routes() -> list[tuple[str, str, object]]:
    return sorted((m, r.path, permission_of(r)) for r in page_routes() if r.path.startswith(MINE)
                  for m in r.methods)


@pytest.fixture(scope="module")
def client(web_world):  # type: ignore[no-untyped-def]
    app = create_app(web_world.settings, workspace=web_world.ws)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def sign_in(client: TestClient, username: str) -> str:
    """Sign in; the session's CSRF token (from a page's hidden field)."""
    client.cookies.clear()
    form = client.get("/sign-in")
    token = re.search(r'name="sign_in_token" value="([^"]*)"', form.text).group(1)  # type: ignore[union-attr]
    assert client.post("/sign-in", data={"username": username, "password": PASSWORD,
                                         "sign_in_token": token}).status_code == 303
    home = client.get(HOMES[username])
    found = re.search(r'name="csrf_token" value="([^"]*)"', home.text)
    return found.group(1) if found else ""


def test_the_pages_are_the_ones_listed() -> None:
    paths = {p for _, p, _ in my_routes()}
    assert {"/partner", "/partner/upload", "/partner/uploads/{upload_id}", "/partner/datasets/{dataset_id}/withdraw",
            "/partner/audit", "/admin", "/admin/agreements", "/admin/tokens", "/admin/audit",
            "/admin/purge"} <= paths


@pytest.mark.parametrize("username", list(USERS))
def test_each_page_refuses_every_role_without_its_permission(client: TestClient, username: str) -> None:
    csrf = sign_in(client, username)
    role = USERS[username]
    refused = [(m, p) for m, p, perm in my_routes() if not allowed(role, perm)]  # type: ignore[arg-type]
    for method, path in refused:
        url = re.sub(r"\{[^}]+\}", "x1", path)
        r = client.request(method, url, data={"csrf_token": csrf} if method == "POST" else None)
        assert r.status_code == 403 and "You cannot see this page" in r.text, (username, method, path, r.status_code)
    granted_gets = [p for m, p, perm in my_routes() if m == "GET" and "{" not in p and allowed(role, perm)]
    for path in granted_gets:
        r = client.get(path)
        if path.startswith("/partner") and role != "partner_uploader":  # an analyst may read datasets, not here
            assert r.status_code == 403 and "belongs to no organisation" in r.text, (username, path)
        else:
            assert r.status_code == 200, (username, path, r.status_code)
    assert refused or granted_gets


def test_anonymous_is_sent_to_sign_in_from_every_page(client: TestClient) -> None:
    client.cookies.clear()
    for method, path, _ in my_routes():
        r = client.request(method, re.sub(r"\{[^}]+\}", "x1", path))
        assert r.status_code == 303 and r.headers["location"].startswith("/sign-in"), (method, path)


def test_a_form_posted_without_its_csrf_token_is_refused_and_audited(client: TestClient, web_world) -> None:  # type: ignore[no-untyped-def]
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    before = audit.count(web_world.ws.catalogue, action="auth", object_id="partner", outcome="denied", since=since)
    sign_in(client, "partner")
    r = client.post("/partner/upload", files={"file": ("x.csv", b"a,b\n1,2\n", "text/csv")})
    assert r.status_code == 403 and "security token" in r.text
    r = client.post("/partner/upload", data={"csrf_token": "forged"}, files={"file": ("x.csv", b"a\n", "text/csv")})
    assert r.status_code == 403
    r = client.post("/partner/datasets/x1/restore")  # restoring a version is a form like any other
    assert r.status_code == 403 and "security token" in r.text
    after = audit.count(web_world.ws.catalogue, action="auth", object_id="partner", outcome="denied", since=since)
    assert after == before + 3
    csrf = sign_in(client, "admin")
    assert csrf
    r = client.post("/admin/organisations", data={"name": "No token Ltd"})
    assert r.status_code == 403
    assert "No token Ltd" not in client.get("/admin/organisations").text
