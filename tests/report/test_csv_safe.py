"""CSV formula injection is neutralised in every cell, and plain numbers are left alone."""

from __future__ import annotations

import csv
import io

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from vrhub.report.csv_safe import FORMULA_PREFIXES, NUMBER, safe_cell, write_table


def test_known_payloads() -> None:
    assert safe_cell("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
    assert safe_cell("+cmd|' /C calc'!A0") == "'+cmd|' /C calc'!A0"
    assert safe_cell("-2+3") == "'-2+3"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("\r=1") == "'\r=1"
    assert safe_cell("-0.468") == "-0.468" and safe_cell("+44") == "+44" and safe_cell(-3) == -3
    assert safe_cell("Maidstone 001A") == "Maidstone 001A"


@given(st.text())
def test_no_written_cell_can_start_a_formula(text: str) -> None:
    buf = io.StringIO()
    write_table(buf, pa.table({"c": [text]}))
    [_, [cell]] = list(csv.reader(io.StringIO(buf.getvalue())))
    if not NUMBER.match(text):
        assert not cell.startswith(FORMULA_PREFIXES)
    assert cell in (text, "'" + text) or "\r" in text  # the csv module normalises bare CR inside quoted cells
