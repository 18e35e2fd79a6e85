"""Charts as Vega-Lite specifications (Altair), rendered offline: SVG/PNG by vl-convert, HTML with the
Vega JavaScript inlined from the vl-convert package (no CDN, no network).

Colours: a colour-blind-safe palette with 3:1 contrast against white for graphical objects (WCAG 2.2, 1.4.11).
"""

from __future__ import annotations

import html
import json
import textwrap
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

BLUE, ORANGE, GREY = "#1d70b8", "#b35806", "#505a5f"


TITLE_WIDTH = 70  # characters per title line: a longer title is wrapped, never drawn past the chart's edges


def _title(title: str, marker: str) -> dict[str, object]:
    """A chart title wrapped to lines of ``TITLE_WIDTH`` characters (Vega centres each line on the chart; one long
    line ran off the page in the PDF), with ``marker`` as its subtitle."""
    lines = textwrap.wrap(title, TITLE_WIDTH) or [title]
    return {"text": lines if len(lines) > 1 else lines[0], "subtitle": marker}


def monthly_chart(df: pd.DataFrame, title: str, marker: str) -> alt.Chart:
    """Records by month: a line with a point on each month, months with a supply warning marked.

    The month axis is ordinal (``yearmonth``), one band per month: each month is labelled once and its point sits
    on its label. (A temporal axis lets Vega choose ticks finer than a month, so labels repeated — "Oct 2018,
    Oct 2018, Nov 2018" — and points fell between them.) Labels turn when there are more than 12 months.
    """
    d = df.copy()
    d["month"] = pd.to_datetime(d["month"])
    d["supply"] = d["supply_warning"].notna().map({True: "supply warning (incomplete data)", False: "complete"})
    n = d["month"].nunique()
    axis = alt.Axis(format="%b %Y", labelAngle=0 if n <= 6 else -45 if n <= 24 else -90, labelOverlap=False)
    base = alt.Chart(d).encode(x=alt.X("yearmonth(month):O", title="Month", axis=axis))
    line = base.mark_line(color=BLUE).encode(y=alt.Y("records:Q", title="Records"))
    points = base.mark_point(filled=True, size=80).encode(
        y="records:Q",
        shape=alt.Shape("supply:N", title=None),
        color=alt.Color("supply:N", scale=alt.Scale(range=[BLUE, ORANGE]), title=None),
        tooltip=[alt.Tooltip("yearmonth(month):O", title="month", format="%b %Y"), "records:Q", "supply_warning:N"],
    )
    layers = [line, points]
    if "trend_fitted" in d:
        layers.append(base.mark_line(color=GREY, strokeDash=[4, 3]).encode(y="trend_fitted:Q"))
    return alt.layer(*layers).properties(title=_title(title, marker), width=max(560, 18 * n),
                                         height=240)


def bar_chart(df: pd.DataFrame, category: str, value: str, title: str, marker: str, x_title: str,
              order: list[str] | None = None) -> alt.Chart:
    """Horizontal bars, longest first, or in ``order`` (e.g. age bands youngest first) when given."""
    return alt.Chart(df).mark_bar(color=BLUE).encode(
        y=alt.Y(f"{category}:N", sort=order if order is not None else "-x", title=None),
        x=alt.X(f"{value}:Q", title=x_title),
        tooltip=[f"{category}:N", f"{value}:Q"],
    ).properties(title=_title(title, marker), width=480)


SUPPRESSED = "suppressed [c]: a count of 1–7, or hidden to protect one"
SUPPRESSED_FILL = "#b1b4b6"  # mid grey (no blue in it, so not read as a count); named in its own legend


