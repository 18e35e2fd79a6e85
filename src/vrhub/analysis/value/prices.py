"""Money with a price year: amounts of different price years cannot be added by accident.

HM Treasury's Green Book (2022, §5.32-5.35 and Annex A) requires costs and benefits to be expressed in
the prices of one base year ("real terms") before they are added or compared; :class:`Money` enforces it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vrhub.domain.errors import PriceYearMismatchError as PriceYearMismatchError
from vrhub.domain.errors import ValueInputError as ValueInputError  # re-exported: the tree is in domain.errors
from vrhub.domain.periods import financial_year as financial_year  # re-exported: one reader of financial years


@dataclass(frozen=True)
class Money:
    """An amount in pounds sterling at the prices of one financial year."""

    amount: float
    price_year: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "price_year", financial_year(self.price_year))
        object.__setattr__(self, "amount", float(self.amount))

    def _check(self, other: Money, verb: str) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot {verb} Money and {type(other).__name__}")
        if other.price_year != self.price_year:
            raise PriceYearMismatchError(
                f"cannot {verb} £ amounts in {self.price_year} prices and {other.price_year} prices",
                f"rebase one of them first, e.g. rebase(amount, to_year='{self.price_year}') with the "
                "HM Treasury GDP deflators",
            )

    def __add__(self, other: Money) -> Money:
        if isinstance(other, int | float) and other == 0:  # allows sum() to start from 0
            return self
        self._check(other, "add")
        return Money(self.amount + other.amount, self.price_year)

    __radd__ = __add__

    def __sub__(self, other: Money) -> Money:
        self._check(other, "subtract")
        return Money(self.amount - other.amount, self.price_year)

    def __mul__(self, factor: float) -> Money:
        if isinstance(factor, Money):
            raise TypeError("cannot multiply two amounts of money")
        return Money(self.amount * float(factor), self.price_year)

    __rmul__ = __mul__

    def __truediv__(self, other: float | Money) -> Money | float:
        if isinstance(other, Money):
            self._check(other, "divide")
            return self.amount / other.amount
        return Money(self.amount / float(other), self.price_year)

    def __str__(self) -> str:
        return f"{format_gbp(self.amount)} ({self.price_year} prices)"


def total(amounts: Iterable[Money]) -> Money:
    """Sum amounts of one price year (raises :class:`PriceYearMismatchError` otherwise)."""
    items = list(amounts)
    if not items:
        raise ValueInputError("nothing to add up", "pass at least one amount")
    out = items[0]
    for item in items[1:]:
        out = out + item
    return out


def format_gbp(amount: float) -> str:
    """£ with thousands separators; whole pounds above £100, pence below."""
    if amount != amount:  # NaN
        return "£–"
    sign = "-" if amount < 0 else ""
    a = abs(amount)
    if a == float("inf"):
        return f"{sign}unbounded"
    return f"{sign}£{a:,.0f}" if a >= 100 else f"{sign}£{a:,.2f}"
