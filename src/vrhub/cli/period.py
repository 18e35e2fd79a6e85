"""The ``--period``, ``--from`` and ``--to`` options every command that takes a period shares.

The grammar is :mod:`vrhub.domain.periods`'s; a bad value is a :class:`~vrhub.domain.errors.PeriodError` naming
its option, which the command line shows as a usage error (exit 2).
"""

from __future__ import annotations

import datetime as dt

import typer

from vrhub.domain.periods import GRAMMAR, resolve

PERIOD = typer.Option(None, "--period", help=f"The period: {GRAMMAR}.")
FROM = typer.Option(None, "--from", help="First month, YYYY-MM (default: the first loaded).")
TO = typer.Option(None, "--to", help="Last month, YYYY-MM (default: the last loaded).")


def month_options(start: str | None, end: str | None, period: str | None = None
                  ) -> tuple[dt.date | None, dt.date | None]:
    """The first days of the first and last months asked for (``None`` where open)."""
    p = resolve(period, start, end)
    return p.months if p is not None else (None, None)


def day_options(start: str | None, end: str | None, period: str | None = None
                ) -> tuple[dt.date, dt.date] | None:
    """The first and last days asked for, or ``None`` for no period; an open end is refused."""
    p = resolve(period, start, end)
    if p is None:
        return None
    lo, hi = p.days
    if lo is None or hi is None:
        from vrhub.domain.errors import PeriodError

        raise PeriodError("this command needs both ends of the period", "give --period, or both --from and --to",
                          option="--from" if lo is None else "--to")
    return lo, hi
