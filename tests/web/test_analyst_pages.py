"""The analyst's pages over HTTP (TestClient) and in Chromium: the catalogue, the explorer (a job, then charts, map
and an area's figures checked against the profile the library builds), hot spots, the SNA built as a job and
downloaded as HTML, PDF and DOCX; who may see what; axe clean, screenshots, every request to 127.0.0.1."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from fastapi.testclient import TestClient
from vrhub_webkit import PASSWORD, assert_axe_clean, assert_local_only, assert_no_csp_violation, screenshot

from vrhub.library import Partnership
from vrhub.server import create_app


def field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} field"
    return found.group(1)


@pytest.fixture(scope="module")
def app(web_world):  # type: ignore[no-untyped-def]
    return create_app(web_world.settings, workspace=web_world.ws)


def client_as(app, username: str) -> TestClient:  # type: ignore[no-untyped-def]
    c = TestClient(app, base_url="http://testserver", follow_redirects=False)
    form = c.get("/sign-in")
    r = c.post("/sign-in", data={"username": username, "password": PASSWORD, "next": "",
                                  "sign_in_token": field(form.text, "sign_in_token")})
    assert r.status_code == 303
    return c


def wait_done(app, job_id: str) -> None:  # type: ignore[no-untyped-def]
    job = app.state.jobs.get(job_id)
    app.state.jobs.wait(job, timeout=300)
    assert job.status == "done", (job.error, job.what_to_do)


def test_the_catalogue_shows_provenance_and_the_coverage_grid(app, web_world) -> None:  # type: ignore[no-untyped-def]
    html = client_as(app, "analyst").get("/analyst/catalogue").text
    view = Partnership(web_world.ws).catalogue()
    for m in view.months:
        assert f">{m}<" in html
    street = next(r for r in view.grid if r.kind == "police_uk_street")
    assert all(f"{c.rows:,}" in html for c in street.cells.values())
    assert "warning</strong>" in html and "Kent Police (police_uk_street)" in html
    assert all(e.id in html for e in view.entries)


def test_the_explorer_runs_the_profile_as_a_job_then_shows_it(app, web_world) -> None:  # type: ignore[no-untyped-def]
    c = client_as(app, "analyst")
    url = "/analyst/explorer?from=2018-10&to=2019-01&level=district"
    first = c.get(url)
    assert first.status_code == 200
    job_id = re.search(r'id="job-([\w-]+)"', first.text)
    if job_id:  # still building: the page shows the job with a refresh link; once done, the result
        assert 'href="/analyst/explorer?' in first.text and "Refresh" in first.text
        wait_done(app, job_id.group(1))
    html = c.get(url).text
    profile = Partnership(web_world.ws).profile("2018-10..2019-01", level="district").value
    rows = profile.tables()["where_by_area"].to_pylist()
    assert "unsuppressed — analyst use only" in html  # the analyst is named on the police agreement
    assert 'data-vega-spec="chart-monthly-spec"' in html and 'data-geojson="/analyst/explorer/map.geojson?' in html
    top = rows[0]
    assert f'/analyst/explorer/area/{top["area_code"]}?' in html
    # the map's figures and one area's page are the library's own
    geo = c.get("/analyst/explorer/map.geojson?from=2018-10&to=2019-01&level=district").json()
    by_code = {f["id"]: f["properties"] for f in geo["features"]}
    assert {r["area_code"]: r["records"] for r in rows} == {k: p["records"] for k, p in by_code.items()}
    area = c.get(f"/analyst/explorer/area/{top['area_code']}?from=2018-10&to=2019-01&level=district")
    assert area.status_code == 200 and top["area_name"] in area.text and f"{top['records']:,}" in area.text
    panel = c.get(f"/analyst/explorer/area/{top['area_code']}?from=2018-10&to=2019-01&level=district",
                  headers={"HX-Request": "true"}).text
    assert "<html" not in panel and top["area_name"] in panel
    assert c.get("/analyst/explorer?from=2019-13").status_code == 422


def test_roles_see_what_their_permission_allows(app) -> None:  # type: ignore[no-untyped-def]
    board = client_as(app, "board")
    assert board.get("/analyst/catalogue").status_code == 403  # the catalogue needs datasets.read
    partner = client_as(app, "partner")
    assert partner.get("/analyst/explorer").status_code == 403  # the profile needs profile.read
    analyst = client_as(app, "analyst")
    r = analyst.get("/analyst/explorer?level=district&from=2018-10&to=2018-12")
    job = app.state.jobs.jobs("analyst")[0]
    assert board.get(f"/jobs/{job.id}").status_code == 404  # a job is only its owner's role's
    assert analyst.get(f"/jobs/{job.id}").status_code == 200 and r.status_code == 200


def test_the_sna_is_built_as_a_job_and_downloaded(app) -> None:  # type: ignore[no-untyped-def]
    c = client_as(app, "analyst")
    page = c.get("/analyst/sna").text
    r = c.post("/analyst/sna", data={"period": "2018-10..2019-02", "csrf_token": field(page, "csrf_token")})
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    job_id = r.headers["location"].split("/")[2].split("?")[0]
    poll = c.get(f"/jobs/{job_id}?back=/analyst/sna", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and "<html" not in poll.text
    wait_done(app, job_id)
    assert c.get(f"/jobs/{job_id}", headers={"HX-Request": "true"}).headers["HX-Redirect"] == \
        f"/analyst/sna#sna-{job_id}"
    again = c.post("/analyst/sna", data={"period": "2018-10..2019-02", "csrf_token": field(page, "csrf_token")})
    assert again.headers["location"].split("/")[2].split("?")[0] == job_id  # cached: the same build
    html = c.get(f"/analyst/sna/{job_id}/download.html")
    assert html.headers["content-disposition"].endswith('.html"') and "Strategic Needs Assessment" in html.text
    assert c.get(f"/analyst/sna/{job_id}/download.pdf").content.startswith(b"%PDF")
    docx = c.get(f"/analyst/sna/{job_id}/download.docx").content
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(docx)).namelist()
    assert c.post("/analyst/sna", data={"period": ""}).status_code == 403  # no CSRF token: refused


def test_an_analyst_explores_clicks_the_map_and_downloads_the_sna(signed_in_page, live_server) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page("analyst")
    screenshot(page, "analyst-home", to_docs=True)
    assert_axe_clean(page)
    page.goto(f"{live_server}/analyst/catalogue")
    assert_axe_clean(page)
    screenshot(page, "analyst-catalogue")
    # filter the explorer with the keyboard-usable form: districts, Oct 2018 to Jan 2019
    page.goto(f"{live_server}/analyst/explorer")
    page.fill("#from", "2018-10")
    page.fill("#to", "2019-01")
    page.select_option("#level", "district")
    page.click("#apply")
    page.wait_for_selector(".app-map__canvas path.leaflet-interactive", timeout=120_000)
    page.wait_for_selector("[data-vega-spec] canvas", timeout=60_000)
    assert "level=district" in page.url and "from=2018-10" in page.url
    page.locator(".app-map__canvas path.leaflet-interactive").first.dispatch_event("click")
    page.wait_for_selector("#area-panel #area-figures", timeout=30_000)
    panel = page.inner_text("#area-panel")
    assert "records" in panel and "share of all records" in panel
    assert_axe_clean(page)
    assert_no_csp_violation(page)
    screenshot(page, "analyst-explorer")
    # build the SNA and download it
    page.goto(f"{live_server}/analyst/sna")
    page.fill("#sna-period", "2018-10..2018-12")
    page.click("#build-sna")
    deadline = time.monotonic() + 300
    while "/analyst/sna" not in page.url or page.locator("a[href$='download.pdf']").count() == 0:
        assert time.monotonic() < deadline, "the SNA was not built in time"
        page.wait_for_timeout(500)
    assert_axe_clean(page)
    with page.expect_download() as got:
        page.locator("a[href$='download.pdf']").first.click()
    assert got.value.suggested_filename.endswith(".pdf")
    screenshot(page, "analyst-sna")
    assert_local_only(page)
