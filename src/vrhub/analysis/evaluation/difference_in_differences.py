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
  Sociological Methodology 32:247-265), so overdispersion is handled by cluster-robust errors instead.

Standard errors are cluster-robust by area (Bertrand, Duflo & Mullainathan 2004, QJE 119:249-275), and
intervals use a t distribution with G-1 degrees of freedom for G areas (Cameron & Miller 2015, J Human
Resources 50:317-372). With fewer than 3 treated areas clustered errors are far too small (MacKinnon & Webb
2017), so the standard error is floored at the spread of placebo estimates, each comparison area treated in
turn (Conley & Taber 2011, Rev Econ Stat 93:113-125; only with 5 to 60 comparison areas).
``model="linear_rate"`` fits the same fixed effects by least squares on rates per 1,000 residents (an
additive effect); on a balanced panel its estimate equals the 2×2 difference of means.

The event study replaces D_it by one indicator per month relative to the start (binned at the window ends,
month -1 as reference). The leads (months -2 and earlier) are tested jointly with a cluster-robust Wald
test: a small p-value means the groups were already diverging before the start. Passing the test does not
prove parallel trends (it may lack power; Roth 2022, AER: Insights 4:305-322). Only a common start date is
supported: with staggered starts two-way fixed effects can be biased (Goodman-Bacon 2021,
J Econometrics 225:254-277).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from vrhub.analysis.evaluation.numerics import single_threaded_blas
from vrhub.analysis.evaluation.panel import PreparedPanel, prepare_panel
from vrhub.analysis.evaluation.result import (
    AssumptionCheck,
    EffectEstimate,
    EvaluationInputError,
    Scale,
    format_p,
)

CITATION = (
    "Two-way fixed-effects Poisson difference-in-differences with area-clustered errors: Wooldridge JM (1999) "
    "J Econometrics 90:77-97; Santos Silva JMC & Tenreyro S (2006) Rev Econ Stat 88:641-658; "
    "Bertrand M, Duflo E & Mullainathan S (2004) QJE 119:249-275; Cameron AC & Miller DL (2015) "
    "J Human Resources 50:317-372. Pre-trends: Roth J (2022) AER: Insights 4:305-322."
)
MIN_CLUSTERS = 20
MIN_TREATED = 3
MAX_PLACEBO_AREAS = 60  # placebo fits (one per comparison area) beyond this are too slow for a one-shot command
MAX_DESIGN_CELLS = 60_000_000

Model = Literal["poisson", "linear_rate"]


@dataclass(frozen=True)
class PreTrendTest:
    """Joint Wald test that all pre-period leads are zero (F with G-1 denominator degrees of freedom)."""

    statistic: float
    df_num: int
    df_den: int
    p_value: float
    leads: tuple[int, ...]


@dataclass(frozen=True)
class EventStudy:
    """Effect by month relative to the start; ``table`` has one row per event time (reference -1 = 0)."""

    table: pd.DataFrame
    pretrend: PreTrendTest | None
    scale: Scale
    confidence_level: float
    reference_period: int = -1

    def chart(self, title: str = "Treated minus comparison areas, by month from the start") -> Any:
        """An Altair chart spec of the event study (see :mod:`vrhub.analysis.evaluation.charts`)."""
        from vrhub.analysis.evaluation.charts import event_study_chart

        return event_study_chart(self, title=title)

    def to_svg(self, title: str = "Treated minus comparison areas, by month from the start") -> str:
        """The chart rendered to SVG text offline with vl-convert (the caller decides where to save it)."""
        from vrhub.analysis.evaluation.charts import chart_to_svg

        return chart_to_svg(self.chart(title=title))


