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

# Engagement survey responses (docs/sources/engagement-survey.md): one row per response to a community or youth
# perceived-safety survey. ``survey`` names the survey (its unit of coverage); ``month`` the wave's month;
# ``respondent_id`` an optional keyed-hash pseudonym (64 hex digits) linking one person's responses across waves;
# ``place``/``place_code`` the place the rating is about (a name, or an ONS area code when one is given) and
# ``safety_rating`` its Likert code (SURVEY_SAFETY_RATINGS); ``unsafe_place``/``unsafe_place_code`` a place the
# respondent names as unsafe; ``comment`` free text (identifiers redacted on load; never released, only its
# themes are counted: vrhub.analysis.engagement).
ENGAGEMENT_SURVEY = pa.schema(
    [
        pa.field("survey", pa.string(), nullable=False),
        pa.field("response_id", pa.string(), nullable=False),
        pa.field("respondent_id", pa.string()),
        pa.field("wave", pa.string()),
        pa.field("month", pa.date32(), nullable=False),
        pa.field("age_band", pa.string()),
        pa.field("residence_code", pa.string()),
        pa.field("place", pa.string()),
        pa.field("place_code", pa.string()),
        pa.field("safety_rating", pa.string()),
        pa.field("unsafe_place", pa.string()),
        pa.field("unsafe_place_code", pa.string()),
        pa.field("comment", pa.string()),
        *PROVENANCE_FIELDS,
    ],
    metadata={"kind": "engagement_survey", "schema_version": "1"},
)
SURVEY_AGE_BANDS = ("11-15", "16-17", "18-24", "25+")
#: the five-point perceived-safety scale (as the Crime Survey for England and Wales asks "How safe do you feel …"),
#: and "dont_know"; the first two are "safe", the last two of the five "unsafe"
SURVEY_SAFETY_RATINGS = ("very_safe", "fairly_safe", "neither", "fairly_unsafe", "very_unsafe", "dont_know")
SURVEY_UNSAFE_RATINGS = ("fairly_unsafe", "very_unsafe")

# Ambulance service call-outs for assault. ``incident_datetime`` is the UK local clock time of the call as the
# service's CAD system records it; ``month`` its month. ``category`` is the incident type the definition classifies
# (AMBULANCE_CATEGORIES); ``response_category`` the Ambulance Response Programme category (NHS England, 2017).
AMBULANCE = pa.schema(
    [
        pa.field("service", pa.string(), nullable=False),
        pa.field("station", pa.string()),
        pa.field("incident_number", pa.string()),
        pa.field("incident_datetime", pa.timestamp("s"), nullable=False),
        pa.field("month", pa.date32(), nullable=False),
        pa.field("longitude", pa.float64()),
        pa.field("latitude", pa.float64()),
        pa.field("lsoa_code", pa.string()),
        pa.field("has_location", pa.bool_(), nullable=False),
        pa.field("lsoa_vintage", pa.int16()),
        pa.field("category", pa.string(), nullable=False),
        pa.field("response_category", pa.string()),
        pa.field("age_band", pa.string()),
        pa.field("sex", pa.string()),
        pa.field("conveyed", pa.bool_()),
        *PROVENANCE_FIELDS,
    ],
    metadata={"kind": "ambulance", "schema_version": "1"},
)
AMBULANCE_CATEGORIES = ("assault", "stabbing", "gunshot")
AMBULANCE_RESPONSE_CATEGORIES = ("C1", "C2", "C3", "C4")

# Person-level feeds: ``person_id`` is a keyed HMAC-SHA256 pseudonym (64 hex digits, vrhub pseudonymise), never an
# identifier in clear; ``person_id_basis`` the identifier it was made from (nhs_number, name_dob, upn, pnc_id).
_PERSON = [
    pa.field("person_id", pa.string(), nullable=False),
    pa.field("person_id_basis", pa.string()),
]

