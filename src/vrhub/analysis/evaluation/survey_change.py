"""Pre/post survey change for the same people: paired t, Wilcoxon signed-rank and McNemar, with effect sizes.

* :func:`paired_t_change` - mean change in a score, paired t test (Student 1908), Cohen's d_z (mean change /
  SD of changes; Lakens 2013, Front Psychol 4:863) with an exact interval from the noncentral t
  distribution (Cumming & Finch 2001, Educ Psychol Meas 61:532-574).
* :func:`wilcoxon_change` - for ordinal or skewed scores (e.g. 1-5 Likert items): Wilcoxon signed-rank test
  (Wilcoxon 1945), Hodges–Lehmann estimate of the typical change (median of Walsh averages) with its
  distribution-free interval (Hollander, Wolfe & Chicken 2014, Nonparametric Statistical Methods, 3rd ed.,
  §3.2-3.3), matched-pairs rank-biserial correlation (Kerby 2014, Comprehensive Psychology 3:11) with a
  Fisher-z interval (as in the R package effectsize; Ben-Shachar, Lüdecke & Makowski 2020, JOSS 5:2815).
* :func:`mcnemar_change` - agree/disagree items: exact McNemar test (McNemar 1947) on the people who changed
  their answer, conditional odds ratio b/c with an exact (Clopper–Pearson based) interval
  (Breslow & Day 1980, IARC Sci Publ 32, §7).

Pairs with a missing answer on either side are dropped, and the count is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import optimize, stats
from statsmodels.stats.contingency_tables import mcnemar

from vrhub.analysis.evaluation.result import AssumptionCheck, EffectEstimate, EffectSize, EvaluationInputError

CITATION_T = (
    "Paired t test; Cohen's d_z: Lakens D (2013) Front Psychol 4:863; noncentral-t interval: Cumming G & "
    "Finch S (2001) Educ Psychol Meas 61:532-574."
)
CITATION_WILCOXON = (
    "Wilcoxon F (1945) Biometrics Bulletin 1:80-83; Hodges–Lehmann estimate and interval: Hollander M, Wolfe "
    "DA & Chicken E (2014) Nonparametric Statistical Methods, 3rd ed.; rank-biserial r: Kerby DS (2014) "
    "Comprehensive Psychology 3:11."
)
CITATION_MCNEMAR = (
    "McNemar Q (1947) Psychometrika 12:153-157 (exact binomial form); conditional odds ratio and exact interval: "
    "Breslow NE & Day NE (1980) Statistical Methods in Cancer Research vol. 1, IARC."
)


def _pairs(before: Sequence[Any], after: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, int]:
    b = np.asarray(before, dtype=float)
    a = np.asarray(after, dtype=float)
    if b.shape != a.shape or b.ndim != 1:
        raise EvaluationInputError(
            f"before and after must be lists of the same length (got {b.shape} and {a.shape})",
            "give one before and one after answer per person, in the same order",
        )
    keep = ~(np.isnan(b) | np.isnan(a))
    return b[keep], a[keep], int((~keep).sum())


def _common(
    n: int,
    dropped: int,
    data_versions: Sequence[str],
    outcome_label: str,
    intervention_label: str,
    confidence_level: float,
) -> dict[str, Any]:
    notes = (f"{dropped} person(s) with a missing before or after answer were left out.",) if dropped else ()
    return {
        "outcome_label": outcome_label,
        "intervention_label": intervention_label,
        "comparison_label": "before",
        "confidence_level": confidence_level,
        "data_versions": tuple(data_versions),
        "seed": None,
        "notes": notes,
    }


def _sample_size_check(n: int, minimum: int) -> AssumptionCheck:
    return AssumptionCheck(
        "enough people answered both surveys",
        n >= minimum,
        f"{n} people answered both surveys."
        if n >= minimum
        else f"Only {n} people answered both surveys; with fewer than {minimum} the result is fragile.",
    )


def cohens_dz_interval(d_z: float, n: int, confidence_level: float = 0.95) -> tuple[float, float]:
    """Exact interval for d_z by inverting the noncentral t distribution of t = d_z * sqrt(n).

    Falls back to the large-sample normal interval, SE = sqrt(1/n + d_z^2 / (2n)), if the noncentral t
    cannot be evaluated (very large t)."""
    df = n - 1
    t_obs = d_z * np.sqrt(n)
    upper_tail = 0.5 - confidence_level / 2.0
    span = 6.0 * np.sqrt(1.0 + t_obs**2 / (2.0 * df)) + 1.0

    def solve(prob: float) -> float:
        def f(ncp: float) -> float:
            return float(stats.nct.cdf(t_obs, df, ncp)) - prob

        return float(optimize.brentq(f, t_obs - span, t_obs + span))

    try:
        lo, hi = solve(1.0 - upper_tail), solve(upper_tail)
    except ValueError:
        z = stats.norm.ppf(0.5 + confidence_level / 2.0)
        se = np.sqrt(1.0 / n + d_z**2 / (2.0 * n))
        return d_z - z * se, d_z + z * se
    return lo / np.sqrt(n), hi / np.sqrt(n)


def paired_t_change(
    before: Sequence[float],
    after: Sequence[float],
    *,
    confidence_level: float = 0.95,
    data_versions: Sequence[str] = (),
    outcome_label: str = "the survey score",
    intervention_label: str = "the programme",
    unit_label: str = "points",
) -> EffectEstimate:
    """Mean change (after - before) with a paired t test and Cohen's d_z."""
    b, a, dropped = _pairs(before, after)
    n = len(b)
    if n < 3:
        raise EvaluationInputError(f"only {n} complete pair(s)", "a paired comparison needs at least 3 people")
    d = a - b
    sd = float(np.std(d, ddof=1))
    if sd == 0:
        raise EvaluationInputError(
            "every person changed by exactly the same amount, so no test is possible",
            "check the data; if it is right, report the change without a test",
        )
    res = stats.ttest_rel(a, b)
    ci = res.confidence_interval(confidence_level)
    d_z = float(np.mean(d) / sd)
    dz_lo, dz_hi = cohens_dz_interval(d_z, n, confidence_level)
    normal_p = float(stats.shapiro(d).pvalue) if 3 <= n <= 5000 else float("nan")
    checks = (
        _sample_size_check(n, 20),
        AssumptionCheck(
            "changes roughly normal (or many people)",
            n >= 30 or normal_p >= 0.05,
            "The paired t test is reliable here (many people, or changes close to normal)."
            if n >= 30 or normal_p >= 0.05
            else f"With {n} people and skewed changes (Shapiro–Wilk p = {normal_p:.3f}), prefer the Wilcoxon result.",
        ),
        AssumptionCheck(
            "same people, no other cause",
            None,
            "Assumed: the same people answered both times, and nothing besides the programme (e.g. growing "
            "older, the time of year) explains the change. Without a comparison group this is a before/after "
            "description, not proof of effect.",
        ),
    )
    return EffectEstimate(
        method="paired t test on survey scores (after - before)",
        estimate=float(np.mean(d)),
        ci_low=float(ci.low),
        ci_high=float(ci.high),
        p_value=float(res.pvalue),
        scale="difference",
        citation=CITATION_T,
        unit_label=unit_label,
        parameters={
            "n_pairs": n,
            "mean_before": float(b.mean()),
            "mean_after": float(a.mean()),
            "sd_of_changes": sd,
            "t": float(res.statistic),
            "df": n - 1,
        },
        assumptions=checks,
        effect_size=EffectSize("Cohen's d_z", d_z, dz_lo, dz_hi, "noncentral t interval"),
        **_common(n, dropped, data_versions, outcome_label, intervention_label, confidence_level),
    )


