"""Charts as Vega-Lite specifications (Altair), rendered offline: SVG/PNG by vl-convert, HTML with the
Vega JavaScript inlined from the vl-convert package (no CDN, no network).

Colours: a colour-blind-safe palette with 3:1 contrast against white for graphical objects (WCAG 2.2, 1.4.11).
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import altair as alt
import pandas as pd

BLUE, ORANGE, GREY = "#1d70b8", "#b35806", "#505a5f"


def monthly_chart(df: pd.DataFrame, title: str, marker: str) -> alt.Chart:
    d = df.copy()
    d["month"] = pd.to_datetime(d["month"])
    d["supply"] = d["supply_warning"].notna().map({True: "supply warning (incomplete data)", False: "complete"})
    base = alt.Chart(d).encode(x=alt.X("month:T", title="Month", axis=alt.Axis(format="%b %Y")))
    line = base.mark_line(color=BLUE).encode(y=alt.Y("records:Q", title="Records"))
    points = base.mark_point(filled=True, size=80).encode(
        y="records:Q",
        shape=alt.Shape("supply:N", title=None),
        color=alt.Color("supply:N", scale=alt.Scale(range=[BLUE, ORANGE]), title=None),
        tooltip=["month:T", "records:Q", "supply_warning:N"],
    )
    layers = [line, points]
    if "trend_fitted" in d:
        layers.append(base.mark_line(color=GREY, strokeDash=[4, 3]).encode(y="trend_fitted:Q"))
    return alt.layer(*layers).properties(title={"text": title, "subtitle": marker}, width=560, height=240)


def bar_chart(df: pd.DataFrame, category: str, value: str, title: str, marker: str, x_title: str,
              order: list[str] | None = None) -> alt.Chart:
    """Horizontal bars, longest first, or in ``order`` (e.g. age bands youngest first) when given."""
    return alt.Chart(df).mark_bar(color=BLUE).encode(
        y=alt.Y(f"{category}:N", sort=order if order is not None else "-x", title=None),
        x=alt.X(f"{value}:Q", title=x_title),
        tooltip=[f"{category}:N", f"{value}:Q"],
    ).properties(title={"text": title, "subtitle": marker}, width=480)


def heatmap_chart(df: pd.DataFrame, title: str, marker: str, weekdays: list[str], legend: str) -> alt.Chart:
    """Hour (columns) × weekday (rows) counts as shaded cells; ``records`` may be missing (suppressed: left blank).

    A sequential single-hue scale (ColorBrewer Blues, Harrower & Brewer 2003), so that order reads as lightness;
    the exact counts are in the table printed behind the chart.
    """
    d = df.dropna(subset=["records"]).copy()
    d["records"] = d["records"].astype(float)
    return alt.Chart(d).mark_rect(stroke="#ffffff", strokeWidth=0.5).encode(
        x=alt.X("hour:O", title="Hour of the day (00 = midnight to 00:59)"),
        y=alt.Y("weekday:N", sort=weekdays, title=None),
        color=alt.Color("records:Q", scale=alt.Scale(scheme="blues"), title=legend),
        tooltip=["weekday:N", "hour:O", "records:Q"],
    ).properties(title={"text": title, "subtitle": marker}, width=520, height=200)


def save_static(chart: alt.Chart, stem: Path) -> list[Path]:
    """Write ``stem``.svg and ``stem``.png; return the paths.

    vl-convert renders the chart once, to SVG; the PNG is that SVG rasterised (``svg_to_png`` at Altair's 72 ppi),
    the same pixels as rendering the spec a second time at half the cost."""
    import vl_convert as vlc
    from altair.utils._importers import vl_version_for_vl_convert

    paths = [stem.with_suffix(".svg"), stem.with_suffix(".png")]
    svg = vlc.vegalite_to_svg(json.dumps(chart.to_dict()), vl_version=vl_version_for_vl_convert())
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