# Youth justice service records: one row per proven offence with its outcome. ``age`` is the child's age in whole
# years at the offence (given, or the age certainly reached by then from ``birth_month``); ``month`` the offence
# month. ``offence_type`` uses the Youth Justice Board's offence groups (YOUTH_JUSTICE_OFFENCE_TYPES); ``outcome``
# vrhub's outcome codes (YOUTH_JUSTICE_OUTCOMES) and ``outcome_tier`` their tier.
YOUTH_JUSTICE = pa.schema(
    [
        *_PERSON,
        pa.field("service", pa.string(), nullable=False),
        pa.field("age", pa.int16(), nullable=False),
        pa.field("birth_month", pa.date32()),
        pa.field("sex", pa.string()),
        pa.field("offence_date", pa.date32(), nullable=False),
        pa.field("month", pa.date32(), nullable=False),
        pa.field("offence_type", pa.string(), nullable=False),
        pa.field("gravity_score", pa.int16()),
        pa.field("outcome", pa.string()),
        pa.field("outcome_tier", pa.string()),
        pa.field("outcome_date", pa.date32()),
        *PROVENANCE_FIELDS,
    ],
    metadata={"kind": "youth_justice", "schema_version": "1"},
)
YOUTH_JUSTICE_OFFENCE_TYPES = (
    "Violence against the person", "Robbery", "Sexual offences", "Possession of weapons", "Drugs offences",
    "Theft and handling stolen goods", "Burglary", "Vehicle theft / unauthorised taking", "Criminal damage", "Arson",
    "Public order", "Racially aggravated", "Fraud and forgery", "Motoring offences", "Breach of statutory order",
    "Breach of bail", "Other",
)
# outcome code → tier (Youth Justice Board, Youth Justice Statistics: out-of-court, first-tier, community, custody)
YOUTH_JUSTICE_OUTCOMES = {
    "community_resolution": "out_of_court", "youth_caution": "out_of_court",
    "youth_conditional_caution": "out_of_court", "deferred_prosecution": "out_of_court",
    "absolute_discharge": "first_tier", "conditional_discharge": "first_tier", "fine": "first_tier",
    "referral_order": "first_tier", "reparation_order": "first_tier",
    "youth_rehabilitation_order": "community",
    "detention_and_training_order": "custody", "section_250_detention": "custody", "other_custody": "custody",
    "other": "other",
}

# Force crime records (a force's own crime extract, shared under the Serious Violence Duty): one row per crime, or per
# crime x victim (``crime_ref`` then repeats). ``ho_offence_code`` is the Home Office Counting Rules classification in
# normalised form (``4.1``; vrhub.domain.offence_codes), with its description and ONS offence group. Times are UK local
# clock times: ``committed_from``/``committed_to`` the window in which the crime happened, ``committed_mid`` its
# midpoint (the time the "when" analyses use) and ``window_hours`` its length; ``month`` is the recorded month (as the
# Home Office counts crimes). ``victim_id``/``suspect_id`` are keyed HMAC-SHA256 pseudonyms (64 hex digits) made at
# source, never identifiers in clear. Ethnicity uses the 18+1 self-defined codes (ETHNICITY_CODES). Flags are TRUE,
# FALSE or NULL (not recorded). ``outcome`` is the Home Office outcome type (1-22, docs/sources/force-crime.md).
FORCE_CRIME = pa.schema(
    [
        pa.field("crime_ref", pa.string(), nullable=False),
        pa.field("force", pa.string(), nullable=False),
        pa.field("ho_offence_code", pa.string(), nullable=False),
        pa.field("offence_description", pa.string(), nullable=False),
        pa.field("offence_group", pa.string(), nullable=False),
        pa.field("offence_subgroup", pa.string(), nullable=False),
        pa.field("committed_from", pa.timestamp("s"), nullable=False),
        pa.field("committed_to", pa.timestamp("s")),
        pa.field("committed_mid", pa.timestamp("s"), nullable=False),
        pa.field("window_hours", pa.float64(), nullable=False),
        pa.field("recorded", pa.timestamp("s"), nullable=False),
        pa.field("month", pa.date32(), nullable=False),
        pa.field("easting", pa.float64()),
        pa.field("northing", pa.float64()),
        pa.field("longitude", pa.float64()),
        pa.field("latitude", pa.float64()),
        pa.field("lsoa_code", pa.string()),
        pa.field("has_location", pa.bool_(), nullable=False),
        pa.field("lsoa_vintage", pa.int16()),
        pa.field("ward_code", pa.string()),
        pa.field("beat", pa.string()),
        pa.field("victim_id", pa.string()),
        pa.field("victim_age", pa.int16()),
        pa.field("victim_sex", pa.string()),
        pa.field("victim_ethnicity", pa.string()),
        pa.field("suspect_id", pa.string()),
        pa.field("suspect_age", pa.int16()),
        pa.field("suspect_sex", pa.string()),
        pa.field("suspect_ethnicity", pa.string()),
        pa.field("domestic_abuse_flag", pa.bool_()),
        pa.field("knife_flag", pa.bool_()),
        pa.field("firearm_flag", pa.bool_()),
        pa.field("alcohol_flag", pa.bool_()),
        pa.field("drug_flag", pa.bool_()),
        pa.field("nte_flag", pa.bool_()),
        pa.field("cce_flag", pa.bool_()),
        pa.field("gang_flag", pa.bool_()),
        pa.field("hate_flag", pa.bool_()),
        pa.field("outcome", pa.int16()),
        pa.field("outcome_date", pa.date32()),
        *PROVENANCE_FIELDS,
    ],
    metadata={"kind": "force_crime", "schema_version": "1"},
)
FORCE_CRIME_FLAGS = ("domestic_abuse_flag", "knife_flag", "firearm_flag", "alcohol_flag", "drug_flag", "nte_flag",
                     "cce_flag", "gang_flag", "hate_flag")
