"""Benchmark ``vrhub link`` on DuckDB at scale: 1 million records across three partners.

Run:  .venv/bin/python benchmarks/linkage.py [--records 1000000] [--data DIR] [--memory-limit 3GB] [--chunks 2]
      [--threads N] [--json results.json]

The synthetic partners (``vrhub.synth.linkage``: education, youth justice, ED; own identifiers, realistic
errors, encoded with ``vrhub pseudonymise --linkage``) are generated once into ``--data`` (default a folder under
the system temporary directory, reused when present) in a child process, so that the figures below are the link
alone: reading the three files, training (prior, u by random sampling, EM on two blocking rules with at most
``--em-pairs`` pairs), predicting (in ``--chunks`` × ``--chunks`` pieces) and clustering, in this process. Printed:
wall time, records per second, peak resident memory (``ru_maxrss``), precision / recall / F1 per pair of sources
against the synthetic truth, and the ratio to the named baseline — Splink on DuckDB, train + predict + cluster of
800,000 person records in about 60 s (shared/NOTES.md, measured on a machine like this one, scaled linearly in
records) — and to the previous vrhub attempt (478.6 s, 7.3 GB peak with a 3 GB DuckDB memory limit).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vrhub.analysis.linkage import link_partners  # noqa: E402
from vrhub.ingest.linkage_files import read_partner_files, source_files  # noqa: E402
from vrhub.synth.linkage import SOURCES, generate_linkage_partners  # noqa: E402

BASELINE_SECONDS, BASELINE_RECORDS = 60.0, 800_000
PREVIOUS_SECONDS, PREVIOUS_PEAK_GB = 478.6, 7.3
RECORDS_PER_PERSON = 1.10  # measured: 5,475 records from 5,000 people


def _generate(folder: str, people: int) -> None:
    generate_linkage_partners(Path(folder) / "inputs", Path(folder) / "key" / "synthetic.key", people=people)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--memory-limit", default="3GB")
    ap.add_argument("--chunks", type=int, default=2)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--em-pairs", type=float, default=2e6)
    ap.add_argument("--u-pairs", type=float, default=2e6)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    people = round(args.records / RECORDS_PER_PERSON)
    data = args.data or Path(tempfile.gettempdir()) / f"vrhub-linkage-bench-{people}"
    started = time.perf_counter()
    if not (data / "inputs" / "synthetic-truth.csv").is_file():
        child = multiprocessing.get_context("spawn").Process(target=_generate, args=(str(data), people))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit("generating the synthetic partners failed")
    generated = time.perf_counter() - started
    import pandas as pd

    t0 = time.perf_counter()
    files = read_partner_files(source_files(list(SOURCES), data / "inputs"))
    truth = pd.read_csv(data / "inputs" / "synthetic-truth.csv", dtype={"record_id": str})
    read = time.perf_counter() - t0
    result = link_partners(files.frames, truth=truth, memory_limit=args.memory_limit, chunks=args.chunks,
                           em_pairs=args.em_pairs, u_pairs=args.u_pairs)
    total = time.perf_counter() - t0
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 ** 2
    records = sum(result.report["records"].values())
    baseline = BASELINE_SECONDS * records / BASELINE_RECORDS
    figures = {"records": records, "people": people, "seconds_generate": round(generated, 1),
               "seconds_read": round(read, 1), "seconds_link_total": round(total, 1),
               "seconds_link_only": result.report["seconds"], "records_per_second": round(records / total),
               "peak_rss_gb": round(peak_gb, 2), "memory_limit": args.memory_limit, "chunks": args.chunks,
               "baseline_seconds_scaled": round(baseline, 1), "ratio_to_baseline": round(total / baseline, 2),
               "ratio_to_previous_attempt": round(total / PREVIOUS_SECONDS, 2),
               "accuracy": result.report.get("accuracy"), "estimated_error": result.report["estimated_error"]}
    print(f"{records:,} records ({people:,} people) linked in {total:.1f} s ({records / total:,.0f} records/s; "
          f"read {read:.1f} s), peak RSS {peak_gb:.2f} GB (DuckDB memory limit {args.memory_limit}, "
          f"chunks {args.chunks}×{args.chunks})")
    print(f"ratio to the Splink baseline (60 s per 800,000 records, scaled: {baseline:.0f} s): "
          f"{total / baseline:.2f}; to the previous attempt ({PREVIOUS_SECONDS} s, {PREVIOUS_PEAK_GB} GB): "
          f"{total / PREVIOUS_SECONDS:.2f} in time, {peak_gb / PREVIOUS_PEAK_GB:.2f} in memory")
    for row in result.report.get("accuracy", []):
        if row["source_a"] != row["source_b"]:
            print(f"  {row['source_a']}–{row['source_b']}: precision {row['precision']:.3f}, recall "
                  f"{row['recall']:.3f}, F1 {row['f1']:.3f} ({row['true_pairs']:,} true pairs)")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
