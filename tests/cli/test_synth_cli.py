"""``vrhub synth``: writes seeded synthetic ISTV returns, says they are synthetic, and --load marks them so."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from vrhub_testkit import open_workspace
from vrhub_testkit import run_cli as run

from vrhub.cli.synth import parse_years


def test_load_json_loads_every_file_marked_synthetic(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = run("--home", str(home), "synth", "--years", "2023-2023", "--seed", "1", "--out", str(tmp_path / "tmp"),
                 "--load", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["synthetic"] is True and "SYNTHETIC" in got["notice"]
    assert got["start"] == "2023-01" and got["months"] == 12
    files = [Path(p) for p in got["files"]]
    assert len(files) == 12 * len(got["sites"]) and all(p.exists() for p in files)
    rows = sum(1 for p in files for _ in csv.DictReader(p.open(encoding="utf-8", newline="")))
    assert rows == got["rows"] > 0
    ws = open_workspace(home)
    datasets = ws.catalogue.datasets("ed_istv")
    assert len(datasets) == len(files) and all(d.synthetic for d in datasets)
    assert sum(d.rows_accepted for d in datasets) == rows
    assert sum(r["rows_accepted"] for r in got["loaded"]) == rows


def test_same_seed_same_bytes_without_loading(tmp_path: Path) -> None:
    for name in ("a", "b"):
        result = run("synth", "--years", "2022", "--seed", "9", "--scale", "0.05", "--out", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        assert "SYNTHETIC DATA" in result.stdout
    a = sorted((tmp_path / "a").glob("*.csv"))
    assert a and [p.read_bytes() for p in a] == [(tmp_path / "b" / p.name).read_bytes() for p in a]
    other = run("synth", "--years", "2022", "--seed", "10", "--scale", "0.05", "--out", str(tmp_path / "c"))
    assert other.exit_code == 0
    assert [p.read_bytes() for p in a] != [(tmp_path / "c" / p.name).read_bytes() for p in a]


def test_years_are_checked() -> None:
    assert parse_years("2022-2024") == (2022, 2024) and parse_years("2023") == (2023, 2023)
    result = run("synth", "--years", "2024-2022", "--out", "unused")
    assert result.exit_code != 0 and "earlier year first" in result.output


def test_no_signals_and_spatially_random_make_a_null_run(tmp_path: Path) -> None:
    planted = json.loads(run("synth", "--years", "2023", "--scale", "0.05", "--out", str(tmp_path / "a"),
                             "--json").stdout)["parameters"]
    null = json.loads(run("synth", "--years", "2023", "--scale", "0.05", "--out", str(tmp_path / "b"), "--no-signals",
                          "--spatially-random", "--json").stdout)["parameters"]
    assert planted["planted"]["hotspot_lsoas"] and planted["planted"]["intervention_reduction"] > 0
    assert null["planted"]["hotspot_lsoas"] == [] and null["planted"]["intervention_reduction"] == 0
    assert null["planted"]["repeat_share"] == 0 and null["spatially_random"] is True
