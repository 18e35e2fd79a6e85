"""Fuzzing the CSV readers (issue 13, 'Done when'): random bytes, huge fields, odd encodings, delimiters and line
endings never make vrhub raise anything but its own errors, and every load reconciles: rows read = accepted +
quarantined, and those are the rows in the lake (counted back from the Parquet files, not from the report).

The row limit, the fast reader's block and the careful reader's chunk are made small here so that a few kilobytes
exercise what megabytes would in real files: a row over the limit, a row straddling blocks, a CR LF split between
two chunks."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from vrhub_testkit import STREET_HEADER, open_workspace, street_row

import vrhub.ingest.csv_stream as csv_stream
import vrhub.ingest.text_lines as text_lines
from vrhub.ingest.files import SourceFile
from vrhub.ingest.loader import UNEXPECTED_HINT, LoadResult, load_file
from vrhub.ingest.police_uk import SOURCES
from vrhub.store.workspace import Workspace

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROW_LIMIT = 8 << 10  # the careful reader's row limit here (4 MiB in use)


@pytest.fixture(scope="module")
def small_limits() -> Iterator[None]:
    saved = text_lines.MAX_ROW_BYTES, csv_stream.BLOCK_SIZE, text_lines._CHUNK, text_lines.RAW_KEPT_CHARS
    text_lines.MAX_ROW_BYTES, csv_stream.BLOCK_SIZE, text_lines._CHUNK, text_lines.RAW_KEPT_CHARS = (
        ROW_LIMIT, 8 << 10, 61, 500)
    yield
    text_lines.MAX_ROW_BYTES, csv_stream.BLOCK_SIZE, text_lines._CHUNK, text_lines.RAW_KEPT_CHARS = saved


@pytest.fixture(scope="module")
def fuzz_ws(tmp_path_factory: pytest.TempPathFactory, small_limits: None) -> Workspace:
    ws = open_workspace(tmp_path_factory.mktemp("fuzz") / "home")
    for s in SOURCES:
        ws.catalogue.ensure_kind(s.kind, s.label, s.schema_version)
    return ws


def load(ws: Workspace, data: bytes, name: str = "2018-10-kent-street.csv") -> LoadResult:
    folder = Path(tempfile.mkdtemp(dir=ws.home))
    path = folder / name
    path.write_bytes(data)
    return load_file(ws, SourceFile(path), SOURCES)  # must not raise, whatever the bytes


def assert_reconciled(ws: Workspace, r: LoadResult) -> None:
    """Only vrhub's own errors; otherwise read = accepted + quarantined = the rows in the lake."""
    if r.error is not None:
        assert UNEXPECTED_HINT not in r.error, r.error  # not a fault of vrhub's own
        assert "could not be read (" not in r.error, r.error  # not a library error passed through
        assert "What to do:" in r.error
        return
    assert r.rows_read == r.rows_accepted + r.rows_quarantined
    d = ws.catalogue.get(r.dataset_id or "")
    assert d is not None and (d.rows_read, d.rows_accepted, d.rows_quarantined) == (
        r.rows_read, r.rows_accepted, r.rows_quarantined)
    in_lake = {part: sum(pq.read_metadata(p).num_rows for p in ws.lake.files(d.lake_path, part))
               for part in ("data", "quarantine")}
    assert in_lake == {"data": r.rows_accepted, "quarantine": r.rows_quarantined}


HEADER_LINE = (",".join(STREET_HEADER) + "\n").encode()


@SETTINGS
@given(body=st.binary(max_size=3000), with_header=st.booleans())
def test_random_bytes(fuzz_ws: Workspace, body: bytes, with_header: bool) -> None:
    r = load(fuzz_ws, (HEADER_LINE if with_header else b"") + body)
    assert_reconciled(fuzz_ws, r)


CELLS = st.one_of(
    st.sampled_from(["2018-10", "Burglary", "0.522", "51.272", "E01024000", "", "No Location", "9999-12"]),
    st.text(max_size=12),  # any Unicode, quotes, commas, line breaks, NUL
    st.integers(min_value=9_000, max_value=20_000).map(lambda n: "x" * n),  # over the (small) row limit
)


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, int | None, bool]:
    """A police.uk street file written by ``csv.writer``: its bytes; its number of records as Python's ``csv``
    module reads the text (None when a record is near or over the row limit: such a row is cut short, and the
    lines after the cut are read afresh); and whether vrhub must read it (comma-separated, ASCII-compatible)."""
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        row = list(street_row().values())
        for i in draw(st.lists(st.integers(0, len(row) - 1), max_size=3)):
            row[i] = draw(CELLS)
        width = draw(st.sampled_from([len(row)] * 6 + [len(row) - 2, len(row) + 1]))  # now and then a bad width
        rows.append([*row, "extra"][:width])
    delimiter = draw(st.sampled_from([","] * 5 + [";", "\t", "|"]))
    ending = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "mac_roman", "utf-16"]))
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=delimiter, lineterminator=ending)
    w.writerow(STREET_HEADER)
    w.writerows(rows)
    readable = delimiter == "," and encoding != "utf-16"
    text = buf.getvalue()
    # An independent count: with a CR line ending, csv.writer leaves a LF inside a field unquoted, so a "row" can
    # be several records; Python's csv module says how many there are.
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if r][1:]
    short = all(sum(2 * len(f.encode(encoding, errors="replace")) + 3 for f in r) < ROW_LIMIT for r in records)
    return text.encode(encoding, errors="replace"), len(records) if short else None, readable


@SETTINGS
@given(case=csv_files())
def test_csv_files_with_huge_fields_odd_encodings_delimiters_and_line_endings(
        fuzz_ws: Workspace, case: tuple[bytes, int | None, bool]) -> None:
    data, records, readable = case
    r = load(fuzz_ws, data)
    assert_reconciled(fuzz_ws, r)
    if readable:  # every record is one row read: accepted, or quarantined with its reason
        assert r.error is None, r.error
        assert records is None or r.rows_read == records
    else:
        assert r.error is not None  # not a police.uk file in this form: refused as a whole, with what to do


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=400).map(lambda b: b.replace(b"x", b"\r")),  # plenty of CR, LF, CR LF
       chunk=st.integers(1, 17))
def test_physical_lines_match_the_standard_library_at_every_chunk_size(data: bytes, chunk: int) -> None:
    """The careful reader's own line splitting, chunk by chunk, against ``bytes.splitlines`` on the whole input."""
    saved = text_lines._CHUNK
    text_lines._CHUNK = chunk
    try:
        lines = list(text_lines.TextLines(io.BytesIO(data), fallback=True, notes=text_lines.ReadNotes(),
                                          max_row=1 << 20))
    finally:
        text_lines._CHUNK = saved
    expected = [text_lines.decode_line(x) for x in data.splitlines(keepends=True)]
    if expected and expected[0].startswith("\ufeff"):
        expected[0] = expected[0][1:]
    assert lines == expected
