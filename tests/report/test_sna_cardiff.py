"""The SNA's Cardiff Model subsection appears when ED data cover the period, says when they are synthetic, and is
protected in a release."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from vrhub_testkit import KENT_ZIP, open_workspace, police_uk_ingest

from vrhub.data import kent
from vrhub.ingest.geography import load_geography
from vrhub.report.sna import build_sna
from vrhub.synth.ed import ingest_synthetic_ed

BUILT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def ws_with_ed(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("sna-ed")
    ws = open_workspace(tmp / "home")
    load_geography(ws, [kent() / "boundaries", kent() / "imd2019"])
    assert police_uk_ingest(ws, [KENT_ZIP]).ok
    _, report = ingest_synthetic_ed(ws, tmp / "ed", seed=3, start="2018-10", months=5, scale=0.5)
    assert report.ok
    return ws


def section(html: str) -> str:
    start = html.index("The Cardiff Model view")
    return html[start:html.index("What this assessment cannot yet show", start)]


def test_the_cardiff_view_is_in_the_problem_section_and_flagged_synthetic(ws_with_ed, tmp_path: Path) -> None:
    html = build_sna(ws_with_ed, out=tmp_path, built_at=BUILT).html.read_text(encoding="utf-8")
    part = section(html)
    assert "Synthetic data:" in part and "Florence" in part
    assert "Cardiff Model view: needs emergency department" not in html


def test_a_released_cardiff_view_publishes_no_small_counts(ws_with_ed, tmp_path: Path) -> None:
    html = build_sna(ws_with_ed, out=tmp_path, built_at=BUILT, release=True).html.read_text(encoding="utf-8")
    part = section(html)
    cells = [c.replace(",", "") for c in re.findall(r"<td>([\d,]+)</td>", part)]
    assert cells, "the released tables have counts"
    assert all(int(c) == 0 or (int(c) > 7 and int(c) % 5 == 0) for c in cells), cells
