"""police.uk stop and search (``YYYY-MM-<force>-stop-and-search.csv``).

Columns: Type, Date, Part of a policing operation, Policing operation, Latitude, Longitude, Gender,
Age range, Self-defined ethnicity, Officer-defined ethnicity, Legislation, Object of search, Outcome,
Outcome linked to object of search, Removal of more than just outer clothing. ``Date`` is ISO 8601 with a
UTC offset; the month is taken in UK local time, so a search at 2018-09-30T23:01:00+00:00 (00:01 BST on
1 October) belongs to October, as in police.uk's own monthly files. The file has no force column: the
force comes from ``--force``, the file name, the folder or archive name, or where the searches are
(``vrhub.ingest.force_locator``); a file whose force cannot be told is refused, never loaded as "unknown".
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.errors import SourceError
from vrhub.domain.schemas import POLICE_UK_STOP_SEARCH, STOP_SEARCH_TYPES
from vrhub.ingest.files import SourceFile
from vrhub.ingest.force_locator import force_from_path
from vrhub.ingest.police_uk.location import check_coordinates, check_month, force_month_coverage
from vrhub.ingest.source import Checked, Column, Source
from vrhub.ingest.validate import Checks, parse_bool

NAME = re.compile(r"^\d{4}-\d{2}-(?P<force>.+)-stop-and-search\.csv$", re.I)


def parse_instant(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse ISO 8601 date-times with a UTC offset (``2018-10-01T09:00:00+01:00``) to UTC instants."""
    text = pc.utf8_trim_whitespace(values)
    ts = pc.strptime(text, format="%Y-%m-%dT%H:%M:%S%z", unit="s", error_is_null=True)
    return ts, pc.and_(pc.is_valid(values), pc.is_null(ts))


def uk_month(instants: pa.Array) -> pa.Array:
    local = pc.local_timestamp(instants.cast(pa.timestamp("s", tz="Europe/London")))
    return pc.cast(pc.floor_temporal(local, unit="month"), pa.date32())


class StopSearch(Source):
    kind = "police_uk_stop_search"
    label = "police.uk stop and search"
    schema = POLICE_UK_STOP_SEARCH
    columns = (
        Column("Type", "search_type"),
        Column("Date", "date"),
        Column("Part of a policing operation", "part_of_policing_operation"),
        Column("Policing operation", "policing_operation", required=False),
        Column("Latitude", "latitude"),
        Column("Longitude", "longitude"),
        Column("Gender", "gender"),
        Column("Age range", "age_range"),
        Column("Self-defined ethnicity", "self_defined_ethnicity"),
        Column("Officer-defined ethnicity", "officer_defined_ethnicity"),
        Column("Legislation", "legislation"),
        Column("Object of search", "object_of_search"),
        Column("Outcome", "outcome"),
        Column("Outcome linked to object of search", "outcome_linked_to_object"),
        Column("Removal of more than just outer clothing", "removal_of_more_than_outer_clothing"),
    )
    signature = ("Object of search", "Type", "Date")
    name_pattern = re.compile(r"-stop-and-search\.csv$", re.I)

    locates_force = True  # the loader passes ``ctx["locate_force"]`` (vrhub.ingest.force_locator)

    def context(self, file: SourceFile, options: dict[str, Any]) -> dict[str, Any]:
        """The force: ``--force``, else the file name, else the folder or archive name, else (in ``check``) where the
        searches are; never "unknown" (vrhub.ingest.force_locator)."""
        ctx = dict(options) | {"source_file": file}
        m = NAME.match(file.name)
        found = [("the --force option", ctx.get("force")), ("the file name", m.group("force") if m else None),
                 ("the folder or archive name", force_from_path(file))]
        ctx["force_from"], ctx["force"] = next(((how, f) for how, f in found if f), (None, None))
        if ctx["force_from"] == "the folder or archive name":
            ctx.setdefault("notes", []).append(f"force '{ctx['force']}' taken from the folder or archive name (the "
                                               "file name has none); give --force to choose another")
        return ctx

    def _locate(self, ctx: dict[str, Any], lon: pa.Array, lat: pa.Array) -> None:
        locate = ctx.get("locate_force")
        force, why = locate(lon, lat) if locate else (None, "no force areas are known here")
        if force is None:
            raise SourceError(ctx["source_file"].display if "source_file" in ctx else "the file",
                              "cannot tell which police force these searches are for: the file name has no force id "
                              f"(YYYY-MM-<force>-stop-and-search.csv), nor its folder, and {why}",
                              "give the force with --force ID (police.uk ids, e.g. kent, metropolitan), or name the "
                              "file as police.uk does, then load it again")
        ctx["force"], ctx["force_from"] = force, "the locations of the searches"
        ctx.setdefault("notes", []).append(f"force '{force}' inferred from the locations of the searches ({why}); "
                                           "give --force to choose another")

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        c = Checks(table)
        n = table.num_rows
        c.required("search_type", "Type")
        c.one_of("search_type", pa.array(STOP_SEARCH_TYPES), "Type", "is not a police.uk search type")
        c.required("date", "Date")
        instant, bad_date = parse_instant(c.column("date"))
        c.flag(bad_date, "Date", "is not an ISO 8601 date-time with offset (e.g. 2018-10-01T09:00:00+01:00)",
               c.column("date"))
        month = uk_month(instant)
        check_month(c, month, c.column("date"), ctx, "Date")
        booleans = {}
        for name, label in [("part_of_policing_operation", "Part of a policing operation"),
                            ("outcome_linked_to_object", "Outcome linked to object of search"),
                            ("removal_of_more_than_outer_clothing", "Removal of more than just outer clothing")]:
            value, bad = parse_bool(c.column(name))
            c.flag(bad, label, "is not True or False", c.column(name))
            booleans[name] = value
        loc = check_coordinates(c)
        if not ctx.get("force"):
            self._locate(ctx, loc["longitude"], loc["latitude"])
        problems = c.problems()
        operation = c.column("policing_operation") if "policing_operation" in table.column_names \
            else pa.nulls(n, pa.string())
        out = pa.table(
            {
                "force": pa.array([ctx["force"]] * n, pa.string()),
                "search_type": c.column("search_type"),
                "occurred_at": instant,
                "month": month,
                "part_of_policing_operation": booleans["part_of_policing_operation"],
                "policing_operation": operation,
                "latitude": loc["latitude"],
                "longitude": loc["longitude"],
                "has_location": loc["has_location"],
                "gender": c.column("gender"),
                "age_range": c.column("age_range"),
                "self_defined_ethnicity": c.column("self_defined_ethnicity"),
                "officer_defined_ethnicity": c.column("officer_defined_ethnicity"),
                "legislation": c.column("legislation"),
                "object_of_search": c.column("object_of_search"),
                "outcome": c.column("outcome"),
                "outcome_linked_to_object": booleans["outcome_linked_to_object"],
                "removal_of_more_than_outer_clothing": booleans["removal_of_more_than_outer_clothing"],
                "dataset_id": pa.array([ctx["dataset_id"]] * n, pa.string()),
                "source_row": pa.array(lines, pa.int64()),
            }
        ).filter(pc.is_null(problems))
        return Checked(out.cast(self.schema), problems)

    def coverage(self, accepted: pa.Table) -> pa.Table:
        return force_month_coverage(accepted.column("force"), accepted.column("month"))
