"""ED assault returns (ISTV, ISB 1594): good rows load with codes mapped; bad rows are quarantined with file, line,
field and value named; a wrong header is refused whole; reloading changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
from vrhub_testkit import csv_bytes, lake_folders

from vrhub.ingest.istv import SOURCES, parse_local_datetime
from vrhub.ingest.loader import LoadResult, ingest
from vrhub.store.workspace import Workspace

HEADER = ["Reporting period start", "Reporting period end", "ED site code", "Arrival date time", "Assault date time",
          "Assault method", "Assault method other", "Assault location type", "Assault location description",
          "Age band", "Sex", "Home LSOA", "Home postcode district"]


def row(**kw: str) -> dict[str, str]:
    r = {"Reporting period start": "01/01/2023", "Reporting period end": "31/01/2023", "ED site code": "SYN-TEST",
         "Arrival date time": "06/01/2023 23:40", "Assault date time": "06/01/2023 23:05",
         "Assault method": "Knife", "Assault method other": "", "Assault location type": "Pub",
         "Assault location description": "outside the Crown", "Age band": "18-24", "Sex": "M",
         "Home LSOA": "E01016016", "Home postcode district": "ME7"}
    r.update({k.replace("_", " "): v for k, v in kw.items()})
    return r


def load(ws: Workspace, path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> LoadResult:
    path.write_bytes(csv_bytes(header, rows))
    [r] = ingest(ws, [path], SOURCES, synthetic=True).results
    return r


def accepted(ws: Workspace, r: LoadResult) -> list[dict]:
    return ws.engine().table("ed_istv", dataset_ids=[r.dataset_id]).order_by("source_row").to_pyarrow().to_pylist()


def quarantined(ws: Workspace, r: LoadResult) -> dict[int, dict]:
    return {q["_source_row"]: q for q in ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()}


def test_a_good_return_loads_every_row_with_codes_and_times_mapped(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        row(),
        row(Arrival_date_time="2023-01-07 01:10:00", Assault_date_time="2023-01-07T00:50", Assault_method="hit/kick",
            Assault_location_type="Street/public place", Age_band="25 to 34", Sex="2", Home_LSOA=""),
        row(Arrival_date_time="31/01/2023 09:05", Assault_date_time="", Assault_method="Other",
            Assault_method_other="bitten", Assault_location_type="own home", Age_band="65 and over", Sex="",
            Home_postcode_district="ct9"),
    ]
    r = load(ws, tmp_path / "istv-good.csv", rows)
    assert r.ok and r.kind == "ed_istv"
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (3, 3, 0)
    got = accepted(ws, r)
    assert [g["assault_method"] for g in got] == ["knife_or_sharp_object", "body_part", "other"]
    assert [g["assault_location_type"] for g in got] == ["licensed_premises", "street_public_place", "home"]
    assert [g["age_band"] for g in got] == ["18-24", "25-34", "65+"]
    assert [g["sex"] for g in got] == ["male", "female", None]
    assert [g["arrival_datetime"] for g in got] == [dt.datetime(2023, 1, 6, 23, 40), dt.datetime(2023, 1, 7, 1, 10),
                                                    dt.datetime(2023, 1, 31, 9, 5)]
    assert got[2]["assault_datetime"] is None and got[2]["assault_method_other"] == "bitten"
    assert got[0]["assault_location_description"] == "outside the Crown"  # free text kept as sent
    assert got[2]["home_postcode_district"] == "CT9"
    assert [g["source_row"] for g in got] == [2, 3, 4]
    assert {g["month"] for g in got} == {dt.date(2023, 1, 1)}
    d = ws.catalogue.get(r.dataset_id)
    assert d.synthetic and [(c.force, c.month, c.rows) for c in d.coverage] == [("SYN-TEST", dt.date(2023, 1, 1), 3)]


def test_a_malformed_return_names_file_line_field_and_value_and_loses_nothing(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        row(),                                                                         # line 2: good
        row(Arrival_date_time="31/02/2023 01:10"),                                     # 3: impossible date
        row(Assault_date_time="07/01/2023 02:00"),                                     # 4: assault after arrival
        row(Assault_method="laser", Assault_location_type="moon"),                     # 5: unknown codes
        row(Assault_date_time="06/12/2022 23:05"),                                     # 6: a month before arrival
        row(Arrival_date_time="06/02/2023 23:40", Assault_date_time="06/02/2023 23:00"),  # 7: outside the period
        row(Home_postcode_district="Medway", Age_band="99"),                          # 8: not a district, bad band
        row(Arrival_date_time="yesterday", Assault_method=""),                         # 9: two problems
        row(Assault_method="Knife/sharp object"),                                      # 10: good
    ]
    r = load(ws, tmp_path / "istv-bad.csv", rows)
    assert r.ok and r.source_file.endswith("istv-bad.csv")
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (9, 2, 7)
    assert ws.catalogue.get(r.dataset_id).source_file == "istv-bad.csv"
    assert [g["source_row"] for g in accepted(ws, r)] == [2, 10]
    q = quarantined(ws, r)
    assert sorted(q) == [3, 4, 5, 6, 7, 8, 9]
    p = {line: q[line]["_problems"] for line in q}
    assert p[3].startswith("Arrival date time: '31/02/2023 01:10' is not a date and time")
    assert p[4].startswith("Assault date time: '07/01/2023 02:00' is after the Arrival date time")
    assert "Assault method: 'laser' is not a known assault method" in p[5]
    assert "Assault location type: 'moon' is not a known location type" in p[5]
    assert p[6].startswith("Assault date time: '06/12/2022 23:05' is more than 7 days before the Arrival date time")
    assert p[7].startswith("Arrival date time: '06/02/2023 23:40' is outside the reporting period")
    assert "Home postcode district: 'Medway' is not a postcode district" in p[8] and "Age band: '99'" in p[8]
    assert "Arrival date time: 'yesterday'" in p[9] and "Assault method: is missing" in p[9]
    # every original value is kept in the quarantine, under the file's own header
    for line, original in zip(range(2, 11), rows, strict=True):
        if line in q:
            assert {h: q[line][h] or "" for h in HEADER} == original


def test_a_wrong_header_is_refused_whole_naming_the_file_and_column(ws: Workspace, tmp_path: Path) -> None:
    header = [h if h != "Assault method" else "Assault metod" for h in HEADER]
    rows = [{(h if h != "Assault method" else "Assault metod"): v for h, v in row().items()}]
    r = load(ws, tmp_path / "istv-wrong-header.csv", rows, header)
    assert not r.ok and r.rows_read == 0
    assert "istv-wrong-header.csv" in r.error
    assert "'Assault method' (found 'Assault metod' instead?)" in r.error
    assert ws.catalogue.datasets("ed_istv") == []


def test_common_column_aliases_are_accepted(ws: Workspace, tmp_path: Path) -> None:
    alias = {"Arrival date time": "Arrival date/time", "ED site code": "Site code",
             "Assault method": "Method of assault", "Sex": "Gender"}
    header = [alias.get(h, h) for h in HEADER]
    rows = [{alias.get(h, h): v for h, v in row().items()}]
    r = load(ws, tmp_path / "istv-aliases.csv", rows, header)
    assert r.ok and (r.rows_accepted, r.rows_quarantined) == (1, 0)
    [g] = accepted(ws, r)
    assert (g["site_code"], g["assault_method"], g["sex"]) == ("SYN-TEST", "knife_or_sharp_object", "male")


def test_reloading_the_same_return_is_a_no_op(ws: Workspace, tmp_path: Path) -> None:
    first = load(ws, tmp_path / "istv-once.csv", [row(), row(Assault_method="laser")])
    before = (lake_folders(ws), [d.id for d in ws.catalogue.datasets("ed_istv")])
    [again] = ingest(ws, [tmp_path / "istv-once.csv"], SOURCES, synthetic=True).results
    assert again.duplicate_of == first.dataset_id
    assert (again.rows_read, again.rows_accepted, again.rows_quarantined) == (2, 1, 1)
    assert (lake_folders(ws), [d.id for d in ws.catalogue.datasets("ed_istv")]) == before


def test_datetime_formats_and_impossible_days() -> None:
    ts, bad = parse_local_datetime(pa.array(["06/01/2023 23:40", "6/1/2023 3:05", "2023-01-07T01:10:30",
                                             "29/02/2024 00:00", "29/02/2023 00:00", "2023-13-01 00:00", None]))
    assert ts.to_pylist()[:4] == [dt.datetime(2023, 1, 6, 23, 40), dt.datetime(2023, 1, 6, 3, 5),
                                  dt.datetime(2023, 1, 7, 1, 10, 30), dt.datetime(2024, 2, 29)]
    assert bad.to_pylist() == [False, False, False, False, True, True, False]
