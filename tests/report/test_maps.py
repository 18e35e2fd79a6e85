"""Offline maps: SVG/PNG/HTML written, no network references, and released maps hide suppressed areas.

A small synthetic case: 12 square areas (British National Grid), one of which has a count of 3 (suppressed
under the default rules, 1–7).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from vrhub.analysis.hotspots import contiguity_weights, gi_star
from vrhub.analysis.hotspots.run import HotspotRun, Incidents
from vrhub.report import maps

SMALL = "a03"  # count 3: suppressed when released
COUNTS = [40, 35, 30, 3, 25, 22, 20, 18, 15, 60, 55, 12]


def synthetic_run() -> HotspotRun:
    ids = [f"a{k:02d}" for k in range(12)]
    geoms = [shapely.box(500_000 + (k % 4) * 1000, 150_000 + (k // 4) * 1000,
                         501_000 + (k % 4) * 1000, 151_000 + (k // 4) * 1000) for k in range(12)]
    places = gpd.GeoDataFrame({"id": ids, "name": [f"Area {i}" for i in ids], "count": COUNTS},
                              geometry=geoms, crs="EPSG:27700")
    result = gi_star(np.array(COUNTS, float), contiguity_weights(places, ids=ids), permutations=99, seed=1)
    places = places.assign(z=result.z, p=result.p_perm, q=result.q, classification=result.classification)
    incidents = Incidents(pd.DataFrame(), dt.date(2019, 1, 1), dt.date(2019, 2, 1), "serious violence (synthetic)",
                          {"definition_name": "synthetic"}, ("street-synthetic",))
    return HotspotRun("gistar", "lsoa", places, result, incidents, {"permutations": 99, "seed": 1},
                      {"police_uk_street": ["street-synthetic"]})


NETWORK = re.compile(
    r"""<script[^>]+src\s*=\s*["']?(https?:)?//|<link[^>]+href\s*=\s*["']?(https?:)?//|@import\s+(url\()?["']?https?:"""
    r"""|\{z\}/\{x\}/\{y\}|tile\.openstreetmap|api\.mapbox|cdn\.jsdelivr""",
    re.IGNORECASE,
)


def test_maps_are_written_as_svg_png_and_self_contained_html(tmp_path: Path):
    files = maps.write_hotspots(synthetic_run(), tmp_path / "out", population=pd.Series(
        [1500.0] * 12, index=[f"a{k:02d}" for k in range(12)]))
    names = {f.name for f in files.files}
    assert {"map.svg", "map.png", "map.html", "rate_map.svg", "rate_map.png", "rate_map.html", "hotspots.csv",
            "hotspots.json"} <= names
    assert (tmp_path / "out" / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (tmp_path / "out" / "map.svg").read_text(encoding="utf-8")
    assert "<svg" in svg and maps.LOCATION_NOTE in svg and maps.ANALYST_MARKER in svg
    for page in ("map.html", "rate_map.html"):
        text = (tmp_path / "out" / page).read_text(encoding="utf-8")
        assert NETWORK.search(text) is None, NETWORK.search(text)
        assert "vegaEmbed" in text and '<html lang="en">' in text
        assert maps.LOCATION_NOTE in text and "<caption>Key</caption>" in text
    meta = json.loads((tmp_path / "out" / "hotspots.json").read_text(encoding="utf-8"))
    assert meta["parameters"] == {"permutations": 99, "seed": 1} and meta["notice"] == maps.ANALYST_MARKER
    assert meta["data_versions"] == {"police_uk_street": ["street-synthetic"]}
    assert str(tmp_path / "out" / maps.GEOMETRY_SCRIPT) in meta["files"]


def _geometry_script(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    prefix = "window.VRHUB_PLACES_GEOMETRY = "
    assert text.startswith(prefix) and text.rstrip().endswith(";")
    return json.loads(text[len(prefix):].rstrip().rstrip(";"))


def test_the_pages_share_one_geometry_file_and_carry_no_shapes_themselves(tmp_path: Path):
    run = synthetic_run()
    maps.write_hotspots(run, tmp_path / "out", population=pd.Series([1500.0] * 12, index=list(run.places["id"])))
    shapes = _geometry_script(tmp_path / "out" / maps.GEOMETRY_SCRIPT)
    assert shapes["type"] == "FeatureCollection"
    by_id = {f["id"]: f["geometry"] for f in shapes["features"]}
    assert sorted(by_id) == sorted(run.places["id"])  # each area once, though two pages draw it
    # the shapes are the areas': a03's square, whole metres on British National Grid
    ring = np.array(by_id[SMALL]["coordinates"][0])
    assert (ring.min(axis=0).tolist(), ring.max(axis=0).tolist()) == ([503_000, 150_000], [504_000, 151_000])
    for page in ("map.html", "rate_map.html"):
        text = (tmp_path / "out" / page).read_text(encoding="utf-8")
        assert f'<script type="text/javascript" src="{maps.GEOMETRY_SCRIPT}"></script>' in text
        assert '"coordinates"' not in text  # no shape inline: the page is small whatever the number of cells
        assert text.index(maps.GEOMETRY_SCRIPT) < text.index("vegaEmbed('#vis'")
        assert "row.geometry = byId[row.id]" in text


def test_the_png_is_the_svg_rasterised_pixel_for_pixel(tmp_path: Path):
    """The PNG comes from the SVG (one render); it must equal vl-convert's own PNG render of the same spec."""
    import io

    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert
    from PIL import Image

    run = synthetic_run()
    chart = maps.choropleth(run.places, "classification", title="t", legend_title="class",
                            notice=maps.ANALYST_MARKER, classes=maps.GI_STAR_CLASSES)
    maps.save_map(chart, tmp_path / "m", title="t", notice=maps.ANALYST_MARKER)
    ours = np.asarray(Image.open(tmp_path / "m.png").convert("RGBA"))
    png = vlc.vegalite_to_png(chart.to_dict(), vl_version=vl_version_for_vl_convert(), scale=1, ppi=72)
    theirs = np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))
    assert ours.shape == theirs.shape and ours.shape[0] > 100
    assert np.array_equal(ours, theirs)
    for label in set(run.places["classification"]):  # every class present is drawn in its colour
        colour = tuple(int(maps.GI_STAR_CLASSES[label][i:i + 2], 16) for i in (1, 3, 5))
        assert (ours[..., :3] == colour).all(axis=-1).sum() > 1000, label
    assert (tmp_path / maps.GEOMETRY_SCRIPT).exists()  # a map saved alone writes its own shapes beside it



