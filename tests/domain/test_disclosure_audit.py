"""The auditor against brute force: enumerate every table of counts that would publish as shown.

The brute force applies the rules directly (a candidate count is consistent with a published value when
the rules would have published it that way) instead of the auditor's interval formulas and linear
programmes, so it checks both the rounding convention and the attack.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from vrhub.domain.disclosure import (
    NHS_OPENSAFELY,
    ONS_THRESHOLD_10,
    AuditInputError,
    DisclosureRules,
    audit,
    protect_long,
    protect_series,
    protect_table,
    round_to_base,
)

C = "[c]"


def _shows_as(values: np.ndarray, shown: object, rules: DisclosureRules) -> np.ndarray:
    """Whether each candidate count would be shown as ``shown`` (a number) or could hide behind the marker."""
    if shown == rules.marker:
        return values >= (0 if rules.suppress_zeros else 1)  # primary or secondary, never a published 0
    small = (values >= (0 if rules.suppress_zeros else 1)) & (values <= rules.threshold)
    return ~small & (round_to_base(values, rules.rounding_base) == shown)


def brute_force_2d(wide: pd.DataFrame, rules: DisclosureRules, cap: int) -> dict[tuple, tuple[int, int]]:
    """Min and max of each suppressed cell over all inner tables (cells 0..cap) that show as ``wide``."""
    rows, cols = list(wide.index[:-1]), list(wide.columns[:-1])
    grids = np.meshgrid(*[np.arange(cap + 1)] * (len(rows) * len(cols)), indexing="ij")
    cells = {(r, c): grids[i * len(cols) + j].ravel() for i, r in enumerate(rows) for j, c in enumerate(cols)}
    for r in rows:
        cells[(r, "Total")] = sum(cells[(r, c)] for c in cols)
    for c in [*cols, "Total"]:
        cells[("Total", c)] = sum(cells[(r, c)] for r in rows)
    ok = np.ones(grids[0].size, dtype=bool)
    for (r, c), values in cells.items():
        ok &= _shows_as(values, wide.loc[r, c], rules)
    assert ok.any(), "the true table must be among the candidates"
    return {key: (int(v[ok].min()), int(v[ok].max())) for key, v in cells.items() if wide.loc[key] == C}


def _audit_ranges(report) -> dict[tuple, tuple[float, float]]:
    dims = [c for c in report.cells.columns if c not in {"published", "lower", "upper", "width", "recovered"}]
    return {tuple(row[d] for d in dims): (row["lower"], row["upper"]) for _, row in report.cells.iterrows()}


@pytest.mark.parametrize(
    ("inner", "rules"),
    [
        ([[3, 9], [8, 10]], NHS_OPENSAFELY),
        ([[3, 9], [8, 10]], DisclosureRules(name="primary only", secondary_suppression=False)),
        ([[2, 11], [12, 4]], ONS_THRESHOLD_10),
        ([[2, 11], [12, 4]], DisclosureRules(name="t9 primary", threshold=9, rounding_base=1,
                                             secondary_suppression=False)),
        ([[0, 6], [9, 1]], DisclosureRules(name="zeros", threshold=7, rounding_base=5, suppress_zeros=True)),
    ],
)
def test_auditor_ranges_equal_brute_force_on_2x2_tables(inner, rules):
    table = pd.DataFrame(inner, index=["A", "B"], columns=["x", "y"])
    protected = protect_table(table, rules)
    wide = protected.wide()
    cap = 45
    truth = brute_force_2d(wide, rules, cap)
    got = _audit_ranges(audit(protected))
    assert set(got) == set(truth)
    for key, (lo, hi) in truth.items():
        assert got[key][0] == lo, key
        if np.isinf(got[key][1]):  # unbounded: the enumeration runs up to the cap (margins beyond it)
            assert hi >= cap, key
        else:
            assert got[key][1] == hi < cap, key


def test_auditor_range_equals_brute_force_for_a_series_with_rounding():
    protected = protect_series(pd.Series([3, 50, 40], index=["a", "b", "c"]))
    assert protected.series(markers=True).tolist() == [C, 50, C, 95]
    a, b, c = np.meshgrid(np.arange(120), np.arange(120), np.arange(120), indexing="ij")
    total = a + b + c
    ok = (_shows_as(a, C, NHS_OPENSAFELY) & _shows_as(b, 50, NHS_OPENSAFELY)
          & _shows_as(c, C, NHS_OPENSAFELY) & _shows_as(total, 95, NHS_OPENSAFELY))
    got = _audit_ranges(audit(protected))
    assert got[("a",)] == (a[ok].min(), a[ok].max())
    assert got[("c",)] == (c[ok].min(), c[ok].max())


def test_a_lone_suppressed_cell_is_recovered_exactly_without_rounding():
    rules = DisclosureRules(name="t9 primary", threshold=9, rounding_base=1, secondary_suppression=False)
    table = pd.DataFrame([[12, 30, 4], [20, 15, 40], [11, 13, 25]], index=list("ABC"), columns=list("xyz"))
    report = audit(protect_table(table, rules))
    assert not report.safe
    assert _audit_ranges(report) == {("A", "z"): (4.0, 4.0)}
    assert report.recovered["width"].tolist() == [0.0]
    assert "1 suppressed cell(s) recovered" in report.summary()


def test_published_frames_with_markers_or_missing_values_audit_the_same():
    table = pd.DataFrame([[3, 9], [8, 10]], index=["A", "B"], columns=["x", "y"])
    protected = protect_table(table)
    with_markers = protected.view(markers=True)
    with_na = protected.view(markers=False)
    as_text = with_markers.assign(count=with_markers["count"].astype(str))
    reports = [audit(f, NHS_OPENSAFELY, dims=["row", "column"]) for f in (with_markers, with_na, as_text)]
    for other in reports[1:]:
        pd.testing.assert_frame_equal(reports[0].cells, other.cells)


def test_integer_attacker_is_never_weaker_than_the_linear_one():
    rng = np.random.default_rng(8)
    frame = pd.DataFrame(
        [(a, b, c, int(rng.choice([0, 2, 5, 9, 14, 30]))) for a in "PQ" for b in "RS" for c in "TUV"],
        columns=["a", "b", "c", "count"],
    )
    protected = protect_long(frame, ["a", "b", "c"], rules=ONS_THRESHOLD_10)
    linear = _audit_ranges(audit(protected))
    integer = audit(protected, integer=True)
    assert integer.integer and integer.safe
    for key, (lo, hi) in _audit_ranges(integer).items():
        assert linear[key][0] <= lo and hi <= linear[key][1]


def test_a_published_table_with_nothing_suppressed_is_safe():
    protected = protect_series(pd.Series([10, 20, 30], index=list("abc")))
    report = audit(protected)
    assert report.safe and report.cells.empty


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"district": ["A", "B", "Total"], "count": [12, 20, 30]}), "not a multiple"),
        (pd.DataFrame({"district": ["A", "B", "Total"], "count": [5, 25, 30]}), "cannot be published"),
        (pd.DataFrame({"district": ["A", "B", "Total"], "count": [10, 40, 30]}), "inconsistent"),
        (pd.DataFrame({"district": ["A", "B", "Total"], "count": [10, "ten", 30]}), "cannot read"),
        (pd.DataFrame({"district": ["A", "A"], "count": [10, 15]}), "published twice"),
    ],
)
def test_malformed_or_inconsistent_publications_are_refused(frame, message):
    with pytest.raises(AuditInputError, match=message):
        audit(frame, NHS_OPENSAFELY)


def test_exact_totals_that_do_not_add_up_are_refused():
    frame = pd.DataFrame({"district": ["A", "B", "Total"], "count": [12, 20, 31]})
    with pytest.raises(AuditInputError, match="does not equal the sum"):
        audit(frame, ONS_THRESHOLD_10)


def test_extra_columns_and_missing_value_column_are_refused():
    frame = pd.DataFrame({"district": ["A", "Total"], "count": [12, 12], "rate": [1.0, 1.0]})
    with pytest.raises(AuditInputError, match="neither dimensions"):
        audit(frame, ONS_THRESHOLD_10, dims=["district"])
    with pytest.raises(AuditInputError, match="no 'n' column"):
        audit(frame, ONS_THRESHOLD_10, value="n")


def test_all_two_by_two_patterns_of_small_cells_are_protected():
    """Every 2×2 table with cells drawn from {0, 2, 9}: protect, then attack (both presets)."""
    for cells in itertools.product([0, 2, 9], repeat=4):
        table = pd.DataFrame(np.array(cells).reshape(2, 2), index=["A", "B"], columns=["x", "y"])
        for rules in (NHS_OPENSAFELY, ONS_THRESHOLD_10):
            report = audit(protect_table(table, rules))
            assert report.safe, (cells, rules.name, report.recovered)


def test_a_larger_table_of_mostly_small_counts_is_protected():
    """Over 60 linked suppressions: the protector's small-box shortcut is used and must still hold."""
    rng = np.random.default_rng(12)
    table = pd.DataFrame(rng.poisson(4, (10, 8)), index=[f"ward{i}" for i in range(10)],
                         columns=[f"m{j}" for j in range(8)])
    protected = protect_table(table)
    assert protected.provenance.primary_suppressed > 60
    assert audit(protected).safe
