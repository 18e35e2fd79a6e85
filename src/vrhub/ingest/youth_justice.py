"""Youth justice service records: one row per proven offence by a child, with its outcome.

A youth justice service's case-management extract (ChildView, Careworks), pseudonymised at source with
``vrhub pseudonymise`` (the ``age_at`` option turns the date of birth into the age at the offence). Offence
groups are the Youth Justice Board's (*Youth Justice Statistics*, Ministry of Justice and YJB, annual); the
gravity score is the YJB *Gravity Matrix* score (1–8); outcomes are the out-of-court and court disposals of the
same statistics, mapped to ``YOUTH_JUSTICE_OUTCOMES`` with their tier. Columns (any case; aliases in ``ALIASES``):

  Person ID, [Person ID basis], Youth justice service, Age or Birth month (YYYY-MM), [Sex], Offence date,
  Offence type, [Gravity score], [Outcome], [Outcome date]

The file is refused whole if a person id is not a pseudonym or its first rows hold identifiers in clear
(:mod:`vrhub.ingest.partner`), or if a Birth month holds a full date of birth. A row is quarantined, with the
field and value named, when: a required value is missing (Age *or* Birth month); a date cannot be read or is in
the future; the age is not a whole number from 10 (the age of criminal responsibility) to 17; the age does not
fit the birth month; a code is not in its list; the gravity score is not 1–8; or the outcome date is before the
offence date. Field meanings: docs/sources/youth-justice.md.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.errors import SourceError
from vrhub.domain.schemas import YOUTH_JUSTICE, YOUTH_JUSTICE_OFFENCE_TYPES, YOUTH_JUSTICE_OUTCOMES
from vrhub.ingest.identifier_guard import PSEUDONYMISE
from vrhub.ingest.istv import DATE_HELP, SEXES, _allowed, _codes, map_codes, parse_date
from vrhub.ingest.partner import PartnerSource
from vrhub.ingest.source import Checked, Column
from vrhub.ingest.validate import Checks, parse_float, parse_month

MIN_AGE, MAX_AGE = 10, 17
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Violence against the person": ("vatp", "violence", "violence against person", "violent offence"),
    "Robbery": ("robbery offences",),
    "Sexual offences": ("sexual", "sexual offence"),
    "Possession of weapons": ("weapons", "possession of a weapon", "possession of offensive weapon",
                              "knife possession", "possession of a knife or offensive weapon"),
    "Drugs offences": ("drugs", "drug offences", "drug offence"),
    "Theft and handling stolen goods": ("theft", "theft and handling", "handling stolen goods"),
    "Burglary": ("domestic burglary", "non-domestic burglary"),
    "Vehicle theft / unauthorised taking": ("vehicle theft", "unauthorised taking", "twoc"),
    "Criminal damage": ("damage",), "Arson": (), "Public order": ("public order offences",),
    "Racially aggravated": ("racially or religiously aggravated",), "Fraud and forgery": ("fraud",),
    "Motoring offences": ("motoring",), "Breach of statutory order": ("breach of order", "breach"),
    "Breach of bail": ("bail",), "Other": ("other offences",),
}
OFFENCE_TYPES = _codes(_SPELLINGS)
OUTCOMES = _codes({
    "community_resolution": ("cr",), "youth_caution": ("caution", "yc"),
    "youth_conditional_caution": ("ycc", "conditional caution"), "deferred_prosecution": ("outcome 22", "o22"),
    "absolute_discharge": (), "conditional_discharge": (), "fine": (), "referral_order": ("ro",),
    "reparation_order": (), "youth_rehabilitation_order": ("yro",),
    "detention_and_training_order": ("dto",), "section_250_detention": ("section 250", "s250", "section 91", "s91"),
    "other_custody": ("custody",), "other": ("other outcome",),
})
ALIASES = {
    "person id pseudonym": "Person ID", "yjs": "Youth justice service", "yot": "Youth justice service",
    "youth offending team": "Youth justice service", "service": "Youth justice service",
    "age at offence": "Age", "age at offence date": "Age", "age at offence date time": "Age",
    "month of birth": "Birth month", "dob month": "Birth month", "gender": "Sex",
    "date of offence": "Offence date", "offence group": "Offence type", "offence category": "Offence type",
    "gravity": "Gravity score", "disposal": "Outcome", "outcome type": "Outcome", "disposal date": "Outcome date",
    "sentence date": "Outcome date",
}
_FULL_DATE = r"^\s*(\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2})\s*$"


def whole_numbers(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Parse whole numbers ('12', '12.0'); return (int64 with null where not one, mask of bad non-nulls)."""
    num, bad = parse_float(values)
    whole = pc.equal(num, pc.floor(num))
    out = pc.if_else(pc.fill_null(whole, False), pc.cast(pc.floor(num), pa.int64(), safe=False),
                     pa.scalar(None, pa.int64()))
    return out, pc.or_(bad, pc.and_(pc.is_valid(num), pc.invert(pc.fill_null(whole, False))))


def age_reached(birth_month: pa.Array, on: pa.Array) -> pa.Array:
    """Completed years on ``on`` of someone born at the *end* of ``birth_month``: the age certainly reached."""
    by, bm = pc.year(birth_month), pc.month(birth_month)
    oy, om = pc.year(on), pc.month(on)
    return pc.subtract(pc.subtract(oy, by), pc.cast(pc.less_equal(om, bm), pa.int64()))


