"""The release of an impact evaluation (difference-in-differences; the SNA's "what works" section).

A difference-in-differences estimate is a model coefficient (statistics rule "model_coefficient"):

- released only when every count behind it — the treated and comparison areas' counts before and after the start,
  protected as one 2×2 table with its margins — is published above the threshold and the model keeps at least 10
  residual degrees of freedom (:func:`vrhub.domain.disclosure.model_gate`); otherwise withheld with the reason;
- refitted to the panel with every area-month count rounded to the base (the panel is never published, so it is
  rounded, not suppressed): with one treated area an event-study coefficient is close to a ratio of two of its
  monthly counts, and at full data a coefficient to 2 significant figures would still tell a count of 25 from 26;
- then the estimate and its interval to 2 significant figures, the p-value coarsened, the event study's estimates
  coarsened (each withheld where the treated areas' count in that month is suppressed or small), the pre-trend
  test's p-values coarsened and its statistic withheld;
- standard errors, the placebo spread, the coefficient on the log scale and the dispersion are withheld; the group
  means are recomputed from the released group totals (rule "mean").
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from vrhub.analysis.evaluation.difference_in_differences import (
    DidResult,
    EventStudy,
    assumption_checks,
    difference_in_differences,
)
from vrhub.analysis.evaluation.result import EvaluationInputError
from vrhub.analysis.evaluation.workspace import WorkspaceEvaluation
from vrhub.domain.disclosure import DisclosureRules, coarsen, coarsen_p, model_gate, protect_long, round_to_base
from vrhub.report.release.core import Released, protect_count, statement

WITHHELD_PARAMETERS = ("coefficient", "standard_error", "cluster_robust_standard_error", "placebo_standard_deviation")
GROUPS = ("treated", "comparison")
PERIODS = ("before", "after")


def release_did(result: DidResult, rules: DisclosureRules) -> Released[DidResult]:
    """The difference-in-differences result as it may leave (module docstring)."""
    totals, inputs = result.extra.get("group_totals"), result.extra.get("inputs")
    if not totals or not inputs:
        raise ValueError("this result has no group totals or inputs (it is already released): release the analyst's "
                         "result")
    released_totals, table_statement = _protect_totals(totals, rules)
    e = result.effect
    n_areas = len(result.treated_areas) + len(result.comparison_areas)
    n_periods = int(e.parameters["n_pre_periods"]) + int(e.parameters["n_post_periods"])
    gate = model_gate({f"{g} areas {p} the start": released_totals[f"{g}_{p}"] for g in GROUPS for p in PERIODS},
                      rules, residual_df=n_areas * n_periods - n_areas - n_periods)
    refit = None
    if not gate:
        try:
            refit = _refit_rounded(inputs, rules)
        except EvaluationInputError as exc:
            gate = f"withheld: the design cannot be fitted to the rounded counts ({exc.message})"
    base = refit if refit is not None else result
    es = base.event_study
    exact_counts = None if result.event_study is None else result.event_study.table.get("treated_count")
    released_es = None if es is None else _released_event_study(es, exact_counts, rules)
    parameters = {k: v for k, v in base.effect.parameters.items() if k not in WITHHELD_PARAMETERS} | {
        "released": True, "fitted_to": "area-month counts rounded to the base"}
    checks = assumption_checks(
        n_clusters=n_areas, n_treated=len(result.treated_areas), n_comparison=len(result.comparison_areas),
        placebo_areas=base.effect.parameters.get("placebo_areas"),
        event_study=None if gate else released_es, dispersion=None, model=e.parameters.get("model", "poisson"))
    if gate:
        effect = dataclasses.replace(e, estimate=math.nan, ci_low=math.nan, ci_high=math.nan, p_value=math.nan,
                                     parameters=parameters, assumptions=checks, notes=(*e.notes, gate))
        released_es = None
    else:
        f = base.effect
        effect = dataclasses.replace(
            f, estimate=coarsen(f.estimate), ci_low=coarsen(f.ci_low), ci_high=coarsen(f.ci_high),
            p_value=coarsen_p(f.p_value), parameters=parameters, assumptions=checks, notes=e.notes)
    released = dataclasses.replace(
        result, effect=effect, event_study=released_es,
        group_means=_group_means(result.group_means, totals, released_totals),
        extra={"group_totals": released_totals, **({"withheld": gate} if gate else {})})
    return Released(released, statement(rules, table_statement))


def _refit_rounded(inputs: dict[str, Any], rules: DisclosureRules) -> DidResult:
    """The design fitted again, with the same options, to the panel with every count rounded to the base."""
    panel = inputs["panel"].copy()
    panel["y"] = round_to_base(np.round(panel["y"].to_numpy()).astype(np.int64), rules.rounding_base)
    return difference_in_differences(
        panel, treated_areas=inputs["treated"], comparison_areas=inputs["comparison"], start=inputs["start"],
        area_col="area", period_col="period", outcome_col="y",
        population_col="exposure" if inputs["population"] else None, model=inputs["model"],
        event_window=inputs["event_window"], confidence_level=inputs["confidence_level"],
        data_versions=inputs["data_versions"], outcome_label=inputs["outcome_label"],
        intervention_label=inputs["intervention_label"], placebo_seed=inputs["placebo_seed"])


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


def _released_event_study(es: EventStudy, exact_counts: pd.Series | None, rules: DisclosureRules) -> EventStudy:
    """Event-study estimates coarsened; withheld where the treated areas' exact count at that event time is
    suppressed or small (``exact_counts``, from the analyst's fit)."""
    table = es.table.copy()
    counts = exact_counts if exact_counts is not None else pd.Series([0.0] * len(table))
    small = [protect_count(round(c), rules) is None for c in counts]
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
