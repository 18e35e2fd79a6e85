"""Offline maps: choropleths of counts, rates, Gi* classes and emerging patterns by area, and KDE surfaces on a grid.

Maps are Vega-Lite ``mark_geoshape`` charts (Altair) drawn on British National Grid metres with an identity
projection, so there is no tile server, no web-map projection and no network: SVG and PNG are rendered by
vl-convert, and the interactive HTML has the Vega JavaScript inlined. Boundaries are simplified (20 m by default)
to keep files small.

Accessibility: every map has a text title, a subtitle with the notice (who may see it) and the note
"police.uk locations are anonymised map points"; legends name every class in words (colour is never the only
cue: the HTML page repeats the key as a plain table with the number of areas per class), and the chart carries a
text description for screen readers. Colours have at least 3:1 contrast against white where they carry meaning
(WCAG 2.2, 1.4.11).

Disclosure control: :func:`released_counts` protects a count per area (default: suppress 1–7, round the rest to
5, secondary suppression) and gives NaN where a count is suppressed; released maps draw those areas in the
"no value shown" style and show no value, rate or class for them.
"""

from __future__ import annotations

import functools
import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from vrhub.analysis.hotspots.run import HotspotRun
from vrhub.domain.disclosure import NHS_OPENSAFELY, DisclosureRules, protect_series
from vrhub.report.charts import write_svg_png
from vrhub.report.csv_safe import safe_frame
from vrhub.report.release.hotspots import ANALYST_ONLY

LOCATION_NOTE = "police.uk locations are anonymised map points"
NO_VALUE = "no value shown (count suppressed)"
NO_VALUE_FILL = "#b1b4b6"
BRITISH_NATIONAL_GRID = "EPSG:27700"

GI_STAR_CLASSES = {"hot": "#b2182b", "not significant": "#f3f2f1", "cold": "#2166ac"}
EMERGING_CLASSES = {
    "new hot spot": "#67001f", "consecutive hot spot": "#b2182b", "intensifying hot spot": "#d6604d",
    "persistent hot spot": "#8c2d04", "diminishing hot spot": "#cc4c02", "sporadic hot spot": "#e08214",
    "oscillating hot spot": "#8e0152", "historical hot spot": "#c51b7d",
    "new cold spot": "#053061", "consecutive cold spot": "#2166ac", "intensifying cold spot": "#4393c3",
    "persistent cold spot": "#01665e", "diminishing cold spot": "#35978f", "sporadic cold spot": "#542788",
    "oscillating cold spot": "#8073ac", "historical cold spot": "#5e3c99",
    "no pattern detected": "#f3f2f1",
}


def released_counts(counts: pd.Series, rules: DisclosureRules | None = None) -> tuple[pd.Series, str]:
    """Counts per area after disclosure control: published values, NaN where suppressed, and the statement."""
    protected = protect_series(counts.rename("count"), rules or NHS_OPENSAFELY)
    values = protected.map_values().reindex(counts.index)
    return values, f"released — {protected.statement}"


