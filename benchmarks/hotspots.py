"""Benchmark the hotspot methods against esda, an all-pairs Knox and pointpats.

Run:  .venv/bin/python benchmarks/hotspots.py [--extra-site DIR] [--json results.json]

Gi* (999 permutations) on the 1,065 Kent and Medway LSOAs (queen contiguity) and on the 250 m grid of
Kent and Medway (queen lattice), with real police.uk counts (2018-10 to 2019-02):
  * vrhub warm: median of 3 in-process runs; vrhub fresh: a new process importing vrhub and running once;
  * esda ``G_Local(y, w, transform="B", star=True, permutations=999, n_jobs=1)`` warm (2nd and 3rd calls
    in one process) and fresh (import + first call in a new process; with numba that includes its
    JIT compile). esda runs in subprocesses, with numba when it can be imported there (from the venv
    or from ``--extra-site``, a directory given by ``pip install --target DIR numba``) and without.
Knox, 6 space x 6 time bands, 999 permutations, on 20,000 and 100,000 synthetic dated incidents:
  * vrhub ``knox_test``; the all-pairs reference at 20,000 (a few permutations, scaled to 999);
  * pointpats ``Knox`` (one space and one time threshold only) at 20,000, if importable.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

import geopandas as gpd  # noqa: E402

from vrhub.analysis.hotspots import (  # noqa: E402
    contiguity_weights,
    count_points,
    gi_star,
    grid_weights,
    knox_test,
    knox_test_all_pairs,
    square_grid,
)

KENT = ROOT / "src" / "vrhub" / "data" / "kent"
PERMUTATIONS = 999
SPACE_BANDS = [0, 100, 200, 300, 400, 500]
TIME_BANDS = [0, 7, 14, 21, 28, 35]

ESDA_SCRIPT = r"""
import json, sys, time, warnings
if sys.argv[3] == "hide":
    sys.modules["numba"] = None  # esda then falls back to its pure-Python path, as without numba
t0 = time.perf_counter()
import numpy as np, scipy.sparse as sp
from esda.getisord import G_Local
from libpysal.weights import WSP
t_import = time.perf_counter() - t0
try:
    import numba  # noqa: F401
    jit = "numba"
except ImportError:
    jit = "no numba"
d = np.load(sys.argv[1])
y = d["y"]
w = WSP(sp.csr_matrix((d["data"], d["indices"], d["indptr"]), shape=(len(y), len(y)))).to_W(silence_warnings=True)
warnings.simplefilter("ignore")
calls = []
for _ in range(3):
    t = time.perf_counter()
    G_Local(y, w, transform="B", star=True, permutations=int(sys.argv[2]), seed=1, n_jobs=1, keep_simulations=False)
    calls.append(time.perf_counter() - t)
print(json.dumps({"import": t_import, "calls": calls, "jit": jit}))
"""

VRHUB_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np, scipy.sparse as sp
from vrhub.analysis.hotspots import gi_star
t_import = time.perf_counter() - t0
d = np.load(sys.argv[1])
y = d["y"]
w = sp.csr_array((d["data"], d["indices"], d["indptr"]), shape=(len(y), len(y)))
t = time.perf_counter()
gi_star(y, w, permutations=int(sys.argv[2]), seed=1)
print(json.dumps({"import": t_import, "calls": [time.perf_counter() - t],
                  "numba_loaded": "numba" in sys.modules}))
"""

