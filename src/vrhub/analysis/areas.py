"""Local areas of the partnership: a district, a ward, an LSOA or a named group of them (a CSP, a ward group), each
as the set of LSOAs of the vintage an analysis runs on.

LSOAs nest in wards (by best fit) and in districts (ONS, *Census 2021 geographies*), so an area is the LSOAs whose
ward or district in the workspace's LSOA lookup (:meth:`vrhub.store.geography.Geography.lsoa_lookup`) is the named
one: no boundary is hard-coded, and the same code works for any partnership whose geography is loaded. Named
groups come from the workspace's ``areas.csv`` (:mod:`vrhub.ingest.area_groups`).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from vrhub.domain.errors import NoDataError, UsageError
from vrhub.domain.geography_codes import level_of
from vrhub.ingest.area_groups import AreaGroup
from vrhub.store.engine import Engine
from vrhub.store.geography import Geography


@dataclass(frozen=True)
class Area:
    """One local area: what it is called, what kind it is, and its LSOAs (codes of ``vintage``)."""

    code: str  # the ONS code, or the group's id in areas.csv
    name: str
    kind: str  # "district", "ward", "lsoa" or "group"
    lsoas: tuple[str, ...]
    vintage: int | None = None

    @property
    def slug(self) -> str:
        """The area's part of a file name: its code (ONS codes and group ids are already file-safe)."""
        return self.code


def _lookup(engine: Engine, vintage: int | None) -> pd.DataFrame:
    return Geography(engine).lsoa_lookup(vintage).to_pandas()


def _members(lk: pd.DataFrame, code: str) -> tuple[str, str, list[str]]:
    """(level, name, LSOAs) of one ONS code in the lookup; raises NoDataError when no loaded LSOA is in it."""
    level = level_of(code)
    if level not in ("district", "ward", "lsoa"):
        raise UsageError(f"{code!r} is not a district, ward or LSOA code", "give an E06/E07 district, E05 ward "
                         "or E01 LSOA code, or an area named in areas.csv (docs/sources/areas.md)", option="--area")
    column = f"{level}_code"
    rows = lk[lk[column] == code]
    if rows.empty:
        raise NoDataError(f"no loaded LSOA lies in {level} {code}",
                          "check the code against the layers 'vrhub geography show' lists, or load that area's "
                          "boundaries")
    names = rows[f"{level}_name"].dropna()
    name = str(names.iloc[0]) if len(names) else code
    return level, name, sorted(rows["lsoa_code"].astype(str))


def resolve_area(engine: Engine, spec: str, *, vintage: int | None = None,
                 groups: dict[str, AreaGroup] | None = None) -> Area:
    """The area ``spec`` names: a group id of ``areas.csv`` (any case), an ONS district / ward / LSOA code, or a
    district's name as the loaded lookup spells it ("Thanet"). Raises UsageError for a name that is none of these."""
    groups = groups or {}
    lk = _lookup(engine, vintage)
    v = Geography(engine).vintage("lsoa", vintage)
    key = spec.strip()
    if key.lower() in groups:
        g = groups[key.lower()]
        lsoas: set[str] = set()
        for member in g.members:
            lsoas |= set(_members(lk, member)[2])
        return Area(g.id, g.name, "group", tuple(sorted(lsoas)), v)
    if level_of(key.upper()) is not None:
        level, name, codes = _members(lk, key.upper())
        return Area(key.upper(), name, level, tuple(codes), v)
    by_name = lk.dropna(subset=["district_name"])
    hit = by_name[by_name["district_name"].str.lower() == key.lower()]
    if not hit.empty:
        return resolve_area(engine, str(hit["district_code"].iloc[0]), vintage=vintage)
    known = sorted(by_name["district_name"].unique())
    raise UsageError(f"no area {spec!r}: not a group in areas.csv, an ONS code, or a district name",
                     option="--area", hint="use a district code or name (" + ", ".join(known[:14])
                     + ("…" if len(known) > 14 else "") + ") or define the area in areas.csv "
                     "(docs/sources/areas.md)")


def district_areas(engine: Engine, *, vintage: int | None = None) -> list[Area]:
    """Every district of the loaded geography as an :class:`Area`, by code (what ``--all-areas`` builds)."""
    lk = _lookup(engine, vintage)
    v = Geography(engine).vintage("lsoa", vintage)
    lk = lk.dropna(subset=["district_code"])
    if lk.empty:
        raise NoDataError("no LSOA is placed in a district", "load district boundaries or an IMD file naming "
                          "each LSOA's district ('vrhub geography load PATH')")
    out = []
    for code, rows in lk.groupby("district_code", sort=True):
        name = rows["district_name"].dropna()
        out.append(Area(str(code), str(name.iloc[0]) if len(name) else str(code), "district",
                        tuple(sorted(rows["lsoa_code"].astype(str))), v))
    return out
