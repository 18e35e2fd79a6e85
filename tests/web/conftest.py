"""The web application's fixtures: one workspace, one live server and one browser per session.

    web_world        the Kent workspace (tests/conftest.py's ``kent_ws``, copied) with an organisation, a user of each
                     role (``USERS``: partner, analyst, board, admin; password ``PASSWORD``) and an agreement
    live_server      the hub (``create_app``) under uvicorn on 127.0.0.1 and a free port, in a thread: its base URL
    browser          Playwright's Chromium: Debian's /usr/bin/chromium (Playwright's own download is unreachable);
                     skipped with a message when missing, except under CI=true, where the tests fail
    page             a fresh browser context's page (no cookies), every request recorded for ``assert_local_only``
    signed_in_page   ``signed_in_page("board")``: a page signed in as that role, at the role's home

Helpers (importable from test modules as ``vrhub_webkit``): ``sign_in(page, base, role)``, ``assert_axe_clean(page)``
(the vendored axe-core, WCAG 2.0/2.1/2.2 A and AA rules, zero violations), ``assert_local_only(page)`` (every
request the page made went to 127.0.0.1), ``screenshot(page, name)`` (a PNG in the session's screenshot folder,
asserted not blank by its pixel variance; see below).

Screenshots never change the working tree on an ordinary run: they go to ``$VRHUB_SCREENSHOTS`` when set, else to a
folder under pytest's own temporary directory (``screenshots`` in ``pytest --basetemp``, or the newest
``/tmp/pytest-of-$USER/pytest-N/screenshots0``). The pictures in the docs and the README (``to_docs=True``) are
written to ``docs/images`` only when ``VRHUB_UPDATE_DOCS_SCREENSHOTS=1`` is set:

    VRHUB_UPDATE_DOCS_SCREENSHOTS=1 .venv/bin/pytest tests/web
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import socket
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from vrhub_testkit import open_workspace

from vrhub.domain.errors import NotFound
from vrhub.governance.access import accounts, agreements
from vrhub.server import HubSettings, create_app
from vrhub.store.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
AXE = ROOT / "src" / "vrhub" / "server" / "web" / "static" / "vendor" / "axe-core" / "axe.min.js"
DOCS_IMAGES = ROOT / "docs" / "images"
#: set to 1 to refresh the docs' and README's screenshots in docs/images (otherwise they go to the session folder)
UPDATE_DOCS = "VRHUB_UPDATE_DOCS_SCREENSHOTS"
_SHOTS: dict[str, Path] = {}
PASSWORD = "correct horse battery staple"
ORGANISATION = "Kent Police"
#: user name → role (and the partner's organisation)
USERS = {"partner": "partner_uploader", "analyst": "analyst", "board": "board_viewer", "admin": "admin"}
HOMES = {"partner": "/partner", "analyst": "/analyst", "board": "/board", "admin": "/admin"}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


@dataclass
class WebWorld:
    ws: Workspace
    settings: HubSettings


def add_people(ws: Workspace) -> None:
    """An organisation, a user of each role, and an agreement naming the analyst."""
    cat = ws.catalogue
    try:  # the Kent workspace's police.uk load registered it already
        accounts.organisation(cat, ORGANISATION)
    except NotFound:
        accounts.create_organisation(cat, ORGANISATION, "police")
    for name, role in USERS.items():
        accounts.create_user(cat, name, role, password=PASSWORD, display_name=f"Test {name}",
                             organisation_name=ORGANISATION if role == "partner_uploader" else None)
    agreements.create_agreement(cat, "Kent Police street crime", organisation_name=ORGANISATION, analysts=["analyst"],
                                kinds=["police_uk_street"], purpose="serious violence profile", retention_days=365,
                                lawful_basis="UK GDPR Art. 6(1)(e); Police, Crime, Sentencing and Courts Act 2022 s.13",
                                start=dt.date(2020, 1, 1))


@pytest.fixture(scope="session", autouse=True)
def screenshot_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this session's screenshots go: ``$VRHUB_SCREENSHOTS``, or a folder of pytest's temporary directory."""
    chosen = os.environ.get("VRHUB_SCREENSHOTS", "")
    _SHOTS["folder"] = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    return _SHOTS["folder"]