@dataclass(frozen=True)
class DidResult:
    """The difference-in-differences effect, the event study and the group means behind them."""

    effect: EffectEstimate
    event_study: EventStudy | None
    group_means: pd.DataFrame
    treated_areas: tuple[str, ...]
    comparison_areas: tuple[str, ...]
    dropped_areas: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def plain_english(self) -> str:
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
) -> DidResult:
    """Estimate the effect of an intervention that started in ``start`` in ``treated_areas``.

    ``comparison_areas`` defaults to every other area in the panel; pass the output of
    :func:`~vrhub.analysis.evaluation.matching.match_comparison_areas` to use matched areas. ``population_col``
    (residents) makes the outcome a rate. ``event_window=(-6, 6)`` adds an event study over months -6..6
    (ends binned); ``None`` skips it. ``data_versions`` lists the dataset version ids the caller read.
    """
    treated = tuple(dict.fromkeys(str(a) for a in treated_areas))
    if not treated:
        raise EvaluationInputError("no treated areas given", "pass treated_areas=[...] (area codes)")
    all_areas = panel[area_col].astype(str).unique() if area_col in panel.columns else []
    if comparison_areas is None:
        comparison = tuple(a for a in sorted(all_areas) if a not in set(treated))
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
    df = prepared.data.copy()
    dropped: tuple[str, ...] = ()
    if model == "poisson":
        totals = df.groupby("area")["y"].sum()
        dropped = tuple(sorted(totals.index[totals == 0]))
        df = df[~df["area"].isin(dropped)]
    treated_kept = tuple(a for a in treated if a in set(df["area"]))
    comparison_kept = tuple(a for a in comparison if a in set(df["area"]))
    if not treated_kept or not comparison_kept:
        raise EvaluationInputError(
            "after dropping areas with no recorded crimes at all, one group is empty",
            "use larger areas (e.g. MSOA or ward) or a broader offence group",
        )
    df["treated"] = df["area"].isin(set(treated_kept))
    df["post"] = df["t"] >= prepared.start_t
    has_population = population_col is not None

    fit = _fit(df, prepared, model, effect_columns={"did": (df["treated"] & df["post"]).astype(float)})
    n_clusters = df["area"].nunique()
    dof = n_clusters - 1
    tcrit = stats.t.ppf(0.5 + confidence_level / 2.0, dof)
    coef, se = fit["params"]["did"], fit["se"]["did"]
    cluster_se = float(se)
    placebo_sd = _placebo_spread(df, prepared, model, comparison_kept) if len(treated_kept) < MIN_TREATED else None
    if placebo_sd is not None and placebo_sd > se:
        se = placebo_sd
    p_value = float(2 * stats.t.sf(abs(coef / se), dof)) if se > 0 else float("nan")
    lo, hi = coef - tcrit * se, coef + tcrit * se
    scale: Scale = "ratio" if model == "poisson" else "difference"
    if scale == "ratio":
        estimate, ci_low, ci_high = float(np.exp(coef)), float(np.exp(lo)), float(np.exp(hi))
    else:
        estimate, ci_low, ci_high = float(coef), float(lo), float(hi)

    event_study = None
    if event_window is not None:
        event_study = _event_study(df, prepared, model, event_window, confidence_level, dof)

    assumptions = _assumption_checks(
        n_clusters=n_clusters,
        n_treated=len(treated_kept),
        event_study=event_study,
        dispersion=fit.get("dispersion"),
        model=model,
    )
    unit = ""
    if scale == "difference":
        unit = "crimes per 1,000 residents per month" if has_population else "crimes per area per month"
    effect = EffectEstimate(
        method=(
            "difference-in-differences, two-way fixed-effects Poisson regression with area-clustered errors"
            if model == "poisson"
            else "difference-in-differences, two-way fixed-effects linear regression on rates, area-clustered"
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
        parameters={
            "model": model,
            "start": str(prepared.periods[prepared.start_t]),
            "first_period": str(prepared.periods[0]),
            "last_period": str(prepared.periods[-1]),
            "n_pre_periods": prepared.n_pre,
            "n_post_periods": prepared.n_post,
            "n_treated_areas": len(treated_kept),
            "n_comparison_areas": len(comparison_kept),
            "population_offset": has_population,
            "cluster": "area",
            "inference": f"t with {dof} degrees of freedom (areas - 1)" + (
                "; standard error widened to the spread of placebo estimates with each comparison area treated in "
                "turn (Conley & Taber 2011)" if placebo_sd is not None and placebo_sd > cluster_se else ""),
            "cluster_robust_standard_error": cluster_se,
            "placebo_standard_deviation": placebo_sd,
            "event_window": list(event_window) if event_window else None,
            "coefficient": float(coef),
            "standard_error": float(se),
        },
        seed=None,
        data_versions=tuple(data_versions),
        assumptions=assumptions,
        notes=(
            f"{len(dropped)} area(s) with no recorded crimes were dropped: they carry no information "
            "in a Poisson fixed-effects model.",
        )
        if dropped
        else (),
    )
    return DidResult(
        effect=effect,
        event_study=event_study,
        group_means=_group_means(df, has_population),
        treated_areas=treated_kept,
        comparison_areas=comparison_kept,
        dropped_areas=dropped,
    )


def _placebo_spread(
    df: pd.DataFrame, prepared: PreparedPanel, model: Model, comparison: Sequence[str]
) -> float | None:
    """Standard deviation of the DiD coefficient when each comparison area in turn is called treated (the real
    treated areas left out), or ``None`` with fewer than 5 or more than ``MAX_PLACEBO_AREAS`` comparison areas.

    With one or two treated areas, area-clustered errors are far too small (the treated areas' own residuals
    are absorbed by the effect term; MacKinnon & Webb 2017, J Applied Econometrics 32:233-254). Conley & Taber
    (2011, Rev Econ Stat 93:113-125) estimate the error of a one-area estimate from the comparison areas'
    placebo estimates instead; vrhub uses their spread as a floor under the standard error.
    """
    if not 5 <= len(comparison) <= MAX_PLACEBO_AREAS:
        return None
    pool = df[df["area"].isin(set(comparison))].copy()
    coefs = []
    for area in comparison:
        d = (pool["area"] == area) & pool["post"]
        coefs.append(float(_fit(pool, prepared, model, effect_columns={"did": d.astype(float)})["params"]["did"]))
    return float(np.std(coefs, ddof=1))


# -- fitting ---------------------------------------------------------------------------------------------
def _fit(
    df: pd.DataFrame, prepared: PreparedPanel, model: Model, effect_columns: dict[str, pd.Series]
) -> dict[str, Any]:
    """Fit the two-way fixed-effects model with the given effect columns; cluster-robust by area."""
    areas = pd.Categorical(df["area"])
    periods = pd.Categorical(df["t"])
    n_cols = len(areas.categories) + len(periods.categories) - 1 + len(effect_columns)
    if len(df) * n_cols > MAX_DESIGN_CELLS:
        raise EvaluationInputError(
            f"{len(areas.categories)} areas × {len(periods.categories)} months is too large for this model "
            "on one machine",
            "aggregate to larger areas (MSOA, ward or district) or evaluate a subset of comparison areas "
            "chosen with match_comparison_areas()",
        )
    area_dummies = pd.get_dummies(areas, prefix="area", dtype=float)
    period_dummies = pd.get_dummies(periods, prefix="t", drop_first=True, dtype=float)
    effects = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in effect_columns.items()})
    X = pd.concat(
        [effects.reset_index(drop=True), area_dummies.reset_index(drop=True), period_dummies.reset_index(drop=True)],
        axis=1,
    )
    groups = areas.codes
    y = df["y"].to_numpy()
    exposure = df["exposure"].to_numpy()
    out: dict[str, Any] = {}
    if model not in ("poisson", "linear_rate"):
        raise EvaluationInputError(f"unknown model {model!r}", "use model='poisson' or model='linear_rate'")
    with single_threaded_blas():
        if model == "poisson":
            glm = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(exposure))
            res = glm.fit(cov_type="cluster", cov_kwds={"groups": groups})
            out["dispersion"] = float(res.pearson_chi2 / res.df_resid) if res.df_resid > 0 else float("nan")
        else:
            per = 1000.0 if (exposure != 1.0).any() else 1.0
            res = sm.OLS(y / exposure * per, X).fit(cov_type="cluster", cov_kwds={"groups": groups})
    names = list(effect_columns)
    cov = pd.DataFrame(np.asarray(res.cov_params()), index=X.columns, columns=X.columns)
    out["params"] = pd.Series(np.asarray(res.params), index=X.columns)[names]
    out["cov"] = cov.loc[names, names]
    out["se"] = pd.Series(np.sqrt(np.diag(out["cov"].to_numpy())), index=names)
    return out


