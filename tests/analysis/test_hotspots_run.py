"""Hotspot methods on the real Kent workspace, checked against counts read straight from the police.uk CSVs.

The expected counts come from DuckDB SQL over the CSVs extracted from the shipped zip (no vrhub code); the
police.uk categories in scope are the Kent definition's (definite and possible serious violence).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from vrhub.analysis.hotspots import TimeResolutionError, contiguity_weights, gi_star, persistence_of_top_places
from vrhub.analysis.hotspots import run as hs
from vrhub.analysis.hotspots.emerging import ARCGIS_PATTERNS
from vrhub.domain.definitions import load_definition
from vrhub.store.geography import Geography

SCOPE = ("Violence and sexual offences", "Robbery", "Possession of weapons")


def sql_counts(csv_dir: Path, months: tuple[str, str] | None = None, *, located: bool = False) -> pd.DataFrame:
    """Records in scope per LSOA code, straight from the CSVs."""
    where = f""""Crime type" in {SCOPE!r}"""
    if months:
        where += f" and \"Month\" between '{months[0]}' and '{months[1]}'"
    if located:
        where += ' and "Longitude" is not null and "Latitude" is not null'
    files = str(csv_dir / "*" / "*-kent-street.csv")
    return duckdb.sql(
        f"""select "LSOA code" as lsoa, count(*) as n from read_csv('{files}', all_varchar=true)
            where {where} group by 1"""
    ).df()


@pytest.fixture(scope="module")
def engine(kent_ws):  # type: ignore[no-untyped-def]
    return kent_ws.ws.engine()


@pytest.fixture(scope="module")
def incidents(engine):  # type: ignore[no-untyped-def]
    return hs.gather_incidents(engine, load_definition())


def test_lsoa_gi_star_equals_gi_star_on_independent_sql_counts(engine, incidents, kent_csv_dir, kent_ws):
    result = hs.run_gi_star(engine, incidents, level="lsoa", permutations=199, seed=11)

    lsoas = Geography(engine).geodataframe("lsoa").sort_values("code").reset_index(drop=True)
    counts = sql_counts(kent_csv_dir).set_index("lsoa")["n"]
    y = counts.reindex(lsoas["code"]).fillna(0).to_numpy(float)
    expected = gi_star(y, contiguity_weights(lsoas, ids=lsoas["code"].to_numpy()), permutations=199, seed=11)

    assert list(result.places["id"]) == list(lsoas["code"])
    np.testing.assert_array_equal(result.places["count"].to_numpy(float), y)
    np.testing.assert_allclose(result.places["z"].to_numpy(), expected.z, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(result.places["classification"].to_numpy(), expected.classification)
    # what was used is recorded, and which data versions were read
    assert result.parameters["permutations"] == 199 and result.parameters["seed"] == 11
    assert result.parameters["fdr_level"] == 0.05 and result.parameters["weights"] == "queen"
    street = sorted(d.id for d in kent_ws.ws.catalogue.datasets("police_uk_street"))
    assert result.data_versions["police_uk_street"] == street
    assert len(result.data_versions["boundaries_lsoa"]) > 0
    meta = result.metadata()
    assert meta["period"] == {"from": "2018-10", "to": "2019-02"} and meta["citation"].startswith("Getis")


def test_period_filter_and_emerging_monthly_counts(engine, kent_csv_dir):
    inc = hs.gather_incidents(engine, load_definition(), start=dt.date(2018, 12, 1), end=dt.date(2019, 2, 1))
    result = hs.run_emerging(engine, inc, level="lsoa")
    assert result.parameters["periods"] == ["2018-12", "2019-01", "2019-02"]
    counts = sql_counts(kent_csv_dir, ("2018-12", "2019-02")).set_index("lsoa")["n"]
    expected = counts.reindex(result.places["id"]).fillna(0).to_numpy()
    np.testing.assert_array_equal(result.places["count"].to_numpy(), expected)
    assert result.result.z.shape == (len(result.places), 3)  # one Gi* z per LSOA and month
    assert set(result.places["pattern"]) <= set(ARCGIS_PATTERNS)


def test_kde_on_grid_records_its_parameters_and_counts_every_located_record(engine, incidents, kent_csv_dir):
    result = hs.run_kde(engine, incidents, cell_size=2000, kernel="epanechnikov", bandwidth=3000)
    located = int(sql_counts(kent_csv_dir, located=True)["n"].sum())
    assert result.parameters["n_points"] == located
    assert result.parameters["cell_size_m"] == 2000 and result.parameters["kernel"] == "epanechnikov"
    assert result.parameters["bandwidth_m"] == 3000
    assert (result.places["density_per_km2"] >= 0).all()
    # every located record is in a cell or reported as outside the grid
    outside = [n for n in result.notes if "outside the grid" in n]
    n_out = int(outside[0].split()[0].replace(",", "")) if outside else 0
    assert int(result.places["count"].sum()) + n_out == located


def test_grid_gi_star_counts_add_up(engine, incidents):
    result = hs.run_gi_star(engine, incidents, level="grid", cell_size=2000, permutations=0)
    assert result.parameters["cell_size_m"] == 2000 and result.parameters["weights"] == "grid_queen"
    assert result.parameters["inference"] == "analytic" and result.parameters["seed"] is None
    assert result.grid is not None and len(result.places) == result.grid.n_cells
    assert np.isfinite(result.places["z"]).all()


def test_persistence_matches_the_method_on_sql_counts(engine, kent_csv_dir):
    got = hs.run_persistence(engine, load_definition(),
                             this_period=(dt.date(2019, 1, 1), dt.date(2019, 2, 1)),
                             last_period=(dt.date(2018, 11, 1), dt.date(2018, 12, 1)), top_share=0.05)
    codes = Geography(engine).geodataframe("lsoa")["code"]
    this = sql_counts(kent_csv_dir, ("2019-01", "2019-02")).set_index("lsoa")["n"].reindex(codes).fillna(0)
    last = sql_counts(kent_csv_dir, ("2018-11", "2018-12")).set_index("lsoa")["n"].reindex(codes).fillna(0)
    expected = persistence_of_top_places(this, last, top_share=0.05)
    assert got.result.persistence_share == pytest.approx(expected.persistence_share, abs=1e-12)
    assert set(got.result.top_this) == set(expected.top_this)
    assert 0 < got.result.persistence_share < 1


def test_near_repeat_refuses_day_bands_on_months_and_runs_on_month_bands(engine, kent_csv_dir):
    inc = hs.gather_incidents(engine, load_definition(), start=dt.date(2018, 10, 1), end=dt.date(2018, 11, 1))
    with pytest.raises(TimeResolutionError, match="months only"):
        hs.run_near_repeat(inc, space_bands=[0, 200, 400], time_bands=[0, 7, 14], permutations=9)
    knox = hs.run_near_repeat(inc, space_bands=[0, 200], time_bands=[0, 0, 1], time_unit="month",
                              permutations=9, seed=1)
    assert knox.n_events == int(sql_counts(kent_csv_dir, ("2018-10", "2018-11"), located=True)["n"].sum())
    assert knox.time_unit == "month" and knox.seed == 1


def test_period_outside_the_loaded_months_is_refused_and_a_reversed_period_too(engine):
    from vrhub.domain.errors import NoDataError, UsageError

    with pytest.raises(NoDataError, match="loaded months"):
        hs.gather_incidents(engine, load_definition(), start=dt.date(2020, 1, 1), end=dt.date(2020, 2, 1))
    with pytest.raises(UsageError, match="swap"):
        hs.gather_incidents(engine, load_definition(), start=dt.date(2019, 2, 1), end=dt.date(2018, 10, 1))
    cut = hs.gather_incidents(engine, load_definition(), start=dt.date(2018, 6, 1), end=dt.date(2018, 10, 1))
    assert cut.start == dt.date(2018, 10, 1) and any("cut to the loaded months" in n for n in cut.notes)


def test_dual_kde_divides_by_a_population_surface_of_the_loaded_residents(engine, incidents):
    from vrhub.analysis.hotspots.kde import kernel_density

    result = hs.run_dual_kde(engine, incidents, cell_size=2000, bandwidth=3000)
    p = result.parameters
    assert (p["bandwidth_m"], p["cell_size_m"], p["per"]) == (3000, 2000, 1000.0)
    assert result.data_versions["population"] and result.method == "dual_kde"
    # independent population surface: the LSOAs' residents (IMD 2019 File 6) at their BNG centroids
    geo = Geography(engine)
    lsoas = geo.geodataframe("lsoa").set_index("code")
    pop = geo.attributes("population").to_pandas().set_index("lsoa_code")["population_total"]
    xy = np.column_stack([lsoas.geometry.to_crs(27700).centroid.x, lsoas.geometry.to_crs(27700).centroid.y])
    w = pop.reindex(lsoas.index).to_numpy(float)
    surface = kernel_density(xy, result.grid, bandwidth=3000, kernel="quartic", weights=w, crs="EPSG:27700")
    assert pop.sum() == 1_795_251  # Kent and Medway, mid-2015 (data README)
    assert 0.85 * pop.sum() < surface.expected_count.sum() <= pop.sum()  # the rest falls outside the grid
    rate = result.places["rate_per_1000"].to_numpy()
    ok = surface.expected_count >= 1.0
    np.testing.assert_allclose(rate[ok], result.places["density_per_km2"].to_numpy()[ok]
                               / surface.density_per_km2[ok] * 1000, rtol=1e-4)  # centroids via WGS84 and back
    assert np.isnan(rate[~ok]).all()


def test_the_grid_is_built_once_per_workspace_geography_and_read_back_the_same(engine):
    geo = Geography(engine)
    folder = engine.ws.home / "cache" / "geography"
    first = hs._grid(geo, 4000.0)
    kept = sorted(folder.glob("grid-*.parquet"))
    assert kept, "the grid was not kept in the workspace's cache"
    again = hs._grid(Geography(engine), 4000.0)  # a new Geography: read from the file, not from memory
    fresh = hs.square_grid(geo.geodataframe("lsoa"), 4000.0)
    for grid in (first, again):
        assert grid.n_cells == fresh.n_cells and grid.shape == fresh.shape and grid.origin == fresh.origin
        np.testing.assert_array_equal(grid.area_m2, fresh.area_m2)
        assert grid.cells.geometry.geom_equals_exact(fresh.cells.geometry, 0).all()
    assert sorted(folder.glob("grid-*.parquet")) == kept  # read back, not built again
    hs._grid(geo, 5000.0)  # another cell size is another grid
    assert len(list(folder.glob("grid-*.parquet"))) == len(kept) + 1
