"""Benchmark: vrhub at scale, whole process, as a user runs it — ingest, profile, hot spots and the SNA.

Builds police.uk street inputs of about 75 thousand, 2 million and 10 million rows from the five real Kent months
(``src/vrhub/data/kent/police-uk/kent-street-2018-10_2019-02.zip``): the 75k input is the five real monthly files; the
larger ones copy those months again and again with shifted months (December 2010 onwards; police.uk has nothing
earlier) and new Crime IDs (SHA-256 of the original and the copy), one file per month. Past the months police.uk can
have, further copies are filed under other forces of the South East (Essex, Sussex, Surrey): each file is then a
distinct force-month, not a re-issue. With ``--layout few`` the same rows go into five large files instead.

Every step runs as its own process (``vrhub ...`` or ``python -c ...``), timed from start to exit, with its peak
resident memory from the kernel (``os.wait4``'s ``ru_maxrss`` of that child alone). Steps and their references, run
interleaved (vrhub, reference, vrhub, reference, ...) ``--repeat`` times, min / median / max printed:

* ``ingest``:   ``vrhub ingest police-uk <folder>`` into a workspace holding only the Kent geography, against DuckDB's
                ``read_csv_auto → Parquet (zstd)`` of the same files in a fresh Python process; the figure is the
                rate ratio (DuckDB time / vrhub time; goal ≥ 0.5).
* ``profile``:  ``vrhub profile --level lsoa`` against DuckDB's ``read_csv → GROUP BY LSOA × month`` of the same
                files in a fresh process (NOTES.md's baseline); the figure is vrhub's time as a multiple of it.
* ``hotspots``: ``vrhub hotspots --level grid --cell 250 --permutations 999`` (61,078 cells) and the LSOA level,
                against the Gi* statistic's own time on the same counts and weights (measured in a child process by
                timing ``gi_star`` inside ``run_gi_star``); goal: within 3× and under 1 GB.
* ``sna``:      ``vrhub sna build`` (no reference: its time and peak memory; goal under 1 GB).

Run: .venv/bin/python benchmarks/scale.py [--sizes 75k,2m,10m] [--steps ingest,profile,hotspots,sna]
                                          [--repeat 3] [--layout monthly] [--keep DIR]

The machine's load average is printed before and after: a figure taken while other work runs is a *loaded* figure
and should be reported as such.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
KENT = ROOT / "src" / "vrhub" / "data" / "kent"
SOURCE_ZIP = KENT / "police-uk" / "kent-street-2018-10_2019-02.zip"
SIZES = {"75k": 0, "2m": 2_000_000, "10m": 10_000_000}  # 0: the five real files as published
FORCES = ["Kent Police", "Essex Police", "Sussex Police", "Surrey Police"]
FIRST_MONTH = dt.date(2010, 12, 1)  # police.uk's first street-level month: earlier months are quarantined
STEPS = ("ingest", "profile", "hotspots", "sna")


def _vrhub_command() -> list[str]:
    beside = Path(sys.executable).with_name("vrhub")  # the venv's console script, as a user runs it
    return [str(beside)] if beside.exists() else [shutil.which("vrhub") or "vrhub"]


# --- inputs ----------------------------------------------------------------------------------------------------
def _months(n: int) -> list[dt.date]:
    """The ``n`` months police.uk can have, from December 2010 to the month before this one."""
    out, m = [], FIRST_MONTH
    last = dt.date.today().replace(day=1)
    while m < last and len(out) < n:
        out.append(m)
        m = dt.date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out


def build_input(folder: Path, size: str, layout: str) -> tuple[list[Path], int]:
    """Write the input of ``size`` into ``folder``; return its files and row count."""
    folder.mkdir(parents=True, exist_ok=True)
    src = folder.parent / "_source"
    if not src.exists():
        with zipfile.ZipFile(SOURCE_ZIP) as zf:
            for name in sorted(n for n in zf.namelist() if n.endswith("-street.csv")):
                (src / Path(name).name).parent.mkdir(parents=True, exist_ok=True)
                (src / Path(name).name).write_bytes(zf.read(name))
    sources = sorted(src.glob("*.csv"))
    con = duckdb.connect()
    counts = []
    for i, path in enumerate(sources):
        con.execute(f"CREATE TABLE s{i} AS SELECT * FROM read_csv('{path}', all_varchar=true, header=true)")
        counts.append(con.execute(f"SELECT count(*) FROM s{i}").fetchone()[0])  # type: ignore[index]
    target = SIZES[size]
    if target == 0:
        files = []
        for path in sources:
            shutil.copy(path, folder / path.name)
            files.append(folder / path.name)
        return _relayout(con, files, folder, layout), sum(counts)
    months = _months(10_000)
    files, rows, k = [], 0, 0
    while rows < target:
        i = k % len(sources)
        copy, month_index = divmod(k, len(months))
        if copy >= len(FORCES):
            raise SystemExit(f"{size}: more rows than {len(FORCES)} forces × {len(months)} months of copies hold")
        month, force = months[month_index], FORCES[copy]
        slug = force.split()[0].lower()
        out = folder / f"{month:%Y-%m}-{slug}-street.csv"
        con.execute(f"""
            COPY (SELECT CASE WHEN "Crime ID" IS NULL THEN NULL ELSE sha256("Crime ID" || '#{k}') END AS "Crime ID",
                         '{month:%Y-%m}' AS "Month", '{force}' AS "Reported by", '{force}' AS "Falls within",
                         "Longitude", "Latitude", "Location", "LSOA code", "LSOA name", "Crime type",
                         "Last outcome category", "Context"
                  FROM s{i}) TO '{out}' (HEADER, DELIMITER ',')""")
        files.append(out)
        rows += counts[i]
        k += 1
    return _relayout(con, files, folder, layout), rows


def _relayout(con: duckdb.DuckDBPyConnection, files: list[Path], folder: Path, layout: str) -> list[Path]:
    """``few``: the same rows in five large files (row order kept), replacing the monthly ones."""
    if layout == "monthly":
        return files
    groups = [files[j::5] for j in range(5)]
    out = []
    for j, group in enumerate(groups):
        if not group:
            continue
        big = folder / f"large-{j + 1}-street.csv"
        listing = ", ".join(f"'{p}'" for p in group)
        con.execute(f"COPY (SELECT * FROM read_csv([{listing}], all_varchar=true, header=true)) TO '{big}' "
                    "(HEADER, DELIMITER ',')")
        out.append(big)
    for p in files:
        p.unlink()
    return out


# --- running a step --------------------------------------------------------------------------------------------
@dataclass
class Timing:
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)
    extra: list[float] = field(default_factory=list)  # a figure the process printed (the Gi* statistic's seconds)

    def median(self) -> float:
        return statistics.median(self.seconds)

    def spread(self) -> str:
        s = self.seconds
        return f"{min(s):7.2f} {statistics.median(s):7.2f} {max(s):7.2f}"


def run(cmd: list[str], timing: Timing, *, cwd: Path | None = None, read_figure: bool = False) -> None:
    """Run ``cmd`` as a child process; record its wall time and peak resident memory (its own ``ru_maxrss``)."""
    env = {**os.environ, "COLUMNS": "120", "NO_COLOR": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env)
    out, err = proc.communicate()  # the peak memory comes from the PEAK wrapper, which waits with wait4
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode()[-3000:]}\n{out.decode()[-2000:]}")
    timing.seconds.append(elapsed)
    timing.peak_mb.append(_peak_mb_of(out, err))
    if read_figure:
        timing.extra.append(float(out.decode().strip().splitlines()[-1].split()[1]))


def _peak_mb_of(out: bytes, err: bytes) -> float:
    """The child's peak memory, printed by the ``peak`` wrapper below as its last stderr line."""
    for line in reversed(err.decode(errors="replace").splitlines()):
        if line.startswith("PEAK_KB "):
            return int(line.split()[1]) / 1024
    return float("nan")