def heatmap_chart(df: pd.DataFrame, title: str, marker: str, weekdays: list[str], legend: str) -> alt.Chart:
    """Hour (columns) × weekday (rows) counts as shaded cells; ``records`` may be missing (suppressed in a release).

    A sequential single-hue scale (ColorBrewer Blues, Harrower & Brewer 2003), so that order reads as lightness;
    the exact counts are in the table printed behind the chart. Every hour 00–23 and every weekday is on the axes
    whatever the data hold (the scale domains are fixed: a release whose hours 05–08 are all suppressed still shows
    them), and suppressed cells are drawn grey with their own legend entry, not left blank.
    """
    d = df.copy()
    d["hour"] = d["hour"].astype(int)
    shown = d.dropna(subset=["records"]).copy()
    shown["records"] = shown["records"].astype(float)
    hidden = d[d["records"].isna()].assign(status=SUPPRESSED)[["weekday", "hour", "status"]]
    x = alt.X("hour:O", title="Hour of the day (00 = midnight to 00:59)", scale=alt.Scale(domain=list(range(24))),
              axis=alt.Axis(labelExpr="datum.value < 10 ? '0' + datum.value : '' + datum.value", labelAngle=0))
    y = alt.Y("weekday:N", sort=weekdays, title=None, scale=alt.Scale(domain=weekdays))
    cells = alt.Chart(shown).mark_rect(stroke="#ffffff", strokeWidth=0.5).encode(
        x=x, y=y, color=alt.Color("records:Q", scale=alt.Scale(scheme="blues"), title=legend),
        tooltip=["weekday:N", "hour:O", "records:Q"],
    )
    layers = [cells]
    if len(hidden):
        layers.append(alt.Chart(hidden).mark_rect(stroke="#ffffff", strokeWidth=0.5).encode(
            x=x, y=y, fill=alt.Fill("status:N", scale=alt.Scale(domain=[SUPPRESSED], range=[SUPPRESSED_FILL]),
                                    legend=alt.Legend(title=None, orient="bottom", labelLimit=400)),
            tooltip=["weekday:N", "hour:O", "status:N"],
        ))
    return alt.layer(*layers).properties(title=_title(title, marker), width=520, height=200)


def save_static(chart: alt.Chart, stem: Path) -> list[Path]:
    """Write ``stem``.svg and ``stem``.png; return the paths (:func:`write_svg_png`)."""
    return write_svg_png(chart.to_dict(), stem)


def write_svg_png(spec: dict[str, Any], stem: Path) -> list[Path]:
    """Write ``stem``.svg and ``stem``.png of a Vega-Lite ``spec``; return the paths.

    vl-convert renders the spec once, to SVG, handed over as compact JSON text (converting a 61,000-feature dict
    itself took longer); the PNG is that SVG rasterised (``svg_to_png`` at Altair's 72 ppi), the same pixels as
    rendering the spec a second time at half the cost."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    paths = [stem.with_suffix(".svg"), stem.with_suffix(".png")]
    svg = vlc.vegalite_to_svg(json.dumps(spec, separators=(",", ":")), vl_version=vl_version_for_vl_convert())
    paths[0].write_text(svg, encoding="utf-8")
    paths[1].write_bytes(vlc.svg_to_png(svg, scale=1.0, ppi=72))
    return paths


def save_html(charts: list[alt.Chart], path: Path, title: str, notice: str = "") -> Path:
    """One self-contained interactive HTML file with every chart (JavaScript inlined, no network).

    The title and ``notice`` (e.g. "unsuppressed — analyst use only") are also written as plain HTML at the top
    of the page, so that they show without JavaScript and are read by screen readers.
    """
    combined = alt.vconcat(*charts).properties(title=title) if len(charts) > 1 else charts[0]
    page = combined.to_html(inline=True)
    head = f"<title>{html.escape(title)}</title>\n"
    top = f"<h1>{html.escape(title)}</h1>\n"
    if notice:
        top += f'<p class="vrhub-notice"><strong>{html.escape(notice)}</strong></p>\n'
    top += "<noscript><p>The interactive charts need JavaScript; the same charts are in the charts folder as SVG " \
           "and PNG.</p></noscript>\n"
    page = page.replace("<html>", '<html lang="en">', 1).replace("<head>", "<head>\n" + head, 1)
    before, body, after = page.rpartition("<body>")  # the inlined Vega bundle has a "<body>" of its own, earlier
    path.write_text(before + body + "\n" + top + after, encoding="utf-8")
    return path
