"""Property tests: random tables full of small counts are protected, then attacked, and must hold.

The attacker is :func:`audit` (linear programming over everything published). Other properties are
checked against independent numpy computations of the true margins.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from vrhub.domain.disclosure import (
    NHS_OPENSAFELY,
    ONS_THRESHOLD_10,
    DisclosureRules,
    audit,
    protect_long,
    protect_table,
    round_to_base,
)

RULES = [
    NHS_OPENSAFELY,
    ONS_THRESHOLD_10,
    DisclosureRules(name="t3-unrounded", threshold=3, rounding_base=1),
    DisclosureRules(name="zeros-suppressed", suppress_zeros=True),
    DisclosureRules(name="t9-base10", threshold=9, rounding_base=10),
]

# Many small counts: zeros, counts inside the suppression band, and a few larger ones.
counts = st.one_of(st.just(0), st.integers(1, 9), st.integers(1, 9), st.integers(10, 60))
# Every element is drawn (no fill value), so tables are not mostly one repeated count.
FAST = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _arrays(shape: tuple[int, ...]):
    return arrays(np.int64, shape, elements=counts, fill=st.nothing())


def _tables_2d():
    shape = st.tuples(st.integers(1, 4), st.integers(1, 5))
    return shape.flatmap(_arrays)


def _true_cube(inner: np.ndarray) -> np.ndarray:
    """All margins of a 2-D table, computed directly."""
    r, c = inner.shape
    out = np.zeros((r + 1, c + 1), dtype=np.int64)
    out[:r, :c] = inner
    out[:r, c] = inner.sum(axis=1)
    out[r, :c] = inner.sum(axis=0)
    out[r, c] = inner.sum()
    return out


def _frame(inner: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(inner, index=pd.Index([f"r{i}" for i in range(inner.shape[0])], name="row"),
                        columns=pd.Index([f"c{j}" for j in range(inner.shape[1])], name="column"))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inner=_tables_2d(), rules=st.sampled_from(RULES))
def test_attacker_never_recovers_a_suppressed_cell_of_a_2d_table(inner, rules):
    report = audit(protect_table(_frame(inner), rules))
    assert report.safe, report.recovered


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    inner=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)).flatmap(
        _arrays),
    rules=st.sampled_from(RULES[:3]),
)
def test_attacker_never_recovers_a_suppressed_cell_of_a_3d_table(inner, rules):
    index = pd.MultiIndex.from_product([range(n) for n in inner.shape], names=["district", "month", "crime"])
    frame = index.to_frame(index=False).assign(count=inner.ravel())
    report = audit(protect_long(frame, ["district", "month", "crime"], rules=rules))
    assert report.safe, report.recovered


@FAST
@given(inner=_tables_2d(), rules=st.sampled_from(RULES))
def test_published_values_follow_the_rules(inner, rules):
    truth = _true_cube(inner)
    protected = protect_table(_frame(inner), rules)
    shown = protected.wide(markers=False).to_numpy()
    hidden = pd.isna(shown)
    # Every count in the suppression band (cells and totals alike) is hidden.
    assert hidden[rules.is_primary(truth)].all()
    # Zeros are shown as 0 unless the rules suppress them.
    if not rules.suppress_zeros:
        assert (shown[truth == 0] == 0).all()
    # Every shown count is the true count rounded to the nearest base, halves up, and above the band.
    published = shown[~hidden].astype(np.int64)
    assert (published == round_to_base(truth[~hidden], rules.rounding_base)).all()
    assert (published % rules.rounding_base == 0).all()
    assert ((truth[~hidden] == 0) | (truth[~hidden] > rules.threshold)).all()
    # Provenance counts what was hidden.
    p = protected.provenance
    assert p.primary_suppressed == int(rules.is_primary(truth).sum())
    assert p.primary_suppressed + p.secondary_suppressed == int(hidden.sum())


@FAST
@given(inner=_tables_2d(), rules=st.sampled_from(RULES))
def test_published_totals_agree_with_published_cells_within_rounding(inner, rules):
    shown = protect_table(_frame(inner), rules).wide(markers=False).to_numpy()
    half = rules.rounding_base // 2
    lines = [shown[i, :] for i in range(shown.shape[0])] + [shown[:, j] for j in range(shown.shape[1])]
    for line in lines:
        if pd.isna(line).any():
            continue
        values = line.astype(np.int64)
        # Each rounded value is within floor(base/2) of its true value, and the true values add up.
        assert abs(values[:-1].sum() - values[-1]) <= half * len(values)


@FAST
@given(inner=_tables_2d())
def test_a_lone_suppression_in_a_line_is_recovered_exactly_when_nothing_protects_it(inner):
    """The attacker's power: primary-only suppression without rounding gives lone cells away."""
    rules = DisclosureRules(name="primary-only", threshold=5, rounding_base=1, secondary_suppression=False)
    truth = _true_cube(inner)
    report = audit(protect_table(_frame(inner), rules))
    exact = {(r.row, r.column): (r.lower, r.upper) for r in report.cells.itertuples()}
    hidden = rules.is_primary(truth)
    labels_r = [f"r{i}" for i in range(inner.shape[0])] + ["Total"]
    labels_c = [f"c{j}" for j in range(inner.shape[1])] + ["Total"]
    for i, j in zip(*np.nonzero(hidden), strict=True):
        lone = hidden[i, :].sum() == 1 or hidden[:, j].sum() == 1
        if lone:
            assert exact[(labels_r[i], labels_c[j])] == (truth[i, j], truth[i, j])


@FAST
@given(
    inner=st.tuples(st.integers(2, 4), st.integers(2, 3)).flatmap(_arrays),
    rules=st.sampled_from(RULES[:3]),
)
def test_linked_views_published_separately_cannot_be_subtracted(inner, rules):
    districts = [f"D{i}" for i in range(inner.shape[0])]
    crimes = [f"K{j}" for j in range(inner.shape[1])]
    index = pd.MultiIndex.from_product([districts, crimes], names=["district", "crime"])
    frame = index.to_frame(index=False).assign(count=inner.ravel())
    protected = protect_long(frame, ["district", "crime"], rules=rules)
    views = [protected.view("district", where={"crime": k}, markers=True) for k in protected.categories[1]]
    views += [protected.view("district", markers=True), protected.view("crime", markers=True)]
    report = audit(views, rules, dims=["district", "crime"])
    assert report.safe, report.recovered