def updating_docs() -> bool:
    """Whether this run refreshes docs/images (``VRHUB_UPDATE_DOCS_SCREENSHOTS=1``)."""
    return os.environ.get(UPDATE_DOCS) == "1"


@pytest.fixture(scope="session")
def web_world(kent_ws, tmp_path_factory: pytest.TempPathFactory) -> WebWorld:  # type: ignore[no-untyped-def]
    """The Kent workspace (boundaries, IMD, five months of street crime) copied, with people: built once."""
    home = tmp_path_factory.mktemp("web") / "home"
    shutil.copytree(kent_ws.ws.home, home)
    ws = open_workspace(home)
    add_people(ws)
    return WebWorld(ws, HubSettings(workspace=ws.settings, cookie_secure=False))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(web_world: WebWorld) -> Iterator[str]:
    """The hub under uvicorn on 127.0.0.1 (a thread of this process): its base URL."""
    import uvicorn

    app = create_app(web_world.settings, workspace=web_world.ws)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the hub did not start under uvicorn")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright (one per session)."""
    why = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        why = "the playwright package is not installed (pip install -e '.[test]')"
    if why is None and not Path(CHROMIUM).exists():
        why = f"Chromium is not at {CHROMIUM} (apt-get install chromium)"
    if why is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {why}")
        pytest.skip(why)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


def _recording_page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.vrhub_requests = []  # type: ignore[attr-defined]
    page.vrhub_console = []  # type: ignore[attr-defined]

    def record(route) -> None:  # type: ignore[no-untyped-def]
        page.vrhub_requests.append(route.request.url)  # type: ignore[attr-defined]
        if urlsplit(route.request.url).hostname == "127.0.0.1" or route.request.url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", record)
    page.on("console", lambda m: page.vrhub_console.append(f"{m.type}: {m.text}"))  # type: ignore[attr-defined]
    return context, page


@pytest.fixture
def page(browser) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh page (its own context: no cookies), recording every request it makes."""
    context, p = _recording_page(browser)
    yield p
    context.close()


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Sign ``page`` in as ``username`` through the sign-in form; it ends on the role's home page."""
    page.goto(f"{base}/sign-in")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


@pytest.fixture
def signed_in_page(browser, live_server: str) -> Iterator[Callable[[str], object]]:  # type: ignore[no-untyped-def]
    """``signed_in_page("board")``: a new page signed in as that user (USERS), at its home."""
    contexts = []

    def make(username: str):  # type: ignore[no-untyped-def]
        context, p = _recording_page(browser)
        contexts.append(context)
        sign_in(p, live_server, username)
        return p

    yield make
    for c in contexts:
        c.close()


