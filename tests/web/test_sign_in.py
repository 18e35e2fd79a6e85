"""Sign in, sign out, the idle timeout, ``/`` to each role's home, CSRF on forms, and the sign-in page in a browser."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from vrhub_webkit import HOMES, PASSWORD, USERS, assert_axe_clean, assert_local_only, assert_no_csp_violation

from vrhub.server import HubSettings, create_app
from vrhub.store import audit
from vrhub.store.catalogue.models import HubSession


@pytest.fixture(scope="module")
def client(web_world):  # type: ignore[no-untyped-def]
    app = create_app(web_world.settings, workspace=web_world.ws)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field"
    return found.group(1)


def sign_in(client: TestClient, username: str, password: str = PASSWORD, next_url: str = ""):  # type: ignore[no-untyped-def]
    client.cookies.clear()
    form = client.get("/sign-in")
    return client.post("/sign-in", data={"username": username, "password": password, "next": next_url,
                                         "sign_in_token": field(form.text, "sign_in_token")})


@pytest.mark.parametrize("username", list(USERS))
def test_each_role_signs_in_and_lands_on_its_home(client: TestClient, username: str) -> None:
    r = sign_in(client, username)
    assert r.status_code == 303 and r.headers["location"] == HOMES[username]
    assert client.get("/").headers["location"] == HOMES[username]
    assert client.get(HOMES[username]).status_code == 200


def test_anonymous_is_sent_to_sign_in_with_where_they_were_going(client: TestClient) -> None:
    client.cookies.clear()
    assert client.get("/").headers["location"] == "/sign-in"
    r = client.get("/board?x=1")
    assert r.status_code == 303 and r.headers["location"] == "/sign-in?next=/board%3Fx%3D1"
    assert sign_in(client, "board", next_url="/board?x=1").headers["location"] == "/board?x=1"


def test_next_never_leads_off_the_hub(client: TestClient) -> None:
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert sign_in(client, "board", next_url=bad).headers["location"] == "/board"


def test_a_wrong_password_shows_the_error_summary_and_is_audited(client: TestClient, web_world) -> None:  # type: ignore[no-untyped-def]
    since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    before = audit.count(web_world.ws.catalogue, action="login", object_id="analyst", outcome="denied", since=since)
    r = sign_in(client, "analyst", "not the password at all")
    assert r.status_code == 401 and "There is a problem" in r.text and "user name or password is wrong" in r.text
    assert "vrhub_session" not in r.cookies
    after = audit.count(web_world.ws.catalogue, action="login", object_id="analyst", outcome="denied", since=since)
    assert after == before + 1


def test_the_sign_in_form_needs_its_own_token(client: TestClient) -> None:
    client.cookies.clear()
    r = client.post("/sign-in", data={"username": "board", "password": PASSWORD, "sign_in_token": "forged"})
    assert r.status_code == 400 and "vrhub_session" not in r.cookies


def test_a_role_without_the_permission_gets_the_403_page(client: TestClient) -> None:
    sign_in(client, "partner")
    r = client.get("/board")
    assert r.status_code == 403 and "You cannot see this page" in r.text and r.headers["content-type"].startswith(
        "text/html")


def test_sign_out_needs_the_csrf_token_and_ends_the_session(client: TestClient) -> None:
    sign_in(client, "board")
    page = client.get("/board")
    assert client.post("/sign-out").status_code == 403  # no token: refused
    assert client.post("/sign-out", data={"csrf_token": "wrong"}).status_code == 403
    r = client.post("/sign-out", data={"csrf_token": field(page.text, "csrf_token")})
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"
    assert client.get("/board").status_code == 303  # the session is gone on the server
    assert "You have signed out" in client.get("/sign-in").text


def test_an_idle_session_ends(web_world) -> None:  # type: ignore[no-untyped-def]
    settings = HubSettings(workspace=web_world.ws.settings, cookie_secure=False, session_idle_minutes=10)
    with TestClient(create_app(settings, workspace=web_world.ws), follow_redirects=False) as c:
        start = dt.datetime.now(dt.UTC)
        sign_in(c, "board")
        assert c.get("/board").status_code == 200
        with web_world.ws.catalogue.session() as s:  # the session opened here ends within the idle time ...
            ends = [h.expires_at - h.created_at for h in s.query(HubSession).all() if h.created_at >= start]
        assert ends and max(ends) <= dt.timedelta(minutes=10, seconds=5)
        with web_world.ws.catalogue.session() as s:  # ... and, idle past it, has ended
            s.execute(update(HubSession).values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
        r = c.get("/board")
        assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")
        assert "session has ended" in c.get(r.headers["location"]).text


def test_a_session_in_use_is_kept_alive(web_world) -> None:  # type: ignore[no-untyped-def]
    settings = HubSettings(workspace=web_world.ws.settings, cookie_secure=False, session_idle_minutes=10)
    with TestClient(create_app(settings, workspace=web_world.ws), follow_redirects=False) as c:
        start = dt.datetime.now(dt.UTC)
        sign_in(c, "analyst")
        soon = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
        mine = HubSession.created_at >= start
        with web_world.ws.catalogue.session() as s:  # two minutes of idle time left
            s.execute(update(HubSession).where(mine).values(expires_at=soon))
        assert c.get("/analyst").status_code == 200  # a request moves the end on to ten minutes from now
        with web_world.ws.catalogue.session() as s:
            ends = [h.expires_at for h in s.query(HubSession).filter(mine).all()]
        assert len(ends) == 1 and ends[0] > soon + dt.timedelta(minutes=7)


def test_pages_send_a_nonce_policy_without_unsafe_inline_scripts(client: TestClient) -> None:
    r = client.get("/sign-in")
    policy = r.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)  # type: ignore[union-attr]
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
    scripts = re.findall(r"<script([^>]*)>", r.text)
    inline = [s for s in scripts if "src=" not in s and "application/json" not in s]
    assert inline and all(f'nonce="{nonce}"' in s for s in inline)
    assert client.get("/sign-in").headers["content-security-policy"] != policy  # a new nonce each time


def test_the_api_keeps_its_json_errors(client: TestClient) -> None:
    client.cookies.clear()
    r = client.get("/api/me")
    assert r.status_code == 401 and r.json()["error"]["status"] == 401


def test_the_sign_in_page_in_a_browser(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/board")
    assert page.url.endswith("/sign-in?next=/board")
    assert_axe_clean(page)
    page.fill("#username", "board")
    page.fill("#password", "wrong password, twelve+")
    page.click("button[type=submit]")
    page.wait_for_selector(".govuk-error-summary")
    assert_axe_clean(page)  # the error state too
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")  # the keyboard alone submits it
    page.wait_for_url(f"{live_server}/board")
    assert_local_only(page)
    assert_no_csp_violation(page)
