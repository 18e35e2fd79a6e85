"""Headers vrhub must name, not misread (issue 13, items 7 and 8): a column vrhub reads that appears twice, and a
header longer than the first 64 KiB of the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from vrhub_testkit import STREET_HEADER, csv_bytes, police_uk_ingest, street_row

from vrhub.ingest.csv_stream import MAX_HEAD_BYTES
from vrhub.store.workspace import Workspace


def test_two_month_columns_with_different_values_are_refused_by_name(ws: Workspace, tmp_path: Path) -> None:
    """On main the file loaded silently from one of the two columns."""
    p = tmp_path / "2018-10-kent-street.csv"
    data = csv_bytes(STREET_HEADER, [street_row()])
    p.write_bytes(data.replace(b"\n", b",Month\n", 1).replace(b",\n", b",,2019-01\n"))
    assert p.read_bytes().splitlines()[0].endswith(b"Context,Month")
    assert p.read_bytes().splitlines()[1].endswith(b"Under investigation,,2019-01")  # the second Month differs
    [r] = police_uk_ingest(ws, [p]).results
    assert r.error is not None and r.dataset_id is None
    assert r.error == (f"{p}: the header has the column 'Month' 2 times (columns 2, 13): vrhub cannot tell which one "
                       "to read\n  What to do: keep one column of each name (the one with the right values): remove "
                       "or rename the others, then load the file again")
    assert ws.catalogue.datasets() == []


def test_repeats_are_matched_as_columns_are_spelling_insensitively(ws: Workspace, tmp_path: Path) -> None:
    header = [*STREET_HEADER, "crime  TYPE"]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(header, [street_row()]))
    [r] = police_uk_ingest(ws, [p]).results
    assert r.error is not None and "the column 'Crime type' 2 times (columns 10, 13)" in r.error


def test_a_repeated_column_vrhub_does_not_read_is_left_alone(ws: Workspace, tmp_path: Path) -> None:
    header = [*STREET_HEADER, "Notes", "Notes"]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(header, [street_row() | {"Notes": "x"}]))
    [r] = police_uk_ingest(ws, [p]).results
    assert r.ok and r.rows_accepted == 1
    assert any("which keeps only their names): Notes, Notes" in w for w in r.warnings)


def test_a_header_of_10000_columns_is_read_not_called_empty(ws: Workspace, tmp_path: Path) -> None:
    """On main: 'the file is empty' (the header did not fit the 64 KiB the loader looked at)."""
    extra = [f"extra column {i}" for i in range(10_000)]
    header = [*STREET_HEADER, *extra]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(header, [street_row(), street_row(Month="2018-11")]))
    assert len(p.read_bytes().split(b"\n")[0]) > 64 * 1024
    [r] = police_uk_ingest(ws, [p]).results
    assert r.error is None, r.error
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (2, 2, 0)
    note = next(w for w in r.warnings if w.startswith("columns not used by vrhub"))
    assert note.endswith("extra column 19 and 9,980 more")  # named, but not all ten thousand
    t = ws.engine().table("police_uk_street", dataset_ids=[r.dataset_id]).order_by("source_row").to_pyarrow()
    assert t.column("month").to_pylist() == [dt.date(2018, 10, 1), dt.date(2018, 11, 1)]


def test_a_first_line_longer_than_the_head_limit_is_refused_by_name(ws: Workspace, tmp_path: Path) -> None:
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(b"Crime ID," + b"x" * (MAX_HEAD_BYTES + 10) + b"\n")
    [r] = police_uk_ingest(ws, [p]).results
    assert r.error is not None and str(p) in r.error
    assert f"the first {MAX_HEAD_BYTES:,} bytes hold no line break" in r.error and "What to do:" in r.error
