"""Incidents kept in the engine answer every method as the whole pandas frame would, on the real Kent workspace.

The lazy answers (GROUP BY in DuckDB) are compared with the same answers computed by pandas on the frame of the
same records (``dataclasses.replace(incidents, records=incidents.frame)``), and the hot-spot results made from
each are compared number for number; the counts are also checked against SQL over the police.uk CSVs themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import duckdb
import numpy as np
import pandas as pd
import pytest

from vrhub.analysis.hotspots import run as hs
from vrhub.domain.definitions import load_definition

SCOPE = ("Violence and sexual offences", "Robbery", "Possession of weapons")


@pytest.fixture(scope="module")
def engine(kent_ws):  # type: ignore[no-untyped-def]
    return kent_ws.ws.engine()


@pytest.fixture(scope="module")
def pair(engine):  # type: ignore[no-untyped-def]
    lazy = hs.gather_incidents(engine, load_definition(), start=dt.date(2018, 11, 1), end=dt.date(2019, 2, 1))
    eager = dataclasses.replace(lazy, records=lazy.frame)
    return lazy, eager


def test_records_stay_in_the_engine_until_asked(engine):  # type: ignore[no-untyped-def]
    inc = hs.gather_incidents(engine, load_definition())
    assert inc.lazy and "frame" not in inc.__dict__
    inc.lsoa_counts(), inc.point_counts(by_month=True), inc.n_located
    assert "frame" not in inc.__dict__  # no aggregate brought every row to pandas


def test_counts_match_pandas_and_the_csvs(pair, kent_csv_dir):  # type: ignore[no-untyped-def]
    lazy, eager = pair
    assert not eager.lazy
    assert (lazy.n, lazy.n_located, lazy.n_without_lsoa) == (eager.n, eager.n_located, eager.n_without_lsoa)
    files = str(kent_csv_dir / "*" / "*-kent-street.csv")
    n, located = duckdb.execute(f"""select count(*), count(*) filter (where "Longitude" is not null
        and "Latitude" is not null) from read_csv('{files}', all_varchar=true)
        where "Crime type" in {SCOPE!r} and "Month" between '2018-11' and '2019-02'""").fetchone()  # type: ignore[misc]
    assert (lazy.n, lazy.n_located) == (n, located)
    pd.testing.assert_series_equal(lazy.lsoa_counts().sort_index(), eager.lsoa_counts().sort_index(),
                                   check_names=False)
    pd.testing.assert_frame_equal(lazy.lsoa_month_counts(), eager.lsoa_month_counts(), check_names=False)
    for by_month in (False, True):
        (xy_l, n_l, m_l), (xy_e, n_e, m_e) = lazy.point_counts(by_month=by_month), eager.point_counts(by_month=by_month)
        np.testing.assert_array_equal(xy_l, xy_e)
        np.testing.assert_array_equal(n_l, n_e)
        assert n_l.sum() == located
        if by_month:
            np.testing.assert_array_equal(m_l, m_e)


def test_point_columns_come_in_the_frame_order(engine, pair):  # type: ignore[no-untyped-def]
    lazy, eager = pair
    fresh = hs.gather_incidents(engine, load_definition(), start=lazy.start, end=lazy.end)
    got = fresh.located_columns(["longitude", "latitude", "month"])
    assert "frame" not in fresh.__dict__
    pd.testing.assert_frame_equal(got, eager.located[["longitude", "latitude", "month"]].reset_index(drop=True))


@pytest.mark.parametrize("method", ["gistar_lsoa", "gistar_grid", "emerging_lsoa", "emerging_grid", "kde"])
def test_methods_give_the_same_results_lazy_and_eager(engine, pair, method):  # type: ignore[no-untyped-def]
    if method == "gistar_lsoa":
        runs = [hs.run_gi_star(engine, i, level="lsoa", permutations=99, seed=3) for i in pair]
    elif method == "gistar_grid":
        runs = [hs.run_gi_star(engine, i, level="grid", cell_size=2000, permutations=99, seed=3) for i in pair]
    elif method == "emerging_lsoa":
        runs = [hs.run_emerging(engine, i, level="lsoa") for i in pair]
    elif method == "emerging_grid":
        runs = [hs.run_emerging(engine, i, level="grid", cell_size=3000) for i in pair]
    else:
        runs = [hs.run_kde(engine, i, cell_size=2000, bandwidth="arcgis") for i in pair]
    a, b = (r.places.drop(columns="geometry") for r in runs)
    pd.testing.assert_frame_equal(a, b)
    assert runs[0].parameters == runs[1].parameters
    assert runs[0].notes == runs[1].notes
