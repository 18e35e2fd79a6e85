"""Rebasing money to another financial year's prices with HM Treasury GDP deflators.

amount_in_Y = amount_in_X × deflator(Y) / deflator(X)  (HM Treasury, *GDP deflators at market prices, and
money GDP*; Green Book 2022, Annex A, "converting to real prices"). The table ships in
``data/gdp_deflators_hmt_march_2026.csv`` with its edition; years after the last outturn are OBR forecasts
and the result says so.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from vrhub.analysis.value.prices import Money, ValueInputError, financial_year

DEFLATOR_FILE = "gdp_deflators_hmt_march_2026.csv"


@dataclass(frozen=True)
class DeflatorTable:
    """GDP deflator index by financial year (``"2015/16"`` → index), from one HM Treasury edition."""

    edition: str
    base_year: str
    index: dict[str, float]
    forecast_years: frozenset[str]

    @property
    def years(self) -> tuple[str, ...]:
        return tuple(sorted(self.index))

    def value(self, year: str | int) -> float:
        fy = financial_year(year)
        if fy not in self.index:
            raise ValueInputError(
                f"no GDP deflator for {fy} in {self.edition}",
                f"choose a year from {self.years[0]} to {self.years[-1]}, or replace "
                f"{DEFLATOR_FILE} with a newer HM Treasury edition",
            )
        return self.index[fy]

    def factor(self, from_year: str | int, to_year: str | int) -> float:
        """Multiply an amount in ``from_year`` prices by this to express it in ``to_year`` prices."""
        return self.value(to_year) / self.value(from_year)

    def rebase(self, money: Money, to_year: str | int) -> Money:
        return Money(money.amount * self.factor(money.price_year, to_year), financial_year(to_year))

    def is_forecast(self, year: str | int) -> bool:
        return financial_year(year) in self.forecast_years


@lru_cache(maxsize=1)
def load_gdp_deflators() -> DeflatorTable:
    """The shipped HM Treasury GDP deflator table (financial years)."""
    text = resources.files("vrhub.analysis.value").joinpath("data", DEFLATOR_FILE).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    editions = {r["edition"] for r in rows}
    bases = {r["base_year"] for r in rows}
    if len(editions) != 1 or len(bases) != 1:
        raise ValueInputError(
            f"{DEFLATOR_FILE} mixes editions or base years ({sorted(editions)}, {sorted(bases)})",
            "use one HM Treasury edition throughout the file",
        )
    return DeflatorTable(
        edition=editions.pop(),
        base_year=financial_year(bases.pop()),
        index={financial_year(r["financial_year"]): float(r["gdp_deflator_index"]) for r in rows},
        forecast_years=frozenset(financial_year(r["financial_year"]) for r in rows if r["status"] == "forecast"),
    )


def rebase(money: Money, to_year: str | int, deflators: DeflatorTable | None = None) -> Money:
    """Express ``money`` in ``to_year`` prices (default table: the shipped HM Treasury edition)."""
    return (deflators or load_gdp_deflators()).rebase(money, to_year)
