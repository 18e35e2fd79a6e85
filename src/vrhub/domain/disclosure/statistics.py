"""The rules for statistics released beside protected counts: recompute, coarsen, or withhold.

Suppressing and rounding the counts of a table is not enough when statistics computed on the *exact* counts are
published beside it: a trend fitted to a monthly series, an odds ratio and its interval, a total in a note. Each
is an extra equation an attacker can solve together with the table, and at full precision a handful of them give
the exact counts back (issue 11: a released profile's trend statistics returned the exact monthly counts it had
rounded; cohort odds ratios returned all four cells of every 2×2 table). Output checking in trusted research
environments therefore has rules per *kind* of statistic (Griffiths E, Greci C, Kotrotsios Y, Parker S, Scott J,
Welpton R, Wolters A & Woods C (2019) *Handbook on Statistical Disclosure Control for Outputs*, version 1.0, Safe
Data Access Professionals Working Group, section B; Ritchie F (2008) "Disclosure detection in research
environments in practice", UNECE/Eurostat Work Session on Statistical Data Confidentiality; OpenSAFELY's output
checking, https://docs.opensafely.org/releasing-files/; ACRO's default ``safe_dof_threshold`` of 10).

vrhub applies one of three treatments to every kind of statistic (:data:`STATISTICS`):

- **recompute** from the released counts. A statistic computed only from published numbers tells nobody more than
  the published numbers do (post-processing), so rates, shares, means of counts, rate and odds ratios with their
  intervals, and the trend of a monthly series are recomputed from the rounded counts, with suppressed cells left
  out (or the statistic withheld when it needs them);
- **coarsen** what cannot be recomputed from the table (model coefficients fitted to person- or area-level data, a
  Knox ratio, a kernel density): rounded to :data:`SIGNIFICANT_FIGURES` significant figures, and for a model shown
  only when every count behind it is published (the handbook's and OpenSAFELY's minimum cell counts behind a model)
  and the model has at least :data:`MIN_RESIDUAL_DF` residual degrees of freedom;
- **withhold** what adds risk and little meaning for a reader: standard errors, test statistics, dispersion,
  fitted values, residuals and expected counts (the handbook's "unsafe" class). p-values are coarsened.

:func:`model_gate` applies the minimum-count rule, :func:`coarsen` and :func:`coarsen_p` the rounding, and
:class:`CountedText` lets a sentence that states a count be written again with the count protected.
Method page: docs/methods/disclosure-control.md ("Statistics released beside the counts").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .rules import DisclosureRules

SIGNIFICANT_FIGURES = 2
MIN_RESIDUAL_DF = 10  # ACRO's safe_dof_threshold; the SDC handbook's residual degrees of freedom rule
P_FLOOR = 0.001  # p-values below this are released as "< 0.001"

STATISTICS_CITATION = (
    "Griffiths E et al. (2019) Handbook on Statistical Disclosure Control for Outputs, v1.0, Safe Data Access "
    "Professionals Working Group; Ritchie F (2008) Disclosure detection in research environments in practice, "
    "UNECE/Eurostat Work Session on Statistical Data Confidentiality; OpenSAFELY output checking "
    "(docs.opensafely.org/releasing-files); ACRO safe_dof_threshold = 10."
)


class Treatment(StrEnum):
    """What the release step does with a kind of statistic."""

    PROTECT = "protect"  # a count: suppressed and rounded by the count rules
    RECOMPUTE = "recompute"  # computed again from the released counts
    COARSEN = "coarsen"  # rounded so that it cannot serve as an equation; models gated by minimum counts
    WITHHOLD = "withhold"  # not released


@dataclass(frozen=True)
class StatisticRule:
    """The rule for one kind of statistic: its treatment, what is done in words, and why."""

    kind: str
    treatment: Treatment
    rule: str
    why: str


STATISTICS: dict[str, StatisticRule] = {r.kind: r for r in (
    StatisticRule("count", Treatment.PROTECT, "suppressed when 1 to the threshold, otherwise rounded; secondary "
                  "suppression so that no margin gives a suppressed cell back",
                  "the count rules (NHS Digital; OpenSAFELY; ONS)"),
    StatisticRule("total", Treatment.PROTECT, "a total stated anywhere (a table margin, a note such as 'N record(s)', "
                  "a JSON field) is a count: cut from the same protected table as its cells, else protected alone",
                  "an exact total beside rounded cells pins the sum of the suppressed cells"),
    StatisticRule("rate", Treatment.RECOMPUTE, "released count ÷ denominator; none where the count is suppressed",
                  "a rate of an exact count multiplied by its published denominator is the exact count"),
    StatisticRule("share", Treatment.RECOMPUTE, "released count ÷ released total", "as for rates"),
    StatisticRule("mean", Treatment.RECOMPUTE, "released total ÷ number of units (e.g. area-months)",
                  "a mean of counts times the (published) number of units is the exact total"),
    StatisticRule("ratio", Treatment.RECOMPUTE, "rate ratios and crude odds ratios, with their exact or Woolf "
                  "intervals, from the released cells; withheld when a cell is suppressed or zero",
                  "an odds ratio with its interval at full precision gives all four cells of its 2×2 table back"),
    StatisticRule("trend", Treatment.RECOMPUTE, "the trend model refitted to the released series, months with a "
                  "suppressed count left out (as months with a supply warning are)",
                  "a Poisson trend's estimate, interval, p-value and dispersion together give the exact series back"),
    StatisticRule("model_coefficient", Treatment.COARSEN, f"{SIGNIFICANT_FIGURES} significant figures, with its "
                  "interval; shown only when every count of the table behind the model (each category of each "
                  f"variable by outcome) is published and the model has at least {MIN_RESIDUAL_DF} residual degrees "
                  "of freedom, otherwise withheld with the reason; where the model's sufficient statistics are "
                  "released counts (logistic regression), refitted to the released counts first",
                  "SDC handbook: coefficients are 'safe' given minimum counts and residual degrees of freedom; "
                  "rounding keeps one coefficient from acting as an exact equation"),
    StatisticRule("p_value", Treatment.COARSEN, f"{SIGNIFICANT_FIGURES} significant figures; below {P_FLOOR} shown "
                  f"as < {P_FLOOR}", "a p-value at full precision is a function of the exact counts"),
    StatisticRule("permutation_ratio", Treatment.COARSEN, f"Knox ratios to {SIGNIFICANT_FIGURES} significant "
                  "figures; the pair counts behind them withheld", "observed pairs ÷ expected pairs"),
    StatisticRule("density", Treatment.COARSEN, f"kernel density to {SIGNIFICANT_FIGURES} significant figures; none "
                  "where the cell's count is suppressed", "a smoothed surface of exact points"),
    StatisticRule("classification", Treatment.RECOMPUTE, "a class (hot, cold, pattern) shown only where the area's "
                  "count is released", "a class beside a suppressed area would say its count is large or small"),
    StatisticRule("standard_error", Treatment.WITHHOLD, "not released (the interval carries the uncertainty)",
                  "with the estimate, an exact standard error is another equation"),
    StatisticRule("test_statistic", Treatment.WITHHOLD, "z, t, F, Wald and Hotelling statistics and dispersion not "
                  "released (the coarsened p-value carries the test)", "as for standard errors"),
    StatisticRule("fitted_value", Treatment.WITHHOLD, "fitted values, residuals and model-expected counts not "
                  "released", "the SDC handbook's 'unsafe' class: residuals are data values"),
)}


def rule_for(kind: str) -> StatisticRule:
    """The rule for ``kind`` (a key of :data:`STATISTICS`); an unknown kind is an error, never a silent release."""
    try:
        return STATISTICS[kind]
    except KeyError:
        raise KeyError(f"no release rule for statistics of kind {kind!r}; known: {', '.join(STATISTICS)}") from None


def statement() -> str:
    """One line for every released output, beside the count rules' statement."""
    return ("Statistics: rates, shares, ratios and trends recomputed from the released counts; model estimates and "
            f"p-values to {SIGNIFICANT_FIGURES} significant figures, shown only when every count behind them is "
            "released; standard errors, test statistics and fitted values withheld.")


