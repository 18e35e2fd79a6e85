"""Education records: suspensions, permanent exclusions and attendance, in the shape of the DfE school census.

One row per suspension or permanent exclusion (school census *exclusions module*: category, start date,
sessions excluded from, reason) or per pupil and term (*termly attendance module*: sessions possible and
missed), pseudonymised at source with ``vrhub pseudonymise``. Reasons are the DfE exclusion reason codes
(``EXCLUSION_REASONS``; Common Basic Data Set, from 2020/21, with the older PD and OT). A pupil is persistently
absent when they miss 10% or more of their possible sessions (DfE, from 2015/16). Columns (any case; aliases in
``ALIASES``):

  Person ID, [Person ID basis], School URN, [NC year], [Sex], Record type, Academic year, [Term], [Start date],
  [Sessions], [Reason], [Sessions possible], [Sessions missed], [Persistent absence]

The file is refused whole if a person id is not a pseudonym or its first rows hold identifiers in clear
(:mod:`vrhub.ingest.partner`). A row is quarantined, with the field and value named, when: a required value is
missing (Start date and Reason for an exclusion; sessions or the persistent-absence flag for attendance); the
URN is not six digits; a code is not in its list; the academic year is not ``YYYY/YY``; the start date is not in
that academic year; sessions are negative, more than 90 (45 school days) for a suspension, or more missed than
possible; or the flag contradicts the sessions. Field meanings: docs/sources/education.md.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.schemas import EDUCATION, EXCLUSION_REASONS, PERSISTENT_ABSENCE_SHARE
from vrhub.ingest.istv import DATE_HELP, SEXES, _allowed, _codes, map_codes, parse_date
from vrhub.ingest.partner import PartnerSource
from vrhub.ingest.source import Checked, Column
from vrhub.ingest.validate import Checks, by_distinct_value, parse_bool, parse_float
from vrhub.ingest.youth_justice import whole_numbers

MAX_SUSPENSION_SESSIONS = 90  # 45 school days in an academic year (DfE suspension and permanent exclusion guidance)
RECORD_TYPES = _codes({
    "suspension": ("fixd", "fixed period", "fixed period exclusion", "fixed-term exclusion", "fixed term",
                   "suspended"),
    "permanent_exclusion": ("perm", "permanent", "permanently excluded", "exclusion permanent"),
    "attendance": ("absence", "termly attendance", "attendance record"),
})
TERMS = _codes({"autumn": ("aut", "autumn term", "1"), "spring": ("spr", "spring term", "2"),
                "summer": ("sum", "summer term", "3")})
TERM_FIRST_MONTH = {"autumn": (0, 9), "spring": (1, 1), "summer": (1, 4)}  # (years after the start year, month)
REASONS = _codes({code: (label,) for code, label in EXCLUSION_REASONS.items()})
NC_YEARS = {"n1": -2, "n2": -1, "r": 0, "reception": 0, **{str(y): y for y in range(15)},
            **{f"year {y}": y for y in range(1, 15)}, **{f"y{y}": y for y in range(1, 15)}}
ALIASES = {
    "urn": "School URN", "school": "School URN", "establishment urn": "School URN",
    "national curriculum year": "NC year", "year group": "NC year", "ncy": "NC year", "gender": "Sex",
    "category": "Record type", "exclusion category": "Record type", "type": "Record type",
    "year": "Academic year", "time period": "Academic year", "exclusion start date": "Start date",
    "sessions excluded": "Sessions", "number of sessions": "Sessions", "exclusion reason": "Reason",
    "reason for exclusion": "Reason", "possible sessions": "Sessions possible",
    "sessions absent": "Sessions missed", "absence sessions": "Sessions missed",
    "persistent absentee": "Persistent absence", "persistently absent": "Persistent absence",
}
_YEAR = re.compile(r"^\s*(\d{4})\s*(?:[/-]?\s*(\d{2}|\d{4}))\s*$")


def academic_year(values: pa.Array) -> tuple[pa.Array, pa.Array, pa.Array]:
    """'2022/23', '2022-23', '2022/2023' or DfE's '202223' → ('2022/23', start year 2022, mask of bad non-nulls)."""
    def parse(distinct: pa.Array) -> pa.Array:
        out = []
        for v in distinct.to_pylist():
            m = _YEAR.match(v or "")
            first = int(m[1]) if m else 0
            ok = m is not None and int(m[2][-2:]) == (first + 1) % 100 and (len(m[2]) == 2 or int(m[2]) == first + 1)
            out.append(first if ok else None)
        return pa.array(out, pa.int64())

    start = by_distinct_value(values, parse)
    label = pc.binary_join_element_wise(pc.cast(start, pa.string()), "/",
                                        pc.utf8_slice_codeunits(pc.cast(pc.add(start, 1), pa.string()), 2), "")
    return label, start, pc.and_(pc.is_valid(values), pc.is_null(start))


