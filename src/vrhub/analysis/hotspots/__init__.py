"""Where violence concentrates: grids, kernel density, Gi* hot spots, emerging hot spots, Knox, persistence.

Pure functions returning result objects that carry their parameters, seed and citation. Inputs in any
CRS are projected to British National Grid (EPSG:27700); longitude/latitude without a CRS is refused.
Nothing here imports numba, esda or libpysal (a one-shot command never pays numba's compile).

====================================  ===================================================================
function                              result
====================================  ===================================================================
:func:`square_grid`                   :class:`Grid`: square cells clipped to an area
:func:`count_points`                  :class:`GridCounts`: points per cell (optionally per period)
:func:`kernel_density`                :class:`KernelDensityResult`: quartic/Epanechnikov KDE on a grid
:func:`dual_kernel_density`           :class:`DualKernelDensityResult`: incidents per population
:func:`contiguity_weights`            :class:`SpatialWeights`: queen/rook contiguity of polygons
:func:`distance_band_weights`         :class:`SpatialWeights`: centroids within a distance
:func:`grid_weights`                  :class:`SpatialWeights`: lattice neighbours of grid cells
:func:`gi_star`                       :class:`GiStarResult`: Getis-Ord Gi*, analytic + permutation, FDR
:func:`emerging_hotspots`             :class:`EmergingHotspotResult`: ArcGIS/sfhotspot patterns
:func:`mann_kendall`                  :class:`MannKendallResult`: trend test per series
:func:`knox_test`                     :class:`KnoxResult`: near-repeat Knox table with Monte Carlo
:func:`time_resolution`               "month" / "day" / "sub-day": can day bands be measured?
:func:`persistence_of_top_places`     :class:`PersistenceResult`: do top places stay on top?
:func:`benjamini_hochberg`            BH-adjusted p-values
====================================  ===================================================================
"""

from vrhub.analysis.hotspots.emerging import EmergingHotspotResult, emerging_hotspots
from vrhub.analysis.hotspots.errors import (
    BandwidthWarning,
    HotspotInputError,
    MissingCRSWarning,
    TimeResolutionError,
    UnprojectedCoordinatesError,
)
from vrhub.analysis.hotspots.fdr import benjamini_hochberg
from vrhub.analysis.hotspots.gi_star import GiStarResult, gi_star
from vrhub.analysis.hotspots.grids import Grid, GridCounts, count_points, square_grid
from vrhub.analysis.hotspots.kde import (
    DualKernelDensityResult,
    KernelDensityResult,
    arcgis_bandwidth,
    dual_kernel_density,
    kernel_density,
)
from vrhub.analysis.hotspots.knox import KnoxResult, knox_test, knox_test_all_pairs
from vrhub.analysis.hotspots.mann_kendall import MannKendallResult, mann_kendall
from vrhub.analysis.hotspots.persistence import PersistenceResult, persistence_of_top_places
from vrhub.analysis.hotspots.projection import BRITISH_NATIONAL_GRID, projected_xy, to_british_national_grid
from vrhub.analysis.hotspots.time_resolution import time_resolution
from vrhub.analysis.hotspots.weights import (
    SpatialWeights,
    as_spatial_weights,
    contiguity_weights,
    distance_band_weights,
    grid_weights,
)

__all__ = [
    "BRITISH_NATIONAL_GRID",
    "BandwidthWarning",
    "DualKernelDensityResult",
    "EmergingHotspotResult",
    "GiStarResult",
    "Grid",
    "GridCounts",
    "HotspotInputError",
    "KernelDensityResult",
    "KnoxResult",
    "MannKendallResult",
    "MissingCRSWarning",
    "PersistenceResult",
    "SpatialWeights",
    "TimeResolutionError",
    "UnprojectedCoordinatesError",
    "arcgis_bandwidth",
    "as_spatial_weights",
    "benjamini_hochberg",
    "contiguity_weights",
    "count_points",
    "distance_band_weights",
    "dual_kernel_density",
    "emerging_hotspots",
    "gi_star",
    "grid_weights",
    "kernel_density",
    "knox_test",
    "knox_test_all_pairs",
    "mann_kendall",
    "persistence_of_top_places",
    "projected_xy",
    "square_grid",
    "time_resolution",
    "to_british_national_grid",
]