def hodges_lehmann_paired(d: np.ndarray, confidence_level: float = 0.95) -> tuple[float, float, float]:
    """Median of Walsh averages (d_i + d_j)/2, i <= j, and its distribution-free interval (normal approx.)."""
    n = len(d)
    i, j = np.triu_indices(n)
    walsh = np.sort((d[i] + d[j]) / 2.0)
    m = len(walsh)
    z = stats.norm.ppf(0.5 + confidence_level / 2.0)
    k = int(np.floor(n * (n + 1) / 4.0 - z * np.sqrt(n * (n + 1) * (2 * n + 1) / 24.0)))
    k = max(k, 1)
    return float(np.median(walsh)), float(walsh[k - 1]), float(walsh[m - k])


def rank_biserial_paired(d: np.ndarray, confidence_level: float = 0.95) -> tuple[float, float, float]:
    """Matched-pairs rank-biserial r = (R+ - R-) / (R+ + R-) over non-zero changes, Fisher-z interval."""
    nz = d[d != 0]
    n = len(nz)
    ranks = stats.rankdata(np.abs(nz))
    r_plus, r_minus = ranks[nz > 0].sum(), ranks[nz < 0].sum()
    total = r_plus + r_minus
    r = float((r_plus - r_minus) / total) if total else 0.0
    max_w = n * (n + 1) / 2.0
    se = np.sqrt((2 * n**3 + 3 * n**2 + n) / 6.0) / max_w
    z = stats.norm.ppf(0.5 + confidence_level / 2.0)
    zr = np.arctanh(np.clip(r, -0.999999, 0.999999))
    return r, float(np.tanh(zr - z * se)), float(np.tanh(zr + z * se))


