"""A place gazetteer: named venues, streets, town-centre areas and stations, each with its LSOA (and a point).

Partners describe where an assault happened in free text ("outside Chatham station", "High Street"); the
Cardiff Model needs those places as areas. The workspace holds a gazetteer, loaded from a CSV or XLSX file with
one row per place (any case; spaces and underscores equivalent):

  Name, [Aliases], Type, LSOA code, [Longitude], [Latitude], [District]

``Aliases`` are the other names of the place, separated by ``|`` or ``;``. ``Type`` is one of ``PLACE_TYPES``
(spellings in ``TYPES``). ``LSOA code`` is an ONS LSOA (``E01``/``W01`` and six digits), the area the place lies
in; the point, if given, must be in WGS84 longitude/latitude within Great Britain. A row is quarantined, with the
field and value named, when the name, type or LSOA is missing or malformed, or a coordinate is not a number, out
of range, or given without the other. The geocoder (:mod:`vrhub.analysis.geocode`) reads the newest gazetteer
loaded. Field meanings: docs/sources/gazetteer.md.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.schemas import GAZETTEER, PLACE_TYPES
from vrhub.ingest.istv import map_codes
from vrhub.ingest.source import Checked, Column, Source
from vrhub.ingest.validate import Checks, parse_float
from vrhub.ingest.xlsx_stream import XLSX_SUFFIXES

# Spellings accepted for each place type.
_TYPE_WORDS = {
    "venue": ("venue", "licensed premises", "pub", "bar", "club", "nightclub", "shopping centre", "stadium",
              "attraction", "leisure", "retail park"),
    "street": ("street", "road", "high street", "lane"),
    "town_centre": ("town centre", "town center", "town-centre area", "town centre area", "city centre",
                    "centre", "area", "square"),
    "station": ("station", "railway station", "train station", "rail station"),
    "bus_station": ("bus station", "bus stop", "coach station"),
    "park": ("park", "open space", "recreation ground", "seafront", "beach"),
    "other": ("other",),
}
TYPES = {re.sub(r"[^a-z0-9+]+", " ", w.casefold()).strip(): code
         for code, words in _TYPE_WORDS.items() for w in (code, code.replace("_", " "), *words)}
assert set(TYPES.values()) == set(PLACE_TYPES)

# Great Britain's extent in WGS84, generously (Ordnance Survey: 49.8–60.9 N, 8.7 W – 1.8 E).
LON_RANGE = (-8.7, 1.8)
LAT_RANGE = (49.8, 60.9)


def split_aliases(values: pa.Array) -> pa.Array:
    """Aliases separated by '|' or ';' as one '|'-joined string (trimmed, empty parts dropped)."""
    def one(v: str | None) -> str | None:
        if v is None:
            return None
        parts = [p.strip() for p in re.split(r"[|;]", v) if p.strip()]
        return "|".join(dict.fromkeys(parts)) or None

    return pa.array([one(v) for v in values.to_pylist()], pa.string())


class Gazetteer(Source):
    """A gazetteer file: one row per place."""

    kind = "gazetteer"
    label = "place gazetteer"
    schema = GAZETTEER
    columns = (
        Column("Name", "name"),
        Column("Aliases", "aliases", required=False),
        Column("Type", "place_type"),
        Column("LSOA code", "lsoa_code"),
        Column("Longitude", "longitude", required=False),
        Column("Latitude", "latitude", required=False),
        Column("District", "district", required=False),
    )
    signature = ("Name", "Type", "LSOA code")
    name_pattern = re.compile(r"gazetteer|places", re.I)
    suffixes = (".csv", *XLSX_SUFFIXES)

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        c = Checks(table)
        n = table.num_rows
        opt = c.optional

        c.required("name", "Name")
        c.required("place_type", "Type")
        c.required("lsoa_code", "LSOA code")
        ptype, bad = map_codes(c.column("place_type"), TYPES)
        c.flag(bad, "Type", f"is not a place type ({', '.join(PLACE_TYPES)})", c.column("place_type"))
        lsoa = pc.utf8_upper(pc.utf8_trim_whitespace(c.column("lsoa_code")))
        c.flag(pc.invert(pc.match_substring_regex(lsoa, r"^[EW]01\d{6}$")), "LSOA code",
               "is not an LSOA code (E01 or W01 and six digits)", c.column("lsoa_code"))
        coords = {}
        for name, label, (lo, hi) in (("longitude", "Longitude", LON_RANGE), ("latitude", "Latitude", LAT_RANGE)):
            values, bad = parse_float(opt(name))
            c.flag(bad, label, "is not a number (decimal degrees, WGS84)", opt(name))
            c.flag(pc.or_(pc.less(values, lo), pc.greater(values, hi)), label,
                   f"is outside Great Britain ({lo} to {hi}): check longitude and latitude are not swapped", opt(name))
            coords[name] = values
        c.flag(pc.xor(pc.is_valid(coords["longitude"]), pc.is_valid(coords["latitude"])), "Longitude/Latitude",
               "give both or neither")
        problems = c.problems()
        out = pa.table({
            "name": pc.utf8_trim_whitespace(c.column("name")),
            "aliases": split_aliases(opt("aliases")),
            "place_type": ptype,
            "lsoa_code": lsoa,
            "longitude": coords["longitude"],
            "latitude": coords["latitude"],
            "district": pc.utf8_trim_whitespace(opt("district")),
            "dataset_id": pa.array([ctx["dataset_id"]] * n, pa.string()),
            "source_row": pa.array(lines, pa.int64()),
        }).filter(pc.is_null(problems))
        return Checked(out.cast(self.schema), problems)

    def coverage(self, accepted: pa.Table) -> pa.Table:
        # A gazetteer has no months: it is read whole (the newest version), never per force-month.
        return pa.table({"force": pa.array([], pa.string()), "month": pa.array([], pa.date32()),
                         "rows": pa.array([], pa.int64())})


SOURCES = (Gazetteer(),)
