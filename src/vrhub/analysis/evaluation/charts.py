"""Charts for evaluation results: Altair (Vega-Lite) specs, rendered to SVG offline by vl-convert.

Nothing here touches the network or the file system: ``chart_to_svg`` returns SVG text and the caller (CLI,
report) decides where it goes. Altair and vl-convert are imported only when a chart is asked for.
"""

from __future__ import annotations

from typing import Any, Protocol

import pandas as pd


class EventStudy(Protocol):
    """What a chart reads of an event study (``difference_in_differences.EventStudy`` is one): a Protocol, so
    that this module does not import the estimator that draws with it."""

    table: pd.DataFrame
    scale: str
    confidence_level: float


def event_study_chart(event_study: EventStudy, title: str = "Event study") -> Any:
    """Points with confidence bars for each month relative to the start; a dashed line marks the start.

    Ratio-scale studies are drawn as % change (0 = no difference); the reference month (-1) sits at 0.
    """
    import altair as alt

    table = event_study.table
    if event_study.scale == "ratio":
        data = pd.DataFrame(
            {
                "month_from_start": table["event_time"],
                "value": table["percent_change"],
                "low": table["percent_ci_low"],
                "high": table["percent_ci_high"],
            }
        )
        y_title = "Difference in violence (%), treated vs comparison"
    else:
        data = pd.DataFrame(
            {
                "month_from_start": table["event_time"],
                "value": table["estimate"],
                "low": table["ci_low"],
                "high": table["ci_high"],
            }
        )
        y_title = "Difference in rate, treated vs comparison"
    data["period"] = ["before" if e < 0 else "after" for e in data["month_from_start"]]
    level = f"{round(event_study.confidence_level * 100)}% confidence interval"
    base = alt.Chart(data)
    lo, hi = float(data["month_from_start"].min()), float(data["month_from_start"].max())
    x = alt.X(
        "month_from_start:Q",
        title="Months from the start (reference: month -1; end months include all earlier/later ones)",
        scale=alt.Scale(domain=[lo - 0.5, hi + 0.5], nice=False),
        axis=alt.Axis(tickMinStep=1, format="d"),
    )
    bars = base.mark_rule(strokeWidth=2).encode(
        x=x, y=alt.Y("low:Q", title=y_title), y2="high:Q", color=alt.Color("period:N", title=None)
    )
    points = base.mark_point(filled=True, size=60).encode(
        x=x,
        y="value:Q",
        color="period:N",
        tooltip=[
            alt.Tooltip("month_from_start:Q", title="month"),
            alt.Tooltip("value:Q", format=".1f", title="estimate"),
            alt.Tooltip("low:Q", format=".1f", title="lower"),
            alt.Tooltip("high:Q", format=".1f", title="upper"),
        ],
    )
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color="black").encode(y="y:Q")
    start = alt.Chart(pd.DataFrame({"x": [-0.5]})).mark_rule(strokeDash=[4, 4], color="grey").encode(x="x:Q")
    return (bars + points + zero + start).properties(
        title={"text": title, "subtitle": f"Bars: {level}"},
        width=520,
        height=300,
        description=(
            "Event-study chart: estimated difference between treated and comparison areas for each month "
            "before and after the start, with confidence intervals."
        ),
    )


def chart_to_svg(chart: Any) -> str:
    """Render an Altair chart to SVG text with vl-convert (bundled renderer, no network)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_json())
