"""Emergency-department assault attendances to NHS ISB 1594 "Information Sharing to Tackle Violence" (ISTV).

The ISTV minimum dataset (NHS Digital, ISB 1594; the data behind the Cardiff Model, Florence et al., BMJ 2011)
has a header (reporting period start, reporting period end, ED site code) and, per attendance, the arrival
date/time, the assault date/time, the assault method (+ free text for "other") and the assault location type
(+ free-text description). Departments commonly add an age band, sex, and home LSOA or postcode district.

vrhub reads a CSV file or an Excel workbook (.xlsx, .xlsm) with one row per attendance. The header fields may be
repeated as columns on every row or given once in a **header block** above the table ("Reporting period start |
01/04/2024" rows), below any title rows; merged cells down a column are filled down, ambiguous ones quarantine
their rows (the loader and ``vrhub.ingest.layout`` / ``vrhub.ingest.xlsx_stream`` do this for every source). Columns
(any case; spaces, underscores, "/" and "-" are equivalent; common aliases in ``ALIASES``):

  Reporting period start, Reporting period end, ED site code, Arrival date time, Assault date time,
  Assault method, [Assault method other], Assault location type, [Assault location description],
  [Age band], [Sex], [Home LSOA], [Home postcode district]

Date-times are UK local clock times: ``dd/mm/yyyy hh:mm[:ss]``, ``dd-mm-yyyy hh:mm``, ``yyyy-mm-dd hh:mm[:ss]`` or
``yyyy-mm-ddThh:mm[:ss]``. Codes are mapped to vrhub's code lists (``METHODS``, ``LOCATIONS``, ``SEXES``, age bands
of the serious-violence definition); free text is kept as sent. A row is quarantined, with the field and value
named, when: a required value is missing; a date or time cannot be read; the arrival is outside the reporting
period; the assault is after the arrival; the assault is more than ``max_days`` (default 7) before the arrival;
or a code is not in the list. Field meanings: docs/sources/ed-istv.md.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.schemas import ED_AGE_BANDS, ED_ISTV
from vrhub.ingest.files import SourceFile
from vrhub.ingest.source import Checked, Column, Source, code_key
from vrhub.ingest.validate import Checks, by_distinct_value
from vrhub.ingest.xlsx_stream import XLSX_SUFFIXES

MAX_DAYS_ASSAULT_TO_ARRIVAL = 7

DATETIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S",
                    "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
# A date cell of a workbook may come as a date-time at midnight (Excel stores dates as date-times).
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%Y-%m-%d 00:00:00", "%d/%m/%Y 00:00", "%d/%m/%Y 00:00:00")
DATETIME_HELP = "is not a date and time in a supported form (dd/mm/yyyy hh:mm or yyyy-mm-dd hh:mm, seconds optional)"
DATE_HELP = "is not a date in a supported form (dd/mm/yyyy or yyyy-mm-dd)"


_key = code_key


def _codes(spellings: dict[str, tuple[str, ...]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, words in spellings.items():
        for w in (code, code.replace("_", " "), *words):
            out[_key(w)] = code
    return out


# Assault method: vrhub's code list and the spellings accepted for each (docs/sources/ed-istv.md).
METHODS = _codes({
    "knife_or_sharp_object": ("knife", "knives", "sharp object", "knife/sharp object", "knife or sharp instrument",
                              "sharp instrument", "blade", "bladed article", "stabbed", "stabbing", "glass",
                              "bottle/glass", "broken glass", "screwdriver"),
    "blunt_object": ("blunt", "blunt instrument", "blunt weapon", "bat", "club", "bottle", "stick", "hammer",
                     "bar", "weapon blunt", "thrown object"),
    "body_part": ("body", "hit", "kick", "kicked", "punch", "punched", "hit/kick", "hit or kick", "fist", "feet",
                  "head butt", "headbutt", "bite", "hands", "fists/feet", "unarmed", "body part (hit/kick)"),
    "firearm": ("gun", "shot", "gunshot", "shooting", "firearms", "air weapon", "airgun", "air gun"),
    "other": ("other method", "other (specify)", "other - see free text", "burn", "scald", "acid",
              "corrosive substance", "strangulation", "vehicle", "dog"),
    "unknown": ("not known", "unknown method", "not stated", "declined", "refused", "n/k", "nk", "not recorded"),
})
# Assault location type.
LOCATIONS = _codes({
    "street_public_place": ("street", "public place", "street/public place", "street or public place", "road",
                            "park", "outdoors", "public open space", "car park", "shop", "town centre"),
    "licensed_premises": ("pub", "bar", "club", "nightclub", "night club", "pub/club", "pub/bar/club",
                          "licensed premise", "licenced premises", "licensed venue", "restaurant"),
    "home": ("own home", "at home", "home address", "dwelling", "private dwelling", "private residence",
             "residence", "house", "someone else's home", "other home", "home/residence"),
    "school": ("college", "school/college", "educational establishment", "school or college", "university"),
    "public_transport": ("bus", "train", "station", "bus station", "train station", "railway",
                         "public transport/station", "taxi", "transport"),
    "other": ("other location", "workplace", "work", "prison", "hospital", "other (specify)"),
    "unknown": ("not known", "unknown location", "not stated", "declined", "refused", "n/k", "nk", "not recorded"),
})
# Sex: words and the NHS Data Dictionary PERSON GENDER CODE (0 not known, 1 male, 2 female, 9 not specified).
SEXES = _codes({
    "male": ("m", "man", "boy", "1"),
    "female": ("f", "woman", "girl", "2"),
    "other": ("non-binary", "nonbinary", "indeterminate", "intersex"),
    "unknown": ("u", "not known", "not stated", "not specified", "x", "0", "9", "prefer not to say"),
})
# Age band: the definition's bands (kent_and_medway.toml, sources.ed_istv.fields.age_band).
AGE_BANDS = _codes({b: (b.replace("-", " to "), b.replace("-", "–")) for b in ED_AGE_BANDS if b != "65+"}
                   | {"65+": ("65 and over", "65 plus", "over 65", "65 or over", "65 or older", "65 over")})

# Column aliases seen in departments' extracts (keys as _key() gives them).
ALIASES = {
    "period start": "Reporting period start", "reporting start": "Reporting period start",
    "period end": "Reporting period end", "reporting end": "Reporting period end",
    "site code": "ED site code", "ed site": "ED site code", "site": "ED site code", "department code": "ED site code",
    "arrival datetime": "Arrival date time", "arrival date and time": "Arrival date time",
    "arrival": "Arrival date time", "attendance date time": "Arrival date time",
    "assault datetime": "Assault date time", "assault date and time": "Assault date time",
    "date and time of assault": "Assault date time", "incident date time": "Assault date time",
    "method of assault": "Assault method", "weapon": "Assault method", "weapon used": "Assault method",
    "assault method free text": "Assault method other", "method other": "Assault method other",
    "location of assault": "Assault location type", "assault location": "Assault location type",
    "location type": "Assault location type",
    "assault location free text": "Assault location description",
    "location description": "Assault location description",
    "age group": "Age band", "gender": "Sex", "lsoa": "Home LSOA", "lsoa code": "Home LSOA",
    "home lsoa code": "Home LSOA", "postcode district": "Home postcode district",
}


def parse_local_datetime(values: pa.Array, formats: tuple[str, ...] = DATETIME_FORMATS) -> tuple[pa.Array, pa.Array]:
    """Parse UK local date-times in any of ``formats`` (first that fits); return (timestamps, mask of bad)."""

    def parse(distinct: pa.Array) -> pa.Array:
        text = pc.utf8_trim_whitespace(distinct)
        out = None
        for f in formats:
            ts = pc.strptime(text, format=f, unit="s", error_is_null=True)
            out = ts if out is None else pc.coalesce(out, ts)
        assert out is not None
        # strptime rolls impossible days over (31/02 becomes 3 March): keep a value only if its day is the one written.
        parts = pc.extract_regex(text, r"^(?:\d{4}-\d{1,2}-(?P<a>\d{1,2})|(?P<b>\d{1,2})[/.-])")
        written = pc.binary_join_element_wise(pc.struct_field(parts, "a"), pc.struct_field(parts, "b"), "")
        same_day = pc.equal(pc.cast(written, pa.int64()), pc.cast(pc.day(out), pa.int64()))
        return pc.if_else(pc.fill_null(same_day, False), out, pa.scalar(None, out.type))

    ts = by_distinct_value(values, parse)
    return ts, pc.and_(pc.is_valid(values), pc.is_null(ts))


def parse_date(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse dd/mm/yyyy or yyyy-mm-dd dates; return (date32, mask of bad non-nulls)."""
    ts, bad = parse_local_datetime(values, DATE_FORMATS)
    return pc.cast(ts, pa.date32()), bad


