"""Hotspot methods on a workspace: gather incidents for a period and scope, then Gi*, KDE, emerging, persistence.

The methods themselves (:mod:`vrhub.analysis.hotspots`) are pure functions of arrays; this module feeds them the
records in scope of the partnership's serious-violence definition (definite and possible records, as the
problem profile counts them; ``possible=False`` keeps definite only), the loaded LSOA boundaries, or a square
grid clipped to them. The records are police.uk street crimes (``source="police_uk_street"``, the default) or
emergency-department assault attendances (``source="ed_istv"``, NHS ISB 1594 returns). ED returns carry the
patient's home LSOA, not the place of the assault, and a date and time: they are counted by home LSOA, placed
at its centroid for the near-repeat test (which can then use days), and refused for grids and kernel density,
which would need the place itself. Every result records the parameters actually used (cell size,
bandwidth, kernel, permutations, seed, FDR level) and the data versions it read (dataset ids).

police.uk locations are anonymised map points (each covering at least 8 addresses or none): analyse by LSOA
or by grid cells no smaller than a few hundred metres, never as addresses.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa

from vrhub.analysis.hotspots.emerging import EmergingHotspotResult, emerging_hotspots
from vrhub.analysis.hotspots.errors import HotspotInputError
from vrhub.analysis.hotspots.gi_star import GiStarResult, gi_star, new_seed
from vrhub.analysis.hotspots.grids import Grid, count_points, square_grid
from vrhub.analysis.hotspots.incidents import LOCATION_NOTE, Incidents, _ordered
from vrhub.analysis.hotspots.kde import (
    DualKernelDensityResult,
    KernelDensityResult,
    dual_kernel_density,
    kernel_density,
)
from vrhub.analysis.hotspots.knox import KnoxResult, knox_test
from vrhub.analysis.hotspots.persistence import PersistenceResult, persistence_of_top_places
from vrhub.analysis.hotspots.weights import SpatialWeights, contiguity_weights, grid_weights
from vrhub.analysis.scope import (
    SOURCE,
    clip_period,
    on_vintage,
    scoped_records,
)
from vrhub.domain.definitions import Definition
from vrhub.domain.disclosure import CountedText
from vrhub.domain.errors import NoDataError
from vrhub.store.engine import Engine
from vrhub.store.geography import Geography

ED_SOURCE = "ed_istv"
ED_LOCATION_NOTE = ("ED attendances are placed at the patient's home LSOA (its centroid for distances), "
                    "not at the place of the assault")
FORCE_SOURCE = "force_crime"
FORCE_LOCATION_NOTE = ("force crime records are placed where the force recorded them (grid reference or "
                       "longitude/latitude, as sent); one event per crime reference")
#: The sources hot spots can read: kind → (what the records are, the location note, how to load them).
SOURCES: dict[str, tuple[str, str, str]] = {
    SOURCE: ("police.uk street records", LOCATION_NOTE, "'vrhub ingest police-uk PATH'"),
    ED_SOURCE: ("ED assault attendances (ISTV)", ED_LOCATION_NOTE, "'vrhub ingest istv PATH' (or 'vrhub synth')"),
    FORCE_SOURCE: ("force crime records", FORCE_LOCATION_NOTE,
                   "'vrhub ingest force-crime PATH --partner FORCE' (or 'vrhub demo')"),
}
Level = Literal["lsoa", "grid"]


@dataclass(frozen=True, eq=False)
class HotspotRun:
    """One hotspot analysis on the workspace: a frame of places (LSOAs or grid cells) with their counts and
    results, the method's own result object, the parameters used and the data versions read."""

    method: str
    level: str
    places: gpd.GeoDataFrame
    result: GiStarResult | KernelDensityResult | DualKernelDensityResult | EmergingHotspotResult
    incidents: Incidents
    parameters: dict[str, Any]
    data_versions: dict[str, list[str]]
    notes: tuple[str, ...] = ()
    grid: Grid | None = None

    @property
    def citation(self) -> str:
        return self.result.citation

    def metadata(self) -> dict[str, Any]:
        """Everything needed to repeat the run: period, scope, parameters, data versions, notes, citation."""
        return {
            "method": self.method,
            "level": self.level,
            "period": {"from": f"{self.incidents.start:%Y-%m}", "to": f"{self.incidents.end:%Y-%m}"},
            "scope": self.incidents.scope,
            "definition": self.incidents.definition,
            "parameters": self.parameters,
            "data_versions": self.data_versions,
            "notes": list(self.notes),
            "citation": self.citation,
        }


