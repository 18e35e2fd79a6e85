"""``--release``: disclosure control on every published number, and the disclosure statement on every file."""

from __future__ import annotations

import html
import json
import re

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from vrhub.analysis.profile.trend import rate_ratio
from vrhub.domain.disclosure import NHS_OPENSAFELY, ONS_THRESHOLD_10, statistics_statement
from vrhub.report.profile_files import ANALYST_MARKER
from vrhub.report.release import release_tables

#: columns that hold counts of records (population, days, areas and LSOAs are not counts of records)
COUNT_COLUMNS = {"records", "definite", "possible", "previous_year", "total_records"}
#: columns that would reveal exact counts and must not be released
EXACT_COLUMNS = {"definite", "possible", "harm_css", "harm_cchi_days", "trend_fitted", "rank"}


def published_tables(folder) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_csv(p, skiprows=1) for p in sorted((folder / "tables").glob("*.csv"))}


def assert_protected(value: object, where: str, base: int = 5, threshold: int = 7) -> None:
    if pd.isna(value):
        return
    v = int(value)
    assert not 1 <= v <= threshold, f"{where}: {v} is a small count"
    assert v % base == 0, f"{where}: {v} is not a multiple of {base}"


@pytest.mark.parametrize("which", ["release_files", "ward_release_files"])
def test_no_published_count_is_small_or_unrounded(which, request):
    written = request.getfixturevalue(which)
    tables = published_tables(written.folder)
    assert set(tables) == set(written.profile.tables())
    checked = 0
    for name, df in tables.items():
        assert not (EXACT_COLUMNS & set(df.columns)), name
        for col in COUNT_COLUMNS & set(df.columns):
            for i, v in enumerate(df[col]):
                assert_protected(v, f"{name}.{col}[{i}]")
                checked += 1
    assert checked > 30
    # parquet holds the same protected values
    for name in tables:
        t = pq.read_table(written.folder / "tables" / f"{name}.parquet").to_pandas()
        for col in COUNT_COLUMNS & set(t.columns):
            for i, v in enumerate(t[col]):
                assert_protected(v, f"{name}.parquet {col}[{i}]")


def test_ward_release_suppresses_the_small_counts_the_analyst_table_has(ward_release_files):
    exact = ward_release_files.profile.sections["where"].tables["where_by_area"].column("records").to_pylist()
    assert sum(1 <= v <= 7 for v in exact) > 50  # one month by ward: plenty of small counts
    released = published_tables(ward_release_files.folder)["where_by_area"]
    assert len(released) == len(exact)
    assert released["records"].isna().sum() >= sum(1 <= v <= 7 for v in exact)  # primary (+ secondary)
    assert (released["records"].dropna() % 5 == 0).all()


def test_rates_are_recomputed_from_published_counts(release_files):
    df = published_tables(release_files.folder)["where_by_area"]
    assert len(df) == 13
    for r in df.itertuples():
        assert r.rate_per_1000 == pytest.approx(round(r.records * 1000 / r.population, 2), abs=1e-9)
    conc = published_tables(release_files.folder)["concentration"]
    for r in conc.itertuples():
        assert r.share_of_records == pytest.approx(round(r.records / r.total_records, 4), abs=1e-9)


def test_every_file_carries_the_disclosure_statement(release_files):
    marker = release_files.files.marker
    assert marker.startswith("released — Disclosure control: counts 1–7 suppressed")
    assert "rounded to the nearest 5" in marker and ANALYST_MARKER not in marker
    folder = release_files.folder
    for p in (folder / "tables").glob("*.csv"):
        assert p.read_text(encoding="utf-8").splitlines()[0] == f"# {marker}", p.name
    for p in (folder / "tables").glob("*.parquet"):
        assert pq.read_schema(p).metadata[b"vrhub_notice"].decode() == marker, p.name
    wb = openpyxl.load_workbook(folder / "profile.xlsx", read_only=True)
    for ws in wb.worksheets:
        assert next(ws.iter_rows(max_row=1, values_only=True))[0] == marker, ws.title
    for svg in (folder / "charts").glob("*.svg"):
        text = html.unescape(svg.read_text(encoding="utf-8"))
        assert marker in text and ANALYST_MARKER not in text, svg.name
    assert marker in (folder / "summary.md").read_text(encoding="utf-8").splitlines()[0]
    assert ANALYST_MARKER not in (folder / "profile.html").read_text(encoding="utf-8")
    assert json.loads((folder / "profile.json").read_text(encoding="utf-8"))["notice"] == marker


