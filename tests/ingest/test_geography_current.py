"""The current geography files load as published: Census 2021 (the Nomis bulk file, preamble and trailing blank
lines), IoD 2025 (File 1 workbook, File 2, File 3, File 7 and the all-domains CSV), ONS mid-year estimates by
LSOA 2021, and the ONS LSOA 2011 → 2021 best-fit lookup (with its byte-order mark); each records its vintage, and
a file with no LSOA code column is refused naming the columns looked for."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook
from vrhub_testkit import FIXTURES, KENT, open_workspace, run_cli

from vrhub.ingest.geography import load_geography
from vrhub.store.geography import Geography

G2021 = KENT / "geography2021"
CENSUS = G2021 / "census2021_TS007A_age_five_year_bands_lsoa2021_england_wales.zip"
ALL_DOMAINS = G2021 / "imd2025_scores_ranks_deciles_all_domains_lsoa21.zip"
FILE_1 = G2021 / "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx"
LOOKUP = G2021 / "lsoa11_to_lsoa21_best_fit_lookup_england_wales_v2.zip"
BOUNDARIES = G2021 / "boundaries2021-kent-medway.zip"
FILE_2 = FIXTURES / "imd2025" / "File_2_IoD2025_Domains_of_Deprivation.xlsx"
FILE_3 = FIXTURES / "imd2025" / "File_3_IoD2025_Supplementary_Indices_IDACI_and_IDAOPI.xlsx"
FILE_7 = FIXTURES / "imd2025" / "File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"
MYE = FIXTURES / "population" / "sapelsoasyoa20222023_fixture.xlsx"


def member_bytes(archive: Path) -> bytes:
    with zipfile.ZipFile(archive) as zf:
        [name] = [n for n in zf.namelist() if not n.endswith("/")]
        return zf.read(name)


def data_of(ws, result):  # type: ignore[no-untyped-def]
    d = ws.catalogue.get(result.dataset_id)
    return d, pq.read_table(ws.lake.files(d.lake_path, "data")[0])


def test_the_census_2021_nomis_bulk_file_loads_as_published(tmp_path: Path) -> None:
    raw = member_bytes(CENSUS).decode("utf-8")
    lines = raw.split("\n")
    # as published: a blank line and a title preamble above the header, blank lines at the end
    assert lines[1].startswith('"TS007A') and lines[5].startswith('"2021 super output area') and raw.endswith("\n\n\n")
    ws = open_workspace(tmp_path / "home")
    [r] = load_geography(ws, [CENSUS])
    assert (r.error, r.rows_read, r.rows_accepted, r.rows_quarantined) == (None, 35_672, 35_672, 0)
    d, t = data_of(ws, r)
    a = d.attributes
    assert (a["table"], a["lsoa_vintage"], a["years"], a["source"]) == \
        ("population", 2021, [2021], "Census 2021 usual residents (ONS)")
    assert a["columns"]["lsoa_code"] == "mnemonic" and a["columns"]["age_85_plus"] == "Aged 85 years and over"
    # independent: the CSV read by the standard library below its preamble
    rows = list(csv.reader(io.StringIO("\n".join(lines[5:]))))
    body = [r for r in rows[1:] if r]
    assert len(body) == 35_672
    assert t.column("population_total").to_pylist() == [int(r[2]) for r in body]
    assert t.column("age_10_14").to_pylist() == [int(r[5]) for r in body]


def test_imd_2025_file_1_and_the_all_domains_csv(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "home")
    r1, r2 = load_geography(ws, [FILE_1, ALL_DOMAINS])
    assert [(r.error, r.rows_accepted, r.rows_quarantined) for r in (r1, r2)] == [(None, 33_755, 0)] * 2
    d1, t1 = data_of(ws, r1)
    d2, t2 = data_of(ws, r2)
    for d in (d1, d2):
        assert (d.attributes["lsoa_vintage"], d.attributes["edition"], d.attributes["table"]) == \
            (2021, 2025, "deprivation")
    domains = ["imd", "income", "employment", "education", "health", "crime", "barriers", "living_environment"]
    assert {f"{x}_{m}" for x in domains for m in ("score", "rank", "decile")} <= set(t2.column_names)
    assert d2.attributes["columns"]["barriers_decile"] == "Housing_and_Services_decile"
    # File 1's deciles (the workbook, read here with openpyxl) equal the CSV's
    wb = load_workbook(FILE_1, read_only=True)
    published = {row[0]: row[5] for row in wb["IMD25"].iter_rows(min_row=2, values_only=True)}
    assert dict(zip(t1.column("lsoa_code").to_pylist(), t1.column("imd_decile").to_pylist(), strict=True)) == published
    assert dict(zip(t2.column("lsoa_code").to_pylist(), t2.column("imd_decile").to_pylist(), strict=True)) == published
    raw = {r["lsoa21_code"]: r for r in csv.DictReader(io.StringIO(member_bytes(ALL_DOMAINS).decode()))}
    crime = dict(zip(t2.column("lsoa_code").to_pylist(), t2.column("crime_score").to_pylist(), strict=True))
    assert all(crime[k] == pytest.approx(float(v["Crime_score"])) for k, v in raw.items())
    dep = Geography(ws.engine()).attributes("deprivation").to_pyarrow()
    assert dep.num_rows == 33_755 and "crime_decile" in dep.column_names and "imd_rank" in dep.column_names


def test_imd_2025_files_2_3_and_7_in_their_published_layouts(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "home")
    r2, r3, r7 = load_geography(ws, [FILE_2, FILE_3, FILE_7])
    assert [(r.error, r.rows_quarantined) for r in (r2, r3, r7)] == [(None, 0)] * 3
    assert (r2.rows_accepted, r3.rows_accepted, r7.rows_accepted) == (6, 33_755, 6)
    d3, t3 = data_of(ws, r3)
    assert d3.attributes["sheets"] == ["IoD2025 IDACI & IDAOPI"]  # the table is on the second sheet, after Notes
    assert {"idaci_rank", "idaci_decile", "idaopi_rank", "idaopi_decile"} <= set(t3.column_names)
    d7, t7 = data_of(ws, r7)
    assert d7.attributes["tables"] == ["deprivation", "population"]
    assert (d7.attributes["edition"], d7.attributes["years"]) == (2025, [2022])
    assert d7.attributes["source"] == "mid-2022 population, IoD 2025 denominators (MHCLG)"
    published = list(csv.DictReader(io.StringIO(FILE_7.read_text(encoding="utf-8-sig"), newline="")))
    assert t7.column("population_total").to_pylist() == \
        [int(r["Total population: mid 2022"].replace(",", "")) for r in published]
    assert t7.column("population_0_15").to_pylist() == [int(r["Dependent Children aged 0-15: mid 2022"])
                                                         for r in published]
    assert {"children_young_people_score", "outdoors_decile", "crime_rank"} <= set(t7.column_names)
    _, t2 = data_of(ws, r2)
    assert t2.column("crime_decile").to_pylist() == [int(r["Crime Decile (where 1 is most deprived 10% of LSOAs)"])
                                                     for r in published]


def test_ons_mid_year_estimates_by_lsoa_2021(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "home")
    [r] = load_geography(ws, [MYE])
    assert (r.error, r.rows_read, r.rows_accepted) == (None, 12, 12)
    d = ws.catalogue.get(r.dataset_id)
    assert (d.attributes["years"], d.attributes["lsoa_vintage"]) == ([2022, 2023], 2021)
    assert d.attributes["source"] == "ONS mid-2022 population estimates"
    wb = load_workbook(MYE, read_only=True)
    sheet = [list(row) for row in wb["Mid-2023 LSOA 2021"].iter_rows(min_row=4, values_only=True)]
    head, rows = sheet[0], sheet[1:]
    geo = Geography(ws.engine())
    newest = geo.population(ages=(10, 24))  # no boundaries loaded: the LSOAs of the file
    assert newest.year == 2023 and newest.source == "ONS mid-2023 population estimates"
    expected = {row[2]: sum(row[head.index(f"{s}{a}")] for s in "FM" for a in range(10, 25)) for row in rows}
    assert dict(zip(newest.table.column("area_code").to_pylist(), newest.table.column("population").to_pylist(),
                    strict=True)) == expected
    older = geo.population(year=2022)
    sheet22 = [list(x) for x in wb["Mid-2022 LSOA 2021"].iter_rows(min_row=5, values_only=True)]
    assert older.year == 2022 and older.total == sum(x[4] for x in sheet22)
    over_90 = geo.population(ages=(90, None))
    assert over_90.total == sum(row[head.index("F90")] + row[head.index("M90")] for row in rows)


def test_the_best_fit_lookup_with_its_byte_order_mark(tmp_path: Path) -> None:
    raw = member_bytes(LOOKUP)
    assert raw.startswith(b"\xef\xbb\xbfObjectId,LSOA11CD")
    ws = open_workspace(tmp_path / "home")
    [r] = load_geography(ws, [LOOKUP])
    assert (r.error, r.kind, r.rows_accepted, r.rows_quarantined) == (None, "area_lookup", 34_753, 0)
    d, t = data_of(ws, r)
    assert {k: d.attributes[k] for k in ("from_vintage", "to_vintage", "method", "district_vintage")} == \
        {"from_vintage": 2011, "to_vintage": 2021, "method": "best fit", "district_vintage": 2022}
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert t.column("from_code").to_pylist() == [r["LSOA11CD"] for r in rows]
    assert t.column("to_code").to_pylist() == [r["LSOA21CD"] for r in rows]


def test_the_2021_boundaries_in_a_zip(tmp_path: Path) -> None:
    ws = open_workspace(tmp_path / "home")
    results = load_geography(ws, [BOUNDARIES])
    assert all(r.ok for r in results)
    layers = {(e["level"], e["vintage"]): e["areas"] for e in Geography(ws.engine()).layers()}
    assert layers == {("lsoa", 2021): 1_107, ("msoa", 2021): 221, ("ward", 2025): 279}  # shared/data README


@pytest.mark.parametrize("header", [["Area code", "Total"], ["LSOA", "Income Score (rate)"]])
def test_a_file_without_an_lsoa_code_column_is_refused_naming_what_was_looked_for(tmp_path: Path, header) -> None:
    path = tmp_path / "population.csv"
    path.write_text(",".join(header) + "\nE01000001,1500\n", encoding="utf-8")
    ws = open_workspace(tmp_path / "home")
    [r] = load_geography(ws, [path])
    assert r.error is not None and "population.csv" in r.error
    assert "'LSOA code (2021)'" in r.error and "'mnemonic'" in r.error and "What to do" in r.error
    assert f"'{header[0]}'" in r.error  # what it found instead


def test_geography_load_and_show_on_the_command_line(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    loaded = run_cli("--home", home, "geography", "load", str(FILE_7), str(LOOKUP), "--json")
    assert loaded.exit_code == 0, loaded.output
    assert [r["kind"] for r in json.loads(loaded.output)] == ["area_attributes", "area_lookup"]
    shown = json.loads(run_cli("--home", home, "geography", "show", "--json").output)
    [attrs] = shown["attributes"]
    assert (attrs["table"], attrs["lsoa_vintage"], attrs["edition"], attrs["years"]) == \
        ("deprivation, population", 2021, 2025, [2022])
    [lookup] = shown["lookups"]
    assert (lookup["from"], lookup["to"], lookup["method"], lookup["rows"]) == ("lsoa 2011", "lsoa 2021", "best fit",
                                                                                34_753)
    text = run_cli("--home", home, "geography", "show").output
    assert "Lookups between vintages" in text and "34,753" in text
