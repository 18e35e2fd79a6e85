"""Checks shared by the police.uk feeds: coordinates and LSOA codes.

police.uk locations are anonymised map points (each covers at least eight addresses or none), so vrhub
analyses them at LSOA level or coarser. A row with no location is accepted and flagged (``has_location``
false); a row with a malformed location or one outside the United Kingdom is quarantined.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.geography_codes import LSOA_CODE_PATTERN, UK_BOUNDS
from vrhub.ingest.validate import Checks, check_month_range, parse_float

#: The first month of police.uk's street-level data: the site published crime maps from December 2010
#: (data.police.uk/changelog). No police.uk row can be older.
FIRST_MONTH = dt.date(2010, 12, 1)


def today(ctx: dict[str, Any]) -> dt.date:
    """The current date for plausibility checks: ``ctx["today"]`` when given (tests, re-runs), else today's."""
    given = ctx.get("today")
    return given if isinstance(given, dt.date) else dt.date.today()


def check_month(c: Checks, month: pa.Array, values: pa.Array, ctx: dict[str, Any], label: str = "Month") -> None:
    """Quarantine months police.uk cannot have: before December 2010 or after the current month."""
    check_month_range(c, month, values, label, first=FIRST_MONTH, first_why="when police.uk began publishing",
                      today=today(ctx))


def check_coordinates(c: Checks, lon_col: str = "longitude", lat_col: str = "latitude",
                      lon_label: str = "Longitude", lat_label: str = "Latitude") -> dict[str, pa.Array]:
    lon_raw, lat_raw = c.column(lon_col), c.column(lat_col)
    lon, bad_lon = parse_float(lon_raw)
    lat, bad_lat = parse_float(lat_raw)
    c.flag(bad_lon, lon_label, "is not a number", lon_raw)
    c.flag(bad_lat, lat_label, "is not a number", lat_raw)
    c.flag(pc.and_(pc.is_valid(lon_raw), pc.is_null(lat_raw)), lat_label, f"is missing while {lon_label} is given")
    c.flag(pc.and_(pc.is_valid(lat_raw), pc.is_null(lon_raw)), lon_label, f"is missing while {lat_label} is given")
    x0, y0, x1, y1 = UK_BOUNDS
    both = pc.and_(pc.is_valid(lon), pc.is_valid(lat))
    inside = pc.and_(pc.and_(pc.greater_equal(lon, x0), pc.less_equal(lon, x1)),
                     pc.and_(pc.greater_equal(lat, y0), pc.less_equal(lat, y1)))
    outside = pc.and_(both, pc.invert(inside))
    if pc.any(pc.fill_null(outside, False)).as_py():
        swapped = pc.and_(pc.and_(pc.greater_equal(lat, x0), pc.less_equal(lat, x1)),
                          pc.and_(pc.greater_equal(lon, y0), pc.less_equal(lon, y1)))
        pair = pc.binary_join_element_wise(lon_raw, ", ", lat_raw, "")
        c.flag(pc.and_(outside, pc.invert(swapped)), f"{lon_label}/{lat_label}",
               "is outside the United Kingdom", pair)
        c.flag(pc.and_(outside, swapped), f"{lon_label}/{lat_label}",
               "is outside the United Kingdom (are longitude and latitude swapped?)", pair)
    return {"longitude": lon, "latitude": lat, "has_location": pc.fill_null(both, False)}


def check_lsoa(c: Checks, month_text: pa.Array, col: str = "lsoa_code", label: str = "LSOA code") -> pa.Array:
    """Flag malformed LSOA codes; return the LSOA vintage per row (2011 before 2022-01, else 2021)."""
    c.matches(col, LSOA_CODE_PATTERN, label, "is not an LSOA code (E01 or W01 and six digits)")
    vintage = pc.if_else(pc.less(month_text, "2022-01"), pa.scalar(2011, pa.int16()), pa.scalar(2021, pa.int16()))
    return pc.if_else(pc.is_valid(c.column(col)), vintage, pa.scalar(None, pa.int16()))


def force_month_coverage(force: pa.Array, month: pa.Array) -> pa.Table:
    t = pa.table({"force": pc.fill_null(force, "unknown"), "month": month})
    out = t.group_by(["force", "month"]).aggregate([([], "count_all")])
    return out.rename_columns(["force", "month", "rows"])
