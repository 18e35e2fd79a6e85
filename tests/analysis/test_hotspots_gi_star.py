"""Gi*: cross-checked against esda on the real Kent LSOAs, against exact permutation distributions on
tiny graphs, and on planted and spatially random (Poisson) grids."""

from __future__ import annotations

import itertools
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import shapely

import vrhub
from vrhub.analysis.hotspots import (
    HotspotInputError,
    contiguity_weights,
    gi_star,
    grid_weights,
    square_grid,
)

KENT = Path(vrhub.__file__).parent / "data" / "kent"


@pytest.fixture(scope="module")
def lsoa_counts() -> tuple[gpd.GeoDataFrame, np.ndarray]:
    lsoa = pd.concat(
        [gpd.read_file(p) for p in sorted((KENT / "boundaries" / "lsoa2011").glob("*.json"))], ignore_index=True
    )
    with zipfile.ZipFile(KENT / "police-uk" / "kent-street-2018-10_2019-02.zip") as archive:
        crimes = pd.concat([pd.read_csv(archive.open(name)) for name in archive.namelist()])
    counts = crimes.groupby("LSOA code").size().reindex(lsoa["LSOA11CD"]).fillna(0).to_numpy(float)
    return lsoa, counts


@pytest.fixture(scope="module")
def lsoa_esda(lsoa_counts):
    pytest.importorskip("esda")
    from esda.getisord import G_Local

    lsoa, y = lsoa_counts
    w = contiguity_weights(lsoa, ids=lsoa["LSOA11CD"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = G_Local(y, w.to_libpysal(), transform="B", star=True, permutations=999, seed=7, n_jobs=1)
    return w, y, reference


def test_z_g_and_analytic_p_equal_esda_on_kent_lsoas(lsoa_esda):
    w, y, ref = lsoa_esda
    ours = gi_star(y, w, permutations=0)
    assert len(y) == 1065 and y.sum() > 70_000
    np.testing.assert_allclose(ours.z, ref.Zs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.g, ref.Gs, rtol=1e-12)
    np.testing.assert_allclose(ours.expected_g, ref.EGs, rtol=1e-12)
    # esda's p_norm is one-sided (1 - Phi(|z|)); ours is two-sided.
    np.testing.assert_allclose(ours.p_analytic, 2 * ref.p_norm, rtol=0, atol=1e-12)


def test_permutation_p_values_agree_with_esda_within_monte_carlo_error(lsoa_esda):
    from esda.significance import calculate_significance

    w, y, ref = lsoa_esda
    r = 999
    ours = gi_star(y, w, permutations=r, seed=11)
    for mine, alternative in ((ours.p_perm_greater, "greater"), (ours.p_perm_lesser, "lesser")):
        theirs = calculate_significance(ref.Gs, ref.rGs, alternative=alternative)
        p = (mine + theirs) / 2
        se = np.sqrt(2 * p * (1 - p) / r)  # two independent Monte Carlo estimates of the same p
        z = (mine - theirs) / (se + 1e-12)
        # Each site: within 5 standard errors (plus one step of 1/(R+1) for the discreteness).
        assert np.all(np.abs(mine - theirs) <= 5 * se + 2 / (r + 1))
        # Overall: about 0.3% of sites beyond 3 SE if equivalent; allow 2%.
        assert np.mean(np.abs(z) > 3) <= 0.02
        # Same ordering of sites.
        assert np.corrcoef(mine, theirs)[0, 1] > 0.98


def _exact_p_greater(y: np.ndarray, w: np.ndarray, i: int) -> float:
    """Exact conditional-permutation P(lag >= observed) by enumerating all ordered draws."""
    neighbours = np.flatnonzero(w[i])
    weights = w[i, neighbours]
    others = np.delete(y, i)
    observed = weights @ y[neighbours]
    draws = np.array(list(itertools.permutations(others, len(neighbours))))
    return float(np.mean(draws @ weights >= observed - 1e-9))


@pytest.mark.parametrize("binary", [True, False])
def test_permutation_matches_exact_distribution_on_a_tiny_graph(binary):
    rng = np.random.default_rng(3)
    n = 7
    y = rng.poisson(4, n).astype(float) + rng.random(n) * (not binary)
    w = np.zeros((n, n))
    for a, b in [(0, 1), (0, 2), (0, 3), (1, 2), (2, 4), (3, 5), (4, 6), (5, 6), (1, 6)]:
        w[a, b] = w[b, a] = 1.0 if binary else rng.uniform(0.5, 2.0)
    w = (w + w.T) / 2 if not binary else w
    r = 40_000
    res = gi_star(y, sp.csr_array(w), permutations=r, seed=5)
    for i in range(n):
        exact = _exact_p_greater(y, w, i)
        mc = res.p_perm_greater[i] - 1 / (r + 1)  # remove the +1 of the pseudo p-value (approximately)
        assert abs(mc - exact) <= 4.5 * np.sqrt(exact * (1 - exact) / r) + 2 / r, (i, mc, exact)


def _grid(n_side: int = 30):
    area = gpd.GeoSeries([shapely.box(0, 0, n_side * 100, n_side * 100)], crs="EPSG:27700")
    grid = square_grid(area, 100)
    return grid, grid_weights(grid, rule="queen")


def test_planted_hotspot_is_found():
    grid, w = _grid()
    block = (grid.rows >= 10) & (grid.rows < 13) & (grid.cols >= 10) & (grid.cols < 13)
    ring = (grid.rows >= 9) & (grid.rows < 14) & (grid.cols >= 9) & (grid.cols < 14)
    y = np.random.default_rng(0).poisson(np.where(block, 12.0, 2.0))
    res = gi_star(y, w, seed=1)  # defaults: 9,999 permutations, permutation inference, BH FDR 0.05
    hot = res.classification == "hot"
    assert hot[block].sum() >= 5
    assert hot[block & (grid.rows == 11) & (grid.cols == 11)].all()  # the centre of the block
    assert not hot[~ring].any()
    analytic = gi_star(y, w, permutations=0)
    assert (analytic.classification == "hot")[block].sum() >= 7 and not (analytic.classification == "hot")[~ring].any()


def test_spatially_random_counts_give_no_hot_spots_beyond_the_nominal_rate():
    """Under CSR every discovery is false, so BH at FDR 0.05 bounds P(any discovery) by 0.05 per run.

    Five runs with Poisson(3) counts on a 30 x 30 grid: at most one run may have any discovery (the
    chance of two or more runs is about 2%), and the permutation p-values are calibrated (share below
    0.05 is 0.05 or less, up to Monte Carlo error; ties make them conservative).
    """
    grid, w = _grid()
    runs_with_discoveries = 0
    shares = []
    for seed in range(5):
        y = np.random.default_rng(100 + seed).poisson(3.0, grid.n_cells)
        res = gi_star(y, w, permutations=9999, seed=seed)
        runs_with_discoveries += (res.n_hot + res.n_cold) > 0
        shares.append(np.mean(res.p_perm <= 0.05))
    assert runs_with_discoveries <= 1
    assert 0.01 <= np.mean(shares) <= 0.065


def test_seed_is_recorded_and_reproduces_results():
    grid, w = _grid(12)
    y = np.random.default_rng(1).poisson(2.0, grid.n_cells)
    a = gi_star(y, w, permutations=499, seed=42)
    b = gi_star(y, w, permutations=499, seed=42)
    c = gi_star(y, w, permutations=499)
    assert a.seed == 42 and isinstance(c.seed, int)
    np.testing.assert_array_equal(a.p_perm, b.p_perm)
    assert gi_star(y, w, permutations=499, seed=c.seed).p_perm.tolist() == c.p_perm.tolist()
    frame = a.to_frame()
    assert {"id", "z", "p_analytic", "p_perm", "q", "classification"} <= set(frame.columns)
    assert "Getis" in a.citation and "Benjamini" in a.citation


def test_too_few_permutations_for_fdr_are_explained_in_notes():
    grid, w = _grid(40)
    y = np.random.default_rng(2).poisson(2.0, grid.n_cells)
    res = gi_star(y, w, permutations=99, seed=1)
    assert any("smallest two-sided p" in note for note in res.notes)


def test_bad_inputs_are_refused_with_next_steps():
    grid, w = _grid(5)
    with pytest.raises(HotspotInputError, match="align them"):
        gi_star(np.ones(3), w)
    with pytest.raises(HotspotInputError, match="same value"):
        gi_star(np.ones(grid.n_cells), w)
    with pytest.raises(HotspotInputError, match="missing"):
        gi_star(np.full(grid.n_cells, np.nan), w)
    with pytest.raises(HotspotInputError, match="permutations > 0"):
        gi_star(np.arange(grid.n_cells), w, permutations=0, inference="permutation")
