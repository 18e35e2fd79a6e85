"""Nearest-neighbour choice of comparison areas on pre-period rate and IMD decile."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vrhub.analysis.evaluation import EvaluationInputError, match_comparison_areas, pre_period_rates
from vrhub.analysis.evaluation.matching import standardised_mean_difference


def features() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "pre_rate": [10.0, 2.0, 9.5, 2.2, 1.0, 1.5, 0.8, 1.2],
            "imd_decile": [1, 8, 1, 7, 5, 6, 5, 6],
        },
        index=["T1", "T2", "C1", "C2", "C3", "C4", "C5", "C6"],
    )


def test_each_treated_area_gets_its_nearest_untaken_neighbour():
    result = match_comparison_areas(features(), ["T1", "T2"])
    pairs = dict(zip(result.pairs["treated"], result.pairs["comparison"], strict=True))
    # hand check with standardised Euclidean distance: T1 (10, 1) -> C1 (9.5, 1); T2 (2, 8) -> C2 (2.2, 7)
    assert pairs == {"T1": "C1", "T2": "C2"}
    assert set(result.comparison_areas) == {"C1", "C2"}
    balance = result.balance.set_index("variable")
    rate = balance.loc["pre-period rate"]
    assert abs(rate["smd_after"]) < 0.1 < abs(rate["smd_before"])
    assert rate["matched_mean"] == pytest.approx((9.5 + 2.2) / 2)


def test_matching_without_replacement_and_exact_decile():
    result = match_comparison_areas(features(), ["T1", "T2"], n_per_treated=2)
    assert len(set(result.comparison_areas)) == 4
    exact = match_comparison_areas(features(), ["T1"], exact_imd_decile=True)
    assert exact.comparison_areas == ("C1",)  # the only other decile-1 area
    with pytest.raises(EvaluationInputError, match="same IMD decile"):
        match_comparison_areas(features(), ["T1"], n_per_treated=2, exact_imd_decile=True)
    excluded = match_comparison_areas(features(), ["T1"], exclude=["C1"])
    assert "C1" not in excluded.comparison_areas


def test_smd_matches_formula():
    t, c = np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])
    expected = (2.0 - 4.0) / np.sqrt((1.0 + 4.0) / 2.0)
    assert standardised_mean_difference(t, c) == pytest.approx(expected)


def test_pre_period_rates_by_hand():
    panel = pd.DataFrame(
        {
            "area": ["A"] * 4 + ["B"] * 4,
            "month": ["2024-01", "2024-02", "2024-03", "2024-04"] * 2,
            "count": [2, 4, 100, 100, 1, 1, 50, 50],
            "population": [1000] * 4 + [2000] * 4,
        }
    )
    rates = pre_period_rates(panel, start="2024-03", population_col="population")
    assert rates["A"] == pytest.approx((2 + 4) / 2000 * 1000)
    assert rates["B"] == pytest.approx((1 + 1) / 4000 * 1000)
    counts = pre_period_rates(panel, start="2024-03")
    assert counts["A"] == pytest.approx(3.0)
