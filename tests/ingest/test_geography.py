"""Geography: the shipped Kent boundaries, TopoJSON, a Shapefile in British National Grid, the IMD 2019 files,
the LSOA lookup built from the data, and crime by district checked against DuckDB SQL over the raw files."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import duckdb
import geopandas as gpd
import pyarrow.parquet as pq
import pytest
import shapely
from vrhub_testkit import FIXTURES, KENT, KENT_ZIP, open_workspace

from vrhub.analysis.crime_by_area import NO_LOCATION, OUTSIDE, crime_by_area
from vrhub.ingest.geography import load_geography
from vrhub.store.geography import Geography

KENT_DISTRICTS = {  # code → LSOAs (2011): the features of each shipped per-district LSOA file (checked below)
    "E06000035": 163, "E07000105": 78, "E07000106": 90, "E07000107": 58, "E07000108": 67, "E07000109": 64,
    "E07000110": 95, "E07000111": 74, "E07000112": 67, "E07000113": 85, "E07000114": 84, "E07000115": 72,
    "E07000116": 68,
}
IMD = FIXTURES / "imd2019"
FILE_1 = IMD / "File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx"
FILE_2 = IMD / "File_2_-_IoD2019_Domains_of_Deprivation.csv"
FILE_6 = IMD / "File_6_-_IoD2019_Population_Denominators.csv"
KENT_FILE_2 = KENT / "imd2019" / FILE_2.name
KENT_FILE_6 = KENT / "imd2019" / FILE_6.name


def features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def csv_rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def test_the_shipped_kent_boundaries(kent_ws) -> None:  # type: ignore[no-untyped-def]
    layers = {(e["level"], e["vintage"]): e["areas"] for e in Geography(kent_ws.ws.engine()).layers()}
    assert layers == {("lsoa", 2011): 1_065, ("msoa", 2011): 220, ("ward", 2013): 305, ("district", 2013): 13}
    # independent: the features in the files
    b = KENT / "boundaries"
    assert sum(len(features(f)) for f in (b / "lsoa2011").glob("*.json")) == 1_065
    assert sum(len(features(f)) for f in (b / "msoa2011").glob("*.json")) == 220
    assert sum(len(features(f)) for f in (b / "wards2013").glob("*.json")) == 305
    assert {f.stem: len(features(f)) for f in (b / "lsoa2011").glob("*.json")} == KENT_DISTRICTS
    assert all(r.rows_quarantined == 0 for r in kent_ws.geography)


def test_kent_and_medway_population(kent_ws) -> None:  # type: ignore[no-untyped-def]
    pop = Geography(kent_ws.ws.engine()).attributes("population").to_pyarrow()
    assert pop.num_rows == 1_065
    assert sum(pop.column("population_total").to_pylist()) == 1_795_251  # src/vrhub/data/kent/README.md
    independent = sum(int(r["Total population: mid 2015 (excluding prisoners)"].replace(",", ""))
                      for r in csv_rows(KENT_FILE_6))
    assert independent == 1_795_251


def test_the_lsoa_lookup_comes_from_the_data(kent_ws) -> None:  # type: ignore[no-untyped-def]
    lookup = Geography(kent_ws.ws.engine()).lsoa_lookup().to_pyarrow().to_pylist()
    assert len(lookup) == 1_065 and all(r["district_code"] for r in lookup)
    assert Counter(r["district_code"] for r in lookup) == KENT_DISTRICTS
    assert {r["district_source"] for r in lookup} == {"deprivation file"}
    # each LSOA's district is the one its own boundary file is named after
    in_file = {feat["properties"]["LSOA11CD"]: f.stem
               for f in (KENT / "boundaries" / "lsoa2011").glob("*.json") for feat in features(f)}
    assert {r["lsoa_code"]: r["district_code"] for r in lookup} == in_file
    # MSOAs by point in polygon: an LSOA named "Medway 015A" lies in MSOA "Medway 015"
    assert all(r["msoa_name"] == r["lsoa_name"][:-1] for r in lookup)
    assert all(r["ward_code"] and r["ward_code"].startswith("E05") for r in lookup)


def test_without_area_files_the_district_comes_from_the_boundaries(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "home")
    b = KENT / "boundaries"
    results = load_geography(ws, [b / "lsoa2011", b / "districts"])
    assert all(r.ok for r in results)
    lookup = Geography(ws.engine()).lsoa_lookup().to_pyarrow().to_pylist()
    assert {r["district_source"] for r in lookup} == {"boundaries"}
    expected = {r["LSOA code (2011)"]: r["Local Authority District code (2019)"] for r in csv_rows(KENT_FILE_2)}
    assert {r["lsoa_code"]: r["district_code"] for r in lookup} == expected


def test_crime_by_district_matches_duckdb_over_the_raw_files(kent_ws, kent_csv_dir) -> None:  # type: ignore[no-untyped-def]
    """Violence and sexual offences per district: vrhub vs SQL straight over the five police.uk CSVs joined to
    the IMD file's LSOA → district column (rows with no LSOA, and LSOAs not in the file, kept apart)."""
    csvs = [str(p) for p in sorted(kent_csv_dir.rglob("*.csv"))]
    sql = """
        with crimes as (
            select "LSOA code" as lsoa from read_csv($csvs, header=true, all_varchar=true)
            where "Crime type" = 'Violence and sexual offences'),
        lookup as (select column00 as lsoa, column02 as district
                   from read_csv($imd, header=false, skip=1, all_varchar=true))
        select case when c.lsoa is null then 'no location' when l.district is null then 'outside'
                    else l.district end as area, count(*)
        from crimes c left join lookup l on c.lsoa = l.lsoa group by area
    """
    expected = dict(duckdb.connect().execute(sql, {"csvs": csvs, "imd": str(KENT_FILE_2)}).fetchall())
    got = crime_by_area(kent_ws.ws.engine(), crime_types=["Violence and sexual offences"])
    rows = {r["area_code"]: r["crimes"] for r in got.table.to_pylist()}
    assert rows == {("no location" if k == "no location" else OUTSIDE if k == "outside" else k): v
                    for k, v in expected.items()}
    assert set(rows) == set(KENT_DISTRICTS) | {OUTSIDE, NO_LOCATION}
    assert got.total == sum(expected.values()) == 28_258
    medway = next(r for r in got.table.to_pylist() if r["area_code"] == "E06000035")
    assert medway["population"] == 274_391
    assert medway["rate_per_1000"] == pytest.approx(medway["crimes"] * 1000 / 274_391, abs=0.005)


