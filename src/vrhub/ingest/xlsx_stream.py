"""Excel workbooks (.xlsx, .xlsm) as partners export them, read into the same batches as CSV files.

This is the one place where a worksheet becomes Arrow: ``sheet_heads`` gives the first rows of every sheet
(so that the loader can find the table, as it does in a CSV file) and ``read_sheet_batches`` streams the rows
below the header as :class:`vrhub.ingest.csv_stream.CsvBatch` objects: a table of strings (empty cells null),
the **Excel row number** of each row (what the user sees in Excel) and the rows set aside with a reason.

The workbook is read with openpyxl in read-only mode (rows are streamed, never the whole sheet in memory), with
``data_only=True`` (the values Excel last calculated, never the formulas). Cells become text as a person reads
them: a date cell ``2024-04-01``, a date-time cell ``2024-04-01 23:40:00`` (decided by the cell's number format,
so that an arrival at midnight keeps its time), whole numbers without ``.0``.

Merged cells: openpyxl's read-only mode does not report merged ranges, so they are read from the worksheet's
``<mergeCells>`` element (ECMA-376 Part 1, §18.3.1.55) with a streaming XML parse. A range in **one column over
several data rows** (a site code or a date merged down a block of attendances) is filled down with the value of
its top cell, and a note says so; a range **across columns** in the data, or one that joins the header to the
data, is ambiguous: each row it touches is set aside with a message naming the sheet, the cells and the columns.
A merged header cell across columns makes the file unreadable (a column with no name): the whole file is refused.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from vrhub.domain.errors import SourceError
from vrhub.ingest.csv_stream import BadRow, CsvBatch
from vrhub.ingest.files import SourceFile

XLSX_SUFFIXES = (".xlsx", ".xlsm")
BATCH_ROWS = 50_000
HEAD_ROWS = 40
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_TIME_FORMAT = re.compile(r"(?<![a-z])(h|hh|s|ss)(?![a-z])|am/pm")


def is_xlsx(file: SourceFile) -> bool:
    """Whether the file is an Excel workbook (by its name: .xlsx or .xlsm)."""
    return (file.member or file.path.name).lower().endswith(XLSX_SUFFIXES)


@dataclass(frozen=True)
class Merge:
    """A merged range: 1-based first/last row and column, and its A1 reference."""

    ref: str
    min_row: int
    max_row: int
    min_col: int
    max_col: int


@dataclass
class SheetNotes:
    """What reading a sheet did that the user should know: fills, blank rows."""

    filled: list[str] = field(default_factory=list)
    blank_rows: int = 0


def column_letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(col)


def _open(file: SourceFile) -> Any:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        target: Any = file.path if file.member is None else io.BytesIO(file.open().read())
        return openpyxl.load_workbook(target, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise SourceError(file.display, f"is not a readable Excel workbook ({exc})",
                          "open it in Excel and save it again as .xlsx (or export the sheet as CSV)") from exc


def cell_text(value: object, number_format: str | None = None) -> str | None:
    """A cell as the text a person reads; ``None`` for an empty cell."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        fmt = (number_format or "").lower()
        has_time = bool(_TIME_FORMAT.search(re.sub(r'"[^"]*"', "", fmt))) if fmt else True
        if not has_time and value.time() == dt.time():
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, float):
        if value != value:
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value)
    return text if text.strip() else None


def _row_texts(cells: tuple[Any, ...]) -> list[str | None]:
    return [cell_text(getattr(c, "value", None), getattr(c, "number_format", None)) for c in cells]


def sheet_heads(file: SourceFile, max_rows: int = HEAD_ROWS) -> dict[str, list[list[str | None]]]:
    """The first ``max_rows`` rows (as text) of every worksheet, by sheet name; row ``i`` is Excel row ``i + 1``."""
    book = _open(file)
    try:
        heads: dict[str, list[list[str | None]]] = {}
        for ws in book.worksheets:
            if not hasattr(ws, "iter_rows"):  # a chart sheet
                continue
            ws.reset_dimensions()  # read every row, whatever size the file claims
            rows = []
            for cells in ws.iter_rows(max_row=max_rows):
                rows.append(_row_texts(cells))
            heads[ws.title] = rows
        return heads
    finally:
        book.close()


def merged_ranges(file: SourceFile, sheet: str) -> list[Merge]:
    """The merged ranges of ``sheet``, read from the worksheet XML (openpyxl's read-only mode does not keep them)."""
    from openpyxl.utils.cell import range_boundaries

    book = _open(file)
    try:
        ws = book[sheet]
        out = []
        with ws._get_source() as src:  # the sheet's XML part, streamed (openpyxl ReadOnlyWorksheet)
            for _, el in ET.iterparse(src, events=("end",)):
                if el.tag == f"{_MAIN_NS}mergeCell":
                    ref = el.get("ref", "")
                    min_col, min_row, max_col, max_row = range_boundaries(ref)
                    out.append(Merge(ref, min_row, max_row, min_col, max_col))
                elif el.tag == f"{_MAIN_NS}row":
                    el.clear()  # keep memory flat on large sheets
        return out
    finally:
        book.close()


