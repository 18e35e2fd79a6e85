"""Counts of police-recorded crime by district (or any lookup level), with rates per 1,000 residents.

Rows whose LSOA is not in the loaded geography and rows with no location are kept as their own rows
("outside the loaded area", "no location"), so the table always adds up to every accepted row.
Records are counted on one LSOA vintage (default: the newest loaded); records coded to an older vintage are
assigned by the ONS best-fit lookup and counted in the notes (``vrhub.analysis.scope.on_vintage``). Rates use the
newest population loaded for that vintage (Census 2021, or a mid-year estimate), named with its year in the notes
and beside each rate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import ibis
import pyarrow as pa

from vrhub.domain.errors import NoDataError
from vrhub.store.engine import Engine
from vrhub.store.geography import Geography

OUTSIDE = "outside the loaded area"
NO_LOCATION = "no location"


@dataclass
class AreaCounts:
    table: pa.Table  # area_code, area_name, crimes, population, rate_per_1000, population_year
    level: str
    crime_types: list[str] | None
    months: tuple[dt.date, dt.date]
    datasets: list[str]
    total: int
    notes: list[str] = field(default_factory=list)
    vintage: int | None = None


def crime_by_area(
    engine: Engine, *, level: str = "district", crime_types: list[str] | None = None,
    start: dt.date | None = None, end: dt.date | None = None, vintage: int | None = None,
) -> AreaCounts:
    from vrhub.analysis.scope import on_vintage

    geo = Geography(engine)
    t = engine.table("police_uk_street")
    if crime_types:
        t = t.filter(t.crime_type.isin(crime_types))
    if start:
        t = t.filter(t.month >= start)
    if end:
        t = t.filter(t.month <= end)
    t, scope = on_vintage(engine, t, vintage)
    lookup = geo.lsoa_lookup(scope.vintage)
    code_col, name_col = f"{level}_code", f"{level}_name"
    lk = lookup.select(lk_lsoa=lookup.lsoa_code, area_code=lookup[code_col], area_name=lookup[name_col])
    j = t.left_join(lk, t.lsoa_code == lk.lk_lsoa)
    area_code = (
        ibis.cases((j.lsoa_code.isnull(), NO_LOCATION), (j.lk_lsoa.isnull(), OUTSIDE), else_=j.area_code)
    )
    area_name = ibis.cases((j.lsoa_code.isnull(), NO_LOCATION), (j.lk_lsoa.isnull(), OUTSIDE), else_=j.area_name)
    counts = j.group_by([area_code.name("area_code"), area_name.name("area_name")]).agg(crimes=j.count())
    notes = list(scope.notes)
    try:
        popn = geo.population(level=level, vintage=scope.vintage)
        pt = ibis.memtable(popn.table.select(["area_code", "population"]).rename_columns(["p_code", "population"]))
        counts = counts.left_join(pt, counts.area_code == pt.p_code).drop("p_code")
        counts = counts.mutate(rate_per_1000=(counts.crimes * 1000.0 / counts.population).round(2),
                               population_year=ibis.literal(popn.year))
        notes.append(f"rates per 1,000 {popn.label}" + ("" if str(popn.year) in popn.label else f" ({popn.year})"))
    except NoDataError:
        counts = counts.mutate(population=ibis.null("int64"), rate_per_1000=ibis.null("float64"),
                               population_year=ibis.null("int64"))
        notes.append("no population loaded: rates are not available")
    order = ibis.cases((counts.area_code == NO_LOCATION, 2), (counts.area_code == OUTSIDE, 1), else_=0)
    out = counts.order_by([order, ibis.desc(counts.crimes)]).to_pyarrow()
    span = t.aggregate(lo=t.month.min(), hi=t.month.max(), ds=t.dataset_id.collect()).to_pyarrow().to_pylist()[0]
    datasets = sorted(set(span["ds"] or []))
    return AreaCounts(out, level, crime_types, (span["lo"], span["hi"]), datasets,
                      int(sum(out.column("crimes").to_pylist())), notes, scope.vintage)
