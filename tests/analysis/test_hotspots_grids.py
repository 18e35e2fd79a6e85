"""Grids: clipping conserves area on the real Kent districts; counts conserve points."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import vrhub
from vrhub.analysis.hotspots import (
    HotspotInputError,
    MissingCRSWarning,
    UnprojectedCoordinatesError,
    count_points,
    square_grid,
)
from vrhub.analysis.hotspots.grids import Grid

KENT = Path(vrhub.__file__).parent / "data" / "kent"


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return gpd.read_file(KENT / "boundaries" / "districts" / "kent-medway-lad2013.geojson")


def test_kent_grid_cell_areas_sum_to_the_area(districts):
    grid = square_grid(districts, 1000)
    projected = districts.to_crs("EPSG:27700")
    union_area = projected.geometry.make_valid().union_all().area  # geopandas' own union, independently
    assert grid.area_m2.sum() == pytest.approx(union_area, rel=1e-9)
    assert grid.area_m2.sum() == pytest.approx(projected.area.sum(), rel=1e-4)  # districts barely overlap
    assert 3.7e9 < grid.area_m2.sum() < 3.75e9  # Kent and Medway: about 3,740 km²
    assert (grid.area_m2 <= 1000**2 * (1 + 1e-12)).all()
    assert (grid.area_m2[grid.cells["full"]] == 1000**2).all()
    assert (grid.cells.geometry.area.to_numpy() == pytest.approx(grid.area_m2))
    # every cell lies in its own square
    x, y = grid.cells["x_min"], grid.cells["y_min"]
    squares = shapely.box(x, y, x + 1000, y + 1000)
    assert shapely.covers(shapely.buffer(squares, 1e-6), grid.cells.geometry.to_numpy()).all()
    assert grid.cells.crs.to_epsg() == 27700


def test_partial_cells_have_the_exact_clipped_areas():
    area = gpd.GeoSeries([shapely.box(0, 0, 1000, 1000)], crs="EPSG:27700")
    grid = square_grid(area, 300)
    assert grid.n_cells == 16 and grid.shape == (4, 4)
    expected = np.where(grid.rows == 3, 100, 300) * np.where(grid.cols == 3, 100, 300)
    np.testing.assert_allclose(grid.area_m2, expected)
    assert grid.area_m2.sum() == pytest.approx(1e6)
    unclipped = square_grid(area, 300, clip=False)
    assert unclipped.n_cells == 16 and (unclipped.area_m2 == 300**2).all()


def test_grid_is_aligned_to_british_national_grid_multiples():
    area = gpd.GeoSeries([shapely.box(123_456, 234_567, 125_000, 236_000)], crs="EPSG:27700")
    grid = square_grid(area, 250)
    assert grid.origin == (123_250.0, 234_500.0)
    assert (grid.cells["x_min"] % 250 == 0).all() and (grid.cells["y_min"] % 250 == 0).all()


def test_count_points_conserves_points_and_clips():
    # An L-shaped area: the square [0, 200]^2 minus its top-right quarter; 200 m cells -> one partial cell.
    area = gpd.GeoSeries(
        [shapely.Polygon([(0, 0), (200, 0), (200, 100), (100, 100), (100, 200), (0, 200)])], crs="EPSG:27700"
    )
    grid = square_grid(area, 200)
    assert grid.n_cells == 1 and grid.area_m2[0] == pytest.approx(30_000)
    xy = np.array([[50, 50], [150, 150], [199.9, 50], [-5, 5], [100, 100]])
    counts = count_points(grid, xy, crs="EPSG:27700")
    assert counts.counts.tolist() == [3]  # (150,150) is in the clipped-away quarter; (100,100) on the edge
    assert counts.n_outside == 2 and counts.n_points == 5


def test_count_points_on_lines_go_north_east_and_periods_are_sorted():
    area = gpd.GeoSeries([shapely.box(0, 0, 200, 100)], crs="EPSG:27700")
    grid = square_grid(area, 100)
    counts = count_points(grid, np.array([[100.0, 50.0], [50, 50], [150, 50]]), crs=27700, periods=["b", "a", "a"])
    assert counts.periods == ("a", "b")
    np.testing.assert_array_equal(counts.counts, [[1, 0], [1, 1]])
    frame = counts.to_frame(grid)
    assert list(frame.columns[-2:]) == ["count_a", "count_b"]


def test_weighted_distinct_points_count_as_the_repeated_points():
    area = gpd.GeoSeries([shapely.box(0, 0, 200, 100)], crs="EPSG:27700")
    grid = square_grid(area, 100)
    xy = np.array([[50.0, 50.0], [150, 50], [250, 50]])  # the last is outside
    repeated = count_points(grid, np.repeat(xy, [3, 2, 4], axis=0), crs=27700, periods=list("aabbbaaab"))
    weighted = count_points(grid, np.array([xy[0], xy[0], xy[1], xy[2], xy[2]]), crs=27700,
                            periods=["a", "b", "b", "a", "b"], weights=[2, 1, 2, 3, 1])
    np.testing.assert_array_equal(weighted.counts, repeated.counts)
    np.testing.assert_array_equal(weighted.counts, [[2, 1], [0, 2]])
    assert (weighted.n_points, weighted.n_outside) == (repeated.n_points, repeated.n_outside) == (9, 4)
    with pytest.raises(HotspotInputError):
        count_points(grid, xy, crs=27700, weights=[1, -1, 1])


def test_police_uk_style_lon_lat_points(districts):
    grid = square_grid(districts, 2000)
    lon_lat = np.array([[0.5220, 51.2720], [1.0800, 51.2800], [-0.1276, 51.5072]])  # Maidstone, Canterbury, London
    counts = count_points(grid, lon_lat, crs="EPSG:4326")
    assert counts.counts.sum() == 2 and counts.n_outside == 1
    with pytest.raises(UnprojectedCoordinatesError, match="set_crs"):
        count_points(grid, lon_lat)


def test_missing_crs_is_warned_and_bad_cell_sizes_refused():
    area = gpd.GeoSeries([shapely.box(500_000, 150_000, 501_000, 151_000)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        grid = square_grid(area, 500)
    assert any(issubclass(w.category, MissingCRSWarning) for w in caught)
    assert grid.n_cells == 4
    with pytest.raises(HotspotInputError, match="positive"):
        square_grid(area.set_crs(27700), 0)
    with pytest.raises(HotspotInputError, match="larger cell_size"):
        square_grid(area.set_crs(27700), 0.1)


def test_a_grid_read_back_from_arrow_is_the_grid_written(districts):
    grid = square_grid(districts, 2000)
    back = Grid.from_arrow(grid.to_arrow())
    assert (back.cell_size, back.origin, back.shape, back.clipped, back.parameters) == (
        grid.cell_size, grid.origin, grid.shape, grid.clipped, grid.parameters)
    pd.testing.assert_frame_equal(pd.DataFrame(back.cells.drop(columns="geometry")),
                                  pd.DataFrame(grid.cells.drop(columns="geometry")))
    assert back.cells.crs == grid.cells.crs
    assert shapely.equals_exact(back.cells.geometry.to_numpy(), grid.cells.geometry.to_numpy(), 0).all()
    xy = np.array([[570_000.0, 150_000.0], [600_100.0, 160_250.0], [0.0, 0.0]])
    np.testing.assert_array_equal(back.locate(xy), grid.locate(xy))
