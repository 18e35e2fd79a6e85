"""police.uk street-level crime (``YYYY-MM-<force>-street.csv``).

Columns as published by data.police.uk: Crime ID, Month, Reported by, Falls within, Longitude, Latitude,
Location, LSOA code, LSOA name, Crime type, Last outcome category, Context. Anti-social behaviour rows have
no Crime ID; rows with "No Location" have no coordinates and no LSOA.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.schemas import POLICE_UK_CRIME_TYPES, POLICE_UK_STREET
from vrhub.ingest.police_uk.location import check_coordinates, check_lsoa, check_month, force_month_coverage
from vrhub.ingest.source import Checked, Column, Source
from vrhub.ingest.validate import Checks, parse_month

CRIME_TYPES = pa.array(POLICE_UK_CRIME_TYPES)


class StreetCrime(Source):
    kind = "police_uk_street"
    label = "police.uk street-level crime"
    schema = POLICE_UK_STREET
    columns = (
        Column("Crime ID", "crime_id"),
        Column("Month", "month"),
        Column("Reported by", "reported_by"),
        Column("Falls within", "falls_within"),
        Column("Longitude", "longitude"),
        Column("Latitude", "latitude"),
        Column("Location", "location"),
        Column("LSOA code", "lsoa_code"),
        Column("LSOA name", "lsoa_name"),
        Column("Crime type", "crime_type"),
        Column("Last outcome category", "last_outcome_category"),
        Column("Context", "context", required=False),
    )
    signature = ("Crime type", "Month", "LSOA code")
    name_pattern = re.compile(r"-street\.csv$", re.I)

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        c = Checks(table)
        month_text = c.column("month")
        c.required("month", "Month")
        month, bad_month = parse_month(month_text)
        c.flag(bad_month, "Month", "is not a month in the form YYYY-MM", month_text)
        check_month(c, month, month_text, ctx)
        c.required("crime_type", "Crime type")
        c.one_of("crime_type", CRIME_TYPES, "Crime type", "is not a police.uk crime type")
        loc = check_coordinates(c)
        vintage = check_lsoa(c, month_text)
        problems = c.problems()
        ok = pc.is_null(problems)
        n = table.num_rows
        context = c.column("context") if "context" in table.column_names else pa.nulls(n, pa.string())
        out = pa.table(
            {
                "crime_id": c.column("crime_id"),
                "month": month,
                "reported_by": c.column("reported_by"),
                "falls_within": c.column("falls_within"),
                "longitude": loc["longitude"],
                "latitude": loc["latitude"],
                "location": c.column("location"),
                "lsoa_code": c.column("lsoa_code"),
                "lsoa_name": c.column("lsoa_name"),
                "has_location": loc["has_location"],
                "lsoa_vintage": vintage,
                "crime_type": c.column("crime_type"),
                "last_outcome_category": c.column("last_outcome_category"),
                "context": context,
                "dataset_id": pa.array([ctx["dataset_id"]] * n, pa.string()),
                "source_row": pa.array(lines, pa.int64()),
            }
        ).filter(ok)
        return Checked(out.cast(self.schema), problems)

    def coverage(self, accepted: pa.Table) -> pa.Table:
        return force_month_coverage(accepted.column("falls_within"), accepted.column("month"))