def gather_incidents(
    engine: Engine,
    definition: Definition,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    strand: str | None = None,
    possible: bool = True,
    source: str = SOURCE,
    vintage: int | None = None,
) -> Incidents:
    """The records of ``source`` in scope of ``definition`` (or a strand) from ``start`` to ``end`` (months).

    ``source`` is a key of :data:`SOURCES`. The period defaults to every loaded month and is cut to the loaded
    months with a note. Raises :class:`NoDataError` when nothing is loaded for the period or the strand is
    unknown, :class:`HotspotInputError` for an unknown source.

    Records coded to LSOAs of an older vintage than ``vintage`` (default: the newest LSOA boundaries loaded) are
    brought onto it with the ONS best-fit lookup (:func:`vrhub.analysis.scope.on_vintage`), and a note counts them.
    """
    if source not in SOURCES:
        raise HotspotInputError(f"unknown source {source!r}: use one of {', '.join(SOURCES)}")
    what, location_note, load_hint = SOURCES[source]
    try:
        t = scoped_records(engine, definition, strand, source=source)
    except NoDataError as exc:
        raise NoDataError(f"no {what} are loaded", f"load them with {load_hint}") from exc
    period = clip_period(t, start, end, reversed_error=HotspotInputError, what=what, load_hint=load_hint)
    lo, hi, notes = period.start, period.end, list(period.notes)
    t = t.filter((t.month >= lo) & (t.month <= hi))
    datasets = tuple(sorted(t.select("dataset_id").distinct().to_pyarrow().column(0).to_pylist()))
    t = t.filter(t.sv_status != "not" if possible else t.sv_status == "definite")
    on = None
    if source != ED_SOURCE:  # ED home LSOAs carry no vintage: they are read as coded
        t, vscope = on_vintage(engine, t, vintage)
        on = vscope.vintage
        method = "best-fit" if vscope.method == "best fit" else vscope.method
        for v, n in sorted(vscope.moved.items()):
            notes.append(CountedText("{n:,} records from " + f"{v} LSOAs assigned to {on} LSOAs by the ONS {method} "
                                     "lookup (an approximation)", n=n))
        for v, n in sorted(vscope.newer.items()):
            notes.append(CountedText("{n:,} records coded to " + f"{v} LSOAs cannot be placed on {on} LSOAs and "
                                     "are not counted by area", n=n))
    # the engine's row order is not fixed: the records are sorted in DuckDB (every column, nulls last) when a method
    # needs them as points, so that a seeded permutation test (Knox) repeats exactly. Counts are made in DuckDB, and
    # nothing comes to pandas until a method asks (at 10 million rows the whole frame took 1.4-1.9 GB).
    records: pd.DataFrame | ir.Table
    if source == ED_SOURCE:
        rows = t.select(lsoa_code=t.home_lsoa, month=t.month, crime_type=t.assault_method, sv_status=t.sv_status,
                        time=t.assault_datetime.coalesce(t.arrival_datetime).date())
        # centroids are a function of lsoa_code: ordering by it orders them as (time, lsoa, centroid, type) would
        frame = _ordered(rows, ["time", "lsoa_code", "crime_type", "sv_status", "month"])
        frame = _at_lsoa_centroids(engine, frame)
        frame["time"] = pd.to_datetime(frame["time"])
        frame["month"] = pd.to_datetime(frame["month"])
        records, order = frame, ()
        missing = int(frame["lsoa_code"].isna().sum())
        if missing:
            notes.append(CountedText("{n:,} ED attendance(s) have no home LSOA: not counted by area, not in the "
                                     "near-repeat test", n=missing))
    elif source == FORCE_SOURCE:  # one event per crime (a crime x victim extract repeats the crime's row)
        records = t.select("crime_ref", "lsoa_code", "month", "longitude", "latitude", crime_type=t.ho_offence_code,
                           sv_status=t.sv_status, time=t.committed_mid.date()).distinct()
        order = ("time", "crime_ref", "lsoa_code", "longitude", "latitude", "crime_type", "sv_status", "month")
    else:
        records = t.select("lsoa_code", "month", "longitude", "latitude", "crime_type", "sv_status")
        order = ("month", "lsoa_code", "longitude", "latitude", "crime_type", "sv_status")
    scope = (f"strand {strand}" if strand else "serious violence") + (" (definite and possible records)"
                                                                       if possible else " (definite records only)")
    if source == ED_SOURCE:
        scope = "ED assault attendances, " + scope.replace("records", "attendances")
    elif source == FORCE_SOURCE:
        scope = "force crime records, " + scope
    return Incidents(records, lo, hi, scope, definition.provenance(), datasets, tuple(notes), source, location_note,
                     on, order)


