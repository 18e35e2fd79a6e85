"""Difference-in-differences on an area × month panel of violence counts, with an event study.

Model (default ``model="poisson"``): a two-way fixed-effects Poisson regression,

    log E[y_it] = alpha_i + gamma_t + delta * D_it + log(population_it)

with a fixed effect per area (alpha_i) and per month (gamma_t), D_it = 1 for treated areas from the start
month on. exp(delta) is the rate ratio: the change in treated areas relative to the change in comparison
areas. Why Poisson rather than a linear model on rates or a negative binomial:

* counts of violence in small areas are small, skewed and often zero; a multiplicative (%-change) effect
  fits them and is what a board asks about;
* the Poisson fixed-effects estimator is consistent when only the conditional mean is right - the counts
  need not be Poisson-distributed - and it has no incidental-parameters bias with many area effects
  (Wooldridge 1999, J Econometrics 90:77-97; Santos Silva & Tenreyro 2006, Rev Econ Stat 88:641-658);
* negative-binomial "fixed effects" models do not remove area effects as claimed (Allison & Waterman 2002,
  Sociological Methodology 32:247-265), so overdispersion is left to the inference.

Inference is by placebo (:mod:`.placebo`): each comparison area in turn is called treated and the model
refitted; the spread of those placebo estimates, scaled for the numbers of treated and comparison areas, is the
standard error, with t on (comparison areas - 1) degrees of freedom (Conley & Taber 2011, Rev Econ Stat
93:113-125; Arkhangelsky et al. 2021, AER 111:4088-4118). Area-clustered errors (Bertrand, Duflo & Mullainathan
2004) are far too small with few treated areas (MacKinnon & Webb 2017) and their joint Wald tests over-reject even
with ten; they are reported, and used only when there are too few comparison areas for placebo fits. The same
placebo fits give the event study's intervals and the pre-trend test (Hotelling's T² on the leads), so all three
keep their nominal size with one, three or ten treated areas (tests/analysis/test_evaluation_did_size.py).
``model="linear_rate"`` fits the same fixed effects by least squares on rates per 1,000 residents (an
additive effect); on a balanced panel its estimate equals the 2×2 difference of means.

The event study replaces D_it by one indicator per month relative to the start (binned at the window ends,
month -1 as reference). The leads (months -2 and earlier) are tested jointly: a small p-value means the groups
were already diverging before the start. Passing the test does not prove parallel trends (it may lack power;
Roth 2022, AER: Insights 4:305-322). Only a common start date is supported: with staggered starts two-way fixed
effects can be biased (Goodman-Bacon 2021, J Econometrics 225:254-277).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from vrhub.analysis.evaluation.did_checks import EventStudy, Model, PreTrendTest, assumption_checks
from vrhub.analysis.evaluation.numerics import single_threaded_blas
from vrhub.analysis.evaluation.panel import PreparedPanel, prepare_panel
from vrhub.analysis.evaluation.placebo import CITATION as PLACEBO_CITATION
from vrhub.analysis.evaluation.placebo import MIN_PLACEBO_AREAS, PlaceboVariance, placebo_variance
from vrhub.analysis.evaluation.result import (
    EffectEstimate,
    EvaluationInputError,
    Scale,
    format_p,
)
from vrhub.analysis.evaluation.twfe import TwfeFit, linear_twfe, poisson_twfe

CITATION = (
    "Two-way fixed-effects Poisson difference-in-differences with placebo inference: Wooldridge JM (1999) "
    "J Econometrics 90:77-97; Santos Silva JMC & Tenreyro S (2006) Rev Econ Stat 88:641-658; "
    "Bertrand M, Duflo E & Mullainathan S (2004) QJE 119:249-275; Cameron AC & Miller DL (2015) "
    "J Human Resources 50:317-372. Pre-trends: Roth J (2022) AER: Insights 4:305-322. " + PLACEBO_CITATION
)
MAX_DESIGN_CELLS = 60_000_000



@dataclass(frozen=True)
class DidResult:
    """The difference-in-differences effect, the event study and the group means behind them.

    ``extra`` holds, for a release, the group totals (``group_totals``) and the design's inputs (``inputs``: the
    panel and the options) so that the release step can refit it to rounded counts.
    """

    effect: EffectEstimate
    event_study: EventStudy | None
    group_means: pd.DataFrame
    treated_areas: tuple[str, ...]
    comparison_areas: tuple[str, ...]
    dropped_areas: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def plain_english(self) -> str:
        if self.extra.get("withheld"):
            return f"The difference-in-differences result is not released: {self.extra['withheld']}."
        text = self.effect.plain_english()
        if self.event_study is not None and self.event_study.pretrend is not None:
            pt = self.event_study.pretrend
            if pt.p_value >= 0.05:
                text += (
                    " Before the start, treated and comparison areas moved in step "
                    f"(pre-trend test {format_p(pt.p_value)})."
                )
        return text

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "effect": self.effect.to_dict(),
            "group_means": self.group_means.to_dict(orient="records"),
            "treated_areas": list(self.treated_areas),
            "comparison_areas": list(self.comparison_areas),
            "dropped_areas": list(self.dropped_areas),
            "plain_english": self.plain_english(),
        }
        if self.event_study is not None:
            out["event_study"] = self.event_study.table.to_dict(orient="records")
            out["pretrend"] = None if self.event_study.pretrend is None else vars(self.event_study.pretrend)
        return out


def difference_in_differences(
    panel: pd.DataFrame,
    *,
    treated_areas: Sequence[str],
    start: Any,
    comparison_areas: Sequence[str] | None = None,
    area_col: str = "area",
    period_col: str = "month",
    outcome_col: str = "count",
    population_col: str | None = None,
    model: Model = "poisson",
    event_window: tuple[int, int] | None = (-6, 6),
    confidence_level: float = 0.95,
    data_versions: Sequence[str] = (),
    outcome_label: str = "violent crimes",
    intervention_label: str = "the intervention",
    placebo_seed: int = 0,
) -> DidResult:
    """Estimate the effect of an intervention that started in ``start`` in ``treated_areas``.

    ``comparison_areas`` defaults to every other area in the panel; pass the output of
    :func:`~vrhub.analysis.evaluation.matching.match_comparison_areas` to use matched areas. ``population_col``
    (residents) makes the outcome a rate. ``event_window=(-6, 6)`` adds an event study over months -6..6
    (ends binned); ``None`` skips it. ``data_versions`` lists the dataset version ids the caller read.
    ``placebo_seed`` picks the comparison areas refitted as placebos when there are more than
    :data:`~vrhub.analysis.evaluation.placebo.MAX_PLACEBO_AREAS` of them (recorded as the result's seed).
    """
    treated = tuple(dict.fromkeys(str(a) for a in treated_areas))
    if not treated:
        raise EvaluationInputError("no treated areas given", "pass treated_areas=[...] (area codes)")
    all_areas = panel[area_col].astype(str).unique() if area_col in panel.columns else []
    if comparison_areas is None:
        treated_set = set(treated)
        comparison = tuple(a for a in sorted(all_areas) if a not in treated_set)
    else:
        comparison = tuple(dict.fromkeys(str(a) for a in comparison_areas))
        overlap = set(comparison) & set(treated)
        if overlap:
            raise EvaluationInputError(
                f"area(s) {sorted(overlap)[:5]} are both treated and comparison", "remove them from one list"
            )
    if not comparison:
        raise EvaluationInputError("no comparison areas", "pass comparison_areas=[...] or a panel with more areas")
    prepared = prepare_panel(
        panel,
        start=start,
        area_col=area_col,
        period_col=period_col,
        outcome_col=outcome_col,
        exposure_col=population_col,
        areas=treated + comparison,
        min_pre=2,
        min_post=1,
    )
    inputs = {"panel": prepared.data[["area", "period", "y", "exposure"]].copy(), "treated": treated,
              "comparison": comparison, "start": prepared.periods[prepared.start_t], "model": model,
              "event_window": event_window, "confidence_level": confidence_level, "placebo_seed": placebo_seed,
              "population": population_col is not None, "data_versions": tuple(data_versions),
              "outcome_label": outcome_label, "intervention_label": intervention_label}
    df = prepared.data.copy()
    dropped: tuple[str, ...] = ()
    if model == "poisson":
        totals = df.groupby("area")["y"].sum()
        dropped = tuple(sorted(totals.index[totals == 0]))
        df = df[~df["area"].isin(dropped)]
    kept = set(df["area"].unique())
    treated_kept = tuple(a for a in treated if a in kept)
    comparison_kept = tuple(a for a in comparison if a in kept)
    if not treated_kept or not comparison_kept:
        raise EvaluationInputError(
            "after dropping areas with no recorded crimes at all, one group is empty",
            "use larger areas (e.g. MSOA or ward) or a broader offence group",
        )
    has_population = population_col is not None
    panel_m = _Matrices.of(df, prepared, model, treated_kept, comparison_kept)

    post = np.arange(panel_m.n_periods) >= prepared.start_t
    with single_threaded_blas():  # once: entering it costs milliseconds, and there are many small fits
        result = _estimate(panel_m, prepared, post, model, treated_kept, comparison_kept, dropped,
                           has_population, event_window, confidence_level, placebo_seed, data_versions,
                           outcome_label, intervention_label)
    result.extra["inputs"] = inputs  # what a release needs to refit the design to rounded counts
    return result


def _estimate(panel_m: _Matrices, prepared: PreparedPanel, post: np.ndarray, model: Model,
              treated_kept: tuple[str, ...], comparison_kept: tuple[str, ...], dropped: tuple[str, ...],
              has_population: bool, event_window: tuple[int, int] | None, confidence_level: float,
              placebo_seed: int, data_versions: Sequence[str], outcome_label: str,
              intervention_label: str) -> DidResult:
    fit = panel_m.fit(_did_columns(panel_m.treated, post))
    sums = _group_sums(panel_m, post)
    n_clusters = panel_m.n_areas
    n_treated = len(treated_kept)
    coef, cluster_se = float(fit.coef[0]), float(np.sqrt(fit.cov[0, 0]))
    placebo = placebo_variance(lambda j: panel_m.placebo_fit(j, lambda mask: _did_columns(mask, post)),
                               len(comparison_kept), seed=placebo_seed)
    se, lo, hi, p_value, dof = _inference(coef, cluster_se, placebo, n_treated, n_clusters, confidence_level)
    scale: Scale = "ratio" if model == "poisson" else "difference"
    if scale == "ratio":
        estimate, ci_low, ci_high = float(np.exp(coef)), float(np.exp(lo)), float(np.exp(hi))
    else:
        estimate, ci_low, ci_high = float(coef), float(lo), float(hi)

    event_study = None
    if event_window is not None:
        event_study = _event_study(panel_m, prepared, model, event_window, confidence_level, n_treated,
                                   placebo_seed)

    assumptions = assumption_checks(
        n_clusters=n_clusters,
        n_treated=n_treated,
        n_comparison=len(comparison_kept),
        placebo_areas=None if placebo is None else placebo.df + 1,
        event_study=event_study,
        dispersion=fit.dispersion,
        model=model,
    )
    unit = ""
    if scale == "difference":
        unit = "crimes per 1,000 residents per month" if has_population else "crimes per area per month"
    inference = (
        f"placebo: each of {placebo.df + 1} comparison area(s) called treated in turn; standard error "
        f"s·√(1/{n_treated} + 1/{len(comparison_kept)}) from their spread, t with {placebo.df} degrees of freedom "
        "(Conley & Taber 2011; Arkhangelsky et al. 2021)"
        if placebo is not None
        else f"area-clustered standard error, t with {dof} degrees of freedom (areas - 1): too few comparison areas "
        f"(fewer than {MIN_PLACEBO_AREAS}) for placebo inference"
    )
    notes = (f"{len(dropped)} area(s) with no recorded crimes were dropped: they carry no information in a Poisson "
             "fixed-effects model.",) if dropped else ()
    effect = EffectEstimate(
        method=(
            "difference-in-differences, two-way fixed-effects Poisson regression, placebo inference"
            if model == "poisson"
            else "difference-in-differences, two-way fixed-effects linear regression on rates, placebo inference"
        ),
        estimate=estimate,
        ci_low=ci_low,
        ci_high=ci_high,
        p_value=p_value,
        scale=scale,
        citation=CITATION,
        outcome_label=outcome_label,
        intervention_label=intervention_label,
        comparison_label="what the change in the comparison areas predicted",
        unit_label=unit,
        confidence_level=confidence_level,
        parameters=_parameters(prepared, model, n_treated, len(comparison_kept), has_population, inference, dof,
                               cluster_se, placebo, placebo_seed, event_window, coef, se),
        seed=placebo_seed if placebo is not None and placebo.sampled else None,
        data_versions=tuple(data_versions),
        assumptions=assumptions,
        notes=notes,
    )
    return DidResult(
        effect=effect,
        event_study=event_study,
        group_means=_group_means(sums, has_population),
        treated_areas=treated_kept,
        comparison_areas=comparison_kept,
        dropped_areas=dropped,
        extra={"group_totals": _group_totals(sums)},
    )


def _parameters(prepared: PreparedPanel, model: Model, n_treated: int, n_comparison: int, has_population: bool,
                inference: str, dof: int, cluster_se: float, placebo: PlaceboVariance | None, placebo_seed: int,
                event_window: tuple[int, int] | None, coef: float, se: float) -> dict[str, Any]:
    """The effect's parameters: the design, the inference used and its numbers (a release withholds the last)."""
    return {
        "model": model,
        "start": str(prepared.periods[prepared.start_t]),
        "first_period": str(prepared.periods[0]),
        "last_period": str(prepared.periods[-1]),
        "n_pre_periods": prepared.n_pre,
        "n_post_periods": prepared.n_post,
        "n_treated_areas": n_treated,
        "n_comparison_areas": n_comparison,
        "population_offset": has_population,
        "cluster": "area",
        "inference": inference,
        "degrees_of_freedom": int(dof),
        "cluster_robust_standard_error": cluster_se,
        "placebo_standard_deviation": None if placebo is None else float(np.std(placebo.estimates[:, 0], ddof=1)),
        "placebo_areas": None if placebo is None else placebo.df + 1,
        "placebo_areas_skipped": None if placebo is None else placebo.skipped,
        "placebo_seed": placebo_seed if placebo is not None and placebo.sampled else None,
        "event_window": list(event_window) if event_window else None,
        "coefficient": coef,
        "standard_error": float(se),
    }


def _inference(coef: float, cluster_se: float, placebo: PlaceboVariance | None, n_treated: int, n_clusters: int,
               confidence_level: float) -> tuple[float, float, float, float, int]:
    """(standard error, interval, p-value, degrees of freedom) of the effect: from the placebo fits, or with too few
    comparison areas for them, from the area-clustered error with t on areas − 1."""
    if placebo is not None:
        se, lo, hi, p = placebo.interval(np.array([coef]), n_treated, confidence_level)
        return float(se[0]), float(lo[0]), float(hi[0]), float(p[0]), placebo.df
    dof = n_clusters - 1
    tcrit = stats.t.ppf(0.5 + confidence_level / 2.0, dof)
    p_value = float(2 * stats.t.sf(abs(coef / cluster_se), dof)) if cluster_se > 0 else float("nan")
    return cluster_se, coef - tcrit * cluster_se, coef + tcrit * cluster_se, p_value, dof


def _did_columns(treated: np.ndarray, post: np.ndarray) -> np.ndarray:
    """The one effect column D_it = treated area and period from the start, as ``(1, areas, periods)``."""
    return (treated[:, None] & post[None, :])[None].astype(float)


def _event_columns(treated: np.ndarray, event_time: np.ndarray, times: list[int]) -> np.ndarray:
    """One column per event time in ``times``: treated area and period at that (binned) event time."""
    return np.stack([treated[:, None] & (event_time == e)[None, :] for e in times]).astype(float)


@dataclass(frozen=True, eq=False)
class _Matrices:
    """The panel as ``areas × periods`` matrices (areas sorted), with the treated areas marked."""

    y: np.ndarray
    exposure: np.ndarray
    treated: np.ndarray
    model: Model

    @property
    def n_areas(self) -> int:
        return self.y.shape[0]

    @property
    def n_periods(self) -> int:
        return self.y.shape[1]

    @classmethod
    def of(cls, df: pd.DataFrame, prepared: PreparedPanel, model: Model, treated: Sequence[str],
           comparison: Sequence[str]) -> _Matrices:
        if model not in ("poisson", "linear_rate"):
            raise EvaluationInputError(f"unknown model {model!r}", "use model='poisson' or model='linear_rate'")
        areas = sorted(df["area"].unique())
        n_periods = len(prepared.periods)
        if len(areas) * (len(areas) + n_periods) > MAX_DESIGN_CELLS:
            raise EvaluationInputError(
                f"{len(areas)} areas × {n_periods} months is too large for this model on one machine",
                "aggregate to larger areas (MSOA, ward or district) or evaluate a subset of comparison areas "
                "chosen with match_comparison_areas()",
            )
        ordered = df.sort_values(["area", "t"])
        y = ordered["y"].to_numpy(float).reshape(len(areas), n_periods)
        exposure = ordered["exposure"].to_numpy(float).reshape(len(areas), n_periods)
        return cls(y, exposure, np.isin(areas, list(treated)), model)

    def fit(self, columns: np.ndarray, *, cluster: bool = True, rows: np.ndarray | None = None,
            start: tuple[np.ndarray, np.ndarray] | None = None) -> TwfeFit:
        y = self.y if rows is None else self.y[rows]
        exposure = self.exposure if rows is None else self.exposure[rows]
        if self.model == "poisson":
            return poisson_twfe(y, exposure, columns, cluster=cluster, start=start)
        per = 1000.0 if (self.exposure != 1.0).any() else 1.0
        return linear_twfe(y / exposure * per, columns, cluster=cluster)

    @functools.cached_property
    def _pool_start(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The comparison areas' fixed effects without any effect column: the placebo fits start from them."""
        if self.model != "poisson":
            return None
        rows = np.flatnonzero(~self.treated)
        return self.fit(np.zeros((0, rows.size, self.n_periods)), cluster=False, rows=rows).fixed_effects

    def placebo_fit(self, j: int, columns_for: Any) -> np.ndarray | None:
        """The effect columns' estimates with comparison area ``j`` called treated, on the comparison areas only;
        ``None`` when an effect column holds no events (a Poisson estimate would be minus infinity)."""
        rows = np.flatnonzero(~self.treated)
        mask = np.zeros(rows.size, dtype=bool)
        mask[j] = True
        cols = columns_for(mask)
        if self.model == "poisson" and ((self.y[rows][None] * cols).sum(axis=(1, 2)) <= 0).any():
            return None
        return self.fit(cols, cluster=False, rows=rows, start=self._pool_start).coef


def _event_study(
    m: _Matrices,
    prepared: PreparedPanel,
    model: Model,
    window: tuple[int, int],
    confidence_level: float,
    n_treated: int,
    seed: int,
) -> EventStudy:
    lo_req, hi_req = window
    if lo_req > -2 or hi_req < 0:
        raise EvaluationInputError(
            f"event_window {window} must reach at least month -2 and month 0",
            "use e.g. event_window=(-6, 6)",
        )
    first_e, last_e = -prepared.start_t, len(prepared.periods) - prepared.start_t - 1
    lo, hi = max(lo_req, first_e), min(hi_req, last_e)
    event_time = np.clip(np.arange(m.n_periods) - prepared.start_t, lo, hi)
    times = [e for e in range(lo, hi + 1) if e != -1]
    fit = m.fit(_event_columns(m.treated, event_time, times))
    placebo = placebo_variance(lambda j: m.placebo_fit(j, lambda mask: _event_columns(mask, event_time, times)),
                               int((~m.treated).sum()), seed=seed)
    if placebo is not None:
        se, ci_lo, ci_hi, _ = placebo.interval(fit.coef, n_treated, confidence_level)
    else:
        se = np.sqrt(np.diag(fit.cov))
        tcrit = stats.t.ppf(0.5 + confidence_level / 2.0, m.n_areas - 1)
        ci_lo, ci_hi = fit.coef - tcrit * se, fit.coef + tcrit * se
    by_time = {e: i for i, e in enumerate(times)}
    treated_y = m.y[m.treated]
    rows = []
    for e in range(lo, hi + 1):
        binned = (e == lo and lo > first_e) or (e == hi and hi < last_e)
        i = by_time.get(e)
        coef, s, low, high = (0.0, 0.0, 0.0, 0.0) if i is None else (
            float(fit.coef[i]), float(se[i]), float(ci_lo[i]), float(ci_hi[i]))
        rows.append({"event_time": e, "coef": coef, "se": s, "binned": binned, "ci_low_coef": low,
                     "ci_high_coef": high, "treated_count": float(treated_y[:, event_time == e].sum())})
    table = pd.DataFrame(rows)
    scale: Scale = "ratio" if model == "poisson" else "difference"
    if scale == "ratio":
        table["estimate"] = np.exp(table["coef"])
        table["ci_low"] = np.exp(table["ci_low_coef"])
        table["ci_high"] = np.exp(table["ci_high_coef"])
        table["percent_change"] = (table["estimate"] - 1) * 100
        table["percent_ci_low"] = (table["ci_low"] - 1) * 100
        table["percent_ci_high"] = (table["ci_high"] - 1) * 100
    else:
        table["estimate"] = table["coef"]
        table["ci_low"], table["ci_high"] = table["ci_low_coef"], table["ci_high_coef"]
    leads = [e for e in times if e <= -2]
    return EventStudy(table=table, pretrend=_pretrend(fit, placebo, leads, times, n_treated, m.n_areas),
                      scale=scale, confidence_level=confidence_level,
                      inference="placebo" if placebo is not None else "cluster")


def _pretrend(fit: TwfeFit, placebo: PlaceboVariance | None, leads: list[int], times: list[int], n_treated: int,
              n_areas: int) -> PreTrendTest | None:
    """Are the leads zero? With placebo inference two tests, combined by Bonferroni (p = 2 × the smaller):
    Hotelling's T² that every lead is zero, and a t test of a linear slope through the leads and the reference
    month (powerful against the usual threat, groups drifting apart; an omnibus test of many leads has little
    power, Roth 2022). With too few comparison areas: the cluster-robust Wald F (areas - 1 denominator df)."""
    if not leads:
        return None
    which = [times.index(e) for e in leads]
    if placebo is not None:
        joint = placebo.joint_test(fit.coef, n_treated, which)
        slope = placebo.slope_test(fit.coef, n_treated, which, [float(e) for e in leads], -1.0)
        assert slope is not None  # there is at least one lead
        if joint is None:  # too few placebo fits for every lead: the slope alone
            return PreTrendTest(statistic=(slope[0] / slope[1]) ** 2, df_num=1, df_den=slope[2], p_value=slope[3],
                                leads=tuple(leads), method="t test of a linear pre-trend on placebo estimates",
                                slope=slope[0], slope_p_value=slope[3])
        f_stat, q, df_den, p = joint
        return PreTrendTest(statistic=f_stat, df_num=q, df_den=df_den, p_value=min(1.0, 2 * min(p, slope[3])),
                            leads=tuple(leads), method="Hotelling T² and linear slope on placebo estimates, "
                            "Bonferroni", joint_p_value=p, slope=slope[0], slope_p_value=slope[3])
    b = fit.coef[which]
    v = fit.cov[np.ix_(which, which)]
    q = len(leads)
    f_stat = float(b @ np.linalg.pinv(v) @ b) / q
    dof = n_areas - 1
    p = float(stats.f.sf(f_stat, q, dof))
    return PreTrendTest(statistic=f_stat, df_num=q, df_den=dof, p_value=p, leads=tuple(leads),
                        method="cluster-robust Wald F", joint_p_value=p)


def _group_sums(m: _Matrices, post: np.ndarray) -> dict[tuple[str, str], tuple[float, float, int]]:
    """(count, exposure, area-months) by group (treated, comparison) and period (before, after)."""
    out = {}
    for group, rows in (("comparison", ~m.treated), ("treated", m.treated)):
        for period, cols in (("after", post), ("before", ~post)):
            out[(group, period)] = (float(m.y[np.ix_(rows, cols)].sum()), float(m.exposure[np.ix_(rows, cols)].sum()),
                                    int(rows.sum() * cols.sum()))
    return out


def _group_totals(sums: dict[tuple[str, str], tuple[float, float, int]]) -> dict[str, dict[str, float]]:
    """Counts by group (treated, comparison) and period (before, after): the cells a release protects."""
    return {f"{g}_{p}": {"count": c, "area_months": n} for (g, p), (c, _, n) in sums.items()}


def _group_means(sums: dict[tuple[str, str], tuple[float, float, int]], has_population: bool) -> pd.DataFrame:
    per = 1000.0 if has_population else 1.0
    name = "rate_per_1000_per_month" if has_population else "mean_count_per_area_month"
    return pd.DataFrame([{"group": g, "period": p, name: c / e * per} for (g, p), (c, e, _) in sums.items()])
