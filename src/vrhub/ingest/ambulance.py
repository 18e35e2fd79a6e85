"""Ambulance service call-outs for assault (a CAD extract: one row per incident).

No national standard exists for sharing ambulance assault data with a community safety partnership; this layout
follows what English ambulance services share under the Serious Violence Duty and in Cardiff Model schemes
(incident time, place, type and the patient's age band and sex), with the Ambulance Response Programme's
response categories (NHS England, *Ambulance Response Programme*, 2017: C1 life-threatening … C4 less urgent).
Columns (any case; spaces, underscores, "/" and "-" equivalent; aliases in ``ALIASES``):

  Ambulance service, [Station], [Incident number], Incident date time, [Incident LSOA], [Longitude], [Latitude],
  Incident category, [Response category], [Age band], [Sex], [Conveyed]

``Incident category`` is what the serious-violence definition classifies (``[sources.ambulance]``): ``assault``,
``stabbing`` or ``gunshot`` (spellings in ``CATEGORIES``; MPDS protocol 4 is an assault, 27 must say which).
A row with neither LSOA nor coordinates is accepted and flagged (no location), as for police.uk. A row is
quarantined, with the field and value named, when: a required value is missing; the date-time cannot be read;
a code is not in its list; the LSOA is not an LSOA code; the coordinates are not numbers, only one is given, or
they are outside the United Kingdom. Field meanings: docs/sources/ambulance.md.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.schemas import AMBULANCE, ED_AGE_BANDS
from vrhub.ingest.istv import AGE_BANDS, DATETIME_HELP, SEXES, _allowed, _codes, map_codes, parse_local_datetime
from vrhub.ingest.partner import PartnerSource
from vrhub.ingest.police_uk.location import check_coordinates, check_lsoa
from vrhub.ingest.source import Checked, Column
from vrhub.ingest.validate import Checks, parse_bool

CATEGORIES = _codes({
    "assault": ("assault/sexual assault", "assault / sexual assault", "assaulted", "assault other", "fight",
                "violence", "protocol 4", "mpds 4", "04"),
    "stabbing": ("stab", "stabbed", "stab wound", "knife", "knife wound", "stab/penetrating trauma",
                 "penetrating trauma (stab)"),
    "gunshot": ("gun shot", "shot", "shooting", "gunshot wound", "gsw", "firearm"),
})
RESPONSE_CATEGORIES = _codes({
    "C1": ("1", "cat 1", "category 1", "cat1", "c1t", "1t"), "C2": ("2", "cat 2", "category 2", "cat2"),
    "C3": ("3", "cat 3", "category 3", "cat3"), "C4": ("4", "cat 4", "category 4", "cat4"),
})
ALIASES = {
    "service": "Ambulance service", "trust": "Ambulance service", "ambulance trust": "Ambulance service",
    "incident datetime": "Incident date time", "incident date and time": "Incident date time",
    "call date time": "Incident date time", "call datetime": "Incident date time",
    "date time of call": "Incident date time", "incident number": "Incident number", "cad number": "Incident number",
    "incident ref": "Incident number", "lsoa": "Incident LSOA", "lsoa code": "Incident LSOA",
    "incident lsoa code": "Incident LSOA", "category": "Incident category", "incident type": "Incident category",
    "chief complaint": "Incident category", "arp category": "Response category", "priority": "Response category",
    "age group": "Age band", "gender": "Sex", "conveyed to hospital": "Conveyed",
}


class Ambulance(PartnerSource):
    """Ambulance call-outs for assault: one row per incident."""

    kind = "ambulance"
    label = "ambulance call-outs for assault"
    schema = AMBULANCE
    aliases = ALIASES
    force_column = "service"
    reference_columns = ("incident_number",)
    columns = (
        Column("Ambulance service", "service"),
        Column("Station", "station", required=False),
        Column("Incident number", "incident_number", required=False),
        Column("Incident date time", "incident"),
        Column("Incident LSOA", "lsoa_code", required=False),
        Column("Longitude", "longitude", required=False),
        Column("Latitude", "latitude", required=False),
        Column("Incident category", "category"),
        Column("Response category", "response_category", required=False),
        Column("Age band", "age_band", required=False),
        Column("Sex", "sex", required=False),
        Column("Conveyed", "conveyed", required=False),
    )
    signature = ("Ambulance service", "Incident date time", "Incident category")
    name_pattern = re.compile(r"ambulance", re.I)

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        table = self.with_optional(table)
        c = Checks(table)
        c.required("service", "Ambulance service")
        c.required("incident", "Incident date time")
        c.required("category", "Incident category")
        when, bad = parse_local_datetime(c.column("incident"))
        c.flag(bad, "Incident date time", DATETIME_HELP, c.column("incident"))
        month = pc.cast(pc.floor_temporal(when, unit="month"), pa.date32())
        loc = check_coordinates(c, lon_label="Longitude", lat_label="Latitude")
        lsoa_upper = pc.utf8_upper(pc.utf8_trim_whitespace(c.column("lsoa_code")))
        c = _with(c, "lsoa_code", lsoa_upper)
        vintage = check_lsoa(c, pc.strftime(when, format="%Y-%m"), label="Incident LSOA")
        category, bad = map_codes(c.column("category"), CATEGORIES)
        c.flag(bad, "Incident category", f"is not a known incident category ({_allowed(CATEGORIES)}; a combined "
               "'stab/gunshot' must say which)", c.column("category"))
        response, bad = map_codes(c.column("response_category"), RESPONSE_CATEGORIES)
        c.flag(bad, "Response category", "is not an Ambulance Response Programme category (C1, C2, C3, C4)",
               c.column("response_category"))
        age, bad = map_codes(c.column("age_band"), AGE_BANDS)
        c.flag(bad, "Age band", f"is not an age band ({', '.join(ED_AGE_BANDS)})", c.column("age_band"))
        sex, bad = map_codes(c.column("sex"), SEXES)
        c.flag(bad, "Sex", f"is not a known sex code ({_allowed(SEXES)}, or NHS codes 0/1/2/9)", c.column("sex"))
        conveyed, bad = parse_bool(c.column("conveyed"))
        c.flag(bad, "Conveyed", "is not yes/no (or true/false, 1/0)", c.column("conveyed"))
        problems = c.problems()
        has_location = pc.or_(loc["has_location"], pc.is_valid(lsoa_upper))
        return self.accept({
            "service": pc.utf8_trim_whitespace(c.column("service")),
            "station": c.column("station"),
            "incident_number": c.column("incident_number"),
            "incident_datetime": when,
            "month": month,
            "longitude": loc["longitude"],
            "latitude": loc["latitude"],
            "lsoa_code": lsoa_upper,
            "has_location": has_location,
            "lsoa_vintage": vintage,
            "category": category,
            "response_category": response,
            "age_band": age,
            "sex": sex,
            "conveyed": conveyed,
        }, problems, lines, ctx)


def _with(c: Checks, name: str, values: pa.Array) -> Checks:
    """The same checks over a table whose column ``name`` is replaced (problems found so far are kept)."""
    i = c.table.column_names.index(name)
    c.table = c.table.set_column(i, name, values)
    return c


SOURCES = (Ambulance(),)
