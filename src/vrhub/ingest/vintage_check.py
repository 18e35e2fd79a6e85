"""Tell a vintage mismatch from crime outside the area: police.uk rows coded to LSOAs of a vintage whose
boundaries are not loaded (2021-coded months on 2011 boundaries, or the reverse).

police.uk codes crimes to 2011 LSOAs up to December 2021 and to 2021 LSOAs from January 2022
(``domain.geography_codes.police_uk_lsoa_vintage``). Most LSOA codes are the same in both vintages, so loading
2025 data on 2011 boundaries does not fail: only the rows in LSOAs created in 2021 fall outside the loaded
geography, and would be read as crime outside the area. This check counts, per loaded file, the rows outside the
loaded geography whose LSOA vintage has no loaded boundaries, and says what to load.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from vrhub.ingest.loader import IngestReport, LoadResult
from vrhub.store.catalogue.models import Dataset
from vrhub.store.lake_reader import LakeReader
from vrhub.store.workspace import Workspace

KINDS = ("police_uk_street", "police_uk_outcomes")
FLAG = "lsoa_vintage_not_loaded"


def mismatch_message(rows: int, outside: int, coded: list[int], loaded: list[int]) -> str:
    have = " and ".join(str(v) for v in loaded) or "no"
    want = " and ".join(str(v) for v in coded)
    return (f"vintage mismatch: {rows:,} of the {outside:,} rows outside the loaded geography are coded to {want} "
            f"LSOAs (police.uk uses 2011 LSOAs until December 2021 and 2021 LSOAs from January 2022), but only "
            f"LSOA {have} boundaries are loaded, so they cannot be told from crimes outside the area (most are in "
            f"LSOAs created in {want} inside it). Load LSOA {want} boundaries "
            f"('vrhub geography load' on the ONS LSOA {want} file; Kent and Medway's ship in "
            "vrhub/data/kent/geography2021/) and, for a series that crosses 2022, the ONS LSOA 2011 → 2021 best-fit "
            "lookup, then load these files again")


def check_lsoa_vintages(ws: Workspace, report: IngestReport) -> IngestReport:
    """Add a vintage-mismatch warning and flag to each loaded police.uk file that has one (and to its catalogue
    record, so 'vrhub datasets' shows it too)."""
    geo = ws.reader()
    loaded = geo.boundary_vintages("lsoa")
    if not loaded:
        return report
    known = None  # every loaded LSOA code: read once for all the files of a load, not once per file
    for r in report.results:
        if r.ok and r.kind in KINDS and r.flags.get("lsoa_outside_geography") and not r.flags.get(FLAG):
            known = geo.known_lsoa_codes() if known is None else known
            _check(ws, geo, r, loaded, known)
    return report


def _check(ws: Workspace, geo: LakeReader, r: LoadResult, loaded: list[int], known: pa.Array | None) -> None:
    d = ws.catalogue.get(r.dataset_id or "")
    if d is None:
        return
    t = pq.ParquetFile(geo.data_files([d])[0]).read(columns=["lsoa_code", "lsoa_vintage"])  # not read_table: no pandas
    outside = pc.and_(pc.is_valid(t.column("lsoa_code")), pc.invert(pc.is_in(t.column("lsoa_code"), value_set=known)))
    other = pc.and_(outside, pc.invert(pc.is_in(t.column("lsoa_vintage"), value_set=_array(loaded))))
    n = pc.sum(other).as_py() or 0
    if not n:
        return
    coded = sorted(set(t.filter(other).column("lsoa_vintage").to_pylist()))
    message = mismatch_message(n, r.flags["lsoa_outside_geography"], coded, loaded)
    r.flags[FLAG] = n
    r.warnings.append(message)
    _record(ws, d, n, message)


def _array(values: list[int]):  # type: ignore[no-untyped-def]
    import pyarrow as pa

    return pa.array(values, pa.int16())


def _record(ws: Workspace, d: Dataset, n: int, message: str) -> None:
    with ws.catalogue.session() as s:
        row = s.get(Dataset, d.id)
        if row is None:
            return
        row.attributes = {**(row.attributes or {}), "flags": {**(row.attributes or {}).get("flags", {}), FLAG: n}}
        row.warnings = [*(row.warnings or []), message]
