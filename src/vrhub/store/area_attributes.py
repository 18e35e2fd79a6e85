"""Which loaded area-attribute datasets describe what: table, LSOA vintage, IoD edition and population years.

New loads record these on the dataset (``ingest.geography.area_attributes``); datasets loaded by earlier
versions of vrhub did not, so they are read from what was recorded then: the published headers ("LSOA code
(2011)", "Total population: mid 2015") and the file name ("IoD2019").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vrhub.store.catalogue.models import Dataset


@dataclass(frozen=True)
class AttributeDataset:
    """An area-attribute dataset and what it describes."""

    dataset: Dataset
    tables: tuple[str, ...]
    lsoa_vintage: int | None
    edition: int | None
    years: tuple[int, ...]
    source: str

    @property
    def id(self) -> str:
        return self.dataset.id

    def source_for(self, year: int) -> str:
        """Where the population of ``year`` comes from (a file of several years names each)."""
        return (self.dataset.attributes or {}).get("sources", {}).get(str(year), self.source)


def describe(d: Dataset) -> AttributeDataset:
    a = d.attributes or {}
    headers = list((a.get("columns") or {}).values())
    tables = tuple(a.get("tables") or [a.get("table", "attributes")])
    vintage = a.get("lsoa_vintage")
    if vintage is None:
        m = next((re.search(r"lsoa code \((\d{4})\)", h.lower()) for h in headers if "lsoa code" in h.lower()), None)
        vintage = int(m[1]) if m else None
    edition = a.get("edition")
    if edition is None:
        m = re.search(r"(?:iod|imd)[ _-]?(20\d\d)", d.source_file, re.I)
        edition = int(m[1]) if m else None
    years = tuple(a.get("years") or ())
    if not years and "population" in tables:
        m = next((re.search(r"mid[ -]?(\d{4})", h, re.I) for h in headers if re.search(r"mid[ -]?\d{4}", h, re.I)),
                 None)
        years = (int(m[1]),) if m else ()
    source = a.get("source") or (f"mid-{years[0]} population, IoD {edition} denominators (MHCLG)" if years and edition
                                 else f"mid-{years[0]} population ({d.source_file})" if years else d.source_file)
    return AttributeDataset(d, tables, vintage, edition, years, source)