def test_summary_and_metadata_publish_no_exact_count(release_files):
    exact = release_files.profile
    released = release_files.files.profile
    h = exact.headline
    assert released.headline["possible"] == round(h["possible"] / 5) * 5
    figures = exact.sections["where"].figures
    summary = (release_files.folder / "summary.md").read_text(encoding="utf-8")
    meta = json.loads((release_files.folder / "profile.json").read_text(encoding="utf-8"))
    for v in (h["possible"], figures["no_location"], figures["outside_geography"]):
        if v % 5:  # an exact count that rounding changes must appear nowhere
            assert not re.search(rf"(?<![\d,]){v:,}(?![\d,])", summary), v
            assert not re.search(rf"(?<![\d,]){v:,}(?![\d,])", " ".join(meta["summary"])), v
    assert f"{released.headline['possible']:,} records may be" in summary
    assert meta["headline"]["possible"] % 5 == 0
    assert released.sections["where"].figures == {k: (round(v / 5) * 5 if v > 7 else None)
                                                  for k, v in figures.items()}
    for w in meta["supply_warnings"]:
        assert "observed" not in w and "expected" not in w
        assert not re.search(r"\d{2,},?\d* rows", w["message"])


def test_release_follows_the_given_rules(district_profile, tmp_path):
    from vrhub.report.profile_files import write_profile

    rules = ONS_THRESHOLD_10  # suppress 1–9, no rounding
    files = write_profile(district_profile, tmp_path, release=True, rules=rules)
    # the marker states the count rules and, since issue 11, the rules for statistics
    assert files.marker == f"released — {rules.statement()} {statistics_statement()}"
    assert "counts 1–9 suppressed" in files.marker
    unrounded = 0
    for name, df in published_tables(tmp_path).items():
        for col in COUNT_COLUMNS & set(df.columns):
            for v in df[col].dropna():
                assert not 1 <= v <= 9, (name, col, v)
                unrounded += v % 5 != 0
    assert unrounded > 0  # these rules do not round: the published counts are exact (and large)
    assert files.profile.headline["possible"] == district_profile.headline["possible"]


def test_year_on_year_ratios_are_recomputed_from_the_published_counts():
    yoy = pa.table({"month": ["2020-01", "2020-02", "2020-03"], "records": [123, 5, 400],
                    "previous_year": [98, 40, 0], "days": [31, 29, 31], "previous_days": [31, 28, 31],
                    "rate_ratio": [1.2551, 0.1207, None], "ci_low": [0.96, 0.04, None], "ci_high": [1.64, 0.31, None]})
    out = release_tables({"year_on_year": yoy}, NHS_OPENSAFELY)[0]["year_on_year"].to_pylist()
    assert [r["records"] for r in out] == [125, None, 400]
    assert [r["previous_year"] for r in out] == [100, 40, 0]
    expected = rate_ratio(125, 100, 31, 31)
    assert out[0]["rate_ratio"] == pytest.approx(expected.ratio, abs=1e-4)
    assert (out[0]["ci_low"], out[0]["ci_high"]) == pytest.approx((expected.ci_low, expected.ci_high), abs=1e-4)
    assert out[1]["rate_ratio"] is None and out[1]["ci_low"] is None  # a suppressed count has no ratio
    assert out[2]["rate_ratio"] is None  # no previous-year records: no ratio


def test_a_small_headline_is_suppressed_in_the_released_summary(district_profile):
    import dataclasses

    from vrhub.report.release import release_profile

    small = dataclasses.replace(district_profile, headline={**district_profile.headline, "definite": 3,
                                                            "possible": 1234})
    released, statement = release_profile(small)
    assert released.headline["definite"] is None and released.headline["possible"] == 1235
    assert released.summary[0] == ("From October 2018 to February 2019, a few (suppressed) records were definitely "
                                   "serious violence and 1,235 more may be: the source cannot separate them (see "
                                   "'what').")
    assert statement.startswith("released — ")
    assert small.headline["definite"] == 3  # the analyst's profile is not changed
