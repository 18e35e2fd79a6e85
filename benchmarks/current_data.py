"""Benchmark the current-data path: loading the 2021 geography as published, fetching a real Kent month from a
local fake police.uk, and bringing a 2018–2025 series onto 2021 LSOAs.

Run:  .venv/bin/python benchmarks/current_data.py [--json results.json]

* geography: the shipped 2021 boundaries (zip), IoD 2025 File 1 and the all-domains CSV, Census 2021 (Nomis) and
  the LSOA 2011 → 2021 lookup, loaded into a fresh workspace (each timed);
* fetch: all 14,201 rows of Kent's January 2025 served by ``FakePoliceUk`` with police.uk's own limit (503 above
  10,000 crimes in an area), unthrottled here: the requests it took, and what they cost at police.uk's 15 a second;
* vintages: October 2018 – February 2019 (2011 LSOAs) and the twelve months of 2025 (2021 LSOAs) on 2021 LSOAs with
  ``Geography.to_vintage`` and counted per LSOA (DuckDB).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from vrhub.data import kent  # noqa: E402
from vrhub.ingest.geography import load_geography  # noqa: E402
from vrhub.ingest.loader import ingest  # noqa: E402
from vrhub.ingest.police_uk import SOURCES  # noqa: E402
from vrhub.ingest.police_uk.api import PoliceUkApi  # noqa: E402
from vrhub.ingest.police_uk.fake_api import FakePoliceUk, crime_json  # noqa: E402
from vrhub.ingest.police_uk.fetch import fetch_police_uk  # noqa: E402
from vrhub.store.geography import Geography  # noqa: E402
from vrhub.store.workspace import Settings, Workspace  # noqa: E402

G2021 = kent() / "geography2021"
FILES = ["boundaries2021-kent-medway.zip", "File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
         "imd2025_scores_ranks_deciles_all_domains_lsoa21.zip",
         "census2021_TS007A_age_five_year_bands_lsoa2021_england_wales.zip",
         "lsoa11_to_lsoa21_best_fit_lookup_england_wales_v2.zip"]
STREET_2025 = kent() / "police-uk" / "kent-street-2025-01_2025-12.zip"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    figures: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.open(Settings.resolve(Path(tmp) / "home", None, environ={}))
        for name in FILES:
            t = time.perf_counter()
            results = load_geography(ws, [G2021 / name])
            assert all(r.ok for r in results), [r.error for r in results]
            figures[f"load {name} (s)"] = round(time.perf_counter() - t, 2)
        with zipfile.ZipFile(STREET_2025) as zf:
            rows = list(csv.DictReader(io.StringIO(zf.read("2025-01/2025-01-kent-street.csv").decode())))
        crimes = [crime_json(r, i) for i, r in enumerate(rows, 1)]
        with FakePoliceUk(crimes) as fake:
            t = time.perf_counter()
            report = fetch_police_uk(ws, "kent", start="2025-01", api=PoliceUkApi(fake.url, rate=10_000, backoff=0))
            figures["fetch 2025-01 (s, unthrottled)"] = round(time.perf_counter() - t, 2)
            figures["fetch requests"] = report.requests
            figures["fetch 503 refusals"] = fake.status[503]
            figures["fetch at 15 requests/s (s, rate limit alone)"] = round(report.requests / 15, 1)
            figures["fetch rows loaded"] = sum(r.rows_accepted for r in report.ingest.results)
        older = kent() / "police-uk" / "kent-street-2018-10_2019-02.zip"
        t = time.perf_counter()
        assert ingest(ws, [older, STREET_2025], SOURCES, partner="Kent Police").ok
        figures["load 17 months of street crime (s)"] = round(time.perf_counter() - t, 2)
        geo = Geography(ws.engine())
        t = time.perf_counter()
        table, bridge = geo.to_vintage(ws.engine().table("police_uk_street"))
        n = table.group_by("lsoa_code").agg(n=table.count()).count().execute()
        figures["to_vintage + count by LSOA (s)"] = round(time.perf_counter() - t, 2)
        figures["rows moved 2011 -> 2021"] = bridge.moved.get(2011, 0)
        figures["LSOAs in the series"] = int(n)
    for k, v in figures.items():
        print(f"{k:72} {v:>10,}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
