"""The release of the linked cohort's odds ratios (``vrhub cohort --release`` and the SNA's causes section).

- Each exposure's 2×2 table (exposed or not × outcome or not) is protected together with its margins; the cohort's
  size and its pupils with the outcome as a one-way table with its total; offenders not in education alone.
- Risks and crude odds ratios with Woolf's interval are recomputed from the released cells (statistics rule
  "ratio"); withheld when a cell is suppressed or zero. Computed on the exact cells, the odds ratio and its interval
  give all four cells back (issue 11).
- The adjusted odds ratios (logistic regression on the pupils) are released only when every cell of every
  exposure's table is released above the threshold and the model keeps at least 10 residual degrees of freedom
  (:func:`vrhub.domain.disclosure.model_gate`). They are then refitted to the released counts — a logistic
  regression's outcomes enter only through its sufficient statistics, the outcome total and the exposed pupils with
  the outcome (:func:`vrhub.analysis.cohort.logit_from_sufficient`) — with the pupils' exposure patterns (how many
  pupils have each combination of exposures) rounded to the base, and rounded to 2 significant figures. The
  released model is so a function of released counts and of the rounded pattern table, never of exact counts.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from vrhub.analysis.cohort import COLUMNS, CohortRiskFactors, _crude, logit_from_sufficient
from vrhub.domain.disclosure import (
    DisclosureRules,
    coarsen,
    model_gate,
    protect_long,
    protect_series,
    round_to_base,
)
from vrhub.report.release.core import Released, protect_text, statement

ODDS = ("crude_or", "crude_or_low", "crude_or_high", "adjusted_or", "adjusted_or_low", "adjusted_or_high")
NOTE = ("counts protected by the disclosure rules; crude odds ratios recomputed from the released cells; adjusted "
        "odds ratios refitted to the released counts and rounded to 2 significant figures, shown only when every "
        "count behind the model is released")


def release_cohort(result: CohortRiskFactors, rules: DisclosureRules) -> Released[CohortRiskFactors]:
    """The cohort as it may leave (module docstring)."""
    rows: list[dict[str, Any]] = []
    cells: dict[str, int | None] = {}
    table_statement = rules.statement()
    for r in result.table.to_dict("records"):
        released, grid, table_statement = _protect_2x2(r, rules)
        rows.append(released)
        for (exposed, outcome), v in grid.items():
            cells[f"{r['exposure']} {'with' if exposed else 'without'} it, {'with' if outcome else 'no'} offence"] = v
    head = protect_series(pd.Series({"with_outcome": result.with_outcome,
                                     "without": (result.population or 0) - (result.with_outcome or 0)},
                                    name="count"), rules).series()
    apart = protect_series(pd.Series({"offenders": result.offenders_not_in_education}, name="count"),
                           rules).series()
    population, with_outcome = _int(head["Total"]), _int(head["with_outcome"])
    notes = [protect_text(n, rules) for n in result.notes]
    reason = _adjusted(rows, result, cells, with_outcome, rules)
    if reason:
        notes.append(f"adjusted odds ratios {reason}")
    notes.append(NOTE)
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in ("exposed", "exposed_with_outcome", "unexposed", "unexposed_with_outcome"):
        table[col] = table[col].astype("Int64")
    table["risk_exposed"] = (table["exposed_with_outcome"] / table["exposed"]).astype(float)
    table["risk_unexposed"] = (table["unexposed_with_outcome"] / table["unexposed"]).astype(float)
    released = dataclasses.replace(
        result, table=table, population=population, with_outcome=with_outcome,
        offenders_not_in_education=_int(apart["offenders"]), released=True, notes=notes,
        disclosure=table_statement, parameters={**result.parameters, "rules": rules.name}, patterns=None,
        residual_df=None)
    return Released(released, statement(rules, table_statement))


def _protect_2x2(r: dict[str, Any], rules: DisclosureRules
                 ) -> tuple[dict[str, Any], dict[tuple[bool, bool], int | None], str]:
    """One exposure's row as released: its 2×2 protected with margins, the crude odds ratio from released cells."""
    cells = pd.DataFrame({"exposed": [True, True, False, False], "outcome": [True, False, True, False],
                          "count": [r["exposed_with_outcome"], r["exposed"] - r["exposed_with_outcome"],
                                    r["unexposed_with_outcome"], r["unexposed"] - r["unexposed_with_outcome"]]})
    p = protect_long(cells, ["exposed", "outcome"], rules=rules)
    grid = p.view("exposed", "outcome")
    value = {(e, o): _int(v) for e, o, v in zip(grid["exposed"], grid["outcome"], grid["count"], strict=True)}
    inner = {(e, o): value[(e, o)] for e in (True, False) for o in (True, False)}
    out = dict(r)
    out["exposed"], out["exposed_with_outcome"] = value[(True, "Total")], value[(True, True)]
    out["unexposed"], out["unexposed_with_outcome"] = value[(False, "Total")], value[(False, True)]
    for k in ODDS:
        out[k] = np.nan
    if all(v is not None for v in inner.values()):
        out["crude_or"], out["crude_or_low"], out["crude_or_high"] = _crude(
            inner[(True, True)], inner[(True, False)], inner[(False, True)], inner[(False, False)])
    return out, inner, p.statement


def _adjusted(rows: list[dict[str, Any]], result: CohortRiskFactors, cells: dict[str, int | None],
              with_outcome: int | None, rules: DisclosureRules) -> str | None:
    """Fill the adjusted odds ratios of ``rows`` (refitted to released counts, coarsened), or say why not."""
    exposures = list(result.parameters.get("model_exposures") or [])
    if result.patterns is None or not exposures:
        return None  # no adjusted model in the exact result either (its reason is already a note)
    gate = model_gate(cells, rules, residual_df=result.residual_df)
    if gate is None and with_outcome is None:
        gate = "withheld: the number of pupils with the outcome is suppressed"
    if gate:
        return gate
    by_exposure = {r["exposure"]: r for r in rows}
    totals = {"outcome": float(with_outcome), **{e: float(by_exposure[e]["exposed_with_outcome"]) for e in exposures}}
    patterns = result.patterns.assign(n=round_to_base(result.patterns["n"].to_numpy(), rules.rounding_base))
    fitted = logit_from_sufficient(patterns[patterns["n"] > 0], exposures, totals)
    if fitted is None:
        return "withheld: the model cannot be refitted to the released counts"
    for e, (value, low, high) in fitted.items():
        r = by_exposure[e]
        r["adjusted_or"], r["adjusted_or_low"], r["adjusted_or_high"] = coarsen(value), coarsen(low), coarsen(high)
    return None


def _int(v: Any) -> int | None:
    return None if v is None or pd.isna(v) else int(v)
