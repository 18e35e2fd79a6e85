"""Pre/post survey change: checked against scipy, hand formulas and planted shifts (synthetic people only)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from vrhub.analysis.evaluation import EvaluationInputError, mcnemar_change, paired_t_change, wilcoxon_change
from vrhub.analysis.evaluation.survey_change import hodges_lehmann_paired, rank_biserial_paired


def scores(seed: int, shift: float, n: int = 120) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    before = rng.normal(3.0, 1.0, n)
    return before, before + shift + rng.normal(0, 0.8, n)


def test_paired_t_matches_scipy_and_the_approximate_dz_interval():
    before, after = scores(1, 0.4)
    result = paired_t_change(before, after)
    ref = stats.ttest_rel(after, before)
    assert result.p_value == pytest.approx(ref.pvalue)
    assert result.estimate == pytest.approx(np.mean(after - before))
    ci = ref.confidence_interval(0.95)
    assert (result.ci_low, result.ci_high) == pytest.approx((ci.low, ci.high))
    d = after - before
    dz = d.mean() / d.std(ddof=1)
    es = result.effect_size
    assert es is not None and es.value == pytest.approx(dz)
    # large-sample approximation: SE(d_z) ~ sqrt(1/n + d_z^2 / (2n)) (Lakens 2013); agree within 0.01
    se = np.sqrt(1 / len(d) + dz**2 / (2 * len(d)))
    assert es.ci_low == pytest.approx(dz - 1.96 * se, abs=0.01)
    assert es.ci_high == pytest.approx(dz + 1.96 * se, abs=0.01)


def test_planted_shift_is_recovered_and_null_is_not_claimed():
    before, after = scores(2, 0.4, n=200)
    result = paired_t_change(before, after, outcome_label="feeling safe (1-5)")
    assert result.ci_low <= 0.4 <= result.ci_high and result.detected
    assert "a rise of" in result.plain_english()
    # null: 20 samples, allow up to 3 false claims (P(4 or more) = 1.6% at a 5% size)
    claims = sum(paired_t_change(*scores(seed, 0.0)).detected for seed in range(300, 320))
    assert claims <= 3


def test_wilcoxon_matches_scipy_and_hand_computations():
    rng = np.random.default_rng(3)
    before = rng.integers(1, 6, 80).astype(float)
    after = np.clip(before + rng.choice([-1, 0, 1, 1, 2], 80), 1, 5)
    result = wilcoxon_change(before, after)
    assert result.p_value == pytest.approx(stats.wilcoxon(after, before, zero_method="wilcox").pvalue)
    d = after - before
    walsh = [(d[i] + d[j]) / 2 for i in range(len(d)) for j in range(i, len(d))]
    assert result.estimate == pytest.approx(np.median(walsh))
    assert result.effect_size is not None and result.effect_size.name == "rank-biserial r"


def test_rank_biserial_and_hodges_lehmann_small_example():
    # d = [1, 2, -1, 3]: |d| ranks 1.5, 3, 1.5, 4 -> R+ = 8.5, R- = 1.5, r = (8.5 - 1.5) / 10 = 0.7 (Kerby 2014)
    d = np.array([1.0, 2.0, -1.0, 3.0])
    r, lo, hi = rank_biserial_paired(d)
    assert r == pytest.approx(0.7)
    assert lo < 0.7 < hi
    # Walsh averages: 1, 1.5, 0, 2, 2, 0.5, 2.5, -1, 1, 3 -> median 1.25
    hl, _, _ = hodges_lehmann_paired(d)
    assert hl == pytest.approx(1.25)


def test_mcnemar_matches_exact_binomial_and_clopper_pearson():
    # 15 people moved to agree, 5 moved away: OR = 3; exact two-sided p = P(X <= 5 | 20, 0.5) * 2
    before = [False] * 15 + [True] * 5 + [True] * 30 + [False] * 10
    after = [True] * 15 + [False] * 5 + [True] * 30 + [False] * 10
    result = mcnemar_change(before, after, outcome_label="agreeing that 'my area is safe'")
    assert result.estimate == pytest.approx(3.0)
    assert result.p_value == pytest.approx(2 * stats.binom.cdf(5, 20, 0.5))
    ci = stats.binomtest(15, 20).proportion_ci(0.95, method="exact")
    assert result.ci_low == pytest.approx(ci.low / (1 - ci.low))
    assert result.ci_high == pytest.approx(ci.high / (1 - ci.high))
    assert result.parameters["moved_to_agree"] == 15 and result.parameters["moved_away"] == 5
    assert "more likely to move towards agreeing" in result.plain_english()


def test_missing_pairs_are_dropped_and_reported():
    before = [1, 2, 3, np.nan, 4, 5, 2, 3, 4, 1]
    after = [2, 3, 3, 4, np.nan, 5, 4, 4, 5, 3]
    result = paired_t_change(before, after)
    assert result.parameters["n_pairs"] == 8
    assert any("2 person(s)" in note for note in result.notes)


def test_unusable_survey_data_is_refused():
    with pytest.raises(EvaluationInputError, match="same length"):
        paired_t_change([1, 2, 3], [1, 2])
    with pytest.raises(EvaluationInputError, match="nobody changed"):
        mcnemar_change([True, False, True], [True, False, True])
    with pytest.raises(EvaluationInputError, match="yes/no"):
        mcnemar_change([1, 2, 3], [1, 2, 3])
