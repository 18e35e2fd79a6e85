"""The SNA's where section shows ED hot spots and near repeats when dated ED data are loaded (police.uk alone keeps
its honest refusal), and its what-works section is built from the evaluations and the value-for-money sheets."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from vrhub_testkit import KENT_ZIP, open_workspace, police_uk_ingest

from vrhub.analysis.value.sheet import value_sheet
from vrhub.data import kent
from vrhub.governance.commissioning import register_in_force
from vrhub.ingest.geography import load_geography
from vrhub.report.sna import build_sna
from vrhub.report.sna.board import plain
from vrhub.synth.ed import ingest_synthetic_ed

BUILT = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
TODAY = dt.date(2025, 1, 1)
REFUSAL = "Near-repeat analysis: police.uk gives months only"


@pytest.fixture(scope="module")
def ws_with_ed(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("sna-signals")
    ws = open_workspace(tmp / "home")
    load_geography(ws, [kent() / "boundaries", kent() / "imd2019"])
    assert police_uk_ingest(ws, [KENT_ZIP]).ok
    _, report = ingest_synthetic_ed(ws, tmp / "ed", seed=3, start="2018-10", months=5)
    assert report.ok
    return ws


@pytest.fixture(scope="module")
def draft(ws_with_ed, tmp_path_factory: pytest.TempPathFactory) -> str:  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("draft")
    return build_sna(ws_with_ed, out=out, built_at=BUILT, today=TODAY).html.read_text(encoding="utf-8")


def text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#39;", "'").replace("&gt;", ">")


def between(html: str, a: str, b: str) -> str:
    t = text(html)
    start = t.index(a)
    return t[start:t.index(b, start)]


def test_where_shows_ed_hot_spots_and_near_repeats(draft: str) -> None:
    t = text(draft)
    assert "Where: hot spots of ED assault attendances (patients' home LSOAs)" in t
    assert draft.count("<svg") >= 5  # monthly, districts, IMD, police Gi*, ED Gi*
    part = between(draft, "Where and when: near repeats", "What this assessment cannot yet show")
    assert "Synthetic data:" in part and "Knox" in part and "never run on them" in part
    # the planted near repeats: same home LSOA within a week, more pairs than chance
    m = re.search(r"same location 0-7 days ([\d,]+) ([\d,.]+) ([\d.]+) ([\d.]+)", part)
    assert m, part
    observed, expected, ratio, p = (float(g.replace(",", "")) for g in m.groups())
    assert ratio == pytest.approx(observed / expected, abs=0.01) and ratio > 1.3 and p <= 0.001
    assert "near-repeat pattern" in part
    assert REFUSAL not in t


def test_police_uk_alone_keeps_the_honest_refusal(kent_ws, tmp_path: Path) -> None:
    t = text(build_sna(kent_ws.ws, out=tmp_path, built_at=BUILT, today=TODAY).html.read_text(encoding="utf-8"))
    assert REFUSAL in t and "Where and when: near repeats" not in t
    assert "hot spots of ED assault attendances" not in t


def test_what_works_is_built_from_evaluations_and_value_sheets(ws_with_ed, draft: str) -> None:
    part = between(draft, "5. What works", "6. The strategy")
    register = register_in_force(ws_with_ed)
    assert len(register.services) == 4
    for svc in register.services:  # each service's line is its value-for-money sheet
        sheet = value_sheet(ws_with_ed, svc.key)
        assert text(plain(sheet["plain_english"], [])) in part, svc.key  # commands and options: in the appendix
    assert "planning assumption from the YEF Toolkit, not a local evaluation" in part
    ev = between(draft, "Local impact evaluations", "Value for money")
    # the demo data (Oct 2018 - Feb 2019) end before the Gangs and County Lines contract starts (July 2022)
    assert ev.count("Gangs and County Lines") == 2  # one row per loaded outcome: police.uk and ED
    assert "the workspace has 5 before and 0 from 2022-07" in ev
    assert "does not state its contract start" in ev and "does not state its districts" in ev


def test_release_shows_knox_ratios_without_pair_counts(ws_with_ed, tmp_path: Path) -> None:
    html = build_sna(ws_with_ed, out=tmp_path, built_at=BUILT, today=TODAY, release=True).html.read_text("utf-8")
    part = between(html, "Where and when: near repeats", "When: hour of the day and weekday")  # the next heading
    assert "knox ratio" in part and "observed" not in part and "expected" not in part
    # issue 11: the number of attendances is a count (protected), the bands are judged with the global test
    m = re.search(r"against chance \(([\d,]+) attendances\)", part)
    assert m and int(m[1].replace(",", "")) % 5 == 0, part[:300]
    assert "Global test over the 4 space-time bands" in part and "p adjusted" in part
    # the trend stated is the one refitted to the released monthly counts, never the exact one
    from vrhub.analysis.profile import build_profile
    from vrhub.domain.definitions import load_definition
    from vrhub.report.release import release_profile

    exact = build_profile(ws_with_ed.engine(), load_definition(), level="district")
    released = release_profile(exact)[0]
    what = "Recorded serious violence (definite and possible)"
    assert released.trend.sentence(what) in text(html)
    assert released.trend.change_per_year != exact.trend.change_per_year


def test_builds_with_ed_data_differ_only_in_build_time(ws_with_ed, draft: str, tmp_path: Path) -> None:
    later = dt.datetime(2025, 3, 14, 17, 45, tzinfo=dt.UTC)
    other = build_sna(ws_with_ed, out=tmp_path, built_at=later, today=TODAY).html.read_text(encoding="utf-8")
    assert other.replace("2025-03-14 17:45 UTC", "2025-01-01 00:00 UTC") == draft
