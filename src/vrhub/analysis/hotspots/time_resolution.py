"""How finely are event times recorded? Decides whether day-level time bands can be measured.

police.uk street-level crime carries only a ``Month`` ("2018-10"): every crime in a month is
indistinguishable in time, so a near-repeat test in days cannot be done on it. Times read from such a
column (strings ``YYYY-MM``, or dates that all fall on the 1st of a month at midnight) are "month".
"""

from __future__ import annotations

import re
from typing import Any, Literal

import numpy as np
import pandas as pd

from vrhub.analysis.hotspots.errors import HotspotInputError

Resolution = Literal["sub-day", "day", "month"]
_MONTH_STRING = re.compile(r"^\d{4}-\d{2}$")


def as_timestamps(times: Any) -> pd.Series:
    """Parse ``times`` (datetimes, dates or ``YYYY-MM``/ISO strings) to a Series of timestamps."""
    series = pd.Series(np.asarray(times))
    if series.isna().any():
        raise HotspotInputError(
            f"{int(series.isna().sum())} event time(s) are missing; drop or fix them before a time analysis."
        )
    if pd.api.types.is_datetime64_any_dtype(series):
        return series
    try:
        return pd.to_datetime(series.astype(str), format="mixed")
    except (ValueError, TypeError) as exc:
        raise HotspotInputError(
            f"cannot read event times as dates ({exc}); give datetimes or ISO strings like 2019-02-14."
        ) from exc


def time_resolution(times: Any) -> Resolution:
    """The finest unit the times distinguish: ``"month"``, ``"day"`` or ``"sub-day"``.

    ``"month"`` when the values are ``YYYY-MM`` strings or every timestamp is the 1st of a month at
    00:00 (with 5 or more events; by chance that happens to daily data with probability < 1/30^5).
    """
    raw = pd.Series(np.asarray(times))
    if raw.dtype == object and raw.map(lambda v: isinstance(v, str) and bool(_MONTH_STRING.match(v))).all():
        return "month"
    stamps = as_timestamps(times)
    midnight = stamps.dt.normalize() == stamps
    if not midnight.all():
        return "sub-day"
    if len(stamps) >= 5 and (stamps.dt.day == 1).all():
        return "month"
    return "day"


def days_since_start(times: Any) -> np.ndarray:
    """Event times as (fractional) days since the earliest event."""
    stamps = as_timestamps(times)
    delta = (stamps - stamps.min()).to_numpy()
    return delta / np.timedelta64(1, "D")


def month_index(times: Any) -> np.ndarray:
    """Event times as whole months since the earliest month (police.uk ``Month`` → 0, 1, 2, ...)."""
    stamps = as_timestamps(times)
    months = stamps.dt.year.to_numpy() * 12 + stamps.dt.month.to_numpy() - 1
    return (months - months.min()).astype(np.int64)
