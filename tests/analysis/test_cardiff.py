"""The Cardiff Model view against independent counts from the generated ISTV CSVs, IMD File_2 and the police rows.

The expected numbers are computed with the csv module only: the ED files as written by the generator, each Home LSOA
mapped to its district by the shipped IoD 2019 File_2, and the police.uk rows this test writes itself.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from vrhub_testkit import KENT, STREET_HEADER, csv_bytes, open_workspace, police_uk_ingest, street_row

from vrhub.analysis.cardiff import NOT_KNOWN, SYNTHETIC_NOTICE, TABLES, WEEKDAYS, cardiff_view
from vrhub.domain.errors import NoDataError
from vrhub.ingest.geography import load_geography
from vrhub.report.release import release
from vrhub.synth.ed import ingest_synthetic_ed

IMD_FILE_2 = next((KENT / "imd2019").glob("File_2_*.csv"))
VIOLENCE = ("Violence and sexual offences", "Robbery", "Possession of weapons")
COUNT_COLUMNS = ("ed_assaults", "police_violence", "ed_arrivals")


def imd_districts() -> dict[str, str]:
    with IMD_FILE_2.open(encoding="utf-8-sig", newline="") as f:
        return {r["LSOA code (2011)"]: r["Local Authority District name (2019)"] for r in csv.DictReader(f)}


def police_rows(lsoas: dict[str, str]) -> list[dict[str, str]]:
    """A few police.uk rows in Kent LSOAs: violence, robbery, weapons (counted) and burglary, drugs (not counted)."""
    codes = sorted(lsoas)[:40]
    types = [*VIOLENCE, "Burglary", "Drugs", "Violence and sexual offences"]
    return [street_row(**{"Crime ID": f"p{i}", "Month": ("2023-01", "2023-02")[i % 2], "LSOA code": codes[i % 40],
                          "LSOA name": "", "Crime type": types[i % len(types)]}) for i in range(120)]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("cardiff")
    ws = open_workspace(root / "home")
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019"]))
    made, report = ingest_synthetic_ed(ws, root / "returns", seed=11, start="2023-01", months=2, scale=0.3)
    assert report.ok and all(r.rows_quarantined == 0 for r in report.results)
    lsoas = imd_districts()
    police = police_rows(lsoas)
    street = root / "police" / "2023-01-kent-street.csv"
    street.parent.mkdir(parents=True)
    street.write_bytes(csv_bytes(STREET_HEADER, police))
    assert police_uk_ingest(ws, [street], partner="Kent Police").ok
    ed = [r for p in made.paths for r in csv.DictReader(p.open(encoding="utf-8", newline=""))]
    return ws, ed, police, lsoas


@pytest.fixture(scope="module")
def view(loaded):  # type: ignore[no-untyped-def]
    return cardiff_view(loaded[0].engine())


@pytest.fixture(scope="module")
def released(loaded):  # type: ignore[no-untyped-def]
    return release(cardiff_view(loaded[0].engine())).result  # the one release step (issue 11)


def arrival(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M" if text[4] == "-" else "%d/%m/%Y %H:%M")


def test_ed_counts_by_district_equal_an_independent_count(loaded, view) -> None:  # type: ignore[no-untyped-def]
    _, ed, _, lsoas = loaded
    expected = Counter(lsoas.get(r["Home LSOA"], NOT_KNOWN) for r in ed)
    t = view.tables["ed_vs_police_by_district"]
    got = {r["district_name"]: int(r["ed_assaults"]) for r in t.to_dict("records") if r["ed_assaults"] > 0}
    assert got == dict(expected)
    assert expected[NOT_KNOWN] > 0  # the generator leaves some home LSOAs blank: they must be kept, not dropped
    assert view.totals["ed_assaults"] == len(ed) == int(t["ed_assaults"].sum())


def test_police_violence_by_district_and_month_equal_an_independent_count(loaded, view) -> None:  # type: ignore[no-untyped-def]
    _, _, police, lsoas = loaded
    counted = [r for r in police if r["Crime type"] in VIOLENCE]
    assert 0 < len(counted) < len(police)
    by_district = Counter(lsoas[r["LSOA code"]] for r in counted)
    t = view.tables["ed_vs_police_by_district"]
    got = {r["district_name"]: int(r["police_violence"]) for r in t.to_dict("records") if r["police_violence"] > 0}
    assert got == dict(by_district)
    by_month = Counter(r["Month"] for r in counted)
    m = view.tables["ed_vs_police_by_month"]
    assert dict(zip(m["month"], m["police_violence"].astype(int), strict=True)) == dict(by_month)
    assert view.totals["police_violence"] == len(counted)


def test_district_month_table_adds_up_to_both_margins(view) -> None:  # type: ignore[no-untyped-def]
    x = view.tables["ed_vs_police_by_district_month"]
    for col in ("ed_assaults", "police_violence"):
        by_d = x.groupby("district_name")[col].sum()
        d = view.tables["ed_vs_police_by_district"].set_index("district_name")[col]
        assert (by_d.reindex(d.index) == d).all()
        by_m = x.groupby("month")[col].sum()
        m = view.tables["ed_vs_police_by_month"].set_index("month")[col]
        assert (by_m.reindex(m.index) == m).all()


def test_hour_weekday_table_sums_to_the_ed_total_and_matches_the_arrivals(loaded, view) -> None:  # type: ignore[no-untyped-def]
    ed = loaded[1]
    t = view.tables["ed_arrivals_hour_weekday"]
    assert len(t) == 7 * 24
    assert int(t["ed_arrivals"].sum()) == len(ed)
    expected = Counter((WEEKDAYS[arrival(r["Arrival date time"]).weekday()], arrival(r["Arrival date time"]).hour)
                       for r in ed)
    got = {(r["weekday"], int(r["hour"])): int(r["ed_arrivals"]) for r in t.to_dict("records") if r["ed_arrivals"]}
    assert got == dict(expected)


def test_location_types_and_free_text_descriptions(loaded, view) -> None:  # type: ignore[no-untyped-def]
    ed = loaded[1]
    loc = view.tables["ed_location_type"]
    assert int(loc["ed_assaults"].sum()) == len(ed)
    assert loc["share_percent"].sum() == pytest.approx(100, abs=0.5)
    desc = view.tables["ed_location_descriptions"]
    expected = Counter(r["Assault location description"] for r in ed if r["Assault location description"])
    got = dict(zip(desc["assault_location_description"], desc["ed_assaults"].astype(int), strict=True))
    assert got == {k: v for k, v in expected.items() if k in got}
    assert set(got) == set(expected)  # fewer distinct texts than --top: all listed
    assert list(desc["ed_assaults"]) == sorted(desc["ed_assaults"], reverse=True)


def test_every_table_and_the_summary_say_the_ed_data_are_synthetic(view) -> None:  # type: ignore[no-untyped-def]
    assert view.synthetic and set(view.tables) == set(TABLES)
    for name, t in view.tables.items():
        assert t["ed_synthetic"].all(), name
    assert view.summary[0] == SYNTHETIC_NOTICE and "SYNTHETIC" in view.notice
    assert any("not record matching" in n for n in view.notes)
    assert any("no date or time" in n for n in view.notes)


def test_release_leaves_no_count_from_1_to_7_and_only_multiples_of_5(view, released) -> None:  # type: ignore[no-untyped-def]
    assert released.released and released.disclosure is not None
    suppressed = 0
    for name, t in released.tables.items():
        for col in COUNT_COLUMNS:
            if col not in t:
                continue
            values = t[col]
            suppressed += int(values.isna().sum())
            v = values.dropna().astype(int)
            assert not v.between(1, 7).any(), (name, col)
            assert (v % 5 == 0).all(), (name, col)
    assert suppressed > 0  # the small set has small cells: something must have been suppressed
    t = released.totals
    assert t["ed_assaults"] is not None and t["ed_assaults"] % 5 == 0
    assert abs(t["ed_assaults"] - view.totals["ed_assaults"]) <= 2


def test_release_drops_free_text_whose_count_is_suppressed(view, released) -> None:  # type: ignore[no-untyped-def]
    raw = dict(zip(view.tables["ed_location_descriptions"]["assault_location_description"],
                   view.tables["ed_location_descriptions"]["ed_assaults"].astype(int), strict=True))
    small = {text for text, n in raw.items() if n <= 7}
    assert small  # the small set must have a rare free text, or this test could not fail
    out = released.tables["ed_location_descriptions"]
    assert out["ed_assaults"].notna().all()
    kept = set(out["assault_location_description"])
    assert kept and not kept & small
    assert all(raw[text] > 7 for text in kept)


def test_period_filter_counts_only_those_months(loaded) -> None:  # type: ignore[no-untyped-def]
    ws, ed = loaded[0], loaded[1]
    feb = cardiff_view(ws.engine(), start=dt.date(2023, 2, 1), end=dt.date(2023, 2, 1))
    assert feb.totals["ed_assaults"] == sum(arrival(r["Arrival date time"]).month == 2 for r in ed)
    assert list(feb.tables["ed_vs_police_by_month"]["month"]) == ["2023-02"]


def test_no_ed_data_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "home")
    with pytest.raises(NoDataError) as info:
        cardiff_view(ws.engine())
    assert "vrhub" in (info.value.hint or "")


def test_released_tables_and_totals_survive_an_integer_programming_attack(released) -> None:  # type: ignore[no-untyped-def]
    # Issue 11: everything a released view shows of each source's district × month cube — the three tables and the
    # headline total — attacked together by integer programming (vrhub.domain.disclosure.audit, integer=True).
    import pandas as pd

    from vrhub.domain.disclosure import NHS_OPENSAFELY, audit

    attacked = 0
    for column in ("ed_assaults", "police_violence"):
        t = released.tables
        frames = [t["ed_vs_police_by_district"][["district_name", column]],
                  t["ed_vs_police_by_month"][["month", column]],
                  t["ed_vs_police_by_district_month"][["district_name", "month", column]],
                  pd.DataFrame({column: [released.totals[column]]})]  # the total in the summary
        frames = [f.astype({column: "object"}).where(f.notna(), None) for f in frames]
        report = audit(frames, NHS_OPENSAFELY, dims=["district_name", "month"], value=column, integer=True)
        attacked += len(report.cells)
        assert report.safe, report.recovered
    assert attacked > 0  # there were suppressed cells to attack
