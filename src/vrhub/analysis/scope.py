"""Which records an analysis reads: police.uk street records classified by the partnership's definition, with a
serious-violence status (definite / possible / not) for all serious violence or one strand, over a period cut to
the loaded months. Shared by the profile, the hot spots and the SNA so that they always count the same records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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
