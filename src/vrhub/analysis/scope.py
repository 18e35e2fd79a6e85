"""Which records an analysis reads: police.uk street records classified by the partnership's definition, with a
serious-violence status (definite / possible / not) for all serious violence or one strand, over a period cut to
the loaded months. Shared by the profile, the hot spots and the SNA so that they always count the same records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir

from vrhub.analysis.classify import classify
from vrhub.domain.definitions import Definition
from vrhub.domain.errors import NoDataError, PeriodError, VrhubError
from vrhub.store.engine import Engine

SOURCE = "police_uk_street"


@dataclass(frozen=True)
class Period:
    """The months analysed, the months asked for, and a note when the two differ."""

    start: dt.date
    end: dt.date
    asked: tuple[dt.date, dt.date]
    notes: tuple[str, ...] = ()


def scoped_records(engine: Engine, definition: Definition, strand: str | None = None, *,
                   source: str = SOURCE) -> ir.Table:
    """Classified records of ``source`` (a kind with rules in the definition, e.g. ``police_uk_street`` or
    ``ed_istv``) with ``sv_status``: 'definite', 'possible' (the source cannot tell) or 'not'."""
    if strand and strand not in definition.strands:
        raise NoDataError(f"the definition has no strand {strand!r}", "use one of: " + ", ".join(definition.strands))
    t = classify(engine.table(source), definition, source)
    flag = t[f"strand_{strand}"] if strand else t.is_serious_violence
    return t.mutate(sv_status=ibis.cases((flag, "definite"), (flag.isnull(), "possible"), else_="not"))


def clip_period(t: ir.Table, start: dt.date | None, end: dt.date | None,
                reversed_error: type[VrhubError] = PeriodError, *, what: str = "police.uk street records",
                load_hint: str = "'vrhub ingest police-uk PATH'") -> Period:
    """The period to analyse: ``start``..``end`` (default: every loaded month), cut to the loaded months.

    Months outside the loaded data are never counted as zero: the period is cut, and ``notes`` says so.
    """
    start, end = (start.replace(day=1) if start else None), (end.replace(day=1) if end else None)
    if start and end and start > end:
        raise reversed_error(f"the period starts ({start:%Y-%m}) after it ends ({end:%Y-%m}): swap --from and --to")
    span = t.aggregate(lo=t.month.min(), hi=t.month.max()).to_pyarrow().to_pylist()[0]
    if span["lo"] is None:
        raise NoDataError(f"no {what} are loaded", f"load them with {load_hint}")
    asked = (start or span["lo"], end or span["hi"])
    lo, hi = max(asked[0], span["lo"]), min(asked[1], span["hi"])
    if lo > hi:
        raise NoDataError(f"no {what} from {asked[0]:%Y-%m} to {asked[1]:%Y-%m}",
                          f"the loaded months are {span['lo']:%Y-%m} to {span['hi']:%Y-%m}: choose --from and "
                          "--to within them, or load the missing months")
    notes = ()
    if (lo, hi) != asked:
        notes = (f"the period asked for ({asked[0]:%Y-%m} to {asked[1]:%Y-%m}) was cut to the loaded months, "
                 f"{lo:%Y-%m} to {hi:%Y-%m}: months without data are not counted as zero",)
    return Period(lo, hi, asked, notes)


@dataclass(frozen=True)
class VintageScope:
    """The LSOA vintage an analysis runs on and the records brought onto it from another vintage.

    ``moved`` maps a source vintage to the number of records the ONS lookup reassigned; ``unmatched`` to the records
    whose code the lookup does not list (they keep their code and count as outside the loaded area).
    """

    vintage: int | None
    moved: dict[int, int]
    unmatched: dict[int, int]
    method: str = "best fit"
    #: newer vintage -> records coded to it, which no lookup brings back (they count as outside the loaded area)
    newer: dict[int, int] = field(default_factory=dict)

    @property
    def notes(self) -> list[str]:
        return vintage_notes(self)

    @property
    def figures(self) -> dict[str, int]:
        """The counts stated in the notes, by name (so that a release can restate them protected)."""
        return {**{f"bridged_{v}": n for v, n in self.moved.items()},
                **{f"unmatched_{v}": n for v, n in self.unmatched.items() if n},
                **{f"newer_{v}": n for v, n in self.newer.items()}}


def _count(n: int | None) -> str:
    return "a few (suppressed)" if n is None else f"{n:,}"


def vintage_notes(scope: VintageScope, figures: dict[str, int | None] | None = None) -> list[str]:
    """What the bridge did, in words: "N records from 2011 LSOAs assigned to 2021 LSOAs by the ONS best-fit
    lookup". ``figures`` (as in :attr:`VintageScope.figures`, possibly protected by disclosure control) replace the
    exact counts, so that a released output restates them rounded or suppressed."""
    figs: dict[str, int | None] = {**scope.figures, **(figures or {})}
    method = "best-fit" if scope.method == "best fit" else scope.method
    out = []
    for v in sorted(scope.moved):
        out.append(f"{_count(figs[f'bridged_{v}'])} records from {v} LSOAs assigned to {scope.vintage} LSOAs by the "
                   f"ONS {method} lookup" + (" (an approximation: all records of a 2011 LSOA that was split go to one "
                                             "of its parts)" if scope.method == "best fit" else ""))
    for v in sorted(scope.unmatched):
        if scope.unmatched[v]:
            out.append(f"{_count(figs[f'unmatched_{v}'])} records coded to {v} LSOAs that the lookup does not list "
                       f"kept their {v} codes and count as outside the loaded area")
    for v in sorted(scope.newer):
        out.append(f"{_count(figs[f'newer_{v}'])} records coded to {v} LSOAs that are not {scope.vintage} LSOAs cannot "
                   f"be placed on {scope.vintage} LSOAs (the ONS lookup runs from older to newer areas) and count as "
                   f"outside the loaded area: load LSOA {v} boundaries and run on --vintage {v} to place them")
    return out


def on_vintage(engine: Engine, t: ir.Table, vintage: int | None = None) -> tuple[ir.Table, VintageScope]:
    """``t`` with every record's LSOA on ``vintage`` (default: the newest LSOA vintage loaded), and what was moved.

    Records coded to an older vintage are reassigned by the ONS best-fit lookup
    (:func:`vrhub.store.vintages.to_vintage`: ONS, *LSOA (2011) to LSOA (2021) to Local Authority District (2022)
    Best Fit Lookup for EW*, v2). A table without LSOA vintages, or a workspace without LSOA boundaries, is
    returned unchanged. Raises :class:`NoDataError` for a vintage whose boundaries are not loaded.
    """
    from vrhub.store.geography import Geography

    geo = Geography(engine)
    loaded = geo.vintages("lsoa")
    if vintage is not None and vintage not in loaded:
        raise NoDataError(f"no LSOA {vintage} boundaries are loaded (loaded: "
                          f"{', '.join(map(str, loaded)) or 'none'})",
                          f"load LSOA {vintage} boundaries with 'vrhub geography load PATH', or choose --vintage "
                          + (" or ".join(map(str, loaded)) if loaded else "after loading boundaries"))
    if not loaded or "lsoa_vintage" not in t.columns or "lsoa_code" not in t.columns:
        return t, VintageScope(vintage, {}, {})
    target = vintage or loaded[-1]
    # a newer code that is also a code of ``target`` is the same, unchanged LSOA (ONS keeps codes of unchanged areas)
    same = list(geo.lsoa_codes(target))
    located = t.filter(t.lsoa_code.notnull() & (t.lsoa_vintage > target) & ~t.lsoa_code.isin(same))
    counts = located.group_by("lsoa_vintage").agg(n=located.count()).to_pyarrow().to_pylist()
    newer = {int(r["lsoa_vintage"]): int(r["n"]) for r in counts}
    # newer-coded rows stay as coded (a code shared with ``target`` is the same LSOA; the others count as outside the
    # loaded area, counted and named): marked as ``target`` so that the one-way lookup leaves them alone
    t = t.mutate(lsoa_vintage=(t.lsoa_vintage > target).ifelse(ibis.literal(target).cast(t.lsoa_vintage.type()),
                                                               t.lsoa_vintage))
    bridged, bridge = geo.to_vintage(t, target)
    return bridged, VintageScope(bridge.vintage, dict(bridge.moved), dict(bridge.unmatched), bridge.method, newer)


def strand_ages(definition: Definition, strand: str | None) -> tuple[int, int] | None:
    """The age range a strand is about (e.g. the youth strand's 0–25), when every way into it bounds an age;
    else None. Rates for such a strand are per 1,000 residents of those ages."""
    if not strand or strand not in definition.strands:
        return None
    ranges = []
    for m in definition.strands[strand].include:
        ages = [p for role, p in m.when.items() if "age" in role and p.kind == "range" and p.high is not None]
        if not ages:
            return None
        ranges.append((int(ages[0].low or 0), int(ages[0].high)))
    return (min(r[0] for r in ranges), max(r[1] for r in ranges)) if ranges else None