def _date(year: pa.Array, month: int, day: int) -> pa.Array:
    text = pc.binary_join_element_wise(pc.cast(year, pa.string()), f"-{month:02d}-{day:02d}", "")
    return pc.cast(pc.strptime(text, format="%Y-%m-%d", unit="s"), pa.date32())


class Education(PartnerSource):
    """Education: suspensions, permanent exclusions (with dates and DfE reasons) and termly attendance."""

    kind = "education"
    label = "education: suspensions, exclusions and attendance"
    schema = EDUCATION
    aliases = ALIASES
    force_column = "return_unit"
    person_column = "person_id"
    columns = (
        Column("Person ID", "person_id"),
        Column("Person ID basis", "person_id_basis", required=False),
        Column("School URN", "school_urn"),
        Column("NC year", "nc_year", required=False),
        Column("Sex", "sex", required=False),
        Column("Record type", "record_type"),
        Column("Academic year", "academic_year"),
        Column("Term", "term", required=False),
        Column("Start date", "start_date", required=False),
        Column("Sessions", "sessions", required=False),
        Column("Reason", "reason", required=False),
        Column("Sessions possible", "sessions_possible", required=False),
        Column("Sessions missed", "sessions_missed", required=False),
        Column("Persistent absence", "persistent_absence", required=False),
    )
    signature = ("Person ID", "School URN", "Record type")
    name_pattern = re.compile(r"educat|school|exclusion|attendance", re.I)

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        table = self.with_optional(table)
        c = Checks(table)
        person = self.person_ids(c, "Person ID")
        c.required("school_urn", "School URN")
        c.required("record_type", "Record type")
        c.required("academic_year", "Academic year")
        urn = pc.utf8_trim_whitespace(c.column("school_urn"))
        c.flag(pc.invert(pc.match_substring_regex(urn, r"^\d{6}$")), "School URN",
               "is not a school URN (six digits, as in Get Information About Schools)", c.column("school_urn"))
        record, bad = map_codes(c.column("record_type"), RECORD_TYPES)
        c.flag(bad, "Record type", f"is not a known record type ({_allowed(RECORD_TYPES)}; census codes FIXD, "
               "PERM)", c.column("record_type"))
        year, first, bad = academic_year(c.column("academic_year"))
        c.flag(bad, "Academic year", "is not an academic year (YYYY/YY, e.g. 2022/23)", c.column("academic_year"))
        nc = by_distinct_value(pc.utf8_lower(pc.utf8_trim_whitespace(c.column("nc_year"))),
                               lambda d: pa.array([NC_YEARS.get(v) for v in d.to_pylist()], pa.int16()))
        c.flag(pc.and_(pc.is_valid(c.column("nc_year")), pc.is_null(nc)), "NC year",
               "is not a national curriculum year (N1, N2, R or 0, 1–14)", c.column("nc_year"))
        sex, bad = map_codes(c.column("sex"), SEXES)
        c.flag(bad, "Sex", f"is not a known sex code ({_allowed(SEXES)})", c.column("sex"))
        term, bad = map_codes(c.column("term"), TERMS)
        c.flag(bad, "Term", "is not a term (autumn, spring, summer)", c.column("term"))

        exclusion = pc.is_in(record, value_set=pa.array(["suspension", "permanent_exclusion"]))
        attendance = pc.equal(record, "attendance")
        start, bad = parse_date(c.column("start_date"))
        c.flag(bad, "Start date", DATE_HELP, c.column("start_date"))
        c.flag(pc.and_(exclusion, pc.is_null(c.column("start_date"))), "Start date", "is missing (an exclusion "
               "needs its start date)")
        year_start, year_end = _date(first, 8, 1), _date(pc.add(first, 1), 7, 31)
        c.flag(pc.or_(pc.less(start, year_start), pc.greater(start, year_end)), "Start date",
               "is not in the Academic year (1 August to 31 July): check the date or the year", c.column("start_date"))
        reason, bad = map_codes(pc.utf8_upper(pc.utf8_trim_whitespace(c.column("reason"))), REASONS)
        c.flag(bad, "Reason", "is not a DfE exclusion reason code (" + ", ".join(EXCLUSION_REASONS) + ")",
               c.column("reason"))
        c.flag(pc.and_(exclusion, pc.is_null(c.column("reason"))), "Reason", "is missing (an exclusion needs its "
               "DfE reason code)")
        sessions, bad = parse_float(c.column("sessions"))
        c.flag(pc.or_(bad, pc.less(sessions, 0)), "Sessions", "is not a number of sessions (0 or more; a day is "
               "2 sessions)", c.column("sessions"))
        c.flag(pc.and_(pc.equal(record, "suspension"), pc.greater(sessions, MAX_SUSPENSION_SESSIONS)), "Sessions",
               f"is more than {MAX_SUSPENSION_SESSIONS} sessions: a pupil can be suspended for at most 45 school days "
               "in a year", c.column("sessions"))

        possible, bad = whole_numbers(c.column("sessions_possible"))
        c.flag(pc.or_(bad, pc.less_equal(possible, 0)), "Sessions possible", "is not a whole number above 0",
               c.column("sessions_possible"))
        missed, bad = whole_numbers(c.column("sessions_missed"))
        c.flag(pc.or_(bad, pc.less(missed, 0)), "Sessions missed", "is not a whole number of 0 or more",
               c.column("sessions_missed"))
        c.flag(pc.greater(missed, possible), "Sessions missed", "is more than the Sessions possible",
               c.column("sessions_missed"))
        flag, bad = parse_bool(c.column("persistent_absence"))
        c.flag(bad, "Persistent absence", "is not yes/no (or true/false, 1/0)", c.column("persistent_absence"))
        share = pc.divide(pc.cast(missed, pa.float64()), pc.cast(possible, pa.float64()))
        computed = pc.greater_equal(share, PERSISTENT_ABSENCE_SHARE)
        c.flag(pc.not_equal(flag, computed), "Persistent absence",
               f"contradicts the sessions (persistent absence is missing {PERSISTENT_ABSENCE_SHARE:.0%} or more of "
               "possible sessions)", c.column("persistent_absence"))
        c.flag(pc.and_(attendance, pc.and_(pc.is_null(flag), pc.is_null(computed))), "Persistent absence",
               "is missing (an attendance record needs Sessions possible and Sessions missed, or the flag)")

        first_month = pc.case_when(
            pc.make_struct(*[pc.equal(term, t) for t in TERM_FIRST_MONTH]),
            *[_date(pc.add(first, dy), m, 1) for dy, m in TERM_FIRST_MONTH.values()])
        term_month = pc.coalesce(first_month, _date(first, 9, 1))
        month = pc.if_else(exclusion, pc.cast(pc.floor_temporal(start, unit="month"), pa.date32()), term_month)
        problems = c.problems()
        return self.accept({
            "person_id": person,
            "person_id_basis": c.column("person_id_basis"),
            "school_urn": urn,
            "return_unit": pc.binary_join_element_wise(urn, pc.if_else(attendance, " attendance", " exclusions"), ""),
            "nc_year": nc,
            "sex": sex,
            "record_type": record,
            "academic_year": year,
            "term": term,
            "start_date": start,
            "month": month,
            "sessions": sessions,
            "reason": reason,
            "sessions_possible": pc.cast(possible, pa.int32()),
            "sessions_missed": pc.cast(missed, pa.int32()),
            "persistent_absence": pc.if_else(attendance, pc.coalesce(flag, computed), pa.scalar(None, pa.bool_())),
        }, problems, lines, ctx)


SOURCES = (Education(),)
