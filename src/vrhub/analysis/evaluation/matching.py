"""Choosing comparison areas: nearest-neighbour matching on pre-period violence rate and IMD decile.

Method: greedy 1:k nearest-neighbour matching without replacement (Stuart 2010, "Matching methods for
causal inference: a review and a look forward", Statistical Science 25(1):1-21), on the standardised
Euclidean distance between areas' pre-period rates and IMD deciles (each variable divided by its standard
deviation in the whole pool, i.e. a diagonal Mahalanobis distance; Rubin 1980). Treated areas are matched
in descending order of pre-period rate, so the hardest-to-match areas choose first. Balance is reported as
standardised mean differences, with |SMD| < 0.1 read as good balance (Austin 2009, Statistics in Medicine
28:3083-3107).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from vrhub.analysis.evaluation.panel import area_pre_means, prepare_panel
from vrhub.analysis.evaluation.result import EvaluationInputError

CITATION = (
    "Stuart EA (2010). Matching methods for causal inference: a review and a look forward. "
    "Statistical Science 25(1):1-21. Balance: Austin PC (2009), Statistics in Medicine 28:3083-3107."
)
GOOD_BALANCE_SMD = 0.1


@dataclass(frozen=True)
class MatchResult:
    """The comparison areas chosen for each treated area, and how alike the two groups are."""

    treated_areas: tuple[str, ...]
    comparison_areas: tuple[str, ...]
    pairs: pd.DataFrame  # treated, comparison, distance
    balance: pd.DataFrame  # variable, treated_mean, pool_mean, matched_mean, smd_before, smd_after
    parameters: dict[str, Any] = field(default_factory=dict)
    citation: str = CITATION

    @property
    def balanced(self) -> bool:
        return bool((self.balance["smd_after"].abs() < GOOD_BALANCE_SMD).all())

    def plain_english(self) -> str:
        worst = self.balance.loc[self.balance["smd_after"].abs().idxmax()]
        text = (
            f"{len(self.comparison_areas)} comparison areas were chosen for {len(self.treated_areas)} treated "
            "areas by matching on violence before the start and deprivation (IMD decile)."
        )
        if self.balanced:
            text += " The two groups were alike on both before the start."
        else:
            text += (
                f" They still differed on {worst['variable']} (standardised difference "
                f"{worst['smd_after']:.2f}; below 0.1 counts as alike), so treat comparisons with care."
            )
        return text


def standardised_mean_difference(treated: np.ndarray, comparison: np.ndarray) -> float:
    """(mean_T - mean_C) / sqrt((var_T + var_C) / 2) (Austin 2009); 0 when both groups are constant."""
    pooled = (
        np.sqrt((np.var(treated, ddof=1) + np.var(comparison, ddof=1)) / 2.0)
        if (len(treated) > 1 and len(comparison) > 1)
        else 0.0
    )
    diff = float(np.mean(treated) - np.mean(comparison))
    if pooled == 0.0:
        return 0.0 if diff == 0.0 else float(np.sign(diff) * np.inf)
    return diff / pooled


def match_comparison_areas(
    area_features: pd.DataFrame,
    treated_areas: Sequence[str],
    *,
    rate_col: str = "pre_rate",
    imd_col: str = "imd_decile",
    n_per_treated: int = 1,
    exact_imd_decile: bool = False,
    caliper_sd: float | None = None,
    exclude: Sequence[str] = (),
) -> MatchResult:
    """Pick ``n_per_treated`` comparison areas for each treated area from the other areas.

    ``area_features`` is indexed by area code with a pre-period rate column and an IMD decile column
    (1 = most deprived). ``exclude`` removes areas from the pool (e.g. neighbours of treated areas that the
    intervention may have reached). ``exact_imd_decile`` only allows matches within the same decile;
    ``caliper_sd`` refuses matches further apart than this many standard deviations.
    """
    for col in (rate_col, imd_col):
        if col not in area_features.columns:
            raise EvaluationInputError(
                f"area_features has no column {col!r} (columns: {list(area_features.columns)})",
                "build it with pre_period_rates() and join the IMD decile of each area",
            )
    features = area_features[[rate_col, imd_col]].astype(float)
    features.index = features.index.astype(str)
    if features.isna().any().any():
        bad = features.index[features.isna().any(axis=1)].tolist()
        raise EvaluationInputError(
            f"{len(bad)} area(s) lack a pre-period rate or IMD decile, e.g. {bad[:3]}",
            "drop those areas or fill in their IMD decile from an IMD file",
        )
    treated = [str(a) for a in treated_areas]
    absent = [a for a in treated if a not in features.index]
    if absent:
        raise EvaluationInputError(f"treated area(s) not in area_features: {absent[:5]}", "check the area codes")
    pool = [a for a in features.index if a not in set(treated) | {str(e) for e in exclude}]
    if len(pool) < n_per_treated * len(treated):
        raise EvaluationInputError(
            f"only {len(pool)} candidate comparison areas for {len(treated)} treated areas × {n_per_treated}",
            "lower n_per_treated or widen the pool of candidate areas",
        )

    scale = features.loc[list(treated) + pool].std(ddof=1).replace(0.0, 1.0)
    z = features / scale
    order = sorted(treated, key=lambda a: -features.loc[a, rate_col])
    available = set(pool)
    rows: list[dict[str, Any]] = []
    for area in order:
        for _ in range(n_per_treated):
            candidates = [c for c in pool if c in available]
            if exact_imd_decile:
                candidates = [c for c in candidates if features.loc[c, imd_col] == features.loc[area, imd_col]]
            if not candidates:
                raise EvaluationInputError(
                    f"no comparison area left for {area}" + (" in the same IMD decile" if exact_imd_decile else ""),
                    "set exact_imd_decile=False, lower n_per_treated or widen the pool",
                )
            diffs = z.loc[candidates].to_numpy() - z.loc[area].to_numpy()
            dist = np.sqrt((diffs**2).sum(axis=1))
            best = int(np.argmin(dist))
            if caliper_sd is not None and dist[best] > caliper_sd:
                raise EvaluationInputError(
                    f"the nearest comparison area for {area} is {dist[best]:.2f} SD away (caliper {caliper_sd})",
                    "widen the caliper or the pool, or drop this treated area from the evaluation",
                )
            chosen = candidates[best]
            available.discard(chosen)
            rows.append({"treated": area, "comparison": chosen, "distance": float(dist[best])})

    pairs = pd.DataFrame(rows)
    matched = tuple(pairs["comparison"])
    balance_rows = []
    for label, col in (("pre-period rate", rate_col), ("IMD decile", imd_col)):
        t_vals = features.loc[treated, col].to_numpy()
        balance_rows.append(
            {
                "variable": label,
                "treated_mean": float(t_vals.mean()),
                "pool_mean": float(features.loc[pool, col].mean()),
                "matched_mean": float(features.loc[list(matched), col].mean()),
                "smd_before": standardised_mean_difference(t_vals, features.loc[pool, col].to_numpy()),
                "smd_after": standardised_mean_difference(t_vals, features.loc[list(matched), col].to_numpy()),
            }
        )
    return MatchResult(
        treated_areas=tuple(treated),
        comparison_areas=matched,
        pairs=pairs,
        balance=pd.DataFrame(balance_rows),
        parameters={
            "n_per_treated": n_per_treated,
            "exact_imd_decile": exact_imd_decile,
            "caliper_sd": caliper_sd,
            "excluded": sorted(str(e) for e in exclude),
            "distance": "standardised Euclidean on pre-period rate and IMD decile",
            "replacement": False,
        },
    )


def pre_period_rates(
    panel: pd.DataFrame,
    *,
    start: Any,
    area_col: str = "area",
    period_col: str = "month",
    outcome_col: str = "count",
    population_col: str | None = None,
    per: float = 1000.0,
) -> pd.Series:
    """Each area's mean monthly rate per ``per`` residents before ``start`` (mean count if no population).

    Join the result to IMD deciles to build ``area_features`` for :func:`match_comparison_areas`.
    """
    prepared = prepare_panel(
        panel,
        start=start,
        area_col=area_col,
        period_col=period_col,
        outcome_col=outcome_col,
        exposure_col=population_col,
        min_pre=1,
    )
    return area_pre_means(prepared, per=per)
