"""Home Office unit costs of crime (Heeks et al. 2018), held as a sourced CSV with its price year.

Heeks M, Reed S, Tafsiri M & Prince S (2018) *The economic and social costs of crime*, 2nd ed., Home Office
Research Report 99, Table 1: the average cost to society of one crime (anticipation, consequences and
response), in 2015/16 prices. Rows the project could not verify carry no figure and are refused.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources

from vrhub.analysis.value.deflators import DeflatorTable, load_gdp_deflators
from vrhub.analysis.value.prices import Money, ValueInputError, financial_year

UNIT_COST_FILE = "unit_costs_of_crime_2015_16.csv"
CITATION = (
    "Heeks M, Reed S, Tafsiri M & Prince S (2018) The economic and social costs of crime, 2nd ed. "
    "Home Office Research Report 99, Table 1 (2015/16 prices)."
)


@dataclass(frozen=True)
class UnitCost:
    category: str
    label: str
    cost: Money | None
    verification: str  # "checked", "project-brief" or "unverified"
    source: str
    source_table: str
    note: str = ""

    @property
    def usable(self) -> bool:
        return self.cost is not None and self.verification != "unverified"


@dataclass(frozen=True)
class UnitCostTable:
    """Unit costs by category, all in one price year (rebased with :meth:`rebased`)."""

    entries: dict[str, UnitCost]
    price_year: str
    citation: str = CITATION
    rebased_with: str = ""

    @property
    def categories(self) -> tuple[str, ...]:
        return tuple(self.entries)

    def cost(self, category: str) -> Money:
        """The unit cost of ``category``; refuses unverified or missing figures."""
        if category not in self.entries:
            raise ValueInputError(
                f"no unit cost for {category!r}",
                f"use one of: {', '.join(c for c, e in self.entries.items() if e.usable)}",
            )
        entry = self.entries[category]
        if not entry.usable or entry.cost is None:
            raise ValueInputError(
                f"the unit cost of {entry.label} is not verified ({entry.note or 'no figure held'})",
                f"enter the figure from {entry.source}, {entry.source_table}, in {UNIT_COST_FILE} and set "
                "verification to 'checked', or leave this category out",
            )
        return entry.cost

    def rebased(self, to_year: str | int, deflators: DeflatorTable | None = None) -> UnitCostTable:
        """The same table in ``to_year`` prices (HM Treasury GDP deflators)."""
        table = deflators or load_gdp_deflators()
        entries = {
            k: replace(e, cost=None if e.cost is None else table.rebase(e.cost, to_year))
            for k, e in self.entries.items()
        }
        return UnitCostTable(
            entries=entries,
            price_year=financial_year(to_year),
            citation=self.citation,
            rebased_with=f"rebased from {self.price_year} with {table.edition}",
        )


@lru_cache(maxsize=1)
def load_unit_costs() -> UnitCostTable:
    """The shipped Home Office unit costs of crime (2015/16 prices)."""
    text = resources.files("vrhub.analysis.value").joinpath("data", UNIT_COST_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    years = {financial_year(r["price_year"]) for r in rows}
    if len(years) != 1:
        raise ValueInputError(
            f"{UNIT_COST_FILE} mixes price years {sorted(years)}",
            "hold one price year per file; rebase with the GDP deflators before combining",
        )
    price_year = years.pop()
    entries = {}
    for r in rows:
        raw = r["unit_cost_gbp"].strip()
        entries[r["category"]] = UnitCost(
            category=r["category"],
            label=r["label"],
            cost=Money(float(raw), price_year) if raw else None,
            verification=r["verification"],
            source=r["source"],
            source_table=r["source_table"],
            note=r["note"],
        )
    return UnitCostTable(entries=entries, price_year=price_year)
