"""Files are streamed in blocks, never read whole: batches, line numbers across blocks, and peak memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from vrhub_testkit import STREET_HEADER, csv_bytes, police_uk_ingest, street_row

import vrhub.ingest.csv_stream as csv_stream
from vrhub.ingest.csv_stream import read_batches, sniff
from vrhub.ingest.files import SourceFile
from vrhub.store.workspace import Workspace


def numbered_rows(n: int, bad_every: int = 0) -> list[dict[str, str]]:
    """Rows whose Crime ID is the line they will be on (header = line 1); every ``bad_every``-th is short."""
    rows = []
    for i in range(n):
        line = i + 2
        if bad_every and i % bad_every == bad_every - 1:
            rows.append({"Crime ID": f"L{line}", "Month": "2018-10"})  # the rest empty: still 12 fields
        else:
            rows.append(street_row(**{"Crime ID": f"L{line}"}))
    return rows


def test_a_file_larger_than_the_block_is_read_in_several_batches(tmp_path: Path) -> None:
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, numbered_rows(20_000)))
    assert p.stat().st_size > 2_000_000
    src = SourceFile(p)
    header, encoding = sniff(src)
    batches = list(read_batches(src, header, encoding=encoding, block_size=200_000))
    assert len(batches) >= p.stat().st_size // 200_000
    assert max(b.table.num_rows for b in batches) < 20_000
    ids = [x for b in batches for x in b.table.column("Crime ID").to_pylist()]
    lines = [int(x) for b in batches for x in b.lines]
    assert ids == [f"L{i}" for i in range(2, 20_002)]
    assert lines == list(range(2, 20_002))


def test_short_rows_in_many_blocks_keep_their_line_numbers(tmp_path: Path) -> None:
    """Rows with too few fields, spread over many blocks, are reported at their own line, and the line numbers
    of the good rows after them stay right (fast reader)."""
    data = bytearray(csv_bytes(STREET_HEADER, numbered_rows(20_000)))
    text = data.decode()
    lines = text.split("\n")
    bad_lines = set(range(7, 20_002, 997))
    for ln in bad_lines:  # cut those rows to four fields
        lines[ln - 1] = ",".join(lines[ln - 1].split(",")[:4])
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_text("\n".join(lines))
    src = SourceFile(p)
    header, encoding = sniff(src)
    batches = list(read_batches(src, header, encoding=encoding, block_size=100_000))
    assert len(batches) > 10
    good = [(int(line), cid) for b in batches for line, cid in zip(b.lines, b.table.column("Crime ID").to_pylist(),
                                                                    strict=True)]
    assert all(cid == f"L{line}" for line, cid in good)
    assert sorted(line for _, line in ((b, r.line) for b in batches for r in b.bad)) == sorted(bad_lines)
    assert all(r.text.startswith(f"L{r.line},") for b in batches for r in b.bad)
    assert len(good) + len(bad_lines) == 20_000


def test_the_loader_streams_and_keeps_lines_across_blocks(ws: Workspace, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows failing the checks (every 501st) and rows cut short (every 709th), over ~25 blocks."""
    monkeypatch.setattr(csv_stream, "BLOCK_SIZE", 64_000)
    lines = csv_bytes(STREET_HEADER, numbered_rows(10_000, bad_every=501)).decode().split("\n")
    short = set(range(9, 10_002, 709))
    for ln in short:
        lines[ln - 1] = ",".join(lines[ln - 1].split(",")[:5])
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_text("\n".join(lines))
    [r] = police_uk_ingest(ws, [p]).results
    bad = sorted({i + 2 for i in range(10_000) if i % 501 == 500} | short)
    assert (r.rows_read, r.rows_quarantined, r.rows_accepted) == (10_000, len(bad), 10_000 - len(bad))
    t = ws.engine().table("police_uk_street").to_pyarrow()
    assert all(cid == f"L{line}" for cid, line in zip(t.column("crime_id").to_pylist(),
                                                      t.column("source_row").to_pylist(), strict=True))
    q = ws.engine().quarantine(r.dataset_id).order_by("_source_row").to_pyarrow()
    assert q.column("_source_row").to_pylist() == bad
    for row in q.to_pylist():  # a short row is kept as its text, a row failing a check as its fields
        line = row["_source_row"]
        assert (row["_raw_text"] or "").startswith(f"L{line},") if line in short else row["Crime ID"] == f"L{line}"
    assert not any("row by row" in w for w in r.warnings)  # the fast reader did it


MEMORY_SCRIPT = textwrap.dedent("""
    import json, sys, tracemalloc
    from pathlib import Path
    import pyarrow as pa
    import vrhub.ingest.csv_stream as csv_stream
    from vrhub.ingest.files import SourceFile
    from vrhub.ingest.loader import load_file
    from vrhub.ingest.police_uk import SOURCES
    from vrhub.store.workspace import Settings, Workspace

    csv_stream.BLOCK_SIZE = int(sys.argv[3])
    ws = Workspace.open(Settings.resolve(sys.argv[1], None, environ={}))
    for s in SOURCES:
        ws.catalogue.ensure_kind(s.kind, s.label, s.schema_version)
    arrow = pa.proxy_memory_pool(pa.default_memory_pool())  # counts every Arrow allocation from here on
    pa.set_memory_pool(arrow)
    tracemalloc.start()                                     # counts every Python allocation from here on
    r = load_file(ws, SourceFile(Path(sys.argv[2])), SOURCES)
    python_peak = tracemalloc.get_traced_memory()[1]
    print(json.dumps({"rows": r.rows_accepted, "error": r.error, "python_peak": python_peak,
                      "arrow_peak": arrow.max_memory()}))
""")


def test_peak_memory_of_a_50_mb_load_stays_far_below_the_file_size(tmp_path: Path) -> None:
    """A ~50 MB file loaded with 1 MB blocks: the Python and Arrow allocations at their peak stay under 20 MB
    (about 9 MB is typical: a few blocks in flight plus the checks' working columns), whatever the file's size.
    Before the read-ahead window, pyarrow's reader ran up to 32 blocks ahead and this was ~35 MB and growing
    with the file."""
    rows = csv_bytes(STREET_HEADER, numbered_rows(2_000))
    body = rows.split(b"\n", 1)[1]
    p = tmp_path / "2018-10-kent-street.csv"
    with open(p, "wb") as f:
        f.write(rows.split(b"\n", 1)[0] + b"\n")
        copies = 50_000_000 // len(body) + 1
        for _ in range(copies):
            f.write(body)
    size = p.stat().st_size
    assert size >= 50_000_000
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(tmp_path / "home"), str(p), str(1 << 20)],
                         capture_output=True, text=True, timeout=300, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["error"] is None and got["rows"] == 2_000 * copies
    peak = got["python_peak"] + got["arrow_peak"]
    assert peak < 20_000_000, got
    assert peak < size / 2.5
