"""Counts of police-recorded crime by district (or any lookup level), with rates per 1,000 residents.

Rows whose LSOA is not in the loaded geography and rows with no location are kept as their own rows
("outside the loaded area", "no location"), so the table always adds up to every accepted row.
Rates use the residents of the loaded population table of the LSOA vintage in use, named in the notes (the
shipped IMD 2019 denominators: mid-2015 population).
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
    table: pa.Table  # area_code, area_name, crimes, population, rate_per_1000
    level: str
    crime_types: list[str] | None
    months: tuple[dt.date, dt.date]
    datasets: list[str]
    total: int
    notes: list[str] = field(default_factory=list)


def crime_by_area(
    engine: Engine, *, level: str = "district", crime_types: list[str] | None = None,
    start: dt.date | None = None, end: dt.date | None = None,
) -> AreaCounts:
    geo = Geography(engine)
    t = engine.table("police_uk_street")
    if crime_types:
        t = t.filter(t.crime_type.isin(crime_types))
    if start:
        t = t.filter(t.month >= start)
    if end:
        t = t.filter(t.month <= end)
    lookup = geo.lsoa_lookup()
    code_col, name_col = f"{level}_code", f"{level}_name"
    lk = lookup.select(lk_lsoa=lookup.lsoa_code, area_code=lookup[code_col], area_name=lookup[name_col])
    j = t.left_join(lk, t.lsoa_code == lk.lk_lsoa)
    area_code = (
        ibis.cases((j.lsoa_code.isnull(), NO_LOCATION), (j.lk_lsoa.isnull(), OUTSIDE), else_=j.area_code)
    )
    area_name = ibis.cases((j.lsoa_code.isnull(), NO_LOCATION), (j.lk_lsoa.isnull(), OUTSIDE), else_=j.area_name)
    counts = j.group_by([area_code.name("area_code"), area_name.name("area_name")]).agg(crimes=j.count())
    try:
        pop = geo.attributes("population")
        pj = pop.join(lookup, pop.lsoa_code == lookup.lsoa_code)
        popn = pj.group_by(pj[code_col].name("p_code")).agg(population=pj.population_total.sum())
        counts = counts.left_join(popn, counts.area_code == popn.p_code).drop("p_code")
        counts = counts.mutate(rate_per_1000=(counts.crimes * 1000.0 / counts.population).round(2))
        chosen = geo.choose_attributes("population")
        year = max((y for a in chosen for y in a.years), default=None)
        source = next((a.source_for(year) for a in chosen if year in a.years), None) if year else None
        notes = [f"rates per 1,000 residents use {source or 'the loaded population'}"]
    except NoDataError:
        counts = counts.mutate(population=ibis.null("int64"), rate_per_1000=ibis.null("float64"))
        notes = ["no population loaded: rates are not available"]
    order = ibis.cases((counts.area_code == NO_LOCATION, 2), (counts.area_code == OUTSIDE, 1), else_=0)
    out = counts.order_by([order, ibis.desc(counts.crimes)]).to_pyarrow()
    span = t.aggregate(lo=t.month.min(), hi=t.month.max(), ds=t.dataset_id.collect()).to_pyarrow().to_pylist()[0]
    datasets = sorted(set(span["ds"] or []))
    return AreaCounts(out, level, crime_types, (span["lo"], span["hi"]), datasets,
                      int(sum(out.column("crimes").to_pylist())), notes)
