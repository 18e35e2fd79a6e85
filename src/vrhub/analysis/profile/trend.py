"""Trend and seasonality of a monthly count series, and year-on-year change, with intervals.

Trend: a Poisson generalised linear model with log link, an offset of log(days in the month), a linear term in
time (years) and, when at least 24 months are available, month-of-year effects; standard errors use the Pearson
χ² scale (quasi-Poisson), so over-dispersion widens the interval instead of being ignored, and as that scale is
estimated the interval and p-value use Student's t on the residual degrees of freedom rather than the normal
(McCullagh & Nelder, *Generalized Linear Models*, 2nd ed., 1989, §6.2 and §4.5.2; Bernal, Cummins & Gasparrini,
IJE 2017, for the seasonal terms). Months flagged by the supply check are left out of the fit and named.

Year-on-year: the ratio of two Poisson rates (per day) with the exact conditional interval: given the total
a + b, a is binomial with p = r·d_a / (r·d_a + d_b), so a Clopper–Pearson interval for p gives one for the
rate ratio r (Ulm 1990; Breslow & Day 1987, vol. II, §2.4).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from scipy import stats
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM

MIN_MONTHS_TREND = 4
MIN_MONTHS_SEASONAL = 24


def days_in(month: dt.date) -> int:
    return calendar.monthrange(month.year, month.month)[1]


@dataclass
class TrendResult:
    available: bool
    reason: str = ""
    months_used: int = 0
    months_excluded: list[str] = field(default_factory=list)
    seasonal: bool = False
    change_per_year: float | None = None  # proportional change, e.g. -0.05 = 5% fall a year
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    dispersion: float | None = None
    fitted: list[float] = field(default_factory=list)
    df_resid: int | None = None
    method: str = ("Poisson GLM (log link, offset log days in month), linear time trend, month-of-year effects "
                   "when ≥ 24 months; quasi-Poisson (Pearson χ²) standard errors; t interval on the residual df")
    citation: str = "McCullagh & Nelder (1989) §6.2; Bernal, Cummins & Gasparrini (2017) Int J Epidemiol 46:348"

    def sentence(self, what: str) -> str:
        if not self.available:
            return f"No trend for {what}: {self.reason}."
        pct, lo, hi = (100 * v for v in (self.change_per_year, self.ci_low, self.ci_high))
        if lo <= 0 <= hi:
            return (f"{what}: no clear trend ({pct:+.0f}% a year, 95% CI {lo:+.0f}% to {hi:+.0f}%, "
                    f"from {self.months_used} months).")
        word = "rising" if pct > 0 else "falling"
        return (f"{what} is {word} by about {abs(pct):.0f}% a year (95% CI {lo:+.0f}% to {hi:+.0f}%, "
                f"from {self.months_used} months).")


def fit_trend(months: list[dt.date], counts: list[int], exclude: set[dt.date] | None = None) -> TrendResult:
    """Fit the trend model to monthly counts (``months`` are first days of months), leaving out ``exclude``.

    ``change_per_year`` is exp(β) − 1 for the time coefficient β (per year), with its 95% interval.
    """
    exclude = exclude or set()
    keep = [(m, c) for m, c in zip(months, counts, strict=True) if m not in exclude]
    excluded = sorted(m.strftime("%Y-%m") for m in months if m in exclude)
    if len(keep) < MIN_MONTHS_TREND:
        return TrendResult(False, f"only {len(keep)} usable months (at least {MIN_MONTHS_TREND} needed)",
                           len(keep), excluded)
    if sum(c for _, c in keep) == 0:
        return TrendResult(False, "no records in the usable months", len(keep), excluded)
    m0 = keep[0][0]
    t = np.array([((m.year - m0.year) * 12 + m.month - m0.month) / 12 for m, _ in keep])
    y = np.array([c for _, c in keep], dtype=float)
    offset = np.log([days_in(m) for m, _ in keep])
    seasonal = len(keep) >= MIN_MONTHS_SEASONAL
    cols = [np.ones_like(t), t]
    if seasonal:  # one indicator per calendar month present, the first present being the reference
        for k in sorted({m.month for m, _ in keep})[1:]:
            cols.append(np.array([1.0 if m.month == k else 0.0 for m, _ in keep]))
    X = np.column_stack(cols)
    res = GLM(y, X, family=families.Poisson(), offset=offset).fit(scale="X2")
    b, se, df = res.params[1], res.bse[1], round(float(res.df_resid))
    z = stats.t.ppf(0.975, df)
    return TrendResult(
        available=True,
        reason="" if seasonal else f"seasonality not estimated: fewer than {MIN_MONTHS_SEASONAL} months",
        months_used=len(keep), months_excluded=excluded, seasonal=seasonal,
        change_per_year=float(np.expm1(b)), ci_low=float(np.expm1(b - z * se)), ci_high=float(np.expm1(b + z * se)),
        p_value=float(2 * stats.t.sf(abs(b / se), df)) if se > 0 else None, dispersion=float(res.scale),
        fitted=[float(v) for v in res.fittedvalues], df_resid=df,
    )


@dataclass
class RateRatio:
    current: int
    previous: int
    current_days: int
    previous_days: int
    ratio: float
    ci_low: float
    ci_high: float
    method: str = "ratio of Poisson rates per day; exact conditional (Clopper–Pearson) 95% interval"
    citation: str = "Ulm (1990) Am J Epidemiol 131:373; Breslow & Day (1987) vol. II §2.4"

    @property
    def change(self) -> float:
        return self.ratio - 1


def rate_ratio(current: int, previous: int, current_days: int, previous_days: int) -> RateRatio | None:
    """Rate ratio (current / previous, per day) with its exact conditional 95% interval."""
    n = current + previous
    if n == 0 or previous == 0:
        return None
    ci = stats.binomtest(current, n).proportion_ci(confidence_level=0.95, method="exact")
    scale = previous_days / current_days

    def rr(p: float) -> float:
        return float("inf") if p >= 1 else p / (1 - p) * scale

    return RateRatio(current, previous, current_days, previous_days, current / previous * scale,
                     rr(ci.low), rr(ci.high))
