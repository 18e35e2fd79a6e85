"""Charts read as a reader sees them: the axis labels and mark positions are taken from the SVG that vl-convert
renders (the file the SNA inlines), not from the Vega-Lite specification.

- The month axis labels each month once, in order, and each month's point sits on its label (a temporal axis had
  labelled "Oct 2018, Oct 2018, Nov 2018 …" with the points between labels).
- The hour × weekday heat map shows all 24 hours and 7 weekdays even when whole hours are suppressed, and names
  suppressed cells in a legend entry of their own.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import vl_convert as vlc

from vrhub.report import charts
from vrhub.report.sna import SnaResult

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


LABEL = re.compile(r'<text[^>]*transform="translate\(([-\d.]+),([-\d.]+)\)[^"]*"'
                   r'[^>]*opacity="([\d.]+)"[^>]*>([^<]*)</text>')


def axis_labels(svg: str) -> list[list[tuple[float, str]]]:
    """Each axis's visible labels as (x, text), in the order drawn."""
    out = []
    for group in re.findall(r'<g class="mark-text role-axis-label"[^>]*>(.*?)</g>', svg, re.S):
        out.append([(float(x), text) for x, _, opacity, text in LABEL.findall(group) if float(opacity) > 0])
    return out


def legend_labels(svg: str) -> list[str]:
    return [t for g in re.findall(r'role-legend-label[^>]*>(.*?)</g>', svg, re.S)
            for t in re.findall(r">([^<]+)</text>", g)]


def point_xs(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'aria-roledescription="point" transform="translate\(([-\d.]+),', svg)]


def monthly(n: int, start: str = "2018-10-01") -> pd.DataFrame:
    months = pd.date_range(start, periods=n, freq="MS")
    return pd.DataFrame({"month": months.date, "records": [7000 + 37 * i for i in range(n)],
                         "supply_warning": [("low" if i == 2 else None) for i in range(n)]})


@pytest.mark.parametrize("n", [5, 14, 30])
def test_month_axis_labels_each_month_once_with_its_point_on_it(n: int):
    df = monthly(n)
    svg = vlc.vegalite_to_svg(charts.monthly_chart(df, "t", "m").to_dict())
    x_axis = next(a for a in axis_labels(svg) if a and a[0][1].endswith("2018"))
    expected = [f"{m:%b %Y}" for m in pd.to_datetime(df["month"])]
    assert [text for _, text in x_axis] == expected  # each month once, in order
    assert sorted(set(point_xs(svg))) == pytest.approx([x for x, _ in x_axis])  # a point on every label


def test_the_old_temporal_axis_fails_the_check():
    """The check above fails on the chart as it was (a temporal x axis with a month format)."""
    import altair as alt

    df = monthly(5)
    df["month"] = pd.to_datetime(df["month"])
    old = alt.Chart(df).mark_point().encode(x=alt.X("month:T", axis=alt.Axis(format="%b %Y")), y="records:Q")
    svg = vlc.vegalite_to_svg(old.properties(width=560).to_dict())
    texts = [t for _, t in axis_labels(svg)[0]]
    assert texts != [f"{m:%b %Y}" for m in df["month"]]


def heat(suppress: set[tuple[str, int]]) -> pd.DataFrame:
    return pd.DataFrame([{"weekday": d, "hour": h, "records": np.nan if (d, h) in suppress else float(10 + h)}
                         for d in WEEKDAYS for h in range(24)])


def test_heat_map_shows_every_hour_and_a_legend_entry_for_suppressed_cells():
    hidden = {(d, h) for d in WEEKDAYS for h in (5, 6, 7, 8)} | {("Monday", 12)}
    svg = vlc.vegalite_to_svg(charts.heatmap_chart(heat(hidden), "t", "m", WEEKDAYS, "Records").to_dict())
    axes = axis_labels(svg)
    assert [t for _, t in axes[0]] == [f"{h:02d}" for h in range(24)]
    assert [t for _, t in axes[1]] == WEEKDAYS
    assert charts.SUPPRESSED in legend_labels(svg)
    assert svg.count('aria-roledescription="rect mark"') == 7 * 24  # every cell drawn, the suppressed ones grey
    assert svg.count(f'fill="{charts.SUPPRESSED_FILL}"') >= len(hidden)
    # with nothing suppressed there is no such legend entry
    full = vlc.vegalite_to_svg(charts.heatmap_chart(heat(set()), "t", "m", WEEKDAYS, "Records").to_dict())
    assert charts.SUPPRESSED not in legend_labels(full)


def test_sna_month_axis_labels_each_loaded_month_once(sna_draft: SnaResult):
    html = sna_draft.html.read_text(encoding="utf-8")
    svg = html[:html.index('id="cap-monthly"')]
    svg = svg[svg.rindex("<svg"):]
    labels = [t for a in axis_labels(svg) for _, t in a if re.fullmatch(r"[A-Z][a-z]{2} \d{4}", t)]
    assert labels == ["Oct 2018", "Nov 2018", "Dec 2018", "Jan 2019", "Feb 2019"]


def test_a_long_title_is_wrapped_inside_the_chart():
    """A heat map titled as in the demo ran off the PDF page's left edge: the title is wrapped into lines that fit."""
    title = "Serious violence (force crime records) by hour of the day and weekday (midpoint of the committed window)"
    svg = vlc.vegalite_to_svg(charts.heatmap_chart(heat(set()), title, "m", WEEKDAYS, "Records").to_dict())
    width = float(re.search(r'<svg[^>]*width="([\d.]+)"', svg)[1])  # type: ignore[index]
    lines = re.findall(r'<g class="mark-text role-title-text"[^>]*>(.*?)</g>', svg, re.S)[0]
    texts = re.findall(r"<tspan[^>]*>([^<]+)</tspan>", lines)
    assert len(texts) == 2 and " ".join(texts) == title
    # each line, at the renderer's 13px bold sans-serif (under 0.62 em a character), is narrower than the chart
    assert all(len(t) * 13 * 0.62 < width for t in texts)
