"""The trend model (quasi-Poisson GLM with a days offset) and the year-on-year rate ratio.

Checked against: a hand-written IRLS fit (numpy only), simulated series with a known trend (interval coverage and
false-alarm rate over fixed seeds), R's ``poisson.test`` documentation example, and a hand inversion of the
binomial tails with a root finder.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pytest
from scipy import optimize, stats

from vrhub.analysis.profile import fit_trend, rate_ratio
from vrhub.analysis.profile.trend import days_in


def months_from(year: int, month: int, n: int) -> list[dt.date]:
    out = []
    for _ in range(n):
        out.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def simulate(seed: int, *, n: int = 36, change: float = -0.10, daily: float = 10.0, seasonal_amp: float = 0.2,
             gamma_cv2: float | None = None, start: tuple[int, int] = (2019, 4)) -> tuple[list[dt.date], list[int]]:
    """Monthly counts: ``daily`` events a day × days in month × (1 + change)^years × a yearly cosine season.

    ``gamma_cv2`` adds over-dispersion: each month's mean is drawn from a gamma with squared CV ``gamma_cv2``.
    """
    rng = np.random.default_rng(seed)
    ms = months_from(*start, n)
    years = np.arange(n) / 12
    season = np.exp(seasonal_amp * np.cos(2 * np.pi * (np.array([m.month for m in ms]) - 1) / 12))
    mu = np.array([daily * days_in(m) for m in ms]) * (1 + change) ** years * season
    if gamma_cv2:
        mu = rng.gamma(shape=1 / gamma_cv2, scale=mu * gamma_cv2)
    return ms, rng.poisson(mu).tolist()


def irls_poisson(X: np.ndarray, y: np.ndarray, offset: np.ndarray, iters: int = 100) -> tuple[np.ndarray, ...]:
    """Poisson log-link GLM by iteratively reweighted least squares (McCullagh & Nelder 1989 §2.5), by hand."""
    beta = np.zeros(X.shape[1])
    beta[0] = math.log(y.sum() / np.exp(offset).sum())
    for _ in range(iters):
        eta = X @ beta + offset
        mu = np.exp(eta)
        z = eta - offset + (y - mu) / mu
        xtw = X.T * mu
        new = np.linalg.solve(xtw @ X, xtw @ z)
        if np.max(np.abs(new - beta)) < 1e-12:
            beta = new
            break
        beta = new
    mu = np.exp(X @ beta + offset)
    info_inv = np.linalg.inv((X.T * mu) @ X)
    return beta, mu, info_inv


def test_fit_matches_a_hand_irls_with_offset_pearson_scale_and_t_interval():
    ms, y = simulate(7, n=37)
    excluded = {ms[20]}  # a supply-warning month: left out, and named
    res = fit_trend(ms, y, exclude=excluded)
    assert res.available and res.seasonal and res.months_used == 36 and res.months_excluded == [f"{ms[20]:%Y-%m}"]

    keep = [i for i, m in enumerate(ms) if m not in excluded]
    yk = np.array([y[i] for i in keep], dtype=float)
    years = np.array([((ms[i].year - ms[0].year) * 12 + ms[i].month - ms[0].month) / 12 for i in keep])
    month_of_year = np.array([ms[i].month for i in keep])
    dummies = [(month_of_year == k).astype(float) for k in range(1, 12)]  # reference: December, not the first
    X = np.column_stack([np.ones_like(years), years, *dummies])
    offset = np.log([days_in(ms[i]) for i in keep])
    beta, mu, info_inv = irls_poisson(X, yk, offset)
    df = len(yk) - X.shape[1]
    phi = float(np.sum((yk - mu) ** 2 / mu) / df)  # Pearson χ² / residual df
    assert res.dispersion == pytest.approx(phi, rel=1e-6)
    assert res.df_resid == df
    np.testing.assert_allclose(res.fitted, mu, rtol=1e-6)
    b, se = beta[1], math.sqrt(phi * info_inv[1, 1])
    q = stats.t.ppf(0.975, df)
    assert res.change_per_year == pytest.approx(math.expm1(b), abs=1e-6)
    assert res.ci_low == pytest.approx(math.expm1(b - q * se), abs=1e-6)
    assert res.ci_high == pytest.approx(math.expm1(b + q * se), abs=1e-6)
    assert res.p_value == pytest.approx(2 * stats.t.sf(abs(b / se), df), rel=1e-5)


@pytest.mark.filterwarnings("ignore::statsmodels.tools.sm_exceptions.PerfectSeparationWarning")  # an exact fit
def test_offset_makes_a_constant_daily_rate_flat_even_across_february():
    ms = months_from(2018, 10, 6)  # 31, 30, 31, 31, 28, 31 days
    y = [12 * days_in(m) for m in ms]  # exactly 12 a day, every month
    res = fit_trend(ms, y)
    assert res.change_per_year == pytest.approx(0.0, abs=1e-9)
    np.testing.assert_allclose(res.fitted, y, rtol=1e-9)  # without the offset February's dip could not be fitted


def coverage(truth: float, seeds: range, **kw: object) -> tuple[int, int]:
    """(intervals covering ``truth``, intervals excluding 0) over ``seeds``."""
    covered = called = 0
    for s in seeds:
        r = fit_trend(*simulate(s, change=truth, **kw))
        covered += r.ci_low <= truth <= r.ci_high
        called += not (r.ci_low <= 0 <= r.ci_high)
    return covered, called


def test_interval_covers_a_known_10pc_yearly_fall_in_most_seeds():
    # 36 months, yearly season, -10% a year, ~10 a day. A correct 95% interval covers the truth in 95 of 100
    # seeds on average; fewer than 89 would happen by chance with probability < 0.5% (binomial), so this fails
    # for a mis-specified offset, scale or quantile. It is deterministic (fixed seeds).
    covered, called = coverage(-0.10, range(100))
    assert covered >= 89
    assert called >= 95  # and the fall is detected: power is high at this size


def test_no_trend_is_not_called_a_trend_too_often():
    _, called = coverage(0.0, range(100, 200))
    assert called <= 10  # expected 5 of 100; 11 or more has probability ~1% for a correct 5% test


def test_overdispersed_series_keep_their_coverage_through_the_pearson_scale():
    # Gamma-Poisson months (variance ≈ μ + 0.02 μ², dispersion ≈ 7): a Poisson-scale (φ = 1) interval covers
    # the truth only ~70% of the time; the quasi-Poisson interval should stay near 95%.
    covered, _ = coverage(-0.10, range(300, 400), gamma_cv2=0.02)
    assert covered >= 88
    r = fit_trend(*simulate(300, gamma_cv2=0.02))
    assert r.dispersion > 2


def test_short_series_use_t_not_normal_quantiles():
    # 5 months, no season: the scale is estimated on 3 df. A normal (1.96) quantile would cover only ~85%;
    # Student's t on 3 df restores ~95% (checked over 400 seeds: fewer than 360 would be a 3-sd shortfall).
    covered, _ = coverage(-0.10, range(1000, 1400), n=5, seasonal_amp=0.0, daily=15.0)
    assert covered >= 360


def test_too_few_months_or_no_records_give_a_reason_not_a_number():
    ms = months_from(2019, 1, 5)
    r = fit_trend(ms, [10, 12, 11, 9, 10], exclude={ms[1], ms[2]})
    assert not r.available and "3 usable months" in r.reason and r.months_excluded == ["2019-02", "2019-03"]
    assert "No trend" in r.sentence("Violence")
    r = fit_trend(ms, [0] * 5)
    assert not r.available and "no records" in r.reason


def test_sentence_reads_the_interval():
    ms, y = simulate(3, change=-0.3, daily=30)
    r = fit_trend(ms, y)
    assert r.ci_high < 0 and "falling by about" in r.sentence("Violence")
    ms = months_from(2019, 1, 12)
    r = fit_trend(ms, [10 * days_in(m) + (7 if i % 2 else -7) for i, m in enumerate(ms)])  # flat, with wobble
    assert r.ci_low <= 0 <= r.ci_high and "no clear trend" in r.sentence("Violence")


# --- year on year ----------------------------------------------------------------------------------------
def test_rate_ratio_matches_r_poisson_test_documentation_example():
    # R stats::poisson.test help page, example "eba1977, compare Fredericia to other three cities for ages 55-59":
    # poisson.test(c(11, 6+8+7), c(800, 1083+1050+878)) prints rate ratio 1.971488 and
    # 95 percent confidence interval 0.8584264 4.2772659.
    rr = rate_ratio(11, 6 + 8 + 7, 800, 1083 + 1050 + 878)
    assert rr.ratio == pytest.approx(1.971488, abs=5e-7)
    assert rr.ci_low == pytest.approx(0.8584264, abs=5e-8)
    assert rr.ci_high == pytest.approx(4.2772659, abs=5e-8)


def hand_exact_ratio_ci(a: int, b: int, da: float, db: float) -> tuple[float, float]:
    """Exact conditional interval by inverting the binomial tails with a root finder (no binomtest, no beta)."""
    n = a + b

    def lower(p: float) -> float:  # P(X ≥ a | p) − 0.025
        return stats.binom.sf(a - 1, n, p) - 0.025

    def upper(p: float) -> float:  # P(X ≤ a | p) − 0.025
        return stats.binom.cdf(a, n, p) - 0.025

    p_lo = 0.0 if a == 0 else optimize.brentq(lower, 1e-12, 1 - 1e-12, xtol=1e-14)
    p_hi = 1.0 if a == n else optimize.brentq(upper, 1e-12, 1 - 1e-12, xtol=1e-14)
    to_ratio = lambda p: p / (1 - p) * db / da  # noqa: E731  p = r·da / (r·da + db)
    return to_ratio(p_lo), to_ratio(p_hi)


@pytest.mark.parametrize(("a", "b", "da", "db"), [(31, 28, 31, 28), (250, 310, 31, 31), (3, 9, 30, 30),
                                                   (0, 5, 31, 31), (120, 80, 28, 29)])
def test_rate_ratio_interval_matches_hand_tail_inversion(a: int, b: int, da: int, db: int):
    rr = rate_ratio(a, b, da, db)
    lo, hi = hand_exact_ratio_ci(a, b, da, db)
    assert rr.ratio == pytest.approx((a / da) / (b / db))
    assert rr.ci_low == pytest.approx(lo, rel=1e-6, abs=1e-12)
    assert rr.ci_high == pytest.approx(hi, rel=1e-6)
    assert rr.ci_low <= rr.ratio <= rr.ci_high


def test_rate_ratio_per_day_not_per_month():
    # the same daily rate in a 28-day and a 31-day month is no change
    rr = rate_ratio(280, 310, 28, 31)
    assert rr.ratio == pytest.approx(1.0) and rr.change == pytest.approx(0.0)
    assert rate_ratio(5, 0, 31, 31) is None and rate_ratio(0, 0, 31, 31) is None


def test_year_on_year_compares_per_day_and_skips_supply_warning_months():
    from vrhub.analysis.profile.build import _year_on_year

    months = months_from(2018, 1, 14)  # Jan 2018 .. Feb 2019
    rows = [{"month": m, "records": 100 + i, "days": days_in(m), "supply_warning": None}
            for i, m in enumerate(months)]
    rows[13]["supply_warning"] = "(all categories): 40% of expected"  # Feb 2019: no comparison
    table = _year_on_year(rows).to_pylist()
    assert [r["month"] for r in table] == [dt.date(2019, 1, 1)]
    jan = table[0]
    assert (jan["records"], jan["previous_year"], jan["days"], jan["previous_days"]) == (112, 100, 31, 31)
    assert jan["rate_ratio"] == pytest.approx(112 / 100, abs=1e-4)
    lo, hi = hand_exact_ratio_ci(112, 100, 31, 31)
    assert (jan["ci_low"], jan["ci_high"]) == pytest.approx((lo, hi), abs=1e-4)
    rows[13]["supply_warning"] = None
    feb = _year_on_year(rows).to_pylist()[1]
    assert feb["rate_ratio"] == pytest.approx((113 / 28) / (101 / 28), abs=1e-4)
    assert _year_on_year(rows[:12]) is None  # no month has its month a year earlier


# --- the key finding on change over time: a trend only from 24 months, else like periods ---------------------------
def _yoy(rows: list[tuple[str, int, int]]) -> pa.Table:
    out = []
    for month, records, previous in rows:
        m = dt.date.fromisoformat(month + "-01")
        d = days_in(m)
        out.append({"month": m, "records": records, "previous_year": previous, "days": d, "previous_days": d})
    return pa.Table.from_pylist(out)


def test_key_finding_states_a_trend_only_from_24_months():
    from vrhub.analysis.profile.build import trend_finding

    months = [dt.date(2021 + (i // 12), i % 12 + 1, 1) for i in range(30)]
    long = fit_trend(months, list(np.random.default_rng(1).poisson(100, 30)))
    assert trend_finding(long, None, "Violence") == long.sentence("Violence")
    short = fit_trend(months[:5], [100, 80, 120, 90, 110])
    assert short.available  # the model can be fitted, but a board is not shown it
    text = trend_finding(short, None, "Violence")
    assert "% a year" not in text and "5 usable months loaded, too few to state a trend" in text


def test_key_finding_compares_like_periods_with_the_exact_rate_ratio():
    from vrhub.analysis.profile.build import trend_finding

    months = [dt.date(2022, m, 1) for m in range(1, 13)] + [dt.date(2023, m, 1) for m in (1, 2)]
    short = fit_trend(months, list(np.random.default_rng(2).poisson(100, 14)))
    yoy = _yoy([("2023-01", 120, 100), ("2023-02", 90, 80)])
    text = trend_finding(short, yoy, "Violence")
    # by hand: 210 records in 59 days against 180 in 59 days → 210/180 = 1.1667, 17% higher
    assert "Violence in Jan 2023 to Feb 2023 was 17% higher than in the same 2 months a year earlier" in text
    assert "rate ratio 1.17" in text
    # the exact interval: 210 of 390 is binomial; Clopper-Pearson bounds p → p/(1-p)
    ci = stats.binomtest(210, 390).proportion_ci(method="exact")
    assert f"95% CI {ci.low / (1 - ci.low):.2f} to {ci.high / (1 - ci.high):.2f}" in text
    assert "within what chance alone gives" in text  # the interval spans 1
