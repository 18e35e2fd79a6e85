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


def test_safe_frame_neutralises_text_cells_and_names_and_keeps_numbers() -> None:
    import pandas as pd

    from vrhub.report.csv_safe import safe_frame

    df = pd.DataFrame({"area_name": ["=cmd|' /C calc'!A0", "Maidstone", None], "records": [-1, 5, 7],
                       "=x": ["-0.5", "@a", "+1"]})
    out = safe_frame(df)
    assert out["area_name"].tolist()[:2] == ["'=cmd|' /C calc'!A0", "Maidstone"] and pd.isna(out["area_name"][2])
    assert out["records"].tolist() == [-1, 5, 7]
    assert list(out.columns) == ["area_name", "records", "'=x"]
    assert out["'=x"].tolist() == ["-0.5", "'@a", "+1"]
    assert df["area_name"][0].startswith("=")  # the input is not changed