def check_header_merges(file: SourceFile, header_row: int, header: list[str], merges: list[Merge]) -> None:
    """Refuse a header whose cells are merged across columns: one of those columns would have no name."""
    for m in merges:
        if m.min_row <= header_row <= m.max_row and m.max_col > m.min_col and m.min_col <= len(header):
            names = [header[c - 1] if c - 1 < len(header) else "" for c in range(m.min_col, m.max_col + 1)]
            raise SourceError(
                file.display,
                f"row {header_row} (the header) has cells {m.ref} merged across {m.max_col - m.min_col + 1} columns "
                f"(header text {', '.join(repr(n) for n in names if n) or 'empty'}): a merged header leaves columns "
                "without a name",
                "unmerge the header cells in Excel and give every column its own header, then load the file again",
            )


def read_sheet_batches(
    file: SourceFile,
    sheet: str,
    header_row: int,
    header: list[str],
    names: list[str],
    *,
    merges: list[Merge] | None = None,
    notes: SheetNotes | None = None,
    batch_rows: int = BATCH_ROWS,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[CsvBatch]:
    """Stream the rows below ``header_row`` of ``sheet`` as batches with columns ``names`` (one per header cell).

    Wholly blank rows are skipped and counted in ``notes``; a row with values beyond the last header column, or
    touched by an ambiguous merged range, is a bad row (kept with its text and the reason).
    """
    notes = notes if notes is not None else SheetNotes()
    width = len(header)
    fills: dict[int, tuple[Merge, str | None]] = {}  # col -> (merge, value) for ranges being filled down
    fill_counts: dict[str, int] = {}
    ambiguous: dict[int, str] = {}
    starts: dict[tuple[int, int], Merge] = {}
    for m in merges or []:
        if m.max_row <= header_row or m.min_col > width:
            continue
        cols = [header[c - 1] or column_letter(c) for c in range(m.min_col, min(m.max_col, width) + 1)]
        if m.min_row <= header_row:
            reason = (f"sheet '{sheet}', cells {m.ref} are merged with the header row {header_row} (column "
                      f"'{cols[0]}'): the value of these rows is unclear; unmerge the cells and fill in each row")
            for r in range(header_row + 1, m.max_row + 1):
                ambiguous.setdefault(r, reason)
        elif m.max_col > m.min_col:
            rows = f"row {m.min_row}" if m.min_row == m.max_row else f"rows {m.min_row}-{m.max_row}"
            reason = (f"sheet '{sheet}', {rows}: cells {m.ref} are merged across the columns "
                      + ", ".join(f"'{c}'" for c in cols)
                      + ": which column the value belongs to is unclear; unmerge the cells and give each column its "
                      "own value")
            for r in range(m.min_row, m.max_row + 1):
                ambiguous.setdefault(r, reason)
        else:
            starts[(m.min_row, m.min_col)] = m

    book = _open(file)
    try:
        ws = book[sheet]
        ws.reset_dimensions()
        cols: list[list[str | None]] = [[] for _ in names]
        lines: list[int] = []
        bad: list[BadRow] = []
        row_number = header_row
        for cells in ws.iter_rows(min_row=header_row + 1):
            row_number += 1
            values = _row_texts(cells)
            blank = all(v is None for v in values)
            for c in [c for c, (m, _) in fills.items() if row_number > m.max_row]:
                del fills[c]
            for c0 in range(1, width + 1):
                m = starts.get((row_number, c0))
                if m is not None:
                    fills[c0] = (m, values[c0 - 1] if c0 - 1 < len(values) else None)
            if blank:  # a wholly empty row (also inside a merged range: the merge does not make it data)
                notes.blank_rows += 1
                continue
            if len(values) < width:
                values += [None] * (width - len(values))
            for c0, (m, v) in fills.items():
                if row_number > m.min_row and values[c0 - 1] is None and v is not None:
                    values[c0 - 1] = v
                    fill_counts[m.ref] = fill_counts.get(m.ref, 0) + 1
            extra = [(i, v) for i, v in enumerate(values[width:], start=width + 1) if v is not None]
            if row_number in ambiguous:
                bad.append(BadRow(row_number, _text(values), ambiguous[row_number]))
            elif extra:
                bad.append(BadRow(row_number, _text(values),
                                  f"sheet '{sheet}', row {row_number}: cell {column_letter(extra[0][0])}{row_number} "
                                  f"has a value beyond the last header column ({column_letter(width)}): add a header "
                                  "for it or clear it"))
            else:
                for i in range(width):
                    cols[i].append(values[i])
                lines.append(row_number)
            if len(lines) + len(bad) >= batch_rows:
                yield _batch(names, cols, lines, bad)
                cols, lines, bad = [[] for _ in names], [], []
        if lines or bad:
            yield _batch(names, cols, lines, bad)
    finally:
        book.close()
    if on_bytes is not None:
        on_bytes(file.size())
    for m in merges or []:
        if m.ref in fill_counts:
            notes.filled.append(
                f"sheet '{sheet}': merged cells {m.ref} (column '{header[m.min_col - 1]}') were filled down with the "
                f"value of {column_letter(m.min_col)}{m.min_row} into {fill_counts[m.ref]} row(s)")


def _text(values: list[str | None]) -> str:
    return ",".join("" if v is None else v for v in values)[:2000]


def _batch(names: list[str], cols: list[list[str | None]], lines: list[int], bad: list[BadRow]) -> CsvBatch:
    table = pa.table({n: pa.array(c, type=pa.string()) for n, c in zip(names, cols, strict=True)})
    return CsvBatch(table, np.asarray(lines, dtype=np.int64), bad)