# The 18+1 self-defined ethnicity codes police forces record (the 2011 Census's 18 categories plus "not stated"),
# as in the Home Office's police powers statistics and the police.uk stop and search data.
ETHNICITY_CODES = {
    "W1": "White: English, Welsh, Scottish, Northern Irish or British", "W2": "White: Irish",
    "W3": "White: Gypsy or Irish Traveller", "W9": "White: any other White background",
    "M1": "Mixed: White and Black Caribbean", "M2": "Mixed: White and Black African", "M3": "Mixed: White and Asian",
    "M9": "Mixed: any other Mixed or multiple ethnic background",
    "A1": "Asian or Asian British: Indian", "A2": "Asian or Asian British: Pakistani",
    "A3": "Asian or Asian British: Bangladeshi", "A4": "Asian or Asian British: Chinese",
    "A9": "Asian or Asian British: any other Asian background",
    "B1": "Black or Black British: Caribbean", "B2": "Black or Black British: African",
    "B9": "Black or Black British: any other Black background",
    "O1": "Other ethnic group: Arab", "O9": "Other ethnic group: any other ethnic group", "NS": "Not stated",
}
# Home Office outcome types for recorded crime (outcomes framework, April 2014 on; 22 added 2016).
CRIME_OUTCOMES = {
    1: "Charged or summonsed", 2: "Youth caution", 3: "Adult caution", 4: "Taken into consideration",
    5: "Offender died", 6: "Penalty notice for disorder", 7: "Cannabis or khat warning",
    8: "Community resolution", 9: "Prosecution not in the public interest (CPS)",
    10: "Formal action not in the public interest (police)", 11: "Prosecution prevented: suspect under age",
    12: "Prosecution prevented: suspect too ill", 13: "Prosecution prevented: victim or key witness dead or too ill",
    14: "Evidential difficulties: victim declines or unable to support action (suspect not identified)",
    15: "Evidential difficulties: suspect identified, victim supports action",
    16: "Evidential difficulties: suspect identified, victim does not support action",
    17: "Prosecution time limit expired", 18: "Investigation complete: no suspect identified",
    20: "Further action by another body or agency", 21: "Further investigation not in the public interest",
    22: "Diversionary, educational or intervention activity",
}

# Education records (school census shape): one row per suspension or permanent exclusion (with its start date,
# sessions and DfE reason code) or per pupil-term attendance record (sessions possible and missed, persistent
# absence). ``month`` is the start date's month, or the first month of the term for attendance. ``return_unit`` is
# what a re-issued file replaces for a month: "<URN> exclusions" (suspensions and permanent exclusions, the census
# exclusions module) or "<URN> attendance", so that exclusions and attendance may come in separate files.
EDUCATION = pa.schema(
    [
        *_PERSON,
        pa.field("school_urn", pa.string(), nullable=False),
        pa.field("return_unit", pa.string(), nullable=False),
        pa.field("nc_year", pa.int16()),
        pa.field("sex", pa.string()),
        pa.field("record_type", pa.string(), nullable=False),
        pa.field("academic_year", pa.string(), nullable=False),
        pa.field("term", pa.string()),
        pa.field("start_date", pa.date32()),
        pa.field("month", pa.date32(), nullable=False),
        pa.field("sessions", pa.float64()),
        pa.field("reason", pa.string()),
        pa.field("sessions_possible", pa.int32()),
        pa.field("sessions_missed", pa.int32()),
        pa.field("persistent_absence", pa.bool_()),
        *PROVENANCE_FIELDS,
    ],
    metadata={"kind": "education", "schema_version": "1"},
)
EDUCATION_RECORD_TYPES = ("suspension", "permanent_exclusion", "attendance")
EDUCATION_TERMS = ("autumn", "spring", "summer")
# DfE school census exclusion reason codes (CBDS; from 2020/21, with the earlier PD and OT kept for old years).
EXCLUSION_REASONS = {
    "PP": "Physical assault against a pupil", "PA": "Physical assault against an adult",
    "VP": "Verbal abuse / threatening behaviour against a pupil",
    "VA": "Verbal abuse / threatening behaviour against an adult",
    "OW": "Use or threat of use of an offensive weapon or prohibited item", "BU": "Bullying",
    "RA": "Racist abuse", "LG": "Abuse against sexual orientation and gender identity",
    "DS": "Abuse relating to disability", "SM": "Sexual misconduct", "DA": "Drug and alcohol related",
    "DM": "Damage", "TH": "Theft", "DB": "Persistent or general disruptive behaviour",
    "MT": "Inappropriate use of social media or online technology",
    "PH": "Wilful and repeated transgression of protective measures in place to protect public health",
    "PD": "Persistent disruptive behaviour (before 2020/21)", "OT": "Other (before 2020/21)",
}
# Persistent absence: missing 10% or more of possible sessions (DfE, from 2015/16).
PERSISTENT_ABSENCE_SHARE = 0.10
