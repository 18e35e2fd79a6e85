"""Kernel density: checked against the kernel formulas directly, mass conservation, the ArcGIS bandwidth
rule on a hand-worked example, and dual KDE on a population that mirrors the incidents."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pytest
import shapely

from vrhub.analysis.hotspots import (
    BandwidthWarning,
    arcgis_bandwidth,
    dual_kernel_density,
    kernel_density,
    square_grid,
)


@pytest.fixture(scope="module")
def grid():
    return square_grid(gpd.GeoSeries([shapely.box(0, 0, 10_000, 10_000)], crs="EPSG:27700"), 100)


@pytest.mark.parametrize("kernel", ["quartic", "epanechnikov"])
def test_kde_mass_integrates_to_the_number_of_points(grid, kernel):
    xy = np.random.default_rng(1).uniform(3000, 7000, size=(500, 2))  # kernels stay inside the area
    res = kernel_density(xy, grid, bandwidth=1000, kernel=kernel, crs="EPSG:27700")
    assert res.mass == pytest.approx(500, rel=0.005)
    assert res.expected_count.sum() == pytest.approx(res.mass)
    assert res.bandwidth_m == 1000 and res.bandwidth_rule == "fixed" and res.kernel == kernel


def test_kde_equals_the_kernel_formula_at_every_centre(grid):
    rng = np.random.default_rng(2)
    xy = rng.uniform(0, 10_000, size=(40, 2))
    weights = rng.uniform(0.5, 3, size=40)
    h = 700.0
    res = kernel_density(xy, grid, bandwidth=h, weights=weights, crs="EPSG:27700")
    centres = grid.centres()
    d2 = ((centres[:, None, :] - xy[None, :, :]) ** 2).sum(axis=2)
    quartic = np.where(d2 < h * h, 3 / (np.pi * h * h) * (1 - d2 / (h * h)) ** 2, 0.0)  # Silverman eq. 4.5
    np.testing.assert_allclose(res.density_per_km2, quartic @ weights * 1e6, rtol=1e-10, atol=1e-12)


def test_point_on_a_cell_centre_counts_at_full_height(grid):
    res = kernel_density(np.array([[5050.0, 5050.0]]), grid, bandwidth=500, crs=27700)
    peak = 3 / (np.pi * 500**2) * 1e6
    assert res.density_per_km2.max() == pytest.approx(peak)


def test_arcgis_bandwidth_on_a_hand_worked_example():
    # Four corners of a 2 x 2 square: mean centre (0, 0), every distance sqrt(2), so SD = Dm = sqrt(2).
    xy = np.array([[-1.0, -1.0], [1, -1], [1, 1], [-1, 1]]) * 1000
    expected = 0.9 * min(np.sqrt(2), np.sqrt(1 / np.log(2)) * np.sqrt(2)) * 1000 * 4**-0.2
    assert arcgis_bandwidth(xy) == pytest.approx(expected)
    # Weights count as points: weight 2 on each corner is n = 8.
    assert arcgis_bandwidth(xy, np.full(4, 2.0)) == pytest.approx(expected * 2**-0.2)


def test_bandwidth_below_cell_size_warns(grid):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        res = kernel_density(np.array([[5000.0, 5000.0]]), grid, bandwidth=60, crs=27700)
    assert any(issubclass(w.category, BandwidthWarning) for w in caught)
    assert any("smaller than" in note for note in res.notes)


def test_dual_kde_of_a_mirrored_population_is_a_constant_rate(grid):
    rng = np.random.default_rng(3)
    xy = rng.uniform(2000, 8000, size=(300, 2))
    res = dual_kernel_density(
        xy, xy, grid, population_weights=np.full(300, 50.0), bandwidth=800, crs="EPSG:27700", min_population=1
    )
    ok = np.isfinite(res.rate)
    np.testing.assert_allclose(res.rate[ok], 1000 / 50, rtol=1e-9)  # 1 incident per 50 residents
    assert res.n_masked == (~ok).sum() > 0  # far corners have no residents
    assert res.population.total_weight == 15_000
    assert "Bailey" in res.citation
