"""Projection rules, and the promise that the hotspot modules never import numba (nor esda/libpysal)."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

import vrhub
from vrhub.analysis.hotspots import (
    MissingCRSWarning,
    UnprojectedCoordinatesError,
    projected_xy,
    to_british_national_grid,
)


def test_lon_lat_without_crs_is_refused():
    points = gpd.GeoSeries(shapely.points([[0.52, 51.27], [1.08, 51.28]]))
    with pytest.raises(UnprojectedCoordinatesError, match="longitude/latitude"):
        to_british_national_grid(points)
    with pytest.raises(UnprojectedCoordinatesError, match="set_crs"):
        projected_xy(np.array([[0.52, 51.27]]))


def test_lon_lat_with_crs_is_projected_like_geopandas():
    points = gpd.GeoSeries(shapely.points([[0.52, 51.27], [1.08, 51.28]]), crs="EPSG:4326")
    expected = points.to_crs(27700)
    np.testing.assert_allclose(projected_xy(points), np.column_stack([expected.x, expected.y]))
    np.testing.assert_allclose(projected_xy(np.array([[0.52, 51.27]]), crs=4326), [[expected.x[0], expected.y[0]]])
    # Maidstone is about 576 km east and 156 km north on the National Grid.
    assert 570_000 < expected.x[0] < 580_000 and 150_000 < expected.y[0] < 160_000


def test_missing_crs_in_metres_warns_and_bng_is_left_alone():
    xy = np.array([[576_000.0, 156_000.0]])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = projected_xy(xy)
    assert [w.category for w in caught] == [MissingCRSWarning]
    np.testing.assert_array_equal(out, xy)
    bng = gpd.GeoSeries(shapely.points(xy), crs="EPSG:27700")
    assert to_british_national_grid(bng) is bng


def test_hotspot_modules_do_not_import_numba_esda_or_libpysal():
    src = str(Path(vrhub.__file__).resolve().parents[1])
    code = (
        "import sys, numpy as np, geopandas as gpd, shapely\n"
        "import vrhub.analysis.hotspots as h\n"
        "g = h.square_grid(gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs=27700), 100)\n"
        "y = np.random.default_rng(0).poisson(2, g.n_cells)\n"
        "h.gi_star(y, h.grid_weights(g), permutations=99, seed=1)\n"
        "h.kernel_density(np.array([[500.0, 500.0]]), g, bandwidth=300, crs=27700)\n"
        "h.knox_test(np.random.default_rng(0).uniform(0, 1000, (50, 2)), np.arange(50), space_bands=[0, 100],"
        " time_bands=[0, 7], permutations=9, seed=1, crs=27700)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numba', 'esda', 'libpysal', 'llvmlite'}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
