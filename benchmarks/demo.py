"""Benchmark `vrhub demo`: the whole demo (2025 on 2021 LSOAs, synthetic partner feeds, the SNA for January to
December 2025 with its PDF) in a fresh workspace, as a user runs it, against the goal of 60 s (issue 15).

Run:  .venv/bin/python benchmarks/demo.py [--json results.json]

The command runs in a child process (``python -m vrhub.cli.main --home TMP demo``), so start-up and imports count.
Prints the wall-clock time and its ratio to the 60 s goal (below 1 meets it).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_S = 60.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", "from vrhub.cli.main import main; main()", "--home",
                               str(Path(tmp) / "home"), "demo"], capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"vrhub demo failed:\n{done.stderr[-2000:]}")
    result = {"demo_seconds": round(seconds, 1), "goal_seconds": GOAL_S, "ratio_to_goal": round(seconds / GOAL_S, 2)}
    print(f"vrhub demo (2025, 180,022 police.uk rows, synthetic feeds, SNA + PDF): {seconds:.1f} s "
          f"= {seconds / GOAL_S:.2f} of the {GOAL_S:.0f} s goal")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
