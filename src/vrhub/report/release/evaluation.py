"""The release of an impact evaluation (difference-in-differences; the SNA's "what works" section).

A difference-in-differences estimate is a model coefficient (statistics rule "model_coefficient"):

- released only when every count behind it — the treated and comparison areas' counts before and after the start,
  protected as one 2×2 table with its margins — is published above the threshold and the model keeps at least 10
  residual degrees of freedom (:func:`vrhub.domain.disclosure.model_gate`); otherwise withheld with the reason;
- then the estimate and its interval to 2 significant figures, the p-value coarsened, the event study's estimates
  coarsened (each withheld where the treated areas' count in that month is suppressed or small), the pre-trend
  test's p-values coarsened and its statistic withheld;
- standard errors, the placebo spread, the coefficient on the log scale and the dispersion are withheld; the group
  means are recomputed from the released group totals (rule "mean").
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd

from vrhub.analysis.evaluation.difference_in_differences import DidResult, EventStudy, assumption_checks
from vrhub.analysis.evaluation.workspace import WorkspaceEvaluation
from vrhub.domain.disclosure import DisclosureRules, coarsen, coarsen_p, model_gate, protect_long
from vrhub.report.release.core import Released, protect_count, statement

WITHHELD_PARAMETERS = ("coefficient", "standard_error", "cluster_robust_standard_error", "placebo_standard_deviation")
GROUPS = ("treated", "comparison")
PERIODS = ("before", "after")


def release_did(result: DidResult, rules: DisclosureRules) -> Released[DidResult]:
    """The difference-in-differences result as it may leave (module docstring)."""
    totals = result.extra.get("group_totals")
    if not totals:
        raise ValueError("this result has no group totals (it is already released): release the analyst's result")
    released_totals, table_statement = _protect_totals(totals, rules)
    e = result.effect
    n_areas = len(result.treated_areas) + len(result.comparison_areas)
    n_periods = int(e.parameters["n_pre_periods"]) + int(e.parameters["n_post_periods"])
    gate = model_gate({f"{g} areas {p} the start": released_totals[f"{g}_{p}"] for g in GROUPS for p in PERIODS},
                      rules, residual_df=n_areas * n_periods - n_areas - n_periods)
    parameters = {k: v for k, v in e.parameters.items() if k not in WITHHELD_PARAMETERS} | {"released": True}
    es = result.event_study
    checks = assumption_checks(
        n_clusters=n_areas, n_treated=len(result.treated_areas), n_comparison=len(result.comparison_areas),
        placebo_areas=e.parameters.get("placebo_areas"),
        event_study=None if es is None else _released_event_study(es, rules), dispersion=None,
        model=e.parameters.get("model", "poisson"))
    if gate:
        effect = dataclasses.replace(e, estimate=math.nan, ci_low=math.nan, ci_high=math.nan, p_value=math.nan,
                                     parameters=parameters, assumptions=checks, notes=(*e.notes, gate))
        es_out = None
    else:
        effect = dataclasses.replace(
            e, estimate=coarsen(e.estimate), ci_low=coarsen(e.ci_low), ci_high=coarsen(e.ci_high),
            p_value=coarsen_p(e.p_value), parameters=parameters, assumptions=checks)
        es_out = None if es is None else _released_event_study(es, rules)
    released = dataclasses.replace(
        result, effect=effect, event_study=es_out, group_means=_group_means(result.group_means, totals,
                                                                            released_totals),
        extra={"group_totals": released_totals, **({"withheld": gate} if gate else {})})
    return Released(released, statement(rules, table_statement))


def release_workspace_evaluation(ev: WorkspaceEvaluation, rules: DisclosureRules) -> Released[WorkspaceEvaluation]:
    """A workspace evaluation as it may leave: its design's result released; the matching's per-area rates (rates
    of exact counts) withheld, with a note."""
    if not isinstance(ev.result, DidResult):
        raise TypeError(f"no release rule for a {type(ev.result).__name__} yet: only difference-in-differences "
                        "results are released")
    inner = release_did(ev.result, rules)
    notes = ev.notes
    if ev.match is not None:
        notes = (*notes, "Comparison areas were matched on their pre-period rates and IMD decile; the matching "
                         "table (rates of exact counts) is not released.")
    return Released(dataclasses.replace(ev, result=inner.result, match=None, notes=notes), inner.statement)


def _protect_totals(totals: dict[str, dict[str, float]], rules: DisclosureRules) -> tuple[dict[str, int | None], str]:
    frame = pd.DataFrame([{"group": g, "period": p, "count": round(totals[f"{g}_{p}"]["count"])}
                          for g in GROUPS for p in PERIODS])
    pt = protect_long(frame, ["group", "period"], rules=rules)
    grid = pt.view("group", "period", totals=False)
    out = {f"{g}_{p}": (None if pd.isna(v) else int(v))
           for g, p, v in zip(grid["group"], grid["period"], grid["count"], strict=True)}
    return out, pt.statement


def _group_means(means: pd.DataFrame, totals: dict[str, dict[str, float]],
                 released: dict[str, int | None]) -> pd.DataFrame:
    """Group means recomputed from the released totals: each mean's denominator (residents or area-months) is
    the exact total divided by the exact mean, and is not a count of events."""
    out = means.copy()
    column = out.columns[-1]
    values = []
    for g, p, mean in zip(out["group"], out["period"], out[column], strict=True):
        exact = totals[f"{g}_{p}"]["count"]
        shown = released[f"{g}_{p}"]
        values.append(np.nan if shown is None or not exact or not mean else shown * mean / exact)
    out[column] = values
    return out


def _released_event_study(es: EventStudy, rules: DisclosureRules) -> EventStudy:
    table = es.table.copy()
    shown = [protect_count(round(c), rules) for c in table.get("treated_count", pd.Series([0.0] * len(table)))]
    small = [v is None for v in shown]
    for col in ("estimate", "ci_low", "ci_high"):
        table[col] = [np.nan if hide else coarsen(float(v)) for v, hide in zip(table[col], small, strict=True)]
    if es.scale == "ratio":
        table["percent_change"] = (table["estimate"] - 1) * 100
        table["percent_ci_low"] = (table["ci_low"] - 1) * 100
        table["percent_ci_high"] = (table["ci_high"] - 1) * 100
    keep = [c for c in ("event_time", "binned", "estimate", "ci_low", "ci_high", "percent_change", "percent_ci_low",
                        "percent_ci_high") if c in table]
    pretrend = es.pretrend
    if pretrend is not None:
        pretrend = dataclasses.replace(
            pretrend, statistic=math.nan, p_value=coarsen_p(pretrend.p_value),
            joint_p_value=coarsen_p(pretrend.joint_p_value), slope=coarsen(pretrend.slope),
            slope_p_value=coarsen_p(pretrend.slope_p_value))
    return dataclasses.replace(es, table=table[keep].reset_index(drop=True), pretrend=pretrend)

