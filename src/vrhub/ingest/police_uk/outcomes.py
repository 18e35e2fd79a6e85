"""police.uk outcomes (``YYYY-MM-<force>-outcomes.csv``): the outcomes recorded in a month for crimes,
keyed by Crime ID. Columns: Crime ID, Month, Reported by, Falls within, Longitude, Latitude, Location,
LSOA code, LSOA name, Outcome type.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.schemas import POLICE_UK_OUTCOMES
from vrhub.ingest.police_uk.location import check_coordinates, check_lsoa, check_month, force_month_coverage
from vrhub.ingest.source import Checked, Column, Source
from vrhub.ingest.validate import Checks, parse_month


class Outcomes(Source):
    kind = "police_uk_outcomes"
    label = "police.uk outcomes"
    schema = POLICE_UK_OUTCOMES
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
        Column("Outcome type", "outcome_type"),
    )
    signature = ("Outcome type", "Crime ID")
    name_pattern = re.compile(r"-outcomes\.csv$", re.I)

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        c = Checks(table)
        month_text = c.column("month")
        c.required("crime_id", "Crime ID")
        c.required("month", "Month")
        month, bad_month = parse_month(month_text)
        c.flag(bad_month, "Month", "is not a month in the form YYYY-MM", month_text)
        check_month(c, month, month_text, ctx)
        c.required("outcome_type", "Outcome type")
        loc = check_coordinates(c)
        vintage = check_lsoa(c, month_text)
        problems = c.problems()
        n = table.num_rows
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
                "outcome_type": c.column("outcome_type"),
                "dataset_id": pa.array([ctx["dataset_id"]] * n, pa.string()),
                "source_row": pa.array(lines, pa.int64()),
            }
        ).filter(pc.is_null(problems))
        return Checked(out.cast(self.schema), problems)

    def coverage(self, accepted: pa.Table) -> pa.Table:
        return force_month_coverage(accepted.column("falls_within"), accepted.column("month"))
