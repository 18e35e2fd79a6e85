"""Tables written as Excel workbooks: text stays text, Excel's limits are kept and said."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from openpyxl import load_workbook

from vrhub.report.table_export import EXCEL_MAX_CELL_CHARS, write_table_file, write_xlsx


def read(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(path)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}


def test_rows_beyond_a_sheet_go_on_the_next_sheet_under_the_same_header(tmp_path: Path) -> None:
    t = pa.table({"n": list(range(7)), "text": [f"r{i}" for i in range(7)]})
    out = tmp_path / "t.xlsx"
    write_xlsx(t, out, sheet="rows", max_rows=3)  # a header and two rows a sheet
    got = read(out)
    assert list(got) == ["rows", "rows (2)", "rows (3)", "rows (4)"]
    assert all(rows[0] == ("n", "text") for rows in got.values())
    assert [r for rows in got.values() for r in rows[1:]] == [(i, f"r{i}") for i in range(7)]


def test_a_value_longer_than_a_cell_is_cut_with_a_note_and_control_characters_are_shown(tmp_path: Path) -> None:
    long = "x" * (EXCEL_MAX_CELL_CHARS + 5)
    t = pa.table({"raw": [long, None, "a\x00b\x1fc\td"]})
    out = tmp_path / "t.xlsx"
    write_table_file(t, out)
    rows = read(out)["rows"]
    cut = rows[1][0]
    assert isinstance(cut, str) and len(cut) == EXCEL_MAX_CELL_CHARS
    assert cut.endswith(f"[cut by vrhub: {EXCEL_MAX_CELL_CHARS + 5:,} characters in all, more than an Excel cell "
                        "holds; the CSV export has all]")
    assert rows[2] == (None,)
    assert rows[3][0] == "a\u2400b\u241fc\td"  # NUL and US as their control pictures; a tab is kept


def test_an_empty_table_is_a_header_row(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    write_table_file(pa.table({"a": pa.array([], pa.string())}), out)
    assert read(out) == {"rows": [("a",)]}
