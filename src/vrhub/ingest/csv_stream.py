"""Streaming CSV reading into Arrow batches of strings, with line numbers and bad rows kept.

Two readers share one interface:

* the fast path, ``pyarrow.csv.open_csv`` (serial, so that bad rows arrive with their line numbers), reads
  blocks of ``block_size`` bytes and never holds the whole file;
* the careful path, Python's ``csv`` module, for files the fast path cannot parse (an unterminated quote,
  a line break inside a field): slower, but it reads anything and knows every record's line.

Both yield ``CsvBatch``: a table of the file's columns as strings (empty cells are null), the line number
where each row starts (the header is line 1), and the rows that could not be split into the header's
columns, with their text and line. Nothing is dropped.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from vrhub.domain.errors import SourceError
from vrhub.ingest.files import SourceFile

BLOCK_SIZE = 4 << 20
CAREFUL_BATCH_ROWS = 50_000


@dataclass
class BadRow:
    line: int | None
    text: str
    reason: str


@dataclass
class CsvBatch:
    table: pa.Table
    lines: np.ndarray
    bad: list[BadRow] = field(default_factory=list)


class NeedsCarefulRead(Exception):
    """The fast reader cannot parse this file; read it again with the careful reader."""


class CountingReader:
    """Wraps a binary stream and counts the bytes read (for progress bars)."""

    def __init__(self, stream: BinaryIO, on_bytes: Callable[[int], None] | None = None) -> None:
        self._stream = stream
        self._on_bytes = on_bytes
        self.bytes_read = 0
        self.closed = False

    def read(self, n: int = -1) -> bytes:
        data = self._stream.read(n)
        self.bytes_read += len(data)
        if self._on_bytes is not None and data:
            self._on_bytes(len(data))
        return data

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self.closed = True


def sniff(source: SourceFile) -> tuple[list[str], str]:
    """Return the header's column names and the text encoding, or raise a SourceError saying why not."""
    with source.open() as f:
        head = f.read(64 * 1024)
    if not head:
        raise SourceError(source.display, "the file is empty (0 bytes)",
                          "check the export: a police.uk file always has a header line")
    kind = _binary_kind(head)
    if kind:
        raise SourceError(source.display, f"this is not a CSV text file: it looks like {kind}",
                          "export or download the data as CSV and load that file")
    encoding = "utf-8"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte character cut by our 64 KiB window
            text = head[: exc.start].decode("utf-8-sig")
        else:
            encoding = "cp1252"
            text = head.decode("cp1252", errors="replace")
    first = text.splitlines()[0] if text.splitlines() else ""
    if not first.strip():
        raise SourceError(source.display, "the first line is blank: there is no header",
                          "remove blank lines before the header and load again")
    header = next(csv.reader([first]))
    return [h.strip() for h in header], encoding


def _binary_kind(head: bytes) -> str | None:
    signatures = {
        b"PK\x03\x04": "a zip archive or Excel workbook (.xlsx)",
        b"%PDF": "a PDF document",
        b"\xd0\xcf\x11\xe0": "an old Excel/Office file (.xls)",
        b"\x89PNG": "a PNG image",
        b"\x1f\x8b": "a gzip-compressed file",
        b"PAR1": "a Parquet file",
    }
    for sig, what in signatures.items():
        if head.startswith(sig):
            return what
    if b"\x00" in head[:8192]:
        return "a binary file (it contains NUL bytes)"
    return None


def read_batches(
    source: SourceFile,
    header: list[str],
    *,
    encoding: str = "utf-8",
    careful: bool = False,
    block_size: int = BLOCK_SIZE,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[CsvBatch]:
    """Stream the file's data rows (after the header) as ``CsvBatch`` objects."""
    reader = _careful_batches if careful else _fast_batches
    yield from reader(source, header, encoding=encoding, block_size=block_size, on_bytes=on_bytes)


def _fast_batches(
    source: SourceFile, header: list[str], *, encoding: str, block_size: int,
    on_bytes: Callable[[int], None] | None,
) -> Iterator[CsvBatch]:
    bad: list[BadRow] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad.append(BadRow(row.number, row.text,
                          f"row has {row.actual_columns} fields, the header has {row.expected_columns}"))
        return "skip"

    names = _unique_names(header)
    with source.open() as raw:
        stream = CountingReader(raw, on_bytes)
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(
                    use_threads=False, block_size=block_size, encoding=encoding,
                    column_names=names, skip_rows=1,
                ),
                parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
                ),
            )
            next_line = 2
            for batch in reader:
                n = batch.num_rows
                step_bad, bad[:] = list(bad), []
                bad_lines = {b.line for b in step_bad if b.line is not None}
                lines = _good_lines(next_line, n, bad_lines)
                if n:
                    next_line = int(lines[-1]) + 1
                yield CsvBatch(pa.Table.from_batches([batch]), lines, step_bad)
            if bad:
                yield CsvBatch(_empty(names), np.empty(0, dtype=np.int64), list(bad))
        except pa.ArrowInvalid as exc:
            msg = str(exc)
            if "UTF8" in msg or "UTF-8" in msg or "utf-8" in msg:
                raise UnicodeError(msg) from exc
            raise NeedsCarefulRead(msg) from exc
        except pa.ArrowException as exc:
            raise NeedsCarefulRead(str(exc)) from exc


def _good_lines(start: int, n: int, bad_lines: set[int]) -> np.ndarray:
    """Line numbers of ``n`` good rows starting at ``start``, skipping the lines of bad rows."""
    if not bad_lines:
        return np.arange(start, start + n, dtype=np.int64)
    span = np.arange(start, start + n + len(bad_lines), dtype=np.int64)
    keep = span[~np.isin(span, np.fromiter(bad_lines, dtype=np.int64))]
    return keep[:n]


def _careful_batches(
    source: SourceFile, header: list[str], *, encoding: str, block_size: int,
    on_bytes: Callable[[int], None] | None,
) -> Iterator[CsvBatch]:
    names = _unique_names(header)
    width = len(names)
    with source.open() as raw:
        text_encoding = "utf-8-sig" if encoding == "utf-8" else encoding
        text = io.TextIOWrapper(CountingReader(raw, on_bytes), encoding=text_encoding, errors="strict", newline="")
        reader = csv.reader(text)
        next(reader, None)  # header
        cols: list[list[str | None]] = [[] for _ in names]
        lines: list[int] = []
        bad: list[BadRow] = []
        start_line = reader.line_num + 1
        for record in reader:
            line = start_line
            start_line = reader.line_num + 1
            if not record:
                continue
            if len(record) != width:
                bad.append(BadRow(line, ",".join(record)[:2000],
                                  f"row has {len(record)} fields, the header has {width}"))
            else:
                for i, value in enumerate(record):
                    cols[i].append(value if value != "" else None)
                lines.append(line)
            if len(lines) >= CAREFUL_BATCH_ROWS:
                yield _careful_batch(names, cols, lines, bad)
                cols, lines, bad = [[] for _ in names], [], []
        if lines or bad:
            yield _careful_batch(names, cols, lines, bad)


def _careful_batch(names: list[str], cols: list[list[str | None]], lines: list[int], bad: list[BadRow]) -> CsvBatch:
    table = pa.table({n: pa.array(c, type=pa.string()) for n, c in zip(names, cols, strict=True)})
    return CsvBatch(table, np.asarray(lines, dtype=np.int64), bad)


def _empty(names: list[str]) -> pa.Table:
    return pa.table({n: pa.array([], type=pa.string()) for n in names})


def _unique_names(header: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in header:
        name = h or "column"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out
