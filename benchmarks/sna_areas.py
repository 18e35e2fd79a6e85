"""Benchmark `vrhub sna build --all-areas`: one SNA per district of Kent and Medway (the demo's 2025 data on 2021
LSOAs, with its synthetic partner feeds), in one process, against the partnership's own SNA built in the same
process (the named baseline: one SNA of the whole area).

Run:  .venv/bin/python benchmarks/sna_areas.py [--release] [--json results.json]

The workspace is loaded first (``Partnership.demo``: not timed). Then, timed: the partnership's SNA (HTML, no PDF),
then ``Partnership.sna_areas`` (the same as ``vrhub sna build --all-areas``) into another folder. Prints the total,
each area's time, and the ratio of the all-areas run to the partnership SNA (the areas share the partnership-wide
analyses, so the ratio is well below the number of areas).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", action="store_true", help="build the released copies")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    from vrhub.library import Partnership

    with tempfile.TemporaryDirectory() as tmp:
        p = Partnership.open(Path(tmp) / "home")
        t0 = time.perf_counter()
        p.demo()
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        p.sna(out=Path(tmp) / "sna", release=args.release)
        baseline = time.perf_counter() - t0
        marks: list[tuple[str, float]] = []
        t0 = time.perf_counter()
        results = p.sna_areas(out=Path(tmp) / "areas", release=args.release,
                              on_area=lambda a: marks.append((a.name, time.perf_counter())))
        total = time.perf_counter() - t0
    ends = [m[1] for m in marks[1:]] + [t0 + total]
    per_area = {name: round(end - start, 2) for (name, start), end in zip(marks, ends, strict=True)}
    print(f"workspace load (not timed in the ratio): {load:.1f} s")
    print(f"partnership SNA (baseline): {baseline:.1f} s")
    for name, s in per_area.items():
        print(f"  {name:<28} {s:6.1f} s")
    print(f"--all-areas: {len(results)} area SNAs in {total:.1f} s ({total / len(results):.1f} s an area) "
          f"= {total / baseline:.2f} × the partnership SNA")
    if args.json:
        args.json.write_text(json.dumps({"areas": len(results), "total_seconds": round(total, 1),
                                         "baseline_seconds": round(baseline, 1),
                                         "ratio_to_baseline": round(total / baseline, 2),
                                         "per_area_seconds": per_area, "release": args.release}, indent=2))


if __name__ == "__main__":
    main()
