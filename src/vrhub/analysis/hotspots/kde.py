"""Kernel density of incidents on a grid, and dual kernel density (incidents relative to population).

Each point spreads a kernel of radius ``h`` (the bandwidth, metres) whose volume is the point's weight
(1 per incident); the density of a cell is the sum of kernel heights at the centre of its square
(as ArcGIS "Kernel Density"). Kernels (``d`` = distance, zero beyond ``h``):

* quartic (biweight; Silverman 1986, eq. 4.5, p. 76):  ``K = 3 / (pi h^2) * (1 - d^2/h^2)^2``
* Epanechnikov (Silverman 1986, eq. 4.4):             ``K = 2 / (pi h^2) * (1 - d^2/h^2)``

Bandwidth: a fixed number of metres, or ``"arcgis"``: the spatial variant of Silverman's rule of thumb
used by ArcGIS Pro since 10.2.1, ``h = 0.9 * min(SD, sqrt(1/ln 2) * Dm) * n^-0.2`` where ``SD`` is the
standard distance of the points, ``Dm`` their median distance from the mean centre and ``n`` the
number (or total weight) of points. Dual KDE divides the incident surface by a population surface built
with the same kernel and bandwidth (Bailey & Gatrell 1995, ch. 3; Levine, CrimeStat, ch. 10): a rate.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import geopandas as gpd
import numpy as np
from scipy.spatial import cKDTree

from vrhub.analysis.hotspots.errors import BandwidthWarning, HotspotInputError
from vrhub.analysis.hotspots.grids import Grid
from vrhub.analysis.hotspots.projection import projected_xy

KDE_CITATION = (
    "Silverman, B.W. (1986). Density Estimation for Statistics and Data Analysis. Chapman & Hall "
    "(quartic kernel eq. 4.5). Bandwidth rule: Esri, 'How Kernel Density works', ArcGIS Pro "
    "documentation (spatial variant of Silverman's rule of thumb)."
)
DUAL_KDE_CITATION = (
    "Bailey, T.C. & Gatrell, A.C. (1995). Interactive Spatial Data Analysis. Longman, ch. 3 (ratio of "
    "kernel estimates). Levine, N. (2004). CrimeStat III, ch. 10 'Kernel density interpolation' "
    "(dual kernel density). " + KDE_CITATION
)

Kernel = Literal["quartic", "epanechnikov"]


def _kernel_values(d2_over_h2: np.ndarray, h: float, kernel: Kernel) -> np.ndarray:
    u = np.clip(1.0 - d2_over_h2, 0.0, None)
    if kernel == "quartic":
        return 3.0 / (np.pi * h * h) * u * u
    if kernel == "epanechnikov":
        return 2.0 / (np.pi * h * h) * u
    raise HotspotInputError(f"kernel must be 'quartic' or 'epanechnikov'; got {kernel!r}.")


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, 0.5 * cum[-1])])


def arcgis_bandwidth(xy: np.ndarray, weights: np.ndarray | None = None) -> float:
    """ArcGIS Pro's default search radius: ``0.9 * min(SD, sqrt(1/ln 2) * Dm) * n^-0.2`` (metres).

    ``SD``: (weighted) standard distance; ``Dm``: (weighted) median distance from the (weighted) mean
    centre; ``n``: the number of points, or the sum of the weights.
    """
    xy = np.asarray(xy, float)
    w = np.ones(len(xy)) if weights is None else np.asarray(weights, float)
    total = w.sum()
    centre = (xy * w[:, None]).sum(axis=0) / total
    dev = xy - centre
    sd = float(np.sqrt((w * (dev**2).sum(axis=1)).sum() / total))
    dm = _weighted_median(np.hypot(dev[:, 0], dev[:, 1]), w)
    h = 0.9 * min(sd, np.sqrt(1.0 / np.log(2.0)) * dm) * total ** (-0.2)
    if not h > 0:
        raise HotspotInputError(
            "the rule-of-thumb bandwidth is zero (all points at one place); give bandwidth in metres."
        )
    return float(h)


@dataclass(frozen=True, eq=False)
class KernelDensityResult:
    """Density per cell (per km²) and the implied expected count per cell (density x clipped cell area).

    ``mass`` is the sum of ``expected_count``: it equals the total weight of the points, less the kernel
    volume that falls outside the area, up to the error of sampling the surface at cell centres.
    """

    density_per_km2: np.ndarray
    expected_count: np.ndarray
    bandwidth_m: float
    bandwidth_rule: str
    kernel: str
    n_points: int
    total_weight: float
    mass: float
    parameters: dict[str, Any]
    notes: tuple[str, ...] = ()
    citation: str = field(default=KDE_CITATION)

    def to_frame(self, grid: Grid) -> gpd.GeoDataFrame:
        out = grid.cells.copy()
        out["density_per_km2"] = self.density_per_km2
        out["expected_count"] = self.expected_count
        return out


def _density(xy: np.ndarray, w: np.ndarray, grid: Grid, h: float, kernel: Kernel) -> np.ndarray:
    """Sum of kernels at each cell centre, per m²."""
    uniq, inverse = np.unique(xy, axis=0, return_inverse=True)  # police.uk points repeat map points
    uw = np.bincount(inverse.ravel(), weights=w, minlength=len(uniq))
    centres = grid.centres()
    pairs = cKDTree(uniq).sparse_distance_matrix(cKDTree(centres), h, output_type="ndarray")
    density = np.zeros(grid.n_cells)
    if len(pairs):
        k = _kernel_values(pairs["v"] ** 2 / (h * h), h, kernel) * uw[pairs["i"]]
        density = np.bincount(pairs["j"], weights=k, minlength=grid.n_cells)
    return density


def _resolve_bandwidth(
    bandwidth: float | str, xy: np.ndarray, w: np.ndarray, grid: Grid, notes: list[str]
) -> tuple[float, str]:
    if isinstance(bandwidth, str):
        if bandwidth != "arcgis":
            raise HotspotInputError(f"bandwidth must be metres or 'arcgis'; got {bandwidth!r}.")
        h, rule = arcgis_bandwidth(xy, w), "arcgis: 0.9*min(SD, sqrt(1/ln2)*Dm)*n^-0.2"
    else:
        h, rule = float(bandwidth), "fixed"
        if not np.isfinite(h) or h <= 0:
            raise HotspotInputError(f"bandwidth must be a positive number of metres; got {bandwidth!r}.")
    if h < grid.cell_size:
        message = (
            f"bandwidth {h:,.0f} m is smaller than the {grid.cell_size:,.0f} m cell: most kernels miss "
            "every cell centre, so the surface is patchy and its mass unreliable. Use a bandwidth of at "
            "least the cell size (typically 2-5 cells) or smaller cells."
        )
        warnings.warn(message, BandwidthWarning, stacklevel=3)
        notes.append(message)
    return h, rule


def _points_and_weights(points: Any, crs: Any, weights: Any, what: str) -> tuple[np.ndarray, np.ndarray]:
    xy = projected_xy(points, crs=crs, what=what)
    if weights is None:
        return xy, np.ones(len(xy))
    w = np.asarray(weights, float).ravel()
    if len(w) != len(xy) or not np.isfinite(w).all() or (w < 0).any():
        raise HotspotInputError(f"{what} weights must be one finite, non-negative number per point.")
    return xy, w


def kernel_density(
    points: Any,
    grid: Grid,
    *,
    bandwidth: float | Literal["arcgis"] = "arcgis",
    kernel: Kernel = "quartic",
    weights: Any = None,
    crs: Any = None,
) -> KernelDensityResult:
    """Kernel density of ``points`` at the centres of ``grid``'s cells, per km².

    ``points``: point GeoDataFrame/GeoSeries or ``(n, 2)`` array with ``crs``; ``weights``: optional
    weight per point. Warns (:class:`BandwidthWarning`) when the bandwidth is below the cell size.
    """
    xy, w = _points_and_weights(points, crs, weights, "points")
    notes: list[str] = []
    h, rule = _resolve_bandwidth(bandwidth, xy, w, grid, notes)
    density_m2 = _density(xy, w, grid, h, kernel)
    expected = density_m2 * grid.area_m2
    return KernelDensityResult(
        density_per_km2=density_m2 * 1e6,
        expected_count=expected,
        bandwidth_m=h,
        bandwidth_rule=rule,
        kernel=kernel,
        n_points=len(xy),
        total_weight=float(w.sum()),
        mass=float(expected.sum()),
        parameters={"cell_size_m": grid.cell_size, "n_cells": grid.n_cells, "evaluated_at": "cell centres"},
        notes=tuple(notes),
    )


@dataclass(frozen=True, eq=False)
class DualKernelDensityResult:
    """Incidents per ``per`` population: ratio of the incident and population kernel surfaces.

    ``rate`` is NaN where the population surface implies fewer than ``min_population`` people in the cell.
    """

    rate: np.ndarray
    incidents: KernelDensityResult
    population: KernelDensityResult
    per: float
    min_population: float
    n_masked: int
    parameters: dict[str, Any]
    notes: tuple[str, ...] = ()
    citation: str = field(default=DUAL_KDE_CITATION)

    def to_frame(self, grid: Grid) -> gpd.GeoDataFrame:
        out = grid.cells.copy()
        out["incident_density_per_km2"] = self.incidents.density_per_km2
        out["population_density_per_km2"] = self.population.density_per_km2
        out[f"rate_per_{self.per:g}"] = self.rate
        return out


def dual_kernel_density(
    incidents: Any,
    population: Any,
    grid: Grid,
    *,
    population_weights: Any,
    bandwidth: float | Literal["arcgis"] = "arcgis",
    kernel: Kernel = "quartic",
    per: float = 1000.0,
    min_population: float = 1.0,
    crs: Any = None,
) -> DualKernelDensityResult:
    """Dual KDE: incidents per ``per`` residents, both surfaces with the same kernel and bandwidth.

    ``population``: points carrying people (e.g. LSOA population-weighted centroids) with
    ``population_weights`` (residents per point). The bandwidth (a rule is applied to the incidents)
    is used for both surfaces so their ratio is not distorted by different smoothing (Kelsall & Diggle
    1995). Cells whose population surface gives fewer than ``min_population`` people are masked (NaN).
    """
    inc_xy, inc_w = _points_and_weights(incidents, crs, None, "incidents")
    notes: list[str] = []
    h, rule = _resolve_bandwidth(bandwidth, inc_xy, inc_w, grid, notes)
    inc = kernel_density(inc_xy, grid, bandwidth=h, kernel=kernel, crs="EPSG:27700")
    pop = kernel_density(population, grid, bandwidth=h, kernel=kernel, weights=population_weights, crs=crs)
    enough = pop.expected_count >= min_population
    rate = np.full(grid.n_cells, np.nan)
    rate[enough] = inc.density_per_km2[enough] / pop.density_per_km2[enough] * per
    masked = int((~enough).sum())
    if masked:
        notes.append(
            f"{masked:,} cell(s) with fewer than {min_population:g} residents on the population surface "
            "are masked (rate NaN)."
        )
    inc = replace(inc, bandwidth_rule=rule)
    return DualKernelDensityResult(
        rate=rate,
        incidents=inc,
        population=pop,
        per=per,
        min_population=min_population,
        n_masked=masked,
        parameters={"bandwidth_m": h, "bandwidth_rule": rule, "kernel": kernel, "per": per},
        notes=tuple(notes),
    )
