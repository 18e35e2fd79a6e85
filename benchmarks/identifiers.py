"""Benchmark: the cost of scanning every row of a person-level file for identifiers in clear.

Builds an ED return (ISTV) of N synthetic attendances (default 500,000; free text in a third of them, none holding an
identifier), then in this one process:

1. reads the file's batches as the loader does (``table_batches``), and times ``IdentifierGuard.scan`` alone over
   them: every cell of every column, NHS-number shape and check digit, full postcode, e-mail, name and date-of-birth
   headers, free-text redaction;
2. times a whole ``vrhub ingest istv`` of the file (hash, stream, guard, checks, quarantine, duplicate count,
   catalogue, supply check).

Prints rows per second for both and the guard's share of the load.

Run: .venv/bin/python benchmarks/identifiers.py [--rows 500000]
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

import pandas  # noqa: F401  (imported by every `vrhub` command; pyarrow imports it lazily on first use otherwise)

from vrhub.ingest.files import SourceFile
from vrhub.ingest.identifier_guard import IdentifierGuard
from vrhub.ingest.istv import SOURCES
from vrhub.ingest.layout import read_heads, table_batches
from vrhub.ingest.loader import ingest, locate_table
from vrhub.store.workspace import Settings, Workspace

HEADER = ["Reporting period start", "Reporting period end", "ED site code", "Arrival date time", "Assault date time",
          "Assault method", "Assault method other", "Assault location type", "Assault location description",
          "Age band", "Sex", "Home LSOA", "Home postcode district"]
TEXT = ["outside the nightclub", "bus station", "High Street near taxi rank", "bitten", "hot drink thrown", "park",
        "in pub garden, 2 assailants", "struck by car door", ""]


def build(path: Path, n: int) -> None:
    rng = random.Random(1)
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(n):
            day, hour = 1 + i % 28, rng.randrange(24)
            w.writerow(["01/01/2023", "31/01/2023", "SYN-MMH", f"{day:02d}/01/2023 {hour:02d}:40",
                        f"{day:02d}/01/2023 {hour:02d}:05", rng.choice(["Knife", "Hit/kick", "Other", "Bottle"]),
                        rng.choice(TEXT) if i % 3 == 0 else "", rng.choice(["Street", "Pub", "Home"]),
                        rng.choice(TEXT), rng.choice(["18-24", "25-34", "35-44"]), rng.choice("MF"),
                        f"E0101{rng.randrange(6000, 7000):04d}", rng.choice(["ME7", "ME4", "CT9"])])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "istv-benchmark.csv"
        build(path, args.rows)
        file = SourceFile(path)
        source, layout = locate_table(read_heads(file), file, SOURCES, "ed_istv")
        mapping = source.map_columns(layout.columns, file)
        batches = list(table_batches(file, layout))
        guard = IdentifierGuard(file, source, mapping)
        t0 = time.perf_counter()
        for b in batches:
            guard.scan(b.table, b.lines)
        guard.finish()
        scan = time.perf_counter() - t0
        home = Path(tmp) / "home"
        ws = Workspace.open(Settings(home=home, db_url=f"sqlite:///{home / 'catalogue.sqlite'}"))
        t0 = time.perf_counter()
        [r] = ingest(ws, [path], SOURCES, kind="ed_istv").results
        load = time.perf_counter() - t0
        assert r.ok and r.rows_read == args.rows, r.error
    size = path.stat().st_size if path.exists() else 0
    print(f"rows: {args.rows:,}{f' ({size / 1e6:.0f} MB)' if size else ''}")
    print(f"identifier scan alone: {scan:.2f} s, {args.rows / scan:,.0f} rows/s")
    print(f"whole ISTV load:       {load:.2f} s, {args.rows / load:,.0f} rows/s")
    print(f"scan share of the load: {scan / load:.0%}")


if __name__ == "__main__":
    main()
