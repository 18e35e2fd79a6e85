"""Streaming CSV reading into Arrow batches of strings, with line numbers and bad rows kept.

Two readers share one interface:

* the fast path, ``pyarrow.csv.open_csv`` (serial, so that bad rows arrive with their line numbers), reads
  blocks of ``block_size`` bytes and never holds the whole file;
* the careful path, Python's ``csv`` module, for files the fast path cannot parse (an unterminated quote,
  a line break inside a field, a row longer than a block): slower, but it reads anything and knows every record's
  line. It is fed one physical line at a time by :class:`vrhub.ingest.text_lines.TextLines`, which bounds memory
  whatever the input: a row longer than ``MAX_ROW_BYTES`` (a 10 MB field, a file that turns into NUL bytes) is set
  aside with its first ``RAW_KEPT_CHARS`` characters, the rest of it read and dropped, and reading goes on at the
  next line.

Both yield ``CsvBatch``: a table of the file's columns as strings (empty cells are null), the line number
where each row starts (the header is line 1), and the rows that could not be split into the header's
columns, with their original text and line. Nothing is dropped.

Encodings: ``encoding="utf-8"`` is strict (a byte sequence that is not UTF-8 raises ``UnicodeError``, and the
loader reads again); any other value (``"cp1252"``) decodes **each line** on its own: as UTF-8 when it is valid
UTF-8, else as Windows-1252 (the five bytes Windows-1252 leaves undefined become the C1 control characters, as
in the WHATWG Encoding Standard). A file that mixes the two (an export appended to by two programs) keeps its
UTF-8 lines intact ("Café" is not turned into "CafÃ©"), and ``ReadNotes.cp1252_lines`` counts the lines that
needed Windows-1252.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from vrhub.domain.errors import SourceError
from vrhub.ingest import text_lines
from vrhub.ingest.files import SourceFile
from vrhub.ingest.text_lines import MixedEncodingStream, ReadNotes, RowTooLong, TextLines, decode_lines

BLOCK_SIZE = 4 << 20
CAREFUL_BATCH_ROWS = 50_000
HEAD_BYTES = 64 << 10
#: The head of a file is read until it holds ``HEAD_LINES`` line breaks, up to this many bytes (a wide header).
MAX_HEAD_BYTES = 4 << 20
HEAD_LINES = 8


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
    """Wraps a binary stream and counts the bytes read (for progress bars).

    With ``window`` (bytes), it also bounds how far the reader may run ahead of the consumer: Arrow's streaming
    CSV reader reads blocks on a background thread up to 32 blocks ahead (``MakeBackgroundGenerator``'s
    default queue, not configurable from Python: ARROW-12090), which for 16 MiB blocks is up to 512 MiB held
    in memory. ``read`` waits while more than ``window`` bytes have been read beyond what the consumer has
    acknowledged with ``consumed``; after ``STALL_SECONDS`` without progress it reads anyway, so that it can
    never deadlock.
    """

    STALL_SECONDS = 10.0

    def __init__(
        self, stream: BinaryIO, on_bytes: Callable[[int], None] | None = None, *, window: int | None = None,
    ) -> None:
        self._stream = stream
        self._on_bytes = on_bytes
        self._window = window
        self._acknowledged = 0
        self._cond = threading.Condition()
        self.bytes_read = 0
        self.closed = False

    def read(self, n: int = -1) -> bytes:
        if self._window is not None:
            with self._cond:
                while not self.closed and self.bytes_read - self._acknowledged >= self._window:
                    if not self._cond.wait(timeout=self.STALL_SECONDS):
                        break
        data = self._stream.read(n)
        self.bytes_read += len(data)
        if self._on_bytes is not None and data:
            self._on_bytes(len(data))
        return data

    def consumed(self, n: int) -> None:
        """The consumer has used ``n`` more bytes: let the reader go on."""
        with self._cond:
            self._acknowledged += n
            self._cond.notify_all()

    def readable(self) -> bool:
        return True

    def writable(self) -> bool:  # io.TextIOWrapper (the careful reader) asks
        return False

    def seekable(self) -> bool:
        return False

    def flush(self) -> None:
        pass

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


def _head_bytes(source: SourceFile) -> tuple[bytes, bool]:
    """The first ``HEAD_BYTES`` of the file, or more (up to ``MAX_HEAD_BYTES``) when they hold fewer than
    ``HEAD_LINES`` line breaks: a header of thousands of columns is longer than the usual window. Also whether the
    file goes on beyond what was read."""
    with source.open() as f:
        head = f.read(HEAD_BYTES)
        while len(head) < MAX_HEAD_BYTES and _line_breaks(head) < HEAD_LINES:
            more = f.read(len(head))
            if not more:
                return head, False
            head += more
        return head, bool(f.read(1))


def _line_breaks(data: bytes) -> int:
    return data.count(b"\n") or data.count(b"\r")


def _head_text(source: SourceFile) -> tuple[str, str, bool]:
    """The first 64 KiB (or more, see ``_head_bytes``) as text, its encoding, and whether the file goes on."""
    head, more = _head_bytes(source)
    if not head:
        raise SourceError(source.display, "the file is empty (0 bytes)",
                          "check the export: a police.uk file always has a header line")
    kind = _binary_kind(head)
    if kind:
        raise SourceError(source.display, f"this is not a CSV text file: it looks like {kind}",
                          "export or download the data as CSV and load that file")
    if more and not _line_breaks(head):
        raise SourceError(source.display, f"the first {len(head):,} bytes hold no line break: the header (the first "
                          f"line) is longer than vrhub reads ({MAX_HEAD_BYTES:,} bytes), or this is not a CSV file",
                          "check the export: a CSV file has one header line naming its columns, then one line per row")
    encoding = "utf-8"
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:  # a multi-byte character cut by our window
            text = head[: exc.start].decode("utf-8-sig")
        else:
            encoding = "cp1252"
            text = decode_lines(head)
    return text, encoding, more


def sniff(source: SourceFile) -> tuple[list[str], str]:
    """Return the header's column names and the text encoding, or raise a SourceError saying why not."""
    text, encoding, _ = _head_text(source)
    first = text.splitlines()[0] if text.splitlines() else ""
    if not first.strip():
        raise SourceError(source.display, "the first line is blank: there is no header",
                          "remove blank lines before the header and load again")
    header = next(csv.reader([first]))
    return [h.strip() for h in header], encoding


