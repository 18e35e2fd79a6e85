"""``vrhub hotspots``, ``vrhub near-repeat`` and ``vrhub evaluate`` read dated ED returns with ``--source ed_istv``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vrhub_testkit import KENT, open_workspace
from vrhub_testkit import run_cli as run

from vrhub.ingest.geography import load_geography
from vrhub.synth.ed import ingest_synthetic_ed


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("ed-cli")
    ws = open_workspace(root / "home")
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019"]))
    _, report = ingest_synthetic_ed(ws, root / "ed", seed=2, start="2023-01", months=12)  # effect from 2023-07
    assert report.ok
    return str(ws.home)


def test_hotspots_on_ed_returns_counts_home_lsoas_and_says_so(home: str, tmp_path: Path) -> None:
    result = run("--home", home, "hotspots", "--source", "ed_istv", "--permutations", "999", "--seed", "1",
                 "--out", str(tmp_path / "gi"), "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert set(got["data_versions"]) == {"ed_istv", "boundaries_lsoa"} and got["data_versions"]["ed_istv"]
    assert "home LSOA" in got["location_note"] and got["scope"].startswith("ED assault attendances")
    assert "home LSOA" in (tmp_path / "gi" / "map.html").read_text(encoding="utf-8")


def test_grids_are_refused_for_ed_returns(home: str) -> None:
    result = run("--home", home, "hotspots", "--source", "ed_istv", "--method", "kde")
    assert result.exit_code == 1 and "home LSOA" in result.output and "LSOA level" in result.output
    result = run("--home", home, "hotspots", "--source", "hospital")
    assert result.exit_code == 2 and "ed_istv" in result.output


def test_near_repeat_on_ed_returns_uses_days(home: str) -> None:
    result = run("--home", home, "near-repeat", "--source", "ed_istv", "--space", "0,0,1000", "--time", "0,7,14",
                 "--permutations", "99", "--seed", "3", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["parameters"]["time_unit"] == "day" and got["data_versions"]["ed_istv"]
    assert got["synthetic"] is True and got["notice"].startswith("SYNTHETIC")  # the ED returns read are synthetic
    first = got["table"][0]
    assert (first["space_band"], first["time_band"]) == ("same location", "0-7 days")
    assert first["knox_ratio"] > 1.2 and first["p_value"] <= 0.01  # the planted near repeats
    assert first["p_adjusted"] <= 0.01 and got["global_test"]["p_value"] <= 0.01  # survives the multiplicity
    assert got["global_test"]["sentence"].startswith("Global test over the 4 space-time bands")
    assert "home LSOA" in got["location_note"]


def test_evaluate_did_on_ed_returns(home: str) -> None:
    result = run("--home", home, "evaluate", "did", "--treated", "Medway", "--start", "2023-07",
                 "--source", "ed_istv", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert "ED assault attendances" in got["plain_english"]
    assert got["effect"]["ci_low"] <= 0.70 <= got["effect"]["ci_high"]  # the planted 30% reduction
    assert got["effect"]["parameters"]["placebo_standard_deviation"] is not None