def _event_study(
    df: pd.DataFrame,
    prepared: PreparedPanel,
    model: Model,
    window: tuple[int, int],
    confidence_level: float,
    dof: int,
) -> EventStudy:
    lo_req, hi_req = window
    if lo_req > -2 or hi_req < 0:
        raise EvaluationInputError(
            f"event_window {window} must reach at least month -2 and month 0",
            "use e.g. event_window=(-6, 6)",
        )
    first_e, last_e = -prepared.start_t, len(prepared.periods) - prepared.start_t - 1
    lo, hi = max(lo_req, first_e), min(hi_req, last_e)
    event_time = (df["t"] - prepared.start_t).clip(lower=lo, upper=hi)
    columns: dict[str, pd.Series] = {}
    times = [e for e in range(lo, hi + 1) if e != -1]
    for e in times:
        columns[f"e{e}"] = ((event_time == e) & df["treated"]).astype(float)
    fit = _fit(df, prepared, model, columns)
    tcrit = stats.t.ppf(0.5 + confidence_level / 2.0, dof)
    rows = []
    for e in range(lo, hi + 1):
        binned = (e == lo and lo > first_e) or (e == hi and hi < last_e)
        if e == -1:
            coef = se = 0.0
        else:
            coef, se = float(fit["params"][f"e{e}"]), float(fit["se"][f"e{e}"])
        rows.append(
            {
                "event_time": e,
                "coef": coef,
                "se": se,
                "binned": binned,
                "ci_low_coef": coef - tcrit * se,
                "ci_high_coef": coef + tcrit * se,
            }
        )
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
    pretrend = None
    if leads:
        names = [f"e{e}" for e in leads]
        b = fit["params"][names].to_numpy()
        V = fit["cov"].loc[names, names].to_numpy()
        wald = float(b @ np.linalg.pinv(V) @ b)
        q = len(leads)
        f_stat = wald / q
        pretrend = PreTrendTest(
            statistic=f_stat, df_num=q, df_den=dof, p_value=float(stats.f.sf(f_stat, q, dof)), leads=tuple(leads)
        )
    return EventStudy(table=table, pretrend=pretrend, scale=scale, confidence_level=confidence_level)


