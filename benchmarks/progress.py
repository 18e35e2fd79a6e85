"""Benchmark start-up and progress on a long command: when does the user first see something, and what does
drawing the bar cost?

Run:  .venv/bin/python benchmarks/progress.py [--runs 3] [--permutations 999]

Sets up a workspace from ``vrhub examples`` (LSOA 2021 boundaries, IoD 2025, Census 2021, three months of Kent
street crime; not timed), then, each in a fresh process:

1. ``vrhub --home W datasets``: the start-up of a command that opens the workspace (median wall time);
2. ``vrhub --home W hotspots --method gistar --permutations N`` with stderr treated as a terminal
   (``TTY_COMPATIBLE=1``, so Rich draws the bar): the time until the first byte of progress reaches stderr, and
   the whole run; the ratio of the two is how much of the wait now shows progress (before issue 20, nothing was
   shown until the end: ratio 1.0);
3. the same command with ``--quiet``: the ratio of (2) to (3) is the cost of drawing the bar (goal: about 1.0).
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

VRHUB = [sys.executable, "-c", "from vrhub.cli.main import main; main()"]


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float | None]:
    """(wall seconds, seconds until the first byte on stderr or None) of ``vrhub ARGS``."""
    t0 = time.perf_counter()
    p = subprocess.Popen([*VRHUB, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         env={**os.environ, **(env or {})})
    assert p.stderr is not None
    first = None
    while True:
        ready, _, _ = select.select([p.stderr], [], [], 0.05)
        if ready:
            chunk = os.read(p.stderr.fileno(), 65536)
            if chunk and first is None:
                first = time.perf_counter() - t0
            if not chunk:
                break
        elif p.poll() is not None:
            break
    p.wait()
    if p.returncode != 0:
        raise SystemExit(f"vrhub {' '.join(args)} failed ({p.returncode})")
    return time.perf_counter() - t0, first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--permutations", type=int, default=999)
    a = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        for setup in (["examples", "examples"], ["--home", "w", "geography", "load", "examples/geography/"],
                      ["--home", "w", "ingest", "police-uk", "examples/police-uk/", "--partner", "Kent Police"]):
            run(setup, cwd)
        start = statistics.median(run(["--home", "w", "datasets"], cwd)[0] for _ in range(a.runs))
        print(f"start-up: vrhub datasets (opens the workspace)   median {start:5.2f} s over {a.runs} runs")
        hot = ["--home", "w", "hotspots", "--method", "gistar", "--level", "lsoa", "--permutations",
               str(a.permutations), "--seed", "1", "--out", "hs"]
        drawn = [run(hot, cwd, {"TTY_COMPATIBLE": "1"}) for _ in range(a.runs)]
        quiet = [run(["--quiet", *hot], cwd, {"TTY_COMPATIBLE": "1"})[0] for _ in range(a.runs)]
        total = statistics.median(t for t, _ in drawn)
        first = statistics.median(f for _, f in drawn if f is not None)
        q = statistics.median(quiet)
        print(f"hotspots gistar ({a.permutations} permutations): whole run {total:5.2f} s; first progress on "
              f"stderr after {first:5.2f} s = {first / total:4.2f}× the run (before: 1.00×, nothing until the end)")
        print(f"hotspots with --quiet: {q:5.2f} s; drawing the bar costs {total / q:4.2f}× the quiet run "
              "(goal: about 1.00×)")


if __name__ == "__main__":
    main()
