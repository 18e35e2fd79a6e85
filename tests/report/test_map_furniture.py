"""Map furniture on SNA maps: district outlines, town labels, a scale bar and a north arrow, read from the Vega-Lite
spec; and the rate map the SNA shows when no hot spot reaches significance."""

from __future__ import annotations

import re

import geopandas as gpd
import pandas as pd
import pytest
from pyproj import Transformer
from vrhub_testkit import KENT

from vrhub.report.map_furniture import district_outlines, scale_km, shipped_towns
from vrhub.report.maps import GI_STAR_CLASSES, choropleth

FURNITURE = {"district_outlines", "town_points", "town_labels", "scale_bar", "scale_label", "north_arrow",
             "north_label"}


@pytest.fixture(scope="module")
def lsoas() -> gpd.GeoDataFrame:
    frames = []
    for f in sorted((KENT / "boundaries" / "lsoa2011").glob("*.json")):
        g = gpd.read_file(f)
        g["district"] = f.stem
        frames.append(g)
    g = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=4326)
    g = g.rename(columns={"LSOA11CD": "id", "LSOA11NM": "name"})
    g["classification"] = "not significant"
    return g


@pytest.fixture(scope="module")
def spec(lsoas: gpd.GeoDataFrame) -> dict:
    outlines = district_outlines(lsoas, lsoas.set_index("id")["district"])
    chart = choropleth(lsoas, "classification", title="t", legend_title="Gi* class", notice="n",
                       classes=GI_STAR_CLASSES, width=520, furnish=True, outlines=outlines)
    return chart.to_dict()


def _layer(spec: dict, name: str) -> dict:
    return next(layer for layer in spec["layer"] if layer.get("name") == name)


def _rows(spec: dict, layer: dict) -> list[dict]:
    return spec["datasets"][layer["data"]["name"]]


def test_every_furniture_layer_is_in_the_spec(spec: dict) -> None:
    assert {layer.get("name") for layer in spec["layer"]} >= FURNITURE


def test_district_outlines_are_the_13_districts(spec: dict) -> None:
    rows = _rows(spec, _layer(spec, "district_outlines"))
    assert len(rows) == 13
    assert all(r["geometry"]["type"] in ("LineString", "MultiLineString") for r in rows)  # outlines, not fills


def test_town_labels_sit_at_their_grid_references(spec: dict) -> None:
    layer = _layer(spec, "town_labels")
    assert layer["encoding"]["text"]["field"] == "town"
    towns = {r["town"]: r for r in _rows(spec, layer)}
    assert {"Margate", "Maidstone", "Canterbury", "Dover", "Chatham"} <= set(towns)
    # Margate's centre is near OS grid reference TR 35 70 (E 635,000–636,000, N 170,000–171,000)
    assert 634_500 <= towns["Margate"]["x"] <= 636_500 and 170_000 <= towns["Margate"]["y"] <= 171_500
    # and every label is where an independent transform (pyproj, WGS84 → British National Grid) puts the town
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    for t in shipped_towns().itertuples():
        x, y = to_bng.transform(t.lon, t.lat)
        assert towns[t.town]["x"] == pytest.approx(x, abs=1) and towns[t.town]["y"] == pytest.approx(y, abs=1)


def test_scale_bar_is_a_round_number_of_kilometres(spec: dict, lsoas: gpd.GeoDataFrame) -> None:
    bar = _rows(spec, _layer(spec, "scale_bar"))[0]
    label = _rows(spec, _layer(spec, "scale_label"))[0]["label"]
    km = int(re.fullmatch(r"(\d+) km", label).group(1))  # type: ignore[union-attr]
    assert bar["x2"] - bar["x"] == km * 1000 and bar["y2"] == bar["y"]  # map units are metres on the grid
    minx, _, maxx, _ = lsoas.to_crs(27700).total_bounds
    assert km == scale_km(maxx - minx) and km * 1000 <= (maxx - minx) / 5
    assert (scale_km(4_000), scale_km(60_000), scale_km(130_000)) == (1, 10, 25)


def test_north_arrow_points_up(spec: dict) -> None:
    arrow = _rows(spec, _layer(spec, "north_arrow"))[0]
    assert arrow["x2"] == arrow["x"] and arrow["y2"] > arrow["y"]  # grid north is up on an identity projection
    assert _layer(spec, "north_label")["mark"]["text"] == "▲ N"


def test_sna_maps_carry_the_furniture_and_a_rate_map_when_nothing_is_significant(sna_draft) -> None:  # type: ignore[no-untyped-def]
    html = sna_draft.html.read_text(encoding="utf-8")
    assert "Where: hot spots" in html
    assert "▲ N" in html and re.search(r">\d+ km<", html) and ">Margate<" in html
    if "finds no LSOA hot or cold spots" in html:  # five months: nothing reaches significance
        assert "Where: rates by LSOA" in html and "reaches significance, so the next map shows the rate" in html
