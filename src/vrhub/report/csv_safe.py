"""CSV written for people to open in a spreadsheet, with formula injection neutralised in every cell.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice and
Google Sheets as a formula, which can run commands or leak data (OWASP, "CSV Injection"). Such text is prefixed
with a single quote, as OWASP recommends; a plain number such as ``-0.468`` is data, not a formula, and is kept.
Every CSV (and Excel) export of the CLI and the hub goes through :func:`safe_cell` (:func:`safe_frame` for pandas).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path
from typing import IO

import pandas as pd
import pyarrow as pa

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")  # plain numbers (e.g. -0.468) are data, not formulas


def safe_cell(value: object) -> object:
    """Neutralise spreadsheet formula injection (OWASP CSV injection): prefix risky text with a quote."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not NUMBER.match(value):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and column name) through :func:`safe_cell`, for pandas writers
    (``to_csv``, ``to_excel``: openpyxl, too, stores text that starts with ``=`` as a formula)."""
    out = df.rename(columns=lambda c: safe_cell(c) if isinstance(c, str) else c)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(safe_cell, na_action="ignore")
    return out


def write_rows(f: IO[str], columns: list[str], rows: Iterable[Iterable[object]]) -> None:
    """Write a header and rows to an open text file, every cell (headers too) through :func:`safe_cell`."""
    w = csv.writer(f)
    w.writerow([safe_cell(c) for c in columns])
    for row in rows:
        w.writerow([safe_cell(v) for v in row])


def write_table(f: IO[str], t: pa.Table) -> None:
    """Write an Arrow table as CSV to an open text file (see :func:`write_rows`)."""
    write_rows(f, t.column_names, (row.values() for batch in t.to_batches() for row in batch.to_pylist()))


def write_csv(t: pa.Table, path: Path) -> None:
    """Write an Arrow table to a CSV file (made with its folder if needed), formula injection neutralised."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        write_table(f, t)
