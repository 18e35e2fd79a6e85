"""police.uk API answers as rows of police.uk's own CSV files, so that fetched months go through the same sources,
checks and canonical tables as downloaded ones (docs/sources/police-uk-fetch.md lists the differences).

- Crime categories: the API gives slugs (``violent-crime``), the CSVs names ("Violence and sexual offences");
  ``CATEGORY_NAMES`` is police.uk's own list (``/api/crime-categories``). An unknown slug is written as it is, and
  the street source quarantines the row with the reason.
- Outcomes: a street crime's ``outcome_status`` is its latest outcome *when fetched*; the CSV's "Last outcome
  category" is the latest when the month was published. Outcomes come from ``/api/outcomes-at-location`` by area.
- LSOA: the API gives none; vrhub assigns the LSOA whose loaded boundary contains the point (``fetch.py``).
- Force: the API's crimes by area carry no force; rows are labelled with the force asked for, and British Transport
  Police crimes (``location_type`` "BTP", published in their own files) are left out.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

STREET_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                 "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context"]
OUTCOMES_HEADER = ["Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
                   "LSOA code", "LSOA name", "Outcome type"]
STOP_SEARCH_HEADER = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude",
                      "Gender", "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation",
                      "Object of search", "Outcome", "Outcome linked to object of search",
                      "Removal of more than just outer clothing"]

#: police.uk's category slugs and the names its CSV files use (data.police.uk/docs/method/crime-categories/)
CATEGORY_NAMES = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-order": "Public order",
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
    "other-crime": "Other crime",
    "public-disorder-weapons": "Public disorder and weapons",
}


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "True" if v else "False"
    return str(v)


def _point(location: dict | None) -> tuple[str, str, str]:
    if not location:
        return "", "", "No Location"
    street = (location.get("street") or {}).get("name") or ""
    return _text(location.get("longitude")), _text(location.get("latitude")), street


def street_row(crime: dict, force_name: str) -> dict[str, str]:
    lon, lat, street = _point(crime.get("location"))
    outcome = crime.get("outcome_status") or {}
    slug = crime.get("category") or ""
    return {"Crime ID": _text(crime.get("persistent_id")), "Month": _text(crime.get("month")),
            "Reported by": force_name, "Falls within": force_name, "Longitude": lon, "Latitude": lat,
            "Location": street, "LSOA code": "", "LSOA name": "", "Crime type": CATEGORY_NAMES.get(slug, slug),
            "Last outcome category": _text(outcome.get("category")), "Context": _text(crime.get("context"))}


def outcome_row(outcome: dict, force_name: str) -> dict[str, str]:
    crime = outcome.get("crime") or {}
    lon, lat, street = _point(crime.get("location"))
    return {"Crime ID": _text(crime.get("persistent_id")), "Month": _text(outcome.get("date")),
            "Reported by": force_name, "Falls within": force_name, "Longitude": lon, "Latitude": lat,
            "Location": street, "LSOA code": "", "LSOA name": "",
            "Outcome type": _text((outcome.get("category") or {}).get("name"))}


def stop_search_row(stop: dict) -> dict[str, str]:
    loc = stop.get("location") or {}
    outcome = stop.get("outcome")
    if isinstance(outcome, dict) or (not outcome and stop.get("outcome_object")):
        outcome = (stop.get("outcome_object") or {}).get("name") or ""
    return {"Type": _text(stop.get("type")), "Date": _text(stop.get("datetime")),
            "Part of a policing operation": _text(stop.get("operation")),
            "Policing operation": _text(stop.get("operation_name")), "Latitude": _text(loc.get("latitude")),
            "Longitude": _text(loc.get("longitude")), "Gender": _text(stop.get("gender")),
            "Age range": _text(stop.get("age_range")),
            "Self-defined ethnicity": _text(stop.get("self_defined_ethnicity")),
            "Officer-defined ethnicity": _text(stop.get("officer_defined_ethnicity")),
            "Legislation": _text(stop.get("legislation")), "Object of search": _text(stop.get("object_of_search")),
            "Outcome": _text(outcome),
            "Outcome linked to object of search": _text(stop.get("outcome_linked_to_object_of_search")),
            "Removal of more than just outer clothing": _text(stop.get("removal_of_more_than_outer_clothing"))}


def csv_bytes(header: list[str], rows: Iterable[dict[str, str]]) -> bytes:
    """Rows as police.uk writes them (comma-separated, minimal quoting, LF line ends)."""
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    return buf.getvalue().encode("utf-8")