#: run a command as a grandchild and print its own peak memory (os.wait4 gives the rusage of that one child)
PEAK = r"""
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
sys.stderr.write(f"\nPEAK_KB {usage.ru_maxrss}\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def peak(cmd: list[str]) -> list[str]:
    return [sys.executable, "-c", PEAK, *cmd]


def duck(script: str) -> list[str]:
    return peak([sys.executable, "-c", "import duckdb\n" + script])


GI_ONLY = r"""
import sys, time
from vrhub.analysis.hotspots import run as hs
from vrhub.domain.definitions import load_definition
from vrhub.store.workspace import Settings, Workspace
spent = []
kernel = hs.gi_star
def timed(*a, **k):
    t0 = time.perf_counter(); r = kernel(*a, **k); spent.append(time.perf_counter() - t0); return r
hs.gi_star = timed
ws = Workspace.open(Settings.resolve(sys.argv[1], None))
inc = hs.gather_incidents(ws.engine(), load_definition("kent_and_medway"))
hs.run_gi_star(ws.engine(), inc, level=sys.argv[2], cell_size=250.0, permutations=999, seed=1)
print("gi_star", spent[-1])
"""


# --- the benchmark ---------------------------------------------------------------------------------------------
def geography_home(base: Path) -> Path:
    home = base / "geography-only"
    if not home.exists():
        t = Timing()
        run(peak([*_vrhub_command(), "--home", str(home), "geography", "load", str(KENT / "boundaries"),
                  str(KENT / "imd2019")]), t)
    return home


def bench_size(size: str, layout: str, steps: list[str], repeat: int, base: Path) -> list[tuple]:
    vr = _vrhub_command()
    data = base / f"input-{size}-{layout}"
    t0 = time.perf_counter()
    files, rows = build_input(data, size, layout)
    mb = sum(f.stat().st_size for f in files) / 1e6
    print(f"\n{size} ({layout}): {rows:,} rows in {len(files)} files, {mb:,.0f} MB "
          f"(built in {time.perf_counter() - t0:.1f} s; load average {os.getloadavg()[0]:.1f})", flush=True)
    geo = geography_home(base)
    listing = "[" + ", ".join(f"'{f}'" for f in files) + "]"
    table: list[tuple] = []
    home = base / f"ws-{size}-{layout}"

    ingest, raw = Timing(), Timing()
    for _ in range(repeat if "ingest" in steps else 1):
        if home.exists():
            shutil.rmtree(home)
        shutil.copytree(geo, home)
        run(peak([*vr, "--home", str(home), "ingest", "police-uk", str(data)]), ingest)
        if "ingest" in steps:
            target = base / f"duck-{size}.parquet"
            run(duck(f"duckdb.execute(\"COPY (SELECT * FROM read_csv_auto({listing})) TO '{target}' "
                     "(FORMAT parquet, COMPRESSION zstd)\")"), raw)
    if "ingest" in steps:
        ratio = raw.median() / ingest.median()
        table.append((size, f"ingest ({len(files)} files)", ingest, "DuckDB read_csv_auto → Parquet", raw,
                      f"{ratio:.2f} rate",
                      "rate ≥ 0.5, < 1 GB"))
    if "profile" in steps:
        prof, ref = Timing(), Timing()
        for _ in range(repeat):
            run(peak([*vr, "--home", str(home), "profile", "--level", "lsoa", "--out", str(base / "profile-out")]),
                prof)
            run(duck(f"duckdb.execute(\"SELECT \\\"LSOA code\\\", \\\"Month\\\", count(*) FROM read_csv({listing}) "
                     "GROUP BY ALL\").fetchall()"), ref)
        table.append((size, "profile (LSOA)", prof, "DuckDB CSV → GROUP BY LSOA × month", ref,
                      f"{prof.median() / ref.median():.1f}×", "< 1 GB"))
    if "hotspots" in steps:
        for level, extra in (("grid", ["--cell", "250"]), ("lsoa", [])):
            cmd, stat = Timing(), Timing()
            for _ in range(repeat):
                run(peak([*vr, "--home", str(home), "hotspots", "--level", level, *extra, "--permutations", "999",
                          "--seed", "1", "--out", str(base / f"hotspots-{level}")]), cmd)
                run(peak([sys.executable, "-c", GI_ONLY, str(home), level]), stat, read_figure=True)
            gi = statistics.median(stat.extra)
            gi_t = Timing(seconds=stat.extra, peak_mb=stat.peak_mb)
            table.append((size, f"hotspots Gi* {level}", cmd, "Gi* statistic alone (in its process)", gi_t,
                          f"{cmd.median() / gi:.1f}×", "≤ 3× Gi*, < 1 GB"))
    if "sna" in steps:
        sna = Timing()
        for _ in range(repeat):
            run(peak([*vr, "--home", str(home), "sna", "build", "--out", str(base / "sna-out")]), sna)
        table.append((size, "SNA build", sna, "", None, "", "< 1 GB"))
    return table


def bench_fixed(repeat: int, base: Path) -> list[tuple]:
    """The fixed cost of a load: ``vrhub ingest`` of one 20-row street file (start-up, imports, catalogue, checks),
    beside DuckDB's ``read_csv_auto → Parquet`` of the same file in a fresh process (goal: vrhub under 1 s)."""
    vr = _vrhub_command()
    src = base / "_source"
    if not src.exists():
        build_input(base / "input-75k-monthly", "75k", "monthly")
    first = sorted(src.glob("*.csv"))[0]
    folder = base / "input-tiny"
    folder.mkdir(parents=True, exist_ok=True)
    tiny = folder / first.name
    tiny.write_text("".join(first.read_text(encoding="utf-8").splitlines(keepends=True)[:21]), encoding="utf-8")
    geo = geography_home(base)
    home = base / "ws-tiny"
    ingest, raw = Timing(), Timing()
    for _ in range(repeat):
        if home.exists():
            shutil.rmtree(home)
        shutil.copytree(geo, home)
        run(peak([*vr, "--home", str(home), "ingest", "police-uk", str(folder)]), ingest)
        run(duck(f"duckdb.execute(\"COPY (SELECT * FROM read_csv_auto('{tiny}')) TO '{base / 'duck-tiny.parquet'}' "
                 "(FORMAT parquet, COMPRESSION zstd)\")"), raw)
    print(f"\nfixed cost: one file of 20 rows: vrhub {ingest.spread()} s, DuckDB {raw.spread()} s", flush=True)
    return [("20 rows", "ingest (fixed cost)", ingest, "DuckDB read_csv_auto → Parquet", raw,
             f"{ingest.median() - raw.median():.2f} s more", "vrhub < 1 s")]


