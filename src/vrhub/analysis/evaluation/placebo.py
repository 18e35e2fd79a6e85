"""Placebo inference for difference-in-differences with few treated areas.

With one or a few treated areas, area-clustered standard errors are far too small: the effect term absorbs the
treated areas' own deviations, so almost nothing in the residuals measures how far one area's change can stray
by chance (MacKinnon & Webb 2017, J Applied Econometrics 32:233-254). The comparison areas can measure it
instead. Each comparison area in turn is called treated (the real treated areas left out) and the model is
refitted: the spread of these placebo estimates is the spread of one area's deviation (Conley & Taber 2011,
Rev Econ Stat 93:113-125; the placebo variance of Arkhangelsky et al. 2021, AER 111:4088-4118, Algorithm 4).

Exact small-sample version. Suppose each area's contribution to the estimate is its own deviation ``e_i``,
independent and normal with a common variance ``σ²`` (areas exchangeable), so that an estimate with treated set
``T`` (``G1`` areas) against comparison set ``C`` (``G0`` areas) is ``ē_T − ē_C``. The placebo estimate for
comparison area ``j`` against the other ``G0 − 1`` is ``(G0 / (G0 − 1)) (e_j − ē_C)``, so

    s² = var(placebo estimates, ddof=1) · ((G0 − 1) / G0)²

is the usual unbiased estimate of ``σ²`` on ``G0 − 1`` degrees of freedom, independent of ``ē_C``. The real
estimate has variance ``σ² (1/G1 + 1/G0)``, hence

    (estimate − effect) / (s · √(1/G1 + 1/G0))  ~  t with G0 − 1 degrees of freedom

for any number of treated areas: the same construction as the two-sample t test, with the variance taken from the
comparison areas only (cf. Donald & Lang 2007, Rev Econ Stat 89:221-233, for t inference on group-level
variation with few groups). For a vector of coefficients (the event study) ``s²`` becomes the covariance matrix
of the placebo vectors, and a joint test of ``q`` of them is Hotelling's ``T²``:
``F = T² (ν − q + 1) / (ν q)`` with ``(q, ν − q + 1)`` degrees of freedom, ``ν = G0 − 1`` (Hotelling 1931), and
a linear contrast of them (a slope across the pre-period) is a t test on ``ν`` degrees of freedom.

The Poisson model is only approximately of this additive form (areas of different size weigh differently);
tests/analysis/test_evaluation_did_size.py measures the size of the tests by simulation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats

MIN_PLACEBO_AREAS = 3  # below this the spread of placebo estimates cannot be estimated usefully
MAX_PLACEBO_AREAS = 60  # placebo fits beyond this add little; a random sample of comparison areas is used

CITATION = ("Placebo inference: Conley TG & Taber CR (2011) Rev Econ Stat 93:113-125; Arkhangelsky D, Athey S, "
            "Hirshberg DA, Imbens GW & Wager S (2021) AER 111:4088-4118 (placebo variance); Donald SG & Lang K (2007) "
            "Rev Econ Stat 89:221-233; Hotelling H (1931) Ann Math Stat 2:360-378.")


@dataclass(frozen=True)
class PlaceboVariance:
    """The covariance of one area's deviation, estimated from placebo fits on the comparison areas.

    ``area_cov`` is ``s²`` (a matrix for several coefficients); ``df`` its degrees of freedom (placebo fits
    used − 1); ``estimates`` the placebo coefficients, one row per placebo area; ``skipped`` how many placebo
    areas had no finite estimate (no events on one side of the start) and were left out.
    """

    area_cov: np.ndarray
    df: int
    n_comparison: int
    estimates: np.ndarray
    skipped: int = 0
    sampled: bool = False

    def cov(self, n_treated: int) -> np.ndarray:
        """Covariance of the real estimate with ``n_treated`` treated areas: ``s² (1/G1 + 1/G0)``."""
        return self.area_cov * (1.0 / n_treated + 1.0 / self.n_comparison)

    def interval(self, coef: np.ndarray, n_treated: int, confidence_level: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(standard errors, lower, upper, two-sided p-values) of each coefficient, t on ``df``."""
        se = np.sqrt(np.diag(self.cov(n_treated)))
        tcrit = stats.t.ppf(0.5 + confidence_level / 2.0, self.df)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = np.where(se > 0, 2 * stats.t.sf(np.abs(coef / se), self.df), np.nan)
        return se, coef - tcrit * se, coef + tcrit * se, p

    def joint_test(self, coef: np.ndarray, n_treated: int, which: list[int]) -> tuple[float, int, int, float] | None:
        """Hotelling's T² test that the coefficients ``which`` are all zero: (F, q, ν − q + 1, p), or ``None``
        when there are too few placebo fits for ``q`` coefficients (``ν < q``)."""
        q, nu = len(which), self.df
        if q == 0 or nu < q:
            return None
        b = coef[which]
        v = self.cov(n_treated)[np.ix_(which, which)]
        t2 = float(b @ np.linalg.pinv(v) @ b)
        f = t2 * (nu - q + 1) / (nu * q)
        return f, q, nu - q + 1, float(stats.f.sf(f, q, nu - q + 1))


    def slope_test(self, coef: np.ndarray, n_treated: int, which: list[int], times: list[float],
                   reference: float) -> tuple[float, float, int, float] | None:
        """Test of a linear trend across the coefficients ``which`` (at ``times``) and the reference period
        (coefficient 0 at ``reference``): the least-squares slope through them, its standard error, the degrees
        of freedom and the two-sided p-value (t on ``df``). ``None`` without at least one coefficient."""
        if not which:
            return None
        x = np.array([*times, reference], dtype=float)
        c = (x - x.mean())[:-1] / ((x - x.mean()) ** 2).sum()
        slope = float(c @ coef[which])
        se = float(np.sqrt(c @ self.cov(n_treated)[np.ix_(which, which)] @ c))
        p = float(2 * stats.t.sf(abs(slope / se), self.df)) if se > 0 else float("nan")
        return slope, se, self.df, p


def placebo_variance(fit_one: Callable[[int], np.ndarray | None], n_comparison: int, *, seed: int = 0,
                     max_areas: int = MAX_PLACEBO_AREAS) -> PlaceboVariance | None:
    """Refit with each comparison area (``0 .. n_comparison − 1``) called treated and estimate ``s²``.

    ``fit_one(j)`` returns the placebo coefficients for comparison area ``j`` (``None`` when they are not
    finite). With more than ``max_areas`` comparison areas a random sample of them (``seed``) is refitted; the
    variance estimate is unbiased either way. Returns ``None`` when fewer than :data:`MIN_PLACEBO_AREAS`
    placebo fits succeed.
    """
    if n_comparison < MIN_PLACEBO_AREAS:
        return None
    chosen = np.arange(n_comparison)
    sampled = n_comparison > max_areas
    if sampled:
        chosen = np.sort(np.random.default_rng(seed).choice(n_comparison, size=max_areas, replace=False))
    rows, skipped = [], 0
    for j in chosen.tolist():
        est = fit_one(j)
        if est is None or not np.all(np.isfinite(est)):
            skipped += 1
            continue
        rows.append(np.atleast_1d(np.asarray(est, dtype=float)))
    if len(rows) < MIN_PLACEBO_AREAS:
        return None
    estimates = np.vstack(rows)
    factor = ((n_comparison - 1) / n_comparison) ** 2
    area_cov = np.atleast_2d(np.cov(estimates, rowvar=False, ddof=1)) * factor
    return PlaceboVariance(area_cov, len(rows) - 1, n_comparison, estimates, skipped, sampled)