def coarsen(value: float | None, significant: int = SIGNIFICANT_FIGURES) -> float | None:
    """``value`` rounded to ``significant`` significant figures (``None``, NaN and infinities pass through)."""
    if value is None:
        return None
    v = float(value)
    if not math.isfinite(v) or v == 0:
        return v
    digits = significant - 1 - math.floor(math.log10(abs(v)))
    return round(v, digits)


def coarsen_p(p: float | None) -> float | None:
    """A p-value to :data:`SIGNIFICANT_FIGURES` significant figures, and :data:`P_FLOOR` when below it (shown as
    ``< 0.001`` by :func:`format_released_p`)."""
    if p is None or not math.isfinite(float(p)):
        return p
    return P_FLOOR if p < P_FLOOR else coarsen(p)


def format_released_p(p: float | None) -> str:
    """``p = 0.034`` or ``p < 0.001`` for a coarsened p-value."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "p not available"
    return f"p < {P_FLOOR:g}" if p <= P_FLOOR else f"p = {p:.2g}"


def model_gate(cells: Mapping[str, int | None], rules: DisclosureRules, *,
               residual_df: float | None = None) -> str | None:
    """Why a model fitted to these cells may not be released, or ``None`` when it may.

    ``cells`` are the *released* counts of the table behind the model (each category of each variable by outcome,
    or each group by period); ``None`` is a suppressed cell. Every cell must be released and above the threshold,
    and the model must keep at least :data:`MIN_RESIDUAL_DF` residual degrees of freedom (Griffiths et al. 2019;
    OpenSAFELY; ACRO).
    """
    small = [name for name, v in cells.items() if v is None or (0 < v <= rules.threshold)]
    if small:
        shown = ", ".join(small[:4]) + (" …" if len(small) > 4 else "")
        return (f"withheld: a count behind the model is suppressed or small ({shown}); a model is released only "
                "when every count behind it is")
    if residual_df is not None and residual_df < MIN_RESIDUAL_DF:
        return (f"withheld: the model has {residual_df:g} residual degrees of freedom, fewer than the "
                f"{MIN_RESIDUAL_DF} a released model needs")
    return None


class CountedText(str):
    """A sentence that states counts, which a release writes again with the counts protected.

    ``CountedText("{n:,} record(s) have no LSOA", n=826)`` is the string ``"826 record(s) have no LSOA"`` and
    remembers its template and counts; ``released(protect)`` renders it with ``protect(count)`` in place of each
    count (a suppressed count, ``None``, reads "a few (suppressed)").
    """

    template: str
    counts: dict[str, int]

    def __new__(cls, template: str, **counts: int) -> CountedText:
        obj = super().__new__(cls, template.format(**counts))
        obj.template = template
        obj.counts = {k: int(v) for k, v in counts.items()}
        return obj

    def released(self, protect: Callable[[int], int | None]) -> str:
        shown: dict[str, Any] = {}
        for key, value in self.counts.items():
            p = protect(value)
            shown[key] = _Suppressed() if p is None else p
        return self.template.format(**shown)


class _Suppressed:
    """Formats as "a few (suppressed)" whatever the format spec."""

    def __format__(self, spec: str) -> str:
        return "a few (suppressed)"
