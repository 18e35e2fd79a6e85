"""Each role signs in through the form and lands on its own home page: axe-clean, all requests on 127.0.0.1, no
Content-Security-Policy refusal, a screenshot that is not blank (docs/images/web-<role>.png only when
VRHUB_UPDATE_DOCS_SCREENSHOTS=1: how the screenshots in docs/web.md and the README are made)."""

from __future__ import annotations

import pytest
from vrhub_webkit import HOMES, assert_axe_clean, assert_local_only, assert_no_csp_violation, screenshot

DOC_NAMES = {"partner": "partner", "analyst": "analyst", "board": "board", "admin": "admin"}


@pytest.mark.parametrize("username", list(HOMES))
def test_each_role_home_in_a_browser(signed_in_page, live_server: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page = signed_in_page(username)
    assert page.url == f"{live_server}{HOMES[username]}"
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").count() == 1
    assert_axe_clean(page)
    assert_local_only(page)
    assert_no_csp_violation(page)
    screenshot(page, f"web-{DOC_NAMES[username]}", to_docs=True)