def test_the_network_pattern_would_catch_a_cdn_script():
    assert NETWORK.search('<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>')
    assert NETWORK.search('<link rel="stylesheet" href="//example.org/a.css">')


def _values_by_id(chart) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    """Every data row of a chart's specification, per area id."""
    out: dict[str, list[dict]] = {}
    for rows in chart.to_dict()["datasets"].values():
        for row in rows:
            out.setdefault(row.get("id"), []).append(row)
    return out


def test_a_released_map_shows_no_value_for_an_area_whose_count_is_suppressed(tmp_path: Path):
    run = synthetic_run()
    published, statement = maps.released_counts(run.places.set_index("id")["count"])
    assert np.isnan(published[SMALL]) and statement.startswith("released")
    files = maps.write_hotspots(run, tmp_path / "rel", release=True,
                                population=pd.Series([1500.0] * 12, index=list(run.places["id"])))
    assert files.marker.startswith("released")
    table = pd.read_csv(tmp_path / "rel" / "hotspots.csv", skiprows=1).set_index("id")
    assert pd.isna(table.loc[SMALL, "count"]) and pd.isna(table.loc[SMALL, "classification"])
    assert "z" not in table.columns and "p" not in table.columns  # functions of exact small counts
    shown = table["count"].dropna()
    assert (shown % 5 == 0).all() and (shown > 7).all()

    # the map itself: the suppressed area is drawn only as "no value shown", with no count or class
    from vrhub.report.release import release  # the one release step (issue 11) masks classes of suppressed areas

    released = release(run).result.places
    chart = maps.choropleth(released, "classification", title="t", legend_title="class", notice=statement,
                            classes=maps.GI_STAR_CLASSES, tooltip=["name", "classification", "count"])
    rows = _values_by_id(chart)[SMALL]
    assert rows and all(r.get("status") == maps.NO_VALUE for r in rows)
    assert all("count" not in r and "classification" not in r for r in rows)
    html = (tmp_path / "rel" / "map.html").read_text(encoding="utf-8")
    assert maps.NO_VALUE in html
    rates = maps.rates_per_1000(published, pd.Series(1500.0, index=published.index))
    rated = released.assign(rate_per_1000=rates.reindex(released["id"]).to_numpy())
    rate_chart = maps.choropleth(rated, "rate_per_1000", title="r", legend_title="rate", notice=statement)
    rate_rows = _values_by_id(rate_chart)[SMALL]
    assert all("rate_per_1000" not in r for r in rate_rows)


def test_an_analyst_map_shows_the_small_count(tmp_path: Path):
    run = synthetic_run()
    chart = maps.choropleth(run.places, "count", title="t", legend_title="records", notice=maps.ANALYST_MARKER)
    rows = _values_by_id(chart)[SMALL]
    assert [r["count"] for r in rows] == [3]


@pytest.mark.parametrize("column,classes", [("classification", maps.GI_STAR_CLASSES), ("count", None)])
def test_the_key_names_every_class_in_words(column, classes):
    run = synthetic_run()
    key = maps.legend_key(run.places, column, classes)
    assert sum(int(n.replace(",", "")) for _, n in key) == len(run.places)
