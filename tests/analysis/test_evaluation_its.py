"""Interrupted time series: exact recovery on noiseless data, planted effects and null data.

Simulated series: 60 months (36 before the start), about 300 crimes a month (a district), a gentle upward
trend, seasonality, and extra-Poisson noise (gamma-Poisson, shape 50).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vrhub.analysis.evaluation import EvaluationInputError, interrupted_time_series
from vrhub.analysis.evaluation.interrupted_time_series import newey_west_lags

T, K = 60, 36
MONTHS = pd.period_range("2019-01", periods=T, freq="M")
START = str(MONTHS[K])


def expected_counts(level: float = 0.8, slope: float = 1.0, base: float = 300.0) -> np.ndarray:
    t = np.arange(T)
    post = t >= K
    season = 0.15 * np.sin(2 * np.pi * MONTHS.month.to_numpy() / 12)
    return base * np.exp(0.004 * t + season) * np.where(post, level * slope ** (t - K), 1.0)


def noisy_series(seed: int, level: float) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mu = expected_counts(level=level)
    return pd.DataFrame({"month": MONTHS.astype(str), "count": rng.poisson(rng.gamma(50.0, mu / 50.0))})


@pytest.mark.filterwarnings("ignore:Perfect separation")  # statsmodels warns when a fit is exact
def test_noiseless_series_recovers_planted_level_and_slope_exactly():
    # Independent check: with y equal to its expectation the segmented model fits perfectly, so the
    # estimates must equal the planted values (level 0.8, slope 0.99/month) and the average post-period
    # effect must equal sum(expected) / sum(counterfactual) computed by hand.
    y = expected_counts(level=0.8, slope=0.99)
    series = pd.DataFrame({"month": MONTHS.astype(str), "count": y})
    result = interrupted_time_series(series, start=START)
    assert result.level_change.estimate == pytest.approx(0.8, rel=1e-6)
    assert result.slope_change.estimate == pytest.approx(0.99, rel=1e-6)
    counterfactual = expected_counts(level=1.0, slope=1.0)
    hand = y[K:].sum() / counterfactual[K:].sum()
    assert result.effect.estimate == pytest.approx(hand, rel=1e-6)
    assert result.fitted["counterfactual"].to_numpy()[K:] == pytest.approx(counterfactual[K:], rel=1e-6)


def test_planted_reduction_is_recovered_and_detected():
    # 10 seeds, 20% step down: the truth inside the 95% interval at least 8 times (P(<8) = 1.2% at 95%
    # coverage) and "no effect" excluded every time.
    covered = detected = 0
    for seed in range(10):
        result = interrupted_time_series(noisy_series(seed, 0.8), start=START)
        covered += result.effect.ci_low <= 0.8 <= result.effect.ci_high
        detected += result.effect.detected and result.effect.estimate < 1
    assert covered >= 8
    assert detected == 10


def test_null_effect_is_not_claimed_more_often_than_expected():
    # 20 null series at the 5% level: allow up to 3 false claims (P(4 or more) = 1.6% at a 5% size).
    rejections = 0
    for seed in range(200, 220):
        result = interrupted_time_series(noisy_series(seed, 1.0), start=START)
        rejections += result.effect.detected
        if not result.effect.detected:
            assert "No detectable effect" in result.plain_english()
            assert "fewer violent crimes than" not in result.plain_english()
    assert rejections <= 3


def test_negative_binomial_and_fourier_give_similar_answers():
    series = noisy_series(3, 0.8)
    base = interrupted_time_series(series, start=START)
    nb = interrupted_time_series(series, start=START, family="negative_binomial", seasonality="fourier")
    assert nb.effect.parameters["negative_binomial_alpha"] > 0
    assert nb.effect.estimate == pytest.approx(base.effect.estimate, abs=0.05)
    assert nb.effect.parameters["seasonality"] == "fourier"


def test_result_records_method_and_checks():
    result = interrupted_time_series(noisy_series(4, 0.8), start=START, data_versions=["ae-istv@v7"])
    eff = result.effect
    assert eff.data_versions == ("ae-istv@v7",)
    assert eff.parameters["hac_maxlags"] == newey_west_lags(T) == 3
    assert eff.parameters["n_pre_periods"] == K and eff.parameters["n_post_periods"] == T - K
    assert "Bernal" in eff.citation
    names = {a.name for a in eff.assumptions}
    assert {"enough months before and after", "no remaining autocorrelation"} <= names


def test_short_or_gappy_series_are_refused():
    series = noisy_series(1, 0.8)
    with pytest.raises(EvaluationInputError, match="gaps"):
        interrupted_time_series(series.drop(index=[10, 11]), start=START)
    with pytest.raises(EvaluationInputError, match="at least 6 before"):
        interrupted_time_series(series, start=str(MONTHS[3]))
    short = interrupted_time_series(series.iloc[26:46], start=START, seasonality="fourier")
    check = {a.name: a for a in short.effect.assumptions}["enough months before and after"]
    assert check.passed is False and "Caution" in short.plain_english()
