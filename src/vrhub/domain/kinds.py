"""The kinds of dataset vrhub stores, with the facts every layer needs about each.

``force_field`` names the column that says which force (or partner) a row belongs to and
``category_field`` the column whose categories the supply check follows month by month.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from vrhub.domain import schemas


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    schema: pa.Schema | None
    short: str
    force_field: str | None = None
    category_field: str | None = None
    supply_check: bool = True  # False where months with no rows are normal (school holidays)
    force_label: str = "force"  # what the force field is called in messages (ED site code, service, …)
    record_id_field: str | None = None  # a per-record id (Crime ID): exact copies of such rows are defects
    load_command: str = "vrhub ingest police-uk PATH"  # the command that loads this kind (named in messages)

    @property
    def schema_version(self) -> int:
        return int(self.schema.metadata[b"schema_version"]) if self.schema is not None else 1


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("police_uk_street", "police.uk street-level crime", schemas.POLICE_UK_STREET, "street",
             force_field="falls_within", category_field="crime_type", record_id_field="crime_id"),
        Kind("police_uk_outcomes", "police.uk outcomes", schemas.POLICE_UK_OUTCOMES, "outcomes",
             force_field="falls_within", category_field="outcome_type"),
        Kind("police_uk_stop_search", "police.uk stop and search", schemas.POLICE_UK_STOP_SEARCH, "stopsearch",
             force_field="force", category_field="object_of_search"),
        Kind("boundaries", "area boundaries", None, "boundaries", load_command="vrhub geography load PATH"),
        Kind("area_attributes", "area attributes (population, deprivation)", None, "areas",
             load_command="vrhub geography load PATH"),
        Kind("area_lookup", "lookup between area vintages (LSOA 2011 → 2021)", None, "lookup",
             load_command="vrhub geography load PATH"),
        Kind("ed_istv", "ED assault attendances (ISTV, ISB 1594)", schemas.ED_ISTV, "istv",
             force_field="site_code", category_field="assault_method", force_label="ED site code",
             load_command="vrhub ingest istv PATH"),
        Kind("gazetteer", "place gazetteer", schemas.GAZETTEER, "gazetteer",
             load_command="vrhub ingest gazetteer PATH"),
        Kind("force_crime", "force crime records", schemas.FORCE_CRIME, "force",
             force_field="force", category_field="offence_group", force_label="force",
             load_command="vrhub ingest force-crime PATH --partner FORCE"),
        Kind("ambulance", "ambulance call-outs for assault", schemas.AMBULANCE, "ambulance",
             force_field="service", category_field="category", force_label="ambulance service",
             load_command="vrhub ingest ambulance PATH"),
        Kind("youth_justice", "youth justice offences and outcomes", schemas.YOUTH_JUSTICE, "yj",
             force_field="service", category_field="offence_type", force_label="youth justice service",
             load_command="vrhub ingest youth-justice PATH"),
        Kind("education", "education: suspensions, exclusions and attendance", schemas.EDUCATION, "education",
             force_field="return_unit", category_field="record_type", supply_check=False,
             force_label="school return",
             load_command="vrhub ingest education PATH"),
        Kind("engagement_survey", "engagement survey responses (perceived safety)", schemas.ENGAGEMENT_SURVEY,
             "survey", force_field="survey", category_field="safety_rating", supply_check=False,
             force_label="survey", record_id_field="response_id", load_command="vrhub ingest survey PATH"),
    )
}


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown dataset kind {name!r}; known kinds: {', '.join(KINDS)}") from None
