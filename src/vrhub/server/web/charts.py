"""Vega-Lite specs of the web pages' charts (drawn by static/charts.js with vega-embed; each page shows the same
figures in a table beside the chart). Suppressed counts are ``null``: Vega-Lite leaves a gap, not a zero.
"""

from __future__ import annotations

from typing import Any

from vrhub.library.dashboard import BoardDashboard


def _line(values: list[dict[str, Any]], title: str, y_title: str, colour: str | None = None) -> dict[str, Any]:
    encoding: dict[str, Any] = {
        "x": {"field": "month", "type": "temporal", "title": "Month", "axis": {"format": "%b %Y"}},
        "y": {"field": "records", "type": "quantitative", "title": y_title},
    }
    if colour:
        encoding["color"] = {"field": colour, "type": "nominal", "title": None, "legend": {"orient": "bottom",
                                                                                          "columns": 1}}
    return {"description": title, "data": {"values": values}, "mark": {"type": "line", "point": True},
            "encoding": encoding, "height": 240, "width": "container"}


def monthly_spec(board: BoardDashboard) -> dict[str, Any]:
    """Records of serious violence by month (released)."""
    values = [{"month": f"{m:%Y-%m-01}", "records": n} for m, n, _ in board.monthly]
    return _line(values, "Recorded serious violence by month", "Records (released)")


def measures_spec(board: BoardDashboard) -> dict[str, Any]:
    """The Home Office success measures by month (released)."""
    values = [{"month": f"{m:%Y-%m-01}", "records": n, "measure": ms.label} for ms in board.measures
              for m, n in ms.months]
    return _line(values, "Home Office success measures by month", "Crimes (released)", colour="measure")