POINTPATS_SCRIPT = r"""
import json, resource, sys, time, warnings
warnings.simplefilter("ignore")
import numpy as np
t0 = time.perf_counter()
from pointpats.spacetime import Knox
t_import = time.perf_counter() - t0
d = np.load(sys.argv[1])
t = time.perf_counter()
k = Knox(d["xy"], d["t"].astype(float).reshape(-1, 1), delta=float(sys.argv[2]), tau=float(sys.argv[3]),
         permutations=int(sys.argv[4]))
print(json.dumps({"import": t_import, "call": time.perf_counter() - t, "p_sim": float(k.p_sim),
                  "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_script(script: str, args: list[str], env_extra: dict[str, str]) -> tuple[dict, float]:
    env = {**os.environ, **env_extra}
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


def pythonpath(*parts: str | None) -> str:
    return os.pathsep.join(p for p in [*parts, os.environ.get("PYTHONPATH")] if p)


def load_inputs() -> dict:
    lsoa = pd.concat(
        [gpd.read_file(p) for p in sorted((KENT / "boundaries" / "lsoa2011").glob("*.json"))], ignore_index=True
    )
    with zipfile.ZipFile(KENT / "police-uk" / "kent-street-2018-10_2019-02.zip") as archive:
        crimes = pd.concat([pd.read_csv(archive.open(n)) for n in archive.namelist()])
    districts = gpd.read_file(KENT / "boundaries" / "districts" / "kent-medway-lad2013.geojson")
    lsoa_y = crimes.groupby("LSOA code").size().reindex(lsoa["LSOA11CD"]).fillna(0).to_numpy(float)
    t = time.perf_counter()
    grid = square_grid(districts, 250)
    grid_seconds = time.perf_counter() - t
    located = crimes.dropna(subset=["Longitude", "Latitude"])
    grid_y = count_points(grid, located[["Longitude", "Latitude"]].to_numpy(), crs="EPSG:4326").counts
    return {
        "lsoa": (lsoa_y, contiguity_weights(lsoa)),
        "grid": (grid_y.astype(float), grid_weights(grid)),
        "grid_info": {"cells": grid.n_cells, "build_seconds": grid_seconds, "area_km2": grid.area_m2.sum() / 1e6},
    }


def bench_gi(name: str, y: np.ndarray, w, tmp: Path, extra_site: str | None, numba_in_venv: bool) -> dict:
    path = tmp / f"{name}.npz"
    m = w.matrix
    np.savez(path, y=y, data=m.data, indices=m.indices, indptr=m.indptr)
    gi_star(y, w, permutations=PERMUTATIONS, seed=0)  # warm-up
    warm = []
    for k in range(3):
        t = time.perf_counter()
        gi_star(y, w, permutations=PERMUTATIONS, seed=k)
        warm.append(time.perf_counter() - t)
    src = str(ROOT / "src")
    fresh, fresh_wall = run_script(VRHUB_SCRIPT, [str(path), str(PERMUTATIONS)], {"PYTHONPATH": pythonpath(src)})
    out = {
        "n": len(y),
        "max_neighbours": int(w.cardinalities.max()),
        "vrhub_warm": statistics.median(warm),
        "vrhub_fresh": fresh["import"] + fresh["calls"][0],
        "vrhub_fresh_wall": fresh_wall,
        "vrhub_fresh_loaded_numba": fresh["numba_loaded"],
        "esda": {},
    }
    env = {"PYTHONPATH": pythonpath(extra_site)}
    variants = [("numba", "show"), ("no numba", "hide")] if numba_in_venv or extra_site else [("no numba", "hide")]
    for label, numba_mode in variants:
        res, wall = run_script(ESDA_SCRIPT, [str(path), str(PERMUTATIONS), numba_mode], env)
        out["esda"][label] = {
            "jit": res["jit"],
            "warm": min(res["calls"][1:]),
            "fresh": res["import"] + res["calls"][0],
            "fresh_wall": wall,
        }
    return out


def synthetic_events(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Kent-sized synthetic incidents over two years: 60% in 300 clusters (sd 400 m), 30% uniform, and
    10% near repeats (within 150 m and 1-14 days of an earlier incident)."""
    rng = np.random.default_rng(seed)
    lo, hi = np.array([540_000, 120_000]), np.array([640_000, 180_000])
    n_follow = n // 10
    n_base = n - n_follow
    n_cluster = int(n_base * 0.6)
    centres = rng.uniform(lo, hi, (300, 2))
    xy = np.vstack(
        [
            centres[rng.integers(0, 300, n_cluster)] + rng.normal(0, 400, (n_cluster, 2)),
            rng.uniform(lo, hi, (n_base - n_cluster, 2)),
        ]
    )
    days = rng.integers(0, 730, n_base)
    src = rng.integers(0, n_base, n_follow)
    angle, radius = rng.uniform(0, 2 * np.pi, n_follow), rng.uniform(0, 150, n_follow)
    xy = np.vstack([xy, xy[src] + np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])])
    days = np.concatenate([days, np.minimum(729, days[src] + rng.integers(1, 15, n_follow))])
    return xy, days


def bench_knox(tmp: Path, extra_site: str | None, all_pairs_permutations: tuple[int, int]) -> dict:
    out: dict = {}
    for n in (20_000, 100_000):
        xy, days = synthetic_events(n)
        t = time.perf_counter()
        res = knox_test(xy, days, space_bands=SPACE_BANDS, time_bands=TIME_BANDS, permutations=PERMUTATIONS,
                        seed=1, crs="EPSG:27700")
        out[n] = {"vrhub": time.perf_counter() - t, "close_pairs": res.n_close_pairs,
                  "ratio_0_100m_0_7d": float(res.knox_ratio[0, 0]), "p_0_100m_0_7d": float(res.p_value[0, 0])}
    xy, days = synthetic_events(20_000)
    timings = []
    for p in all_pairs_permutations:
        t = time.perf_counter()
        knox_test_all_pairs(xy, days, space_bands=SPACE_BANDS, time_bands=TIME_BANDS, permutations=p, seed=1,
                            crs="EPSG:27700")
        timings.append(time.perf_counter() - t)
    (p1, p2), (t1, t2) = all_pairs_permutations, timings
    per_permutation = (t2 - t1) / (p2 - p1)
    fixed = t1 - p1 * per_permutation  # distances of all pairs + the observed table
    out[20_000]["all_pairs_measured"] = dict(zip(map(str, all_pairs_permutations), timings, strict=True))
    out[20_000]["all_pairs_per_permutation"] = per_permutation
    out[20_000]["all_pairs_scaled_999"] = fixed + PERMUTATIONS * per_permutation
    path = tmp / "knox20k.npz"
    np.savez(path, xy=xy, t=days)
    try:
        res, _ = run_script(
            POINTPATS_SCRIPT, [str(path), "500", "35", str(PERMUTATIONS)], {"PYTHONPATH": pythonpath(extra_site)}
        )
        out[20_000]["pointpats"] = res
    except RuntimeError as exc:
        out[20_000]["pointpats"] = {"error": str(exc).strip().splitlines()[-1]}
    return out


