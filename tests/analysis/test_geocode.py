"""Geocoding free-text locations: each rule with its confidence, ambiguity and the threshold never guessed through,
unmatched texts kept and counted; ED rows through the engine seam against the shipped Kent gazetteer."""

from __future__ import annotations

import glob
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from vrhub.analysis.geocode import GeocodeRules, geocode, geocode_ed, normalise_place
from vrhub.data import kent
from vrhub.ingest.gazetteer import SOURCES as GAZETTEER
from vrhub.ingest.istv import SOURCES as ISTV
from vrhub.ingest.loader import ingest
from vrhub.store.workspace import Workspace

DEMO = kent() / "gazetteer" / "kent-places.csv"

PLACES = pd.DataFrame({
    "name": ["High Street, Chatham", "High Street, Margate", "Chatham railway station", "Dreamland Margate"],
    "aliases": ["Chatham High Street|High Street", "High Street", "Chatham station|station", "Dreamland"],
    "place_type": ["street", "street", "station", "venue"],
    "lsoa_code": ["E01016110", "E01024678", "E01016017", "E01024676"],
    "longitude": [0.5262, 1.383, 0.5213, 1.376], "latitude": [51.3832, 51.3888, 51.3803, 51.3862],
})
DISTRICTS = ["Medway", "Thanet", "Medway", "Thanet"]


def one(text: str, district: str | None = None, **kw: float) -> dict:
    out = geocode([text], PLACES, context_districts=[district], place_districts=DISTRICTS, rules=GeocodeRules(**kw))
    return out.iloc[0].to_dict()


def test_normalisation_drops_position_words_and_expands_abbreviations() -> None:
    assert normalise_place("O/S Chatham Stn.") == "chatham station"
    assert normalise_place("Near the High St, Margate") == "high street margate"
    assert normalise_place("St Peter's St") == "saint peters street"
    assert normalise_place(None) == "" and normalise_place(float("nan")) == ""


def test_each_rule_records_its_confidence_and_place() -> None:
    r = one("outside Dreamland")
    assert (r["geocode_status"], r["geocode_rule"], r["geocode_confidence"], r["incident_lsoa"]) == \
        ("matched", "exact", 1.0, "E01024676")
    r = one("taxi rank by Chatham station")  # the two words of an alias are in the text
    assert (r["geocode_rule"], r["geocode_confidence"], r["place_name"]) == ("token", 0.9, "Chatham railway station")
    r = one("Dreamlnd Margat")  # typos: rapidfuzz token_sort_ratio
    assert r["geocode_status"] == "matched" and r["geocode_rule"] == "fuzzy" and r["place_name"] == "Dreamland Margate"
    from rapidfuzz import fuzz
    assert r["geocode_confidence"] == pytest.approx(0.95 * fuzz.token_sort_ratio("dreamlnd margat",
                                                                                 "dreamland margate") / 100, abs=1e-4)


def test_an_ambiguous_name_is_never_guessed_without_context_and_narrowed_by_home_district() -> None:
    r = one("High Street")
    assert r["geocode_status"] == "unmatched" and r["incident_lsoa"] is None and r["candidates"] == 2
    assert r["geocode_note"].startswith("ambiguous: exact match to 2 places")
    assert "no home district" in r["geocode_note"]
    r = one("High Street", "Thanet")
    assert (r["geocode_status"], r["geocode_rule"], r["place_name"]) == ("matched", "exact+home_district",
                                                                         "High Street, Margate")
    assert r["geocode_confidence"] == pytest.approx(0.85)
    r = one("High Street", "Dover")
    assert r["geocode_status"] == "unmatched" and "0 of them in the home district" in r["geocode_note"]


def test_below_the_threshold_nothing_is_assigned_but_the_best_candidate_is_reported() -> None:
    r = one("High Street", "Thanet", threshold=0.9)
    assert r["geocode_status"] == "unmatched" and r["incident_lsoa"] is None and r["place_name"] is None
    assert r["best_place"] == "High Street, Margate" and r["best_confidence"] == pytest.approx(0.85)
    assert "below the threshold 0.90" in r["geocode_note"]
    r = one("in pub")
    assert (r["geocode_status"], r["candidates"], r["geocode_note"]) == ("unmatched", 0,
                                                                          "no place of the gazetteer matches")
    assert one("outside")["geocode_status"] == "no_text"