def _group_means(df: pd.DataFrame, has_population: bool) -> pd.DataFrame:
    per = 1000.0 if has_population else 1.0
    g = df.assign(
        group=np.where(df["treated"], "treated", "comparison"), period=np.where(df["post"], "after", "before")
    )
    sums = g.groupby(["group", "period"])[["y", "exposure"]].sum()
    out = (sums["y"] / sums["exposure"] * per).rename(
        "rate_per_1000_per_month" if has_population else "mean_count_per_area_month"
    )
    return out.reset_index()


def _assumption_checks(
    *, n_clusters: int, n_treated: int, event_study: EventStudy | None, dispersion: float | None, model: Model
) -> tuple[AssumptionCheck, ...]:
    checks: list[AssumptionCheck] = []
    if event_study is None or event_study.pretrend is None:
        checks.append(
            AssumptionCheck(
                "parallel trends",
                None,
                "Parallel trends were not tested (no event study); the estimate assumes treated and comparison "
                "areas would have changed alike without the intervention.",
            )
        )
    else:
        pt = event_study.pretrend
        ok = pt.p_value >= 0.05
        checks.append(
            AssumptionCheck(
                "parallel trends before the start",
                ok,
                (
                    f"Before the start, the treated and comparison areas showed no detectable difference in trend "
                    f"(joint test of {pt.df_num} leads, {format_p(pt.p_value)}); this supports, but cannot prove, "
                    "that they would have stayed in step."
                )
                if ok
                else (
                    f"The treated and comparison areas were already moving differently before the start "
                    f"(joint test of {pt.df_num} leads, {format_p(pt.p_value)}), so the estimate may be biased; "
                    "try better-matched comparison areas."
                ),
            )
        )
    checks.append(
        AssumptionCheck(
            "enough areas for cluster-robust errors",
            n_clusters >= MIN_CLUSTERS,
            f"{n_clusters} areas were used; cluster-robust errors are dependable with about {MIN_CLUSTERS} or more."
            if n_clusters >= MIN_CLUSTERS
            else f"Only {n_clusters} areas were used; with fewer than about {MIN_CLUSTERS}, cluster-robust "
            "intervals can be too narrow (Cameron & Miller 2015).",
        )
    )
    checks.append(
        AssumptionCheck(
            "more than a couple of treated areas",
            n_treated >= 3,
            f"{n_treated} treated areas."
            if n_treated >= 3
            else f"Only {n_treated} treated area(s): cluster-robust inference is unreliable with so few treated areas "
            "(MacKinnon & Webb 2017), so the interval is at least as wide as the spread of placebo estimates from "
            "the comparison areas (Conley & Taber 2011) when there are 5 to 60 of them; a synthetic control with "
            "placebo tests suits a single area better.",
        )
    )
    if model == "poisson" and dispersion is not None:
        checks.append(
            AssumptionCheck(
                "overdispersion handled",
                True,
                f"Monthly counts vary {dispersion:.1f} times as much as a Poisson model expects; the area-clustered "
                "errors allow for this.",
            )
        )
    checks.append(
        AssumptionCheck(
            "no spill-over and no anticipation",
            None,
            "Assumed, not testable here: the intervention did not change violence in the comparison areas, and "
            "nothing changed in treated areas before the start.",
        )
    )
    return tuple(checks)
