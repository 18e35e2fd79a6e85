"""Square grids clipped to an area, and counts of points per cell.

A grid is the lattice of ``cell_size`` squares aligned to multiples of ``cell_size`` on British National
Grid (so two grids of the same size always line up), kept where it overlaps the area and clipped to the
area's outline. Grid thematic mapping of crime is compared with other hotspot methods by Chainey,
Tompson & Uhlig (2008).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely

from vrhub.analysis.hotspots.errors import HotspotInputError
from vrhub.analysis.hotspots.projection import BRITISH_NATIONAL_GRID, projected_xy, to_british_national_grid

GRID_CITATION = (
    "Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for predicting spatial "
    "patterns of crime. Security Journal 21, 4-28. doi:10.1057/palgrave.sj.8350066"
)

#: Refuse lattices larger than this many candidate squares (memory guard with a clear message).
MAX_LATTICE_CELLS = 5_000_000
_TILE = 16  # boundary cells are clipped against the area cut to tiles of _TILE x _TILE cells


@dataclass(frozen=True, eq=False)
class Grid:
    """Square cells clipped to an area, in British National Grid metres.

    ``cells`` has one row per kept cell, ordered from the south-west corner row by row, with columns
    ``cell_id`` (0..n-1), ``row``, ``col``, ``x_min``, ``y_min``, ``full`` (the whole square lies in the
    area), ``area_m2`` (area of the clipped cell) and ``geometry``.
    """

    cells: gpd.GeoDataFrame
    cell_size: float
    origin: tuple[float, float]
    shape: tuple[int, int]
    clipped: bool
    parameters: dict[str, Any]
    citation: str = GRID_CITATION
    _lookup: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        lookup = np.full(self.shape, -1, dtype=np.int64)
        lookup[self.rows, self.cols] = np.arange(self.n_cells)
        object.__setattr__(self, "_lookup", lookup)

    def to_arrow(self) -> pa.Table:
        """The grid as an Arrow table (cells, geometry as WKB; the lattice in the schema's metadata), to be kept
        and read back by :meth:`from_arrow` without clipping the cells again."""
        cells = pd.DataFrame(self.cells.drop(columns="geometry"))
        table = pa.Table.from_pandas(cells, preserve_index=False).append_column(
            "geometry", pa.array(shapely.to_wkb(self.cells.geometry.to_numpy()), pa.binary()))
        meta = {"cell_size": self.cell_size, "origin": list(self.origin), "shape": list(self.shape),
                "clipped": self.clipped, "parameters": self.parameters}
        return table.replace_schema_metadata({"vrhub.grid": json.dumps(meta)})

    @classmethod
    def from_arrow(cls, table: pa.Table) -> Grid:
        """The grid written by :meth:`to_arrow`."""
        meta = json.loads(table.schema.metadata[b"vrhub.grid"])
        frame = table.drop(["geometry"]).to_pandas()
        cells = gpd.GeoDataFrame(frame, geometry=shapely.from_wkb(table.column("geometry").to_numpy(False)),
                                 crs=BRITISH_NATIONAL_GRID)
        return cls(cells=cells, cell_size=float(meta["cell_size"]), origin=tuple(meta["origin"]),
                   shape=tuple(meta["shape"]), clipped=bool(meta["clipped"]), parameters=meta["parameters"])

    @property
    def n_cells(self) -> int:
        return len(self.cells)

    @property
    def rows(self) -> np.ndarray:
        return self.cells["row"].to_numpy(np.int64)

    @property
    def cols(self) -> np.ndarray:
        return self.cells["col"].to_numpy(np.int64)

    @property
    def area_m2(self) -> np.ndarray:
        return self.cells["area_m2"].to_numpy(float)

    def centres(self) -> np.ndarray:
        """Centres of the (unclipped) squares, ``(n, 2)`` metres."""
        x0, y0 = self.origin
        return np.column_stack(
            [x0 + (self.cols + 0.5) * self.cell_size, y0 + (self.rows + 0.5) * self.cell_size]
        )

    def lattice_position(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Cell index for lattice ``rows``/``cols`` (-1 where there is no kept cell)."""
        rows = np.asarray(rows, np.int64)
        cols = np.asarray(cols, np.int64)
        inside = (rows >= 0) & (rows < self.shape[0]) & (cols >= 0) & (cols < self.shape[1])
        out = np.full(rows.shape, -1, dtype=np.int64)
        out[inside] = self._lookup[rows[inside], cols[inside]]
        return out

    def locate(self, xy: np.ndarray) -> np.ndarray:
        """Index of the cell containing each British National Grid point, or -1 outside the area.

        A point on the line between two squares belongs to the square to its north/east. In a clipped
        boundary cell the point must also lie in (or on the edge of) the clipped polygon.
        """
        xy = np.asarray(xy, float)
        x0, y0 = self.origin
        cols = np.floor((xy[:, 0] - x0) / self.cell_size).astype(np.int64)
        rows = np.floor((xy[:, 1] - y0) / self.cell_size).astype(np.int64)
        pos = self.lattice_position(rows, cols)
        if self.clipped:
            full = self.cells["full"].to_numpy(bool)
            partial = np.flatnonzero(pos >= 0)
            partial = partial[~full[pos[partial]]]
            if len(partial):
                geoms = self.cells.geometry.to_numpy()[pos[partial]]
                ok = shapely.intersects_xy(geoms, xy[partial, 0], xy[partial, 1])
                pos[partial[~ok]] = -1
        return pos


@dataclass(frozen=True, eq=False)
class GridCounts:
    """Points counted per grid cell (``counts`` is ``(n_cells,)`` or ``(n_cells, n_periods)``).

    Nothing is lost: ``n_points == counts.sum() + n_outside``.
    """

    counts: np.ndarray
    n_points: int
    n_outside: int
    periods: tuple[Any, ...] | None
    parameters: dict[str, Any]
    citation: str = GRID_CITATION

    def to_frame(self, grid: Grid) -> gpd.GeoDataFrame:
        """The grid's cells with a ``count`` column (or one column per period)."""
        out = grid.cells.copy()
        if self.counts.ndim == 1:
            out["count"] = self.counts
        else:
            for j, label in enumerate(self.periods or ()):
                out[f"count_{label}"] = self.counts[:, j]
        return out


def _area_polygon(area: Any) -> shapely.Geometry:
    if isinstance(area, shapely.Geometry):
        raise HotspotInputError(
            "area must be a GeoDataFrame or GeoSeries with a CRS, not a bare shapely geometry; wrap it: "
            "geopandas.GeoSeries([geom], crs='EPSG:27700')."
        )
    projected = to_british_national_grid(area, what="area")
    geoms = projected.geometry.to_numpy() if isinstance(projected, gpd.GeoDataFrame) else projected.to_numpy()
    parts = _polygon_parts(shapely.make_valid(geoms[~shapely.is_missing(geoms)]))
    if len(parts) == 0:
        raise HotspotInputError("area contains no polygons; pass area boundaries (e.g. districts or LSOAs).")
    return shapely.multipolygons(_polygon_parts(np.array([shapely.union_all(parts)])))


def _polygon_parts(geoms: np.ndarray) -> np.ndarray:
    """Explode (nested) multi-geometries and collections; keep the polygons (make_valid may add lines)."""
    parts = shapely.get_parts(geoms)
    while np.isin(shapely.get_type_id(parts), (4, 5, 6, 7)).any():
        parts = shapely.get_parts(parts)
    return parts[shapely.get_type_id(parts) == 3]


def _boundary_segments(polygon: shapely.Geometry) -> np.ndarray:
    rings = shapely.get_rings(shapely.get_parts(polygon))
    coords, ring_index = shapely.get_coordinates(rings, return_index=True)
    same_ring = ring_index[1:] == ring_index[:-1]
    starts = coords[:-1][same_ring]
    ends = coords[1:][same_ring]
    return shapely.linestrings(np.stack([starts, ends], axis=1))


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygonal parts of each geometry (intersections can add slivers of lines/points)."""
    out = geoms.copy()
    mixed = np.flatnonzero(shapely.get_type_id(geoms) == 7)  # GeometryCollection
    for k in mixed:
        parts = shapely.get_parts(geoms[k])
        parts = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        out[k] = shapely.union_all(parts) if len(parts) else shapely.Polygon()
    return out


def square_grid(area: gpd.GeoDataFrame | gpd.GeoSeries, cell_size: float, *, clip: bool = True) -> Grid:
    """Square grid of ``cell_size`` metres covering ``area`` (any CRS; projected to EPSG:27700).

    Squares are aligned to multiples of ``cell_size`` on British National Grid. With ``clip=True`` (the
    default) boundary squares are cut to the area's outline, so cell areas sum to the area; with
    ``clip=False`` every square overlapping the area is kept whole. Invalid input polygons are repaired
    with ``make_valid`` and the area is the union of all polygons given.
    """
    if not np.isfinite(cell_size) or cell_size <= 0:
        raise HotspotInputError(f"cell_size must be a positive number of metres; got {cell_size!r}.")
    polygon = _area_polygon(area)
    s = float(cell_size)
    minx, miny, maxx, maxy = polygon.bounds
    x0, y0 = np.floor(minx / s) * s, np.floor(miny / s) * s
    n_cols = max(1, int(np.ceil((maxx - x0) / s)))
    n_rows = max(1, int(np.ceil((maxy - y0) / s)))
    if n_rows * n_cols > MAX_LATTICE_CELLS:
        raise HotspotInputError(
            f"a {s:g} m grid over this area needs {n_rows * n_cols:,} candidate squares "
            f"(limit {MAX_LATTICE_CELLS:,}); choose a larger cell_size or a smaller area."
        )
    cols, rows = np.meshgrid(np.arange(n_cols), np.arange(n_rows))
    rows, cols = rows.ravel(), cols.ravel()
    boxes = shapely.box(x0 + cols * s, y0 + rows * s, x0 + (cols + 1) * s, y0 + (rows + 1) * s)

    # Squares crossed by the outline need clipping; every other square is wholly in or wholly out.
    tree = shapely.STRtree(boxes)
    on_boundary = np.zeros(len(boxes), dtype=bool)
    on_boundary[np.unique(tree.query(_boundary_segments(polygon), predicate="intersects")[1])] = True
    shapely.prepare(polygon)
    centre_inside = shapely.contains_xy(polygon, x0 + (cols + 0.5) * s, y0 + (rows + 0.5) * s)
    interior = centre_inside & ~on_boundary

    boundary_idx = np.flatnonzero(on_boundary)
    clipped_geoms = np.empty(len(boundary_idx), dtype=object)
    tile_of = (rows[boundary_idx] // _TILE) * (n_cols // _TILE + 1) + cols[boundary_idx] // _TILE
    order = np.argsort(tile_of, kind="stable")
    tile_sorted = tile_of[order]
    splits = np.flatnonzero(np.diff(tile_sorted)) + 1
    for group in np.split(order, splits):
        if len(group) == 0:
            continue
        cells = boundary_idx[group]
        r0, c0 = rows[cells[0]] // _TILE * _TILE, cols[cells[0]] // _TILE * _TILE
        piece = shapely.clip_by_rect(
            polygon, x0 + c0 * s, y0 + r0 * s, x0 + (c0 + _TILE) * s, y0 + (r0 + _TILE) * s
        )
        if not shapely.is_valid(piece):
            piece = shapely.make_valid(piece)
        clipped_geoms[group] = shapely.intersection(boxes[cells], piece)
    clipped_geoms = _polygonal(clipped_geoms) if len(clipped_geoms) else clipped_geoms
    clipped_area = shapely.area(clipped_geoms) if len(clipped_geoms) else np.zeros(0)
    keep_boundary = clipped_area > 0

    kept_boundary = boundary_idx[keep_boundary]
    kept = np.concatenate([np.flatnonzero(interior), kept_boundary])
    cell_area = s * s
    if clip:
        geoms = np.concatenate([boxes[interior], clipped_geoms[keep_boundary]])
        areas = np.concatenate([np.full(interior.sum(), cell_area), clipped_area[keep_boundary]])
    else:
        geoms = boxes[kept]
        areas = np.full(len(kept), cell_area)
    full = np.concatenate(
        [np.ones(interior.sum(), bool), np.isclose(clipped_area[keep_boundary], cell_area, rtol=1e-9, atol=0)]
    )
    order = np.lexsort((cols[kept], rows[kept]))
    kept, geoms, areas, full = kept[order], geoms[order], areas[order], full[order]
    if not clip:
        full = np.ones(len(kept), bool)
    cells = gpd.GeoDataFrame(
        {
            "cell_id": np.arange(len(kept)),
            "row": rows[kept],
            "col": cols[kept],
            "x_min": x0 + cols[kept] * s,
            "y_min": y0 + rows[kept] * s,
            "full": full,
            "area_m2": areas,
        },
        geometry=geoms,
        crs=BRITISH_NATIONAL_GRID,
    )
    return Grid(
        cells=cells,
        cell_size=s,
        origin=(float(x0), float(y0)),
        shape=(n_rows, n_cols),
        clipped=clip,
        parameters={
            "cell_size_m": s,
            "clip": clip,
            "area_m2": float(polygon.area),
            "n_cells": len(kept),
            "crs": BRITISH_NATIONAL_GRID,
        },
    )


def count_points(
    grid: Grid, points: Any, *, crs: Any = None, periods: Any = None, weights: Any = None
) -> GridCounts:
    """Count points per grid cell, optionally per period.

    ``points`` is a point GeoDataFrame/GeoSeries or an ``(n, 2)`` array with ``crs``. ``periods`` (one
    label per point, e.g. the police.uk ``Month``) gives a ``(n_cells, n_periods)`` table with periods in
    sorted order. ``weights`` (whole numbers, one per point) counts a point as that many: distinct map
    points with their number of records count as the records would. Points outside the area are counted
    in ``n_outside``, never dropped silently.
    """
    xy = projected_xy(points, crs=crs, what="points")
    pos = grid.locate(xy)
    inside = pos >= 0
    w = np.ones(len(xy), np.int64) if weights is None else np.asarray(weights, np.int64)
    if len(w) != len(xy) or (w < 0).any():
        raise HotspotInputError(f"weights has {len(w)} values for {len(xy)} points; give one whole number "
                                "(0 or more) each.")
    if periods is None:
        counts = np.bincount(pos[inside], weights=w[inside], minlength=grid.n_cells).astype(np.int64)
        labels = None
    else:
        period_values = pd.Series(np.asarray(periods))
        if len(period_values) != len(xy):
            raise HotspotInputError(
                f"periods has {len(period_values)} labels for {len(xy)} points; give one each."
            )
        if period_values.isna().any():
            raise HotspotInputError("periods has missing labels; give every point a period (e.g. its Month).")
        codes, uniques = pd.factorize(period_values, sort=True)
        flat = pos[inside] * len(uniques) + codes[inside]
        counts = np.bincount(flat, weights=w[inside], minlength=grid.n_cells * len(uniques))
        counts = counts.reshape(grid.n_cells, len(uniques)).astype(np.int64)
        labels = tuple(uniques.tolist())
    return GridCounts(
        counts=counts,
        n_points=int(w.sum()),
        n_outside=int(w[~inside].sum()),
        periods=labels,
        parameters={"cell_size_m": grid.cell_size, "n_cells": grid.n_cells},
    )
