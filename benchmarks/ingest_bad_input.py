"""Benchmark: hostile input stays cheap. Memory and time of loading a police.uk file that turns into NUL bytes,
and the careful (row-by-row) reader's throughput on real rows.

1. 200 real-shaped rows, then ``--nul-mb`` MiB of NUL bytes with no line break (issue 13: a 2 GB such file peaked
   at 4.5 GB of memory before the careful reader bounded its rows). Loaded in a fresh child process; prints the
   rows loaded, the time and the peak resident memory (VmHWM), for two sizes to show it does not grow.
2. The five real Kent months read by the fast reader and by the careful reader (which also decodes line by line),
   rows per second.

Run: .venv/bin/python benchmarks/ingest_bad_input.py [--nul-mb 2048]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import tempfile
import time
import zipfile
from pathlib import Path

from ingest import peak_rss_mb  # benchmarks/ingest.py
from vrhub.data import kent
from vrhub.ingest.csv_stream import read_batches, sniff
from vrhub.ingest.files import SourceFile
from vrhub.ingest.loader import ingest
from vrhub.ingest.police_uk import SOURCES
from vrhub.store.workspace import Settings, Workspace

KENT_ZIP = kent() / "police-uk" / "kent-street-2018-10_2019-02.zip"


def nul_file(path: Path, nul_mb: int) -> Path:
    with zipfile.ZipFile(KENT_ZIP) as zf:
        first = zf.read(sorted(n for n in zf.namelist() if n.endswith(".csv"))[0])
    with open(path, "wb") as f:
        f.write(b"\n".join(first.split(b"\n")[:201]) + b"\n")  # the header and 200 rows
        block = b"\0" * (1 << 20)
        for _ in range(nul_mb):
            f.write(block)
    return path


def _child(path: str, home: str, queue: mp.Queue) -> None:
    ws = Workspace.open(Settings(home=Path(home), db_url=f"sqlite:///{Path(home) / 'catalogue.sqlite'}"))
    t0 = time.perf_counter()
    [r] = ingest(ws, [Path(path)], SOURCES).results
    queue.put((r.rows_accepted, r.rows_quarantined, r.error, time.perf_counter() - t0, peak_rss_mb()))


def load_in_child(path: Path, home: Path) -> tuple[int, int, str | None, float, float]:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(str(path), str(home), queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def reader_rates(folder: Path) -> None:
    with zipfile.ZipFile(KENT_ZIP) as zf:
        zf.extractall(folder)
    files = sorted(folder.rglob("*-street.csv"))
    for careful in (False, True):
        t0, rows = time.perf_counter(), 0
        for f in files:
            header, encoding = sniff(SourceFile(f))
            for b in read_batches(SourceFile(f), header, encoding=encoding, careful=careful):
                rows += b.table.num_rows + len(b.bad)
        elapsed = time.perf_counter() - t0
        print(f"{'careful' if careful else 'fast':7} reader, five Kent months: {rows:,} rows in {elapsed:5.2f} s "
              f"({rows / elapsed:>10,.0f} rows/s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nul-mb", type=int, default=2048)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for size in (args.nul_mb // 8, args.nul_mb):
            path = nul_file(folder / f"2018-10-kent-street-{size}.csv", size)
            accepted, quarantined, error, elapsed, peak = load_in_child(path, folder / f"ws-{size}")
            print(f"200 rows + {size:,} MiB of NUL bytes: accepted {accepted}, quarantined {quarantined}, "
                  f"error {error}; {elapsed:5.1f} s; peak memory {peak:,.0f} MB")
            path.unlink()
        reader_rates(folder / "kent")


if __name__ == "__main__":
    main()