def test_all_crime_by_district_adds_up_to_every_row(kent_ws) -> None:  # type: ignore[no-untyped-def]
    got = crime_by_area(kent_ws.ws.engine())
    with zipfile.ZipFile(KENT_ZIP) as zf:
        total = sum(len(zf.read(n).splitlines()) - 1 for n in zf.namelist())
    assert got.total == total == 75_735


def test_topojson_districts(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "home")
    path = FIXTURES / "boundaries" / "eng_topo_lad.json"
    [r] = load_geography(ws, [path])
    topo = json.loads(path.read_text(encoding="utf-8"))
    codes = {g["properties"]["LAD13CD"] for g in topo["objects"]["lad"]["geometries"]}
    assert len(codes) == 326
    assert (r.error, r.rows_read, r.rows_accepted) == (None, 326, 326)
    d = ws.catalogue.get(r.dataset_id)
    assert (d.attributes["level"], d.attributes["vintage"], d.attributes["code_field"]) == ("district", 2013, "LAD13CD")
    gdf = Geography(ws.engine()).geodataframe("district")
    assert set(gdf["code"]) == codes
    assert gdf.loc[gdf["code"] == "E06000035", "name"].item() == "Medway"
    assert gdf.geometry.is_valid.all()


def test_a_shapefile_in_british_national_grid_is_stored_in_wgs84(tmp_path: Path) -> None:
    src = gpd.read_file(KENT / "boundaries" / "lsoa2011" / "E07000110.json").iloc[:5]
    shp = tmp_path / "maidstone_lsoa.shp"
    src.to_crs(27700).to_file(shp)
    ws = open_workspace(tmp_path / "home")
    [r] = load_geography(ws, [shp])
    assert r.error is None and r.rows_accepted == 5
    assert ws.catalogue.get(r.dataset_id).attributes["source_crs"] == "EPSG:27700"
    gdf = Geography(ws.engine()).geodataframe("lsoa")
    assert gdf.crs.to_epsg() == 4326
    by_code = gdf.set_index("code")
    for _, row in src.iterrows():
        stored = by_code.loc[row["LSOA11CD"], "geometry"]
        # back in longitude/latitude to within 1e-6 degrees (about 0.1 m) after the round trip through metres
        assert shapely.hausdorff_distance(stored, row.geometry) < 1e-6
    assert (gdf.total_bounds[[0, 2]] > 0).all() and (gdf.total_bounds[[1, 3]] > 51).all()


def test_the_imd_2019_files(tmp_path: Path) -> None:
    """File 1 (xlsx, sheet IMD2019), File 2 (CSV with BOM) and File 6 (CSV with "1,296"): 32,844 LSOAs each."""
    ws = open_workspace(tmp_path / "home")
    results = load_geography(ws, [FILE_1, FILE_2, FILE_6])
    assert [(r.error, r.rows_read, r.rows_accepted, r.rows_quarantined) for r in results] == \
        [(None, 32_844, 32_844, 0)] * 3
    tables = {ws.catalogue.get(r.dataset_id).attributes["table"] for r in results}
    assert tables == {"deprivation", "population"}
    file2 = csv_rows(FILE_2)
    file6 = csv_rows(FILE_6)
    assert any("," in r["Total population: mid 2015 (excluding prisoners)"] for r in file6)
    pop = Geography(ws.engine()).attributes("population").to_pyarrow()
    assert sum(pop.column("population_total").to_pylist()) == \
        sum(int(r["Total population: mid 2015 (excluding prisoners)"].replace(",", "")) for r in file6)
    # File 1's ranks (read from the workbook) equal File 2's (read here from the CSV)
    d1 = ws.catalogue.get(results[0].dataset_id)
    t1 = pq.read_table(ws.lake.files(d1.lake_path, "data")[0]).to_pylist()
    rank_col = "Index of Multiple Deprivation (IMD) Rank (where 1 is most deprived)"
    assert {r["lsoa_code"]: r["imd_rank"] for r in t1} == {r["LSOA code (2011)"]: int(r[rank_col]) for r in file2}
