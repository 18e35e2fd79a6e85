"""The administrator's pages in a real browser: an administrator registers an organisation and its uploader, records
a data-sharing agreement (a form sent empty first names every missing field), and the new uploader can then upload an
ED return under it; a token is shown once and revoked; the audit log verifies; the purge preview and the registers
(an action's status edited, its RAG following) render. axe-core, local-only requests, CSP and screenshots on each."""

from __future__ import annotations

import re
from pathlib import Path

from vrhub_testkit import ISTV_BAD, istv_return
from vrhub_webkit import PASSWORD, assert_axe_clean, assert_local_only, assert_no_csp_violation, screenshot, sign_in

from vrhub.governance import store as gov_store
from vrhub.governance.access import accounts
from vrhub.library.registers import Registers
from vrhub.store import audit

ORG, USER, AGREEMENT = "SECAmb and EDs (admin pages)", "ed_new_uploader", "ED returns via the admin pages"


def check(page, name: str, *, to_docs: bool = False) -> None:  # type: ignore[no-untyped-def]
    assert_axe_clean(page)
    screenshot(page, name, to_docs=to_docs)


def test_an_administrator_records_an_agreement_and_the_partner_can_then_upload(  # type: ignore[no-untyped-def]
        web_world, signed_in_page, browser, live_server, tmp_path: Path) -> None:
    page = signed_in_page("admin")
    assert page.url.endswith("/admin")
    check(page, "admin-home", to_docs=True)

    page.goto(live_server + "/admin/organisations")
    page.fill("#name", ORG)
    page.select_option("#sector", "health")
    page.click("form[action='/admin/organisations'] button")
    assert ORG in page.inner_text("tbody")
    check(page, "admin-organisations")

    page.goto(live_server + "/admin/users")
    page.fill("#username", USER)
    page.select_option("#role", "partner_uploader")
    page.select_option("#organisation", label=ORG)
    page.fill("#password", PASSWORD)
    page.click("form[action='/admin/users'] button[type=submit]")
    assert "User added" in page.inner_text(".govuk-notification-banner")
    check(page, "admin-users")

    page.goto(live_server + "/admin/agreements/new")
    page.fill("#retention_days", "")
    page.click("form[action='/admin/agreements'] button[type=submit]")  # sent empty: every missing field named
    page.wait_for_selector(".govuk-error-summary")
    links = page.locator(".govuk-error-summary a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert set(links) == {"#name", "#organisation", "#kinds", "#purpose", "#lawful_basis", "#retention_days",
                          "#start_date"}
    for href in links:  # each link leads to its field
        assert page.locator(href).count() == 1, href
    check(page, "admin-agreement-errors")
    page.fill("#name", AGREEMENT)
    page.select_option("#organisation", label=ORG)
    page.check("input[name=kinds][value=ed_istv]")
    page.fill("#purpose", "Cardiff Model: ED assault attendances for the needs assessment")
    page.fill("#lawful_basis", "UK GDPR Art. 6(1)(e); Police, Crime, Sentencing and Courts Act 2022 s.13")
    page.fill("#supplies_for", "SYN-TEST")
    page.fill("#retention_days", "365")
    page.fill("#start_date", "2020-01-01")
    page.check("input[name=analysts][value=analyst]")
    page.click("form[action='/admin/agreements'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/agreements$"))
    assert "Agreement recorded" in page.inner_text(".govuk-notification-banner")
    assert AGREEMENT in page.inner_text("main")
    check(page, "admin-agreements")
    assert_local_only(page)
    assert_no_csp_violation(page)

    partner = browser.new_context()
    try:
        p = partner.new_page()
        sign_in(p, live_server, USER)
        assert AGREEMENT in p.inner_text("form[data-upload-progress]")
        source = tmp_path / "ed-return-admin.csv"
        source.write_bytes(istv_return(good=3))
        p.set_input_files("#file", str(source))
        p.click("form[data-upload-progress] button[type=submit]")
        p.wait_for_url(re.compile(r".*/partner/uploads/[0-9a-f-]+$"), timeout=120_000)  # through the job's page
        assert f"{3 + len(ISTV_BAD)} rows read = 3 accepted + {len(ISTV_BAD)} quarantined" in \
            p.inner_text(".govuk-notification-banner")
        assert AGREEMENT in p.inner_text(".govuk-summary-list")
    finally:
        partner.close()


def test_tokens_audit_purge_and_registers(web_world, signed_in_page, live_server) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page("admin")
    page.goto(live_server + "/admin/tokens")
    page.select_option("#username", "board")
    page.fill("#token_name", "dashboard export")
    page.click("form[action='/admin/tokens'] button[type=submit]")
    secret = page.inner_text("#new-token").strip()
    assert accounts.user_for_token(web_world.ws.catalogue, secret).username == "board"
    check(page, "admin-tokens")
    page.reload()  # the secret is never shown again
    assert secret not in page.content()
    prefix = secret[:10]
    page.click(f"xpath=//tr[contains(., '{prefix}')]//button")
    assert "revoked" in page.inner_text(".govuk-notification-banner")
    assert accounts.user_for_token(web_world.ws.catalogue, secret) is None

    page.goto(live_server + "/admin/audit")
    page.click("form[action='/admin/audit'] button")
    head = page.inner_text("#head-hash").strip()
    assert "Verified" in page.inner_text(".govuk-notification-banner")
    assert any(e.hash == head for e in audit.latest(web_world.ws.catalogue, limit=50))
    check(page, "admin-audit")
    page.fill("#expect_head", "0" * 63)  # not a hash: the field is named
    page.click("form[action='/admin/audit'] button")
    assert "64 characters" in page.inner_text(".govuk-error-summary")

    page.goto(live_server + "/admin/purge")
    check(page, "admin-purge")

    page.goto(live_server + "/registers/actions")
    check(page, "registers-actions")
    first = page.locator("tbody tr a").first
    action_id = first.inner_text().split(" ")[0].strip()
    before = next(a for a in gov_store.in_force(web_world.ws).actions if a.id == action_id)
    first.click()
    check(page, "registers-action-edit")
    page.check("input[name=status][value='off track']")
    page.click("form[action^='/registers/actions/'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/registers/actions$"))
    try:
        row = page.locator(f"xpath=//tr[.//a[starts-with(normalize-space(.), '{action_id}')]]")
        assert "off track" in row.inner_text() and "red" in row.inner_text()
        assert next(a for a in gov_store.in_force(web_world.ws).actions if a.id == action_id).status == "off track"
    finally:  # the shared world's board pages read the action plans: put the status back
        Registers(web_world.ws, accounts.user(web_world.ws.catalogue, "admin")).update_action(
            action_id, status=before.status, evidence=before.evidence, due=before.due.isoformat())
    page.goto(live_server + "/registers/services")
    check(page, "registers-services")
    page.locator("tbody tr a").first.click()
    check(page, "registers-service-edit")
    assert_local_only(page)
    assert_no_csp_violation(page)
