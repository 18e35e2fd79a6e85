"""The record of what was fetched from police.uk, kept in the catalogue (table ``police_uk_fetches``).

``vrhub update`` reads it to know, per force, which kinds were fetched, the newest month loaded and the police.uk
release it came from; ``vrhub fetch`` writes one row per kind × month it handled.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select

from vrhub.store.catalogue.models import PoliceUkFetch
from vrhub.store.workspace import Workspace

LOADED = ("new", "unchanged", "revised", "empty")


@dataclass
class ForceHistory:
    """What earlier fetches of one force recorded."""

    force: str
    origin: str  # api | archive: how the force was last fetched
    kinds: list[str]
    months: list[str]  # YYYY-MM, every month handled (loaded, unchanged, revised or empty)
    release: str | None  # police.uk's release at the last fetch
    last_fetched: dt.datetime | None = None
    statuses: dict[str, str] = field(default_factory=dict)


def record(ws: Workspace, rows: list[PoliceUkFetch]) -> None:
    with ws.catalogue.session() as s:
        s.add_all(rows)


def history(ws: Workspace) -> list[ForceHistory]:
    """Per force (alphabetical), what its fetches recorded."""
    with ws.catalogue.session() as s:
        rows = list(s.scalars(select(PoliceUkFetch).order_by(PoliceUkFetch.fetched_at, PoliceUkFetch.id)))
    out: dict[str, ForceHistory] = {}
    for r in rows:
        h = out.setdefault(r.force, ForceHistory(r.force, r.origin, [], [], r.release))
        h.origin, h.release, h.last_fetched = r.origin, r.release, r.fetched_at
        if r.kind not in h.kinds:
            h.kinds.append(r.kind)
        month = f"{r.month:%Y-%m}"
        if r.status in LOADED and month not in h.months:
            h.months.append(month)
        h.statuses[f"{r.kind} {month}"] = r.status
    for h in out.values():
        h.months.sort()
    return [out[k] for k in sorted(out)]