def wilcoxon_change(
    before: Sequence[float],
    after: Sequence[float],
    *,
    confidence_level: float = 0.95,
    data_versions: Sequence[str] = (),
    outcome_label: str = "the survey score",
    intervention_label: str = "the programme",
    unit_label: str = "points",
) -> EffectEstimate:
    """Typical change (Hodges–Lehmann) with the Wilcoxon signed-rank test and rank-biserial r."""
    b, a, dropped = _pairs(before, after)
    d = a - b
    n_changed = int((d != 0).sum())
    if n_changed < 3:
        raise EvaluationInputError(
            f"only {n_changed} person(s) changed their answer", "a signed-rank test needs at least 3 changes"
        )
    res = stats.wilcoxon(a, b, zero_method="wilcox")
    hl, lo, hi = hodges_lehmann_paired(d, confidence_level)
    r, r_lo, r_hi = rank_biserial_paired(d, confidence_level)
    return EffectEstimate(
        method="Wilcoxon signed-rank test on survey answers (after - before), Hodges–Lehmann estimate",
        estimate=hl,
        ci_low=lo,
        ci_high=hi,
        p_value=float(res.pvalue),
        scale="difference",
        citation=CITATION_WILCOXON,
        unit_label=unit_label,
        parameters={
            "n_pairs": len(d),
            "n_changed": n_changed,
            "statistic": float(res.statistic),
            "median_before": float(np.median(b)),
            "median_after": float(np.median(a)),
            "zero_method": "wilcox (people with no change left out of the test)",
        },
        assumptions=(
            _sample_size_check(len(d), 20),
            AssumptionCheck(
                "same people, no other cause",
                None,
                "Assumed: the same people answered both times, and nothing besides the programme explains "
                "the change. Without a comparison group this is a before/after description.",
            ),
        ),
        effect_size=EffectSize("rank-biserial r", r, r_lo, r_hi, "Fisher-z interval"),
        **_common(len(d), dropped, data_versions, outcome_label, intervention_label, confidence_level),
    )


def mcnemar_change(
    agree_before: Sequence[bool | float],
    agree_after: Sequence[bool | float],
    *,
    confidence_level: float = 0.95,
    data_versions: Sequence[str] = (),
    outcome_label: str = "agreeing with the statement",
    intervention_label: str = "the programme",
) -> EffectEstimate:
    """Change in agreeing (True/1) vs not (False/0): exact McNemar test and conditional odds ratio b/c.

    b = people who moved to agree, c = people who moved away. Collapse Likert answers first, e.g.
    ``agree = answer >= 4`` on a 1-5 scale.
    """
    b_raw, a_raw, dropped = _pairs(agree_before, agree_after)
    if not np.isin(np.concatenate([b_raw, a_raw]), [0.0, 1.0]).all():
        raise EvaluationInputError(
            "McNemar needs yes/no answers (True/False or 1/0)",
            "collapse the scale first, e.g. agree = answer >= 4 on a 1-5 scale",
        )
    before, after = b_raw.astype(bool), a_raw.astype(bool)
    b = int((~before & after).sum())
    c = int((before & ~after).sum())
    if b + c == 0:
        raise EvaluationInputError(
            "nobody changed their answer, so there is nothing to test", "report the share agreeing instead"
        )
    table = [[int((before & after).sum()), c], [b, int((~before & ~after).sum())]]
    p_value = float(mcnemar(table, exact=True).pvalue)
    alpha = 1.0 - confidence_level
    n_disc = b + c
    p_lo = 0.0 if b == 0 else stats.beta.ppf(alpha / 2, b, c + 1)
    p_hi = 1.0 if c == 0 else stats.beta.ppf(1 - alpha / 2, b + 1, c)

    def odds(p: float) -> float:
        return np.inf if p >= 1.0 else p / (1.0 - p)

    estimate = float(b / c) if c else float("inf")
    n = len(before)
    return EffectEstimate(
        method="exact McNemar test on agree/disagree answers before and after; conditional odds ratio",
        estimate=estimate,
        ci_low=float(odds(p_lo)),
        ci_high=float(odds(p_hi)),
        p_value=p_value,
        scale="odds_ratio",
        citation=CITATION_MCNEMAR,
        parameters={
            "n_pairs": n,
            "moved_to_agree": b,
            "moved_away": c,
            "n_changed": n_disc,
            "share_agree_before": float(before.mean()),
            "share_agree_after": float(after.mean()),
            "table": table,
        },
        assumptions=(
            _sample_size_check(n, 20),
            AssumptionCheck(
                "same people, no other cause",
                None,
                "Assumed: the same people answered both times, and nothing besides the programme explains "
                "the change. Without a comparison group this is a before/after description.",
            ),
        ),
        **_common(n, dropped, data_versions, outcome_label, intervention_label, confidence_level),
    )
