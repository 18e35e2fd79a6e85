"""Tables written for people to open: CSV or an Excel workbook (.xlsx), chosen by the file name.

CSV goes through :mod:`vrhub.report.csv_safe` (formula injection neutralised). The workbook is written with
openpyxl in write-only mode (rows are streamed to the file). Every text value is stored as a **text cell**
(``inlineStr``), never as a formula, so ``=HYPERLINK(...)`` in a partner's file stays the text it was and needs no
quote added. Excel's own limits (Microsoft, "Excel specifications and limits") are kept, and said:

* 1,048,576 rows a sheet: further rows go on a second sheet (``rows (2)``), under the same header;
* 32,767 characters a cell: a longer value is cut, with a note in the cell saying how long it was (the CSV has it
  whole);
* characters XML cannot hold (the control characters other than tab, line feed and carriage return, e.g. NUL)
  are shown as their Unicode control pictures (U+2400 + code: NUL becomes ␀).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from vrhub.domain.errors import VrhubError
from vrhub.report.csv_safe import write_csv

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
EXCEL_MAX_CELL_CHARS = 32_767
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_CUT_NOTE = " … [cut by vrhub: {n:,} characters in all, more than an Excel cell holds; the CSV export has all]"


def write_table_file(t: pa.Table, path: Path, *, sheet: str = "rows") -> None:
    """Write ``t`` to ``path`` as CSV (``.csv``) or an Excel workbook (``.xlsx``), with its folder if needed."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(t, path)
    elif suffix == ".xlsx":
        write_xlsx(t, path, sheet=sheet)
    else:
        raise VrhubError(f"{path}: cannot write a {suffix or 'suffix-less'} file",
                         "name the file .csv (text, any size) or .xlsx (Excel)")


def write_xlsx(t: pa.Table, path: Path, *, sheet: str = "rows", max_rows: int = EXCEL_MAX_ROWS) -> None:
    """Write ``t`` as a workbook: a header row, then one row per table row (over several sheets when longer than
    an Excel sheet, ``max_rows`` rows counting the header)."""
    from openpyxl import Workbook

    if t.num_columns > EXCEL_MAX_COLUMNS:
        raise VrhubError(f"{path}: the table has {t.num_columns:,} columns, more than an Excel sheet holds "
                         f"({EXCEL_MAX_COLUMNS:,})", "write a .csv file instead")
    path.parent.mkdir(parents=True, exist_ok=True)
    book = Workbook(write_only=True)
    ws = None
    used, sheets = max_rows, 0
    header = list(t.column_names)
    for row in _rows(t):
        if used >= max_rows:
            sheets += 1
            ws = book.create_sheet(sheet if sheets == 1 else f"{sheet} ({sheets})")
            ws.append([_cell(ws, h) for h in header])
            used = 1
        assert ws is not None
        ws.append([_cell(ws, v) for v in row])
        used += 1
    if ws is None:  # no rows: the header alone
        ws = book.create_sheet(sheet)
        ws.append([_cell(ws, h) for h in header])
    book.save(path)


def _rows(t: pa.Table) -> Iterator[list[Any]]:
    for batch in t.to_batches():
        columns = [c.to_pylist() for c in batch.columns]
        yield from (list(r) for r in zip(*columns, strict=True))


def _cell(ws: Any, value: Any) -> Any:
    """A value as a write-only cell: text always as text (never a formula), made fit for a cell."""
    from openpyxl.cell import WriteOnlyCell

    if not isinstance(value, str):
        return WriteOnlyCell(ws, value=value)
    text = _CONTROL.sub(lambda m: chr(0x2400 + ord(m.group())), value)
    if len(text) > EXCEL_MAX_CELL_CHARS:
        note = _CUT_NOTE.format(n=len(text))
        text = text[: EXCEL_MAX_CELL_CHARS - len(note)] + note
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    return cell
