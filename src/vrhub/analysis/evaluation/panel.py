"""Checking and preparing an area × period panel for the evaluation designs.

Every design reads the same long table: one row per area and period with a count (or rate), optionally a
population (exposure). Problems are reported all at once, each with what to do next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from vrhub.analysis.evaluation.result import EvaluationInputError


@dataclass(frozen=True)
class PreparedPanel:
    """A balanced panel with periods numbered 0..T-1 (column ``t``) and the first treated period ``start_t``."""

    data: pd.DataFrame  # columns: area (str), period, t (int), y (float), exposure (float)
    periods: tuple[Any, ...]
    start_t: int

    @property
    def n_pre(self) -> int:
        return self.start_t

    @property
    def n_post(self) -> int:
        return len(self.periods) - self.start_t

    @property
    def areas(self) -> tuple[str, ...]:
        return tuple(sorted(self.data["area"].unique()))


def _normalise_period(values: pd.Series | Sequence[Any]) -> pd.Series:
    """Periods as sortable values: monthly strings/Timestamps become ``pandas.Period('M')``; ints stay ints."""
    s = pd.Series(values)
    if pd.api.types.is_integer_dtype(s):
        return s.astype("int64")
    if isinstance(s.dtype, pd.PeriodDtype):
        return s
    try:
        return pd.PeriodIndex(pd.to_datetime(s.astype(str)), freq="M").to_series(index=s.index)
    except (ValueError, TypeError) as exc:
        raise EvaluationInputError(
            f"cannot read the period values (first: {s.iloc[0]!r}) as months",
            "give periods as 'YYYY-MM' strings, dates, pandas monthly Periods or integers",
        ) from exc


def normalise_start(start: Any, example_period: Any) -> Any:
    """Convert the user's start period to the same kind of value as the panel's periods."""
    if isinstance(example_period, (int, np.integer)):
        return int(start)
    return _normalise_period(pd.Series([start])).iloc[0]


def prepare_panel(
    panel: pd.DataFrame,
    *,
    start: Any,
    area_col: str,
    period_col: str,
    outcome_col: str,
    exposure_col: str | None = None,
    areas: Sequence[str] | None = None,
    min_pre: int = 2,
    min_post: int = 1,
) -> PreparedPanel:
    """Validate ``panel`` and return it balanced, sorted and numbered.

    Raises :class:`EvaluationInputError` listing every problem found (missing columns, duplicates, gaps,
    negative or missing outcomes, a start outside the data).
    """
    needed = [area_col, period_col, outcome_col] + ([exposure_col] if exposure_col else [])
    missing = [c for c in needed if c not in panel.columns]
    if missing:
        raise EvaluationInputError(
            f"the panel has no column(s) {missing}; it has {list(panel.columns)}",
            "pass area_col=, period_col=, outcome_col= (and exposure_col=) naming your columns",
        )
    df = panel[needed].copy()
    df.columns = ["area", "period", "y"] + (["exposure"] if exposure_col else [])
    df["area"] = df["area"].astype(str)
    if areas is not None:
        wanted = {str(a) for a in areas}
        absent = sorted(wanted - set(df["area"]))
        if absent:
            raise EvaluationInputError(
                f"{len(absent)} area(s) are not in the panel: {absent[:5]}",
                "check the area codes (e.g. LSOA E01...) against the panel's area column",
            )
        df = df[df["area"].isin(wanted)]
    df["period"] = _normalise_period(df["period"]).to_numpy()
    if not exposure_col:
        df["exposure"] = 1.0

    problems: list[str] = []
    if df["y"].isna().any():
        problems.append(f"{int(df['y'].isna().sum())} row(s) have no outcome value")
    if (df["y"] < 0).any():
        problems.append(f"{int((df['y'] < 0).sum())} row(s) have a negative outcome")
    if df["exposure"].isna().any() or (df["exposure"] <= 0).any():
        problems.append("some rows have a missing, zero or negative population (exposure)")
    dup = df.duplicated(["area", "period"])
    if dup.any():
        problems.append(f"{int(dup.sum())} duplicate area-period row(s), e.g. {df.loc[dup].iloc[0, :2].tolist()}")
    periods = tuple(sorted(df["period"].unique()))
    n_areas = df["area"].nunique()
    if not dup.any() and len(df) != n_areas * len(periods):
        problems.append(f"the panel is unbalanced: {len(df)} rows for {n_areas} areas × {len(periods)} periods")
    if problems:
        raise EvaluationInputError(
            "the panel cannot be used: " + "; ".join(problems),
            "give one row per area and period; if an area had no recorded crimes in a month, "
            "add the row with a count of 0",
        )

    start_value = normalise_start(start, periods[0])
    if start_value not in periods:
        raise EvaluationInputError(
            f"the start period {start!r} is not one of the panel's periods ({periods[0]} to {periods[-1]})",
            "give the first month in which the intervention was running",
        )
    start_t = periods.index(start_value)
    if start_t < min_pre or len(periods) - start_t < min_post:
        raise EvaluationInputError(
            f"the panel has {start_t} period(s) before the start and {len(periods) - start_t} from it; "
            f"this design needs at least {min_pre} before and {min_post} after",
            "use a longer series (ideally 12 or more months on each side)",
        )
    index = {p: i for i, p in enumerate(periods)}
    df["t"] = df["period"].map(index).astype(int)
    df = df.sort_values(["area", "t"]).reset_index(drop=True)
    df["y"] = df["y"].astype(float)
    df["exposure"] = df["exposure"].astype(float)
    return PreparedPanel(data=df, periods=periods, start_t=start_t)


def area_pre_means(prepared: PreparedPanel, per: float = 1000.0) -> pd.Series:
    """Pre-period level by area: rate per ``per`` population per period when a population was given,
    otherwise the mean count per period."""
    pre = prepared.data[prepared.data["t"] < prepared.start_t]
    sums = pre.groupby("area")[["y", "exposure"]].sum()
    has_population = bool((pre["exposure"] != 1.0).any())
    rate = sums["y"] / sums["exposure"] * (per if has_population else 1.0)
    return rate.rename("pre_rate")


def as_float_array(values: Any) -> np.ndarray:
    return np.asarray(values, dtype=float)