def fmt(seconds: float) -> str:
    return f"{seconds:8.2f} s" if seconds >= 0.1 else f"{seconds * 1000:7.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extra-site", default=os.environ.get("VRHUB_BENCH_EXTRA_SITE"),
                        help="directory with numba (and pointpats) installed by `pip install --target DIR ...`")
    parser.add_argument("--all-pairs-permutations", default="2,5",
                        help="two permutation counts for the all-pairs reference; its time is extrapolated")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args()
    try:
        import numba  # noqa: F401

        numba_in_venv = True
    except ImportError:
        numba_in_venv = False

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; numpy {np.__version__}")
    inputs = load_inputs()
    info = inputs["grid_info"]
    print(f"Kent and Medway 250 m grid: {info['cells']:,} cells over {info['area_km2']:,.1f} km², "
          f"built in {fmt(info['build_seconds']).strip()}")
    results: dict = {"grid": info, "gi_star": {}, "knox": {}}
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        print(f"\nGi* with {PERMUTATIONS} permutations (esda: n_jobs=1; fresh = import + first call in a new process)")
        for name in ("lsoa", "grid"):
            y, w = inputs[name]
            r = bench_gi(name, y, w, tmp, args.extra_site, numba_in_venv)
            results["gi_star"][name] = r
            label = "1,065 LSOAs (queen)" if name == "lsoa" else f"{r['n']:,} grid cells (queen)"
            print(f"  {label}, max {r['max_neighbours']} neighbours")
            print(f"    vrhub          warm {fmt(r['vrhub_warm'])}   fresh {fmt(r['vrhub_fresh'])}"
                  f"   (process wall {fmt(r['vrhub_fresh_wall']).strip()}; "
                  f"numba loaded: {r['vrhub_fresh_loaded_numba']})")
            for label_e, e in r["esda"].items():
                print(f"    esda {label_e:9s} warm {fmt(e['warm'])} ({e['warm'] / r['vrhub_warm']:5.1f}x)"
                      f"   fresh {fmt(e['fresh'])} ({e['fresh'] / r['vrhub_fresh']:5.1f}x)   [{e['jit']}]")
            if "numba" not in r["esda"]:
                print("    esda numba: not measured (numba not importable; pass --extra-site DIR after "
                      "`pip install --target DIR numba`)")
        bands = f"{len(SPACE_BANDS) - 1}+1 space x {len(TIME_BANDS) - 1}+1 time bands"
        print(f"\nKnox, {bands}, {PERMUTATIONS} permutations")
        ap = tuple(int(v) for v in args.all_pairs_permutations.split(","))
        knox = bench_knox(tmp, args.extra_site, ap)
        results["knox"] = knox
        for n, r in knox.items():
            print(f"  {n:,} incidents ({r['close_pairs']:,} pairs within {SPACE_BANDS[-1]} m): "
                  f"vrhub {fmt(r['vrhub'])}"
                  f"   [Knox ratio 0-100 m/0-7 days {r['ratio_0_100m_0_7d']:.2f}, p {r['p_0_100m_0_7d']:.3f}]")
        r = knox[20_000]
        measured = ", ".join(f"{fmt(v).strip()} with {k}" for k, v in r["all_pairs_measured"].items())
        print(f"  20,000 all pairs: {measured} permutations; {fmt(r['all_pairs_per_permutation']).strip()} per "
              f"permutation, so {PERMUTATIONS} would take {fmt(r['all_pairs_scaled_999']).strip()} "
              f"({r['all_pairs_scaled_999'] / r['vrhub']:,.0f}x vrhub; extrapolated, not run)")
        pp = r["pointpats"]
        if "error" in pp:
            print(f"  pointpats Knox: not run ({pp['error']})")
        else:
            print(f"  pointpats Knox (2x2 table: 500 m, 35 days), {PERMUTATIONS} permutations: "
                  f"{fmt(pp['call']).strip()}"
                  f" + import {fmt(pp['import']).strip()}, peak memory {pp['max_rss_mb']:,.0f} MB "
                  f"({pp['call'] / r['vrhub']:.1f}x vrhub's 6x6 table)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
