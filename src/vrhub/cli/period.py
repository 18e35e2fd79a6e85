"""The ``--from YYYY-MM --to YYYY-MM`` options shared by the commands that take a period."""

from __future__ import annotations

import datetime as dt

import typer

from vrhub.domain.errors import PeriodError


def month_options(start: str | None, end: str | None) -> tuple[dt.date | None, dt.date | None]:
    """``--from`` and ``--to`` as first days of months (``None`` where not given); a bad month or a reversed
    period is a usage error that names the option and says what to write."""
    from vrhub.analysis.profile import parse_month

    months = []
    for text, hint in ((start, "--from"), (end, "--to")):
        try:
            months.append(parse_month(text) if text else None)
        except PeriodError as exc:
            raise PeriodError(exc.message, exc.hint, option=hint) from exc
    lo, hi = months
    if lo and hi and lo > hi:
        raise typer.BadParameter(f"--from {start} is after --to {end}: swap them", param_hint="--from")
    return lo, hi
