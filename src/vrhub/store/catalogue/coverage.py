"""Which dataset version is read for each force-month: per supplier, newest first, never by a stray row.

Every dataset version records the force-months it covers (``DatasetCoverage``) and who supplied it (its partner,
the **supplier**). Three rules decide what the engine reads (docs/workspace.md#supersession):

1. **Per supplier, the newest version is current.** A force-month that arrives again from the same supplier with
   different content is a new version (a revision, e.g. police.uk republishing a month); both are kept and the
   newer one is read. (The same bytes again are a duplicate: nothing new is created.)
2. **A file does not supersede a force-month it barely covers.** When a new version has fewer than
   ``STRAY_SHARE`` (5%) of its own largest force-month's rows in a force-month, and fewer than half the rows the
   current version has there, its coverage of that month is marked ``supersedes = False`` when it is registered:
   the rows are kept but the current version stays current (17,791 October rows are not hidden by one stray October
   row in a November file). It is read only if no other version of that month is left (e.g. the other is withdrawn).
3. **One supplier never silently replaces another.** If two suppliers cover the same force-month, the one that
   supplied it first is read, and the pair is reported as a conflict (``conflicts``) until one version is withdrawn.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

STRAY_SHARE = 0.05
STRAY_OF_CURRENT = 0.5

ForceMonth = tuple[str, dt.date]


@dataclass(frozen=True)
class CoverageRow:
    """One force-month of one version, with what decides whether it is read."""

    dataset_id: str
    supplier: int | None  # the partner id (None: no partner named)
    force: str
    month: dt.date
    rows: int
    received_at: dt.datetime
    supersedes: bool = True

    @property
    def key(self) -> ForceMonth:
        return self.force, self.month

    @property
    def order(self) -> tuple[dt.datetime, str]:
        return self.received_at, self.dataset_id


@dataclass(frozen=True)
class Conflict:
    """Two suppliers cover the same force-month: ``read`` is the one read (it came first), ``other`` is not."""

    force: str
    month: dt.date
    read: CoverageRow
    other: CoverageRow


def current_per_supplier(rows: Iterable[CoverageRow]) -> dict[tuple[int | None, str, dt.date], CoverageRow]:
    """The current version of each supplier × force × month (rules 1 and 2)."""
    groups: dict[tuple[int | None, str, dt.date], list[CoverageRow]] = defaultdict(list)
    for r in rows:
        groups[(r.supplier, r.force, r.month)].append(r)
    out = {}
    for key, versions in groups.items():
        eligible = [v for v in versions if v.supersedes] or versions
        out[key] = max(eligible, key=lambda v: v.order)
    return out


def _first_supplier(rows: list[CoverageRow]) -> dict[ForceMonth, int | None]:
    first: dict[ForceMonth, CoverageRow] = {}
    for r in rows:
        if r.key not in first or r.order < first[r.key].order:
            first[r.key] = r
    return {k: r.supplier for k, r in first.items()}


def current(rows: Iterable[CoverageRow]) -> dict[ForceMonth, CoverageRow]:
    """The version read for each force-month: the current version of the supplier who supplied it first."""
    rows = list(rows)
    established = _first_supplier(rows)
    return {(force, month): r for (supplier, force, month), r in current_per_supplier(rows).items()
            if established[(force, month)] == supplier}


def conflicts(rows: Iterable[CoverageRow]) -> list[Conflict]:
    """Every force-month that another supplier also covers, with the version read and the one not read."""
    rows = list(rows)
    read = current(rows)
    out = [Conflict(r.force, r.month, read[r.key], r) for r in current_per_supplier(rows).values()
           if read[r.key].supplier != r.supplier]
    return sorted(out, key=lambda c: (c.force, c.month, c.other.order))


def barely_covered(new: dict[ForceMonth, int], supplier: int | None, existing: Iterable[CoverageRow],
                   ) -> dict[ForceMonth, CoverageRow]:
    """The force-months a new version (rows per force-month ``new``) must not supersede (rule 2), each with the
    version that stays current there."""
    if not new:
        return {}
    largest = max(new.values())
    mine = current_per_supplier(r for r in existing if r.supplier == supplier)
    out = {}
    for (force, month), n in new.items():
        kept = mine.get((supplier, force, month))
        if kept is not None and n < STRAY_SHARE * largest and n < STRAY_OF_CURRENT * kept.rows:
            out[(force, month)] = kept
    return out
