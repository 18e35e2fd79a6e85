"""Vectorised row checks: each check marks bad rows and says why, in the words of the source's header.

A ``Checks`` object collects, for every row of a batch, every problem found (not just the first), as
``"<Column>: '<value>' <what is wrong>"``; rows with no problem are accepted. Everything runs as Arrow
compute kernels over the whole batch: no Python loop over rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MAX_VALUE_CHARS = 60


def _quoted(values: pa.Array) -> pa.Array:
    short = pc.utf8_slice_codeunits(values, 0, MAX_VALUE_CHARS)
    return pc.if_else(pc.greater(pc.utf8_length(values), MAX_VALUE_CHARS),
                      pc.binary_join_element_wise(short, "…", ""), short)


class Checks:
    """Collects problems for the rows of one batch."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table
        self.n = table.num_rows
        self._reasons: list[pa.Array] = []

    def column(self, name: str) -> pa.Array:
        col = self.table.column(name)
        return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col

    def optional(self, name: str) -> pa.Array:
        """An optional column: its values, or all null when the file does not have it."""
        return self.column(name) if name in self.table.column_names else pa.nulls(self.n, pa.string())

    def flag(self, bad: pa.Array, label: str, what: str, values: pa.Array | None = None) -> None:
        """Record ``what`` for the rows where ``bad`` is true (null counts as not bad)."""
        bad = pc.fill_null(bad, False)
        if not pc.any(bad).as_py():
            return
        if values is None:
            message = pa.scalar(f"{label}: {what}")
            text = pc.if_else(bad, message, pa.scalar(None, pa.string()))
        else:
            text = pc.if_else(
                bad,
                pc.binary_join_element_wise(f"{label}: '", _quoted(pc.fill_null(values, "")), f"' {what}", ""),
                pa.scalar(None, pa.string()),
            )
        self._reasons.append(text)

    def required(self, name: str, label: str) -> None:
        self.flag(pc.is_null(self.column(name)), label, "is missing")

    def matches(self, name: str, pattern: str, label: str, what: str) -> pa.Array:
        """Flag non-null values not matching ``pattern``; return the mask of good non-null values."""
        col = self.column(name)
        ok = by_distinct_value(col, lambda d: pc.match_substring_regex(d, pattern))
        self.flag(pc.and_(pc.is_valid(col), pc.invert(pc.fill_null(ok, False))), label, what, col)
        return pc.fill_null(ok, False)

    def one_of(self, name: str, allowed: pa.Array, label: str, what: str) -> None:
        col = self.column(name)
        self.flag(pc.and_(pc.is_valid(col), pc.invert(pc.is_in(col, value_set=allowed))), label, what, col)

    def problems(self) -> pa.Array:
        """One string per row: every problem joined by '; ', or null for a good row."""
        if not self._reasons:
            return pa.nulls(self.n, pa.string())
        # Not binary_join_element_wise(..., null_handling="skip"): in pyarrow 26 it drops the rows where every
        # input is null (the good rows), returning a shorter array. Join "<reason>; " pieces with no nulls.
        parts = [pc.fill_null(pc.binary_join_element_wise(r, "; ", ""), "") for r in self._reasons]
        joined = pc.binary_join_element_wise(*parts, "") if len(parts) > 1 else parts[0]
        joined = pc.replace_substring_regex(joined, r"; $", "")
        return pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)


_NUMBER = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"


def parse_float(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse decimal numbers; return (floats with null where not a number, mask of unparseable non-nulls).

    The whole column is cast at once (the common case: every value is a number); only when that fails is each
    value checked against the number pattern, so that bad values are named, not fatal.
    """
    try:
        floats = pc.cast(values, pa.float64())
        if not pc.any(pc.is_nan(floats)).as_py() and not pc.any(pc.is_inf(floats)).as_py():
            return floats, pa.array(np.zeros(len(values), dtype=bool))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    ok = pc.fill_null(pc.match_substring_regex(values, _NUMBER), False)
    clean = pc.if_else(ok, pc.utf8_trim_whitespace(values), pa.scalar(None, pa.string()))
    return pc.cast(clean, pa.float64()), pc.and_(pc.is_valid(values), pc.invert(ok))


def by_distinct_value(values: pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """Apply a per-value function once per distinct value (months, codes and categories repeat a lot)."""
    encoded = pc.dictionary_encode(values)
    return fn(encoded.dictionary).take(encoded.indices)


def parse_month(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse 'YYYY-MM' to the first day of the month (date32); return (dates, mask of bad non-nulls)."""

    def parse(distinct: pa.Array) -> pa.Array:
        ok = pc.fill_null(pc.match_substring_regex(distinct, r"^\d{4}-(0[1-9]|1[0-2])$"), False)
        text = pc.if_else(ok, pc.binary_join_element_wise(distinct, "-01", ""), pa.scalar(None, pa.string()))
        return pc.cast(pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True), pa.date32())

    dates = by_distinct_value(values, parse)
    return dates, pc.and_(pc.is_valid(values), pc.is_null(dates))


def check_month_range(c: Checks, month: pa.Array, values: pa.Array, label: str, *, first: dt.date, first_why: str,
                      today: dt.date) -> None:
    """Flag rows whose month (date32, first of the month) is before ``first`` (``first_why`` says why nothing can
    be older) or after the month of ``today``: a month that has not happened yet is a typing or export error
    (``2099-01``, ``9999-12``), and one far in the past (``0001-01``, ``1899-12``) cannot be in the feed. Such a
    row would otherwise open decades of empty months in the supply check and the charts."""
    last = today.replace(day=1)
    c.flag(pc.less(month, pa.scalar(first, pa.date32())), label,
           f"is before {first:%B %Y}, {first_why}: check the date in the source", values)
    c.flag(pc.greater(month, pa.scalar(last, pa.date32())), label,
           f"is after the current month ({last:%Y-%m}): a month cannot be in the future; check the date in the source",
           values)


def parse_bool(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse True/False (any case, also yes/no, 1/0); return (booleans, mask of bad non-nulls)."""
    lower = pc.utf8_lower(pc.utf8_trim_whitespace(values))
    true = pc.is_in(lower, value_set=pa.array(["true", "yes", "y", "1"]))
    false = pc.is_in(lower, value_set=pa.array(["false", "no", "n", "0"]))
    out = pc.if_else(true, True, pc.if_else(false, False, pa.scalar(None, pa.bool_())))
    return out, pc.and_(pc.is_valid(values), pc.is_null(out))