def map_codes(values: pa.Array, codes: dict[str, str]) -> tuple[pa.Array, pa.Array]:
    """Map free spellings to canonical codes (per distinct value); return (codes, mask of unknown non-nulls)."""
    def fn(distinct: pa.Array) -> pa.Array:
        return pa.array([codes.get(_key(v)) if v is not None else None for v in distinct.to_pylist()], pa.string())

    out = by_distinct_value(values, fn)
    return out, pc.and_(pc.is_valid(values), pc.is_null(out))


def _allowed(codes: dict[str, str]) -> str:
    return ", ".join(dict.fromkeys(codes.values()))


class Istv(Source):
    """An ISTV return: one row per assault attendance, period and site on every row."""

    kind = "ed_istv"
    label = "ED assault attendances (ISTV, ISB 1594)"
    schema = ED_ISTV
    columns = (
        Column("Reporting period start", "period_start"),
        Column("Reporting period end", "period_end"),
        Column("ED site code", "site_code"),
        Column("Arrival date time", "arrival"),
        Column("Assault date time", "assault"),
        Column("Assault method", "assault_method"),
        Column("Assault method other", "assault_method_other", required=False),
        Column("Assault location type", "assault_location_type"),
        Column("Assault location description", "assault_location_description", required=False),
        Column("Age band", "age_band", required=False),
        Column("Sex", "sex", required=False),
        Column("Home LSOA", "home_lsoa", required=False),
        Column("Home postcode district", "home_postcode_district", required=False),
    )
    signature = ("ED site code", "Assault method", "Arrival date time")
    name_pattern = re.compile(r"istv", re.I)
    suffixes = (".csv", *XLSX_SUFFIXES)
    person_level = True
    free_text = ("assault_method_other", "assault_location_description")
    codes: ClassVar[dict[str, dict[str, str]]] = {
        "assault_method": METHODS, "assault_location_type": LOCATIONS, "sex": SEXES, "age_band": AGE_BANDS}

    def canonical_column(self, header: str) -> str | None:
        return super().canonical_column(self._canonical_header([header])[0])

    def _canonical_header(self, header: list[str]) -> list[str]:
        own = {_key(c.header): c.header for c in self.columns}
        return [own.get(_key(h)) or ALIASES.get(_key(h)) or h for h in header]

    def score(self, header: list[str], file: SourceFile) -> int:
        return super().score(self._canonical_header(header), file)

    def map_columns(self, header: list[str], file: SourceFile) -> dict[str, str]:
        canon = self._canonical_header(header)
        mapping = super().map_columns(canon, file)
        back = dict(zip(canon, header, strict=True))
        return {name: back[h] for name, h in mapping.items()}

    def context(self, file: SourceFile, options: dict[str, Any]) -> dict[str, Any]:
        return {"max_days": MAX_DAYS_ASSAULT_TO_ARRIVAL} | dict(options)

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        c = Checks(table)
        n = table.num_rows
        opt = c.optional

        for name, label in [("period_start", "Reporting period start"), ("period_end", "Reporting period end"),
                            ("site_code", "ED site code"), ("arrival", "Arrival date time"),
                            ("assault_method", "Assault method"), ("assault_location_type", "Assault location type")]:
            c.required(name, label)
        site = pc.utf8_trim_whitespace(c.column("site_code"))
        start, bad = parse_date(c.column("period_start"))
        c.flag(bad, "Reporting period start", DATE_HELP, c.column("period_start"))
        end, bad = parse_date(c.column("period_end"))
        c.flag(bad, "Reporting period end", DATE_HELP, c.column("period_end"))
        c.flag(pc.less(end, start), "Reporting period end", "is before the Reporting period start",
               c.column("period_end"))

        arrival, bad = parse_local_datetime(c.column("arrival"))
        c.flag(bad, "Arrival date time", DATETIME_HELP, c.column("arrival"))
        day = pc.cast(arrival, pa.date32())
        c.flag(pc.or_(pc.less(day, start), pc.greater(day, end)), "Arrival date time",
               "is outside the reporting period (Reporting period start to end): check the date or the period",
               c.column("arrival"))
        assault, bad = parse_local_datetime(c.column("assault"))
        c.flag(bad, "Assault date time", DATETIME_HELP, c.column("assault"))
        c.flag(pc.greater(assault, arrival), "Assault date time",
               "is after the Arrival date time: the assault must come first (are day and month swapped?)",
               c.column("assault"))
        max_days = int(ctx["max_days"])
        gap = pc.subtract(arrival, assault)
        c.flag(pc.greater(gap, pa.scalar(dt.timedelta(days=max_days), pa.duration("s"))), "Assault date time",
               f"is more than {max_days} days before the Arrival date time: check the date (day and month swapped?); "
               "ISTV records recent assaults", c.column("assault"))

        method, bad = map_codes(c.column("assault_method"), METHODS)
        c.flag(bad, "Assault method", f"is not a known assault method (codes: {_allowed(METHODS)}; accepted "
               "spellings in docs/sources/ed-istv.md)", c.column("assault_method"))
        location, bad = map_codes(c.column("assault_location_type"), LOCATIONS)
        c.flag(bad, "Assault location type", f"is not a known location type (codes: {_allowed(LOCATIONS)})",
               c.column("assault_location_type"))
        age, bad = map_codes(opt("age_band"), AGE_BANDS)
        c.flag(bad, "Age band", f"is not an age band ({', '.join(ED_AGE_BANDS)})", opt("age_band"))
        sex, bad = map_codes(opt("sex"), SEXES)
        c.flag(bad, "Sex", f"is not a known sex code ({_allowed(SEXES)}, or NHS codes 0/1/2/9)", opt("sex"))
        lsoa = pc.utf8_upper(pc.utf8_trim_whitespace(opt("home_lsoa")))
        c.flag(pc.invert(pc.match_substring_regex(lsoa, r"^[EW]01\d{6}$")), "Home LSOA",
               "is not an LSOA code (E01 or W01 and six digits)", opt("home_lsoa"))
        district = pc.utf8_upper(pc.utf8_trim_whitespace(opt("home_postcode_district")))
        c.flag(pc.invert(pc.match_substring_regex(district, r"^[A-Z]{1,2}\d[A-Z\d]?$")), "Home postcode district",
               "is not a postcode district (e.g. ME14): send only the district, never a full postcode",
               opt("home_postcode_district"))

        problems = c.problems()
        out = pa.table(
            {
                "site_code": site,
                "period_start": start,
                "period_end": end,
                "arrival_datetime": arrival,
                "assault_datetime": assault,
                "month": pc.cast(pc.floor_temporal(arrival, unit="month"), pa.date32()),
                "assault_method": method,
                "assault_method_other": opt("assault_method_other"),
                "assault_location_type": location,
                "assault_location_description": opt("assault_location_description"),
                "age_band": age,
                "sex": sex,
                "home_lsoa": lsoa,
                "home_postcode_district": district,
                "dataset_id": pa.array([ctx["dataset_id"]] * n, pa.string()),
                "source_row": pa.array(lines, pa.int64()),
            }
        ).filter(pc.is_null(problems))
        return Checked(out.cast(self.schema), problems)

    def coverage(self, accepted: pa.Table) -> pa.Table:
        t = pa.table({"force": accepted.column("site_code"), "month": accepted.column("month")})
        return t.group_by(["force", "month"]).aggregate([([], "count_all")]).rename_columns(["force", "month", "rows"])


SOURCES = (Istv(),)