def print_table(rows: list[tuple]) -> None:
    print("\nsize | step | vrhub s min/median/max | peak MB (max) | reference | ref s min/median/max | ratio | goal")
    for size, step, t, ref_name, ref, ratio, goal in rows:
        ref_s = ref.spread() if ref is not None else "-"
        print(f"{size} | {step} | {t.spread()} | {max(t.peak_mb):,.0f} | {ref_name or '-'} | {ref_s} | "
              f"{ratio or '-'} | {goal}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="75k,2m", help="comma-separated: 75k, 2m, 10m")
    ap.add_argument("--steps", default=",".join(STEPS), help="comma-separated: " + ", ".join(STEPS))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--layout", default="monthly,few", help="comma-separated: monthly (one file per force-month) "
                    "and/or few (the same rows in five large files; for 75k the same five files, so run once)")
    ap.add_argument("--keep", type=Path, default=None, help="keep inputs and workspaces in this folder (reused)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = ap.parse_args()
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    for s in sizes:
        if s not in SIZES:
            raise SystemExit(f"unknown size {s!r}: use {', '.join(SIZES)}")
    for s in steps:
        if s not in STEPS:
            raise SystemExit(f"unknown step {s!r}: use {', '.join(STEPS)}")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          f"({'loaded' if os.getloadavg()[0] > 1.5 else 'quiet'}); {dt.datetime.now():%Y-%m-%d %H:%M}")
    tmp = None
    if args.keep is not None:
        base = args.keep
        base.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory()
        base = Path(tmp.name)
    rows: list[tuple] = []
    layouts = [x.strip() for x in args.layout.split(",") if x.strip()]
    try:
        if "ingest" in steps:
            rows += bench_fixed(args.repeat, base)
            print_table(rows)
        for s in sizes:
            for layout in layouts:
                if layout == "few" and SIZES[s] == 0 and "monthly" in layouts:
                    continue  # 75k is five files in both layouts
                rows += bench_size(s, layout, steps, args.repeat, base)
                print_table(rows)
    finally:
        if tmp is not None:
            tmp.cleanup()
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps([
            {"size": r[0], "step": r[1], "seconds": r[2].seconds, "peak_mb": r[2].peak_mb, "reference": r[3],
             "reference_seconds": r[4].seconds if r[4] is not None else None, "ratio": r[5], "goal": r[6]}
            for r in rows], indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
