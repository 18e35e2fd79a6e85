"""Where the table is in a partner's file: title rows, a header block, then the header and the data.

Departments and councils rarely send a bare table. An ISTV return often starts with a title and a **header
block** — the reporting period and the ED site code given once, one per row — and only then the table:

    ISTV return, Medway Maritime Hospital            <- title row
    Reporting period start | 01/04/2024              <- header block: label, value
    Reporting period end   | 30/04/2024
    ED site code           | SYN-MMH
                                                     <- blank
    Arrival date time | Assault date time | ...      <- the header
    06/04/2024 23:40  | ...                          <- data

The loader finds the header (the first row whose cells, with the block's labels, fit a source), reads the block
into **constant columns** (the source then checks them as if they were repeated on every row, so a bad period is
reported the same way), and says what it did with every row above the table. This works the same for CSV files and
Excel sheets; the readers (``csv_stream``, ``xlsx_stream``) only need the header's line or row number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pyarrow as pa

from vrhub.ingest.csv_stream import CsvBatch, _unique_names, read_batches, sniff_rows
from vrhub.ingest.files import SourceFile
from vrhub.ingest.text_lines import ReadNotes
from vrhub.ingest.xlsx_stream import (
    SheetNotes,
    check_header_merges,
    is_xlsx,
    merged_ranges,
    read_sheet_batches,
    sheet_heads,
)

HEAD_ROWS = 40
MAX_SHOWN = 60


@dataclass
class Head:
    """The first rows of a CSV file or of one worksheet, as text (empty cells ``None``)."""

    rows: list[list[str | None]]
    lines: list[int]  # the line (CSV) or Excel row number of each row
    encoding: str  # "utf-8", "cp1252", or "xlsx"
    sheet: str | None = None


@dataclass(frozen=True)
class BlockField:
    """One 'label: value' row of a header block."""

    label: str
    value: str
    row: int


@dataclass
class Layout:
    """Where the table is: the header's row, its cells, and the header-block fields used as constant columns."""

    header_row: int
    header: list[str]
    block: list[BlockField] = field(default_factory=list)
    above: list[BlockField] = field(default_factory=list)  # every 'label: value' row above the header
    titles: list[tuple[int, str]] = field(default_factory=list)
    sheet: str | None = None
    encoding: str = "utf-8"
    shadowed: list[BlockField] = field(default_factory=list)  # block fields the table also has as a column

    @property
    def columns(self) -> list[str]:
        """The file's header and then the block fields' labels: what the source maps."""
        return self.header + [f.label for f in self.block]

    def notes(self) -> list[str]:
        out = []
        if self.titles:
            out.append("title row(s) above the table were not data: " + "; ".join(
                f"row {r} '{_short(t)}'" for r, t in self.titles))
        if self.block:
            out.append("the header block gave " + "; ".join(f"'{f.label}' = '{_short(f.value)}' (row {f.row})"
                                                          for f in self.block)
                       + ": each applies to every row of the table")
        if self.shadowed:
            out.append("the header block's " + ", ".join(f"'{f.label}' (row {f.row})" for f in self.shadowed)
                       + " is also a column of the table: the column's values were used")
        used = {f.row for f in self.block} | {f.row for f in self.shadowed}
        unused = [f for f in self.above if f.row not in used]
        if unused:  # the values are not repeated: a header block may name a person ("Prepared by")
            out.append("rows above the table not used by vrhub: " + ", ".join(f"row {f.row} '{_short(f.label)}'"
                                                                            for f in unused))
        return out


def _short(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…"


def header_cells(row: list[str | None]) -> list[str]:
    """A row as header names: stripped, trailing empty cells dropped."""
    cells = [(c or "").strip() for c in row]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def parse_block(rows: list[list[str | None]], lines: list[int]) -> tuple[list[BlockField], list[tuple[int, str]]]:
    """Rows above a table as 'label: value' fields and title rows.

    A row with two filled cells is a label and its value; a row with one cell is ``Label: value`` when it has a
    colon followed by a value, otherwise a title; blank rows are nothing. Rows with more cells are titles too
    (their text is shown, never used).
    """
    fields: list[BlockField] = []
    titles: list[tuple[int, str]] = []
    for row, line in zip(rows, lines, strict=True):
        cells = [c.strip() for c in row if c is not None and c.strip()]
        if not cells:
            continue
        if len(cells) == 2:
            fields.append(BlockField(cells[0].rstrip(":").strip(), cells[1], line))
            continue
        if len(cells) == 1:
            m = re.match(r"^([A-Za-z][^:]{1,60}):\s*(\S.*)$", cells[0])
            if m:
                fields.append(BlockField(m.group(1).strip(), m.group(2).strip(), line))
                continue
        titles.append((line, " ".join(cells)))
    return fields, titles


def read_heads(file: SourceFile, sheet: str | None = None) -> list[Head]:
    """The head of a CSV file, or of each worksheet of a workbook (only ``sheet`` if given)."""
    if is_xlsx(file):
        from vrhub.domain.errors import SourceError

        heads = sheet_heads(file, HEAD_ROWS)
        if sheet is not None:
            if sheet not in heads:
                raise SourceError(file.display, f"has no sheet '{sheet}'",
                                  "the sheets are " + ", ".join(f"'{s}'" for s in heads))
            heads = {sheet: heads[sheet]}
        return [Head(rows, list(range(1, len(rows) + 1)), "xlsx", name) for name, rows in heads.items()]
    rows, lines, encoding = sniff_rows(file, HEAD_ROWS)
    return [Head(rows, lines, encoding)]


def candidate(head: Head, i: int) -> tuple[list[str], list[BlockField], list[tuple[int, str]]]:
    """Row ``i`` as a header, and the block fields and titles above it."""
    fields, titles = parse_block(head.rows[:i], head.lines[:i])
    return header_cells(head.rows[i]), fields, titles


def table_batches(
    file: SourceFile, layout: Layout, *, careful: bool = False, on_bytes: Callable[[int], None] | None = None,
    sheet_notes: SheetNotes | None = None, read_notes: ReadNotes | None = None,
) -> Iterator[CsvBatch]:
    """The data rows below the header, with the header block's fields added as constant columns."""
    names = _unique_names(layout.header)
    if layout.sheet is not None:
        merges = merged_ranges(file, layout.sheet)
        check_header_merges(file, layout.header_row, layout.header, merges)
        batches = read_sheet_batches(file, layout.sheet, layout.header_row, layout.header, names, merges=merges,
                                     notes=sheet_notes, on_bytes=on_bytes)
    else:
        batches = read_batches(file, layout.header, encoding=layout.encoding, careful=careful, on_bytes=on_bytes,
                               header_line=layout.header_row, notes=read_notes)
    for batch in batches:
        if layout.block:
            n = batch.table.num_rows
            t = batch.table
            for f in layout.block:
                t = t.append_column(f.label, pa.array([f.value] * n, pa.string()))
            batch = CsvBatch(t, batch.lines, batch.bad)
        yield batch
