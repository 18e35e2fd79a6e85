"""Force crime records: a police force's own crime extract, one row per crime (or per crime × victim).

Every real Serious Violence Duty needs assessment is built on the force's record-level crime data, shared under the
Duty (Home Office, *Serious Violence Duty: statutory guidance*, 2022, ch. 3): police.uk has only broad categories,
months and snapped map points. The canonical columns (any case; aliases in ``ALIASES``; field meanings in
docs/sources/force-crime.md)::

  Crime reference, Force, Offence code, Committed from, [Committed to], Recorded date,
  [Easting], [Northing], [Longitude], [Latitude], [LSOA code], [Ward code], [Beat],
  [Victim ID], [Victim age], [Victim sex], [Victim ethnicity],
  [Suspect ID], [Suspect age], [Suspect sex], [Suspect ethnicity],
  [Domestic abuse], [Knife or sharp instrument], [Firearm], [Alcohol], [Drugs], [Night-time economy],
  [Child criminal exploitation], [Gang related], [Hate crime], [Outcome], [Outcome date]

The offence code is the Home Office Counting Rules classification (``vrhub.domain.offence_codes``: ``8N``,
``4/1``, ``34B``; zero padding and ``HO`` prefixes are read). Record systems name columns and spell codes their own
way: the layouts of two common ones ship as mappings (``vrhub/data/mappings/force-crime-niche.yaml``,
``force-crime-athena.yaml``) and ``--mapping`` reads any other (:mod:`vrhub.ingest.mapped`).

Victim and suspect ids (``pseudonym_columns``) must already be keyed hashes made with ``vrhub pseudonymise``: a file
with any other value in them, or with identifiers in clear anywhere (names, dates of birth, NHS numbers, full
postcodes), is refused whole before anything is stored (:mod:`vrhub.ingest.identifier_guard`). A row is quarantined,
with the field and value named, when: a required value is missing; the offence code is not a Home Office code in
vrhub's list; a date or time cannot be read; the crime was committed after it was recorded, or "Committed to" is
before "Committed from"; the recorded date is in the future; an age is not a whole number 0–120, or a victim age
does not fit an offence code that states one (``CODE_VICTIM_AGES``: 19E, a child under 13); a sex, ethnicity,
flag or outcome value is not in its code list; the outcome date is before the recorded date; coordinates are outside
Great Britain (or the United Kingdom, for longitude/latitude); or an LSOA code is malformed. A row with neither
coordinates nor LSOA is accepted and counted as "no location". Easting/northing (British National Grid, EPSG:27700)
are converted to longitude/latitude with pyproj when only they are given.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.offence_codes import normalise_offence_code, offence_codes
from vrhub.domain.schemas import CRIME_OUTCOMES, ETHNICITY_CODES, FORCE_CRIME, FORCE_CRIME_FLAGS
from vrhub.ingest.istv import DATE_FORMATS, DATETIME_FORMATS, SEXES, _allowed, _codes, map_codes, parse_local_datetime
from vrhub.ingest.partner import PartnerSource
from vrhub.ingest.police_uk.location import check_coordinates, check_lsoa, today
from vrhub.ingest.police_uk.street_grid import check_grid
from vrhub.ingest.source import Checked, Column, code_key
from vrhub.ingest.validate import Checks, by_distinct_value, parse_bool
from vrhub.ingest.youth_justice import whole_numbers

MAX_AGE = 120
#: The lowest easting and northing read (metres; the grid's extent is ``street_grid.GRID_MAX``): the British National
#: Grid's false origin lies in the sea south-west of the Isles of Scilly, so a value under 1,000 is not a place in Great
#: Britain (it is usually a longitude or latitude in the wrong columns)
GRID_LOWEST = 1_000.0
WHEN_FORMATS = DATETIME_FORMATS + DATE_FORMATS
WHEN_HELP = "is not a date (and time) in a supported form (dd/mm/yyyy hh:mm or yyyy-mm-dd hh:mm; time optional)"
#: victim ages an offence code itself states (the Counting Rules' "aged 16 and over", "child under 13"): (lowest,
#: highest) inclusive, None for no bound. A victim age outside them means the age or the code is wrong.
CODE_VICTIM_AGES: dict[str, tuple[int | None, int | None]] = {
    "19C": (16, None), "19D": (None, 15), "19E": (None, 12), "19F": (16, None), "19G": (None, 15), "19H": (None, 12),
    "17A": (13, None), "17B": (None, 12), "20A": (13, None), "20B": (None, 12), "21": (None, 12), "22B": (None, 15),
}
ETHNICITIES = _codes({code: (label, label.split(": ", 1)[-1]) for code, label in ETHNICITY_CODES.items()}
                     | {"NS": ("not stated", "not known", "unknown", "refused", "declined", "nk", "n/k", "99")})
OUTCOMES = _codes({str(k): (f"outcome {k}", f"oc{k}", f"o{k}", f"type {k}", f"{k:02d}") for k in CRIME_OUTCOMES})
# Flag columns: canonical field, its header in the canonical layout
FLAG_COLUMNS = {
    "domestic_abuse_flag": "Domestic abuse", "knife_flag": "Knife or sharp instrument", "firearm_flag": "Firearm",
    "alcohol_flag": "Alcohol", "drug_flag": "Drugs", "nte_flag": "Night-time economy",
    "cce_flag": "Child criminal exploitation", "gang_flag": "Gang related", "hate_flag": "Hate crime",
}
assert tuple(FLAG_COLUMNS) == FORCE_CRIME_FLAGS
ALIASES = {
    "crime ref": "Crime reference", "crime number": "Crime reference", "crime no": "Crime reference",
    "crime reference number": "Crime reference", "urn": "Crime reference", "occurrence number": "Crime reference",
    "police force": "Force", "force name": "Force",
    "ho offence code": "Offence code", "home office offence code": "Offence code", "ho code": "Offence code",
    "hoc": "Offence code", "home office code": "Offence code", "offence classification": "Offence code",
    "date committed from": "Committed from", "committed from date": "Committed from", "from date": "Committed from",
    "first committed": "Committed from", "date committed to": "Committed to", "committed to date": "Committed to",
    "to date": "Committed to", "last committed": "Committed to", "date recorded": "Recorded date",
    "recorded": "Recorded date", "recorded date time": "Recorded date", "lsoa": "LSOA code",
    "lsoa code 2021": "LSOA code", "lsoa21cd": "LSOA code", "lsoa11cd": "LSOA code", "ward": "Ward code",
    "x": "Easting", "y": "Northing", "victim pseudonym": "Victim ID", "victim gender": "Victim sex",
    "suspect pseudonym": "Suspect ID", "suspect gender": "Suspect sex", "offender age": "Suspect age",
    "offender sex": "Suspect sex", "offender ethnicity": "Suspect ethnicity", "offender id": "Suspect ID",
    "da flag": "Domestic abuse", "domestic abuse flag": "Domestic abuse", "domestic": "Domestic abuse",
    "knife flag": "Knife or sharp instrument", "knife crime": "Knife or sharp instrument",
    "knife or sharp instrument flag": "Knife or sharp instrument", "firearm flag": "Firearm",
    "alcohol flag": "Alcohol", "drugs flag": "Drugs", "drug flag": "Drugs", "nte flag": "Night-time economy",
    "nte": "Night-time economy", "cce flag": "Child criminal exploitation",
    "county lines": "Child criminal exploitation",
    "gang flag": "Gang related", "hate flag": "Hate crime", "hate": "Hate crime", "outcome type": "Outcome",
}


def _offence_codes(values: pa.Array) -> pa.Array:
    return by_distinct_value(values, lambda d: pa.array(
        [normalise_offence_code(v) if v is not None else None for v in d.to_pylist()], pa.string()))


def _lookup(codes: pa.Array, attr: str) -> pa.Array:
    known = offence_codes()
    keys = pa.array(list(known))
    values = pa.array([getattr(c, attr) for c in known.values()], pa.string())
    return pc.take(values, pc.index_in(codes, value_set=keys))


class ForceCrime(PartnerSource):
    """A force crime extract: one row per crime, or per crime × victim."""

    kind = "force_crime"
    label = "force crime records"
    schema = FORCE_CRIME
    aliases = ALIASES
    force_column = "force"
    person_column = None
    pseudonym_columns = ("victim_id", "suspect_id")
    columns = (
        Column("Crime reference", "crime_ref"),
        Column("Force", "force"),
        Column("Offence code", "ho_offence_code"),
        Column("Committed from", "committed_from"),
        Column("Committed to", "committed_to", required=False),
        Column("Recorded date", "recorded"),
        Column("Easting", "easting", required=False),
        Column("Northing", "northing", required=False),
        Column("Longitude", "longitude", required=False),
        Column("Latitude", "latitude", required=False),
        Column("LSOA code", "lsoa_code", required=False),
        Column("Ward code", "ward_code", required=False),
        Column("Beat", "beat", required=False),
        Column("Victim ID", "victim_id", required=False),
        Column("Victim age", "victim_age", required=False),
        Column("Victim sex", "victim_sex", required=False),
        Column("Victim ethnicity", "victim_ethnicity", required=False),
        Column("Suspect ID", "suspect_id", required=False),
        Column("Suspect age", "suspect_age", required=False),
        Column("Suspect sex", "suspect_sex", required=False),
        Column("Suspect ethnicity", "suspect_ethnicity", required=False),
        *(Column(header, name, required=False) for name, header in FLAG_COLUMNS.items()),
        Column("Outcome", "outcome", required=False),
        Column("Outcome date", "outcome_date", required=False),
    )
    signature = ("Crime reference", "Offence code", "Recorded date")
    name_pattern = re.compile(r"force[-_ ]?crime|crime[-_ ]?extract", re.I)
    codes: ClassVar[dict[str, dict[str, str]]] = {
        "victim_sex": SEXES, "suspect_sex": SEXES, "victim_ethnicity": ETHNICITIES,
        "suspect_ethnicity": ETHNICITIES, "outcome": OUTCOMES,
        "ho_offence_code": {code_key(c): c for c in offence_codes()},
    }

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        table = self.with_optional(table)
        c = Checks(table)
        for name, label in (("crime_ref", "Crime reference"), ("force", "Force"), ("ho_offence_code", "Offence code"),
                            ("committed_from", "Committed from"), ("recorded", "Recorded date")):
            c.required(name, label)
        code = _offence_codes(c.column("ho_offence_code"))
        c.flag(pc.and_(pc.is_valid(c.column("ho_offence_code")), pc.is_null(code)), "Offence code",
               "is not a Home Office offence code in vrhub's list (Counting Rules classifications such as 8N, 4/1, "
               "34B; the list is vrhub/domain/offence_codes.csv): check the code, or add it to the list",
               c.column("ho_offence_code"))

        start, bad = parse_local_datetime(c.column("committed_from"), WHEN_FORMATS)
        c.flag(bad, "Committed from", WHEN_HELP, c.column("committed_from"))
        end, bad = parse_local_datetime(c.column("committed_to"), WHEN_FORMATS)
        c.flag(bad, "Committed to", WHEN_HELP, c.column("committed_to"))
        recorded, bad = parse_local_datetime(c.column("recorded"), WHEN_FORMATS)
        c.flag(bad, "Recorded date", WHEN_HELP, c.column("recorded"))
        c.flag(pc.less(end, start), "Committed to", "is before Committed from: the window must run forwards "
               "(are day and month swapped?)", c.column("committed_to"))
        # a crime recorded on a date (no time) may have been committed later that day
        recorded_end = pc.if_else(pc.equal(pc.strftime(recorded, format="%H:%M:%S"), "00:00:00"),
                                  pc.add(recorded, pa.scalar(dt.timedelta(seconds=86_399), pa.duration("s"))),
                                  recorded)
        c.flag(pc.greater(start, recorded_end), "Committed from", "is after the Recorded date: a crime cannot be "
               "committed after it was recorded (check both dates; day and month swapped?)", c.column("committed_from"))
        last = pa.scalar(dt.datetime.combine(today(ctx), dt.time(23, 59, 59)), pa.timestamp("s"))
        c.flag(pc.greater(recorded, last), "Recorded date", "is in the future", c.column("recorded"))

        ages = {}
        for who in ("victim", "suspect"):
            raw = c.column(f"{who}_age")
            age, bad = whole_numbers(raw)
            c.flag(bad, f"{who.title()} age", "is not a whole number of years", raw)
            c.flag(pc.or_(pc.less(age, 0), pc.greater(age, MAX_AGE)), f"{who.title()} age",
                   f"is not a possible age (0–{MAX_AGE} years): check the value (a year of birth?)", raw)
            ages[who] = age
        present = set(pc.unique(code).to_pylist()) & set(CODE_VICTIM_AGES)
        for k in sorted(present):
            lo, hi = CODE_VICTIM_AGES[k]
            outside = pc.or_(pc.less(ages["victim"], lo if lo is not None else -1),
                             pc.greater(ages["victim"], hi if hi is not None else MAX_AGE))
            c.flag(pc.and_(pc.equal(code, k), outside), "Victim age", f"does not fit offence code {k} "
                   f"({offence_codes()[k].description}): check the age or the code", c.column("victim_age"))
        sexes, ethnicities, ids = {}, {}, {}
        for who in ("victim", "suspect"):
            sexes[who], bad = map_codes(c.column(f"{who}_sex"), SEXES)
            c.flag(bad, f"{who.title()} sex", f"is not a known sex code ({_allowed(SEXES)})", c.column(f"{who}_sex"))
            raw = c.column(f"{who}_ethnicity")
            ethnicities[who], bad = map_codes(raw, ETHNICITIES)
            c.flag(bad, f"{who.title()} ethnicity", "is not one of the 18+1 self-defined ethnicity codes ("
                   + ", ".join(ETHNICITY_CODES) + ")", raw)
            ids[who] = pc.utf8_lower(pc.utf8_trim_whitespace(c.column(f"{who}_id")))
        flags = {}
        for name, header in FLAG_COLUMNS.items():
            flags[name], bad = parse_bool(c.column(name))
            c.flag(bad, header, "is not yes/no (or Y/N, true/false, 1/0)", c.column(name))
        outcome, bad = map_codes(c.column("outcome"), OUTCOMES)
        c.flag(bad, "Outcome", "is not a Home Office outcome type (1–22; docs/sources/force-crime.md)",
               c.column("outcome"))
        outcome_day, bad = parse_local_datetime(c.column("outcome_date"), WHEN_FORMATS)
        c.flag(bad, "Outcome date", WHEN_HELP, c.column("outcome_date"))
        outcome_date = pc.cast(outcome_day, pa.date32())
        c.flag(pc.less(outcome_date, pc.cast(recorded, pa.date32())), "Outcome date", "is before the Recorded date",
               c.column("outcome_date"))

        lon, lat, has_xy, easting, northing = self._location(c)
        lsoa = pc.utf8_upper(pc.utf8_trim_whitespace(c.column("lsoa_code")))
        c.table = c.table.set_column(c.table.column_names.index("lsoa_code"), "lsoa_code", lsoa)
        vintage = check_lsoa(c, pc.strftime(recorded, format="%Y-%m"), label="LSOA code")

        seconds = pc.cast(pc.subtract(pc.coalesce(end, start), start), pa.int64())
        window = pc.divide(pc.cast(seconds, pa.float64()), 3600.0)
        mid = pc.add(start, pc.cast(pc.divide(seconds, 2), pa.duration("s")))
        problems = c.problems()
        ok = pc.is_null(problems)
        notes = {"window_over_24h": pc.sum(pc.and_(ok, pc.fill_null(pc.greater(window, 24.0), False))).as_py() or 0}
        out = self.accept({
            "crime_ref": pc.utf8_trim_whitespace(c.column("crime_ref")),
            "force": pc.utf8_trim_whitespace(c.column("force")),
            "ho_offence_code": code,
            "offence_description": _lookup(code, "description"),
            "offence_group": _lookup(code, "offence_group"),
            "offence_subgroup": _lookup(code, "offence_subgroup"),
            "committed_from": start, "committed_to": end, "committed_mid": mid, "window_hours": window,
            "recorded": recorded,
            "month": pc.cast(pc.floor_temporal(recorded, unit="month"), pa.date32()),
            "easting": easting, "northing": northing, "longitude": lon, "latitude": lat,
            "lsoa_code": lsoa, "has_location": pc.or_(has_xy, pc.is_valid(lsoa)), "lsoa_vintage": vintage,
            "ward_code": pc.utf8_upper(pc.utf8_trim_whitespace(c.column("ward_code"))),
            "beat": pc.utf8_trim_whitespace(c.column("beat")),
            **{f"{w}_{k}": v for w in ("victim", "suspect")
               for k, v in (("id", ids[w]), ("age", ages[w]), ("sex", sexes[w]), ("ethnicity", ethnicities[w]))},
            **flags,
            "outcome": pc.cast(outcome, pa.int16()),
            "outcome_date": outcome_date,
        }, problems, lines, ctx)
        return Checked(out.accepted, out.problems, {k: v for k, v in notes.items() if v})

    @staticmethod
    def _location(c: Checks) -> tuple[pa.Array, pa.Array, pa.Array, pa.Array, pa.Array]:
        """Longitude/latitude (given, or converted from easting/northing), whether a row has coordinates, and the
        easting/northing that are inside the National Grid."""
        grid = check_grid(c, lowest=GRID_LOWEST, outside="is outside Great Britain's National Grid (1000–700000, "
                          "1000–1300000 m): are they longitude/latitude, or in another projection?")
        grid_ok = grid["has_location"]
        loc = check_coordinates(c)
        use = pc.and_(grid_ok, pc.invert(loc["has_location"]))  # converted only where no longitude/latitude given
        lon = pc.if_else(use, grid["longitude"], loc["longitude"])
        lat = pc.if_else(use, grid["latitude"], loc["latitude"])
        return lon, lat, pc.or_(loc["has_location"], grid_ok), grid["easting"], grid["northing"]


SOURCES = (ForceCrime(),)
LAYOUTS = ("niche", "athena")


def layout_mapping(name_or_path: str | Path) -> Path:
    """The mapping file of a shipped layout (``niche``, ``athena``), or ``name_or_path`` itself as a path."""
    key = str(name_or_path).strip().lower()
    if key in LAYOUTS:
        return Path(__file__).resolve().parent.parent / "data" / "mappings" / f"force-crime-{key}.yaml"
    return Path(name_or_path)
