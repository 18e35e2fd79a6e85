"""Benchmark how long ``vrhub --help`` takes: the command line imports its commands only when one runs.

Run:  .venv/bin/python benchmarks/startup.py [--runs 7]

Prints the median wall time of ``vrhub --help`` (a fresh Python process each run) and its ratio to the goal of
issue 14 (under 1 s), and the same for the help of one command, profile (which imports one command module and what it
needs). Before the lazy command list every ``--help`` imported pandas, DuckDB, SciPy, statsmodels and SQLAlchemy:
3–5 s on an idle machine, 10 s and more on a busy one.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

GOAL_S = 1.0


def median_seconds(args: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from vrhub.cli.main import main; main()", *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    for label, args in (("vrhub --help", ["--help"]), ("help of vrhub profile", ["profile", "--help"])):
        s = median_seconds(args, runs)
        print(f"{label:24} median {s:5.2f} s over {runs} runs; {s / GOAL_S:4.2f}× the 1 s goal")


if __name__ == "__main__":
    main()
