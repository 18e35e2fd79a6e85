"""The profile's charts as Vega-Lite specifications, each with the table behind it: one list that the profile's
files (``profile_files``: SVG, PNG, an HTML page) and the analyst's explorer page (vega-embed, the table beside
the chart) both draw, so that the two never show different charts.

The charts are :mod:`vrhub.report.charts`'s (records by month with supply warnings, rate per 1,000 by area and
by IMD decile, hour × weekday heat maps, counts by a partner field), built with Altair (the Python API of
Vega-Lite; Satyanarayan et al., *Vega-Lite: A Grammar of Interactive Graphics*, IEEE TVCG 2017).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt
import pyarrow as pa

from vrhub.analysis.profile import Profile
from vrhub.report import charts

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class ProfileChart:
    """One chart: its file stem, title, Altair chart, and the name of the profile table behind it."""

    name: str
    title: str
    chart: alt.TopLevelMixin
    table: str

    def spec(self) -> dict[str, Any]:
        """The Vega-Lite specification (JSON-ready), data inline."""
        return self.chart.to_dict()


def profile_charts(profile: Profile, tables: dict[str, pa.Table], marker: str, *,
                   partner_tables: bool = False) -> list[ProfileChart]:
    """The charts of ``profile`` (its ``tables``, released or not), subtitled ``marker``. With
    ``partner_tables``, also a heat map of each hour × weekday table and a bar chart of each partner's
    who/why table (the explorer shows them; the profile's files keep to the three police.uk charts)."""
    made = []
    scope = f"strand {profile.strand}" if profile.strand else "serious violence (definite and possible)"
    if "when_monthly" in tables:
        title = f"Recorded {scope} by month"
        made.append(ProfileChart("monthly", title, charts.monthly_chart(tables["when_monthly"].to_pandas(), title,
                                                                        marker), "when_monthly"))
    if "where_by_area" in tables and "rate_per_1000" in tables["where_by_area"].column_names:
        df = tables["where_by_area"].to_pandas().dropna(subset=["rate_per_1000"])
        title = f"Rate per 1,000 residents by {profile.level}"
        made.append(ProfileChart("rate_by_area", title, charts.bar_chart(
            df, "area_name", "rate_per_1000", title, marker, "Records per 1,000 residents"), "where_by_area"))
    if "by_imd_decile" in tables:
        df = tables["by_imd_decile"].to_pandas().dropna(subset=["rate_per_1000"])
        df["imd_decile"] = df["imd_decile"].astype(str)
        title = "Rate per 1,000 by IMD decile (1 = most deprived)"
        made.append(ProfileChart("rate_by_imd_decile", title, charts.bar_chart(
            df, "imd_decile", "rate_per_1000", title, marker, "Records per 1,000 residents"), "by_imd_decile"))
    if partner_tables:
        made += _partner_charts(tables, marker)
    return made


def _title(name: str) -> str:
    return name.replace("_", " ").replace(" ed ", " ED ").replace(" yj ", " youth justice ").capitalize()


def _partner_charts(tables: dict[str, pa.Table], marker: str) -> list[ProfileChart]:
    made = []
    for name, t in tables.items():
        cols = t.column_names
        if name.endswith("hour_weekday") and {"weekday", "hour", "records"} <= set(cols):
            title = _title(name).replace("hour weekday", "by hour and weekday")
            made.append(ProfileChart(name, title, charts.heatmap_chart(t.to_pandas(), title, marker, WEEKDAYS,
                                                                       "Records"), name))
        elif name.startswith(("who_", "why_")) and "records" in cols and len(cols) >= 2 and t.num_rows:
            category = cols[0]
            df = t.to_pandas().dropna(subset=["records"])
            df[category] = df[category].astype(str)
            made.append(ProfileChart(name, _title(name), charts.bar_chart(
                df, category, "records", _title(name), marker, "Records"), name))
    return made