def _lsoa_centroids(geo: Geography) -> tuple[pd.Series, pd.Series]:
    """(longitude, latitude) by LSOA code: each loaded LSOA's centroid, computed on British National Grid."""
    gdf = geo.geodataframe("lsoa")
    cent = gdf.set_index("code").geometry.to_crs(27700).centroid.to_crs(4326)
    return pd.Series(cent.x.to_numpy(), index=cent.index), pd.Series(cent.y.to_numpy(), index=cent.index)


def _at_lsoa_centroids(engine: Engine, frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``longitude``/``latitude``: the centroid (in British National Grid, then back to WGS84) of each
    record's LSOA in the loaded boundaries; NaN when the LSOA is unknown or no boundaries are loaded."""
    try:
        lon, lat = _lsoa_centroids(Geography(engine))
    except NoDataError:
        return frame.assign(longitude=np.nan, latitude=np.nan)
    return frame.assign(longitude=frame["lsoa_code"].map(lon).astype(float),
                        latitude=frame["lsoa_code"].map(lat).astype(float))


def _boundary_versions(geo: Geography, level: str) -> list[str]:
    v = geo.vintage(level)
    return sorted(d for e in geo.layers() if e["level"] == level and e["vintage"] == v for d in e["datasets"])


def _area(geo: Geography) -> tuple[gpd.GeoDataFrame, str]:
    """The study area: the LSOA boundaries (they tile the police force area)."""
    return geo.geodataframe("lsoa"), "lsoa"


def _lsoa_places(geo: Geography, incidents: Incidents) -> tuple[gpd.GeoDataFrame, list[str]]:
    gdf = geo.geodataframe("lsoa", incidents.vintage)[["code", "name", "geometry"]].rename(columns={"code": "id"})
    gdf = gdf.sort_values("id", kind="stable").reset_index(drop=True)
    counts = incidents.lsoa_counts()
    gdf["count"] = counts.reindex(gdf["id"]).fillna(0).astype("int64").to_numpy()
    notes = []
    unmatched = int(incidents.n_without_lsoa + counts[~counts.index.isin(gdf["id"])].sum())
    if unmatched:
        notes.append(CountedText("{n:,} record(s) have no LSOA or one outside the loaded boundaries; not counted",
                                 n=unmatched))
    return gdf, notes


#: the format of a grid kept in the workspace's cache (bump when ``square_grid`` or ``Grid.to_arrow`` changes)
GRID_CACHE_FORMAT = 1


def _grid(geo: Geography, cell_size: float) -> Grid:
    """The grid of ``cell_size`` clipped to the study area (:func:`_area`, the newest LSOAs loaded): built once per
    workspace geography (clipping 61,000 cells of 250 m to Kent's outline took 3-9 s a run), then read back from
    the cache (``Geography.derived``)."""
    def build() -> pa.Table:
        area, _ = _area(geo)
        return square_grid(area, cell_size).to_arrow()

    params = {"cell_size": float(cell_size), "clip": True, "format": GRID_CACHE_FORMAT}
    return Grid.from_arrow(geo.derived("grid", "lsoa", None, params, build))


def _grid_places(geo: Geography, incidents: Incidents, cell_size: float, *, by_month: bool
                 ) -> tuple[gpd.GeoDataFrame, Grid, np.ndarray, list[str]]:
    grid = _grid(geo, cell_size)
    # counted from the distinct map points, each with its number of records (police.uk snaps every crime to one)
    xy, weights, periods = incidents.point_counts(by_month=by_month)
    gc = count_points(grid, xy, crs="EPSG:4326", periods=periods, weights=weights)
    places = grid.cells[["cell_id", "geometry"]].rename(columns={"cell_id": "id"})
    places["name"] = [f"cell {r},{c}" for r, c in zip(grid.rows, grid.cols, strict=True)]
    places["count"] = gc.counts if gc.counts.ndim == 1 else gc.counts.sum(axis=1)
    notes = []
    no_loc = incidents.n - incidents.n_located
    if no_loc:
        notes.append(CountedText("{n:,} record(s) have no map point; not counted", n=no_loc))
    if gc.n_outside:
        notes.append(CountedText("{n:,} record(s) fall outside the grid (outside the loaded boundaries); not counted",
                                 n=gc.n_outside))
    per_month = gc.counts if by_month else np.zeros((0, 0))
    if by_month:  # months with no located record still need a column
        labels = list(gc.periods or ())
        full = np.zeros((grid.n_cells, len(incidents.months)), dtype=np.int64)
        want = [f"{m:%Y-%m}" for m in incidents.months]
        for j, lab in enumerate(labels):
            full[:, want.index(lab)] = gc.counts[:, j]
        per_month = full
    return places, grid, per_month, notes


def _weights(level: str, places: gpd.GeoDataFrame, grid: Grid | None) -> SpatialWeights:
    if level == "grid":
        assert grid is not None
        return grid_weights(grid, rule="queen")
    return contiguity_weights(places, rule="queen", ids=places["id"].to_numpy())


def _versions(incidents: Incidents, geo: Geography) -> dict[str, list[str]]:
    return {incidents.source: list(incidents.datasets), "boundaries_lsoa": _boundary_versions(geo, "lsoa")}


def _check_level(level: str, cell_size: float | None, incidents: Incidents | None = None) -> None:
    if level not in ("lsoa", "grid"):
        raise HotspotInputError(f"unknown level {level!r}: use 'lsoa' or 'grid'")
    if level == "grid" and incidents is not None and incidents.source == ED_SOURCE:
        raise HotspotInputError("ED returns give the patient's home LSOA, not a map point of the assault: grids "
                                "and kernel density cannot be drawn from them; use the LSOA level")
    if level == "grid" and (cell_size is None or cell_size <= 0):
        raise HotspotInputError("a grid needs a positive cell size in metres, e.g. 250")


def run_gi_star(
    engine: Engine,
    incidents: Incidents,
    *,
    level: Level = "lsoa",
    cell_size: float = 250.0,
    permutations: int = 9999,
    seed: int | None = None,
    alpha: float = 0.05,
    fdr: bool = True,
) -> HotspotRun:
    """Gi* hot and cold spots of the incidents' counts per LSOA (queen contiguity) or grid cell (queen lattice).

    Every LSOA of the loaded boundaries (or cell of the grid) is a site, with 0 where nothing happened.
    Method and citation: docs/methods/gi-star.md (Getis & Ord 1992; Ord & Getis 1995).
    """
    _check_level(level, cell_size, incidents)
    geo = Geography(engine)
    grid = None
    if level == "lsoa":
        places, notes = _lsoa_places(geo, incidents)
    else:
        places, grid, _, notes = _grid_places(geo, incidents, cell_size, by_month=False)
    w = _weights(level, places, grid)
    seed = new_seed() if seed is None and permutations > 0 else seed
    result = gi_star(places["count"].to_numpy(float), w, permutations=permutations, seed=seed, alpha=alpha, fdr=fdr)
    places = places.assign(z=result.z, p=result.p_perm if result.p_perm is not None else result.p_analytic,
                           q=result.q, classification=result.classification)
    params = {"level": level, "cell_size_m": cell_size if level == "grid" else None, "weights": w.method,
              "weights_parameters": dict(w.parameters), "permutations": permutations, "seed": result.seed,
              "inference": result.inference, "fdr": fdr, "fdr_level": alpha, "n_sites": len(places),
              "n_incidents_counted": int(places["count"].sum())}
    return HotspotRun("gistar", level, places, result, incidents, params, _versions(incidents, geo),
                      tuple([*incidents.notes, *notes, *result.notes]), grid)


def run_kde(
    engine: Engine,
    incidents: Incidents,
    *,
    cell_size: float = 250.0,
    bandwidth: float | Literal["arcgis"] = "arcgis",
    kernel: Literal["quartic", "epanechnikov"] = "quartic",
) -> HotspotRun:
    """Kernel density of the incidents' map points on a grid clipped to the loaded LSOA boundaries.

    Method and citation: docs/methods/kde.md.
    """
    _check_level("grid", cell_size, incidents)
    geo = Geography(engine)
    places, grid, _, notes = _grid_places(geo, incidents, cell_size, by_month=False)
    if incidents.n_located < 2:
        raise HotspotInputError("kernel density needs at least 2 incidents with map points in the period")
    xy = incidents.located_columns(["longitude", "latitude"]).to_numpy(float)
    result = kernel_density(xy, grid, bandwidth=bandwidth, kernel=kernel, crs="EPSG:4326")
    places = places.assign(density_per_km2=result.density_per_km2, expected_count=result.expected_count)
    params = {"level": "grid", "cell_size_m": cell_size, "bandwidth_m": result.bandwidth_m,
              "bandwidth_rule": result.bandwidth_rule, "kernel": result.kernel, "n_points": result.n_points,
              "n_cells": grid.n_cells}
    return HotspotRun("kde", "grid", places, result, incidents, params, _versions(incidents, geo),
                      tuple([*incidents.notes, *notes, *result.notes]), grid)


def run_dual_kde(
    engine: Engine,
    incidents: Incidents,
    *,
    cell_size: float = 250.0,
    bandwidth: float | Literal["arcgis"] = "arcgis",
    kernel: Literal["quartic", "epanechnikov"] = "quartic",
    per: float = 1000.0,
    min_population: float = 1.0,
) -> HotspotRun:
    """Dual kernel density: incidents per ``per`` residents, the incident surface over a population surface
    built from the loaded LSOAs' residents (the loaded population table) placed at their centroids, with the same
    kernel and bandwidth. Method and citation: docs/methods/kde.md (Kelsall & Diggle 1995).

    LSOA centroids are area centroids, not population-weighted ones (none are loaded): in large rural LSOAs the
    population surface is placed at the middle of the area.
    """
    _check_level("grid", cell_size, incidents)
    geo = Geography(engine)
    try:
        pop = geo.attributes("population").to_pandas()
    except NoDataError as exc:
        raise HotspotInputError("dual kernel density needs the residents of each LSOA: no population table is "
                                "loaded (load a population file, e.g. Census 2021, with 'vrhub geography load "
                                "PATH')") from exc
    places, grid, _, notes = _grid_places(geo, incidents, cell_size, by_month=False)
    if incidents.n_located < 2:
        raise HotspotInputError("kernel density needs at least 2 incidents with map points in the period")
    lon, lat = _lsoa_centroids(geo)
    residents = pop.set_index("lsoa_code")["population_total"].reindex(lon.index)
    has = residents.notna().to_numpy()
    if (~has).any():
        notes.append(f"{int((~has).sum()):,} LSOA(s) have no population: left out of the population surface")
    xy = incidents.located_columns(["longitude", "latitude"]).to_numpy(float)
    result = dual_kernel_density(
        xy, np.column_stack([lon[has], lat[has]]), grid,
        population_weights=residents[has].to_numpy(float), bandwidth=bandwidth, kernel=kernel, per=per,
        min_population=min_population, crs="EPSG:4326")
    rate_col = f"rate_per_{per:g}"
    places = places.assign(density_per_km2=result.incidents.density_per_km2,
                           expected_count=result.incidents.expected_count, **{rate_col: result.rate})
    params = {"level": "grid", "cell_size_m": cell_size, "bandwidth_m": result.parameters["bandwidth_m"],
              "bandwidth_rule": result.parameters["bandwidth_rule"], "kernel": kernel, "per": per,
              "min_population": min_population, "n_points": result.incidents.n_points, "n_cells": grid.n_cells,
              "n_masked_cells": result.n_masked, "population_points": "LSOA area centroids (British National Grid)"}
    versions = _versions(incidents, geo) | {"population": geo.attribute_datasets("population")}
    return HotspotRun("dual_kde", "grid", places, result, incidents, params, versions,
                      tuple([*incidents.notes, *notes, *result.notes]), grid)


def _lsoa_month_counts(places: gpd.GeoDataFrame, incidents: Incidents) -> np.ndarray:
    table = incidents.lsoa_month_counts()
    table = table.reindex(index=places["id"], columns=[f"{m:%Y-%m}" for m in incidents.months], fill_value=0)
    return table.to_numpy(np.int64)


def run_emerging(
    engine: Engine,
    incidents: Incidents,
    *,
    level: Level = "lsoa",
    cell_size: float = 250.0,
    permutations: int = 0,
    seed: int | None = None,
    alpha: float = 0.05,
    fdr: bool = True,
    time_neighbourhood: int = 1,
) -> HotspotRun:
    """Emerging hot spot patterns (ArcGIS Pro rules) from monthly counts per LSOA or grid cell.

    Inference is analytic unless ``permutations > 0``. Method and citation: docs/methods/emerging-hotspots.md.
    """
    _check_level(level, cell_size, incidents)
    if len(incidents.months) < 2:
        raise HotspotInputError("emerging hot spots need at least 2 months; widen --from/--to")
    geo = Geography(engine)
    grid = None
    if level == "lsoa":
        places, notes = _lsoa_places(geo, incidents)
        counts = _lsoa_month_counts(places, incidents)
    else:
        places, grid, counts, notes = _grid_places(geo, incidents, cell_size, by_month=True)
    w = _weights(level, places, grid)
    inference: Literal["analytic", "permutation"] = "permutation" if permutations > 0 else "analytic"
    seed = new_seed() if seed is None and permutations > 0 else seed
    result = emerging_hotspots(counts, w, periods=[f"{m:%Y-%m}" for m in incidents.months],
                               ids=places["id"].to_numpy(), alpha=alpha, fdr=fdr, inference=inference,
                               permutations=permutations, seed=seed, time_neighbourhood=time_neighbourhood)
    places = places.assign(pattern=result.pattern, n_hot_months=result.hot.sum(axis=1),
                           n_cold_months=result.cold.sum(axis=1))
    params = {"level": level, "cell_size_m": cell_size if level == "grid" else None, "weights": w.method,
              "scheme": result.scheme, "inference": inference, "permutations": permutations, "seed": result.seed,
              "fdr": fdr, "fdr_level": alpha, "time_neighbourhood": time_neighbourhood,
              "periods": list(result.periods), "n_sites": len(places)}
    return HotspotRun("emerging", level, places, result, incidents, params, _versions(incidents, geo),
                      tuple([*incidents.notes, *notes, *result.notes]), grid)


@dataclass(frozen=True, eq=False)
class PersistenceRun:
    """Persistence of top LSOAs between two periods, with the data versions read."""

    result: PersistenceResult
    this_period: tuple[dt.date, dt.date]
    last_period: tuple[dt.date, dt.date]
    data_versions: dict[str, list[str]]
    parameters: dict[str, Any] = field(default_factory=dict)


def run_persistence(
    engine: Engine,
    definition: Definition,
    *,
    this_period: tuple[dt.date, dt.date],
    last_period: tuple[dt.date, dt.date],
    top_share: float = 0.05,
    strand: str | None = None,
) -> PersistenceRun:
    """How much of this period's volume in its top LSOAs fell in LSOAs that were top last period.

    Method and citation: docs/methods/persistence.md (Weisburd 2015; Sherman, Gartin & Buerger 1989).
    """
    this = gather_incidents(engine, definition, start=this_period[0], end=this_period[1], strand=strand)
    last = gather_incidents(engine, definition, start=last_period[0], end=last_period[1], strand=strand)
    geo = Geography(engine)
    p_this, _ = _lsoa_places(geo, this)
    p_last, _ = _lsoa_places(geo, last)
    result = persistence_of_top_places(p_this.set_index("id")["count"], p_last.set_index("id")["count"],
                                       top_share=top_share)
    versions = {SOURCE: sorted(set(this.datasets) | set(last.datasets)),
                "boundaries_lsoa": _boundary_versions(geo, "lsoa")}
    return PersistenceRun(result, (this.start, this.end), (last.start, last.end), versions,
                          {"top_share": top_share, "level": "lsoa", "scope": this.scope})


def run_near_repeat(
    incidents: Incidents,
    *,
    space_bands: list[float],
    time_bands: list[float],
    time_unit: Literal["day", "month"] = "day",
    permutations: int = 999,
    seed: int | None = None,
) -> KnoxResult:
    """Knox near-repeat test on the incidents' map points and times (docs/methods/knox.md).

    police.uk records carry only a month: day bands raise :class:`TimeResolutionError` (say why, and offer
    ``time_unit="month"``, which compares whole calendar months). Dated sources (ED returns: the day of the
    assault, or of arrival when the assault time is blank) use their days.
    """
    dated = "time" in incidents.columns and time_unit == "day"
    located = incidents.located_columns(["longitude", "latitude", "time" if dated else "month"])
    xy = located[["longitude", "latitude"]].to_numpy(float)
    times = located["time"].to_numpy() if dated else located["month"].dt.strftime("%Y-%m").to_numpy(dtype=object)
    return knox_test(xy, times, space_bands=space_bands, time_bands=time_bands, permutations=permutations,
                     seed=seed, crs="EPSG:4326", time_unit=time_unit)
