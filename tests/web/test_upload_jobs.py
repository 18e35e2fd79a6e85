"""A page upload is a job: the post keeps the file and answers at once with the job's page (stage, progress, a
``<meta http-equiv="refresh">`` for browsers without JavaScript), which goes to the load report when the load is done;
a load that fails shows its error; only the uploader sees the job. Plain HTTP through the app (TestClient)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from vrhub_testkit import ISTV_BAD, istv_return
from vrhub_webkit import HOMES, PASSWORD

from vrhub.domain.errors import NotFound
from vrhub.governance.access import accounts, agreements
from vrhub.library.sharing import Sharing
from vrhub.server import create_app

ORG, USER, OTHER = "Upload jobs NHS FT", "ed_jobs_uploader", "ed_jobs_colleague"
GOOD = 5


@pytest.fixture(scope="module")
def client(web_world):  # type: ignore[no-untyped-def]
    cat = web_world.ws.catalogue
    try:
        accounts.user(cat, USER)
    except NotFound:
        accounts.create_organisation(cat, ORG, "health")
        for name in (USER, OTHER):
            accounts.create_user(cat, name, "partner_uploader", password=PASSWORD, organisation_name=ORG)
        agreements.create_agreement(cat, "ED returns (upload jobs)", organisation_name=ORG, kinds=["ed_istv"],
                                    supplies_for=["SYN-JOBS"], purpose="Cardiff Model: ED assaults",
                                    lawful_basis="UK GDPR Art. 6(1)(e); PCSC Act 2022 s.13", retention_days=365,
                                    start=dt.date(2020, 1, 1))
    app = create_app(web_world.settings, workspace=web_world.ws)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def sign_in(client: TestClient, username: str) -> str:
    """Sign in; the session's CSRF token (the upload form's hidden field)."""
    client.cookies.clear()
    form = client.get("/sign-in")
    token = re.search(r'name="sign_in_token" value="([^"]*)"', form.text).group(1)  # type: ignore[union-attr]
    assert client.post("/sign-in", data={"username": username, "password": PASSWORD,
                                         "sign_in_token": token}).status_code == 303
    return re.search(r'name="csrf_token" value="([^"]*)"', client.get(HOMES["partner"]).text).group(1)  # type: ignore


def post_upload(client: TestClient, csrf: str, name: str, good: int = GOOD):  # type: ignore[no-untyped-def]
    return client.post("/partner/upload", data={"csrf_token": csrf},
                       files={"file": (name, istv_return(good=good, site="SYN-JOBS"), "text/csv")})


def job_of(client: TestClient, response):  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.text[:500]
    found = re.fullmatch(r"/jobs/([\w-]+)\?back=/partner", response.headers["location"])
    assert found, response.headers["location"]
    return client.app.state.jobs.get(found.group(1))  # type: ignore[attr-defined]


def test_an_upload_answers_at_once_with_its_job_then_the_load_report(client: TestClient) -> None:
    csrf = sign_in(client, USER)
    job = job_of(client, post_upload(client, csrf, "ed-jobs-2023-01.csv"))
    assert (job.kind, job.private, job.owner) == ("upload", True, USER)
    client.app.state.jobs.wait(job, timeout=120)  # type: ignore[attr-defined]
    assert job.status == "done", job.error
    page = client.get(f"/jobs/{job.id}?back=/partner")
    assert page.status_code == 303 and page.headers["location"] == f"/partner/uploads/{job.result}"
    report = client.get(page.headers["location"]).text
    total = GOOD + len(ISTV_BAD)
    assert re.search(rf"{total} rows read =\s+{GOOD} accepted \+ {len(ISTV_BAD)} quarantined", report), report[:3000]
    assert not list((client.app.state.hub.ws.home / "incoming").glob(f"{job.result}-*"))  # type: ignore


def test_a_running_upload_shows_its_stage_and_refreshes_itself(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    gate = threading.Event()
    real = Sharing.load

    def held(self, stored, progress=None):  # type: ignore[no-untyped-def]
        gate.wait(30)
        return real(self, stored, progress)

    monkeypatch.setattr(Sharing, "load", held)
    csrf = sign_in(client, USER)
    job = job_of(client, post_upload(client, csrf, "ed-jobs-2023-02.csv", good=GOOD + 1))
    try:
        page = client.get(f"/jobs/{job.id}?back=/partner")
        assert page.status_code == 200
        assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in page.text
        assert "Loading ed-jobs-2023-02.csv" in page.text and "<progress" in page.text
        assert "checking the file against the agreement" in page.text or "waiting for" in page.text
        sign_in(client, OTHER)  # a colleague of the same role and organisation does not see another's job
        assert client.get(f"/jobs/{job.id}?back=/partner").status_code == 404
    finally:
        gate.set()
    client.app.state.jobs.wait(job, timeout=120)  # type: ignore[attr-defined]
    assert job.status == "done", job.error


def test_a_load_that_fails_shows_its_error(client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(self, stored, progress=None):  # type: ignore[no-untyped-def]
        raise RuntimeError("the disk went away")

    monkeypatch.setattr(Sharing, "load", broken)
    csrf = sign_in(client, USER)
    job = job_of(client, post_upload(client, csrf, "ed-jobs-2023-03.csv"))
    client.app.state.jobs.wait(job, timeout=60)  # type: ignore[attr-defined]
    page = client.get(f"/jobs/{job.id}?back=/partner")
    assert page.status_code == 200 and "The job failed" in page.text and "the disk went away" in page.text
    assert "http-equiv" not in page.text  # a finished job's page stops refreshing
    assert not list((client.app.state.hub.ws.home / "incoming").glob("*"))  # type: ignore[attr-defined]


def test_a_form_with_problems_comes_back_at_once_without_a_job(client: TestClient) -> None:
    csrf = sign_in(client, USER)
    response = client.post("/partner/upload", data={"csrf_token": csrf},
                           files={"file": ("notes.txt", b"hello", "text/plain")})
    assert response.status_code == 400 and "must be a CSV" in response.text