def assert_axe_clean(page) -> None:  # type: ignore[no-untyped-def]
    """Run the vendored axe-core on the page: no violation of the WCAG 2.2 A/AA rules."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page.url))  # served by the hub: the page's policy allows it
    page.add_script_tag(url=f"{origin}/static/vendor/axe-core/axe.min.js")
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    problems = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
                for v in result["violations"]]
    assert not problems, f"axe-core found on {page.url}:\n" + "\n".join(problems)


def assert_local_only(page) -> None:  # type: ignore[no-untyped-def]
    """Every request the page made (recorded by route interception) went to 127.0.0.1, and there was one."""
    urls = page.vrhub_requests
    assert urls, "the page made no request at all (was it recorded?)"
    away = [u for u in urls if not u.startswith(("data:", "blob:")) and urlsplit(u).hostname != "127.0.0.1"]
    assert not away, f"requests off the machine: {away}"


def assert_no_csp_violation(page) -> None:  # type: ignore[no-untyped-def]
    """The browser reported no Content-Security-Policy refusal (an inline script or style the policy blocked)."""
    refused = [m for m in page.vrhub_console if "Content Security Policy" in m]
    assert not refused, "\n".join(refused)


def screenshot(page, name: str, *, to_docs: bool = False, folder: Path | None = None) -> Path:  # type: ignore[no-untyped-def]
    """Save a full-page PNG of ``page`` as ``name``.png and assert it is not blank (its pixels vary): in ``folder``,
    else the session's screenshot folder; a docs picture (``to_docs``) in docs/images only when updating them."""
    import tempfile

    from PIL import Image, ImageStat

    if to_docs and updating_docs():
        out_dir = DOCS_IMAGES
    else:
        out_dir = folder or _SHOTS.get("folder") or Path(tempfile.mkdtemp(prefix="vrhub-screenshots-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{name}.png"
    data = page.screenshot(full_page=True)
    stddev = ImageStat.Stat(Image.open(io.BytesIO(data)).convert("L")).stddev[0]
    assert stddev > 5, f"the screenshot {name} is blank (pixel standard deviation {stddev:.1f})"
    path.write_bytes(data)
    return path


# --- counts 1 to 7 (the board must never be shown one) ----------------------------------------------------------
#: a whole number from 1 to 7 standing alone: not part of a bigger number (1,107 / 2021 / 7.7), a code (SVDA-1,
#: E06000035), a share (5%) or a time; "decile 1" is a rank, not a count
SMALL = re.compile(r"(?<![\w.,£$/:\-–])([1-7])(?![\w,%:/\-–]|\.\d)")
#: (a count of months of data loaded, "4 usable months", is the data's extent, not a count of people or crimes)
NOT_COUNTS = re.compile(r"\bdecile [1-7]\b|\b[1-7] (?:usable )?months?\b", re.I)
#: elements whose numbers are not counts: dates, and what a template marks (an action's reference)
EXEMPT = "time, [data-not-count], script, style"
EXEMPT_XPATH = ".//time | .//*[@data-not-count] | .//script | .//style"


def small_counts_in_text(text: str) -> list[str]:
    """Each standalone 1 to 7 in ``text`` (with its surroundings), once ranks ("decile 1") are taken out."""
    text = NOT_COUNTS.sub("", text)
    return [text[max(m.start() - 40, 0):m.end() + 40].replace("\n", " ") for m in SMALL.finditer(text)]


def small_counts_in_json(doc: object, inside: bool = False) -> list[str]:
    """Each 1 to 7 among a JSON document's data (Vega-Lite ``values``, GeoJSON ``properties``): whole numbers, and
    standalone ones in strings. Outside those (a chart's height, a stroke width) numbers are layout."""
    found: list[str] = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            found += small_counts_in_json(v, inside or k in ("values", "properties"))
    elif isinstance(doc, list):
        for v in doc:
            found += small_counts_in_json(v, inside)
    elif inside and isinstance(doc, int) and not isinstance(doc, bool) and 1 <= doc <= 7:
        found.append(str(doc))
    elif inside and isinstance(doc, str):
        found += small_counts_in_text(doc)
    return found


def visible_text_of_html(html: str) -> str:
    """The text of a page's body without the exempt elements (what :func:`small_counts_in_text` reads)."""
    import lxml.html

    body = lxml.html.fromstring(html).find("body")
    assert body is not None
    for el in body.xpath(EXEMPT_XPATH):
        el.drop_tree()  # keeps the text after it
    return body.text_content()


def json_blocks_of_html(html: str) -> list[object]:
    import json

    import lxml.html

    return [json.loads(el.text_content()) for el in
            lxml.html.fromstring(html).xpath('//script[@type="application/json"]')]


_kit = types.ModuleType("vrhub_webkit", "Helpers of tests/web/conftest.py.")
_kit.__dict__.update({k: v for k, v in list(globals().items()) if not k.startswith("_") and k != "pytest"})
sys.modules["vrhub_webkit"] = _kit
