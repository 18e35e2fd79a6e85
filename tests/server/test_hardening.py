"""Smaller promises (issue 12, items 11 to 15): tokens always expire within the configured lifetime; every body is
limited before it is parsed; errors never show the server's paths and the health check says when the database is
down; forwarded headers are believed only from configured proxies; nobody can lock every administrator out."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from vrhub_hubkit import PASSWORD, street_csv
from vrhub_testkit import run_cli

from vrhub.governance.access import accounts
from vrhub.server import HubSettings, create_app
from vrhub.store import audit
from vrhub.store.catalogue.models import ApiToken


def client_for(world, **settings: object) -> TestClient:  # type: ignore[no-untyped-def]
    app = create_app(HubSettings(workspace=world.ws.settings, **settings), workspace=world.ws)  # type: ignore[arg-type]
    return TestClient(app, base_url="https://testserver", raise_server_exceptions=False)


# --- item 11: token lifetime ---------------------------------------------------------------------------------
def test_a_token_cannot_be_made_to_last_longer_than_the_setting(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    c, admin = sqlite_world.client, sqlite_world.as_("admin")
    for days in (None, 0, 366, 100_000):
        r = c.post("/api/admin/tokens", json={"username": "board", "name": f"t{days}", "days": days}, headers=admin)
        assert r.status_code == 422, (days, r.text)
    ok = c.post("/api/admin/tokens", json={"username": "board", "name": "year", "days": 365}, headers=admin)
    assert ok.status_code == 201 and ok.json()["expires_at"]
    short = client_for(sqlite_world, token_max_days=30)
    r = short.post("/api/admin/tokens", json={"username": "board", "name": "t", "days": 31}, headers=admin)
    assert r.status_code == 422 and "1 to 30 days" in r.json()["error"]["message"]
    cli = run_cli("--home", str(sqlite_world.ws.home), "hub", "token", "add", "board", "--days", "4000")
    assert cli.exit_code != 0 and "365" in cli.output


def test_a_token_older_than_the_lifetime_stops_working(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    cat = sqlite_world.ws.catalogue
    forever = accounts.create_token(cat, "board", "made before the limit")
    with cat.session() as s:  # as a token made with {"days": null} on an older hub: no expiry, 400 days old
        t = s.get(ApiToken, forever.token.id)
        t.expires_at, t.created_at = None, dt.datetime.now(dt.UTC) - dt.timedelta(days=400)
    headers = {"Authorization": f"Bearer {forever.secret}"}
    assert sqlite_world.client.get("/api/me", headers=headers).status_code == 401
    month = accounts.create_token(cat, "board", "a month old", days=365)
    with cat.session() as s:
        s.get(ApiToken, month.token.id).created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    headers = {"Authorization": f"Bearer {month.secret}"}
    assert sqlite_world.client.get("/api/me", headers=headers).status_code == 200
    assert client_for(sqlite_world, token_max_days=30).get("/api/me", headers=headers).status_code == 401


# --- item 12: body limits ------------------------------------------------------------------------------------
def test_a_large_json_body_is_refused_before_it_is_parsed(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    c = sqlite_world.client
    big = b'{"username": "board", "password": "' + b"x" * (2 << 20) + b'"}'
    r = c.post("/api/session", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and r.json()["error"]["status"] == 413

    def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: cut off while streaming
        yield big[:1 << 20]
        yield big[1 << 20:]

    r = c.post("/api/admin/organisations", content=chunks(),
               headers={**sqlite_world.as_("admin"), "Content-Type": "application/json"})
    assert r.status_code == 413
    small = client_for(sqlite_world, max_body_bytes=100)
    r = small.post("/api/session", json={"username": "board", "password": "p" * 200})
    assert r.status_code == 413
    assert small.post("/api/session", json={"username": "board", "password": PASSWORD}).status_code == 200


def test_uploads_keep_their_own_larger_limit(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    data = street_csv("2018-12", 9000, crime_id="big")
    assert len(data) > sqlite_world.app.state.hub.settings.max_body_bytes
    assert sqlite_world.upload("uploader_a", data).status_code == 201


# --- item 13: no server paths; an honest health check --------------------------------------------------------
def test_a_failed_upload_never_shows_the_servers_paths(sqlite_world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws = sqlite_world.ws

    def full(*a, **k):  # type: ignore[no-untyped-def]
        raise OSError(13, "Permission denied", str(ws.lake.root / "_staging" / "a1b2c3" / "data.parquet"))

    monkeypatch.setattr(ws.lake, "stage", full)
    r = sqlite_world.upload("uploader_a", street_csv("2018-12", crime_id="full"))
    assert r.status_code == 422 and "Permission denied" in r.text
    assert str(ws.home) not in r.text and "_staging" not in r.text and "(the hub's storage)" in r.text
    upload = sqlite_world.client.get("/api/uploads", headers=sqlite_world.as_("uploader_a")).json()[-1]
    stored = sqlite_world.client.get(f"/api/uploads/{upload['upload_id']}", headers=sqlite_world.as_("uploader_a"))
    assert str(ws.home) not in stored.text and "incoming" not in stored.json()["report"]


def test_health_says_so_when_the_database_or_the_lake_is_down(sqlite_world, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    c = sqlite_world.client
    assert c.get("/api/health").json() == {"status": "ok"}
    cat = sqlite_world.ws.catalogue
    monkeypatch.setattr(cat, "engine", create_engine(f"sqlite:///{tmp_path}/no/such/folder/catalogue.sqlite"))
    r = c.get("/api/health")
    assert r.status_code == 503 and "database" in r.json()["error"]["message"]
    assert str(tmp_path) not in r.text
    monkeypatch.undo()
    monkeypatch.setattr(sqlite_world.ws.lake, "root", tmp_path / "gone")
    r = c.get("/api/health")
    assert r.status_code == 503 and "lake" in r.json()["error"]["message"]


# --- item 14: forwarded headers ------------------------------------------------------------------------------
def sign_in_client(client: TestClient) -> str:
    r = client.post("/api/session", json={"username": "board", "password": PASSWORD},
                    headers={"X-Forwarded-For": "203.0.113.9"})
    assert r.status_code == 200, r.text
    return client.app.state.hub  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize(("trusted", "seen"), [((), "testclient"), (("10.0.0.1",), "testclient"),
                                               (("testclient",), "203.0.113.9")])
def test_forwarded_for_is_believed_only_from_a_configured_proxy(sqlite_world, trusted, seen) -> None:  # type: ignore[no-untyped-def]
    sign_in_client(client_for(sqlite_world, trusted_proxies=trusted))
    last = list(audit.events(sqlite_world.ws.catalogue))[-1]
    assert (last.action, last.details["client"]) == ("login", seen)


def test_serve_leaves_forwarded_headers_to_the_app(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import uvicorn

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    assert run_cli("--home", str(tmp_path / "home"), "serve").exit_code == 0
    assert seen["proxy_headers"] is False and seen["app"].state.hub.settings.trusted_proxies == ()
    assert run_cli("--home", str(tmp_path / "home"), "serve", "--trusted-proxy", "10.0.0.1").exit_code == 0
    assert seen["app"].state.hub.settings.trusted_proxies == ("10.0.0.1",)


# --- item 15: an administrator always remains ----------------------------------------------------------------
def test_the_last_administrator_cannot_be_disabled_or_lose_their_last_token(world) -> None:  # type: ignore[no-untyped-def]
    c, cat = world.client, world.ws.catalogue
    admin = world.as_("admin")
    r = c.patch("/api/admin/users/admin", json={"active": False}, headers=admin)  # the only administrator
    assert r.status_code == 409 and "no active administrator" in r.json()["error"]["message"]
    assert accounts.user(cat, "admin").active
    accounts.create_user(cat, "robot-admin", "admin")  # token only: no password
    robot = accounts.create_token(cat, "robot-admin", "only token")
    headers = {"Authorization": f"Bearer {robot.secret}"}
    assert c.patch("/api/admin/users/admin", json={"active": False}, headers=headers).status_code == 200
    assert c.delete(f"/api/admin/tokens/{robot.token.id}", headers=headers).status_code == 409
    assert c.patch("/api/admin/users/robot-admin", json={"active": False}, headers=headers).status_code == 409
    assert c.get("/api/admin/users", headers=headers).status_code == 200  # still someone can administer
    spare = c.post("/api/admin/tokens", json={"username": "robot-admin", "name": "second"}, headers=headers).json()
    assert c.delete(f"/api/admin/tokens/{robot.token.id}", headers=headers).status_code == 200  # not the last
    assert c.get("/api/me", headers={"Authorization": f"Bearer {spare['token']}"}).status_code == 200
    refusals = [e for e in audit.events(cat) if e.action == "request" and e.outcome == "failed"]
    assert len(refusals) == 3  # each refusal is in the audit log
