"""Emerging hot spots: each classification rule on hand-made series, the Mann-Kendall test against
scipy, the space-time neighbourhood, and planted patterns recovered end to end."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy import stats

from vrhub.analysis.hotspots import (
    HotspotInputError,
    emerging_hotspots,
    grid_weights,
    mann_kendall,
    square_grid,
)
from vrhub.analysis.hotspots.emerging import _space_time_weights, classify_arcgis, classify_sfhotspot
from vrhub.analysis.hotspots.mann_kendall import MannKendallResult

H, C, N = "H", "C", "."


def _flags(rows: list[str]) -> tuple[np.ndarray, np.ndarray]:
    grid = np.array([list(r) for r in rows])
    return grid == H, grid == C


def _trend(s: list[float], p: list[float]) -> MannKendallResult:
    s_arr, p_arr = np.array(s, float), np.array(p, float)
    return MannKendallResult(
        s=s_arr, var_s=np.ones_like(s_arr), z=s_arr, p=p_arr, tau=s_arr, continuity_correction=True
    )


# (series of 10 periods, Mann-Kendall S, p, expected pattern)
CASES = [
    ("........." + H, 0, 1, "new hot spot"),
    ("........" + H + H, 0, 1, "consecutive hot spot"),
    (H * 10, 30, 0.001, "intensifying hot spot"),
    (H * 10, 0, 0.5, "persistent hot spot"),
    (N + H * 9, -30, 0.001, "diminishing hot spot"),
    (".H...H..HH", 0, 1, "sporadic hot spot"),  # final run preceded by earlier hot bins: not consecutive
    ("..C.....HH", 0, 1, "oscillating hot spot"),
    ("C........H", 0, 1, "oscillating hot spot"),  # a first hot bin after a cold one is not "new"
    (H * 9 + N, 0, 1, "historical hot spot"),
    ("........." + C, 0, 1, "new cold spot"),
    ("......" + C * 4, 0, 1, "consecutive cold spot"),
    (C * 10, -30, 0.001, "intensifying cold spot"),
    (C * 10, 0, 0.4, "persistent cold spot"),
    (C * 10, 30, 0.001, "diminishing cold spot"),
    ("C.C..C...C", 0, 1, "sporadic cold spot"),
    ("H........C", 0, 1, "oscillating cold spot"),
    (C * 9 + N, 0, 1, "historical cold spot"),
    (H * 8 + N * 2, 0, 1, "no pattern detected"),  # 80% hot but the final bin not hot: neither rule
    (".H.H......", 0, 1, "no pattern detected"),
    (N * 10, 0, 1, "no pattern detected"),
]


def test_each_arcgis_rule_on_hand_made_series():
    hot, cold = _flags([c[0] for c in CASES])
    trend = _trend([c[1] for c in CASES], [c[2] for c in CASES])
    got = classify_arcgis(hot, cold, trend, share=0.9, trend_alpha=0.05)
    assert list(got) == [c[3] for c in CASES]


def test_sfhotspot_rules_on_hand_made_series():
    hot, cold = _flags([H * 9 + N, N * 8 + H * 2, H * 2 + N * 8, ".H.......H", ".H..C.....", N * 10])
    got = classify_sfhotspot(hot, cold)
    assert list(got) == [
        "persistent hotspot", "emerging hotspot", "former hotspot", "intermittent hotspot",
        "mixed hot/coldspot", "no pattern",
    ]


def test_mann_kendall_matches_scipy_kendall_tau_including_ties():
    rng = np.random.default_rng(0)
    series = np.vstack([rng.normal(size=12), np.round(rng.normal(size=12)), np.arange(12.0), np.ones(12)])
    res = mann_kendall(series, continuity_correction=False)
    for k in range(3):
        ref = stats.kendalltau(np.arange(12), series[k], method="asymptotic")
        assert np.sign(res.s[k]) == np.sign(ref.statistic)
        assert res.p[k] == pytest.approx(ref.pvalue, rel=1e-9)
    assert res.s[2] == 66 and res.tau[2] == 1.0  # 12 * 11 / 2 increasing pairs
    assert res.p[3] == 1.0 and res.s[3] == 0
    corrected = mann_kendall(series[2:3])
    assert corrected.z[0] == pytest.approx(65 / np.sqrt(12 * 11 * 29 / 18))


def test_space_time_neighbourhood_includes_self_and_neighbours_in_previous_periods():
    spatial = grid_weights(square_grid(gpd.GeoSeries([shapely.box(0, 0, 300, 100)], crs=27700), 100), rule="rook")
    cube = _space_time_weights(spatial.matrix, n_periods=3, lag=1).toarray()
    n = 3
    # bin (cell 1, period 2) = row 2*3+1: cells 0,2 in period 2; cells 0,1,2 in period 1; not period 0.
    assert set(np.flatnonzero(cube[2 * n + 1])) == {6, 8, 3, 4, 5}
    assert cube.diagonal().sum() == 0


@pytest.fixture(scope="module")
def planted():
    grid = square_grid(gpd.GeoSeries([shapely.box(0, 0, 3000, 3000)], crs="EPSG:27700"), 100)
    t = 12
    lam = np.full((grid.n_cells, t), 2.0)

    def block(r0, c0):
        return np.flatnonzero((grid.rows >= r0) & (grid.rows < r0 + 3) & (grid.cols >= c0) & (grid.cols < c0 + 3))

    persistent, rising, new = block(3, 3), block(20, 5), block(10, 20)
    lam[persistent] = 8
    lam[rising] = np.linspace(5, 20, t)
    lam[new, -1] = 14
    counts = np.random.default_rng(0).poisson(lam)
    return grid, counts, {"persistent": persistent, "rising": rising, "new": new}


def test_planted_patterns_are_recovered(planted):
    grid, counts, blocks = planted
    res = emerging_hotspots(counts, grid_weights(grid), periods=[f"2019-{m:02d}" for m in range(1, 13)])
    centre = {name: idx[4] for name, idx in blocks.items()}  # the middle cell of each 3 x 3 block
    assert res.pattern[centre["persistent"]] == "persistent hot spot"
    assert res.pattern[centre["rising"]] == "intensifying hot spot"
    assert res.pattern[centre["new"]] == "new hot spot"
    assert np.mean(res.pattern == "new hot spot") < 0.05
    planted_cells = np.concatenate(list(blocks.values()))
    background = np.setdiff1d(np.arange(grid.n_cells), planted_cells)
    assert np.mean(res.pattern[background] == "no pattern detected") > 0.9
    frame = res.to_frame()
    assert len(frame) == grid.n_cells and res.periods[0] == "2019-01"
    assert res.parameters["time_neighbourhood"] == 1 and "Mann" in res.citation


def test_time_slice_window_and_inputs(planted):
    grid, counts, blocks = planted
    res = emerging_hotspots(counts, grid_weights(grid), global_window="time_slice", time_neighbourhood=0)
    assert res.pattern[blocks["new"][4]] == "new hot spot"
    with pytest.raises(HotspotInputError, match="time_neighbourhood=0"):
        emerging_hotspots(counts, grid_weights(grid), global_window="time_slice", time_neighbourhood=1)
    with pytest.raises(HotspotInputError, match="at least 3 periods"):
        emerging_hotspots(counts[:, :2], grid_weights(grid))
    short = emerging_hotspots(counts[:, :4], grid_weights(grid))
    assert any("no location can be intensifying" in note for note in short.notes)
