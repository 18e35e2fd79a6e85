"""Spatial weights: who is a neighbour of whom, as a sparse binary matrix.

Contiguity follows the vertex rules of PySAL/libpysal (Rey & Anselin 2007): *queen* neighbours share
at least one boundary vertex, *rook* neighbours share at least one boundary edge (two consecutive
vertices). Distance-band neighbours have centroids (or points) at most ``threshold`` metres apart.
Grid neighbours are read from the lattice: queen = the 8 surrounding squares, rook = the 4 sharing a side.

libpysal is not imported here (it would load numba where numba is installed); the test suite checks
these matrices against libpysal's own ``Queen``, ``Rook`` and ``DistanceBand``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from vrhub.analysis.hotspots.errors import HotspotInputError
from vrhub.analysis.hotspots.grids import Grid
from vrhub.analysis.hotspots.projection import to_british_national_grid

WEIGHTS_CITATION = (
    "Rey, S.J. & Anselin, L. (2007). PySAL: A Python Library of Spatial Analytical Methods. "
    "Review of Regional Studies 37(1), 5-27."
)


@dataclass(frozen=True, eq=False)
class SpatialWeights:
    """An ``n x n`` sparse weights matrix with a zero diagonal (``matrix[i, j]`` > 0: j neighbours i).

    ``self_weights`` holds a diagonal carried by the source (e.g. a libpysal W built for Gi*); it is
    ``None`` when the source had none. ``ids`` labels the rows (area codes or grid cell ids).
    """

    matrix: sp.csr_array
    method: str
    parameters: dict[str, Any] = field(default_factory=dict)
    ids: np.ndarray | None = None
    self_weights: np.ndarray | None = None
    citation: str = WEIGHTS_CITATION

    @property
    def n(self) -> int:
        return self.matrix.shape[0]

    @property
    def cardinalities(self) -> np.ndarray:
        return np.diff(self.matrix.indptr)

    @property
    def islands(self) -> np.ndarray:
        """Positions of observations with no neighbours."""
        return np.flatnonzero(self.cardinalities == 0)

    @property
    def is_binary(self) -> bool:
        return bool(np.all(self.matrix.data == 1.0))

    def to_libpysal(self, *, star: bool = False) -> Any:
        """The same weights as a ``libpysal.weights.W`` (imports libpysal; for cross-checks with esda)."""
        from libpysal.weights import WSP

        m = self.matrix.copy()
        if star:
            m = m + sp.diags_array(np.ones(self.n) if self.self_weights is None else self.self_weights)
        ids = None if self.ids is None else list(self.ids)
        return WSP(sp.csr_matrix(m), id_order=ids).to_W(silence_warnings=True)


def _finish(matrix: sp.sparray, method: str, parameters: dict[str, Any], ids: Any) -> SpatialWeights:
    m = sp.csr_array(matrix, dtype=float)
    diag = m.diagonal()
    if np.any(diag != 0):
        m.setdiag(0)
    m.eliminate_zeros()
    m.sort_indices()
    return SpatialWeights(
        matrix=m,
        method=method,
        parameters=parameters,
        ids=None if ids is None else np.asarray(ids),
        self_weights=diag if np.any(diag != 0) else None,
    )


def as_spatial_weights(weights: Any, *, ids: Any = None) -> SpatialWeights:
    """Accept :class:`SpatialWeights`, a scipy sparse matrix, a dense array or a libpysal ``W``/``Graph``.

    Anything with a ``.sparse`` attribute (libpysal) is read through it, without importing libpysal.
    """
    if isinstance(weights, SpatialWeights):
        return weights
    source = getattr(weights, "sparse", weights)
    matrix = sp.csr_array(source) if sp.issparse(source) else sp.csr_array(np.asarray(source, dtype=float))
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise HotspotInputError(f"weights must be a square n x n matrix; got shape {matrix.shape}.")
    if matrix.nnz and (matrix.data < 0).any():
        raise HotspotInputError("weights must be non-negative; negative entries found.")
    if ids is None:
        ids = getattr(weights, "id_order", None)
        if ids is None and hasattr(weights, "unique_ids"):
            ids = np.asarray(weights.unique_ids)
    return _finish(matrix, type(weights).__name__, {"source": type(weights).__name__}, ids)


def _geometry_array(polygons: gpd.GeoDataFrame | gpd.GeoSeries) -> np.ndarray:
    projected = to_british_national_grid(polygons, what="polygons")
    geoms = projected.geometry if isinstance(projected, gpd.GeoDataFrame) else projected
    return geoms.to_numpy()


def _shared_keys(owner: np.ndarray, key_codes: np.ndarray, n: int) -> sp.csr_array:
    """Binary matrix linking observations that share any key (a vertex or an edge)."""
    n_keys = int(key_codes.max()) + 1 if len(key_codes) else 0
    incidence = sp.csr_array((np.ones(len(owner)), (owner, key_codes)), shape=(n, n_keys))
    incidence.data[:] = 1.0
    shared = incidence @ incidence.T
    shared.data[:] = 1.0
    return shared


def _vertex_clusters(coords: np.ndarray, tolerance: float) -> np.ndarray:
    """Label vertices so that vertices closer than ``tolerance`` share a label (transitively)."""
    _, exact = np.unique(coords, axis=0, return_inverse=True)
    exact = exact.ravel()
    if tolerance <= 0:
        return exact
    first = np.zeros(exact.max() + 1, dtype=np.int64)
    first[exact] = np.arange(len(exact))
    unique_xy = coords[first]
    pairs = cKDTree(unique_xy).query_pairs(tolerance, output_type="ndarray")
    m = len(unique_xy)
    graph = sp.csr_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
    _, labels = connected_components(graph, directed=False)
    return labels[exact]


def contiguity_weights(
    polygons: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    rule: Literal["queen", "rook"] = "queen",
    ids: Any = None,
    snap_tolerance: float = 0.001,
) -> SpatialWeights:
    """Queen or rook contiguity between polygons (libpysal's vertex rules), binary weights.

    Vertices closer than ``snap_tolerance`` metres (default 1 mm) count as the same vertex. Published
    boundary files are rarely exact: in the shipped ONS LSOA 2011 GeoJSON, vertices shared by two LSOAs
    differ by about 1e-12 degrees, so exact vertex matching (libpysal's ``Queen``) finds no neighbours at
    all. ``ids`` labels the rows (e.g. ``gdf["LSOA11CD"]``); defaults to the frame's index.
    """
    if rule not in ("queen", "rook"):
        raise HotspotInputError(f"rule must be 'queen' or 'rook'; got {rule!r}.")
    geoms = _geometry_array(polygons)
    n = len(geoms)
    rings = []
    owners = []
    for k, geom in enumerate(geoms):
        for part in shapely.get_parts(geom):
            if shapely.get_type_id(part) != 3:
                continue
            part_rings = shapely.get_rings(part)
            rings.extend(part_rings)
            owners.extend([k] * len(part_rings))
    if not rings:
        raise HotspotInputError("polygons contain no polygon geometry; contiguity needs areas.")
    coords, ring_index = shapely.get_coordinates(np.array(rings, dtype=object), return_index=True)
    owner = np.asarray(owners)[ring_index]
    vertex = _vertex_clusters(coords, float(snap_tolerance))
    if rule == "queen":
        shared = _shared_keys(owner, vertex, n)
    else:
        same_ring = ring_index[1:] == ring_index[:-1]
        a, b = vertex[:-1][same_ring], vertex[1:][same_ring]
        edges = np.column_stack([np.minimum(a, b), np.maximum(a, b)])
        edges = edges[edges[:, 0] != edges[:, 1]]  # collapsed (sub-tolerance) edges are not shared edges
        owner_e = owner[1:][same_ring][a != b]
        _, edge_codes = np.unique(edges, axis=0, return_inverse=True)
        shared = _shared_keys(owner_e, edge_codes.ravel(), n)
    if ids is None:
        ids = polygons.index.to_numpy()
    params = {"rule": rule, "vertex_rules": "libpysal", "snap_tolerance_m": float(snap_tolerance)}
    return _finish(shared, rule, params, ids)


def distance_band_weights(
    geometries: gpd.GeoDataFrame | gpd.GeoSeries, threshold: float, *, ids: Any = None
) -> SpatialWeights:
    """Binary weights for observations whose centroids are at most ``threshold`` metres apart.

    Points are used as they are; polygons by their centroid (as libpysal ``DistanceBand`` does).
    """
    if not np.isfinite(threshold) or threshold <= 0:
        raise HotspotInputError(f"threshold must be a positive distance in metres; got {threshold!r}.")
    geoms = _geometry_array(geometries)
    centroids = shapely.centroid(geoms)
    xy = shapely.get_coordinates(centroids)
    if ids is None:
        ids = geometries.index.to_numpy()
    return _distance_band_xy(xy, float(threshold), ids, "distance_band")


def _distance_band_xy(xy: np.ndarray, threshold: float, ids: Any, method: str) -> SpatialWeights:
    n = len(xy)
    pairs = cKDTree(xy).query_pairs(threshold, output_type="ndarray")
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    matrix = sp.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return _finish(matrix, method, {"threshold_m": threshold}, ids)


def grid_weights(
    grid: Grid, *, rule: Literal["queen", "rook"] | None = "queen", distance: float | None = None
) -> SpatialWeights:
    """Neighbours of grid cells read from the lattice (fast; no geometry operations).

    ``rule="queen"``: the 8 surrounding squares; ``"rook"``: the 4 sharing a side. Or give ``distance``
    (metres, with ``rule=None``): squares whose centres are at most that far apart. Neighbours are lattice
    neighbours that exist in the grid, so two clipped boundary cells can be neighbours even if their
    clipped parts do not touch.
    """
    if distance is not None:
        if rule is not None:
            raise HotspotInputError(
                "give either rule ('queen'/'rook') or distance, not both (set rule=None)."
            )
        if not np.isfinite(distance) or distance <= 0:
            raise HotspotInputError(f"distance must be a positive number of metres; got {distance!r}.")
        reach = int(np.floor(distance / grid.cell_size))
        offsets = [
            (dr, dc)
            for dr in range(-reach, reach + 1)
            for dc in range(-reach, reach + 1)
            if (dr or dc) and (dr * dr + dc * dc) * grid.cell_size**2 <= distance**2 * (1 + 1e-12)
        ]
        method, params = "grid_distance_band", {"distance_m": float(distance)}
    elif rule == "queen":
        offsets = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc]
        method, params = "grid_queen", {"rule": "queen"}
    elif rule == "rook":
        offsets = [(-1, 0), (1, 0), (0, -1), (0, 1)]
        method, params = "grid_rook", {"rule": "rook"}
    else:
        raise HotspotInputError(f"rule must be 'queen', 'rook' or None with a distance; got {rule!r}.")
    rows, cols = grid.rows, grid.cols
    src_parts, dst_parts = [], []
    for dr, dc in offsets:
        dst = grid.lattice_position(rows + dr, cols + dc)
        ok = dst >= 0
        src_parts.append(np.flatnonzero(ok))
        dst_parts.append(dst[ok])
    src = np.concatenate(src_parts) if src_parts else np.zeros(0, np.int64)
    dst = np.concatenate(dst_parts) if dst_parts else np.zeros(0, np.int64)
    matrix = sp.csr_array((np.ones(len(src)), (src, dst)), shape=(grid.n_cells, grid.n_cells))
    params["cell_size_m"] = grid.cell_size
    return _finish(matrix, method, params, grid.cells["cell_id"].to_numpy())
