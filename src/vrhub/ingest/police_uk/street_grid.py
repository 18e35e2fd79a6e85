"""police.uk street-level crime in its first published layout, with British National Grid coordinates.

police.uk's early street-level downloads (the 2012 files, for example) have the
columns ``Month, Reported by, Falls within, Easting, Northing, Location, Crime type, Context``: no Crime ID, no
LSOA and no outcome, and the location as an easting and northing in metres on the British National Grid
(OSGB36, EPSG:27700) instead of longitude and latitude. The same files appear in archives and in analysts' folders
today, so vrhub reads them into the street-level table:

* eastings and northings are converted to WGS84 longitude and latitude with PROJ (through pyproj), the library
  GIS software uses. Without the OSTN15 grid file (which is not downloaded) PROJ uses the published 7-parameter
  Helmert transformation, good to a few metres (Ordnance Survey, *A guide to coordinate systems in Great
  Britain*, section 6.6): far finer than police.uk's anonymised map points;
* Crime ID, LSOA code and name, and the last outcome stay empty: the rows count in force and district totals by
  their coordinates, never in an LSOA table (the load says so);
* the checks are those of the current layout: months from December 2010 to the current month, police.uk crime
  types (the withdrawn ones of the time, such as "Violent crime", included), and coordinates that are numbers
  inside the grid.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.schemas import POLICE_UK_STREET
from vrhub.ingest.police_uk.location import check_month, force_month_coverage
from vrhub.ingest.police_uk.street import CRIME_TYPES
from vrhub.ingest.source import Checked, Column, Source
from vrhub.ingest.validate import Checks, parse_float, parse_month

#: The extent of the British National Grid in metres (the 100 km squares SV to JM): easting, northing.
GRID_MAX = (700_000.0, 1_300_000.0)


@cache
def _to_wgs84() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def grid_to_lon_lat(easting: np.ndarray, northing: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid eastings and northings (metres) to WGS84 longitudes and latitudes (degrees)."""
    return _to_wgs84().transform(easting, northing)


def check_grid(c: Checks, *, lowest: float = 0.0,
               outside: str = "is outside the British National Grid (eastings 0 to 700,000 m, northings 0 to "
                              "1,300,000 m)") -> dict[str, pa.Array]:
    """Flag eastings and northings that are not numbers, come without their pair, or fall outside the grid (below
    ``lowest`` metres, or beyond ``GRID_MAX``; ``outside`` is the message); return longitude, latitude,
    ``has_location`` and the good ``easting`` and ``northing`` for every row (null / false where there is no good
    pair)."""
    e_raw, n_raw = c.column("easting"), c.column("northing")
    e, bad_e = parse_float(e_raw)
    n, bad_n = parse_float(n_raw)
    c.flag(bad_e, "Easting", "is not a number", e_raw)
    c.flag(bad_n, "Northing", "is not a number", n_raw)
    c.flag(pc.and_(pc.is_valid(e_raw), pc.is_null(n_raw)), "Northing", "is missing while Easting is given")
    c.flag(pc.and_(pc.is_valid(n_raw), pc.is_null(e_raw)), "Easting", "is missing while Northing is given")
    both = pc.and_(pc.is_valid(e), pc.is_valid(n))
    inside = pc.and_(pc.and_(pc.greater_equal(e, lowest), pc.less_equal(e, GRID_MAX[0])),
                     pc.and_(pc.greater_equal(n, lowest), pc.less_equal(n, GRID_MAX[1])))
    c.flag(pc.and_(both, pc.invert(inside)), "Easting/Northing", outside,
           pc.binary_join_element_wise(e_raw, ", ", n_raw, ""))
    good = pc.fill_null(pc.and_(both, inside), False)
    mask = np.asarray(good.to_numpy(zero_copy_only=False), dtype=bool)
    lon = np.full(len(mask), np.nan)
    lat = np.full(len(mask), np.nan)
    if mask.any():
        lon[mask], lat[mask] = grid_to_lon_lat(e.to_numpy(zero_copy_only=False)[mask],
                                               n.to_numpy(zero_copy_only=False)[mask])
    none = pa.scalar(None, pa.float64())
    return {"longitude": pa.array(lon, mask=~mask), "latitude": pa.array(lat, mask=~mask), "has_location": good,
            "easting": pc.if_else(good, e, none), "northing": pc.if_else(good, n, none)}


class StreetCrimeGrid(Source):
    """police.uk street-level crime, early layout (Easting/Northing): read into ``police_uk_street``."""

    kind = "police_uk_street"
    label = "police.uk street-level crime"
    schema = POLICE_UK_STREET
    columns = (
        Column("Month", "month"),
        Column("Reported by", "reported_by"),
        Column("Falls within", "falls_within"),
        Column("Easting", "easting"),
        Column("Northing", "northing"),
        Column("Location", "location"),
        Column("Crime type", "crime_type"),
        Column("Context", "context", required=False),
    )
    signature = ("Easting", "Northing", "Crime type", "Month")
    name_pattern = re.compile(r"-street\.csv$", re.I)
    note = ("this file has police.uk's early street-level layout (Easting/Northing, as in the 2012 downloads): the "
            "coordinates were converted from the British National Grid to longitude/latitude; the layout has no "
            "Crime ID, LSOA or outcome, so these rows count in force totals but in no LSOA or district table")

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        c = Checks(table)
        month_text = c.column("month")
        c.required("month", "Month")
        month, bad_month = parse_month(month_text)
        c.flag(bad_month, "Month", "is not a month in the form YYYY-MM", month_text)
        check_month(c, month, month_text, ctx)
        c.required("crime_type", "Crime type")
        c.one_of("crime_type", CRIME_TYPES, "Crime type", "is not a police.uk crime type")
        loc = check_grid(c)
        problems = c.problems()
        n = table.num_rows
        empty = pa.nulls(n, pa.string())
        out = pa.table(
            {
                "crime_id": empty,
                "month": month,
                "reported_by": c.column("reported_by"),
                "falls_within": c.column("falls_within"),
                "longitude": loc["longitude"],
                "latitude": loc["latitude"],
                "location": c.column("location"),
                "lsoa_code": empty,
                "lsoa_name": empty,
                "has_location": loc["has_location"],
                "lsoa_vintage": pa.nulls(n, pa.int16()),
                "crime_type": c.column("crime_type"),
                "last_outcome_category": empty,
                "context": c.optional("context"),
                "dataset_id": pa.array([ctx["dataset_id"]] * n, pa.string()),
                "source_row": pa.array(lines, pa.int64()),
            }
        ).filter(pc.is_null(problems))
        return Checked(out.cast(self.schema), problems)

    def coverage(self, accepted: pa.Table) -> pa.Table:
        return force_month_coverage(accepted.column("falls_within"), accepted.column("month"))
