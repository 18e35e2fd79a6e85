"""The profile explorer: a profile (exact or released) cut to one source, its charts with the table behind each, the
areas of its level as map features, and one area's figures.

The profile's tables are named by section and source (``who_ed_by_age_band``: the ED returns' ages;
``what_force_weapons``: the force crime extract's weapons; no source name: police.uk street crime), so the source
filter keeps the tables of that source, and the measures table that every source shares. The map is the
workspace's own boundaries (ONS LSOA, MSOA and ward layers as loaded; districts are their LSOAs dissolved by the
loaded lookup), simplified for the screen, in WGS84 as GeoJSON (RFC 7946) for Leaflet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from vrhub.analysis.profile import Profile
from vrhub.domain.errors import NoDataError
from vrhub.report.profile_charts import ProfileChart, profile_charts
from vrhub.store.engine import Engine
from vrhub.store.geography import Geography

#: source short (as in the profile's table names) → what it is; ``police_uk`` is every table without one
SOURCES = {"police_uk": "police.uk street crime", "force": "force crime records", "ed": "ED assault attendances (ISTV)",
           "ambulance": "ambulance call-outs for assault", "yj": "youth justice offences"}
SHARED = ("success_measures",)  # tables about every source
SECTIONS = ("what", "where", "when", "who", "why", "measures")
#: metres the map's shapes are simplified by, per level (Douglas–Peucker, topology kept): a screen needs no more
SIMPLIFY_M = {"lsoa": 25.0, "msoa": 40.0, "ward": 40.0, "district": 80.0, "area": 120.0}
BNG = 27700  # British National Grid: metres, for simplifying


def table_source(name: str) -> str | None:
    """The source of a profile table from its name (``None``: a table about every source)."""
    if name in SHARED:
        return None
    parts = name.split("_")
    for p in parts[1:3]:
        if p in SOURCES and p != "police_uk":
            return p
    return "police_uk"


@dataclass(frozen=True)
class ShownTable:
    name: str
    title: str
    columns: list[str]
    rows: list[dict[str, Any]]

    def matrix(self, limit: int | None = None) -> list[list[Any]]:
        """The rows as lists of cells in column order (the first ``limit``)."""
        return [[r.get(c) for c in self.columns] for r in self.rows[:limit]]


@dataclass
class ExplorerView:
    """What the explorer shows for one profile and source."""

    profile: Profile
    notice: str
    released: bool
    source: str
    sources: dict[str, str]  # the sources this profile has tables of
    sections: dict[str, list[ShownTable]] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    charts: list[tuple[ProfileChart, ShownTable]] = field(default_factory=list)
    areas: list[dict[str, Any]] = field(default_factory=list)  # where_by_area rows: the map's values and links


def _shown(name: str, t: pa.Table) -> ShownTable:
    return ShownTable(name, name.replace("_", " ").capitalize(), t.column_names, t.to_pylist())


def explore(profile: Profile, notice: str, *, released: bool, source: str = "police_uk") -> ExplorerView:
    """The explorer's view of ``profile`` (already released when ``released``) for ``source``."""
    tables = profile.tables()
    present = {table_source(n) for n in tables} - {None}
    sources = {k: v for k, v in SOURCES.items() if k in present}
    if source not in sources:
        source = "police_uk" if "police_uk" in sources else next(iter(sources), "police_uk")
    view = ExplorerView(profile, notice, released, source, sources)
    keep = {n for n in tables if table_source(n) in (source, None)}
    for name, section in profile.sections.items():
        shown = [_shown(n, t) for n, t in section.tables.items() if n in keep]
        view.sections[name] = shown
        view.notes[name] = list(section.notes)
    by_name = {t.name: t for s in view.sections.values() for t in s}
    for chart in profile_charts(profile, tables, notice, partner_tables=True):
        if chart.table in keep:
            view.charts.append((chart, by_name[chart.table]))
    if "where_by_area" in tables:
        view.areas = tables["where_by_area"].to_pylist()
    return view


@dataclass(frozen=True)
class AreaFigures:
    """One area's row of the profile's ``where_by_area`` table, with its share of the whole and its rank."""

    code: str
    name: str
    level: str
    figures: dict[str, Any]
    share: float | None  # of the partnership's records (None when a count is suppressed)
    areas: int  # how many areas of this level


def area_figures(profile: Profile, code: str) -> AreaFigures | None:
    """The figures of area ``code`` at the profile's level, or ``None`` if the profile has no such area."""
    tables = profile.tables()
    if "where_by_area" not in tables:
        return None
    rows = tables["where_by_area"].to_pylist()
    row = next((r for r in rows if str(r.get("area_code")) == code), None)
    if row is None:
        return None
    counts = [r.get("records") for r in rows]
    total = sum(c for c in counts if isinstance(c, int | float))
    share = (row["records"] / total) if isinstance(row.get("records"), int | float) and total else None
    if any(c is None for c in counts):
        share = None  # a share of a total with suppressed cells would let them be solved back
    return AreaFigures(code, str(row.get("area_name") or code), profile.level, row, share, len(rows))


def boundaries_geojson(engine: Engine, level: str, *, vintage: int | None = None) -> dict[str, Any]:
    """The areas of ``level`` as a GeoJSON FeatureCollection in WGS84 (``id``: the area code; ``name``), simplified
    for the screen. Raises :class:`NoDataError` when the boundaries are not loaded."""
    import geopandas as gpd
    import shapely

    geo = Geography(engine)
    if level in ("lsoa", "msoa", "ward"):
        gdf = geo.geodataframe(level, vintage if level == "lsoa" else None)
        gdf = gdf.rename(columns={"code": "id"})[["id", "name", "geometry"]]
    elif level in ("district", "area"):
        lsoas = geo.geodataframe("lsoa", vintage).rename(columns={"code": "lsoa_code"})
        lookup = geo.lsoa_lookup(vintage).select("lsoa_code", "district_code", "district_name").to_pandas()
        shapes = lsoas[["lsoa_code", "geometry"]].merge(lookup, on="lsoa_code").dropna(subset=["district_code"])
        if level == "area":
            shapes = shapes.assign(district_code="area", district_name="whole area")
        gdf = shapes.dissolve(by=["district_code", "district_name"], as_index=False).rename(
            columns={"district_code": "id", "district_name": "name"})[["id", "name", "geometry"]]
    else:
        raise NoDataError(f"no boundaries for level {level!r}", "use lsoa, msoa, ward, district or area")
    metres = gdf.to_crs(BNG)
    simple = shapely.simplify(metres.geometry.to_numpy(), SIMPLIFY_M[level], preserve_topology=True)
    out = gpd.GeoDataFrame(gdf[["id", "name"]].astype(str), geometry=simple, crs=BNG).to_crs(4326)
    out = out[~out.geometry.is_empty]
    geometries = json.loads("[" + ",".join(shapely.to_geojson(shapely.set_precision(
        out.geometry.to_numpy(), 1e-5))) + "]")
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": i, "properties": {"code": i, "name": n}, "geometry": g}
        for i, n, g in zip(out["id"], out["name"], geometries, strict=True)]}
