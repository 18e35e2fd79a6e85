"""Benchmark: police.uk ingest throughput and memory against DuckDB's own CSV → Parquet.

Builds about 1.5 million rows of police.uk street data from the five real Kent months (each month repeated
20 times into a larger file), then, in this one process:

1. DuckDB ``COPY (SELECT * FROM read_csv(...)) TO ... (FORMAT parquet)`` of the same files (the raw rate);
2. vrhub ``ingest`` of the same files into a fresh workspace (validation, quarantine, provenance, catalogue).

Prints rows per second for both, the ratio (goal: at least 0.5), and the peak resident memory (VmHWM) of a
vrhub load in a fresh child process (goal: under 1 GB), for the five files and for the same rows in one
1.5-million-row file, to show memory does not grow with file size.

Run: .venv/bin/python benchmarks/ingest.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import time
import zipfile
from pathlib import Path

import duckdb

from vrhub.data import kent
from vrhub.ingest.loader import ingest
from vrhub.ingest.police_uk import SOURCES
from vrhub.store.workspace import Settings, Workspace


def build_files(folder: Path, repeat: int) -> tuple[list[Path], Path, int]:
    """Write one file per month (month × repeat) and one file of everything; return paths and row count."""
    files, rows = [], 0
    with zipfile.ZipFile(kent() / "police-uk" / "kent-street-2018-10_2019-02.zip") as zf:
        members = sorted(n for n in zf.namelist() if n.endswith(".csv"))
        big = folder / "big" / "all-kent-street.csv"
        big.parent.mkdir()
        with open(big, "wb") as all_out:
            for i, name in enumerate(members):
                data = zf.read(name)
                header, body = data.split(b"\n", 1)
                if i == 0:
                    all_out.write(header + b"\n")
                path = folder / "months" / Path(name).name
                path.parent.mkdir(exist_ok=True)
                with open(path, "wb") as out:
                    out.write(header + b"\n")
                    for _ in range(repeat):
                        out.write(body)
                        all_out.write(body)
                rows += repeat * body.count(b"\n")
                files.append(path)
    return files, big, rows


def vrhub_load(paths: list[Path], home: Path) -> tuple[float, int]:
    ws = Workspace.open(Settings(home=home, db_url=f"sqlite:///{home / 'catalogue.sqlite'}"))
    t0 = time.perf_counter()
    report = ingest(ws, paths, SOURCES, partner="bench")
    elapsed = time.perf_counter() - t0
    assert report.ok, [r.error for r in report.results if r.error]
    return elapsed, sum(r.rows_read for r in report.results)


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM). Unlike getrusage's ru_maxrss, which Linux carries across
    exec from the parent, VmHWM starts afresh in a new process image."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(paths: list[str], home: str, queue: mp.Queue) -> None:
    elapsed, rows = vrhub_load([Path(p) for p in paths], Path(home))
    queue.put((elapsed, rows, peak_rss_mb()))


def peak_memory_mb(paths: list[Path], home: Path) -> tuple[float, int, float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=([str(p) for p in paths], str(home), queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files, big, rows = build_files(folder, args.repeat)
        size_mb = sum(f.stat().st_size for f in files) / 1e6
        print(f"data: {len(files)} files, {rows:,} rows, {size_mb:,.0f} MB (five real Kent months × {args.repeat})")

        con = duckdb.connect()
        t0 = time.perf_counter()
        listing = ", ".join(f"'{f}'" for f in files)
        con.execute(f"COPY (SELECT * FROM read_csv([{listing}], all_varchar=true)) TO "
                    f"'{folder / 'duck.parquet'}' (FORMAT parquet, COMPRESSION zstd)")
        duck = time.perf_counter() - t0
        con.close()

        elapsed, loaded = vrhub_load(files, folder / "ws-main")
        assert loaded == rows, (loaded, rows)
        duck_rate, vr_rate = rows / duck, rows / elapsed
        print(f"DuckDB read_csv → Parquet: {duck:6.2f} s  {duck_rate:>12,.0f} rows/s")
        print(f"vrhub ingest (validated):  {elapsed:6.2f} s  {vr_rate:>12,.0f} rows/s")
        print(f"ratio vrhub / DuckDB raw rate: {vr_rate / duck_rate:.2f}  (goal ≥ 0.50)")

        _, _, mem_files = peak_memory_mb(files, folder / "ws-mem1")
        _, _, mem_big = peak_memory_mb([big], folder / "ws-mem2")
        big_mb = big.stat().st_size / 1e6
        per_file = rows // len(files)
        print(f"peak memory, {len(files)} files of ~{per_file:,} rows: {mem_files:,.0f} MB  (goal < 1,024 MB)")
        print(f"peak memory, one file of {rows:,} rows ({big_mb:,.0f} MB): {mem_big:,.0f} MB  (goal < 1,024 MB)")


if __name__ == "__main__":
    main()