class YouthJustice(PartnerSource):
    """Youth justice offences and outcomes: one row per proven offence."""

    kind = "youth_justice"
    label = "youth justice offences and outcomes"
    schema = YOUTH_JUSTICE
    aliases = ALIASES
    force_column = "service"
    person_column = "person_id"
    columns = (
        Column("Person ID", "person_id"),
        Column("Person ID basis", "person_id_basis", required=False),
        Column("Youth justice service", "service"),
        Column("Age", "age", required=False),
        Column("Birth month", "birth_month", required=False),
        Column("Sex", "sex", required=False),
        Column("Offence date", "offence_date"),
        Column("Offence type", "offence_type"),
        Column("Gravity score", "gravity_score", required=False),
        Column("Outcome", "outcome", required=False),
        Column("Outcome date", "outcome_date", required=False),
    )
    signature = ("Person ID", "Youth justice service", "Offence type")
    name_pattern = re.compile(r"youth[-_ ]?justice|yjs|yot", re.I)

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        table = self.with_optional(table)
        c = Checks(table)
        person = self.person_ids(c, "Person ID")
        birth_text = c.column("birth_month")
        if pc.any(pc.fill_null(pc.match_substring_regex(birth_text, _FULL_DATE), False)).as_py():
            file = ctx.get("source_file")
            raise SourceError(getattr(file, "display", "the file"),
                              "'Birth month' holds full dates of birth (an identifier in clear; values not shown)",
                              "send the month only (YYYY-MM), or the age at the offence; " + PSEUDONYMISE)
        c.required("service", "Youth justice service")
        c.required("offence_date", "Offence date")
        c.required("offence_type", "Offence type")
        c.flag(pc.and_(pc.is_null(c.column("age")), pc.is_null(birth_text)), "Age",
               "is missing (give the Age at the offence or the Birth month, YYYY-MM)")
        today = pa.scalar(dt.date.today(), pa.date32())
        offence, bad = parse_date(c.column("offence_date"))
        c.flag(bad, "Offence date", DATE_HELP, c.column("offence_date"))
        c.flag(pc.greater(offence, today), "Offence date", "is in the future", c.column("offence_date"))
        age, bad = whole_numbers(c.column("age"))
        c.flag(bad, "Age", "is not a whole number of years", c.column("age"))
        c.flag(pc.less(age, MIN_AGE), "Age", f"is below {MIN_AGE}, the age of criminal responsibility in England "
               "and Wales: check the age (or the date of birth used for it)", c.column("age"))
        c.flag(pc.greater(age, MAX_AGE), "Age", f"is over {MAX_AGE}: youth justice services work with children "
               f"aged {MIN_AGE}–{MAX_AGE} at the offence (is this the age today, not at the offence?)", c.column("age"))
        birth, bad = parse_month(birth_text)
        c.flag(bad, "Birth month", "is not a month in the form YYYY-MM", birth_text)
        reached = age_reached(birth, offence)
        c.flag(pc.or_(pc.less(age, reached), pc.greater(age, pc.add(reached, 1))), "Age",
               "does not fit the Birth month at the Offence date", c.column("age"))
        c.flag(pc.and_(pc.is_null(age), pc.or_(pc.less(pc.add(reached, 1), MIN_AGE), pc.greater(reached, MAX_AGE))),
               "Birth month", f"gives an age at the offence outside {MIN_AGE}–{MAX_AGE}", birth_text)
        age = pc.coalesce(age, pc.min_element_wise(pc.max_element_wise(reached, MIN_AGE), MAX_AGE))
        offence_type, bad = map_codes(c.column("offence_type"), OFFENCE_TYPES)
        c.flag(bad, "Offence type", "is not a Youth Justice Board offence group ("
               + ", ".join(YOUTH_JUSTICE_OFFENCE_TYPES) + ")", c.column("offence_type"))
        gravity, bad = whole_numbers(c.column("gravity_score"))
        c.flag(pc.or_(bad, pc.or_(pc.less(gravity, 1), pc.greater(gravity, 8))), "Gravity score",
               "is not a YJB gravity score (a whole number 1–8)", c.column("gravity_score"))
        outcome, bad = map_codes(c.column("outcome"), OUTCOMES)
        c.flag(bad, "Outcome", f"is not a known outcome (codes: {_allowed(OUTCOMES)})", c.column("outcome"))
        outcome_date, bad = parse_date(c.column("outcome_date"))
        c.flag(bad, "Outcome date", DATE_HELP, c.column("outcome_date"))
        c.flag(pc.less(outcome_date, offence), "Outcome date", "is before the Offence date",
               c.column("outcome_date"))
        sex, bad = map_codes(c.column("sex"), SEXES)
        c.flag(bad, "Sex", f"is not a known sex code ({_allowed(SEXES)})", c.column("sex"))
        tiers = pa.array(list(YOUTH_JUSTICE_OUTCOMES.values()))
        tier = pc.take(tiers, pc.index_in(outcome, value_set=pa.array(list(YOUTH_JUSTICE_OUTCOMES))))
        problems = c.problems()
        return self.accept({
            "person_id": person,
            "person_id_basis": c.column("person_id_basis"),
            "service": pc.utf8_trim_whitespace(c.column("service")),
            "age": age,
            "birth_month": birth,
            "sex": sex,
            "offence_date": offence,
            "month": pc.cast(pc.floor_temporal(offence, unit="month"), pa.date32()),
            "offence_type": offence_type,
            "gravity_score": gravity,
            "outcome": outcome,
            "outcome_tier": tier,
            "outcome_date": outcome_date,
        }, problems, lines, ctx)


SOURCES = (YouthJustice(),)
