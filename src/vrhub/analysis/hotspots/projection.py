"""Bring spatial inputs onto British National Grid (EPSG:27700) before measuring distances.

Every hotspot method measures distances and areas in metres. Inputs in any CRS are projected to the
Ordnance Survey National Grid (OSGB 1936 / British National Grid, EPSG:27700). Longitude/latitude
coordinates are never used as if they were metres: with a CRS they are projected, without one they are
refused.
"""

from __future__ import annotations

import warnings
from typing import Any, TypeVar

import geopandas as gpd
import numpy as np
from pyproj import CRS, Transformer

from vrhub.analysis.hotspots.errors import HotspotInputError, MissingCRSWarning, UnprojectedCoordinatesError

BRITISH_NATIONAL_GRID = "EPSG:27700"
_BNG = CRS.from_epsg(27700)

GeoT = TypeVar("GeoT", gpd.GeoDataFrame, gpd.GeoSeries)


def _looks_like_lon_lat(bounds: np.ndarray | tuple[float, float, float, float]) -> bool:
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    return -180.0 <= minx <= maxx <= 180.0 and -90.0 <= miny <= maxy <= 90.0


def _is_bng(crs: Any) -> bool:
    return CRS.from_user_input(crs).equals(_BNG, ignore_axis_order=True)


def _missing_crs(bounds: Any, what: str, stacklevel: int) -> None:
    if _looks_like_lon_lat(bounds):
        raise UnprojectedCoordinatesError(
            f"{what} has no CRS and its coordinates look like longitude/latitude degrees "
            f"(bounds {tuple(round(float(b), 4) for b in bounds)}). Distances in degrees are meaningless. "
            "Declare the CRS first, e.g. gdf.set_crs('EPSG:4326') for GPS or police.uk coordinates; "
            "vrhub then projects to British National Grid (EPSG:27700)."
        )
    warnings.warn(
        f"{what} has no CRS; assuming British National Grid metres (EPSG:27700). "
        "Declare the CRS (e.g. gdf.set_crs('EPSG:27700')) to silence this warning.",
        MissingCRSWarning,
        stacklevel=stacklevel,
    )


def to_british_national_grid(data: GeoT, *, what: str = "input") -> GeoT:
    """Return ``data`` in British National Grid (EPSG:27700).

    Projects from any declared CRS. With no CRS: refuses coordinates that look like longitude/latitude
    (:class:`UnprojectedCoordinatesError`) and otherwise assumes metres on British National Grid, with a
    :class:`MissingCRSWarning`.
    """
    if not isinstance(data, gpd.GeoDataFrame | gpd.GeoSeries):
        raise HotspotInputError(
            f"{what} must be a geopandas GeoDataFrame or GeoSeries, not {type(data).__name__}; "
            "build one with geopandas.GeoDataFrame(..., geometry=..., crs=...)."
        )
    if len(data) == 0:
        raise HotspotInputError(f"{what} is empty: there is nothing to analyse.")
    if data.crs is None:
        _missing_crs(data.total_bounds, what, stacklevel=4)
        return data.set_crs(BRITISH_NATIONAL_GRID)
    if _is_bng(data.crs):
        return data
    return data.to_crs(BRITISH_NATIONAL_GRID)


def projected_xy(points: Any, *, crs: Any = None, what: str = "points") -> np.ndarray:
    """Return an ``(n, 2)`` float array of British National Grid coordinates in metres.

    ``points`` is a GeoDataFrame/GeoSeries of points (its own CRS is used) or an ``(n, 2)`` array of
    x/y (or longitude/latitude) with ``crs`` stating their CRS. Rules as in :func:`to_british_national_grid`.
    """
    if isinstance(points, gpd.GeoDataFrame | gpd.GeoSeries):
        projected = to_british_national_grid(points, what=what)
        geoms = projected.geometry if isinstance(projected, gpd.GeoDataFrame) else projected
        if not (geoms.geom_type == "Point").all():
            raise HotspotInputError(
                f"{what} must contain only points; found {sorted(set(geoms.geom_type))}. "
                "Use geometry.centroid or representative_point() for areas."
            )
        return np.column_stack([geoms.x.to_numpy(float), geoms.y.to_numpy(float)])
    xy = np.asarray(points, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise HotspotInputError(f"{what} must be an (n, 2) array of x/y coordinates; got shape {xy.shape}.")
    if len(xy) == 0:
        raise HotspotInputError(f"{what} is empty: there is nothing to analyse.")
    if not np.isfinite(xy).all():
        raise HotspotInputError(
            f"{what} has missing or infinite coordinates; drop or geocode those rows first."
        )
    if crs is None:
        bounds = (*xy.min(axis=0), *xy.max(axis=0))
        _missing_crs(bounds, what, stacklevel=3)
        return xy
    if _is_bng(crs):
        return xy
    transformer = Transformer.from_crs(CRS.from_user_input(crs), _BNG, always_xy=True)
    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([np.asarray(x, float), np.asarray(y, float)])