def sniff_rows(source: SourceFile, max_rows: int = 40) -> tuple[list[list[str | None]], list[int], str]:
    """The first ``max_rows`` records (empty cells ``None``), the line where each starts, and the encoding.

    Used to find a table below a header block or title rows; a record cut by the head's window is left out.
    """
    text, encoding, more = _head_text(source)
    _allow_long_fields()
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str | None]] = []
    lines: list[int] = []
    start = 1
    try:
        for record in reader:
            rows.append([v.strip() or None for v in record])
            lines.append(start)
            start = reader.line_num + 1
            if len(rows) > max_rows:
                break
    except csv.Error:
        pass
    if more and len(rows) <= max_rows and rows:
        rows, lines = rows[:-1], lines[:-1]  # the last record may be cut short
    return rows[:max_rows], lines[:max_rows], encoding


def _allow_long_fields() -> None:
    """Let the ``csv`` module read fields as long as a row may be: its default limit (131,072 characters) raises
    ``csv.Error`` on a long field; vrhub bounds rows itself (``text_lines.MAX_ROW_BYTES``). The limit is
    process-wide: it is only ever raised, never lowered."""
    if csv.field_size_limit() < text_lines.MAX_ROW_BYTES:
        csv.field_size_limit(text_lines.MAX_ROW_BYTES)


