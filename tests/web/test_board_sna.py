"""The board's SNA is a job: the dashboard's link starts it (or finds it), its page shows the stage and progress (and
refreshes itself without JavaScript), and the SNA opens when built; it is always the released SNA, built once per
data version for the whole role, so a second board member waits for nothing; another role's build is its own. The
build itself is the library's ``sna_page`` (tested in tests/report); here it is replaced by a recorder that says how
it was called. Plain HTTP through the app (TestClient)."""

from __future__ import annotations

import re
import threading
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient
from vrhub_webkit import PASSWORD

from vrhub.governance.access import accounts
from vrhub.library import Partnership
from vrhub.server import create_app

SECOND = "board_two"


@pytest.fixture
def built(monkeypatch):  # type: ignore[no-untyped-def]
    """Replace ``Partnership.sna_page`` with a recorder held at a gate (so a running job can be seen)."""
    calls: list[dict[str, object]] = []
    gate = threading.Event()

    def fake(self, months=None, *, release=False, pdf=False, on_step=None, **kw):  # type: ignore[no-untyped-def]
        calls.append({"months": months, "release": release, "pdf": pdf})
        if on_step:
            on_step("reading the profile")
        gate.wait(30)
        return SimpleNamespace(html="<!DOCTYPE html><title>SNA</title><p>released SNA</p>", pdf=b"%PDF-1.7 fake",
                               stem="sna-released", datasets=["d1"], released=release)

    monkeypatch.setattr(Partnership, "sna_page", fake)
    yield SimpleNamespace(calls=calls, gate=gate)
    gate.set()


@pytest.fixture
def client(web_world):  # type: ignore[no-untyped-def]
    try:
        accounts.user(web_world.ws.catalogue, SECOND)
    except Exception:
        accounts.create_user(web_world.ws.catalogue, SECOND, "board_viewer", password=PASSWORD)
    app = create_app(web_world.settings, workspace=web_world.ws)  # a new app: no jobs yet
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    token = re.search(r'name="sign_in_token" value="([^"]*)"', client.get("/sign-in").text).group(1)  # type: ignore
    assert client.post("/sign-in", data={"username": username, "password": PASSWORD,
                                         "sign_in_token": token}).status_code == 303


def test_the_board_sna_is_a_released_job_shared_by_the_role(client: TestClient, built) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, "board")
    assert 'href="/board/sna"' in client.get("/board").text and "/api/sna" not in client.get("/board").text
    first = client.get("/board/sna")
    assert first.status_code == 303 and first.headers["location"].startswith("/jobs/")
    job_id = re.search(r"/jobs/([\w-]+)", first.headers["location"]).group(1)  # type: ignore[union-attr]
    running = client.get(first.headers["location"])
    assert running.status_code == 200 and "<progress" in running.text
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in running.text

    sign_in(client, SECOND)  # a second board member finds the same build
    assert client.get("/board/sna").headers["location"] == first.headers["location"]
    built.gate.set()
    job = client.app.state.jobs.wait(client.app.state.jobs.get(job_id), timeout=30)  # type: ignore[attr-defined]
    assert job.status == "done", job.error
    again = client.get("/board/sna")  # built: straight to the SNA, nothing built again
    assert again.headers["location"] == f"/board/sna/{job_id}"
    assert client.get(f"/jobs/{job_id}?back=/board").headers["location"] == f"/board/sna/{job_id}"
    page = client.get(again.headers["location"])
    assert page.status_code == 200 and "released SNA" in page.text
    pdf = client.get(f"/board/sna/{job_id}/download.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert built.calls == [{"months": None, "release": True, "pdf": True}]  # once, released


def test_another_roles_build_is_its_own_and_unseen_by_the_board(client: TestClient, built) -> None:  # type: ignore[no-untyped-def]
    built.gate.set()
    sign_in(client, "analyst")
    where = client.get("/board/sna").headers["location"]  # the job's page, or the SNA when already built
    analyst_job = re.search(r"/(?:jobs|board/sna)/([\w-]+)", where).group(1)  # type: ignore[union-attr]
    client.app.state.jobs.wait(client.app.state.jobs.get(analyst_job), timeout=30)  # type: ignore[attr-defined]
    sign_in(client, "board")
    assert client.get(f"/board/sna/{analyst_job}").status_code == 404
    board = client.get("/board/sna").headers["location"]
    assert analyst_job not in board
    assert all(c["release"] is True for c in built.calls) and len(built.calls) == 2
