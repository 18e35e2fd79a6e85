"""The library's views behind the analyst pages, on the shared Kent workspace (five real police.uk months):
the catalogue's coverage grid against the zip counted with the csv module, the explorer's source filter and one
area's figures against the records counted with pandas, and the map's boundaries against the lookup."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from vrhub_testkit import KENT_MONTHS, KENT_ROWS, KENT_ZIP

from vrhub.library import Partnership
from vrhub.library.explore import area_figures, boundaries_geojson, explore, table_source
from vrhub.store.geography import Geography


@pytest.fixture(scope="module")
def library(kent_ws) -> Partnership:
    return Partnership(kent_ws.ws)


def _zip_rows_by_month() -> dict[str, int]:
    counts: dict[str, int] = {}
    with zipfile.ZipFile(KENT_ZIP) as zf:
        for name in zf.namelist():
            if name.endswith(".csv"):
                with zf.open(name) as f:
                    for r in csv.DictReader(io.TextIOWrapper(f, "utf-8-sig")):
                        counts[r["Month"]] = counts.get(r["Month"], 0) + 1
    return counts


def test_the_catalogue_lists_provenance_and_a_grid_of_every_row(library: Partnership) -> None:
    view = library.catalogue()
    street = [e for e in view.entries if e.kind == "police_uk_street"]
    assert sum(e.rows_read for e in street) == KENT_ROWS
    assert all(e.rows_read == e.rows_accepted + e.rows_quarantined and e.status == "current" for e in street)
    assert {e.partner for e in street} == {"Kent Police"} and all(len(e.sha256) == 64 for e in street)
    assert view.months == KENT_MONTHS
    (row,) = [r for r in view.grid if r.kind == "police_uk_street"]
    assert row.supplier == "Kent Police" and not row.synthetic
    assert {m: c.rows for m, c in row.cells.items()} == _zip_rows_by_month()
    # the one supply warning of these months (docs: 2018-12 is flagged) is on its cell of the grid
    flagged = {m for m, c in row.cells.items() if c.warnings}
    assert "2018-12" in flagged and {w.month.strftime("%Y-%m") for w in view.supply} <= flagged
    assert view.entry(street[0].id) == street[0] and view.entry("nope") is None


def test_table_sources_follow_the_profile_table_names() -> None:
    assert table_source("where_by_area") == "police_uk"
    assert table_source("who_ed_by_age_band") == "ed" and table_source("when_ambulance_hour_weekday") == "ambulance"
    assert table_source("what_force_weapons") == "force" and table_source("cube_force_victims") == "force"
    assert table_source("success_measures") is None


def test_the_explorer_shows_one_source_and_an_areas_figures(library: Partnership, kent_ws) -> None:
    profile = library.profile(level="district").value
    view = explore(profile, "unsuppressed", released=False, source="ed")  # no ED loaded: falls back to police.uk
    assert view.source == "police_uk" and list(view.sources) == ["police_uk"]
    assert [c.name for c, _ in view.charts] == ["monthly", "rate_by_area", "rate_by_imd_decile"]
    for chart, table in view.charts:
        assert chart.spec()["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        assert table.rows and table.name == chart.table
    # one district's figures, against the street records counted with pandas through the lookup
    street = kent_ws.ws.engine().table("police_uk_street").to_pandas()
    lk = Geography(kent_ws.ws.engine()).lsoa_lookup().to_pandas().set_index("lsoa_code")
    in_scope = street[street["crime_type"].isin(["Violence and sexual offences", "Robbery", "Possession of weapons"])]
    by_district = in_scope["lsoa_code"].map(lk["district_code"]).value_counts()
    code = by_district.index[0]
    fig = area_figures(profile, code)
    assert fig is not None and fig.figures["records"] == by_district.iloc[0] and fig.level == "district"
    assert fig.share == pytest.approx(by_district.iloc[0] / sum(r["records"] for r in view.areas))
    assert area_figures(profile, "E99999999") is None


def test_the_map_has_one_feature_per_area_of_the_level(library: Partnership) -> None:
    profile = library.profile(level="district").value
    codes = {r["area_code"] for r in profile.tables()["where_by_area"].to_pylist()}
    geo = boundaries_geojson(library.engine, "district")
    assert {f["id"] for f in geo["features"]} == codes
    shape = geo["features"][0]["geometry"]
    lon, lat = shape["coordinates"][0][0][0] if shape["type"] == "MultiPolygon" else shape["coordinates"][0][0]
    assert 0 < lon < 2 and 50.8 < lat < 51.6  # WGS84, in Kent
    lsoas = boundaries_geojson(library.engine, "lsoa")
    assert len(lsoas["features"]) == len(library.profile(level="lsoa").value.tables()["where_by_area"])
