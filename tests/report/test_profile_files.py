"""Profile files for analysts: every file carries "unsuppressed — analyst use only", and the HTML is offline."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser

import openpyxl
import pandas as pd
import pyarrow.parquet as pq

from vrhub.report.profile_files import ANALYST_MARKER

EXPECTED_TABLES = {"what_by_category", "where_by_area", "concentration", "by_imd_decile", "when_monthly",
                   "success_measures"}


def test_every_file_is_listed_and_exists(analyst_files):
    f = analyst_files.files
    names = {p.relative_to(f.folder).as_posix() for p in f.files}
    assert {f"tables/{t}.{ext}" for t in EXPECTED_TABLES for ext in ("csv", "parquet")} <= names
    assert {"profile.xlsx", "summary.md", "profile.json", "profile.html", "charts/monthly.svg",
            "charts/monthly.png", "charts/rate_by_area.svg", "charts/rate_by_imd_decile.svg"} <= names
    assert all(p.is_file() and p.stat().st_size > 0 for p in f.files)
    assert f.marker == ANALYST_MARKER


def test_every_csv_starts_with_the_marker_and_holds_the_table(analyst_files):
    tables = analyst_files.profile.tables()
    for name, table in tables.items():
        path = analyst_files.folder / "tables" / f"{name}.csv"
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == f"# {ANALYST_MARKER}", name
        df = pd.read_csv(path, skiprows=1)
        assert list(df.columns) == table.column_names and len(df) == table.num_rows, name
        if "records" in df:
            assert df["records"].sum() == sum(table.column("records").to_pylist()), name


def test_every_parquet_file_carries_the_marker_and_the_definition(analyst_files):
    sha = analyst_files.profile.definition["definition_sha256"]
    for name, table in analyst_files.profile.tables().items():
        path = analyst_files.folder / "tables" / f"{name}.parquet"
        meta = pq.read_schema(path).metadata
        assert meta[b"vrhub_notice"].decode() == ANALYST_MARKER, name
        assert json.loads(meta[b"vrhub_definition"])["definition_sha256"] == sha
        assert pq.read_table(path).num_rows == table.num_rows


def test_every_excel_sheet_starts_with_the_marker(analyst_files):
    wb = openpyxl.load_workbook(analyst_files.folder / "profile.xlsx", read_only=True)
    assert set(wb.sheetnames) == EXPECTED_TABLES
    for ws in wb.worksheets:
        rows = ws.iter_rows(min_row=1, max_row=3, values_only=True)
        first, _, header = next(rows), next(rows), next(rows)
        assert first[0] == ANALYST_MARKER, ws.title
        assert list(header[: len(analyst_files.profile.tables()[ws.title].column_names)]) == \
            analyst_files.profile.tables()[ws.title].column_names


def test_every_chart_svg_shows_the_marker(analyst_files):
    svgs = sorted((analyst_files.folder / "charts").glob("*.svg"))
    assert len(svgs) == 3
    for svg in svgs:
        assert ANALYST_MARKER in html.unescape(svg.read_text(encoding="utf-8")), svg.name


def test_summary_and_metadata_carry_the_marker(analyst_files):
    summary = (analyst_files.folder / "summary.md").read_text(encoding="utf-8").splitlines()
    assert ANALYST_MARKER in summary[0]
    meta = json.loads((analyst_files.folder / "profile.json").read_text(encoding="utf-8"))
    p = analyst_files.profile
    assert meta["notice"] == ANALYST_MARKER
    assert meta["headline"]["possible"] == p.headline["possible"]
    assert meta["definition"] == p.definition and meta["datasets"] == p.datasets
    assert meta["trend"]["months_excluded"] == ["2018-12"] and "fitted" not in meta["trend"]
    assert set(meta["sections"]) == {"what", "where", "when", "who", "why", "measures"}
    assert meta["sections"]["who"]["available"] is False and meta["sections"]["who"]["notes"]


class _Resources(HTMLParser):
    """Every URL the page would fetch: script/img/iframe src, link href, and CSS url()/@import."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed") and a.get("src"):
            self.urls.append(a["src"] or "")
        if tag == "script" and not a.get("src"):
            self.inline_scripts += 1
        if tag == "link" and a.get("href"):
            self.urls.append(a["href"] or "")
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            low = data.lower()
            for key in ("@import", "url("):
                start = 0
                while (i := low.find(key, start)) >= 0:
                    self.urls.append(data[i:i + 120])
                    start = i + 1


def remote(url: str) -> bool:
    u = url.strip().strip("'\"").lower()
    for prefix in ("@import", "url("):
        u = u.removeprefix(prefix).strip().strip("'\"")
    return u.startswith(("http:", "https:", "//"))


def test_html_makes_no_network_request(analyst_files):
    page = (analyst_files.folder / "profile.html").read_text(encoding="utf-8")
    parser = _Resources()
    parser.feed(page)
    assert parser.inline_scripts >= 2  # vega + vega-lite + vega-embed inlined, plus the chart script
    assert not [u for u in parser.urls if remote(u)]
    assert ANALYST_MARKER in page


def test_the_title_and_notice_are_in_the_page_body_not_inside_the_inlined_script(analyst_files):
    """The inlined Vega bundle contains the text "<body>" itself: the heading must go after the page's own tag."""
    page = (analyst_files.folder / "profile.html").read_text(encoding="utf-8")
    body = page.rindex("<body>")
    assert page.index("<h1>") > body and page.index(ANALYST_MARKER) > body
    assert page.index("<h1>") > page.rindex("</script>", 0, body)  # after the bundle's script has closed


def test_the_png_is_the_svg_rasterised(analyst_files):
    """One render: the PNG is the SVG rasterised, pixel for pixel what vl-convert gives for the SVG."""
    import io

    import numpy as np
    import vl_convert as vlc
    from PIL import Image

    charts = analyst_files.folder / "charts"
    svg = (charts / "monthly.svg").read_text(encoding="utf-8")
    ours = np.asarray(Image.open(charts / "monthly.png").convert("RGBA"))
    again = np.asarray(Image.open(io.BytesIO(vlc.svg_to_png(svg, scale=1.0, ppi=72))).convert("RGBA"))
    assert ours.shape[0] > 100 and np.array_equal(ours, again)


def test_remote_detector_would_catch_a_cdn_script():
    parser = _Resources()
    parser.feed('<script src="https://cdn.jsdelivr.net/npm/vega@5"></script><link href="//fonts.x/y.css">'
                "<style>@import 'https://a/b.css'; body{background:url(http://c/d.png)}</style>")
    assert len([u for u in parser.urls if remote(u)]) == 4


def test_chart_files_are_real_images(analyst_files):
    png = (analyst_files.folder / "charts" / "monthly.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (analyst_files.folder / "charts" / "monthly.svg").read_text(encoding="utf-8")
    assert svg.lstrip().startswith("<svg") and "Recorded" in svg
