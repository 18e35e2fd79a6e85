"""Revisions: a force-month that one supplier sent again with different content, and what changed, by category.

police.uk republishes back months as outcomes are updated, and partners send corrected extracts. Each arrival is a
new dataset version of the same supplier × force × month (``vrhub.store.catalogue.coverage``): both are kept and the
newest is read. (The same bytes again are recognised as a duplicate and create nothing.) ``revisions`` lists, for
every supplier × force × month with more than one version, each step from one version to the next with the count of
accepted rows per category before and after (``vrhub datasets --revisions``).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from vrhub.domain.kinds import KINDS
from vrhub.store.catalogue.coverage import CoverageRow
from vrhub.store.workspace import Workspace

ALL = "(all categories)"


@dataclass(frozen=True)
class CategoryChange:
    category: str
    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class Revision:
    """One step from ``previous`` to ``current`` (the newer) version of a supplier × force × month."""

    kind: str
    supplier: str
    force: str
    month: dt.date
    previous: str
    current: str
    received: dt.datetime
    #: every category whose count changed, then the total (``ALL``) whether it changed or not
    changes: list[CategoryChange] = field(default_factory=list)

    @property
    def unchanged(self) -> bool:
        return all(c.change == 0 for c in self.changes)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["month"] = self.month.strftime("%Y-%m")
        d["received"] = self.received.isoformat()
        for c, obj in zip(d["changes"], self.changes, strict=True):
            c["change"] = obj.change
        d["unchanged"] = self.unchanged
        return d


def _steps(rows: list[CoverageRow]) -> list[tuple[CoverageRow, CoverageRow]]:
    """Consecutive (older, newer) versions of each supplier × force × month (months a version barely covers, which
    never replace anything, are not revisions)."""
    groups: dict[tuple[int | None, str, dt.date], list[CoverageRow]] = defaultdict(list)
    for r in rows:
        if r.supersedes:
            groups[(r.supplier, r.force, r.month)].append(r)
    steps = []
    for versions in groups.values():
        versions.sort(key=lambda v: v.order)
        steps += list(itertools.pairwise(versions))
    return steps


def revisions(ws: Workspace, kind: str | None = None) -> list[Revision]:
    """Every revision of the current data of ``kind`` (default: every kind with force-month coverage)."""
    names: dict[int | None, str] = {None: "no partner named", **{p.id: p.name for p in ws.catalogue.partners()}}
    out: list[Revision] = []
    for name in [kind] if kind else sorted(KINDS):
        info = KINDS[name]
        if not info.force_field:
            continue
        steps = _steps(ws.catalogue.coverage_rows(name))
        if not steps:
            continue
        counts = _counts(ws, name, {r.dataset_id for step in steps for r in step})
        for old, new in steps:
            before, after = counts.get((old.dataset_id, old.force, old.month), {}), \
                counts.get((new.dataset_id, new.force, new.month), {})
            categories = sorted(set(before) | set(after)) if info.category_field else []
            changes = [CategoryChange(c, before.get(c, 0), after.get(c, 0)) for c in categories
                       if before.get(c, 0) != after.get(c, 0)]
            changes.append(CategoryChange(ALL, sum(before.values()), sum(after.values())))
            out.append(Revision(name, names.get(new.supplier, str(new.supplier)), new.force, new.month,
                                old.dataset_id, new.dataset_id, new.received_at, changes))
    return sorted(out, key=lambda r: (r.kind, r.force, r.month, r.received))


def _counts(ws: Workspace, kind: str, dataset_ids: set[str]) -> dict[tuple[str, str, dt.date], dict[str, int]]:
    """Accepted rows per (dataset, force, month) and category of the given versions."""
    info = KINDS[kind]
    t = ws.engine().table(kind, dataset_ids=sorted(dataset_ids))
    force = t[info.force_field].fill_null("unknown").name("force")
    category = (t[info.category_field].fill_null("(none)") if info.category_field else t.dataset_id.name("c")
                ).name("category")
    rows = t.group_by([t.dataset_id, force, t.month, category]).agg(n=t.count()).to_pyarrow().to_pylist()
    out: dict[tuple[str, str, dt.date], dict[str, int]] = defaultdict(dict)
    for r in rows:
        cat = r["category"] if info.category_field else ALL
        out[(r["dataset_id"], r["force"], r["month"])][cat] = r["n"]
    return out