def _binary_kind(head: bytes) -> str | None:
    signatures = {
        b"PK\x03\x04": "a zip archive or Excel workbook (.xlsx)",
        b"%PDF": "a PDF document",
        b"\xd0\xcf\x11\xe0": "an old Excel/Office file (.xls)",
        b"\x89PNG": "a PNG image",
        b"\x1f\x8b": "a gzip-compressed file",
        b"PAR1": "a Parquet file",
        b"\xff\xfe": "UTF-16 text (save it as 'CSV UTF-8' instead)",
        b"\xfe\xff": "UTF-16 text (save it as 'CSV UTF-8' instead)",
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
    block_size: int | None = None,
    on_bytes: Callable[[int], None] | None = None,
    header_line: int = 1,
    notes: ReadNotes | None = None,
) -> Iterator[CsvBatch]:
    """Stream the file's data rows (after the header, on line ``header_line``) as ``CsvBatch`` objects (blocks of
    ``BLOCK_SIZE`` bytes). Lines above the header (a header block, title rows) are not data and are not read.

    ``encoding`` is ``"utf-8"`` (strict: ``UnicodeError`` on other bytes) or ``"cp1252"`` (each line UTF-8 when it
    is valid UTF-8, else Windows-1252); ``notes`` collects what the user should be told."""
    reader = _careful_batches if careful else _fast_batches
    yield from reader(source, header, encoding=encoding, block_size=block_size or BLOCK_SIZE, on_bytes=on_bytes,
                      header_line=header_line, notes=notes if notes is not None else ReadNotes())


def _fast_batches(
    source: SourceFile, header: list[str], *, encoding: str, block_size: int,
    on_bytes: Callable[[int], None] | None, header_line: int, notes: ReadNotes,
) -> Iterator[CsvBatch]:
    # Arrow reports invalid rows while it parses, which may be a block or more ahead of the batch being
    # yielded: keep them pending until the batch whose line range holds them.
    reported: deque[BadRow] = deque()

    def on_invalid(row: pacsv.InvalidRow) -> str:
        reported.append(BadRow(row.number, row.text,
                               _width_reason(row.actual_columns, row.expected_columns, row.text.count('"') % 2 == 1)))
        return "skip"

    names = _unique_names(header)
    with source.open() as raw:
        text: BinaryIO = raw if encoding == "utf-8" else MixedEncodingStream(CountingReader(raw, on_bytes), notes)
        # Two blocks may be read ahead of the one being parsed (see CountingReader).
        stream = CountingReader(text, on_bytes if encoding == "utf-8" else None, window=3 * block_size)
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(
                    use_threads=False, block_size=block_size, encoding="utf-8",
                    column_names=names, skip_rows=header_line,
                ),
                parse_options=pacsv.ParseOptions(invalid_row_handler=on_invalid),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True,
                ),
            )
            next_line = header_line + 1
            pending: list[BadRow] = []
            for batch in reader:
                n = batch.num_rows
                while reported:
                    pending.append(reported.popleft())
                if _spans_lines(batch, pending):
                    # Line numbers here count records; only the careful reader knows where such a row starts.
                    raise NeedsCarefulRead("a quoted value spans several lines")
                lines = _good_lines(next_line, n, {b.line for b in pending if b.line is not None})
                end = int(lines[-1]) if n else next_line - 1
                step_bad = [b for b in pending if b.line is None or b.line <= end]
                pending = [b for b in pending if b.line is not None and b.line > end]
                next_line = end + 1
                stream.consumed(block_size)
                yield CsvBatch(pa.Table.from_batches([batch]), lines, step_bad)
            pending += reported
            if pending:
                yield CsvBatch(_empty(names), np.empty(0, dtype=np.int64), pending)
        except pa.ArrowInvalid as exc:
            msg = str(exc)
            if "UTF8" in msg or "UTF-8" in msg or "utf-8" in msg:
                raise UnicodeError(msg) from exc
            raise NeedsCarefulRead(_plain(msg, block_size)) from exc
        except pa.ArrowException as exc:
            raise NeedsCarefulRead(_plain(str(exc), block_size)) from exc
        finally:
            stream.close()  # wakes a reader thread waiting for the window


