"""Engagement survey responses: how safe young people and residents feel, and where (one row per response).

The Serious Violence Duty's statutory guidance (Home Office, 2022, ch. 3) expects a strategic needs assessment to
draw on the views of communities and young people; VRUs run perceived-safety surveys for it (West Midlands VRU's
youth perceived-safety work maps the places young people name as unsafe). There is no national standard, so this
layout keeps what such surveys ask. Columns (any case; spaces, underscores, "/" and "-" equivalent; aliases in
``ALIASES``):

  Survey, Response ID, [Respondent ID], [Wave], Survey month, [Age band], [Residence area], [Place],
  [Safety rating], [Unsafe place], [Comment]

``Survey month`` is ``YYYY-MM`` (or a date: ``YYYY-MM-DD`` or ``DD/MM/YYYY``; its month is kept). ``Age band`` is
one of 11-15, 16-17, 18-24, 25+ (``SURVEY_AGE_BANDS``). ``Place`` (the place the rating is about) and ``Unsafe
place`` (a place named as unsafe) are an ONS area code (LSOA ``E01``, ward ``E05``, district ``E06``/``E07``) or a
place name, matched later against the workspace's gazetteer; ``Residence area`` must be such a code. ``Safety
rating`` is the five-point scale "very safe … very unsafe" or "don't know" (spellings in ``RATINGS``).
``Respondent ID``, when given, must be a keyed-hash pseudonym (``vrhub pseudonymise``): a file with any other
value is refused whole. ``Comment`` is free text: identifiers in it are redacted on load, it is never released,
and only its themes are counted (:mod:`vrhub.analysis.engagement`).

A row is quarantined, with the field and value named, when the survey, response id or month is missing or
unreadable, or an age band, rating or area code is not one of the accepted values. Field meanings:
docs/sources/engagement-survey.md.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from vrhub.domain.schemas import ENGAGEMENT_SURVEY, SURVEY_AGE_BANDS
from vrhub.ingest.istv import _allowed, _codes, map_codes
from vrhub.ingest.partner import PartnerSource
from vrhub.ingest.source import Checked, Column
from vrhub.ingest.validate import Checks, by_distinct_value

AGE_BANDS = _codes({"11-15": ("11 to 15", "11–15", "11-15 years"), "16-17": ("16 to 17", "16–17", "16-17 years"),
                    "18-24": ("18 to 24", "18–24", "18-24 years"),
                    "25+": ("25 and over", "25 plus", "over 25", "25 or over", "25 or older", "adult")})
assert set(AGE_BANDS.values()) == set(SURVEY_AGE_BANDS)
RATINGS = _codes({
    "very_safe": ("1", "very safe"), "fairly_safe": ("2", "fairly safe", "quite safe", "safe"),
    "neither": ("3", "neither safe nor unsafe", "neither safe or unsafe", "neutral", "not sure either way"),
    "fairly_unsafe": ("4", "fairly unsafe", "quite unsafe", "a bit unsafe", "unsafe"),
    "very_unsafe": ("5", "very unsafe"),
    "dont_know": ("don't know", "dont know", "do not know", "not sure", "prefer not to say"),
})
#: ONS area codes a survey may name: LSOA (E01/W01), MSOA (E02/W02), ward (E05/W05), district (E06/E07/E08/E09, W06)
AREA_CODE = r"^[EW](0[125689]|07)\d{6}$"
_CODE_LIKE = re.compile(r"^[EW]\d{2}\w*$", re.I)
ALIASES = {
    "survey name": "Survey", "response": "Response ID", "response id": "Response ID", "response number": "Response ID",
    "respondent": "Respondent ID", "respondent id": "Respondent ID", "month": "Survey month", "date": "Survey month",
    "response date": "Survey month", "survey date": "Survey month", "age group": "Age band", "age": "Age band",
    "home area": "Residence area", "residence": "Residence area", "area of residence": "Residence area",
    "place rated": "Place", "area": "Place", "how safe do you feel": "Safety rating",
    "perceived safety": "Safety rating", "safety": "Safety rating", "place named as unsafe": "Unsafe place",
    "unsafe area": "Unsafe place",
    "comments": "Comment", "free text": "Comment", "anything else": "Comment",
}


def parse_survey_month(values: pa.Array) -> tuple[pa.Array, pa.Array]:
    """'YYYY-MM', 'YYYY-MM-DD' or 'DD/MM/YYYY' → the first of the month (date32); (dates, mask of bad non-nulls)."""
    def one(v: str | None) -> dt.date | None:
        if v is None:
            return None
        for f in ("%Y-%m", "%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(v.strip(), f).date().replace(day=1)
            except ValueError:
                continue
        return None

    dates = by_distinct_value(values, lambda d: pa.array([one(v) for v in d.to_pylist()], pa.date32()))
    return dates, pc.and_(pc.is_valid(values), pc.is_null(dates))


def split_place(c: Checks, name: str, label: str) -> tuple[pa.Array, pa.Array]:
    """A place column as (trimmed text, upper-cased ONS code where the value is one); a value shaped like a code
    (a letter E or W and digits) that is not a known kind of area code is flagged."""
    text = pc.utf8_trim_whitespace(c.column(name))
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    upper = pc.utf8_upper(text)
    is_code = pc.fill_null(pc.match_substring_regex(upper, AREA_CODE), False)
    code_like = by_distinct_value(upper, lambda d: pa.array(
        [v is not None and bool(_CODE_LIKE.match(v)) and any(ch.isdigit() for ch in v[1:]) and " " not in v
         for v in d.to_pylist()], pa.bool_()))
    c.flag(pc.and_(code_like, pc.invert(is_code)), label, "looks like an area code but is not an LSOA, MSOA, "
           "ward or district code (E01, E02, E05, E06, E07, E08 or E09 and 6 digits); give the code or the place's "
           "name", text)
    return text, pc.if_else(is_code, upper, pa.scalar(None, pa.string()))


class EngagementSurvey(PartnerSource):
    """Perceived-safety survey responses: one row per response."""

    kind = "engagement_survey"
    label = "engagement survey responses"
    schema = ENGAGEMENT_SURVEY
    aliases = ALIASES
    force_column = "survey"
    free_text = ("comment",)
    pseudonym_columns = ("respondent_id",)
    columns = (
        Column("Survey", "survey"),
        Column("Response ID", "response_id"),
        Column("Respondent ID", "respondent_id", required=False),
        Column("Wave", "wave", required=False),
        Column("Survey month", "month"),
        Column("Age band", "age_band", required=False),
        Column("Residence area", "residence_code", required=False),
        Column("Place", "place", required=False),
        Column("Safety rating", "safety_rating", required=False),
        Column("Unsafe place", "unsafe_place", required=False),
        Column("Comment", "comment", required=False),
    )
    signature = ("Survey", "Response ID", "Survey month")
    name_pattern = re.compile(r"survey|engagement", re.I)

    def check(self, table: pa.Table, lines: np.ndarray, ctx: dict[str, Any]) -> Checked:
        c = Checks(self.with_optional(table))
        c.required("survey", "Survey")
        c.required("response_id", "Response ID")
        c.required("month", "Survey month")
        month, bad = parse_survey_month(c.column("month"))
        c.flag(bad, "Survey month", "is not a month (YYYY-MM, or a date YYYY-MM-DD or DD/MM/YYYY)", c.column("month"))
        age, bad = map_codes(c.column("age_band"), AGE_BANDS)
        c.flag(bad, "Age band", f"is not a survey age band ({', '.join(SURVEY_AGE_BANDS)})", c.column("age_band"))
        rating, bad = map_codes(c.column("safety_rating"), RATINGS)
        c.flag(bad, "Safety rating", f"is not a safety rating ({_allowed(RATINGS)}; or 1 = very safe … "
               "5 = very unsafe)", c.column("safety_rating"))
        residence = pc.utf8_upper(pc.utf8_trim_whitespace(c.column("residence_code")))
        c.flag(pc.and_(pc.is_valid(residence), pc.invert(pc.fill_null(pc.match_substring_regex(residence, AREA_CODE),
                                                                        False))),
               "Residence area", "is not an LSOA, MSOA, ward or district code (E01, E02, E05, E06, E07, E08 or E09 "
               "and 6 digits)", c.column("residence_code"))
        place, place_code = split_place(c, "place", "Place")
        unsafe, unsafe_code = split_place(c, "unsafe_place", "Unsafe place")
        respondent = c.column("respondent_id")
        return self.accept({
            "survey": pc.utf8_trim_whitespace(c.column("survey")),
            "response_id": pc.utf8_trim_whitespace(c.column("response_id")),
            "respondent_id": pc.utf8_lower(pc.utf8_trim_whitespace(respondent)),
            "wave": c.column("wave"),
            "month": month,
            "age_band": age,
            "residence_code": residence,
            "place": place,
            "place_code": place_code,
            "safety_rating": rating,
            "unsafe_place": unsafe,
            "unsafe_place_code": unsafe_code,
            "comment": c.column("comment"),
        }, c.problems(), lines, ctx)


SOURCES = (EngagementSurvey(),)
