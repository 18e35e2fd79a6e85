"""Benchmark: loading a force crime extract, against DuckDB's own CSV → Parquet of the same file.

Writes the synthetic force extract for the shipped Kent police.uk records (2018-10 to 2019-02: about 29,000 crimes
of violence, robbery and weapons possession, read straight from the archive; :mod:`vrhub.synth.force_crime`),
then times, in this process:

1. the baseline: DuckDB ``COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet)`` of the file;
2. ``vrhub ingest`` of the same file as ``force_crime`` into a fresh workspace (every row checked: offence codes,
   dates and times, ages, codes, flags, pseudonyms scanned for identifiers in clear, quarantine, provenance);
3. the force profile (:func:`vrhub.analysis.profile.force.force_profile`) of the loaded records.

Prints each time and the ingest's ratio to the baseline (vrhub does far more per row; the goal is the same order of
magnitude, under 10×). Run once: .venv/bin/python benchmarks/force_crime.py
"""

from __future__ import annotations

import io
import tempfile
import time
import zipfile
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from vrhub.analysis.profile.force import force_profile
from vrhub.data import kent
from vrhub.domain.definitions import load_definition
from vrhub.ingest.force_crime import SOURCES
from vrhub.ingest.loader import ingest
from vrhub.store.workspace import Settings, Workspace
from vrhub.synth.force_crime import CATEGORIES, generate_force_crime


def street_from_zip() -> pa.Table:
    """The police.uk records the generator needs, read straight from the shipped archive (no workspace)."""
    tables = []
    with zipfile.ZipFile(kent() / "police-uk" / "kent-street-2018-10_2019-02.zip") as zf:
        for i, name in enumerate(sorted(n for n in zf.namelist() if n.endswith(".csv"))):
            t = pacsv.read_csv(io.BytesIO(zf.read(name)), convert_options=pacsv.ConvertOptions(
                include_columns=["Crime ID", "Month", "Crime type", "LSOA code", "LSOA name", "Longitude", "Latitude"],
                column_types={"Month": pa.string()}))
            t = t.filter(pc.and_(pc.is_in(t.column("Crime type"), value_set=pa.array(CATEGORIES)),
                                 pc.is_valid(t.column("LSOA code"))))
            month = pc.cast(pc.strptime(pc.binary_join_element_wise(t.column("Month"), "-01", ""), format="%Y-%m-%d",
                                        unit="s"), pa.date32())
            tables.append(pa.table({
                "crime_id": t.column("Crime ID"), "month": month, "crime_type": t.column("Crime type"),
                "lsoa_code": t.column("LSOA code"), "lsoa_name": t.column("LSOA name"),
                "longitude": t.column("Longitude"), "latitude": t.column("Latitude"),
                "dataset_id": pa.array([str(i)] * t.num_rows), "source_row": pa.array(range(t.num_rows), pa.int64())}))
    return pa.concat_tables(tables)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        made = generate_force_crime(street_from_zip(), folder / "synthetic")
        generate = time.perf_counter() - t0
        size_mb = made.path.stat().st_size / 1e6

        t0 = time.perf_counter()
        con = duckdb.connect()
        con.execute(f"COPY (SELECT * FROM read_csv('{made.path}', header=true, all_varchar=true)) "
                    f"TO '{folder / 'baseline.parquet'}' (FORMAT parquet, COMPRESSION zstd)")
        baseline = time.perf_counter() - t0

        ws = Workspace.open(Settings.resolve(folder / "home", None, environ={}))
        t0 = time.perf_counter()
        report = ingest(ws, [made.path], SOURCES, kind="force_crime", synthetic=True)
        load = time.perf_counter() - t0
        [r] = report.results
        assert r.ok and r.rows_accepted == made.rows, r.error

        t0 = time.perf_counter()
        p = force_profile(ws.engine(), load_definition())
        profile = time.perf_counter() - t0

    print(f"synthetic force extract: {made.rows:,} crimes, {size_mb:.1f} MB, generated in {generate:.2f} s")
    print(f"baseline DuckDB read_csv -> Parquet: {baseline:.2f} s ({made.rows / baseline:,.0f} rows/s)")
    print(f"vrhub ingest force-crime:            {load:.2f} s ({made.rows / load:,.0f} rows/s); "
          f"ratio to the baseline {load / baseline:.1f}x (goal: under 10x)")
    print(f"force profile ({p.records:,} crimes of serious violence): {profile:.2f} s")


if __name__ == "__main__":
    main()
