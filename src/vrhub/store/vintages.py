"""Bring rows coded to 2011 LSOAs onto 2021 LSOAs with the ONS best-fit lookup, and say how many were moved.

police.uk coded crimes to 2011 LSOAs until December 2021 and to 2021 LSOAs from January 2022, so a series that
crosses 2022 mixes two vintages. ``to_vintage`` maps each older-coded row's LSOA to the 2021 LSOA the ONS
best-fit lookup assigns it (the 2021 LSOA that holds most of the 2011 LSOA's population: ONS, *LSOA (2011) to
LSOA (2021) to Local Authority District (2022) Best Fit Lookup for EW*, version 2). Where a 2011 LSOA was split,
all its rows go to one of the parts, so counts in split areas are approximate; every result says how many rows
were moved and that the lookup is a best-fit approximation. Rows with no LSOA stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow.parquet as pq

from vrhub.domain.errors import GeographyError, NoDataError


class Geography(Protocol):
    """What these functions need of ``vrhub.store.geography.Geography`` (named here, not imported: it calls them)."""

    ws: Any
    engine: Any

    def newest_vintage(self, level: str = "lsoa") -> int | None: ...


@dataclass
class VintageBridge:
    """What ``to_vintage`` did: the vintage the rows are now on, how many rows it moved and from which vintage."""

    vintage: int
    moved: dict[int, int] = field(default_factory=dict)  # source vintage -> rows reassigned
    unmatched: dict[int, int] = field(default_factory=dict)  # source vintage -> rows whose code the lookup lacks
    method: str = "best fit"
    lookup_dataset: str | None = None

    @property
    def notes(self) -> list[str]:
        out = []
        for v, n in sorted(self.moved.items()):
            out.append(f"{n:,} records from {v} LSOAs assigned to {self.vintage} LSOAs by the ONS {self.method} lookup"
                       + (" (an approximation: a split LSOA's records all go to one of its parts)"
                          if self.method == "best fit" else ""))
        for v, n in sorted(self.unmatched.items()):
            if n:
                out.append(f"{n:,} records coded to {v} LSOAs that the lookup does not list kept their {v} codes "
                           "(they count as outside the loaded area)")
        return out


def lookup_frame(geo: Geography, *, from_vintage: int = 2011, to_vintage: int = 2021) -> pd.DataFrame | None:
    """The newest loaded lookup from ``from_vintage`` to ``to_vintage`` LSOAs (from_code, to_code, to_name,
    district_code, district_name), or None."""
    found = [d for d in geo.ws.catalogue.datasets("area_lookup")
             if d.attributes.get("level") == "lsoa" and d.attributes.get("from_vintage") == from_vintage
             and d.attributes.get("to_vintage") == to_vintage]
    if not found:
        return None
    df = pq.read_table(geo.engine.data_files([found[-1]])[0]).to_pandas()
    df.attrs["dataset_id"], df.attrs["method"] = found[-1].id, found[-1].attributes.get("method", "best fit")
    return df


def to_vintage(geo: Geography, table: ir.Table, vintage: int | None = None, *, code: str = "lsoa_code",
               name: str | None = "lsoa_name", vintage_field: str = "lsoa_vintage") -> tuple[ir.Table, VintageBridge]:
    """``table`` with every row's LSOA on ``vintage`` (default: the newest LSOA vintage loaded), and the count.

    Rows already on ``vintage`` and rows with no LSOA are unchanged; rows on an older vintage take the lookup's
    target code (and name). A row whose code the lookup lacks keeps it. Newer-to-older is refused: the lookup
    runs one way.
    """
    target = vintage or geo.newest_vintage("lsoa")
    if target is None:
        raise NoDataError("no LSOA boundaries are loaded, so there is no vintage to bring the rows onto",
                          "load LSOA boundaries with 'vrhub geography load PATH'")
    located = table.filter(table[code].notnull())
    counts = located.group_by(vintage_field).agg(n=located.count()).to_pyarrow()
    by_vintage = {v: n for v, n in zip(counts.column(vintage_field).to_pylist(), counts.column("n").to_pylist(),
                                       strict=True) if v is not None}
    bridge = VintageBridge(target)
    newer = sorted(v for v in by_vintage if v > target)
    if newer:
        raise GeographyError(f"{sum(by_vintage[v] for v in newer):,} rows are coded to {newer[0]} LSOAs, newer than "
                             f"{target}: the ONS lookup runs from older to newer LSOAs only",
                             f"analyse on {newer[0]} LSOAs (load their boundaries) so both periods are on one vintage")
    older = sorted(v for v in by_vintage if v < target)
    for v in older:
        lk = lookup_frame(geo, from_vintage=v, to_vintage=target)
        if lk is None:
            raise NoDataError(f"{by_vintage[v]:,} rows are coded to {v} LSOAs and no lookup from {v} to {target} "
                              "LSOAs is loaded", f"load the ONS LSOA {v} → {target} best-fit lookup with "
                              "'vrhub geography load PATH' (shipped: vrhub/data/kent/geography2021/)")
        bridge.method, bridge.lookup_dataset = lk.attrs["method"], lk.attrs["dataset_id"]
        mapping = ibis.memtable(lk[["from_code", "to_code", "to_name"]].drop_duplicates("from_code").rename(
            columns={"from_code": "_lk_from", "to_code": "_lk_to", "to_name": "_lk_name"}))
        j = table.left_join(mapping, (table[vintage_field] == v) & (table[code] == mapping._lk_from))
        hit = j._lk_to.notnull()
        bridge.moved[v] = int(j.filter(hit).count().execute())
        bridge.unmatched[v] = by_vintage[v] - bridge.moved[v]
        replace = {code: hit.ifelse(j._lk_to, j[code]),
                   vintage_field: hit.ifelse(ibis.literal(target).cast(j[vintage_field].type()), j[vintage_field])}
        if name and name in table.columns:
            replace[name] = hit.ifelse(j._lk_name, j[name])
        table = j.mutate(**replace).drop("_lk_from", "_lk_to", "_lk_name")
    return table, bridge
