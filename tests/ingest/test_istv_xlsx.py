"""ED returns as departments export them: XLSX (title rows, a header block, merged cells, blank trailing rows) and CSV
with a header block. Every row is accepted or quarantined (read = accepted + quarantined) and every problem names the
file, the sheet, the row and the field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from vrhub.ingest.istv import SOURCES
from vrhub.ingest.loader import LoadResult, ingest
from vrhub.store.workspace import Workspace

TABLE = ["Arrival date time", "Assault date time", "Assault method", "Assault method other", "Assault location type",
         "Assault location description", "Age band", "Sex"]


def block_sheet(ws, *, site: str | None = "SYN-TEST") -> None:  # type: ignore[no-untyped-def]
    ws.append(["ISTV return, January 2023"])                                 # row 1: title
    ws.append(["Reporting period start", dt.datetime(2023, 1, 1)])           # rows 2-4: the header block
    ws.append(["Reporting period end", dt.datetime(2023, 1, 31)])
    if site:
        ws.append(["ED site code", site])
    ws.append(["Prepared by", "someone"])                                    # not used, value never echoed
    ws.append([])
    ws.append(TABLE)


def save(wb: openpyxl.Workbook, path: Path) -> Path:
    wb.save(path)
    return path


def load(ws: Workspace, path: Path, **options: str) -> LoadResult:
    [r] = ingest(ws, [path], SOURCES, kind="ed_istv", options=options or None).results
    return r


def quarantined(ws: Workspace, r: LoadResult) -> dict[int, str]:
    return {q["_source_row"]: q["_problems"] for q in ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()}


def test_xlsx_with_title_header_block_merged_site_and_blank_rows_loads_every_row(ws: Workspace, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "ED return"
    block_sheet(sheet)                                                        # header on row 7
    sheet.append([dt.datetime(2023, 1, 6, 23, 40), dt.datetime(2023, 1, 6, 23, 5), "Knife", None, "Pub",
                  "outside Chatham station", "18-24", 1])                     # row 8
    sheet.append([dt.datetime(2023, 1, 7, 0, 0), None, "Hit/kick", None, "Street", None, "25-34", "F"])  # row 9
    sheet.append([dt.datetime(2023, 1, 8, 1, 15), None, None, None, "Street", None, "25-34", "F"])      # row 10
    sheet.merge_cells("C9:C10")                                               # method merged down: filled down
    for row in (11, 12):  # blank trailing rows, as Excel writes them: formatted cells with no value
        sheet.cell(row=row, column=1).number_format = "dd/mm/yyyy hh:mm"
    for c in sheet["A"][7:10]:
        c.number_format = "dd/mm/yyyy hh:mm"
    r = load(ws, save(wb, tmp_path / "istv-jan.xlsx"))
    assert r.ok, r.error
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (3, 3, 0)
    got = ws.engine().table("ed_istv", dataset_ids=[r.dataset_id]).order_by("source_row").to_pyarrow().to_pylist()
    assert [g["source_row"] for g in got] == [8, 9, 10]  # Excel row numbers
    assert {g["site_code"] for g in got} == {"SYN-TEST"}  # from the header block
    assert {(g["period_start"], g["period_end"]) for g in got} == {(dt.date(2023, 1, 1), dt.date(2023, 1, 31))}
    assert [g["assault_method"] for g in got] == ["knife_or_sharp_object", "body_part", "body_part"]
    assert got[1]["arrival_datetime"] == dt.datetime(2023, 1, 7, 0, 0)  # midnight kept as a time
    assert got[0]["sex"] == "male"  # the number 1 read as "1", NHS code male
    notes = " | ".join(r.warnings)
    assert "merged cells C9:C10 (column 'Assault method') were filled down with the value of C9 into 1 row(s)" in notes
    assert "'ED site code' = 'SYN-TEST' (row 4)" in notes and "row 1 'ISTV return, January 2023'" in notes
    assert "row 5 'Prepared by'" in notes and "someone" not in notes
    assert "2 wholly blank row(s)" in notes
    d = ws.catalogue.get(r.dataset_id)
    assert d.source_path.endswith("istv-jan.xlsx (sheet 'ED return')")
    assert d.attributes["sheet"] == "ED return" and d.attributes["header_row"] == 7
    again = load(ws, tmp_path / "istv-jan.xlsx")
    assert again.duplicate_of == r.dataset_id


def test_malformed_xlsx_names_sheet_row_and_field_and_loses_nothing(ws: Workspace, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Return"
    block_sheet(sheet)
    sheet.append(["06/01/2023 23:40", "06/01/2023 23:05", "Knife", None, "Pub", None, "18-24", "M"])   # 8: good
    sheet.append(["31/02/2023 01:10", None, "Knife", None, "Pub", None, "18-24", "M"])                 # 9: bad date
    sheet.append(["07/01/2023 01:10", "07/01/2023 25:00", "laser", None, "moon", None, "18-24", "M"])  # 10
    sheet.append(["08/01/2023 01:10", None, "Other", None, "Pub", None, "18-24", "M"])                 # 11: merged
    sheet.merge_cells("C11:D11")
    sheet.append(["09/01/2023 01:10", None, "Knife", None, "Pub", None, "18-24", "M", "stray"])        # 12: extra
    r = load(ws, save(wb, tmp_path / "bad.xlsx"))
    assert r.ok, r.error
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (5, 1, 4)
    q = quarantined(ws, r)
    assert set(q) == {9, 10, 11, 12}
    assert q[9].startswith("Arrival date time: '31/02/2023 01:10' is not a date and time")
    assert "Assault date time: '07/01/2023 25:00' is not a date and time" in q[10]
    assert "Assault method: 'laser' is not a known assault method" in q[10]
    assert "Assault location type: 'moon' is not a known location type" in q[10]
    assert q[11] == ("sheet 'Return', row 11: cells C11:D11 are merged across the columns 'Assault method', 'Assault "
                     "method other': which column the value belongs to is unclear; unmerge the cells and give each "
                     "column its own value")
    assert q[12].startswith("sheet 'Return', row 12: cell I12 has a value beyond the last header column (H)")
    assert ws.catalogue.get(r.dataset_id).source_path.endswith("bad.xlsx (sheet 'Return')")


def test_a_wrong_header_in_a_workbook_is_refused_naming_file_sheet_and_column(ws: Workspace, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "Data"
    block_sheet(sheet)
    sheet.cell(row=7, column=1, value="Arrival time")  # renamed column
    sheet.append(["06/01/2023 23:40", None, "Knife", None, "Pub", None, "18-24", "M"])
    p = save(wb, tmp_path / "renamed.xlsx")
    r = load(ws, p)
    assert r.error is not None and r.rows_read == 0
    assert f"{p} (sheet 'Data'): missing required column(s): 'Arrival date time' (found 'Arrival time' instead?)" \
        in r.error
    assert ws.catalogue.datasets() == []


def test_a_merged_header_is_refused_naming_the_cells(ws: Workspace, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    sheet = wb.active
    block_sheet(sheet)
    sheet.append(["06/01/2023 23:40", None, "Knife", None, "Pub", None, "18-24", "M"])
    sheet.merge_cells("F7:G7")
    r = load(ws, save(wb, tmp_path / "merged-header.xlsx"))
    assert r.error is not None and "row 7 (the header) has cells F7:G7 merged across 2 columns" in r.error
    assert "unmerge the header cells" in r.error and ws.catalogue.datasets() == []


def test_a_table_on_several_sheets_needs_the_sheet_named(ws: Workspace, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    for title in ("January", "Notes", "February"):
        sheet = wb.create_sheet(title)
        if title != "Notes":
            block_sheet(sheet)
            sheet.append(["06/01/2023 23:40", None, "Knife", None, "Pub", None, "18-24", "M"])
        else:
            sheet.append(["Free text notes, not data"])
    del wb["Sheet"]
    p = save(wb, tmp_path / "two.xlsx")
    r = load(ws, p)
    assert r.error is not None and "the table is on several sheets: 'January', 'February'" in r.error
    r = load(ws, p, sheet="January")
    assert r.ok and r.rows_accepted == 1 and ws.catalogue.get(r.dataset_id).attributes["sheet"] == "January"


def test_csv_with_a_header_block_reads_the_block_and_numbers_lines_as_in_the_file(ws: Workspace,
                                                                                  tmp_path: Path) -> None:
    p = tmp_path / "istv-block.csv"
    p.write_text("ISTV return\nReporting period start,01/01/2023\nReporting period end,31/01/2023\n"
                 "ED site code: SYN-CSV\n\n" + ",".join(TABLE) + "\n"
                 "06/01/2023 23:40,06/01/2023 23:05,Knife,,Pub,,18-24,M\n"
                 "07/02/2023 23:40,,Knife,,Pub,,18-24,M\n", encoding="utf-8")
    r = load(ws, p)
    assert r.ok, r.error
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (2, 1, 1)
    [got] = ws.engine().table("ed_istv", dataset_ids=[r.dataset_id]).to_pyarrow().to_pylist()
    assert (got["site_code"], got["source_row"]) == ("SYN-CSV", 7)
    assert quarantined(ws, r)[8].startswith("Arrival date time: '07/02/2023 23:40' is outside the reporting period")


@pytest.mark.parametrize("careful", [False, True])
def test_both_csv_readers_start_below_the_header_line(tmp_path: Path, careful: bool) -> None:
    from vrhub.ingest.csv_stream import read_batches
    from vrhub.ingest.files import SourceFile

    p = tmp_path / "x.csv"
    p.write_text('title\n\n"a","b"\n1,2\n3,4\n', encoding="utf-8")
    [batch] = list(read_batches(SourceFile(p), ["a", "b"], careful=careful, header_line=3))
    assert batch.table.column("a").to_pylist() == ["1", "3"] and batch.lines.tolist() == [4, 5]


def test_a_header_block_field_that_the_table_also_has_is_shadowed_by_the_column(ws: Workspace, tmp_path: Path) -> None:
    p = tmp_path / "istv-both.csv"
    p.write_text("ED site code,SYN-BLOCK\nReporting period start,01/01/2023\nReporting period end,31/01/2023\n"
                 "ED site code," + ",".join(TABLE) + "\nSYN-COLUMN,06/01/2023 23:40,,Knife,,Pub,,18-24,M\n",
                 encoding="utf-8")
    r = load(ws, p)
    assert r.ok and r.rows_accepted == 1, r.error
    [got] = ws.engine().table("ed_istv", dataset_ids=[r.dataset_id]).to_pyarrow().to_pylist()
    assert got["site_code"] == "SYN-COLUMN"
    assert ("the header block's 'ED site code' (row 1) is also a column of the table: the column's values were used"
            in r.warnings)
