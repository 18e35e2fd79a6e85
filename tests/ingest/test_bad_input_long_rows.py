"""Huge fields and endless lines (issue 13, item 2): the careful reader never crashes on a field over the ``csv``
module's 131,072-character limit; a row longer than ``MAX_ROW_BYTES`` is quarantined with its start and size while
the rows around it load; and memory stays bounded whatever the input (a file that turns into NUL bytes)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from vrhub_testkit import STREET_HEADER, csv_bytes, police_uk_ingest, street_row

from vrhub.ingest.csv_stream import read_batches, sniff
from vrhub.ingest.files import SourceFile
from vrhub.ingest.text_lines import MAX_ROW_BYTES, RAW_KEPT_CHARS, ReadNotes
from vrhub.store.workspace import Workspace


def rows(n: int, **overrides: str) -> list[dict[str, str]]:
    return [street_row(**{"Crime ID": f"c{i}"}, **overrides) for i in range(n)]


def test_a_10_mb_location_is_quarantined_and_the_other_rows_load(ws: Workspace, tmp_path: Path) -> None:
    """On main: ``_csv.Error: field larger than field limit (131072)`` and the call stopped."""
    huge = "x" * (10 << 20)
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [*rows(3), street_row(Location=huge), *rows(2)]))
    [r] = police_uk_ingest(ws, [p]).results
    assert r.error is None, r.error
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (6, 5, 1)
    [q] = ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()
    size = len(csv_bytes(STREET_HEADER, [street_row(Location=huge)]).split(b"\n")[1]) + 1  # the row and its \n
    assert q["_source_row"] == 5
    assert q["_problems"].startswith(f"the row is {size:,} bytes long or more; vrhub reads rows of up to "
                                     f"{MAX_ROW_BYTES:,} bytes")
    assert q["_raw_text"].startswith("c0ffee,2018-10,Kent Police,Kent Police,0.522,51.272,xxx")  # as in the file
    assert f"the first {RAW_KEPT_CHARS:,} characters are kept" in q["_raw_text"]
    assert len(q["_raw_text"]) < RAW_KEPT_CHARS + 200
    t = ws.engine().table("police_uk_street", dataset_ids=[r.dataset_id]).to_pyarrow()
    assert sorted(t.column("source_row").to_pylist()) == [2, 3, 4, 6, 7]


def test_a_200_kb_field_with_a_line_break_is_read_whole(ws: Workspace, tmp_path: Path) -> None:
    """On main: the same ``field larger than field limit`` crash. Such a row fits the row limit: it is data."""
    value = "a" * 100_000 + "\n" + "b" * 100_000
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [*rows(2), street_row(Location=value), *rows(1)]))
    [r] = police_uk_ingest(ws, [p]).results
    assert r.error is None and (r.rows_read, r.rows_accepted) == (4, 4)
    t = ws.engine().table("police_uk_street", dataset_ids=[r.dataset_id]).order_by("source_row").to_pyarrow()
    assert t.column("location").to_pylist()[2] == value
    assert t.column("source_row").to_pylist() == [2, 3, 4, 6]  # the long row spans lines 4 and 5


def test_rows_then_nul_bytes(ws: Workspace, tmp_path: Path) -> None:
    """200 good rows, then 12 MiB of NUL bytes with no line break (a disk image appended by mistake): the 200 rows
    load and the rest is one quarantined row; on main the careful reader crashed on the field limit."""
    p = tmp_path / "2018-10-kent-street.csv"
    with open(p, "wb") as f:
        f.write(csv_bytes(STREET_HEADER, rows(200)))
        f.write(b"\0" * (12 << 20))
    [r] = police_uk_ingest(ws, [p]).results
    assert r.error is None, r.error
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (201, 200, 1)
    [q] = ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()
    assert q["_source_row"] == 202 and f"the row is {12 << 20:,} bytes long" in q["_problems"]


def test_the_careful_reader_resumes_after_a_long_line_at_every_chunk_boundary(tmp_path: Path) -> None:
    """The reader's own accounting, against an independent count: lines of every ending (LF, CRLF, CR), a long line
    between them; each good row keeps its line number, the long one is one bad row."""
    for ending in ("\n", "\r\n", "\r"):
        good = [",".join([f"r{i}", "2018-10"]) for i in range(50)]
        lines = ["Crime ID,Month", *good[:20], "x" * (MAX_ROW_BYTES + 70_000) + ",2018-10", *good[20:]]
        p = tmp_path / "f.csv"
        p.write_bytes(ending.join(lines).encode() + ending.encode())
        header, _ = sniff(SourceFile(p))
        notes = ReadNotes()
        batches = list(read_batches(SourceFile(p), header, careful=True, notes=notes))
        ids = [v for b in batches for v in b.table.column("Crime ID").to_pylist()]
        line_nos = [int(x) for b in batches for x in b.lines]
        bad = [x for b in batches for x in b.bad]
        assert ids == [f"r{i}" for i in range(50)], ending
        assert line_nos == [*range(2, 22), *range(23, 53)], ending
        assert [x.line for x in bad] == [22] and notes.long_rows == 1


MEMORY_SCRIPT = textwrap.dedent("""
    import json, sys, tracemalloc
    from pathlib import Path
    import pyarrow as pa
    from vrhub.ingest.files import SourceFile
    from vrhub.ingest.loader import load_file
    from vrhub.ingest.police_uk import SOURCES
    from vrhub.store.workspace import Settings, Workspace

    ws = Workspace.open(Settings.resolve(sys.argv[1], None, environ={}))
    for s in SOURCES:
        ws.catalogue.ensure_kind(s.kind, s.label, s.schema_version)
    arrow = pa.proxy_memory_pool(pa.default_memory_pool())  # counts every Arrow allocation from here on
    pa.set_memory_pool(arrow)
    tracemalloc.start()                                     # counts every Python allocation from here on
    r = load_file(ws, SourceFile(Path(sys.argv[2])), SOURCES)
    print(json.dumps({"read": r.rows_read, "accepted": r.rows_accepted, "error": r.error,
                      "python_peak": tracemalloc.get_traced_memory()[1], "arrow_peak": arrow.max_memory()}))
""")


def test_memory_stays_bounded_on_a_file_of_nul_bytes(tmp_path: Path) -> None:
    """200 rows then 96 MiB of NUL bytes: the Python and Arrow allocations at their peak stay under 64 MB (about
    four rows' limit: a block ahead in Arrow's reader, the longest row's kept start and its text) and do not grow
    with the file (on main the careful reader read the whole line: a 2 GB file peaked at 4.5 GB)."""
    p = tmp_path / "2018-10-kent-street.csv"
    with open(p, "wb") as f:
        f.write(csv_bytes(STREET_HEADER, rows(200)))
        for _ in range(96):
            f.write(b"\0" * (1 << 20))
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(tmp_path / "home"), str(p)],
                         capture_output=True, text=True, timeout=600, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["error"] is None and (got["read"], got["accepted"]) == (201, 200)
    peak = got["python_peak"] + got["arrow_peak"]
    assert peak < 64_000_000, got