def _whole_metres(geoms: np.ndarray) -> np.ndarray:
    """Shapes on a 1 m grid (GEOS ``set_precision``: snaps and repairs, so slivers left by a dissolve vanish): smaller
    files, nothing lost at map scale. Shapes already on whole metres (grid cells) are left as they are: snapping
    61,000 cells that need none took 6.5 s."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    rough = np.unique(index[(coords != np.round(coords)).any(axis=1)])
    out = np.asarray(geoms, dtype=object).copy()
    if len(rough):
        out[rough] = shapely.set_precision(out[rough], 1.0)
    return out


def _for_map(places: gpd.GeoDataFrame, columns: list[str], simplify_m: float, *, shapes: bool = True
             ) -> gpd.GeoDataFrame:
    """The columns to draw, on British National Grid; with ``shapes`` the outlines simplified and on whole metres
    (grid cells are drawn from their extents, so their clipped outlines need neither: snapping the 4,000 cells
    cut by Kent's coast took 3 s)."""
    gdf = places.to_crs(BRITISH_NATIONAL_GRID) if places.crs is not None else places.set_crs(BRITISH_NATIONAL_GRID)
    geoms = gdf.geometry.to_numpy()
    if shapes and simplify_m > 0:
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    if shapes:
        geoms = _whole_metres(geoms)
    keep = [c for c in dict.fromkeys(["id", "name", *columns]) if c in gdf.columns]
    out = gpd.GeoDataFrame(gdf[keep].copy(), geometry=geoms, crs=BRITISH_NATIONAL_GRID)
    out = out[~out.geometry.is_empty]
    for c in out.columns:
        if c != "geometry" and out[c].dtype == object:
            out[c] = out[c].where(out[c].notna(), None)
    out["id"] = out["id"].astype(str)
    return out


def _geo_values(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """The rows of ``gdf`` as Altair turns a GeoDataFrame into Vega-Lite values: the columns, ``"type": "Feature"``
    and a GeoJSON geometry (a dict) per row, made in bulk by GEOS (``shapely.to_geojson``).

    Given a GeoDataFrame, Altair goes through ``__geo_interface__`` feature by feature and copies it twice, which
    took 39 of the 74 seconds of a 61,000-cell grid map; given these rows as a list, it deep-copies and validates
    every row when the layers are combined. A plain DataFrame is neither copied nor validated row by row.
    """
    rows = pd.DataFrame(gdf.drop(columns="geometry"))
    rows["type"] = "Feature"
    rows["geometry"] = json.loads("[" + ",".join(shapely.to_geojson(gdf.geometry.to_numpy())) + "]")
    return rows


def _missing(values: pd.Series) -> pd.Series:
    return values.isna() | values.astype(str).eq("")


def choropleth(
    places: gpd.GeoDataFrame,
    column: str,
    *,
    title: str,
    legend_title: str,
    notice: str,
    classes: dict[str, str] | None = None,
    scheme: str = "oranges",
    value_format: str = ",.1f",
    tooltip: list[str] | None = None,
    missing_label: str = NO_VALUE,
    simplify_m: float = 20.0,
    location_note: str = LOCATION_NOTE,
    width: int = 640,
    cells: bool = False,
    furnish: bool = False,
    outlines: gpd.GeoDataFrame | None = None,
) -> alt.Chart:
    """A choropleth of ``column`` over the areas or cells of ``places`` (any CRS, drawn on British National Grid).

    ``classes`` maps class labels to colours for a categorical map (Gi* classes, emerging patterns); without it
    the column is a number on a sequential ``scheme``. Areas whose value is missing (NaN/None: suppressed) are
    drawn grey and listed in the legend as ``missing_label``; they show no value, not even in the tooltip.
    With ``furnish`` the map gets town labels, a scale bar, a north arrow and the ``outlines`` given (district
    boundaries) over the areas (:mod:`vrhub.report.map_furniture`).

    ``cells``: the places are grid cells, drawn as rectangles (each cell's extent on British National Grid: a cell
    clipped by the coast is drawn as its clipped extent) rather than as shapes. Vega renders 61,000 rectangles in a
    few seconds where 61,000 GeoJSON shapes took 40 s or more, and the spec carries four numbers per cell instead
    of its outline. At a 250 m cell a map 640 pixels wide gives each cell under 2 pixels: nothing is lost.
    """
    tooltip = [c for c in (tooltip or ["name", column]) if c in places.columns]
    gdf = _for_map(places, [column, *tooltip], 0.0 if cells else simplify_m, shapes=not cells)
    missing = _missing(gdf[column])
    shown, hidden = gdf[~missing], gdf[missing][["id", "name", "geometry"] if "name" in gdf else ["id", "geometry"]]
    projection = alt.Projection(type="identity", reflectY=True)
    tips = [alt.Tooltip("name:N", title="area")] if "name" in gdf else []
    if classes is not None:
        present = [k for k in classes if k in set(shown[column])]
        color = alt.Color(f"{column}:N", title=legend_title,
                          scale=alt.Scale(domain=present, range=[classes[k] for k in present]),
                          legend=alt.Legend(orient="right", labelLimit=320, symbolType="square",
                                            symbolStrokeColor="#505a5f", symbolStrokeWidth=0.5))
        tips.append(alt.Tooltip(f"{column}:N", title=legend_title))
    else:
        color = alt.Color(f"{column}:Q", title=legend_title, scale=alt.Scale(scheme=scheme),
                          legend=alt.Legend(orient="right", format=value_format, gradientLength=200))
        tips.append(alt.Tooltip(f"{column}:Q", title=legend_title, format=value_format))
    for extra in tooltip:
        if extra not in ("name", column):
            kind = "Q" if pd.api.types.is_numeric_dtype(gdf[extra]) else "N"
            tips.append(alt.Tooltip(f"{extra}:{kind}", title=extra.replace("_", " ")))
    minx, miny, maxx, maxy = gdf.total_bounds if len(gdf) else (0.0, 0.0, 1.0, 1.0)
    if cells:
        def mark(frame: gpd.GeoDataFrame, **style: Any) -> alt.Chart:
            lo = shapely.bounds(frame.geometry.to_numpy())
            rows = pd.DataFrame(frame.drop(columns="geometry")).assign(x=lo[:, 0], y=lo[:, 1], x2=lo[:, 2],
                                                                       y2=lo[:, 3])
            xs = alt.Scale(domain=[float(minx), float(maxx)], zero=False, nice=False)
            ys = alt.Scale(domain=[float(miny), float(maxy)], zero=False, nice=False)
            # no ARIA label per cell: 61,000 labels doubled the SVG and its render time, and say nothing a screen
            # reader can use; the chart's description and the key table beside the map carry it (tooltips stay)
            return alt.Chart(rows).mark_rect(aria=False, **style).encode(
                x=alt.X("x:Q", scale=xs, axis=None), x2="x2:Q", y=alt.Y("y:Q", scale=ys, axis=None), y2="y2:Q")
    else:
        def mark(frame: gpd.GeoDataFrame, **style: Any) -> alt.Chart:
            return alt.Chart(_geo_values(frame)).mark_geoshape(**style).project(**projection.to_dict())
    layers = [
        mark(shown, **({} if cells else {"stroke": "#505a5f", "strokeWidth": 0.2})).encode(color=color, tooltip=tips)
    ]
    if len(hidden):
        hidden = hidden.assign(status=missing_label)
        layers.append(
            mark(hidden, **({} if cells else {"stroke": "#0b0c0c", "strokeWidth": 0.4})).encode(
                fill=alt.Fill("status:N", title=None,
                              scale=alt.Scale(domain=[missing_label], range=[NO_VALUE_FILL]),
                              legend=alt.Legend(orient="right", labelLimit=320, symbolType="square")),
                tooltip=[alt.Tooltip("name:N", title="area"), alt.Tooltip("status:N", title="value")]
                if "name" in hidden else [alt.Tooltip("status:N", title="value")],
            )
        )
    description = (f"Map: {title}. {legend_title} for {len(gdf):,} areas; {int(missing.sum()):,} with no value shown. "
                   f"{location_note}. {notice}.")
    if furnish and len(gdf) and not cells:  # furniture is drawn in projected units: areas, not grid cells
        from vrhub.report.map_furniture import furniture

        lines = None if outlines is None else _for_map(outlines, ["name"], simplify_m)
        layers += furniture((minx, miny, maxx, maxy), projection.to_dict(), outlines=lines, geo_values=_geo_values)
    height = round(width * (maxy - miny) / (maxx - minx)) if maxx > minx else width
    return alt.layer(*layers).properties(
        title={"text": title, "subtitle": [notice, location_note]}, width=width,
        height=max(120, min(int(height), 2 * width)),
        description=description,
    ).resolve_scale(color="independent", fill="independent")


def legend_key(places: pd.DataFrame, column: str, classes: dict[str, str] | None = None,
               missing_label: str = NO_VALUE) -> list[tuple[str, str]]:
    """The map's key as (label, number of areas) rows, for the plain-HTML table beside the map."""
    missing = _missing(places[column])
    rows: list[tuple[str, str]] = []
    if classes is not None:
        counts = places.loc[~missing, column].value_counts()
        rows += [(k, f"{int(counts[k]):,}") for k in classes if k in counts]
    else:
        v = pd.to_numeric(places.loc[~missing, column])
        if len(v):
            rows.append((f"shaded from {v.min():,.2f} (lightest) to {v.max():,.2f} (darkest)", f"{len(v):,}"))
    if missing.any():
        rows.append((missing_label, f"{int(missing.sum()):,}"))
    return rows


GEOMETRY_SCRIPT = "places_geometry.geojson.js"
#: the page's script: put each area's shape (from the shared geometry file) back into the spec's rows, then draw
_EMBED_WITH_GEOMETRY = """
  (function () {
    var byId = {};
    (window.VRHUB_PLACES_GEOMETRY || {features: []}).features.forEach(function (f) { byId[f.id] = f.geometry; });
    Object.values(spec.datasets || {}).forEach(function (rows) {
      rows.forEach(function (row) { if (row.geometry === undefined && byId[row.id]) { row.geometry = byId[row.id]; } });
    });
  })();
"""


class SharedGeometry:
    """The shapes of every area or cell drawn in a folder's interactive maps, written once beside them.

    Each HTML page's Vega-Lite spec carries only the values per area (id, name, class, count); the shapes are in
    one ``places_geometry.geojson.js`` (a GeoJSON ``FeatureCollection`` assigned to
    ``window.VRHUB_PLACES_GEOMETRY``), loaded by a relative ``<script src>`` — which browsers allow for pages opened
    from disk, unlike ``fetch`` of a ``.geojson``. Three maps of 61,000 grid cells then write the cells once, not
    three times. The pages need the ``.js`` file beside them: copy the folder, not a single page.
    """

    def __init__(self, folder: Path) -> None:
        self.path = folder / GEOMETRY_SCRIPT
        self.by_id: dict[str, Any] = {}

    def take(self, spec: dict[str, Any]) -> dict[str, Any]:
        """``spec`` with the geometry of every row that has an ``id`` moved here (the spec given is not changed)."""
        datasets: dict[str, list[Any]] = {}
        for name, rows in spec.get("datasets", {}).items():
            kept = []
            for row in rows:
                if isinstance(row, dict) and "geometry" in row and row.get("id") is not None:
                    key = str(row["id"])
                    known = self.by_id.setdefault(key, row["geometry"])
                    if known != row["geometry"]:
                        raise ValueError(f"two maps in {self.path.parent} draw area '{key}' with different shapes; "
                                         "write them to separate folders")
                    row = {k: v for k, v in row.items() if k != "geometry"}
                kept.append(row)
            datasets[name] = kept
        return {**spec, "datasets": datasets}

    def write(self) -> Path:
        """Write ``places_geometry.geojson.js`` (whole metres, British National Grid) and return its path."""
        features = [{"type": "Feature", "id": k, "properties": {}, "geometry": g} for k, g in self.by_id.items()]
        body = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(f"window.VRHUB_PLACES_GEOMETRY = {body};\n", encoding="utf-8")
        return self.path


def _user_cache() -> Path:
    """The user's cache folder for vrhub (``$XDG_CACHE_HOME/vrhub``, else ``~/.cache/vrhub``)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vrhub"


@functools.cache
def _vega_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script. vl-convert bundles it in 2-4 s, so it is made once per
    vl-convert and Vega-Lite version and kept in the user's cache folder (written whole, then renamed); a cache
    that cannot be read or written only costs the bundling."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    version = vl_version_for_vl_convert()
    path = _user_cache() / f"vega-embed-bundle-{vlc.__version__}-{version}.js"
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        pass
    bundle = vlc.javascript_bundle(vl_version=version)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
        tmp.write_text(bundle, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
    return bundle


def _map_page(spec: dict[str, Any], geometry: SharedGeometry, *, title: str, top: str) -> str:
    """The interactive page: Vega-Embed inlined (no network), the spec without shapes, the shapes' script beside."""
    from altair.utils.html import INLINE_HTML_TEMPLATE  # the page Altair's Chart.to_html(inline=True) writes

    page = INLINE_HTML_TEMPLATE.render(spec=json.dumps(geometry.take(spec)),  # Altair's layout: "name": value
                                       embed_options=json.dumps({"mode": "vega-lite"}), output_div="vis",
                                       vegalite_version=alt.VEGALITE_VERSION, vegaembed_script=_vega_bundle())
    call = "vegaEmbed('#vis', spec, embedOpt)"
    if page.count(call) != 1 or not page.startswith("<!DOCTYPE html>\n<html>\n<head>"):
        raise RuntimeError("Altair's inline HTML template changed: update vrhub.report.maps._map_page")
    page = page.replace(call, _EMBED_WITH_GEOMETRY.strip() + "\n  " + call, 1)
    page = page.replace("<html>", '<html lang="en">', 1)  # the template's own tags come first …
    page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    script = f'<script type="text/javascript" src="{geometry.path.name}"></script>\n'
    before, body, after = page.rpartition("<body>")  # … except <body>: the inlined Vega bundle has one in a string
    return before + body + "\n" + top + script + after


def save_map(chart: alt.TopLevelMixin, stem: Path, *, title: str, notice: str,
             key: list[tuple[str, str]] | None = None, notes: list[str] | None = None,
             location_note: str = LOCATION_NOTE, geometry: SharedGeometry | None = None) -> list[Path]:
    """Write ``stem``.svg, ``stem``.png and ``stem``.html (JavaScript inlined, no network).

    The chart's spec is built once and rendered once (:func:`vrhub.report.charts.write_svg_png`: the PNG is
    rasterised from the SVG). The HTML page carries the spec without the
    shapes, which go to ``geometry`` (:class:`SharedGeometry`, written by the caller once for all maps of a folder;
    without it, this map's own ``places_geometry.geojson.js`` is written beside the page). The HTML repeats the
    title, notice, location note and the key (a table: class, number of areas) as plain HTML, so they are read
    without JavaScript and by screen readers.
    """
    stem.parent.mkdir(parents=True, exist_ok=True)
    with alt.data_transformers.enable("default", max_rows=None):  # a 250 m grid has tens of thousands of cells
        spec = chart.to_dict()
    paths = write_svg_png(spec, stem)
    top = f"<h1>{html.escape(title)}</h1>\n<p><strong>{html.escape(notice)}</strong></p>\n" \
          f"<p>{html.escape(location_note)}: analyse by area, never as addresses.</p>\n"
    if key:
        top += '<table class="vrhub-map-key"><caption>Key</caption>\n<thead><tr><th scope="col">class</th>' \
               '<th scope="col">areas</th></tr></thead>\n<tbody>\n'
        top += "".join(f"<tr><td>{html.escape(a)}</td><td>{html.escape(b)}</td></tr>\n" for a, b in key)
        top += "</tbody></table>\n"
    for n in notes or []:
        top += f"<p>{html.escape(n)}</p>\n"
    top += "<noscript><p>The interactive map needs JavaScript; the same map is beside this file as SVG and PNG." \
           "</p></noscript>\n"
    if any("geometry" in rows[0] for rows in spec.get("datasets", {}).values() if rows and isinstance(rows[0], dict)):
        top += f"<p>The map's shapes are in {GEOMETRY_SCRIPT} beside this page: keep the two files together.</p>\n"
    own = geometry is None
    shared = SharedGeometry(stem.parent) if geometry is None else geometry
    out = stem.with_suffix(".html")
    out.write_text(_map_page(spec, shared, title=title, top=top), encoding="utf-8")
    if own:
        shared.write()
    return [*paths, out]


def _district_rate_map(places: gpd.GeoDataFrame, counts: pd.Series, population: pd.Series, districts: pd.DataFrame,
                       folder: Path, *, release: bool, rules: DisclosureRules | None, title: str, notice: str,
                       note: str, geometry: SharedGeometry | None = None) -> list[Path]:
    """LSOAs dissolved into districts, coloured by rate per 1,000 residents (released counts in a release)."""
    lookup = districts.dropna(subset=["district_code"]).set_index("lsoa_code")
    code = places["id"].astype(str).map(lookup["district_code"])
    shapes = places.assign(district=code.to_numpy())[["district", "geometry"]].dropna(subset=["district"])
    gdf = shapes.dissolve(by="district", as_index=False).rename(columns={"district": "id"})
    gdf["name"] = gdf["id"].map(lookup.drop_duplicates("district_code").set_index("district_code")["district_name"])
    by_lsoa = pd.DataFrame({"district": code.to_numpy(), "count": counts.to_numpy()})
    d_counts = by_lsoa.groupby("district")["count"].sum()
    d_pop = population.rename(index=str).groupby(population.index.astype(str).map(lookup["district_code"])).sum()
    shown = released_counts(d_counts, rules)[0] if release else d_counts.astype(float)
    gdf["count"] = gdf["id"].map(shown)
    gdf["rate_per_1000"] = rates_per_1000(shown, d_pop).reindex(gdf["id"]).to_numpy()
    chart = choropleth(gdf, "rate_per_1000", title=title, legend_title="Rate per 1,000 residents", notice=notice,
                       value_format=",.2f", tooltip=["name", "rate_per_1000", "count"], location_note=note,
                       missing_label=NO_VALUE if release else "no value (no population)")
    key = legend_key(gdf, "rate_per_1000", None, NO_VALUE if release else "no value (no population)")
    return save_map(chart, folder / "district_rate_map", title=title, notice=notice, key=key, location_note=note,
                    geometry=geometry)


def rates_per_1000(counts: pd.Series, population: pd.Series) -> pd.Series:
    """Rate per 1,000 residents from (published) counts; NaN where the count is suppressed or there is no
    population."""
    pop = population.reindex(counts.index).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = counts.astype(float) * 1000.0 / pop.where(pop > 0)
    return rate.round(2)


# --- the files of a hotspot run ------------------------------------------------------------------------------
ANALYST_MARKER = "unsuppressed — analyst use only"
#: per method: the mapped column, its classes (None: a number), the legend title and the result columns
_METHODS: dict[str, tuple[str, dict[str, str] | None, str, list[str]]] = {
    "gistar": ("classification", GI_STAR_CLASSES, "Gi* class (FDR-controlled)", ["z", "p", "q", "classification"]),
    "emerging": ("pattern", EMERGING_CLASSES, "Emerging hot spot pattern", ["pattern", "n_hot_months",
                                                                             "n_cold_months"]),
    "kde": ("density_per_km2", None, "Incidents per km² (kernel density)", ["density_per_km2", "expected_count"]),
    "dual_kde": ("rate_per_1000", None, "Incidents per 1,000 residents (dual kernel density)",
                 ["rate_per_1000", "density_per_km2", "expected_count"]),
}


@dataclass
class HotspotFiles:
    """What :func:`write_hotspots` wrote, the notice on each file, and the metadata written beside them."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    marker: str = ANALYST_MARKER
    metadata: dict[str, Any] = field(default_factory=dict)


def write_hotspots(
    run: HotspotRun,
    folder: Path,
    *,
    release: bool = False,
    rules: DisclosureRules | None = None,
    population: pd.Series | None = None,
    districts: pd.DataFrame | None = None,
    synthetic: bool = False,
) -> HotspotFiles:
    """Write a hotspot run: ``hotspots.csv`` (one row per area/cell), the map as SVG/PNG/HTML, a rate map per
    1,000 residents for LSOAs when ``population`` (by LSOA code) is given, and ``hotspots.json`` (parameters,
    data versions, notes, citation, files).

    With ``districts`` (``lsoa_code``, ``district_code``, ``district_name``, e.g. the workspace's LSOA lookup) and
    ``population``, an LSOA-level run also writes ``district_rate_map``: the rate per 1,000 residents by district
    (the LSOAs dissolved into their districts; counts summed before any suppression).

    With ``release`` the run passes the release step (:func:`vrhub.report.release.release`; ``rules``, default
    suppress 1–7 and round to 5): areas whose count is suppressed show no count, rate, class or density; z-scores,
    p-values and expected counts are left out; the totals and the counts in notes are protected.

    With ``synthetic`` (the incidents came from a dataset marked synthetic) every file's notice starts by saying so.
    """
    folder.mkdir(parents=True, exist_ok=True)
    column, classes, legend_title, _ = _METHODS[run.method]
    exact = run
    counts = pd.Series(run.places["count"].to_numpy(), index=run.places["id"].astype(str).to_numpy())
    marker = ANALYST_MARKER
    if release:
        from vrhub.report.release import release as release_step

        released = release_step(run, rules)
        run, marker = released.result, released.statement
        shown_counts = pd.Series(run.places["count"].to_numpy(float), index=counts.index)
    else:
        shown_counts = counts.astype(float)
    if synthetic:
        from vrhub.domain.labels import notice

        marker = f"{notice(synthetic=True)} | {marker}"
    places = run.places.reset_index(drop=True)
    out = HotspotFiles(folder, marker=marker)
    table = folder / "hotspots.csv"
    with open(table, "w", encoding="utf-8", newline="") as f:
        f.write(f"# {marker}\n")
        safe_frame(pd.DataFrame(places.drop(columns="geometry"))).to_csv(f, index=False)
    out.files.append(table)

    what = {"gistar": "Gi* hot and cold spots", "emerging": "Emerging hot spots", "kde": "Kernel density",
            "dual_kde": "Dual kernel density (per 1,000 residents)"}[run.method]
    where = "LSOA" if run.level == "lsoa" else f"{run.parameters.get('cell_size_m'):g} m grid cell"
    period = f"{run.incidents.start:%b %Y} to {run.incidents.end:%b %Y}"
    title = f"{what} by {where}, {run.incidents.scope}, {period}"
    note = run.incidents.location_note
    chart = choropleth(places, column, title=title, legend_title=legend_title, notice=marker, classes=classes,
                       tooltip=["name", column, "count"], location_note=note, cells=run.level == "grid")
    key = legend_key(places, column, classes)
    geometry = SharedGeometry(folder)  # every page of the folder draws its areas from one file
    out.files += save_map(chart, folder / "map", title=title, notice=marker, key=key, notes=list(run.notes),
                          location_note=note, geometry=geometry)

    if population is not None and run.level == "lsoa":
        rate = rates_per_1000(shown_counts, population.rename(index=str))
        rated = places.assign(rate_per_1000=rate.reindex(places["id"].astype(str)).to_numpy())
        rtitle = f"Rate per 1,000 residents by LSOA, {run.incidents.scope}, {period}"
        rchart = choropleth(rated, "rate_per_1000", title=rtitle, legend_title="Rate per 1,000 residents",
                            notice=marker, value_format=",.2f", tooltip=["name", "rate_per_1000"],
                            missing_label=NO_VALUE if release else "no value (no population)", location_note=note)
        rkey = legend_key(rated, "rate_per_1000", None, NO_VALUE if release else "no value (no population)")
        out.files += save_map(rchart, folder / "rate_map", title=rtitle, notice=marker, key=rkey, location_note=note,
                              geometry=geometry)
        if districts is not None:
            out.files += _district_rate_map(exact.places.reset_index(drop=True), counts, population, districts,
                                            folder, release=release,
                                            rules=rules, title=f"Rate per 1,000 residents by district, "
                                            f"{run.incidents.scope}, {period}", notice=marker, note=note,
                                            geometry=geometry)
    out.files.append(geometry.write())

    meta = {**run.metadata(), "notice": marker, "location_note": note,
            "files": [str(p) for p in out.files] + [str(folder / "hotspots.json")]}
    if release:
        meta["released"] = {"suppressed_areas": int(shown_counts.isna().sum()),
                            "withheld_columns": [c for c in ANALYST_ONLY if c in exact.places],
                            "total_published": run.parameters.get("n_incidents_counted")}
    summary = {"n_places": len(places)}
    if classes is not None:
        summary["classes"] = {k: int(v) for k, v in places[column].value_counts().items()}
    meta["summary"] = summary
    (folder / "hotspots.json").write_text(json.dumps(meta, indent=2, default=str), encoding="utf-8")
    out.files.append(folder / "hotspots.json")
    out.metadata = meta
    return out
