"""Cost-effectiveness and scale-up: hand computations, Monte Carlo against the analytic answer, labels."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from vrhub.analysis.evaluation import EffectEstimate
from vrhub.analysis.value import (
    PLANNING_LABEL,
    Money,
    PriceYearMismatchError,
    ScaleUpScenario,
    ValueInputError,
    cost_effectiveness,
    cost_per_participant,
    load_unit_costs,
    project_scale_up,
    yef_prior,
)

BASELINE = {"violence_with_injury": 60, "robbery": 10}
VALUE_2015 = 60 * 14_050 + 10 * 11_320  # £956,200 of expected harm, 2015/16 prices


def local_effect(est: float, lo: float, hi: float) -> EffectEstimate:
    return EffectEstimate(
        method="difference-in-differences (test)",
        estimate=est,
        ci_low=lo,
        ci_high=hi,
        p_value=0.01,
        scale="ratio",
        citation="test",
    )


def test_central_values_by_hand():
    result = cost_effectiveness(
        programme_cost=Money(100_000, "2015/16"),
        baseline_offences=BASELINE,
        effect=local_effect(0.8, 0.7, 0.9),
        unit_costs=load_unit_costs(),
        participants=80,
        seed=1,
    )
    assert result.offences_prevented.central == pytest.approx(0.2 * 70)
    assert result.benefit.central == pytest.approx(0.2 * VALUE_2015)
    assert result.benefit_cost_ratio.central == pytest.approx(0.2 * VALUE_2015 / 100_000)
    assert result.cost_per_offence_prevented.central == pytest.approx(100_000 / 14)
    assert result.cost_per_participant == Money(1250, "2015/16")
    assert result.planning_assumption is False
    assert PLANNING_LABEL not in result.plain_english()
    json.dumps(result.to_dict())


def test_monte_carlo_interval_matches_the_analytic_lognormal_quantiles():
    # BCR = (1 - R) * V / C is decreasing in R, and R is log-normal; so the 2.5th percentile of BCR is
    # BCR at R's 97.5th percentile. Tolerance 1% (Monte Carlo error with 20,000 draws is ~0.3%).
    effect = local_effect(0.8, 0.7, 0.9)
    result = cost_effectiveness(
        programme_cost=Money(100_000, "2015/16"),
        baseline_offences=BASELINE,
        effect=effect,
        unit_costs=load_unit_costs(),
        n_draws=20_000,
        seed=7,
    )
    sd = (math.log(0.9) - math.log(0.7)) / (2 * stats.norm.ppf(0.975))
    r_hi = math.exp(math.log(0.8) + stats.norm.ppf(0.975) * sd)
    r_lo = math.exp(math.log(0.8) - stats.norm.ppf(0.975) * sd)
    assert result.benefit_cost_ratio.low == pytest.approx((1 - r_hi) * VALUE_2015 / 100_000, rel=0.01)
    assert result.benefit_cost_ratio.high == pytest.approx((1 - r_lo) * VALUE_2015 / 100_000, rel=0.01)
    # P(BCR > 1) = P(R < 1 - C/V), analytically
    threshold = 1 - 100_000 / VALUE_2015
    p = stats.norm.cdf((math.log(threshold) - math.log(0.8)) / sd)
    assert result.probability_benefit_exceeds_cost == pytest.approx(p, abs=0.01)


def test_results_are_reproducible_from_the_seed():
    kwargs = dict(programme_cost=Money(250_000, "2024/25"), baseline_offences=BASELINE, effect=yef_prior("moderate"))
    a, b = cost_effectiveness(seed=3, **kwargs), cost_effectiveness(seed=3, **kwargs)
    c = cost_effectiveness(seed=4, **kwargs)
    assert a.benefit_cost_ratio == b.benefit_cost_ratio
    assert a.benefit_cost_ratio.low != c.benefit_cost_ratio.low
    assert a.seed == 3 and a.n_draws == 10_000


def test_yef_prior_is_labelled_as_a_planning_assumption_everywhere():
    result = cost_effectiveness(
        programme_cost=Money(250_000, "2024/25"),
        baseline_offences=BASELINE,
        effect=yef_prior("mentoring"),
        participants=100,
    )
    assert result.planning_assumption is True
    assert PLANNING_LABEL == "planning assumption from the YEF Toolkit, not a local evaluation"
    assert PLANNING_LABEL in result.plain_english()
    assert PLANNING_LABEL in result.to_dict()["evidence_label"]
    assert any(PLANNING_LABEL in a for a in result.assumptions)
    assert result.parameters["central_rate_ratio"] == pytest.approx(0.79)  # mentoring: about 21% less
    # the shipped unit costs were rebased to the programme's price year, and that is stated
    assert any("rebased from 2015/16 to 2024/25" in a for a in result.assumptions)


def test_yef_bands():
    assert yef_prior("high").sample_ratios(np.random.default_rng(0), 5) == pytest.approx([0.7] * 5)
    draws = yef_prior("low").sample_ratios(np.random.default_rng(0), 5000)
    assert draws.min() >= 0.91 and draws.max() <= 0.98
    assert yef_prior("moderate").reduction_low == 0.10 and yef_prior("moderate").reduction_high == 0.30
    with pytest.raises(ValueInputError, match="no YEF Toolkit prior"):
        yef_prior("boot camps")


def test_null_local_evaluation_is_not_presented_as_prevention():
    result = cost_effectiveness(
        programme_cost=Money(100_000, "2015/16"),
        baseline_offences=BASELINE,
        effect=local_effect(0.95, 0.8, 1.12),
        unit_costs=load_unit_costs(),
    )
    text = result.plain_english()
    assert "no detectable effect" in text and "may be zero" in text
    assert "is expected to prevent" not in text
    assert 0 < result.probability_no_reduction < 1


def test_mismatched_price_years_and_bad_inputs_are_refused():
    with pytest.raises(PriceYearMismatchError, match="2024/25 prices but the unit costs are in 2015/16"):
        cost_effectiveness(
            programme_cost=Money(1000, "2024/25"),
            baseline_offences=BASELINE,
            effect=yef_prior("low"),
            unit_costs=load_unit_costs(),
        )
    with pytest.raises(ValueInputError, match="rate ratio"):
        cost_effectiveness(
            programme_cost=Money(1000, "2015/16"),
            baseline_offences=BASELINE,
            effect=EffectEstimate(
                method="t", estimate=0.3, ci_low=0.1, ci_high=0.5, p_value=0.01, scale="difference", citation="t"
            ),
        )
    with pytest.raises(ValueInputError, match="unbounded"):
        cost_effectiveness(
            programme_cost=Money(1000, "2015/16"), baseline_offences=BASELINE, effect=local_effect(0.8, 0.0, math.inf)
        )
    with pytest.raises(ValueInputError, match="not verified"):
        cost_effectiveness(
            programme_cost=Money(1000, "2015/16"), baseline_offences={"domestic_burglary": 3}, effect=yef_prior("low")
        )
    with pytest.raises(ValueInputError, match="at least 1"):
        cost_per_participant(Money(1000, "2015/16"), 0)


def test_scale_up_is_linear_under_its_stated_assumptions():
    per = Money(2_000, "2024/25")
    fixed = Money(50_000, "2024/25")
    projection = project_scale_up(
        scenarios=[
            ScaleUpScenario("pilot", 1, 100, per, fixed),
            ScaleUpScenario("all 13 districts", 13, 100, per, fixed),
        ],
        baseline_offences_per_participant={"violence_with_injury": 0.6},
        effect=yef_prior("mentoring"),
        seed=11,
    )
    pilot, county = projection.results
    assert county.programme_cost.amount == pytest.approx(13 * pilot.programme_cost.amount) == 13 * 250_000
    # common random numbers: every draw scales by 13, so intervals scale exactly and the BCR is unchanged
    assert county.offences_prevented.low == pytest.approx(13 * pilot.offences_prevented.low)
    assert county.benefit_cost_ratio.central == pytest.approx(pilot.benefit_cost_ratio.central)
    table = projection.table()
    assert list(table["participants"]) == [100, 1300]
    text = " ".join(projection.assumptions)
    assert "works as well at scale" in text and "fixed amount per district" in text
    assert PLANNING_LABEL in projection.plain_english()
    json.dumps(projection.to_dict())


def test_scale_up_refuses_mixed_price_years():
    with pytest.raises(ValueInputError, match="different price years"):
        project_scale_up(
            scenarios=[
                ScaleUpScenario("a", 1, 10, Money(1, "2024/25")),
                ScaleUpScenario("b", 1, 10, Money(1, "2023/24")),
            ],
            baseline_offences_per_participant={"robbery": 0.1},
            effect=yef_prior("low"),
        )
