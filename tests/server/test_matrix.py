"""The authorisation matrix: every role × every endpoint × own/other organisation's data, on SQLite and PostgreSQL.

Each cell is the status the hub must answer. ``own`` means the object belongs to uploader_a's organisation
(Kent Police, whose agreement names the analyst); ``other`` to Medway Council (no agreement names the analyst).
A test below checks that the matrix lists every route of the app, so a new endpoint cannot go untested.
"""

from __future__ import annotations

import itertools

from vrhub_hubkit import street_csv

from vrhub.server.app import api_routes

WHO = ["anonymous", "uploader_a", "analyst", "board", "admin"]

# (method, path, which organisation's object ('own'/'other'/None), {who: status}); absent who → 403; anonymous → 401
# except where stated.
ALL_200 = {w: 200 for w in WHO}
SIGNED_IN_200 = {w: 200 for w in WHO if w != "anonymous"}
MATRIX: list[tuple[str, str, str | None, dict[str, int]]] = [
    ("GET", "/api/health", None, ALL_200),
    ("GET", "/api/me", None, SIGNED_IN_200),
    ("DELETE", "/api/session", None, SIGNED_IN_200),
    ("POST", "/api/session", None, {w: 401 for w in WHO}),  # wrong password for everyone
    ("GET", "/api/oidc/login", None, {w: 404 for w in WHO}),  # single sign-on is not configured here
    ("GET", "/api/oidc/callback", None, {w: 404 for w in WHO}),  # (test_oidc.py tests it configured)
    ("POST", "/api/uploads", None, {"uploader_a": 201}),
    ("GET", "/api/uploads", None, {"uploader_a": 200}),
    ("GET", "/api/uploads/{upload_id}", "own", {"uploader_a": 200}),
    ("GET", "/api/uploads/{upload_id}", "other", {"uploader_a": 404}),
    ("GET", "/api/datasets", None, {"uploader_a": 200, "analyst": 200}),
    ("GET", "/api/datasets/{dataset_id}/quarantine", "own", {"uploader_a": 200, "analyst": 200}),
    ("GET", "/api/datasets/{dataset_id}/quarantine", "other", {"uploader_a": 404, "analyst": 404}),
    ("GET", "/api/profile", None, {"analyst": 200, "board": 200}),
    ("GET", "/api/profile/tables/{table}", None, {"analyst": 200, "board": 200}),
    ("GET", "/api/sna", None, {"analyst": 200, "board": 200}),
    ("GET", "/api/audit", None, {"admin": 200}),
    ("GET", "/api/audit/mine", None, {"uploader_a": 200}),
    ("GET", "/api/admin/organisations", None, {"admin": 200}),
    ("POST", "/api/admin/organisations", None, {"admin": 201}),
    ("GET", "/api/admin/users", None, {"admin": 200}),
    ("POST", "/api/admin/users", None, {"admin": 201}),
    ("PATCH", "/api/admin/users/{username}", None, {"admin": 200}),
    ("GET", "/api/admin/agreements", None, {"admin": 200}),
    ("POST", "/api/admin/agreements", None, {"admin": 201}),
    ("GET", "/api/admin/tokens", None, {"admin": 200}),
    ("POST", "/api/admin/tokens", None, {"admin": 201}),
    ("DELETE", "/api/admin/tokens/{token_id}", None, {"admin": 200}),
]


def expected(who: str, cells: dict[str, int]) -> int:
    if who in cells:
        return cells[who]
    return 401 if who == "anonymous" else 403


def request_for(world, method: str, path: str, which: str | None, who: str, n: int):  # type: ignore[no-untyped-def]
    """The request of one cell (bodies unique per cell, so that a POST that is allowed succeeds)."""
    letter = {"own": "a", "other": "b"}.get(which or "", "a")
    url = path.format(upload_id=world.uploads[letter], dataset_id=world.datasets[letter], table="when_monthly",
                      username="board", token_id=world.spare_token_id)
    kw: dict = {"headers": world.as_(who if who != "anonymous" else None)}
    if path == "/api/oidc/callback":
        kw["params"] = {"code": "c", "state": "s"}
    if path == "/api/session":
        kw["json"] = {"username": who, "password": "wrong password"}
    elif path == "/api/uploads":
        kw["params"] = {"filename": "2018-12-kent-street.csv"}
        kw["content"] = street_csv("2018-12", crime_id=f"m{n}")
        kw["headers"]["Content-Type"] = "application/octet-stream"
    elif path == "/api/admin/organisations" and method == "POST":
        kw["json"] = {"name": f"Org {n}"}
    elif path == "/api/admin/users" and method == "POST":
        kw["json"] = {"username": f"user{n}", "role": "board_viewer", "password": "a long enough password"}
    elif path.startswith("/api/admin/users/"):
        kw["json"] = {"active": True}
    elif path == "/api/admin/agreements" and method == "POST":
        kw["json"] = {"name": f"Agreement {n}", "organisation": "Kent Police", "kinds": ["police_uk_outcomes"],
                      "purpose": "p", "lawful_basis": "b", "retention_days": 30, "start_date": "2020-01-01"}
    elif path == "/api/admin/tokens" and method == "POST":
        kw["json"] = {"username": "board", "name": f"t{n}"}
    return world.client.request(method, url, **kw)


