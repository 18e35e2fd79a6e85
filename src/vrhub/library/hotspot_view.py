"""A hot-spot or near-repeat result as a page shows it: a table of places (or of Knox bands), and the places as
GeoJSON for the map, coloured by the class the method gives (Gi* hot/cold with FDR, the emerging hot-spot
pattern, or a density), with the legend the report's maps use (``report.maps``).

Given a released result (``Result.release``), the table and the map hold only what the release step let through:
suppressed counts are empty, and z-scores, p- and q-values are not there to show.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from vrhub.library.result import Result
from vrhub.report.maps import EMERGING_CLASSES, GI_STAR_CLASSES

#: method → (the column that colours the map, its classes and colours, the legend title)
COLOURS: dict[str, tuple[str, dict[str, str] | None, str]] = {
    "gistar": ("classification", GI_STAR_CLASSES, "Gi* class (FDR-controlled)"),
    "emerging": ("pattern", EMERGING_CLASSES, "Emerging hot spot pattern"),
    "kde": ("density_per_km2", None, "Incidents per km² (kernel density)"),
    "dual_kde": ("rate_per_1000", None, "Incidents per 1,000 residents"),
}
SHOWN = ("id", "name", "count", "classification", "pattern", "z", "p", "q", "density_per_km2", "rate_per_1000")
TOP = 200  # table rows shown on the page (the map has every place)


def _cell(v: Any) -> Any:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return None
    if isinstance(v, np.generic):
        v = v.item()
    return round(v, 4) if isinstance(v, float) else v


@dataclass
class HotspotView:
    kind: str  # hotspots | near_repeat
    title: str
    released: bool
    columns: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    total_rows: int = 0
    legend: dict[str, str] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    citation: str = ""
    parameters: dict[str, Any] = field(default_factory=dict)
    value_field: str = ""


def _order(places: pd.DataFrame, method: str) -> pd.DataFrame:
    if "z" in places:
        return places.sort_values("z", ascending=False, na_position="last")
    column = COLOURS.get(method, ("count", None, ""))[0]
    if column in places and places[column].dtype.kind in "fi":
        return places.sort_values(column, ascending=False, na_position="last")
    return places.sort_values("count", ascending=False, na_position="last") if "count" in places else places


def hotspot_view(result: Result[Any], released: bool) -> HotspotView:
    """The page's view of a hot-spot (``Partnership.hotspots``) or near-repeat (``near_repeat``) result."""
    if result.verb == "near_repeat":
        return _knox_view(result, released)
    run = result.value
    column, classes, legend = COLOURS.get(run.method, ("count", None, "Records"))
    places = pd.DataFrame(run.places.drop(columns="geometry"))
    shown = [c for c in SHOWN if c in places]
    ordered = _order(places, run.method)
    view = HotspotView("hotspots", f"{legend} by {run.level}, {run.incidents.scope}, {run.incidents.start:%b %Y} to "
                       f"{run.incidents.end:%b %Y}", released, shown,
                       [[_cell(v) for v in r] for r in ordered[shown].head(TOP).itertuples(index=False)],
                       len(places), dict(classes or {}), notes=list(run.notes), citation=run.citation,
                       parameters=dict(result.parameters), value_field=column)
    if classes is not None and column in places:
        view.classes = {str(k): int(v) for k, v in places[column].value_counts().items()}
    return view


def _knox_view(result: Result[Any], released: bool) -> HotspotView:
    knox = result.value
    frame = knox.to_frame()
    cols = [str(c) for c in frame.columns]
    return HotspotView("near_repeat", "Near repeats: Knox ratios by distance and time band", released, cols,
                       [[_cell(v) for v in r] for r in frame.itertuples(index=False)], len(frame),
                       notes=[knox.global_sentence()], citation=getattr(knox, "citation", result.citation),
                       parameters=dict(result.parameters))


def hotspot_geojson(result: Result[Any]) -> dict[str, Any]:
    """The places of a hot-spot result as GeoJSON in WGS84 (properties: the shown columns and ``colour``)."""
    import shapely

    run = result.value
    column, classes, _ = COLOURS.get(run.method, ("count", None, ""))
    gdf = run.places.to_crs(4326) if run.places.crs is not None else run.places
    keep = [c for c in SHOWN if c in gdf]
    props = pd.DataFrame(gdf[keep]).astype(object).where(pd.notna(gdf[keep]), None)
    geoms = json.loads("[" + ",".join(shapely.to_geojson(shapely.set_precision(gdf.geometry.to_numpy(), 1e-5)))
                       + "]")
    features = []
    for (_, row), g in zip(props.iterrows(), geoms, strict=True):
        p = {k: _cell(v) for k, v in row.items()}
        p["colour"] = (classes or {}).get(str(p.get(column)), "#f3f2f1") if classes else None
        p["code"] = str(p.get("id"))
        features.append({"type": "Feature", "id": p["code"], "properties": p, "geometry": g})
    return {"type": "FeatureCollection", "features": features}
