"""Residents per area, of any age range, from the newest loaded population of an LSOA vintage.

Sources, newest first: ONS mid-year estimates (single years of age by sex, 90 meaning 90 and over), the Census
2021 (five-year bands, 85 and over) and the IoD denominators (0–15, 16–59/64, 60+ or 65+). An age range is the
sum of the bands inside it; a band only partly inside is apportioned in proportion to the years it shares with
the range, assuming residents spread evenly over the band's years (the usual assumption for splitting grouped
ages: e.g. Preston, Heuveline and Guillot, *Demography*, 2001, ch. 2), and the result says so. An open band
("85 and over") cannot be split: a range that cuts it is refused. Every result states the source and the year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd
import pyarrow as pa

from vrhub.domain.age_bands import age_band
from vrhub.domain.errors import NoDataError


class Geography(Protocol):
    """What ``population`` needs of ``vrhub.store.geography.Geography`` (named here, not imported: it calls us)."""

    def choose_attributes(self, table: str, *, vintage: int | None = ..., edition: int | None = ...,
                          year: int | None = ...) -> list[Any]: ...
    def attributes(self, table: str, *, vintage: int | None = ..., edition: int | None = ...,
                   year: int | None = ...) -> Any: ...
    def lsoa_codes(self, vintage: int) -> set[str]: ...
    def lsoa_lookup(self, vintage: int | None = None) -> Any: ...


@dataclass
class Population:
    """Residents per area: ``table`` has area_code, area_name, population (float when bands were apportioned)."""

    table: pa.Table
    level: str
    lsoa_vintage: int | None
    year: int
    source: str
    ages: tuple[int, int | None] | None
    datasets: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How the population is described beside a rate: 'residents aged 10–24, Census 2021 usual residents'."""
        who = "residents" if self.ages is None else (
            f"residents aged {self.ages[0]}–{self.ages[1]}" if self.ages[1] is not None
            else f"residents aged {self.ages[0]} and over")
        return f"{who}, {self.source}"

    @property
    def total(self) -> float:
        return float(sum(v for v in self.table.column("population").to_pylist() if v is not None))


def population(geo: Geography, ages: tuple[int, int | None] | None = None, *, level: str = "lsoa",
               vintage: int | None = None, year: int | None = None) -> Population:
    """Residents of each area of ``level`` (lsoa, msoa, ward, district) aged ``ages`` (first, last inclusive; last
    None for 'and over'; None for all ages) from the newest population loaded for the LSOA ``vintage`` (default:
    the newest loaded), or of ``year``."""
    chosen = geo.choose_attributes("population", vintage=vintage, year=year)
    frame = geo.attributes("population", vintage=vintage, year=year).to_pyarrow().to_pandas()
    pick = year if year is not None else max(y for a in chosen for y in a.years)
    source = next(a.source_for(pick) for a in reversed(chosen) if pick in a.years)
    notes: list[str] = []
    if ages is None:
        if "population_total" not in frame:
            raise NoDataError(f"the {source} file has no total column", "load a population file with a total")
        values = frame["population_total"]
    else:
        values, notes = _age_range(frame, ages, source)
    lsoa = pd.DataFrame({"lsoa_code": frame["lsoa_code"], "population": values})
    lsoa_vintage = chosen[0].lsoa_vintage
    if level == "lsoa":
        names = frame["lsoa_name"] if "lsoa_name" in frame else frame["lsoa_code"]
        out = pd.DataFrame({"area_code": frame["lsoa_code"], "area_name": names, "population": values})
        loaded = geo.lsoa_codes(lsoa_vintage) if lsoa_vintage else set()
        if loaded:  # the LSOAs of the loaded boundaries, not every LSOA the (national) file lists
            out = out[out["area_code"].isin(loaded)]
    else:
        lookup = geo.lsoa_lookup(lsoa_vintage).to_pyarrow().to_pandas()
        j = lookup.merge(lsoa, on="lsoa_code", how="inner")
        missing = len(lookup) - len(j)
        if missing:
            notes.append(f"{missing:,} loaded LSOAs have no {source} figure and add nothing")
        out = (j.groupby([f"{level}_code", f"{level}_name"], dropna=False, as_index=False)["population"].sum()
               .rename(columns={f"{level}_code": "area_code", f"{level}_name": "area_name"}))
        out = out[out["area_code"].notna()]
    table = pa.Table.from_pandas(out.reset_index(drop=True), preserve_index=False)
    return Population(table, level, lsoa_vintage, pick, source, ages, sorted(a.id for a in chosen), notes)


def _age_range(frame: pd.DataFrame, ages: tuple[int, int | None], source: str) -> tuple[pd.Series, list[str]]:
    lo, hi = ages
    bands = {c: b for c in frame.columns if (b := age_band(c)) is not None}
    if not bands:
        raise NoDataError(f"the {source} figures are not by age", "load Census 2021 (TS007A) or mid-year estimates")
    sexes = {b[0] for b in bands.values()}
    use = {c: b for c, b in bands.items() if b[0] in ({"female", "male"} if sexes >= {"female", "male"} else {None})}
    total = pd.Series(0.0, index=frame.index)
    notes: list[str] = []
    covered: set[int] = set()
    for col, (_, b_lo, b_hi) in sorted(use.items(), key=lambda x: x[1][1]):
        top = 10_000 if b_hi is None else b_hi
        want_top = 10_000 if hi is None else hi
        first, last = max(lo, b_lo), min(want_top, top)
        if first > last:
            continue
        if b_hi is None and (first, last) != (b_lo, top):
            raise NoDataError(f"ages {lo}–{hi} cut the open band '{b_lo} and over' of the {source} figures, which "
                              "cannot be split", f"ask for ages below {b_lo}, or for ages from {lo} and over")
        share = (last - first + 1) / (top - b_lo + 1)
        total += frame[col].fillna(0) * share
        covered.update(range(first, min(last, 200) + 1))
        if share < 1:
            notes.append(f"ages {first}–{last} are {share:.0%} of the {b_lo}–{b_hi} band, assuming residents spread "
                         "evenly over the band's years")
    needed = set(range(lo, (hi if hi is not None else max(covered, default=lo)) + 1))
    if not covered or needed - covered:
        raise NoDataError(f"the {source} figures do not cover ages {lo}–{hi}",
                          "ask for ages the loaded population covers")
    return total, notes
