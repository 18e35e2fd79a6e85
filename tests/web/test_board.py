"""The board's dashboard: released figures only. No count from 1 to 7 reaches the board's browser, in the page's
text, in the JSON data blocks of its charts, or in the JSON the page fetches (the map's GeoJSON); the check is
shown to fail on a planted count."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from fastapi.testclient import TestClient
from vrhub_webkit import (
    PASSWORD,
    assert_axe_clean,
    assert_local_only,
    assert_no_csp_violation,
    json_blocks_of_html,
    screenshot,
    small_counts_in_json,
    small_counts_in_text,
    visible_text_of_html,
)

from vrhub.library import dashboard
from vrhub.server import create_app


def signed_in_client(web_world, username: str = "board") -> TestClient:  # type: ignore[no-untyped-def]
    c = TestClient(create_app(web_world.settings, workspace=web_world.ws), follow_redirects=False)
    form = c.get("/sign-in").text
    token = re.search(r'name="sign_in_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    assert c.post("/sign-in", data={"username": username, "password": PASSWORD,
                                    "sign_in_token": token}).status_code == 303
    return c


def leaks(c: TestClient) -> list[str]:
    """Every standalone 1 to 7 the board's browser would be given by the dashboard and what it fetches."""
    page = c.get("/board")
    assert page.status_code == 200
    found = small_counts_in_text(visible_text_of_html(page.text))
    for block in json_blocks_of_html(page.text):
        found += small_counts_in_json(block)
    found += small_counts_in_json(c.get("/board/districts.geojson").json())
    return found


@pytest.fixture(scope="module")
def board_client(web_world):  # type: ignore[no-untyped-def]
    with signed_in_client(web_world) as c:
        yield c


def test_the_dashboard_shows_released_figures(board_client: TestClient) -> None:
    html = board_client.get("/board").text
    for heading in ("Key findings", "Trend", "success measures", "Rates by district", "Action plans",
                    "Commissioned services", "Strategic Needs Assessment"):
        assert heading in html
    assert "counts 1–7 suppressed" in html  # the disclosure statement
    cells = re.findall(r"data-count>([^<]*)<", html)
    assert len(cells) >= 10 and all(re.fullmatch(r"\[c\]|0|\d{1,3}(,\d{3})*", c) for c in cells), cells
    assert all(c == "[c]" or c == "0" or int(c.replace(",", "")) % 5 == 0 for c in cells)  # rounded to 5
    geo = board_client.get("/board/districts.geojson").json()
    assert geo["features"] and {"code", "name", "records", "rate_per_1000"} == set(geo["features"][0]["properties"])


def test_no_count_from_1_to_7_reaches_the_board(board_client: TestClient) -> None:
    assert leaks(board_client) == []


def test_the_check_finds_a_planted_small_count(web_world, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    real = dashboard._districts

    def planted(released):  # type: ignore[no-untyped-def]
        rows = real(released)
        return [dataclasses.replace(rows[0], records=5), *rows[1:]]  # an unsuppressed 5

    monkeypatch.setattr(dashboard, "_districts", planted)
    with signed_in_client(web_world) as c:  # a new app: a new cache
        found = leaks(c)
    assert found.count("5") == 1  # the GeoJSON's property
    assert any("5" in f for f in found if f != "5")  # and the table's cell


def test_the_text_and_json_checks() -> None:
    assert small_counts_in_text("3 records in Dover") and small_counts_in_text("Dover: 7")
    assert small_counts_in_text("(5)") and small_counts_in_text("6 of 1,107")
    for fine in ("1,107 LSOAs", "2021", "7.7 times", "top 5%", "SVDA-1", "E06000035", "[c]", "IMD decile 1", "12",
                 "10:30"):
        assert small_counts_in_text(fine) == [], fine
    assert small_counts_in_json({"data": {"values": [{"records": 4}]}, "height": 5}) == ["4"]
    assert small_counts_in_json({"properties": {"name": "Dover", "records": None, "rate": 2.5}}) == []
    assert small_counts_in_json(json.loads('{"properties": {"note": "2 victims"}}'))


def test_other_roles_and_anonymous(web_world) -> None:  # type: ignore[no-untyped-def]
    with signed_in_client(web_world, "partner") as c:
        assert c.get("/board").status_code == 403
        assert c.get("/board/districts.geojson").status_code == 403
    with TestClient(create_app(web_world.settings, workspace=web_world.ws), follow_redirects=False) as c:
        assert c.get("/board/districts.geojson").status_code == 303


def test_a_board_member_in_a_browser(signed_in_page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page("board")
    fetched: list[object] = []
    page.on("response", lambda r: fetched.append(r.json()) if "json" in r.headers.get("content-type", "") else None)
    page.goto(f"{live_server}/board")
    assert page.url == f"{live_server}/board"
    page.wait_for_selector("#district-map path.leaflet-interactive")  # the map drew the districts
    page.wait_for_selector("[data-vega-spec] canvas")  # and the charts drew
    text = page.evaluate("""sel => { const b = document.body.cloneNode(true);
                                      b.querySelectorAll(sel).forEach(e => e.remove()); return b.innerText; }""",
                         "time, [data-not-count], script, style")
    assert "Key findings" in text and small_counts_in_text(text) == []
    assert fetched and all(small_counts_in_json(doc) == [] for doc in fetched)
    assert_axe_clean(page)
    assert_local_only(page)
    assert_no_csp_violation(page)
    screenshot(page, "web-board-dashboard")


def test_every_page_refuses_a_role_without_its_permission(web_world) -> None:  # type: ignore[no-untyped-def]
    """The role × page matrix: for every page route, a signed-in role without the page's permission gets the 403
    page (POSTs with a good CSRF token, so it is the permission that refuses), and nobody signed in is sent to sign
    in. Refused before the route runs, so this walks every page cheaply."""
    from vrhub.governance.access import Permission, allowed
    from vrhub.server.web.app import page_routes

    def permission(route):  # type: ignore[no-untyped-def]
        return next(d.call.permission for d in route.dependant.dependencies if hasattr(d.call, "permission"))

    clients = {u: signed_in_client(web_world, u) for u in ("partner", "analyst", "board", "admin")}
    roles = {"partner": "partner_uploader", "analyst": "analyst", "board": "board_viewer", "admin": "admin"}
    anonymous = TestClient(create_app(web_world.settings, workspace=web_world.ws), follow_redirects=False)
    tokens = {u: re.search(r'name="csrf_token" value="([^"]+)"', c.get("/").headers.get("location") and
                           c.get(c.get("/").headers["location"]).text).group(1)  # type: ignore[union-attr]
              for u, c in clients.items()}
    checked = 0
    for route in page_routes():
        need = permission(route)
        if need in (Permission.PUBLIC, Permission.SIGNED_IN):
            continue
        path = re.sub(r"\{[^}]+\}", "1", route.path)
        for method in route.methods:
            r = anonymous.request(method, path)
            assert r.status_code == 303 and r.headers["location"].startswith("/sign-in"), (method, path)
            for user, c in clients.items():
                if allowed(roles[user], need):
                    continue
                r = c.request(method, path, data={"csrf_token": tokens[user]} if method != "GET" else None)
                assert r.status_code == 403, (user, method, path, r.status_code)
                checked += 1
    assert checked >= 20
    for c in [*clients.values(), anonymous]:
        c.close()
