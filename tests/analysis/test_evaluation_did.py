"""Difference-in-differences: planted effects, null data, and independent computations.

Simulated panels: 40 areas (10 treated) × 36 months, area and month effects, gamma-Poisson (overdispersed)
counts averaging about 20 a month; in treated areas the rate is multiplied by ``effect`` from month 24.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from vrhub.analysis.evaluation import EvaluationInputError, difference_in_differences

N_AREAS, N_MONTHS, START, N_TREATED = 40, 36, 24, 10


def simulate_panel(
    seed: int,
    effect: float = 0.8,
    *,
    n_areas: int = N_AREAS,
    n_months: int = N_MONTHS,
    start: int = START,
    pre_trend: float = 0.0,
) -> tuple[pd.DataFrame, list[str]]:
    rng = np.random.default_rng(seed)
    areas = [f"E01{i:06d}" for i in range(n_areas)]
    treated = areas[:N_TREATED]
    alpha = rng.normal(np.log(20), 0.4, n_areas)
    gamma = 0.2 * np.sin(2 * np.pi * np.arange(n_months) / 12)
    is_treated = np.array([a in treated for a in areas])[:, None]
    t = np.arange(n_months)[None, :]
    mu = np.exp(alpha[:, None] + gamma[None, :] + pre_trend * is_treated * (t - start) / 12)
    mu = mu * np.where(is_treated & (t >= start), effect, 1.0)
    counts = rng.poisson(rng.gamma(10.0, mu / 10.0))
    months = pd.period_range("2021-01", periods=n_months, freq="M").astype(str)
    panel = pd.DataFrame(
        {
            "area": np.repeat(areas, n_months),
            "month": np.tile(months, n_areas),
            "count": counts.ravel(),
            "population": np.repeat(rng.integers(1200, 2500, n_areas), n_months),
        }
    )
    return panel, treated


START_MONTH = str(pd.Period("2021-01", "M") + START)


def test_planted_reduction_is_recovered_and_detected():
    # 95% intervals over 10 seeds: the truth (0.8) must be inside at least 8 times (if coverage were 95%,
    # P(fewer than 8) = 1.2%), and "no effect" (1.0) outside every time (power is close to 1 here).
    covered = detected = 0
    for seed in range(10):
        panel, treated = simulate_panel(seed, effect=0.8)
        result = difference_in_differences(panel, treated_areas=treated, start=START_MONTH, event_window=None)
        covered += result.effect.ci_low <= 0.8 <= result.effect.ci_high
        detected += result.effect.detected and result.effect.estimate < 1
    assert covered >= 8
    assert detected == 10


def test_null_effect_is_not_claimed_more_often_than_expected():
    # 20 null panels at the 5% level: expect 1 rejection; allow up to 3 (P(4 or more) = 1.6% if the size is 5%).
    rejections = 0
    for seed in range(100, 120):
        panel, treated = simulate_panel(seed, effect=1.0)
        result = difference_in_differences(panel, treated_areas=treated, start=START_MONTH, event_window=None)
        rejections += result.effect.detected
        if not result.effect.detected:
            assert result.effect.plain_english().startswith("No detectable effect")
    assert rejections <= 3


def test_linear_model_equals_hand_computed_2x2_difference_of_means():
    # On a balanced panel with a common start, the two-way fixed-effects OLS coefficient equals the 2×2
    # difference in mean rates (treated after - before) - (comparison after - before), exactly.
    panel, treated = simulate_panel(3, effect=0.8)
    result = difference_in_differences(
        panel,
        treated_areas=treated,
        start=START_MONTH,
        population_col="population",
        model="linear_rate",
        event_window=None,
    )
    p = panel.assign(
        rate=panel["count"] / panel["population"] * 1000,
        treated=panel["area"].isin(treated),
        after=pd.PeriodIndex(panel["month"], freq="M") >= pd.Period(START_MONTH, "M"),
    )
    m = p.groupby(["treated", "after"])["rate"].mean()
    hand = (m[(True, True)] - m[(True, False)]) - (m[(False, True)] - m[(False, False)])
    assert result.effect.scale == "difference"
    assert result.effect.estimate == pytest.approx(hand, abs=1e-8)


def test_poisson_two_period_estimate_equals_ratio_of_ratios():
    # With one "before" and one "after" period, Poisson fixed-effects DiD has the closed form
    # (sum treated after / sum treated before) / (sum comparison after / sum comparison before).
    rng = np.random.default_rng(7)
    areas = [f"A{i}" for i in range(30)]
    treated = areas[:8]
    panel = pd.DataFrame(
        {
            "area": areas * 2,
            "month": [1] * 30 + [2] * 30,
            "count": np.concatenate([rng.poisson(50, 30), rng.poisson(45, 30)]),
        }
    )
    # the design needs two pre-periods, so split "before" into two half-periods with the same total
    first = panel[panel["month"] == 1].assign(month=0, count=lambda d: d["count"] // 2)
    second = panel[panel["month"] == 1].assign(count=lambda d: d["count"] - d["count"] // 2)
    three = pd.concat([first, second, panel[panel["month"] == 2]])
    result = difference_in_differences(three, treated_areas=treated, start=2, event_window=None)
    s = panel.assign(t=panel["area"].isin(treated)).groupby(["t", "month"])["count"].sum()
    hand = (s[(True, 2)] / s[(True, 1)]) / (s[(False, 2)] / s[(False, 1)])
    assert result.effect.estimate == pytest.approx(hand, rel=1e-6)


def test_event_study_flags_a_pre_existing_divergence():
    # 0.5 a year: the placebo-based test (honest with 10 treated areas) detects it in 20 of 20 seeds; 0.25 a year
    # only half the time (the old cluster-robust Wald test over-rejected, so it seemed to catch it)
    panel, treated = simulate_panel(11, effect=1.0, pre_trend=0.5)
    diverging = difference_in_differences(panel, treated_areas=treated, start=START_MONTH, event_window=(-12, 6))
    assert diverging.event_study is not None and diverging.event_study.pretrend is not None
    assert diverging.event_study.pretrend.p_value < 0.05
    check = {a.name: a for a in diverging.effect.assumptions}["parallel trends before the start"]
    assert check.passed is False
    assert "already moving differently" in diverging.effect.plain_english()

    panel, treated = simulate_panel(12, effect=0.8)
    parallel = difference_in_differences(panel, treated_areas=treated, start=START_MONTH, event_window=(-6, 6))
    table = parallel.event_study.table
    assert list(table["event_time"]) == list(range(-6, 7))
    assert table.loc[table["event_time"] == -1, "estimate"].item() == 1.0  # reference month
    assert bool(table.loc[table["event_time"] == -6, "binned"].item())
    assert parallel.event_study.pretrend.p_value >= 0.05
    # post-period months average near the planted -20%
    post = table[(table["event_time"] >= 0) & ~table["binned"]]
    assert np.exp(np.log(post["estimate"]).mean()) == pytest.approx(0.8, abs=0.08)


def test_event_study_chart_renders_to_svg_offline():
    panel, treated = simulate_panel(5, effect=0.8)
    result = difference_in_differences(panel, treated_areas=treated, start=START_MONTH, event_window=(-4, 4))
    spec = result.event_study.chart().to_dict()
    assert spec["title"]["text"].startswith("Treated minus comparison")
    svg = result.event_study.to_svg()
    assert svg.lstrip().startswith("<svg")
    assert "Months from the start" in svg


def test_result_carries_provenance_and_serialises():
    panel, treated = simulate_panel(2, effect=0.8)
    result = difference_in_differences(
        panel,
        treated_areas=treated,
        start=START_MONTH,
        population_col="population",
        data_versions=["police-uk@2024-06:abc123"],
        event_window=(-3, 3),
    )
    eff = result.effect
    assert eff.data_versions == ("police-uk@2024-06:abc123",)
    assert eff.parameters["n_treated_areas"] == 10 and eff.parameters["population_offset"] is True
    assert "Wooldridge" in eff.citation
    assert eff.percent_change == pytest.approx((eff.estimate - 1) * 100)
    json.dumps(result.to_dict())
    means = result.group_means.set_index(["group", "period"]).iloc[:, 0]
    assert means[("treated", "after")] < means[("treated", "before")]


def test_unusable_panels_are_refused_with_a_next_step():
    panel, treated = simulate_panel(1)
    with pytest.raises(EvaluationInputError, match="unbalanced") as err:
        difference_in_differences(panel.iloc[5:], treated_areas=treated, start=START_MONTH)
    assert "count of 0" in str(err.value)
    with pytest.raises(EvaluationInputError, match="both treated and comparison"):
        difference_in_differences(panel, treated_areas=treated, comparison_areas=treated[:2], start=START_MONTH)
    with pytest.raises(EvaluationInputError, match="not one of the panel's periods"):
        difference_in_differences(panel, treated_areas=treated, start="2030-01")
    with pytest.raises(EvaluationInputError, match="no column"):
        difference_in_differences(panel, treated_areas=treated, start=START_MONTH, outcome_col="crimes")