def test_the_demo_gazetteer_lsoas_contain_their_points_and_are_real_kent_lsoas() -> None:
    places = pd.read_csv(DEMO)
    lsoa = pd.concat([gpd.read_file(p) for p in sorted(glob.glob(str(kent() / "boundaries/lsoa2011/*.json")))])
    pts = gpd.GeoDataFrame(places, geometry=gpd.points_from_xy(places["Longitude"], places["Latitude"]), crs=4326)
    joined = gpd.sjoin(pts, lsoa[["LSOA11CD", "geometry"]].to_crs(4326), how="left", predicate="within")
    assert (joined["LSOA11CD"] == joined["LSOA code"]).all()
    imd = pd.read_csv(next((kent() / "imd2019").glob("File_2_*.csv")), encoding="utf-8-sig")
    district = imd.set_index("LSOA code (2011)")["Local Authority District name (2019)"]
    assert places["LSOA code"].isin(district.index).all()
    assert (places["LSOA code"].map(district) == places["District"]).all()
    assert places["District"].nunique() == 13  # every Kent and Medway district has places


def test_gazetteer_rows_are_checked_and_bad_ones_quarantined(ws: Workspace, tmp_path: Path) -> None:
    p = tmp_path / "places.csv"
    p.write_text("Name,Aliases,Type,LSOA code,Longitude,Latitude,District\n"
                 "Chatham station,Chatham stn; station,station,E01016017,0.5213,51.3803,Medway\n"
                 "Nowhere,,castle,E0101,51.38,0.52,\n"
                 ",,street,E01016017,0.5,,\n", encoding="utf-8")
    [r] = ingest(ws, [p], GAZETTEER, kind="gazetteer").results
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (3, 1, 2)
    q = {x["_source_row"]: x["_problems"] for x in ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()}
    assert "Type: 'castle' is not a place type" in q[3] and "LSOA code: 'E0101' is not an LSOA code" in q[3]
    assert "Longitude: '51.38' is outside Great Britain" in q[3] and "Latitude: '0.52' is outside" in q[3]
    assert q[4].startswith("Name: is missing") and "Longitude/Latitude: give both or neither" in q[4]
    [got] = ws.engine().table("gazetteer").to_pyarrow().to_pylist()
    assert got["aliases"] == "Chatham stn|station" and got["place_type"] == "station"


def test_ed_rows_geocoded_through_the_engine_nothing_lost_and_unmatched_counted(ws: Workspace,
                                                                                tmp_path: Path) -> None:
    from vrhub.ingest.geography import load_geography

    load_geography(ws, [kent() / "imd2019"])
    [g] = ingest(ws, [DEMO], GAZETTEER, kind="gazetteer").results
    assert g.rows_accepted == len(pd.read_csv(DEMO))
    texts = ["outside Chatham station", "High Street", "High Street", "park", "", "Dreamland", "hight street margate"]
    homes = ["E01016016", "E01024182", "E01016016", "E01016016", "E01016016", "", "E01024678"]  # Medway / Thanet
    rows = "".join(f"01/01/2023,31/01/2023,SYN-T,0{i + 1}/01/2023 23:40,,Knife,,Street,{t},,,{h}\n"
                   for i, (t, h) in enumerate(zip(texts, homes, strict=True)))
    p = tmp_path / "istv.csv"
    p.write_text("Reporting period start,Reporting period end,ED site code,Arrival date time,Assault date time,"
                 "Assault method,Assault method other,Assault location type,Assault location description,Age band,"
                 "Sex,Home LSOA\n" + rows, encoding="utf-8")
    ingest(ws, [p], ISTV, kind="ed_istv")
    coded = geocode_ed(ws.engine())
    assert coded.gazetteer_dataset == g.dataset_id and len(coded.rows) == len(texts)
    got = coded.rows.sort_values("source_row")
    assert got["geocode_status"].tolist() == ["matched", "matched", "unmatched", "unmatched", "no_text", "matched",
                                              "matched"]
    assert got["geocode_rule"].tolist()[:2] == ["exact", "exact+home_district"]
    assert got["place_name"].tolist()[1] == "High Street, Dartford"  # home LSOA E01024182 is in Dartford
    assert "ambiguous" in got["geocode_note"].tolist()[2]  # Medway has three High Streets in the gazetteer
    c = coded.counts
    assert c["matched"] + c["unmatched"] + c["no_text"] == c["attendances"] == len(texts)
    assert c["unmatched_texts"] == {"high street": 1, "park": 1}
    assert coded.table().count().to_pyarrow().as_py() == len(texts)
