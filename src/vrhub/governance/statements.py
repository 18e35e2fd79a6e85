"""Plain sentences about what a service delivered, written from providers' returns, of the kind a PCC annual
report prints ("St Giles Trust delivered 46 workshops reaching 5,276 young people (Sep 2023–Jul 2024)").

Each :class:`Statement` carries the source file(s) and row numbers it was computed from, so every figure in a
report can be traced to a return. Counts of the same measure are added across periods only when the periods do
not overlap (an overlap would count the same work twice); overlapping periods are reported in ``warnings``.
Counts of young people reached are contacts as the provider reports them, not unique people.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, field

from vrhub.domain.periods import Period
from vrhub.domain.periods import parse_period as parse_period  # the one period grammar
from vrhub.governance.returns import MEASURES, Return


@dataclass(frozen=True)
class Statement:
    service: str
    provider: str
    period_start: dt.date
    period_end: dt.date
    text: str
    sources: tuple[tuple[str, int], ...]  # (file, row)


@dataclass
class ServiceReport:
    service: str
    period: tuple[dt.date, dt.date] | None
    statements: list[Statement] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def period_label(start: dt.date, end: dt.date) -> str:
    """``Sep 2023–Jul 2024``; ``Sep 2023`` for one month."""
    if (start.year, start.month) == (end.year, end.month):
        return f"{start:%b %Y}"
    return f"{start:%b %Y}–{end:%b %Y}"


def service_report(returns: list[Return], service: str,
                   period: Period | tuple[dt.date, dt.date] | None = None) -> ServiceReport:
    """Statements for one service: per provider, its returns (within ``period`` if given) added up.

    ``period`` is a :class:`~vrhub.domain.periods.Period` (see :func:`parse_period`) or (first day, last day)."""
    if isinstance(period, Period):
        period = period.days
    report = ServiceReport(service, period)
    rows = [r for r in returns if r.service == service and
            (period is None or (r.period_start >= period[0] and r.period_end <= period[1]))]
    by_provider: dict[str, list[Return]] = defaultdict(list)
    for r in rows:
        by_provider[r.provider].append(r)
    for provider in sorted(by_provider):
        report.statements.extend(_provider_statements(service, provider, by_provider[provider], report.warnings))
    return report


def _provider_statements(service: str, provider: str, rows: list[Return], warnings: list[str]) -> list[Statement]:
    by_measure: dict[str, list[Return]] = defaultdict(list)
    for r in rows:
        by_measure[r.measure].append(r)
    for m, rs in by_measure.items():
        rs.sort(key=lambda r: r.period_start)
        for a, b in itertools.pairwise(rs):
            if b.period_start <= a.period_end:
                warnings.append(f"{provider}, {m}: periods {period_label(a.period_start, a.period_end)} and "
                                f"{period_label(b.period_start, b.period_end)} overlap ({a.source_file} row {a.row}, "
                                f"{b.source_file} row {b.row}); the sum may count the same work twice")

    def total(m: str) -> tuple[str, list[Return]] | None:
        rs = by_measure.pop(m, None)
        if not rs:
            return None
        qual = next((r.qualifier for r in rs if r.qualifier), "")
        return (f"{qual} " if qual else "") + f"{sum(r.value for r in rs):,}", rs

    out: list[Statement] = []

    def say(text: str, used: list[Return]) -> None:
        start, end = min(r.period_start for r in used), max(r.period_end for r in used)
        out.append(Statement(service, provider, start, end, f"{text} ({period_label(start, end)})",
                             tuple((r.source_file, r.row) for r in used)))

    w, yp = total("workshops"), total("young_people_reached")
    if w and yp:
        say(f"{provider} delivered {w[0]} workshops reaching {yp[0]} young people", w[1] + yp[1])
    else:
        for got, label in ((w, "workshops"), (yp, "young people reached")):
            if got:
                say(f"{provider} reported {got[0]} {label}", got[1])
    if (wp := total("workshops_professional")):
        say(f"{provider} delivered {wp[0]} workshops in professional settings", wp[1])
    prim, sec = by_measure.pop("schools_primary", []), by_measure.pop("schools_secondary", [])
    if prim or sec:
        p, s = sum(r.value for r in prim), sum(r.value for r in sec)
        say(f"{provider} worked in {p + s:,} schools ({p:,} primary, {s:,} secondary)", prim + sec)
    surveys, agree = total("surveys_completed"), total("surveys_agree_or_strongly_agree")
    if surveys and agree:
        n, a = sum(r.value for r in surveys[1]), sum(r.value for r in agree[1])
        share = f" ({a / n:.0%})" if n else ""
        say(f"Of {surveys[0]} surveys completed for {provider}, {agree[0]}{share} agreed or strongly agreed",
            surveys[1] + agree[1])
    elif surveys:
        say(f"{surveys[0]} surveys were completed for {provider}", surveys[1])
    elif agree:
        say(f"{agree[0]} surveys for {provider} agreed or strongly agreed", agree[1])
    if (eng := total("young_people_engaged")):
        say(f"{provider} engaged {eng[0]} young people", eng[1])
    for m in sorted(by_measure):
        got = total(m)
        if got:
            say(f"{provider} reported {got[0]} {MEASURES.get(m, m)}", got[1])
    return out
