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

import html
import json
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


def _for_map(places: gpd.GeoDataFrame, columns: list[str], simplify_m: float) -> gpd.GeoDataFrame:
    gdf = places.to_crs(BRITISH_NATIONAL_GRID) if places.crs is not None else places.set_crs(BRITISH_NATIONAL_GRID)
    geoms = gdf.geometry.to_numpy()
    if simplify_m > 0:
        geoms = shapely.simplify(geoms, simplify_m, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 1.0)  # whole metres: smaller files, nothing lost at map scale
    keep = [c for c in dict.fromkeys(["id", "name", *columns]) if c in gdf.columns]
    out = gpd.GeoDataFrame(gdf[keep].copy(), geometry=geoms, crs=BRITISH_NATIONAL_GRID)
    out = out[~out.geometry.is_empty]
    for c in out.columns:
        if c != "geometry" and out[c].dtype == object:
            out[c] = out[c].where(out[c].notna(), None)
    out["id"] = out["id"].astype(str)
    return out


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
) -> alt.Chart:
    """A choropleth of ``column`` over the areas or cells of ``places`` (any CRS, drawn on British National Grid).

    ``classes`` maps class labels to colours for a categorical map (Gi* classes, emerging patterns); without it
    the column is a number on a sequential ``scheme``. Areas whose value is missing (NaN/None: suppressed) are
    drawn grey and listed in the legend as ``missing_label``; they show no value, not even in the tooltip.
    """
    tooltip = [c for c in (tooltip or ["name", column]) if c in places.columns]
    gdf = _for_map(places, [column, *tooltip], simplify_m)
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
            tips.append(alt.Tooltip(f"{extra}", title=extra.replace("_", " ")))
    layers = [
        alt.Chart(shown).mark_geoshape(stroke="#505a5f", strokeWidth=0.2).encode(color=color, tooltip=tips)
        .project(**projection.to_dict())
    ]
    if len(hidden):
        hidden = hidden.assign(status=missing_label)
        layers.append(
            alt.Chart(hidden).mark_geoshape(stroke="#0b0c0c", strokeWidth=0.4).encode(
                fill=alt.Fill("status:N", title=None,
                              scale=alt.Scale(domain=[missing_label], range=[NO_VALUE_FILL]),
                              legend=alt.Legend(orient="right", labelLimit=320, symbolType="square")),
                tooltip=[alt.Tooltip("name:N", title="area"), alt.Tooltip("status:N", title="value")]
                if "name" in hidden else [alt.Tooltip("status:N", title="value")],
            ).project(**projection.to_dict())
        )
    description = (f"Map: {title}. {legend_title} for {len(gdf):,} areas; {int(missing.sum()):,} with no value shown. "
                   f"{location_note}. {notice}.")
    minx, miny, maxx, maxy = gdf.total_bounds if len(gdf) else (0.0, 0.0, 1.0, 1.0)
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


def save_map(chart: alt.Chart, stem: Path, *, title: str, notice: str,
             key: list[tuple[str, str]] | None = None, notes: list[str] | None = None,
             location_note: str = LOCATION_NOTE) -> list[Path]:
    """Write ``stem``.svg, ``stem``.png and ``stem``.html (self-contained: JavaScript inlined, no network).

    The HTML repeats the title, notice, location note and the key (a table: class, number of areas) as plain
    HTML, so they are read without JavaScript and by screen readers.
    """
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = [stem.with_suffix(".svg"), stem.with_suffix(".png")]
    with alt.data_transformers.enable("default", max_rows=None):  # a 250 m grid has tens of thousands of cells
        for p in paths:
            chart.save(str(p))
        page = chart.to_html(inline=True)
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
    page = page.replace("<html>", '<html lang="en">', 1)
    page = page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)
    page = page.replace("<body>", "<body>\n" + top, 1)
    out = stem.with_suffix(".html")
    out.write_text(page, encoding="utf-8")
    return [*paths, out]


def _district_rate_map(places: gpd.GeoDataFrame, counts: pd.Series, population: pd.Series, districts: pd.DataFrame,
                       folder: Path, *, release: bool, rules: DisclosureRules | None, title: str, notice: str,
                       note: str) -> list[Path]:
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
    return save_map(chart, folder / "district_rate_map", title=title, notice=notice, key=key, location_note=note)


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
                       tooltip=["name", column, "count"], location_note=note)
    key = legend_key(places, column, classes)
    out.files += save_map(chart, folder / "map", title=title, notice=marker, key=key, notes=list(run.notes),
                          location_note=note)

    if population is not None and run.level == "lsoa":
        rate = rates_per_1000(shown_counts, population.rename(index=str))
        rated = places.assign(rate_per_1000=rate.reindex(places["id"].astype(str)).to_numpy())
        rtitle = f"Rate per 1,000 residents by LSOA, {run.incidents.scope}, {period}"
        rchart = choropleth(rated, "rate_per_1000", title=rtitle, legend_title="Rate per 1,000 residents",
                            notice=marker, value_format=",.2f", tooltip=["name", "rate_per_1000"],
                            missing_label=NO_VALUE if release else "no value (no population)", location_note=note)
        rkey = legend_key(rated, "rate_per_1000", None, NO_VALUE if release else "no value (no population)")
        out.files += save_map(rchart, folder / "rate_map", title=rtitle, notice=marker, key=rkey, location_note=note)
        if districts is not None:
            out.files += _district_rate_map(exact.places.reset_index(drop=True), counts, population, districts,
                                            folder, release=release,
                                            rules=rules, title=f"Rate per 1,000 residents by district, "
                                            f"{run.incidents.scope}, {period}", notice=marker, note=note)

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
