"""The fast two-way fixed-effects fits equal statsmodels' dummy-variable fits: estimates and clustered errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from vrhub.analysis.evaluation import EvaluationInputError
from vrhub.analysis.evaluation.placebo import placebo_variance
from vrhub.analysis.evaluation.twfe import linear_twfe, poisson_twfe


def panel(seed: int, n_areas: int = 13, n_periods: int = 24) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.poisson(rng.gamma(10, np.exp(rng.normal(3, 0.4, n_areas))[:, None] * np.ones((n_areas, n_periods)) / 10))
    exposure = np.repeat(rng.integers(1000, 3000, n_areas)[:, None], n_periods, axis=1).astype(float)
    treated = np.zeros(n_areas, dtype=bool)
    treated[:3] = True
    post = np.arange(n_periods) >= 16
    x = np.stack([treated[:, None] & post[None, :], treated[:, None] & (np.arange(n_periods) == 12)[None, :]])
    return y, exposure, x.astype(float)


def dummies(y: np.ndarray, x: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_areas, n_periods = y.shape
    long = pd.DataFrame({"area": np.repeat(np.arange(n_areas), n_periods), "t": np.tile(np.arange(n_periods), n_areas)})
    design = pd.concat([pd.DataFrame({f"x{k}": x[k].ravel() for k in range(x.shape[0])}),
                        pd.get_dummies(long["area"], prefix="a", dtype=float),
                        pd.get_dummies(long["t"], prefix="t", drop_first=True, dtype=float)], axis=1)
    return long, design


@pytest.mark.parametrize("seed", [1, 2])
def test_poisson_fit_equals_statsmodels_glm_with_clustered_errors(seed: int) -> None:
    y, exposure, x = panel(seed)
    fit = poisson_twfe(y, exposure, x)
    long, design = dummies(y, x)
    ref = sm.GLM(y.ravel(), design, family=sm.families.Poisson(), offset=np.log(exposure.ravel())).fit(
        cov_type="cluster", cov_kwds={"groups": long["area"]})
    np.testing.assert_allclose(fit.coef, ref.params[["x0", "x1"]], rtol=1e-8)
    np.testing.assert_allclose(fit.cov, ref.cov_params().loc[["x0", "x1"], ["x0", "x1"]], rtol=1e-6)
    assert fit.dispersion == pytest.approx(ref.pearson_chi2 / ref.df_resid, rel=1e-8)


def test_linear_fit_equals_statsmodels_ols_with_clustered_errors() -> None:
    y, exposure, x = panel(3)
    rate = y / exposure * 1000
    fit = linear_twfe(rate, x)
    long, design = dummies(y, x)
    ref = sm.OLS(rate.ravel(), design).fit(cov_type="cluster", cov_kwds={"groups": long["area"]})
    np.testing.assert_allclose(fit.coef, ref.params[["x0", "x1"]], rtol=1e-8)
    np.testing.assert_allclose(fit.cov, ref.cov_params().loc[["x0", "x1"], ["x0", "x1"]], rtol=1e-6)


def test_an_area_with_no_events_is_refused() -> None:
    y, exposure, x = panel(4)
    y[2] = 0
    with pytest.raises(EvaluationInputError, match="no recorded events"):
        poisson_twfe(y, exposure, x)


def test_placebo_variance_is_the_unbiased_area_variance_of_an_additive_model() -> None:
    # Placebo estimate of comparison area j against the other G0 - 1: (G0/(G0-1)) (e_j - mean e). The scaled
    # spread must give back the sample variance of the e's exactly.
    e = np.random.default_rng(5).normal(0, 2, 12)

    def fit_one(j: int) -> np.ndarray:
        return np.array([e[j] - np.delete(e, j).mean()])

    pv = placebo_variance(fit_one, len(e))
    assert pv is not None and pv.df == 11
    assert pv.area_cov[0, 0] == pytest.approx(np.var(e, ddof=1), rel=1e-12)
    assert pv.cov(3)[0, 0] == pytest.approx(np.var(e, ddof=1) * (1 / 3 + 1 / 12), rel=1e-12)
