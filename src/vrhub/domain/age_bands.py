"""The names vrhub gives population columns, and the age band each stands for.

``age_10_14`` is persons aged 10 to 14; ``age_85_plus`` 85 and over; ``female_16_16`` females aged 16;
``population_0_15`` the IoD denominator of children aged 0–15. ``population_total`` is every age.
"""

from __future__ import annotations

import re

BAND_NAME = re.compile(r"^(?P<who>age|female|male|population)_(?P<lo>\d+)_(?P<hi>\d+|plus)$")


def age_band(column: str) -> tuple[str | None, int, int | None] | None:
    """(sex or None for persons, first age, last age or None for 'and over') of a population column, else None."""
    m = BAND_NAME.match(column)
    if not m:
        return None
    sex = m["who"] if m["who"] in ("female", "male") else None
    return sex, int(m["lo"]), None if m["hi"] == "plus" else int(m["hi"])


def is_population_column(name: str) -> bool:
    return name == "population_total" or age_band(name) is not None
