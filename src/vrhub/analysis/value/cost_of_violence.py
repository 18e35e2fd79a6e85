"""The cost to society of an area's recorded serious violence, from the Home Office unit costs of crime, stated as a
range.

cost = Σ over categories c of  recorded(c) × unit cost(c, 2015/16 prices) × deflator(Y) / deflator(2015/16)

- Unit costs: Heeks M, Reed S, Tafsiri M & Prince S (2018) *The economic and social costs of crime*, 2nd ed., Home
  Office Research Report 99, Table 1 (the average cost of one crime: anticipation, consequences and response), in
  2015/16 prices (``data/unit_costs_of_crime_2015_16.csv``). Only verified rows are used: a category without one is
  named and left out, never guessed.
- Rebasing: to the financial year Y holding the middle month of the period, with the GDP deflator at market prices
  (HM Treasury's series of ONS L8GG, ``data/gdp_deflators_hmt_march_2026.csv``; a forecast year is said to be one),
  as the Green Book (HM Treasury 2022, Annex A) converts to real prices.
- The range: the *low* end costs the police-recorded crimes only. Recorded crime understates incidence (the unit
  costs are per incident; the Crime Survey for England and Wales shows many violent and most sexual offences are
  never reported), so the low end is a floor. The *high* end multiplies each category by the factor in
  ``data/cost_of_violence_range.csv`` — a stated planning assumption (×2; homicide ×1), not a published figure.
  Heeks et al. give one average per crime, not an interval, so no narrower or better-sourced range is claimed.
- Release: the counts given are the page's own (rounded and suppressed in a release copy); a suppressed count
  (``None``) is left out of the total and named, so the cost never lets anyone solve back a suppressed count.

Figures are shown to two significant figures (:func:`money_words`): the inputs carry no more precision than that.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

from vrhub.analysis.value.deflators import load_gdp_deflators
from vrhub.analysis.value.unit_costs import CITATION, load_unit_costs
from vrhub.domain.periods import financial_year

RANGE_FILE = "cost_of_violence_range.csv"
#: ONS offence sub-groups (force crime records) → Heeks et al.'s categories
BY_SUBGROUP = {"Homicide": "homicide", "Violence with injury": "violence_with_injury",
               "Violence without injury": "violence_without_injury", "Rape": "rape",
               "Other sexual offences": "other_sexual_offences", "Robbery": "robbery"}
#: police.uk categories that map to one Heeks category (the others span several and cannot be costed)
BY_POLICE_UK = {"Robbery": "robbery"}


@dataclass(frozen=True)
class CostLine:
    category: str
    label: str
    records: int | None  # None: suppressed in a release copy
    unit_cost: float | None  # in the price year; None: no verified unit cost
    low: float | None
    high: float | None
    multiplier: float


@dataclass
class CostOfViolence:
    """The cost of the recorded serious violence of one period, low to high, in one price year."""

    price_year: str
    months: int
    source: str
    lines: list[CostLine]
    low: float
    high: float
    forecast: bool
    deflator_edition: str
    uncosted: list[str] = field(default_factory=list)  # what was left out, and why
    citation: str = CITATION

    @property
    def annual(self) -> bool:
        return self.months == 12

    def sentence(self, period: str) -> str:
        """The finding as a board reads it: a range, its price year, and that it is a floor of the true cost."""
        what = "a year" if self.annual else f"these {self.months} months"
        return (f"The police-recorded serious violence of {what} ({period}) cost society an estimated "
                f"{money_words(self.low)} to {money_words(self.high)} ({self.price_year} prices"
                + (", a forecast deflator" if self.forecast else "") + "; Home Office unit costs of crime). "
                "Police-recorded counts understate how much violence happens, so even the upper figure may be low.")

    def to_json(self) -> dict[str, Any]:
        return {"price_year": self.price_year, "months": self.months, "source": self.source, "low": self.low,
                "high": self.high, "forecast": self.forecast, "deflators": self.deflator_edition,
                "uncosted": self.uncosted, "citation": self.citation,
                "lines": [vars(line) for line in self.lines]}


@lru_cache(maxsize=1)
def load_range_multipliers() -> dict[str, tuple[float, str]]:
    """Category → (high-end multiplier, its basis), from the shipped file."""
    text = resources.files("vrhub.analysis.value").joinpath("data", RANGE_FILE).read_text(encoding="utf-8")
    return {r["category"]: (float(r["high_multiplier"]), r["basis"]) for r in csv.DictReader(io.StringIO(text))}


def middle_financial_year(start: dt.date, end: dt.date) -> str:
    """The UK financial year (April–March) holding the middle month of ``start``..``end``."""
    n = (end.year - start.year) * 12 + end.month - start.month
    mid_index = start.month - 1 + n // 2
    year, month = start.year + mid_index // 12, mid_index % 12 + 1
    return financial_year(year if month >= 4 else year - 1)


def cost_of_violence(counts: Mapping[str, int | None], *, start: dt.date, end: dt.date, source: str,
                     uncosted: list[str] | None = None) -> CostOfViolence:
    """Cost the recorded ``counts`` by Heeks category (``None`` = suppressed) for the period ``start``..``end``."""
    price_year = middle_financial_year(start, end)
    deflators = load_gdp_deflators()
    table = load_unit_costs().rebased(price_year, deflators)
    ranges = load_range_multipliers()
    lines, left_out = [], list(uncosted or [])
    for category, n in counts.items():
        entry = table.entries.get(category)
        label = entry.label if entry else category.replace("_", " ")
        mult = ranges.get(category, (1.0, ""))[0]
        if entry is None or not entry.usable or entry.cost is None:
            lines.append(CostLine(category, label, n, None, None, None, mult))
            left_out.append(f"{label}: no verified unit cost in the shipped table (Heeks et al. 2018, Table 1), "
                            "so not costed")
            continue
        unit = entry.cost.amount
        if n is None:
            lines.append(CostLine(category, label, None, unit, None, None, mult))
            left_out.append(f"{label}: a small count, suppressed in this copy, so not costed")
            continue
        lines.append(CostLine(category, label, n, unit, n * unit, n * unit * mult, mult))
    low = sum(x.low for x in lines if x.low is not None)
    high = sum(x.high for x in lines if x.high is not None)
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return CostOfViolence(price_year, months, source, lines, low, high, deflators.is_forecast(price_year),
                          deflators.edition, left_out)


def significant(x: float, digits: int = 2) -> float:
    """``x`` to ``digits`` significant figures."""
    if x == 0:
        return 0.0
    return round(x, digits - 1 - math.floor(math.log10(abs(x))))


def money_words(x: float) -> str:
    """£ to two significant figures, in words a board reads (£38m, £1.2bn, £450,000)."""
    v = significant(x)
    if v >= 1e9:
        return f"£{v / 1e9:g}bn"
    if v >= 1e6:
        return f"£{v / 1e6:g}m"
    return f"£{v:,.0f}"
