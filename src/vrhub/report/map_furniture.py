"""What a printed map needs beside its colours: district outlines, town labels, a scale bar and a north arrow.

Cartographic convention (e.g. Ordnance Survey's map-reading guidance; ONS *Mapping guidance for statistical
publications*) asks a thematic map for orientation (a north arrow), a scale and reference features a reader knows
(towns, administrative boundaries). The maps are drawn on British National Grid metres with an identity
projection (:mod:`vrhub.report.maps`), so grid north is up and a kilometre is the same length everywhere on the
map: the scale bar is a rule of a round number of kilometres in map units, and the arrow points up.

Each layer is a Vega-Lite layer with a ``name`` (``district_outlines``, ``town_points``, ``town_labels``,
``scale_bar``, ``scale_label``, ``north_arrow``, ``north_label``) so that a test or a reader of the spec can find it.
Town points come from the shipped town list (``vrhub/data/kent/gazetteer/kent-towns.csv``: each town's centre taken
from the shipped place gazetteer, docs/sources/gazetteer.md); district outlines are the LSOAs dissolved by the
workspace lookup's district, so they follow the loaded geography of any partnership.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path

import altair as alt
import geopandas as gpd
import pandas as pd

BNG = "EPSG:27700"
TOWNS_FILE = Path(__file__).resolve().parents[1] / "data" / "kent" / "gazetteer" / "kent-towns.csv"
GAP_M = 30.0
NICE_KM = (1, 2, 5, 10, 20, 25, 50, 100)


@functools.cache
def shipped_towns() -> pd.DataFrame:
    """The shipped towns: name, longitude, latitude, district (WGS84)."""
    with TOWNS_FILE.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return pd.DataFrame({"town": [r["Town"] for r in rows], "lon": [float(r["Longitude"]) for r in rows],
                         "lat": [float(r["Latitude"]) for r in rows], "district": [r["District"] for r in rows]})


def towns_in(bounds: tuple[float, float, float, float], towns: pd.DataFrame | None = None) -> pd.DataFrame:
    """The towns inside ``bounds`` (BNG metres: minx, miny, maxx, maxy) with their BNG ``x`` and ``y``."""
    towns = shipped_towns() if towns is None else towns
    pts = gpd.GeoSeries(gpd.points_from_xy(towns["lon"], towns["lat"]), crs=4326).to_crs(BNG)
    out = towns.assign(x=pts.x.round(0).to_numpy(), y=pts.y.round(0).to_numpy())
    minx, miny, maxx, maxy = bounds
    return out[(out.x >= minx) & (out.x <= maxx) & (out.y >= miny) & (out.y <= maxy)].reset_index(drop=True)


def scale_km(width_m: float) -> int:
    """A round length for the scale bar: the largest of 1, 2, 5, 10, 20, 25, 50, 100 km not over a fifth of the
    map's width (at least 1 km)."""
    fits = [k for k in NICE_KM if k * 1000 <= width_m / 5]
    return fits[-1] if fits else 1


def furniture(bounds: tuple[float, float, float, float], projection: dict, *,
              outlines: gpd.GeoDataFrame | None = None, towns: pd.DataFrame | None = None,
              geo_values=None) -> list[alt.Chart]:  # type: ignore[no-untyped-def]
    """The layers to draw over a choropleth whose areas span ``bounds`` (BNG metres): district ``outlines`` (a
    GeoDataFrame on BNG with ``name``), town points and labels, a scale bar and a north arrow. ``geo_values`` turns a
    GeoDataFrame into Vega-Lite rows (``maps._geo_values``)."""
    minx, miny, maxx, maxy = bounds
    width, height = maxx - minx, maxy - miny
    layers: list[alt.Chart] = []
    if outlines is not None and len(outlines) and geo_values is not None:
        layers.append(alt.Chart(geo_values(outlines), name="district_outlines")
                      .mark_geoshape(filled=False, stroke="#0b0c0c", strokeWidth=1.1)
                      .project(**projection))
    placed = towns_in(bounds, towns)
    if len(placed):
        pts = placed[["town", "x", "y"]]
        layers.append(alt.Chart(pts, name="town_points").mark_circle(size=14, color="#0b0c0c", opacity=1)
                      .encode(longitude="x:Q", latitude="y:Q").project(**projection))
        layers.append(alt.Chart(pts, name="town_labels").mark_text(
            align="left", dx=4, dy=-4, fontSize=9, fontWeight="bold", color="#0b0c0c")
            .encode(longitude="x:Q", latitude="y:Q", text="town:N").project(**projection))
    km = scale_km(width)
    x0, y0 = minx + 0.04 * width, miny + 0.04 * height
    bar = pd.DataFrame({"x": [x0], "y": [y0], "x2": [x0 + km * 1000], "y2": [y0],
                        "label": [f"{km} km"], "lx": [x0 + km * 500], "ly": [y0 + 0.025 * height]})
    layers.append(alt.Chart(bar, name="scale_bar").mark_rule(color="#0b0c0c", strokeWidth=3).encode(
        longitude="x:Q", latitude="y:Q", longitude2="x2:Q", latitude2="y2:Q").project(**projection))
    layers.append(alt.Chart(bar, name="scale_label").mark_text(fontSize=9, color="#0b0c0c", baseline="bottom")
                  .encode(longitude="lx:Q", latitude="ly:Q", text="label:N").project(**projection))
    ax, ay = maxx - 0.05 * width, maxy - 0.12 * height
    arrow = pd.DataFrame({"x": [ax], "y": [ay], "x2": [ax], "y2": [ay + 0.07 * height], "ty": [ay + 0.075 * height],
                          "n": ["N"]})
    layers.append(alt.Chart(arrow, name="north_arrow").mark_rule(color="#0b0c0c", strokeWidth=2).encode(
        longitude="x:Q", latitude="y:Q", longitude2="x2:Q", latitude2="y2:Q").project(**projection))
    layers.append(alt.Chart(arrow, name="north_label").mark_text(fontSize=12, fontWeight="bold", baseline="bottom",
                                                                  text="▲ N")
                  .encode(longitude="x:Q", latitude="ty:Q").project(**projection))
    return layers


def district_outlines(lsoas: gpd.GeoDataFrame, district_of: pd.Series) -> gpd.GeoDataFrame:
    """District outlines from LSOA shapes: ``lsoas`` (with ``id``) dissolved by ``district_of`` (LSOA → district
    name); LSOAs nest in districts (ONS), so the dissolved shapes are the districts."""
    g = lsoas[["id", "geometry"]].copy()
    g = g.to_crs(BNG) if g.crs is not None else g.set_crs(BNG)
    g["name"] = g["id"].map(district_of)
    g = g.dropna(subset=["name"])
    if g.empty:
        return gpd.GeoDataFrame({"id": [], "name": []}, geometry=[], crs=BNG)
    # generalised LSOA shapes do not share edges exactly: close the slivers (a 30 m buffer out and back) so that the
    # dissolve leaves the district's outline and not its LSOAs' seams
    g["geometry"] = g.geometry.buffer(GAP_M)
    out = g.dissolve(by="name", as_index=False)[["name", "geometry"]]
    out["geometry"] = out.geometry.buffer(-GAP_M).boundary  # outlines only
    out["id"] = "district:" + out["name"].astype(str)
    return gpd.GeoDataFrame(out[["id", "name", "geometry"]], geometry="geometry", crs=BNG)
