"""Synthetic control: planted effects, null data, placebo p-values and the weight solver.

Simulated panels: a treated area that is a weighted mix of 3 of 19 donor areas (factor model with a
common trend and seasonality, 3% noise), a ratio ``effect`` applied to it from month 24 of 36.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vrhub.analysis.evaluation import EvaluationInputError, synthetic_control
from vrhub.analysis.evaluation.synthetic_control import _fit_weights, simplex_least_squares

T, K = 36, 24
MONTHS = pd.period_range("2020-01", periods=T, freq="M").astype(str)


def simulate(seed: int, effect: float = 0.8, n_donors: int = 19) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    trend = np.cumsum(rng.normal(0, 0.03, T))
    season = np.sin(2 * np.pi * np.arange(T) / 12)
    loading = rng.uniform(0.5, 1.5, n_donors)
    seasonal = rng.uniform(0.05, 0.3, n_donors)
    base = rng.uniform(1.5, 4.0, n_donors)
    donors = base[:, None] * np.exp(loading[:, None] * trend[None, :] + seasonal[:, None] * season[None, :])
    weights = np.zeros(n_donors)
    chosen = rng.choice(n_donors, 3, replace=False)
    weights[chosen] = rng.dirichlet(np.ones(3))
    rates = np.vstack([weights @ donors, donors]) * np.exp(rng.normal(0, 0.03, (n_donors + 1, T)))
    rates[0, K:] *= effect
    areas = ["TREATED"] + [f"D{j:02d}" for j in range(n_donors)]
    panel = pd.DataFrame({"area": np.repeat(areas, T), "month": np.tile(MONTHS, n_donors + 1), "rate": rates.ravel()})
    return panel, weights


def test_planted_reduction_is_recovered_and_detected():
    # With 19 donors the smallest p-value is 1/20 = 0.05; the confidence set (test inversion) must
    # contain the planted 0.8 and exclude 1 in each of 3 seeds.
    for seed in range(3):
        panel, _ = simulate(seed, effect=0.8)
        result = synthetic_control(panel, treated_area="TREATED", start=MONTHS[K])
        eff = result.effect
        assert eff.ci_low <= 0.8 <= eff.ci_high, (seed, eff.ci_low, eff.ci_high)
        assert eff.detected and eff.p_value == pytest.approx(0.05)
        assert eff.estimate == pytest.approx(0.8, abs=0.05)
        # the synthetic twin tracks the area before the start (weights need not be the planted ones: with
        # two common factors many donor mixes reproduce the same path)
        assert {a.name: a.passed for a in eff.assumptions}["good fit before the start"] is True
        assert result.weights.sum() == pytest.approx(1.0) and (result.weights >= 0).all()


def test_null_effect_is_not_claimed_more_often_than_expected():
    # Under no effect the treated area's rank is uniform: P(rank 1 of 20) = 5%. 10 seeds: allow at most 2
    # false claims (P(3 or more) = 1.2%).
    claims = 0
    for seed in range(100, 110):
        panel, _ = simulate(seed, effect=1.0)
        result = synthetic_control(panel, treated_area="TREATED", start=MONTHS[K])
        claims += result.effect.detected
    assert claims <= 2


def test_p_value_is_the_rank_among_placebos():
    panel, _ = simulate(5, effect=0.9, n_donors=9)
    result = synthetic_control(panel, treated_area="TREATED", start=MONTHS[K])
    table = result.placebos
    treated_ratio = table.loc[table["treated"], "ratio"].item()
    hand = (1 + (table.loc[~table["treated"], "ratio"] >= treated_ratio).sum()) / len(table)
    assert result.effect.p_value == pytest.approx(hand)
    # RMSPE ratio by hand from the paths
    gap = result.paths["gap"].to_numpy()
    post = result.paths["post"].to_numpy()
    ratio = np.sqrt(np.mean(gap[post] ** 2)) / np.sqrt(np.mean(gap[~post] ** 2))
    assert treated_ratio == pytest.approx(ratio)


def test_too_few_donors_cannot_reach_95_percent_and_says_so():
    panel, _ = simulate(6, effect=0.8, n_donors=9)
    result = synthetic_control(panel, treated_area="TREATED", start=MONTHS[K])
    check = {a.name: a for a in result.effect.assumptions}["enough comparison areas for the placebo test"]
    assert check.passed is False
    assert result.effect.p_value >= 0.1
    assert not result.effect.detected
    text = result.plain_english()
    assert text.startswith("No detectable effect") and "at least 19 are needed" in text


def test_nnls_weights_match_pysyncon_slsqp():
    # Independent computation: pysyncon's own SLSQP solver on the same (scaled, equal-V) problem.
    panel, _ = simulate(8, effect=1.0, n_donors=10)
    wide = panel.pivot(index="month", columns="area", values="rate").reset_index(drop=True)
    pre = np.arange(T) < K
    pool = [c for c in wide.columns if c != "TREATED"]
    w_nnls = _fit_weights(wide, pre, "TREATED", pool, None, "equal", "nnls")
    w_slsqp = _fit_weights(wide, pre, "TREATED", pool, None, "equal", "pysyncon")
    X = wide.loc[pre, [*pool, "TREATED"]]
    X = X.divide(X.std(axis=1), axis=0)

    def loss(w: np.ndarray) -> float:
        return float(np.sum((X["TREATED"].to_numpy() - X[pool].to_numpy() @ w) ** 2))

    assert loss(w_nnls) <= loss(w_slsqp) * 1.01 + 1e-9
    assert w_nnls == pytest.approx(w_slsqp, abs=0.03)


def test_simplex_least_squares_on_an_exact_mixture():
    rng = np.random.default_rng(0)
    A = rng.normal(size=(30, 5))
    w = np.array([0.5, 0.0, 0.3, 0.2, 0.0])
    assert simplex_least_squares(A, A @ w) == pytest.approx(w, abs=1e-4)


def test_bad_input_is_refused():
    panel, _ = simulate(1, n_donors=5)
    with pytest.raises(EvaluationInputError, match="donor"):
        synthetic_control(panel, treated_area="TREATED", start=MONTHS[K], donor_areas=["D00"])
    with pytest.raises(EvaluationInputError, match="not in the panel"):
        synthetic_control(panel, treated_area="NOPE", start=MONTHS[K])
