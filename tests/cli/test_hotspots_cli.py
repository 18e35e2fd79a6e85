"""``vrhub hotspots`` and ``vrhub near-repeat`` on the Kent workspace (read-only; outputs go to tmp)."""

from __future__ import annotations

import json
from pathlib import Path

from vrhub_testkit import run_cli as run


def test_hotspots_json_prints_parameters_data_versions_and_files(kent_ws, tmp_path: Path):
    home = str(kent_ws.ws.home)
    out = tmp_path / "gi"
    result = run("--home", home, "hotspots", "--method", "gistar", "--level", "grid", "--cell", "2000",
                 "--permutations", "199", "--seed", "7", "--from", "2019-01", "--to", "2019-02", "--out", str(out),
                 "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    p = got["parameters"]
    assert (p["cell_size_m"], p["permutations"], p["seed"], p["fdr_level"]) == (2000, 199, 7, 0.05)
    assert got["period"] == {"from": "2019-01", "to": "2019-02"} and got["method"] == "gistar"
    assert got["notice"] == "unsuppressed — analyst use only"
    assert len(got["data_versions"]["police_uk_street"]) == 2  # one dataset per month of the period
    files = [Path(f) for f in got["files"]]
    assert {f.name for f in files} >= {"hotspots.csv", "map.svg", "map.png", "map.html", "hotspots.json"}
    assert all(f.is_file() and f.parent == out for f in files)
    written = json.loads((out / "hotspots.json").read_text(encoding="utf-8"))
    assert written["parameters"] == p


def test_bad_options_say_what_to_write(kent_ws):
    result = run("--home", str(kent_ws.ws.home), "hotspots", "--method", "hexbins")
    assert result.exit_code == 2 and "gistar" in result.output
    result = run("--home", str(kent_ws.ws.home), "hotspots", "--from", "2019-13")
    assert result.exit_code == 2 and "YYYY-MM" in result.output


def test_near_repeat_refuses_day_bands_on_police_uk_months(kent_ws):
    result = run("--home", str(kent_ws.ws.home), "near-repeat", "--source", "police_uk_street",
                 "--space", "0,200,400", "--time", "0,7,14", "--permutations", "9", "--json")
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "month only, not the day" in text and "--time-unit month" in text
    assert result.stdout.strip() == ""  # nothing that looks like a result


def test_near_repeat_by_month_warns_that_it_is_coarse(kent_ws):
    result = run("--home", str(kent_ws.ws.home), "near-repeat", "--space", "0,200", "--time", "0,0,1",
                 "--time-unit", "month", "--from", "2018-10", "--to", "2018-11", "--permutations", "9",
                 "--seed", "3", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["parameters"]["time_unit"] == "month" and got["parameters"]["seed"] == 3
    assert got["parameters"]["permutations"] == 9 and got["parameters"]["space_bands_m"] == [0, 200]
    assert len(got["table"]) == 2 * 3  # (2 space bands incl. beyond) x (same, >0-1, beyond)
    assert "coarsened" in " ".join(result.stderr.split())


def test_kde_per_population_writes_a_rate_map(kent_ws, tmp_path: Path):
    out = tmp_path / "dual"
    result = run("--home", str(kent_ws.ws.home), "hotspots", "--method", "kde", "--per-population", "--cell", "5000",
                 "--bandwidth", "8000", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["method"] == "dual_kde" and got["parameters"]["per"] == 1000.0 and got["data_versions"]["population"]
    header = (out / "hotspots.csv").read_text(encoding="utf-8").splitlines()[1]
    assert "rate_per_1000" in header.split(",")
    assert "per 1,000 residents" in (out / "map.html").read_text(encoding="utf-8")


def test_lsoa_runs_also_map_rates_by_district(kent_ws, tmp_path: Path):
    import csv

    from vrhub_testkit import KENT

    out = tmp_path / "gi"
    result = run("--home", str(kent_ws.ws.home), "hotspots", "--permutations", "0", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    assert str(out / "district_rate_map.html") in json.loads(result.stdout)["files"]
    # independent: LSOA counts from hotspots.csv, districts and residents from the raw IoD 2019 files
    rows = list(csv.DictReader((out / "hotspots.csv").read_text(encoding="utf-8").splitlines()[1:]))
    with next((KENT / "imd2019").glob("File_2_*.csv")).open(encoding="utf-8-sig") as f:
        district = {r["LSOA code (2011)"]: r["Local Authority District name (2019)"] for r in csv.DictReader(f)}
    with next((KENT / "imd2019").glob("File_6_*.csv")).open(encoding="utf-8-sig") as f:
        pop = {r["LSOA code (2011)"]: int(r["Total population: mid 2015 (excluding prisoners)"].replace(",", ""))
               for r in csv.DictReader(f)}
    n = sum(int(r["count"]) for r in rows if district.get(r["id"]) == "Thanet")
    residents = sum(p for c, p in pop.items() if district.get(c) == "Thanet")
    html = (out / "district_rate_map.html").read_text(encoding="utf-8")
    assert f'"name": "Thanet", "rate_per_1000": {round(n / residents * 1000, 2)}, "count": {float(n)}' in html


def test_released_district_map_shows_only_protected_counts(kent_ws, tmp_path: Path):
    import re

    out = tmp_path / "rel"
    result = run("--home", str(kent_ws.ws.home), "hotspots", "--permutations", "0", "--from", "2019-02", "--to",
                 "2019-02", "--strand", "serious_youth_violence", "--release", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    html = (out / "district_rate_map.html").read_text(encoding="utf-8")
    counts = [float(c) for c in re.findall(r'"count": ([\d.]+)', html)]
    assert counts and all(c == 0 or (c > 7 and c % 5 == 0) for c in counts), counts


def test_a_released_run_publishes_no_exact_total_or_count_in_notes(kent_ws, tmp_path: Path):
    # Issue 11: hotspots.json of a release carried the exact total (e.g. 28,626) and "826 record(s)" in its notes.
    import re

    import pandas as pd

    from vrhub.domain.disclosure import NHS_OPENSAFELY, audit

    out = tmp_path / "released"
    result = run("--home", str(kent_ws.ws.home), "hotspots", "--method", "gistar", "--level", "grid", "--cell", "2000",
                 "--permutations", "99", "--seed", "7", "--from", "2019-01", "--to", "2019-01", "--out", str(out),
                 "--release", "--json")
    assert result.exit_code == 0, result.output
    meta = json.loads((out / "hotspots.json").read_text(encoding="utf-8"))
    total = meta["parameters"]["n_incidents_counted"]
    assert total % 5 == 0 and total == meta["released"]["total_published"]
    counted = [n for n in meta["notes"] if "record(s)" in n]
    assert counted, meta["notes"]
    for note in counted:
        for number in re.findall(r"([\d,]+) record\(s\)", note):
            assert int(number.replace(",", "")) % 5 == 0, note
    assert "Statistics:" in meta["notice"]
    table = pd.read_csv(out / "hotspots.csv", skiprows=1)
    assert {"z", "p", "q"}.isdisjoint(table.columns)
    shown = table["count"].dropna()
    assert (shown % 5 == 0).all() and not shown.between(1, 7).any()
    # the cells with the published total, attacked by linear programming: no suppressed cell narrowed
    cells = table[["id", "count"]].astype({"count": "object"})
    cells = pd.concat([cells, pd.DataFrame({"id": ["Total"], "count": [total]})]).where(lambda f: f.notna(), None)
    report = audit(cells, NHS_OPENSAFELY, dims=["id"], value="count")
    assert len(report.cells) > 0 and report.safe, report.recovered
