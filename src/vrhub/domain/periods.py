"""One grammar for periods, shared by every command, the hub and the SNA.

======================  ==========================================  ===============================
written                 means                                       e.g.
======================  ==========================================  ===============================
``YYYY-MM``             one month                                   ``2023-04``
``FROM..TO``            months FROM to TO, both included            ``2023-04..2024-03``
``YYYY/YY``             a UK financial year, April to March         ``2023/24``
``YYYY``                a calendar year, January to December        ``2023``
``last-N-months``       the N whole months before the current one   ``last-12-months``
``DATE:DATE``           days, both included                         ``2023-09-01:2024-07-31``
======================  ==========================================  ===============================

:func:`parse_period` reads any of them into a :class:`Period`; :func:`parse_month` reads one month (the
``--from``/``--to`` options). A text that cannot be read, or a period that ends before it starts, is a
:class:`~vrhub.domain.errors.PeriodError` that names the text and shows what to write.

The UK financial year (1 April to 31 March) is HM Treasury's, as used by the Home Office's VRU grant and the
SVD's annual Strategic Needs Assessment.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from vrhub.domain.errors import PeriodError, ValueInputError

GRAMMAR = "2023-04, 2023-04..2024-03, 2023/24, 2023, last-12-months or 2023-09-01:2024-07-31"
_MONTH = re.compile(r"(\d{4})-(\d{1,2})")


@dataclass(frozen=True)
class Period:
    """Days ``start``..``end``, both included. ``text`` is what was written (or a label made from the days)."""

    start: dt.date
    end: dt.date
    text: str = ""

    @property
    def days(self) -> tuple[dt.date, dt.date]:
        """(first day, last day)."""
        return self.start, self.end

    @property
    def months(self) -> tuple[dt.date, dt.date]:
        """(first day of the first month, first day of the last month): how the lake keys monthly records."""
        return self.start.replace(day=1), self.end.replace(day=1)

    @property
    def label(self) -> str:
        """``Sep 2023–Jul 2024``; ``Sep 2023`` for one month."""
        if (self.start.year, self.start.month) == (self.end.year, self.end.month):
            return f"{self.start:%b %Y}"
        return f"{self.start:%b %Y}–{self.end:%b %Y}"

    @classmethod
    def of_months(cls, first: dt.date, last: dt.date, text: str = "") -> Period:
        """The whole months from ``first``'s month to ``last``'s month; a :class:`PeriodError` if reversed."""
        lo, hi = first.replace(day=1), last.replace(day=1)
        if hi < lo:
            shown = text or f"{lo:%Y-%m}..{hi:%Y-%m}"
            raise PeriodError(f"the period {shown} ends before it starts: write the earlier month first, "
                              f"e.g. 2023-04..2024-03", "write the earlier month first")
        return cls(lo, _month_end(hi), text)


def _month_end(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def parse_month(text: str) -> dt.date:
    """``YYYY-MM`` → the first day of that month; anything else is a :class:`PeriodError` that says what to write."""
    match = _MONTH.fullmatch(text.strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        raise PeriodError(f"'{text}' is not a month: write YYYY-MM, e.g. 2023-04", "write the month as YYYY-MM")
    return dt.date(int(match[1]), int(match[2]), 1)


def _month_in(text: str, whole: str) -> dt.date:
    match = _MONTH.fullmatch(text.strip())
    if match is None:
        raise PeriodError(f"'{whole}' is not a period: write FROM..TO in months, e.g. 2023-04..2024-03",
                          f"write one of {GRAMMAR}")
    if not 1 <= int(match[2]) <= 12:
        raise PeriodError(f"'{whole}' has a month outside 01-12: write months as YYYY-MM, e.g. 2023-04..2024-03",
                          "write months as YYYY-MM")
    return dt.date(int(match[1]), int(match[2]), 1)


def parse_period(text: str, *, today: dt.date | None = None) -> Period:
    """Read ``text`` in the grammar of the module docstring. ``today`` anchors ``last-N-months`` (default: today)."""
    t = text.strip()
    if m := re.fullmatch(r"last-(\d{1,3})-months?", t, re.IGNORECASE):
        n = int(m[1])
        if n < 1:
            raise PeriodError(f"'{text}' has no months: write last-N-months with N of 1 or more", "e.g. last-12-months")
        this = (today or dt.date.today()).replace(day=1)
        last = (this - dt.timedelta(days=1)).replace(day=1)
        first_index = last.year * 12 + last.month - 1 - (n - 1)
        return Period.of_months(dt.date(first_index // 12, first_index % 12 + 1, 1), last, t)
    if m := re.fullmatch(r"(\d{4})/(\d{2})", t):
        y = int(m[1])
        if (y + 1) % 100 != int(m[2]):
            raise PeriodError(f"'{text}' is not a financial year: the second year follows the first, "
                              f"e.g. {y}/{(y + 1) % 100:02d}", f"write {y}/{(y + 1) % 100:02d}")
        return Period(dt.date(y, 4, 1), dt.date(y + 1, 3, 31), t)
    if re.fullmatch(r"\d{4}", t):
        y = int(t)
        return Period(dt.date(y, 1, 1), dt.date(y, 12, 31), t)
    if ":" in t:
        a, b = t.split(":", 1)
        try:
            start, end = dt.date.fromisoformat(a.strip()), dt.date.fromisoformat(b.strip())
        except ValueError:
            raise PeriodError(f"'{text}' is not a period of days: write DATE:DATE, e.g. 2023-09-01:2024-07-31",
                              f"write one of {GRAMMAR}") from None
        if end < start:
            raise PeriodError(f"the period {text} ends before it starts: write the earlier day first",
                              "write the earlier day first")
        return Period(start, end, t)
    if ".." in t:
        a, b = t.split("..", 1)
        return Period.of_months(_month_in(a, text), _month_in(b, text), t)
    return Period.of_months(_month_in(t, text), _month_in(t, text), t)


def resolve(period: str | None = None, start: str | None = None, end: str | None = None, *,
            today: dt.date | None = None) -> Period | OpenPeriod | None:
    """The period of the shared ``--period`` / ``--from`` / ``--to`` options (``None``: every loaded month).

    ``--period`` takes the whole grammar; ``--from`` and ``--to`` take months and may be given alone (the other
    end is then open: the first or last loaded month, filled in by the analysis). Giving ``--period`` with
    ``--from`` or ``--to`` is refused, as is a reversed period. Each error names its option.
    """
    if period and (start or end):
        raise PeriodError("give either --period or --from/--to, not both", "drop one of them", option="--period")
    if period:
        try:
            return parse_period(period, today=today)
        except PeriodError as exc:
            raise PeriodError(exc.message, exc.hint, option="--period") from None
    months: list[dt.date | None] = []
    for text, option in ((start, "--from"), (end, "--to")):
        try:
            months.append(parse_month(text) if text else None)
        except PeriodError as exc:
            raise PeriodError(exc.message, exc.hint, option=option) from None
    lo, hi = months
    if lo and hi and lo > hi:
        raise PeriodError(f"--from {start} is after --to {end}: swap them", "swap --from and --to", option="--from")
    if lo is None and hi is None:
        return None
    return OpenPeriod(lo, hi)


@dataclass(frozen=True)
class OpenPeriod:
    """``--from`` and/or ``--to`` months; an end not given is ``None`` (the analysis fills in the loaded months)."""

    first: dt.date | None
    last: dt.date | None

    @property
    def months(self) -> tuple[dt.date | None, dt.date | None]:
        return self.first, self.last

    @property
    def days(self) -> tuple[dt.date | None, dt.date | None]:
        return self.first, _month_end(self.last) if self.last else None


_FINANCIAL_YEAR = re.compile(r"^\s*(\d{4})\s*[/\-–]\s*(\d{2}|\d{4})\s*$")


def financial_year(value: str | int) -> str:
    """Normalise a UK financial year to ``"2015/16"``. Accepts ``"2015/16"``, ``"2015-16"``, ``"2015-2016"``
    or the starting calendar year as an int (``2015``)."""
    if isinstance(value, int):
        start = value
    else:
        m = _FINANCIAL_YEAR.match(str(value))
        if not m:
            raise ValueInputError(
                f"{value!r} is not a financial year", "write it as '2024/25' (April 2024 to March 2025)"
            )
        start = int(m.group(1))
        end = m.group(2)
        if int(end[-2:]) != (start + 1) % 100:
            raise ValueInputError(
                f"{value!r} is not a financial year: the second year must follow the first",
                "write it as '2024/25'",
            )
    if not 1900 <= start <= 2200:
        raise ValueInputError(f"financial year {value!r} is out of range", "write it as '2024/25'")
    return f"{start}/{(start + 1) % 100:02d}"
