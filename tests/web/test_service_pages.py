"""The analyst's "what works" pages: the services list, and one service's outputs, impact evaluation (a job, then
the effect with its interval, a chart and its table) and value for money, checked against the library's own
``Partnership.evaluate("did")`` and ``Partnership.value`` on the same data; a board viewer gets the released
figures; in Chromium: axe clean, keyboard, every request to 127.0.0.1, screenshot, JavaScript off.

The workspace: the real Kent boundaries and IMD with the synthetic ED returns of 2022-01 to 2024-12 (``synth.ed``,
as ``vrhub synth --years 2022-2024`` writes them), so the demo register's gangs and county lines service (contract
from 2022-07, seven districts named, six of them loaded) can be evaluated on ED assault attendances.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time

import pytest
from fastapi.testclient import TestClient
from vrhub_testkit import KENT
from vrhub_webkit import (
    PASSWORD,
    add_people,
    assert_axe_clean,
    assert_local_only,
    assert_no_csp_violation,
    free_port,
    screenshot,
    sign_in,
)

from vrhub.governance.access import agreements
from vrhub.ingest.geography import load_geography
from vrhub.library import Partnership
from vrhub.server import HubSettings, create_app
from vrhub.store.workspace import Settings, Workspace
from vrhub.synth.ed import ingest_synthetic_ed

GANGS = "gangs-county-lines-interventions"
TREATED = ["Medway", "Thanet", "Swale", "Canterbury", "Ashford", "Maidstone"]  # West Kent is not a district


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("services")
    ws = Workspace.open(Settings(home=root / "home", db_url=f"sqlite:///{root}/c.sqlite"))
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019"]))
    _, report = ingest_synthetic_ed(ws, root / "ed", seed=1, start="2022-01", months=36)
    assert report.ok
    add_people(ws)
    agreements.create_agreement(ws.catalogue, "Synthetic ED returns", organisation_name="Synthetic ED (ISTV)",
                                analysts=["analyst"], kinds=["ed_istv"], purpose="serious violence evaluation",
                                retention_days=365, lawful_basis="UK GDPR Art. 6(1)(e)", start=dt.date(2020, 1, 1))
    return ws, HubSettings(workspace=ws.settings, cookie_secure=False)


@pytest.fixture(scope="module")
def app(world):  # type: ignore[no-untyped-def]
    return create_app(world[1], workspace=world[0])


def client_as(app, username: str) -> TestClient:  # type: ignore[no-untyped-def]
    c = TestClient(app, base_url="http://testserver", follow_redirects=False)
    token = re.search(r'name="sign_in_token" value="([^"]*)"', c.get("/sign-in").text).group(1)  # type: ignore[union-attr]
    assert c.post("/sign-in", data={"username": username, "password": PASSWORD, "sign_in_token": token}
                  ).status_code == 303
    return c


def finished_page(app, c: TestClient, url: str) -> str:  # type: ignore[no-untyped-def]
    """The page at ``url`` once its job is done (the first answer is the job's page, with its refresh link)."""
    first = c.get(url)
    assert first.status_code == 200
    found = re.search(r'href="/jobs/([\w-]+)\?', first.text)
    if found:
        assert "Refresh" in first.text  # the JavaScript-off way on
        job = app.state.jobs.get(found.group(1))
        app.state.jobs.wait(job, timeout=600)
        assert job.status == "done", (job.error, job.what_to_do)
        first = c.get(url)
    assert first.status_code == 200
    return first.text


def test_the_list_links_each_service_of_the_register(app, world) -> None:  # type: ignore[no-untyped-def]
    html = client_as(app, "analyst").get("/analyst/services").text
    keys = [s.key for s in Partnership(world[0]).services().services]
    assert keys and all(f'href="/analyst/services/{k}"' in html for k in keys)


def test_the_evaluation_and_value_equal_the_library(app, world) -> None:  # type: ignore[no-untyped-def]
    c = client_as(app, "analyst")
    url = f"/analyst/services/{GANGS}?effect_prior=mentoring&participants=200&baseline_offences=60"
    html = finished_page(app, c, url)
    library = Partnership(world[0])
    ev = library.evaluate("did", treated=TREATED, start="2022-07", source="ed_istv")
    e = ev.value.effect
    lo, hi = e.percent_ci
    assert f"{e.percent_change:+.1f}% (95% CI {lo:+.1f}% to {hi:+.1f}%)" in html  # the CLI's "Estimate:" line
    assert f"{e.estimate:.3f} ({e.ci_low:.3f} to {e.ci_high:.3f}), p = {e.p_value:.3f}" in html
    assert "SYNTHETIC" in html and "DEMO" in html.upper()
    assert f"vrhub evaluate did --treated {','.join(TREATED)} --start 2022-07 --source ed_istv" in html
    assert "left out of the treated areas: West Kent" in html
    # the chart's table holds the event study's months
    first = ev.value.result.event_study.table.iloc[0]
    assert f'<th scope="row" class="govuk-table__header">{int(first["event_time"])}</th>' in html
    assert f">{round(float(first['percent_change']), 1)}<" in html
    sheet = library.value(GANGS, effect_prior="mentoring", participants=200, baseline_offences=60).value
    bcr = sheet["benefit_cost_ratio"]
    assert f"{bcr['central']:,.2f} (95% interval {bcr['low']:,.2f} to {bcr['high']:,.2f})" in html
    assert f"£{sheet['cost_per_participant']:,.0f}" in html and f"£{sheet['programme_cost']:,.0f}" in html
    be = sheet["break_even_offences"]
    assert f"{be['central']:,.0f} (95% interval {be['low']:,.0f} to {be['high']:,.0f})" in html


def test_a_second_visit_on_the_same_data_waits_for_nothing(app) -> None:  # type: ignore[no-untyped-def]
    c = client_as(app, "analyst")
    url = f"/analyst/services/{GANGS}?effect_prior=mentoring&participants=200&baseline_offences=60"
    finished_page(app, c, url)
    started = time.perf_counter()
    again = c.get(url)
    assert "Benefit–cost ratio" in again.text and "/jobs/" not in again.text
    print(f"cached service page: {time.perf_counter() - started:.3f} s")


def test_a_board_viewer_gets_the_released_evaluation(app, world) -> None:  # type: ignore[no-untyped-def]
    html = finished_page(app, client_as(app, "board"), f"/analyst/services/{GANGS}")
    released = Partnership(world[0]).evaluate("did", treated=TREATED, start="2022-07", source="ed_istv").release()
    e = released.value.effect
    assert "released: disclosure control applied" in html
    assert f"{e.estimate:.3f} ({e.ci_low:.3f} to {e.ci_high:.3f}), p = {e.p_value:.3f}" in html


def test_bad_options_and_unknown_services_say_what_to_do(app) -> None:  # type: ignore[no-untyped-def]
    c = client_as(app, "analyst")
    bad = c.get(f"/analyst/services/{GANGS}?participants=lots")
    assert bad.status_code == 422 and "There is a problem" in bad.text and "not a number" in bad.text
    assert c.get("/analyst/services/no-such-service").status_code == 404
    assert client_as(app, "partner").get("/analyst/services").status_code == 403


@pytest.fixture(scope="module")
def server(app):  # type: ignore[no-untyped-def]
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the hub did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def test_an_analyst_reaches_a_service_by_keyboard(page, server: str) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, server, "analyst")
    page.goto(f"{server}/analyst/services")
    assert_axe_clean(page)
    screenshot(page, "web-analyst-services")
    link = page.locator(f'a[href="/analyst/services/{GANGS}"]')
    for _ in range(60):  # Tab from the top of the page to the service's link, then Enter
        page.keyboard.press("Tab")
        if link.evaluate("el => el === document.activeElement"):
            break
    else:
        pytest.fail("the service's link cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/analyst/services/"))
    page.locator("#value").wait_for(timeout=600_000)  # the job page redirects to the result when it is done
    page.wait_for_load_state("networkidle")
    page.locator("[data-vega-spec] canvas").first.wait_for(timeout=30_000)
    assert page.locator("#effect-ed_istv").is_visible()
    assert_axe_clean(page)
    assert_no_csp_violation(page)
    assert_local_only(page)
    screenshot(page, "web-analyst-service")


def test_the_service_page_works_with_javascript_off(browser, server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, server, "analyst")
        page.goto(f"{server}/analyst/services/{GANGS}?participants=150")
        for _ in range(600):
            if page.locator("#value").count():
                break
            time.sleep(0.5)
            page.get_by_role("link", name=re.compile("^(Refresh|Show the result)$")).click()
        assert page.locator("#value").count() and "£" in page.locator("#value-figures").inner_text()
    finally:
        context.close()

