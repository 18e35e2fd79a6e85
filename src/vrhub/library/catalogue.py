"""What is loaded, in one view: every dataset version with its provenance, and a supplier × month coverage grid with
the supply warnings on it (what the analyst's catalogue page and ``vrhub datasets`` show).

Provenance per version: the partner, the source file and its sha256, when it was received, rows read = accepted +
quarantined, the schema and vrhub versions, whether it is synthetic, the months it covers, and whether it is read
(current), superseded by a later version of the same force-months, or withdrawn. Supply warnings are those of
``vrhub.ingest.supply_check`` (docs/methods/supply-check.md): a month whose count is far below or above the
series' own history beyond chance, a gap, or many exact copies of rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from vrhub.ingest.coverage_notes import coverage_issues
from vrhub.ingest.supply_check import ALL, SupplyWarning, supply_warnings, warnings_for
from vrhub.store.workspace import Workspace

CURRENT, SUPERSEDED, WITHDRAWN = "current", "superseded", "withdrawn"
NO_PARTNER = "(no partner)"


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset version and its provenance."""

    id: str
    kind: str
    partner: str
    source_file: str
    sha256: str
    received_at: dt.datetime
    rows_read: int
    rows_accepted: int
    rows_quarantined: int
    schema_version: int
    vrhub_version: str
    synthetic: bool
    months: tuple[str, ...]
    covers: str  # "2025-01..2025-12", one month, or a geography layer's level and vintage
    status: str  # current | superseded | withdrawn
    withdrawn_reason: str | None
    supply: tuple[SupplyWarning, ...] = ()
    conflicts: tuple[str, ...] = ()  # months another supplier also sent
    source_path: str = ""
    withdrawn_at: dt.datetime | None = None
    attributes: dict[str, Any] = field(default_factory=dict)  # a geography or attribute layer's level, vintage, ...
    warnings: list[Any] = field(default_factory=list)  # the load's own warnings
    coverage_issues: tuple[dict[str, Any], ...] = ()  # months of it not read, and why (``coverage_notes``)

    def to_json(self) -> dict[str, Any]:
        """The entry as ``vrhub datasets --json`` prints it."""
        return {
            "dataset_id": self.id, "kind": self.kind, "partner": None if self.partner == NO_PARTNER else self.partner,
            "source_file": self.source_file, "source_path": self.source_path, "sha256": self.sha256,
            "received_at": self.received_at.isoformat(), "rows_read": self.rows_read,
            "rows_accepted": self.rows_accepted, "rows_quarantined": self.rows_quarantined,
            "schema_version": self.schema_version, "vrhub_version": self.vrhub_version, "synthetic": self.synthetic,
            "months": list(self.months), "superseded": self.status == SUPERSEDED,
            "withdrawn_at": self.withdrawn_at.isoformat() if self.withdrawn_at else None,
            "withdrawn_reason": self.withdrawn_reason, "attributes": self.attributes, "warnings": self.warnings,
            "supply_warnings": [w.to_json() for w in self.supply], "coverage_issues": list(self.coverage_issues),
        }

    @property
    def flagged_months(self) -> list[str]:
        """Months with a whole-series supply warning (every category)."""
        return sorted({w.month.strftime("%Y-%m") for w in self.supply if w.category == ALL})


@dataclass(frozen=True)
class CoverageCell:
    rows: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class CoverageRow:
    """One supplier's data of one kind: accepted rows read per month, with that month's supply warnings."""

    supplier: str
    kind: str
    synthetic: bool
    cells: dict[str, CoverageCell]


@dataclass
class CatalogueView:
    entries: list[DatasetEntry]
    months: list[str]  # the grid's columns, every month from the first to the last covered
    grid: list[CoverageRow]
    #: whole-series supply warnings (every category), then the category-level ones
    supply: list[SupplyWarning] = field(default_factory=list)
    detail: list[SupplyWarning] = field(default_factory=list)
    not_read: list[str] = field(default_factory=list)  # coverage problems: a month two suppliers sent, ...

    def entry(self, dataset_id: str) -> DatasetEntry | None:
        return next((e for e in self.entries if e.id == dataset_id), None)


def _covers(d: Any, months: list[str]) -> str:
    if months:
        return months[0] if len(months) == 1 else f"{months[0]}..{months[-1]}"
    return f"{d.attributes.get('level', d.attributes.get('table', ''))} {d.attributes.get('vintage', '')}".strip()


def _month_span(months: set[str]) -> list[str]:
    if not months:
        return []
    first, last = dt.date.fromisoformat(min(months) + "-01"), dt.date.fromisoformat(max(months) + "-01")
    out, m = [], first
    while m <= last:
        out.append(f"{m:%Y-%m}")
        m = (m.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def catalogue_view(ws: Workspace, kind: str | None = None, *, include_withdrawn: bool = False) -> CatalogueView:
    """Every dataset version (of ``kind``) with its provenance and status, and the coverage grid of the versions
    read (the current version of each force-month), with the supply warnings of each supplier's months."""
    items = ws.catalogue.datasets(kind, include_withdrawn=include_withdrawn)
    kinds = sorted({d.kind for d in items})
    current = {k: {c[0] for c in ws.catalogue.current_coverage(k)} for k in kinds}
    engine = ws.engine()
    supply = [w for k in kinds for w in supply_warnings(engine, k)]
    issues: dict[str, list[dict[str, Any]]] = {}
    for k in kinds:
        issues |= coverage_issues(ws, k)
    entries = []
    grid: dict[tuple[str, str], dict[str, list[Any]]] = {}
    synthetic: dict[tuple[str, str], bool] = {}
    for d in items:
        months = sorted({c.month.strftime("%Y-%m") for c in d.coverage})
        status = WITHDRAWN if d.withdrawn_at is not None else (
            SUPERSEDED if d.coverage and d.id not in current.get(d.kind, set()) else CURRENT)
        mine = warnings_for(d, supply)
        partner = d.partner.name if d.partner else NO_PARTNER
        entries.append(DatasetEntry(
            d.id, d.kind, partner, d.source_file, d.sha256, d.received_at, d.rows_read, d.rows_accepted,
            d.rows_quarantined, d.schema_version, d.vrhub_version, d.synthetic, tuple(months), _covers(d, months),
            status, d.withdrawn_reason, tuple(mine),
            tuple(sorted({i["month"] for i in issues.get(d.id, []) if i["problem"] == "other_supplier"})),
            d.source_path, d.withdrawn_at, d.attributes, d.warnings, tuple(issues.get(d.id, []))))
        if status != CURRENT or not d.coverage:
            continue
        row = grid.setdefault((partner, d.kind), {})
        synthetic[(partner, d.kind)] = synthetic.get((partner, d.kind), False) or d.synthetic
        for c in d.coverage:
            m = c.month.strftime("%Y-%m")
            cell = row.setdefault(m, [0, set()])
            cell[0] += c.rows
        for w in mine:  # every category's: "2025-01 Robbery below the expected band" is the grid's to show
            row.setdefault(w.month.strftime("%Y-%m"), [0, set()])[1].add(w.message)
    columns = _month_span({m for row in grid.values() for m in row})
    rows = [CoverageRow(s, k, synthetic[(s, k)], {m: CoverageCell(v[0], tuple(sorted(v[1]))) for m, v in r.items()})
            for (s, k), r in sorted(grid.items())]
    not_read = list(dict.fromkeys(i["message"] for found in issues.values() for i in found))
    return CatalogueView(entries, columns, rows, [w for w in supply if w.category == ALL],
                         [w for w in supply if w.category != ALL], not_read)
