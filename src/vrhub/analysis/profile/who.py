"""'Who': age, sex and ethnicity breakdowns from the loaded sources that carry them.

police.uk street data carries none. Stop and search records carry the searched person's age range, gender and
self-defined ethnicity: they describe who is searched (policing activity), not victims or offenders, and are
shown as such. Searches are placed in the partnership area by point-in-polygon against the loaded LSOAs
(police.uk coordinates are anonymised map points). Rates would need population by the same groups, which the
loaded denominators (mid-2015 totals by broad age) do not give, so counts and shares are shown.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pyarrow as pa

from vrhub.domain.errors import NoDataError
from vrhub.store.engine import Engine
from vrhub.store.geography import Geography

KIND = "police_uk_stop_search"
WEAPON_OBJECTS = ("Offensive weapons", "Firearms", "Articles for use in criminal damage")
GROUPS = {"age_range": "age range", "gender": "gender", "self_defined_ethnicity": "self-defined ethnicity"}


def stop_search_who(engine: Engine, start: dt.date, end: dt.date) -> tuple[dict[str, pa.Table], list[str]]:
    """Breakdowns of stop and search in the loaded area and period: (tables, notes). Empty if none loaded."""
    if not engine.has(KIND):
        return {}, []
    t = engine.table(KIND)
    t = t.filter((t.month >= start) & (t.month <= end) & t.has_location)
    rows = t.select("longitude", "latitude", "object_of_search", *GROUPS).to_pyarrow()
    if rows.num_rows == 0:
        return {}, ["stop and search is loaded but has no located searches in this period"]
    try:
        lsoas = Geography(engine).geodataframe("lsoa")[["code", "geometry"]]
    except NoDataError:
        return {}, ["stop and search is loaded but no LSOA boundaries are: searches cannot be placed in the area"]
    df = rows.to_pandas()
    pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["longitude"], df["latitude"]), crs=4326)
    inside = gpd.sjoin(pts, lsoas, how="inner", predicate="within")
    notes = [f"stop and search: {len(inside):,} of {len(df):,} located searches in the period fall in the loaded "
             "area; they describe who is searched, not victims or offenders"]
    if inside.empty:
        return {}, notes
    inside["weapons_or_firearms"] = inside["object_of_search"].isin(WEAPON_OBJECTS)
    tables = {}
    for col in GROUPS:
        g = (inside.assign(**{col: inside[col].fillna("not stated")})
             .groupby(col).agg(searches=("weapons_or_firearms", "size"),
                               weapons_or_firearms=("weapons_or_firearms", "sum")).reset_index())
        g["share"] = (g["searches"] / g["searches"].sum()).round(4)
        tables[f"who_stop_search_by_{col}"] = pa.Table.from_pandas(g.sort_values("searches", ascending=False),
                                                                    preserve_index=False)
    return tables, notes


def measures_table(capability_rows: list[dict[str, str]]) -> pa.Table:
    """The Home Office VRU success measures and whether the loaded data can compute each, with the reason."""
    rows = [{"measure": r["key"], "label": r["label"], "computable": r["overall"], "reason": r["reasons"]}
            for r in capability_rows if r.get("kind") == "measure"]
    return pa.Table.from_pylist(rows) if rows else pa.table({"measure": pa.array([], pa.string())})
