"""Find the table in an area-attribute file as published: below a title preamble (Nomis), on the sheet that has
it (IoD workbooks put notes first), or on several sheets (ONS mid-year estimates: one sheet per year).

The header is the first row, within the first ``HEADER_SEARCH_ROWS`` rows, that has an LSOA code column as some
publisher names it (``attribute_layouts.CODE_HEADERS``). A file without one is refused, naming the columns
looked for. Wholly blank rows (Nomis files end with several) are not data and are skipped.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from vrhub.domain.errors import SourceError
from vrhub.ingest.files import SourceFile
from vrhub.ingest.geography.attribute_layouts import CODE_HEADERS_SHOWN, code_column

HEADER_SEARCH_ROWS = 50
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@dataclass
class RawTable:
    """One table of a file: its header, its rows (with their row number in the file or sheet), where it was."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    code_index: int
    lsoa_vintage: int | None
    sheet: str | None = None
    preamble: list[str] = field(default_factory=list)


def read_tables(file: SourceFile) -> list[RawTable]:
    """Every table of the file (one for a CSV; one per sheet that has a header for a workbook)."""
    suffix = "." + file.name.rsplit(".", 1)[-1].lower() if "." in file.name else ""
    if suffix in XLSX_SUFFIXES:
        return _workbook_tables(file)
    with file.open() as f:
        data = f.read()
    if not data.strip():
        raise SourceError(file.display, "the file is empty", "check the download")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    table = _find_table(rows, None)
    if table is None:
        raise SourceError(file.display, f"no LSOA code column was found: looked for {CODE_HEADERS_SHOWN} in the first "
                          f"{HEADER_SEARCH_ROWS} rows (first row: {_shown(rows[0] if rows else [])})",
                          "the file needs one row per LSOA and a column of LSOA codes; give the file as published")
    return [table]


def _workbook_tables(file: SourceFile) -> list[RawTable]:
    from openpyxl import load_workbook

    with file.open() as f:
        wb = load_workbook(io.BytesIO(f.read()), read_only=True, data_only=True)
    try:
        tables, looked = [], []
        for sheet in wb.worksheets:
            rows = [["" if v is None else _cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            looked.append(sheet.title)
            table = _find_table(rows, sheet.title)
            if table is not None:
                tables.append(table)
    finally:
        wb.close()
    if not tables:
        raise SourceError(file.display, f"no sheet has an LSOA code column: looked for {CODE_HEADERS_SHOWN} in the "
                          f"first {HEADER_SEARCH_ROWS} rows of the sheets {', '.join(repr(s) for s in looked)}",
                          "check this is a workbook with one row per LSOA (an IoD file or ONS population estimates)")
    return tables


def _cell(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _find_table(rows: list[list[str]], sheet: str | None) -> RawTable | None:
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = code_column(row)
        if found is None:
            continue
        width = max((j for j, c in enumerate(row) if c.strip()), default=-1) + 1
        header = [c.strip() for c in row[:width]]
        body = []
        for n, r in enumerate(rows[i + 1:], start=i + 2):
            if any(c.strip() for c in r):
                # trailing empty cells of a worksheet row are not fields
                body.append((n, r[:width] if len(r) > width and not any(c.strip() for c in r[width:]) else r))
        preamble = [",".join(c for c in r if c.strip()) for r in rows[:i] if any(c.strip() for c in r)]
        return RawTable(header, body, found[0], found[1], sheet, preamble)
    return None


def _shown(row: list[str]) -> str:
    cells = [c for c in row if c.strip()][:8]
    return ", ".join(repr(c) for c in cells) or "(blank)"