def _plain(arrow_message: str, block_size: int) -> str:
    """Arrow's parse error in the user's words, where we know them."""
    if "straddl" in arrow_message:
        return f"a row is longer than the fast reader's block of {block_size:,} bytes"
    return arrow_message


def _width_reason(actual: int, expected: int, open_quote: bool) -> str:
    reason = f"row has {actual} fields, the header has {expected}"
    if open_quote:
        reason += (" (a quote \" opened in this row is never closed, so the lines after it were read as part of "
                   "this row; the file may be cut short)")
    return reason


def _spans_lines(batch: pa.RecordBatch, bad: list[BadRow]) -> bool:
    """Whether any value (or bad row) of the batch contains a line break."""
    if any("\n" in b.text or "\r" in b.text for b in bad):
        return True
    for col in batch.columns:
        data = col.buffers()[2] if col.type == pa.string() else None
        if data is None:
            continue
        raw = data.to_pybytes()  # the column's characters, in one buffer: a byte scan is ~50x a regex kernel
        if b"\n" in raw or b"\r" in raw:
            return True
    return False


def _good_lines(start: int, n: int, bad_lines: set[int]) -> np.ndarray:
    """Line numbers of ``n`` good rows starting at ``start``, skipping the lines of bad rows."""
    if not bad_lines:
        return np.arange(start, start + n, dtype=np.int64)
    span = np.arange(start, start + n + len(bad_lines), dtype=np.int64)
    keep = span[~np.isin(span, np.fromiter(bad_lines, dtype=np.int64))]
    return keep[:n]


def _careful_batches(
    source: SourceFile, header: list[str], *, encoding: str, block_size: int,
    on_bytes: Callable[[int], None] | None, header_line: int, notes: ReadNotes,
) -> Iterator[CsvBatch]:
    names = _unique_names(header)
    width = len(names)
    _allow_long_fields()
    with source.open() as raw:
        lines = TextLines(CountingReader(raw, on_bytes), fallback=encoding != "utf-8", notes=notes)
        reader = csv.reader(lines)
        cols: list[list[str | None]] = [[] for _ in names]
        good: list[int] = []
        bad: list[BadRow] = []
        while True:
            lines.start_record()
            try:
                record = next(reader)
            except StopIteration:
                break
            except RowTooLong as exc:
                if lines.record_start > header_line:
                    bad.append(BadRow(lines.record_start, lines.record_text(), _long_reason(exc.size)))
                continue
            except csv.Error as exc:  # not expected with the csv module's defaults; kept as a bad row all the same
                if lines.record_start > header_line:
                    bad.append(BadRow(lines.record_start, lines.record_text(), f"cannot be split into fields ({exc})"))
                continue
            if lines.record_start <= header_line or not record:  # the header and what is above it; blank lines
                continue
            if len(record) != width:
                text = lines.record_text()
                bad.append(BadRow(lines.record_start, text,
                                  _width_reason(len(record), width, "\n" in text or "\r" in text)))
            else:
                for i, value in enumerate(record):
                    cols[i].append(value if value != "" else None)
                good.append(lines.record_start)
            if len(good) + len(bad) >= CAREFUL_BATCH_ROWS:
                yield _careful_batch(names, cols, good, bad)
                cols, good, bad = [[] for _ in names], [], []
        if good or bad:
            yield _careful_batch(names, cols, good, bad)


def _long_reason(size: int) -> str:
    return (f"the row is {size:,} bytes long or more; vrhub reads rows of up to {text_lines.MAX_ROW_BYTES:,} bytes "
            "(a field this long is not data: the export may be damaged, or binary data was appended to the file); "
            "only its start is kept here")


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
