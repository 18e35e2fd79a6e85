"""Bad input the loader must survive: every problem is reported with the file, the line, the field and what to
do; rows with a problem are quarantined with the reason and good rows are never dropped because of them."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pyarrow as pa
import pytest
from vrhub_testkit import STREET_HEADER, csv_bytes, police_uk_ingest, street_row

from vrhub.ingest.loader import LoadResult
from vrhub.store.workspace import Workspace


def load(ws: Workspace, path: Path, **kw: object) -> LoadResult:
    report = police_uk_ingest(ws, [path], **kw)
    assert len(report.results) == 1
    r = report.results[0]
    assert r.rows_accepted + r.rows_quarantined == r.rows_read
    return r


def quarantined(ws: Workspace, r: LoadResult) -> list[dict]:
    return ws.engine().quarantine(r.dataset_id).order_by("_source_row").to_pyarrow().to_pylist()


def accepted(ws: Workspace, r: LoadResult, kind: str = "police_uk_street") -> pa.Table:
    return ws.engine().table(kind, dataset_ids=[r.dataset_id]).order_by("source_row").to_pyarrow()


def assert_what_to_do_for_rows(r: LoadResult, path: Path) -> None:
    """The load names the file, and says how to see each quarantined line and what to do about it."""
    assert r.source_file == str(path)
    note = next(w for w in r.warnings if "quarantined" in w)
    assert f"vrhub quarantine {r.dataset_id}" in note and "load it again" in note


# --- whole files that cannot be loaded ---------------------------------------------------------------------
def test_a_missing_column_is_named(ws: Workspace, tmp_path: Path) -> None:
    header = [h for h in STREET_HEADER if h != "Crime type"]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(header, [street_row()]))
    r = load(ws, p)
    assert r.error is not None and r.dataset_id is None
    assert str(p) in r.error
    assert "missing required column(s): 'Crime type'" in r.error
    assert "What to do:" in r.error and "rename the column" in r.error
    assert ws.catalogue.datasets() == []


def test_renamed_columns_are_named_with_the_nearest_match(ws: Workspace, tmp_path: Path) -> None:
    header = ["Longitud" if h == "Longitude" else "Crimetype" if h == "Crime type" else h for h in STREET_HEADER]
    p = tmp_path / "export.csv"  # no police.uk file name to go by: the columns alone say which source
    p.write_bytes(csv_bytes(header, [{("Longitud" if k == "Longitude" else "Crimetype" if k == "Crime type" else k): v
                                      for k, v in street_row().items()}]))
    r = load(ws, p)
    assert r.error is not None and str(p) in r.error
    assert "'Longitude' (found 'Longitud' instead?)" in r.error
    assert "'Crime type' (found 'Crimetype' instead?)" in r.error
    assert "police.uk street-level crime" in r.error and "What to do:" in r.error


def test_an_unrelated_csv_says_what_it_expected(ws: Workspace, tmp_path: Path) -> None:
    p = tmp_path / "budget.csv"
    p.write_text("Service,Budget\nMentoring,1000\n")
    r = load(ws, p)
    assert r.error is not None and str(p) in r.error
    assert "does not look like any of" in r.error and "Service, Budget" in r.error and "What to do:" in r.error


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(STREET_HEADER)
    wb.active.append(list(street_row().values()))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(("name", "data", "what"), [
    ("2018-10-kent-street.xlsx", "xlsx", "Excel workbook (.xlsx)"),
    ("2018-10-kent-street.csv", "xlsx", "Excel workbook (.xlsx)"),  # an xlsx saved under a .csv name
    ("2018-10-kent-street.csv", b"\x89PNG\r\n\x1a\n" + bytes(200), "a PNG image"),
    ("2018-10-kent-street.csv", b"%PDF-1.7\n...", "a PDF document"),
    ("2018-10-kent-street.csv", b"", "the file is empty (0 bytes)"),
    ("2018-10-kent-street.csv", b"\n\nCrime ID,Month\n", "the first line is blank"),
])
def test_files_that_are_not_csv(ws: Workspace, tmp_path: Path, name: str, data: bytes | str, what: str) -> None:
    p = tmp_path / name
    p.write_bytes(xlsx_bytes() if data == "xlsx" else data)
    r = load(ws, p)
    assert r.error is not None and str(p) in r.error and what in r.error and "What to do:" in r.error
    assert r.rows_read == 0 and ws.catalogue.datasets() == []
    assert list(ws.lake.staging_root.iterdir()) == []


def test_a_header_without_rows_is_an_empty_dataset_with_a_note(ws: Workspace, tmp_path: Path) -> None:
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, []))
    r = load(ws, p)
    assert r.ok and r.rows_read == 0 and "the file has a header but no data rows" in r.warnings


def test_one_bad_file_does_not_stop_the_others(ws: Workspace, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "2018-10-kent-street.csv").write_bytes(b"")
    (tmp_path / "in" / "2018-11-kent-street.csv").write_bytes(csv_bytes(STREET_HEADER, [street_row(Month="2018-11")]))
    report = police_uk_ingest(ws, [tmp_path / "in"])
    assert [(r.ok, r.rows_accepted) for r in report.results] == [(False, 0), (True, 1)]
    assert not report.ok


def test_a_zip_with_other_files_loads_its_csvs_and_reports_the_rest(ws: Workspace, tmp_path: Path) -> None:
    z = tmp_path / "download.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("2018-10/2018-10-kent-street.csv", csv_bytes(STREET_HEADER, [street_row()] * 3))
        zf.writestr("2018-11/2018-11-kent-street.csv", csv_bytes(STREET_HEADER, [street_row(Month="2018-11")] * 2))
        zf.writestr("README.txt", "police.uk download")
        zf.writestr("map.png", b"\x89PNG\r\n")
    report = police_uk_ingest(ws, [z])
    assert report.ok
    assert [(r.source_file, r.rows_accepted) for r in report.results] == [
        (f"{z}!2018-10/2018-10-kent-street.csv", 3), (f"{z}!2018-11/2018-11-kent-street.csv", 2)]
    assert sorted((s.display, s.reason) for s in report.skipped) == [
        (f"{z}!README.txt", "not a .csv file"), (f"{z}!map.png", "not a .csv file")]


# --- rows with problems: quarantined with line and field, the good rows kept --------------------------------
def test_a_truncated_last_row(ws: Workspace, tmp_path: Path) -> None:
    data = csv_bytes(STREET_HEADER, [street_row(**{"Crime ID": f"c{i}"}) for i in range(5)])
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(data[:-40])  # the download stopped in the middle of the last row
    r = load(ws, p)
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (5, 4, 1)
    [q] = quarantined(ws, r)
    assert q["_source_row"] == 6 and q["_problems"].startswith("row has 9 fields, the header has 12")
    assert q["_raw_text"].startswith("c4,2018-10,")
    assert accepted(ws, r).column("source_row").to_pylist() == [2, 3, 4, 5]
    assert_what_to_do_for_rows(r, p)


@pytest.mark.parametrize("rows_after", [0, 2])
def test_a_file_cut_inside_a_quoted_field(ws: Workspace, tmp_path: Path, rows_after: int) -> None:
    """An opening quote never closed: at the very end (a cut file) or with lines after it, which it swallows."""
    good = csv_bytes(STREET_HEADER, [street_row(**{"Crime ID": f"c{i}"}) for i in range(3)])
    cut = b'c3,2018-10,Kent Police,Kent Police,0.522,51.272,"On or near Hig'
    after = b"".join(b"\nc9,2018-10,Kent Police,Kent Police,,,No Location,,,Burglary,," for _ in range(rows_after))
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(good + cut + after + b"\n")
    r = load(ws, p)
    assert r.rows_accepted == 3 and r.rows_quarantined == 1
    [q] = quarantined(ws, r)
    assert q["_source_row"] == 5
    assert "row has 7 fields, the header has 12" in q["_problems"]
    assert "is never closed" in q["_problems"]
    assert_what_to_do_for_rows(r, p)


@pytest.mark.parametrize(("value", "line"), [("2018-13", 3), ("Oct 2018", 4), ("2018-1", 5), ("", 6)])
def test_bad_months(ws: Workspace, tmp_path: Path, value: str, line: int) -> None:
    rows = [street_row()] + [street_row(Month=v) for v in ("2018-13", "Oct 2018", "2018-1", "")] + [street_row()]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, rows))
    r = load(ws, p)
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (6, 2, 4)
    problems = {q["_source_row"]: q["_problems"] for q in quarantined(ws, r)}
    expected = "Month: is missing" if value == "" else f"Month: '{value}' is not a month in the form YYYY-MM"
    assert problems[line] == expected
    assert accepted(ws, r).column("source_row").to_pylist() == [2, 7]
    assert_what_to_do_for_rows(r, p)


def test_coordinates(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        street_row(),                                                    # 2 good
        street_row(Longitude="2.35", Latitude="48.86"),                  # 3 Paris
        street_row(Longitude="51.272", Latitude="0.522"),                # 4 swapped
        street_row(Longitude="abc", Latitude="51.272"),                  # 5 not a number
        street_row(Longitude="0,522", Latitude="51.272"),                # 6 decimal comma
        street_row(Longitude="0.522", Latitude=""),                      # 7 half a location
        street_row(Longitude="", Latitude="", Location="No Location", LSOA_code="", LSOA_name=""),  # 8 accepted
        street_row(Longitude=" -0.5 ", Latitude="5.1e1"),                # 9 accepted: spaces and exponent
    ]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, rows))
    r = load(ws, p)
    problems = {q["_source_row"]: q["_problems"] for q in quarantined(ws, r)}
    assert problems == {
        3: "Longitude/Latitude: '2.35, 48.86' is outside the United Kingdom",
        4: "Longitude/Latitude: '51.272, 0.522' is outside the United Kingdom (are longitude and latitude swapped?)",
        5: "Longitude: 'abc' is not a number",
        6: "Longitude: '0,522' is not a number",
        7: "Latitude: is missing while Longitude is given",
    }
    t = accepted(ws, r)
    assert t.column("source_row").to_pylist() == [2, 8, 9]
    assert t.column("has_location").to_pylist() == [True, False, True]
    assert t.column("longitude").to_pylist() == [0.522, None, -0.5]
    assert t.column("latitude").to_pylist() == [51.272, None, 51.0]
    assert r.flags == {"no_location": 1}


def test_good_rows_are_never_dropped_because_of_bad_ones(ws: Workspace, tmp_path: Path) -> None:
    """Every 7th row has two problems; 1,000 rows: the exact good lines are accepted, each bad one quarantined
    with all its problems."""
    rows = []
    for i in range(1000):
        bad = i % 7 == 3
        rows.append(street_row(**{"Crime ID": f"c{i}", "Month": "2018-1x" if bad else "2018-10",
                                  "Crime type": "Jaywalking" if bad else "Burglary"}))
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, rows))
    r = load(ws, p)
    bad_lines = [i + 2 for i in range(1000) if i % 7 == 3]
    assert (r.rows_read, r.rows_quarantined, r.rows_accepted) == (1000, len(bad_lines), 1000 - len(bad_lines))
    q = quarantined(ws, r)
    assert [x["_source_row"] for x in q] == bad_lines
    assert q[0]["_problems"] == ("Month: '2018-1x' is not a month in the form YYYY-MM; "
                                 "Crime type: 'Jaywalking' is not a police.uk crime type")
    assert q[0]["Crime ID"] == "c3" and q[0]["Crime type"] == "Jaywalking"  # the row as it was in the file
    t = accepted(ws, r)
    assert t.column("source_row").to_pylist() == [i + 2 for i in range(1000) if i % 7 != 3]
    assert t.column("crime_id").to_pylist() == [f"c{i}" for i in range(1000) if i % 7 != 3]


@pytest.mark.parametrize(("newline", "bom"), [("\n", False), ("\r\n", False), ("\n", True), ("\r\n", True)])
def test_line_endings_and_byte_order_mark(ws: Workspace, tmp_path: Path, newline: str, bom: bool) -> None:
    rows = [street_row(**{"Crime ID": f"c{i}", "Context": "ctx"}) for i in range(3)]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, rows, newline=newline, bom=bom))
    r = load(ws, p)
    assert (r.rows_read, r.rows_accepted, r.error) == (3, 3, None)
    t = accepted(ws, r)
    assert t.column("crime_id").to_pylist() == ["c0", "c1", "c2"]  # the BOM is not part of the first header
    assert t.column("context").to_pylist() == ["ctx"] * 3  # no stray \r on the last column
    assert t.column("source_row").to_pylist() == [2, 3, 4]


@pytest.mark.parametrize("rows_before", [0, 5_000])
def test_windows_1252_text(ws: Workspace, tmp_path: Path, rows_before: int) -> None:
    """cp1252 bytes ("Caf\\xe9") are read as Windows-1252, whether they are in the first 64 KiB or later."""
    rows = [street_row() for _ in range(rows_before)] + [street_row(Location="On or near Café")]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, rows, encoding="cp1252"))
    assert b"Caf\xe9" in p.read_bytes()
    r = load(ws, p)
    assert r.error is None and r.rows_accepted == rows_before + 1
    assert accepted(ws, r).column("location").to_pylist()[-1] == "On or near Café"
    assert ws.catalogue.get(r.dataset_id).encoding == "cp1252"
    assert any("Windows-1252" in w for w in r.warnings)


def test_lsoa_vintages_and_malformed_codes(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        street_row(Month="2021-12", LSOA_code="E01024000"),    # 2 LSOA 2011
        street_row(Month="2022-01", LSOA_code="E01035000"),    # 3 2022 onwards: LSOA 2021
        street_row(Month="2023-06", LSOA_code="W01001958"),    # 4 Wales, 2021
        street_row(Month="2018-10", LSOA_code="E1024000"),     # 5 malformed
        street_row(Month="2018-10", LSOA_code="", LSOA_name=""),  # 6 no LSOA: accepted, no vintage
    ]
    p = tmp_path / "street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, rows))
    r = load(ws, p)
    [q] = quarantined(ws, r)
    assert (q["_source_row"], q["_problems"]) == (
        5, "LSOA code: 'E1024000' is not an LSOA code (E01 or W01 and six digits)")
    t = accepted(ws, r)
    assert list(zip(t.column("source_row").to_pylist(), t.column("lsoa_vintage").to_pylist(), strict=True)) == [
        (2, 2011), (3, 2021), (4, 2021), (6, None)]


def test_no_location_and_lsoas_outside_the_geography_are_accepted_and_flagged(ws: Workspace, tmp_path: Path) -> None:
    rows = [
        street_row(LSOA_code="E01024000"),
        street_row(LSOA_code="E01000001"),  # City of London: not in the loaded (here: given) geography
        street_row(Longitude="", Latitude="", Location="No Location", LSOA_code="", LSOA_name=""),
    ]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, rows))
    r = load(ws, p, known_lsoas=pa.array(["E01024000"]))
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (3, 3, 0)
    assert r.flags == {"no_location": 1, "lsoa_outside_geography": 1}
    assert ws.catalogue.get(r.dataset_id).attributes["flags"] == r.flags


def test_a_quoted_value_over_several_lines_keeps_true_line_numbers(ws: Workspace, tmp_path: Path) -> None:
    rows = [street_row(Location="On or near\nHigh Street"), street_row(), street_row(Month="2018-13")]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, rows))
    r = load(ws, p)
    t = accepted(ws, r)
    assert t.column("source_row").to_pylist() == [2, 4]  # the first row spans lines 2 and 3
    assert t.column("location").to_pylist()[0] == "On or near\nHigh Street"
    assert [q["_source_row"] for q in quarantined(ws, r)] == [5]


@pytest.mark.parametrize(("place", "lon", "lat"), [("St Helier, Jersey", "-2.1049", "49.1868"),
                                                   ("Gorey, Jersey", "-2.0214", "49.1987"),
                                                   ("St Peter Port, Guernsey", "-2.5369", "49.4556"),
                                                   ("Hugh Town, Isles of Scilly", "-6.3143", "49.9142")])
def test_the_channel_islands_are_inside_the_uk_box(ws: Workspace, tmp_path: Path, place: str, lon: str,
                                                   lat: str) -> None:
    """Issue 13, item 14: the docs say the Channel Islands are inside; on main Jersey (south of 49.8 N) was not."""
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [street_row(Longitude=lon, Latitude=lat, Location=f"On or near {place}"),
                                            street_row(Longitude="-1.6778", Latitude="48.1173")]))  # Rennes: outside
    r = load(ws, p)
    assert (r.rows_accepted, r.rows_quarantined) == (1, 1), place
    [q] = quarantined(ws, r)
    assert q["_source_row"] == 3 and "is outside the United Kingdom" in q["_problems"]
