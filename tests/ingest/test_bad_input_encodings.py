"""Encodings line by line and faithful raw text (issue 13, item 10): a file that mixes UTF-8 and Windows-1252 keeps
its UTF-8 lines intact and says how many lines needed Windows-1252; a quarantined row's raw text from the careful
reader is the row exactly as it was in the file (quotes and all, however long)."""

from __future__ import annotations

from pathlib import Path

import pytest
from vrhub_testkit import STREET_HEADER, csv_bytes, police_uk_ingest, street_row

from vrhub.ingest.csv_stream import read_batches, sniff
from vrhub.ingest.files import SourceFile
from vrhub.ingest.text_lines import ReadNotes, decode_line
from vrhub.store.workspace import Workspace


def mixed_file(path: Path, *, quoted_line_break: bool) -> Path:
    """Rows 2-4 in UTF-8 ('Café', 'Zoë'), row 5 in Windows-1252 ('Café'), row 6 in UTF-8 ('Ångström'); with
    ``quoted_line_break`` the last row has a line break in a quoted value (so the careful reader reads the file)."""
    utf8 = csv_bytes(STREET_HEADER, [street_row(Location="On or near Café"), street_row(Location="Zoë's Yard"),
                                     street_row(Location="On or near Main Road")])
    cp1252 = csv_bytes(STREET_HEADER, [street_row(Location="Café (Windows)")], encoding="cp1252").split(b"\n", 1)[1]
    last = "Ångström\nHouse" if quoted_line_break else "Ångström House"
    tail = csv_bytes(STREET_HEADER, [street_row(Location=last)]).split(b"\n", 1)[1]
    path.write_bytes(utf8 + cp1252 + tail)
    return path


@pytest.mark.parametrize("quoted_line_break", [False, True], ids=["fast reader", "careful reader"])
def test_a_file_mixing_utf8_and_windows_1252_keeps_every_line_right(ws: Workspace, tmp_path: Path,
                                                                     quoted_line_break: bool) -> None:
    """On main the whole file was decoded as Windows-1252: 'Café' became 'CafÃ©' in the accepted rows."""
    p = mixed_file(tmp_path / "2018-10-kent-street.csv", quoted_line_break=quoted_line_break)
    [r] = police_uk_ingest(ws, [p]).results
    assert r.error is None and r.rows_accepted == 5
    t = ws.engine().table("police_uk_street", dataset_ids=[r.dataset_id]).order_by("source_row").to_pyarrow()
    last = "Ångström\nHouse" if quoted_line_break else "Ångström House"
    assert t.column("location").to_pylist() == ["On or near Café", "Zoë's Yard", "On or near Main Road",
                                                "Café (Windows)", last]
    assert ("1 line(s) of the file are not valid UTF-8 and were read as Windows-1252 (cp1252); the other lines "
            "were read as UTF-8") in r.warnings
    assert ws.catalogue.get(r.dataset_id).encoding == "cp1252"
    assert not any("CafÃ©" in w for w in r.warnings)


def test_a_pure_utf8_file_needs_no_fallback(ws: Workspace, tmp_path: Path) -> None:
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [street_row(Location="On or near Café")]))
    [r] = police_uk_ingest(ws, [p]).results
    assert ws.catalogue.get(r.dataset_id).encoding == "utf-8"
    assert not any("Windows-1252" in w for w in r.warnings)


def test_decode_line_counts_only_what_needed_windows_1252() -> None:
    notes = ReadNotes()
    assert decode_line("Zoë".encode(), notes) == "Zoë" and notes.cp1252_lines == 0
    assert decode_line("Zoë £5 – ok".encode("cp1252"), notes) == "Zoë £5 – ok" and notes.cp1252_lines == 1
    # The five bytes Windows-1252 leaves undefined decode as C1 controls (WHATWG), never as an error.
    assert decode_line(b"a\x81b\x9dc", notes) == "a\x81b\x9dc" and notes.cp1252_lines == 2


def test_the_careful_reader_keeps_a_bad_rows_text_exactly(tmp_path: Path) -> None:
    """On main the careful reader re-joined the fields with commas (quotes lost) and cut the text at 2,000
    characters."""
    long_location = "On or near " + "Long Road, " * 400  # 4,411 characters, with commas inside quotes
    good = csv_bytes(STREET_HEADER, [street_row(Location="Two\nlines")])  # forces the careful reader
    bad_row = '"c1","2018-10","Kent Police","Kent Police","0.5","51.2","' + long_location + '","E01024000",""'
    p = tmp_path / "f.csv"
    p.write_bytes(good + bad_row.encode() + b"\r\n" + csv_bytes(STREET_HEADER, [street_row()]).split(b"\n", 1)[1])
    header, _ = sniff(SourceFile(p))
    batches = list(read_batches(SourceFile(p), header, careful=True))
    [bad] = [b for batch in batches for b in batch.bad]
    assert bad.line == 4 and bad.text == bad_row  # as in the file: quotes, inner commas, no line ending
    assert bad.reason.startswith("row has 9 fields, the header has 12")
    assert [int(x) for b in batches for x in b.lines] == [2, 5]
