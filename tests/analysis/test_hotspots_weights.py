"""Spatial weights checked against libpysal (Queen, Rook, DistanceBand) on real and lattice data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import vrhub
from vrhub.analysis.hotspots import (
    HotspotInputError,
    as_spatial_weights,
    contiguity_weights,
    distance_band_weights,
    grid_weights,
    square_grid,
)

libpysal_weights = pytest.importorskip("libpysal.weights")
KENT = Path(vrhub.__file__).parent / "data" / "kent"


@pytest.fixture(scope="module")
def lsoa() -> gpd.GeoDataFrame:
    frames = [gpd.read_file(p) for p in sorted((KENT / "boundaries" / "lsoa2011").glob("*.json"))]
    return pd.concat(frames, ignore_index=True).to_crs("EPSG:27700")


@pytest.mark.parametrize("rule", ["queen", "rook"])
def test_lsoa_contiguity_matches_libpysal_on_snapped_boundaries(lsoa, rule):
    """The shipped LSOA file repeats shared vertices with ~1e-12 degree noise; snapped to 1 mm, libpysal's
    exact-vertex Queen/Rook must give the same neighbours as our 1 mm-tolerant matching."""
    ours = contiguity_weights(lsoa, rule=rule, ids=lsoa["LSOA11CD"])
    snapped = lsoa.copy()
    snapped.geometry = shapely.set_precision(lsoa.geometry.to_numpy(), 0.001)
    cls = libpysal_weights.Queen if rule == "queen" else libpysal_weights.Rook
    reference = cls.from_dataframe(snapped, use_index=False, silence_warnings=True)
    assert ours.n == 1065
    assert (ours.matrix != reference.sparse).nnz == 0
    assert len(ours.islands) == 0
    assert list(ours.ids[:2]) == list(lsoa["LSOA11CD"][:2])


def test_queen_contiguity_equals_touching_polygons(lsoa):
    """Independent geometric check: queen neighbours are exactly the LSOAs within 1 mm of each other."""
    ours = contiguity_weights(lsoa, rule="queen")
    geoms = lsoa.geometry.to_numpy()
    pairs = shapely.STRtree(geoms).query(geoms, predicate="dwithin", distance=0.001)
    pairs = pairs[:, pairs[0] != pairs[1]]
    dense = np.zeros((len(geoms), len(geoms)))
    dense[pairs[0], pairs[1]] = 1
    np.testing.assert_array_equal(ours.matrix.toarray(), dense)


def test_distance_band_matches_libpysal(lsoa):
    ours = distance_band_weights(lsoa, 2000)
    reference = libpysal_weights.DistanceBand.from_dataframe(lsoa, threshold=2000, binary=True, silence_warnings=True)
    assert (ours.matrix != reference.sparse).nnz == 0
    assert ours.matrix.nnz > 5000


@pytest.mark.parametrize(("rule", "expected_max"), [("queen", 8), ("rook", 4)])
def test_grid_lattice_weights_match_libpysal_on_the_cells(rule, expected_max):
    area = gpd.GeoSeries([shapely.box(0, 0, 1000, 700)], crs="EPSG:27700")
    grid = square_grid(area, 100)
    ours = grid_weights(grid, rule=rule)
    cls = libpysal_weights.Queen if rule == "queen" else libpysal_weights.Rook
    reference = cls.from_dataframe(grid.cells, use_index=False, silence_warnings=True)
    assert (ours.matrix != reference.sparse).nnz == 0
    assert ours.cardinalities.max() == expected_max


def test_grid_distance_band_matches_centroid_distance_band():
    area = gpd.GeoSeries([shapely.box(0, 0, 1200, 900)], crs="EPSG:27700")
    grid = square_grid(area, 100)
    ours = grid_weights(grid, rule=None, distance=250)
    reference = distance_band_weights(grid.cells, 250)
    assert (ours.matrix != reference.matrix).nnz == 0
    with pytest.raises(HotspotInputError, match="not both"):
        grid_weights(grid, rule="queen", distance=250)


def test_libpysal_weights_are_accepted_and_their_diagonal_kept():
    w = libpysal_weights.lat2W(4, 4)
    w_star = libpysal_weights.util.fill_diagonal(w, 2.0)
    ours = as_spatial_weights(w_star)
    assert ours.n == 16 and ours.matrix.diagonal().sum() == 0
    np.testing.assert_array_equal(ours.self_weights, np.full(16, 2.0))
    with pytest.raises(HotspotInputError, match="square"):
        as_spatial_weights(np.ones((2, 3)))