def test_every_role_can_do_exactly_what_it_should(world) -> None:  # type: ignore[no-untyped-def]
    wrong = []
    n = itertools.count()
    for method, path, which, cells in MATRIX:
        for who in WHO:
            r = request_for(world, method, path, which, who, next(n))
            want = expected(who, cells)
            if r.status_code != want:
                wrong.append(f"{who:10} {method:6} {path} ({which or '-'}): {r.status_code}, expected {want}: "
                             f"{r.text[:200]}")
            if path == "/api/session" and method == "DELETE":  # signing out with a token ends nothing
                assert world.client.get("/api/me", headers=world.as_(who if who != "anonymous" else None)
                                        ).status_code == (401 if who == "anonymous" else 200)
    assert not wrong, "\n".join(wrong)


def test_rows_reached_are_only_those_allowed(world) -> None:  # type: ignore[no-untyped-def]
    """Uploaders list only their organisation's datasets and uploads; the analyst only those of agreements
    naming them; the analyst's profile is released because no agreement with Medway names them."""
    c = world.client
    mine = {d["dataset_id"] for d in c.get("/api/datasets", headers=world.as_("uploader_a")).json()}
    assert mine == {world.datasets["a"]}
    theirs = {d["dataset_id"] for d in c.get("/api/datasets", headers=world.as_("uploader_b")).json()}
    assert theirs == {world.datasets["b"]}
    assert {u["upload_id"] for u in c.get("/api/uploads", headers=world.as_("uploader_b")).json()} == \
        {world.uploads["b"]}
    assert {d["dataset_id"] for d in c.get("/api/datasets", headers=world.as_("analyst")).json()} == \
        {world.datasets["a"]}
    p = c.get("/api/profile", headers=world.as_("analyst")).json()
    assert p["released"] is True and "Medway Council" in p["why_released"]
    assert c.get("/api/profile", headers=world.as_("board")).json()["released"] is True


def test_an_analyst_named_on_every_agreement_gets_the_unreleased_profile(world) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from vrhub.governance.access import agreements

    agreements.create_agreement(
        world.ws.catalogue, "Medway street crime (analysis)", organisation_name="Medway Council",
        kinds=["police_uk_street"], purpose="profile", lawful_basis="Art. 6(1)(e)", retention_days=30,
        start=dt.date(2020, 1, 1), analysts=["analyst"])
    p = world.client.get("/api/profile", headers=world.as_("analyst")).json()
    assert p["released"] is False and p["notice"].startswith("unsuppressed")
    board = world.client.get("/api/profile", headers=world.as_("board")).json()
    assert board["released"] is True and board["notice"].startswith("released")
    # 6 records of violence in the two uploads: the analyst sees 6; the board sees counts of 1–7 suppressed
    assert p["headline"]["definite"] + p["headline"]["possible"] == 6
    for key in ("definite", "possible"):
        v = p["headline"][key]
        assert board["headline"][key] == (None if 1 <= v <= 7 else v)
    assert any(1 <= p["headline"][k] <= 7 for k in ("definite", "possible"))  # so suppression was exercised


def test_the_matrix_lists_every_route(sqlite_world) -> None:  # type: ignore[no-untyped-def]
    routes = {(m, r.path) for r in api_routes() for m in r.methods}
    listed = {(m, p) for m, p, _, _ in MATRIX}
    assert routes == listed
    published = {(m.upper(), p) for p, item in sqlite_world.app.openapi()["paths"].items() for m in item}
    assert published == routes  # the app serves exactly these routes
