"""Small formatters of the SNA page: charts as inline SVG, tables as rows of text, numbers as words."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import altair as alt
import pandas as pd
import pyarrow as pa
import vl_convert as vlc


def _svg(chart: alt.Chart, ident: str | None = None) -> str:
    """Inline SVG of a chart. vl-convert numbers colour-legend gradients (``gradient_N``) by a counter that runs on
    through the process, so with ``ident`` they are renamed ``<ident>-gradient-<i>``: the same in every build, and
    unique on the page."""
    svg = vlc.vegalite_to_svg(chart.to_dict())
    svg = re.sub(r"<\?xml[^>]*>", "", svg)
    if ident:
        names: dict[str, str] = {}
        svg = re.sub(r"gradient_\d+", lambda m: names.setdefault(m[0], f"{ident}-gradient-{len(names)}"), svg)
    return svg


def _table(t: pa.Table, columns: list[str] | None = None, limit: int | None = None,
           blank: str = "") -> dict[str, Any]:
    """Rows as text; ``blank`` is written for an empty cell (``"[c]"`` in a release, where empty means suppressed) of
    a column that has values (a column with none is data not loaded, e.g. no police.uk beside ED: left empty)."""
    df = t.to_pandas()
    if columns:
        df = df[[c for c in columns if c in df.columns]]
    filled = [blank if df[c].notna().any() else "" for c in df.columns]
    if limit:
        df = df.head(limit)
    rows = [[_fmt(v) or b for v, b in zip(r, filled, strict=True)] for r in df.itertuples(index=False)]
    return {"columns": [c.replace("_", " ") for c in df.columns], "rows": rows}


def _imd_alt(ddf: pd.DataFrame) -> str:
    """The deprivation chart's text alternative, read from its data (not assumed to fall)."""
    first, last = ddf.iloc[0], ddf.iloc[-1]
    way = "falling" if first.rate_per_1000 > last.rate_per_1000 else "rising"
    return (f"Bar chart of rates per 1,000 residents by deprivation decile, {way} from {first.rate_per_1000:.1f} in "
            f"decile {first.imd_decile} (the most deprived of those shown) to {last.rate_per_1000:.1f} in decile "
            f"{last.imd_decile}.")



def _fmt(v: Any) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return "[c]" if v is pd.NA else ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, (dt.date, pd.Timestamp)):
        return v.strftime("%b %Y")
    return str(v)
