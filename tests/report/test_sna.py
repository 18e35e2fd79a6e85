"""The Strategic Needs Assessment (SNA) on the real Kent data: self-contained and accessible HTML, a PDF that
renders, reproducible builds, disclosure control in a release, and findings that come from the data.

The SNA is built once per module (draft and release, each with a PDF) from the shared read-only ``kent_ws``.
Accessibility checks follow WCAG 2.2 (1.3.1 info and relationships, 1.1.1 non-text content, 1.4.3 contrast
minimum, 3.1.1 language of page); contrast uses WCAG's relative-luminance formula.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from vrhub_testkit import SNA_BUILT_AT as BUILT_AT
from vrhub_testkit import SNA_TODAY as TODAY

from vrhub.domain.definitions import load_definition
from vrhub.domain.errors import PeriodError
from vrhub.report.sna import SnaResult, build_sna, parse_period
from vrhub.report.sna.build import DRAFT

TITLE = "Serious Violence Strategic Needs Assessment, October 2018 to February 2019"
SECTIONS = ["summary", "definition", "problem", "causes", "works", "strategy", "appendix"]
HEADLINE = 29_452  # Violence and sexual offences 28,258 + Robbery 730 + Possession of weapons 464 (Kent README)


@dataclass
class Built:
    result: SnaResult
    html: str


@pytest.fixture(scope="module")
def draft(sna_draft: SnaResult) -> Built:  # built once per session (tests/report/conftest.py)
    return Built(sna_draft, sna_draft.html.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def release(sna_release: SnaResult) -> Built:
    return Built(sna_release, sna_release.html.read_text(encoding="utf-8"))


# --- an HTML outline, parsed with the standard library ----------------------------------------------------------
@dataclass
class Table:
    caption: str
    header: list[str]
    scopes: list[str | None]
    rows: list[list[str]]


class Outline(HTMLParser):
    """Headings, role=img labels, tables (caption, th scopes, cells), section ids, the html lang, tag names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.headings: list[tuple[int, str]] = []
        self.img_labels: list[str | None] = []
        self.tables: list[Table] = []
        self.section_ids: list[str] = []
        self.tags: set[str] = set()
        self.text: list[str] = []
        self._heading: list[str] | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._row: list[str] | None = None
        self._in_head = False
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.add(tag)
        if tag == "svg":
            self._svg += 1
        if tag == "html":
            self.lang = a.get("lang")
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading = []
        elif a.get("role") == "img":
            self.img_labels.append(a.get("aria-label"))
        if tag == "section" and a.get("id"):
            self.section_ids.append(a["id"])  # type: ignore[arg-type]
        if tag == "table":
            self.tables.append(Table("", [], [], []))
        elif tag == "caption":
            self._caption = []
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("th", "td"):
            self._cell = []
            if tag == "th":
                self.tables[-1].scopes.append(a.get("scope"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg -= 1
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((int(tag[1]), "".join(self._heading).strip()))
            self._heading = None
        elif tag == "caption" and self._caption is not None:
            self.tables[-1].caption = "".join(self._caption).strip()
            self._caption = None
        elif tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._in_head:
                self.tables[-1].header = self._row
            else:
                self.tables[-1].rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        for buf in (self._heading, self._cell, self._caption):
            if buf is not None:
                buf.append(data)
        if not self._svg:
            self.text.append(data)


def outline(html: str) -> Outline:
    o = Outline()
    o.feed(html)
    o.close()
    return o


def table(o: Outline, header_contains: str, caption: str = "") -> Table:
    found = [t for t in o.tables if header_contains in t.header and caption in t.caption]
    assert found, f"no table with a '{header_contains}' column"
    return found[0]


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# --- self-contained: no network reference ---------------------------------------------------------------------
NETWORK = [
    re.compile(r"<script", re.I),
    re.compile(r"""\b(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"""url\(\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"@import", re.I),
]


def test_html_has_no_script_and_no_network_reference(draft: Built, release: Built):
    for built in (draft, release):
        for pattern in NETWORK:
            assert not pattern.search(built.html), f"{pattern.pattern} in {built.result.html.name}"
        o = outline(built.html)
        assert "script" not in o.tags and "iframe" not in o.tags and "link" not in o.tags
    # the patterns do catch what they are meant to catch
    bad = ['<script>1</script>', '<img src="https://x/y.png">', '<a href="//cdn.example/x">',
           "body { background: url(http://x/y.png) }", "@import 'x.css';"]
    assert all(any(p.search(b) for p in NETWORK) for b in bad)


# --- accessibility structure ------------------------------------------------------------------------------------
def test_headings_tables_images_and_language(draft: Built):
    o = outline(draft.html)
    assert o.lang and o.lang.startswith("en")
    levels = [level for level, _ in o.headings]
    assert levels.count(1) == 1 and levels[0] == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), o.headings
    assert o.headings[0][1] == TITLE
    assert len(o.img_labels) == 5 and all(label and label.strip() for label in o.img_labels)  # charts + 2 maps
    assert len(o.tables) >= 10
    for t in o.tables:
        assert t.caption, f"a table has no caption (header {t.header})"
        assert t.header and t.scopes and all(s == "col" for s in t.scopes), t.caption
        assert all(len(r) == len(t.header) for r in t.rows), t.caption


def luminance(hex_colour: str) -> float:
    """WCAG 2.2 relative luminance of an sRGB colour (#rrggbb)."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_matches_published_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-fails grey
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


def test_text_colours_meet_wcag_aa_contrast(draft: Built, release: Built):
    css = re.search(r"<style>(.*?)</style>", draft.html, re.S)[1]  # type: ignore[index]
    var = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    for name in ("text", "muted", "link", "red", "amber", "ok"):  # text colours used on white
        assert contrast(var[name], "#ffffff") >= 4.5, name
    assert contrast(var["text"], "#f3f2f1") >= 4.5 and contrast(var["muted"], "#f3f2f1") >= 4.5  # .missing, code
    banner = re.search(r"\.notice \{[^}]*background: var\(--banner\); color: (#[0-9a-f]{6})", css)[1]  # type: ignore[index]
    assert contrast(banner, var["banner"]) >= 4.5
    release_bg = re.search(r"\.notice\.release \{ background: (#[0-9a-f]{6})", css)[1]  # type: ignore[index]
    assert contrast(banner, release_bg) >= 4.5
    page_head = re.search(r"@top-center \{[^}]*color: (#[0-9a-f]{6})", css)[1]  # type: ignore[index]
    assert contrast(page_head, "#ffffff") >= 4.5
    assert '<p class="notice release"' in release.html


# --- headless browser -------------------------------------------------------------------------------------------
def test_headless_chromium_loads_the_file_without_errors(draft: Built, tmp_path: Path):
    exe = (Path("/usr/bin/chromium") if Path("/usr/bin/chromium").exists() else None) or \
        next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
    if exe is None:
        message = "no chromium on this machine: `apt-get install chromium` enables the headless-browser check"
        if os.environ.get("CI") == "true":  # .ci/run installs it: on CI a missing browser is a failure
            pytest.fail(message)
        pytest.skip(message)
    netlog = tmp_path / "netlog.json"
    proc = subprocess.run(
        [str(exe), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'ud'}",
         f"--log-net-log={netlog}", "--enable-logging=stderr", "--v=0", "--dump-dom", draft.result.html.as_uri()],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert TITLE in proc.stdout
    assert "Uncaught" not in proc.stderr and "CONSOLE" not in proc.stderr, proc.stderr[-2000:]
    # Every URL the browser asked for, from its network log: the page itself must ask for none. Chromium's own
    # background calls (Google account and update services) are not the page's and are set aside.
    urls = set(re.findall(r'"url":"([^"]+)"', netlog.read_text(encoding="utf-8")))
    page_requests = [u for u in urls if not u.startswith(("file:", "data:", "about:", "chrome:"))
                     and not re.search(r"^https?://[^/]*(google|googleapis|gstatic)\.com/", u)]
    assert page_requests == []


# --- the PDF ----------------------------------------------------------------------------------------------------
def page_texts(pdf_path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        return [words(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]
    finally:
        pdf.close()


def ink_share(pdf_path: Path, index: int) -> float:
    """Share of pixels that are not (near) white on one rendered page."""
    import numpy as np
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(pdf_path))
    try:
        img = np.asarray(pdf[index].render(scale=0.5).to_pil().convert("L"))
    finally:
        pdf.close()
    return float((img < 240).mean())


def test_draft_pdf_renders_with_title_and_watermark(draft: Built):
    pdf = draft.result.pdf
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF")
    texts = page_texts(pdf)
    assert len(texts) >= 3
    assert TITLE in texts[0] and DRAFT in texts[0]
    assert all(DRAFT in t for t in texts)  # the running head on every page
    for i in (0, 1):
        assert ink_share(pdf, i) > 0.01, f"page {i + 1} is blank"


def test_blank_page_measures_as_blank(tmp_path: Path):
    from weasyprint import HTML

    HTML(string="<html><body></body></html>").write_pdf(tmp_path / "blank.pdf")
    assert ink_share(tmp_path / "blank.pdf", 0) < 0.001


def test_release_pdf_carries_the_statement_on_every_page_and_no_watermark(release: Built):
    texts = page_texts(release.result.pdf)  # type: ignore[arg-type]
    statement = "Disclosure control: counts 1–7 suppressed"
    assert len(texts) >= 3
    assert all(statement in t for t in texts)
    assert not any(DRAFT in t for t in texts)


# --- reproducibility --------------------------------------------------------------------------------------------
def test_builds_differ_only_in_build_time(kent_ws, draft: Built, tmp_path: Path):
    same = build_sna(kent_ws.ws, out=tmp_path / "same", built_at=BUILT_AT, today=TODAY)
    assert same.html.read_bytes() == draft.result.html.read_bytes()
    later = dt.datetime(2025, 3, 14, 17, 45, tzinfo=dt.UTC)
    other = build_sna(kent_ws.ws, out=tmp_path / "other", built_at=later, today=TODAY)
    text = other.html.read_text(encoding="utf-8")
    assert text != draft.html
    stamp = "2025-02-01 09:00 UTC"
    assert draft.html.count(stamp) == 1
    assert text.replace("2025-03-14 17:45 UTC", stamp) == draft.html


# --- disclosure control -----------------------------------------------------------------------------------------
COUNT_COLUMNS = {"records", "rows read", "accepted", "quarantined", "lsoas"}


def small_counts(o: Outline) -> list[tuple[str, str, str]]:
    hits = []
    for t in o.tables:
        for j, col in enumerate(t.header):
            if col.lower() in COUNT_COLUMNS:
                hits += [(t.caption, col, r[j]) for r in t.rows if re.fullmatch(r"[1-7]", r[j].replace(",", ""))]
    return hits


def test_release_has_no_small_counts_and_no_exact_headline(draft: Built, release: Built):
    o = outline(release.html)
    assert small_counts(o) == []
    assert f"{HEADLINE:,}" not in release.html and str(HEADLINE) not in release.html
    assert DRAFT not in release.html
    assert table(o, "records", "category").rows  # the count tables are there to be checked
    # the draft shows the exact count, and the check finds a small count when there is one
    assert f"{HEADLINE:,}" in draft.html and DRAFT in draft.html
    assert outline(draft.html.replace("<td>7,977</td>", "<td>3</td>")).tables and \
        small_counts(outline(draft.html.replace("<td>7,977</td>", "<td>3</td>")))


# --- content from the data --------------------------------------------------------------------------------------
def test_sections_in_order_with_ids(draft: Built):
    o = outline(draft.html)
    assert o.section_ids == SECTIONS
    h2 = [t for level, t in o.headings if level == 2 and t[:1].isdigit()]
    assert [t.split(".")[0] for t in h2] == [str(i) for i in range(1, 8)]


def test_findings_come_from_the_data(draft: Built):
    o = outline(draft.html)
    districts = table(o, "rate per 1000", "chart")
    rates = {r[0]: float(r[districts.header.index("rate per 1000")]) for r in districts.rows}
    # independent: rate = records / population * 1000 from the same table's columns
    for r in districts.rows:
        n, pop = (int(r[districts.header.index(c)].replace(",", "")) for c in ("records", "population"))
        assert rates[r[0]] == pytest.approx(1000 * n / pop, abs=0.006)
    top, low = max(rates, key=rates.get), min(rates, key=rates.get)  # type: ignore[arg-type]
    assert top == "Thanet" and low == "Sevenoaks"
    summary = next(f for f in draft.result.findings if "highest rate" in f)
    assert f"highest rate was in {top} ({rates[top]:.1f}" in summary and low in summary
    assert f"{HEADLINE:,} records" in draft.result.findings[0]
    # the deprivation chart's text alternative is read from its table
    imd = table(o, "imd decile")
    first, last = imd.rows[0], imd.rows[-1]
    rate = imd.header.index("rate per 1000")
    assert f"falling from {float(first[rate]):.1f} in decile 1" in o.img_labels[2]
    assert f"to {float(last[rate]):.1f} in decile 10" in o.img_labels[2]
    # the 'what' table adds up to the headline
    what = table(o, "sv status")
    assert sum(int(r[2].replace(",", "")) for r in what.rows if r[1] == "possible") == HEADLINE


def test_december_2018_supply_warning_is_reported(draft: Built):
    text = words(" ".join(outline(draft.html).text))
    assert "Supply warnings" in text and re.search(r"2018-12 Kent Police, \(all categories\): 8,438 rows", text)
    assert "re-supply December 2018" in text
    monthly = table(outline(draft.html), "supply warning")
    dec = next(r for r in monthly.rows if r[0] == "Dec 2018")
    assert dec[2] and all(not r[2] for r in monthly.rows if r[0] != "Dec 2018")


def test_appendix_lists_every_dataset_and_the_definition_hash(draft: Built, kent_ws):
    appendix = draft.html[draft.html.index('id="appendix"'):]
    versions = table(outline(draft.html), "sha256 (first 16)")
    assert sorted(r[0] for r in versions.rows) == sorted(draft.result.datasets)
    street = {d.id for d in kent_ws.ws.catalogue.datasets() if d.kind == "police_uk_street"}
    assert set(draft.result.datasets) == street and len(street) == 5
    sha = load_definition().sha256
    assert draft.result.definition_sha256 == sha and sha in appendix
    assert "vrhub sna build --period 2018-10..2019-02" in appendix


def test_period_restricts_the_report(kent_ws, tmp_path: Path):
    start, end = parse_period("2018-11..2019-01").months
    r = build_sna(kent_ws.ws, out=tmp_path, start=start, end=end, built_at=BUILT_AT, today=TODAY)
    html = r.html.read_text(encoding="utf-8")
    assert "Strategic Needs Assessment, November 2018 to January 2019" in html
    months = [row[0] for row in table(outline(html), "supply warning").rows]
    assert months == ["Nov 2018", "Dec 2018", "Jan 2019"]
    assert r.html.name == "sna_2018-11_2019-01_draft.html"


@pytest.mark.parametrize("text, message", [
    ("Nov 2018", "is not a period"), ("2019-01..2018-11", "ends before it starts"), ("18-11..19-01", "e.g. 2023-04"),
    ("2018-13..2019-01", "month outside 01-12"),
])
def test_bad_period_is_a_clear_error(text: str, message: str):
    with pytest.raises(PeriodError, match=re.escape(message)):
        parse_period(text)


# --- parts whose data are not loaded say what is missing --------------------------------------------------------
def test_parts_without_partner_data_say_what_is_missing(draft: Built, release: Built):
    for built in (draft, release):
        html = built.html
        problem = html[html.index('id="problem"'):html.index('id="causes"')]
        text = words(" ".join(outline(problem).text))
        who = text[text.index("Who"):text.index("What")]
        assert "Missing: no loaded source with victim or suspect age, sex or ethnicity" in who
        hours = text[text.index("When: hour of the day and weekday"):text.index("Why: the context")]
        assert "Missing: hour × weekday tables need a source with times (ED or ambulance data)" in hours
        assert "Missing: police.uk street data has no domestic-abuse" in text
        assert "The data behind the chart: " not in problem and "Heat map" not in problem
        causes = words(" ".join(outline(html[html.index('id="causes"'):html.index('id="works"')]).text))
        assert "The deprivation gradient in section 3" in causes and "which are not loaded" in causes
        assert "Missing: No education data is loaded." in causes  # the command to load it is in the appendix
        rebuild = words(" ".join(outline(html[html.index('id="rebuild"'):]).text))
        assert re.search(r"No education data is loaded: [^<]*'vrhub ingest education", rebuild)
        assert "odds ratio" not in causes
        assert any(m.startswith("Causes (risk and protective factors)") and "no education data" in m.lower()
                   for m in built.result.missing)
        assert not any(f.startswith("In the linked cohort") for f in built.result.findings)


def test_the_page_renders_in_memory_from_gathered_inputs(kent_ws, draft: Built, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch):
    """gather (the analyses, seeded) then render (pure): the same page as the files, and nothing on disk."""
    from vrhub.report.sna import gather_sna, render_sna

    inputs = gather_sna(kent_ws.ws, built_at=BUILT_AT, today=TODAY)
    monkeypatch.chdir(tmp_path)
    page = render_sna(inputs)
    assert page.html == draft.html
    assert page.stem == draft.result.html.stem and page.datasets == draft.result.datasets and page.pdf is None
    assert list(tmp_path.iterdir()) == []
