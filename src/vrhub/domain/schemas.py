"""Canonical record schemas (Apache Arrow) of the datasets vrhub stores.

Every accepted row carries ``dataset_id`` (the dataset version it came from) and ``source_row`` (the line of
the source file where it starts; the header is line 1), so any figure can be traced to the partner's file.
Field meanings are documented in docs/sources/*.md. A schema change bumps the kind's ``schema_version``.
"""

from __future__ import annotations

import pyarrow as pa

PROVENANCE_FIELDS = [
    pa.field("dataset_id", pa.string(), nullable=False),
    pa.field("source_row", pa.int64(), nullable=False),
]

_LOCATION = [
    pa.field("longitude", pa.float64()),
    pa.field("latitude", pa.float64()),
    pa.field("location", pa.string()),
    pa.field("lsoa_code", pa.string()),
    pa.field("lsoa_name", pa.string()),
    pa.field("has_location", pa.bool_(), nullable=False),
    pa.field("lsoa_vintage", pa.int16()),
]

POLICE_UK_STREET = pa.schema(
    [
        pa.field("crime_id", pa.string()),
        pa.field("month", pa.date32(), nullable=False),
        pa.field("reported_by", pa.string()),
        pa.field("falls_within", pa.string()),
        *_LOCATION,
        pa.field("crime_type", pa.string(), nullable=False),
        pa.field("last_outcome_category", pa.string()),
        pa.field("context", pa.string()),
        *PROVENANCE_FIELDS,
    ],
    metadata={"kind": "police_uk_street", "schema_version": "1"},
)

POLICE_UK_OUTCOMES = pa.schema(
    [
        pa.field("crime_id", pa.string(), nullable=False),
        pa.field("month", pa.date32(), nullable=False),
        pa.field("reported_by", pa.string()),
        pa.field("falls_within", pa.string()),
        *_LOCATION,
        pa.field("outcome_type", pa.string(), nullable=False),
        *PROVENANCE_FIELDS,
    ],
    metadata={"kind": "police_uk_outcomes", "schema_version": "1"},
)

POLICE_UK_STOP_SEARCH = pa.schema(
    [
        pa.field("force", pa.string(), nullable=False),
        pa.field("search_type", pa.string(), nullable=False),
        pa.field("occurred_at", pa.timestamp("s", tz="UTC"), nullable=False),
        pa.field("month", pa.date32(), nullable=False),
        pa.field("part_of_policing_operation", pa.bool_()),
        pa.field("policing_operation", pa.string()),
        pa.field("latitude", pa.float64()),
        pa.field("longitude", pa.float64()),
        pa.field("has_location", pa.bool_(), nullable=False),
        pa.field("gender", pa.string()),
        pa.field("age_range", pa.string()),
        pa.field("self_defined_ethnicity", pa.string()),
        pa.field("officer_defined_ethnicity", pa.string()),
        pa.field("legislation", pa.string()),
        pa.field("object_of_search", pa.string()),
        pa.field("outcome", pa.string()),
        pa.field("outcome_linked_to_object", pa.bool_()),
        pa.field("removal_of_more_than_outer_clothing", pa.bool_()),
        *PROVENANCE_FIELDS,
    ],
    metadata={"kind": "police_uk_stop_search", "schema_version": "1"},
)

# police.uk street-level crime categories, current and historical (data.police.uk/docs/api-method/crime-categories).
POLICE_UK_CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
    # withdrawn categories that appear in older archives
    "Violent crime",
    "Public disorder and weapons",
    "Other crime and anti-social behaviour",
)

STOP_SEARCH_TYPES = ("Person search", "Vehicle search", "Person and Vehicle search")

# Emergency-department assault attendances to NHS ISB 1594 "Information Sharing to Tackle Violence" (ISTV).
# Date-times are UK local clock times as the department recorded them (no offset: ED systems record wall-clock
# time); ``month`` is the month of arrival. Code lists: ED_ASSAULT_METHODS, ED_LOCATION_TYPES, ED_AGE_BANDS, ED_SEXES.
ED_ISTV = pa.schema(
    [
        pa.field("site_code", pa.string(), nullable=False),
        pa.field("period_start", pa.date32(), nullable=False),
        pa.field("period_end", pa.date32(), nullable=False),
        pa.field("arrival_datetime", pa.timestamp("s"), nullable=False),
        pa.field("assault_datetime", pa.timestamp("s")),
        pa.field("month", pa.date32(), nullable=False),
        pa.field("assault_method", pa.string(), nullable=False),
        pa.field("assault_method_other", pa.string()),
        pa.field("assault_location_type", pa.string(), nullable=False),
        pa.field("assault_location_description", pa.string()),
        pa.field("age_band", pa.string()),
        pa.field("sex", pa.string()),
        pa.field("home_lsoa", pa.string()),
        pa.field("home_postcode_district", pa.string()),
        *PROVENANCE_FIELDS,
    ],
    metadata={"kind": "ed_istv", "schema_version": "1"},
)

# vrhub's canonical ISTV code lists (docs/sources/ed-istv.md lists the spellings accepted for each).
ED_ASSAULT_METHODS = ("knife_or_sharp_object", "blunt_object", "body_part", "firearm", "other", "unknown")
ED_LOCATION_TYPES = ("street_public_place", "licensed_premises", "home", "school", "public_transport", "other",
                     "unknown")
ED_AGE_BANDS = ("0-9", "10-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
ED_SEXES = ("male", "female", "other", "unknown")

# A place gazetteer the workspace holds (docs/sources/gazetteer.md): named venues, streets, town-centre areas and
# stations, each with the LSOA it lies in (and optionally a point), so that free-text locations (ISTV "assault
# location description") can be geocoded. ``aliases`` are the other names of the place, joined by "|".
GAZETTEER = pa.schema(
    [
        pa.field("name", pa.string(), nullable=False),
        pa.field("aliases", pa.string()),
        pa.field("place_type", pa.string(), nullable=False),
        pa.field("lsoa_code", pa.string(), nullable=False),
        pa.field("longitude", pa.float64()),
        pa.field("latitude", pa.float64()),
        pa.field("district", pa.string()),
        *PROVENANCE_FIELDS,
    ],
    metadata={"kind": "gazetteer", "schema_version": "1"},
)
PLACE_TYPES = ("venue", "street", "town_centre", "station", "bus_station", "park", "other")
