"""``vrhub evaluate``: refusals on five real Kent months, a planted effect recovered, and surveys.

The synthetic workspace is built through the CLI itself (``geography load``, ``ingest police-uk``) from invented
police.uk street CSVs: 8 Kent districts × 10 LSOAs, 36 months, "Violence and sexual offences" 25% lower in
Maidstone's LSOAs from 2018-01, "Robbery" unchanged (the null panel).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from vrhub_testkit import KENT, STREET_HEADER
from vrhub_testkit import run_cli as run

from vrhub.cli.main import main

PLANTED = 0.75
START = "2018-01"
MONTHS = pd.period_range("2016-01", "2018-12", freq="M").strftime("%Y-%m").tolist()
DISTRICTS = ["Maidstone", "Ashford", "Swale", "Thanet", "Dover", "Canterbury", "Gravesham", "Dartford"]


def write_street_files(folder: Path, seed: int = 11, per_district: int = 10) -> None:
    with next((KENT / "imd2019").glob("File_2_*.csv")).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    chosen: dict[str, list[tuple[str, str]]] = {d: [] for d in DISTRICTS}
    for r in rows:
        if r[3] in chosen and len(chosen[r[3]]) < per_district:
            chosen[r[3]].append((r[0], r[1]))
    rng = np.random.default_rng(seed)
    base = {code: rng.uniform(6, 14) for v in chosen.values() for code, _ in v}
    n = 0
    for t, month in enumerate(MONTHS):
        season = 1 + 0.1 * np.sin(2 * np.pi * t / 12)
        out = []
        for district, lsoas in chosen.items():
            for code, name in lsoas:
                effect = PLANTED if district == "Maidstone" and month >= START else 1.0
                for crime_type, mult in (("Violence and sexual offences", effect), ("Robbery", 1.0)):
                    for _ in range(rng.poisson(base[code] * season * mult)):
                        n += 1
                        out.append([f"{n:08x}", month, "Kent Police", "Kent Police", "0.52", "51.27",
                                    "On or near Synthetic Street", code, name, crime_type, "", ""])
        path = folder / month / f"{month}-kent-street.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows([STREET_HEADER, *out])


@pytest.fixture(scope="module")
def synth_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    root = tmp_path_factory.mktemp("evaluate-cli")
    write_street_files(root / "csv")
    home = str(root / "home")
    assert run("--home", home, "geography", "load", str(KENT / "boundaries"), str(KENT / "imd2019")).exit_code == 0
    r = run("--home", home, "ingest", "police-uk", str(root / "csv"), "--json")
    assert r.exit_code == 0, r.output
    return home


def test_did_json_recovers_planted_fall(synth_home: str):
    r = run("--home", synth_home, "evaluate", "did", "--treated", "Maidstone", "--start", START, "--level", "lsoa",
            "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    e = got["effect"]
    assert e["ci_low"] <= PLANTED <= e["ci_high"] < 1.0 and e["detected"]
    assert len(e["data_versions"]) == len(MONTHS)  # one police.uk dataset per month file
    assert got["design"] == "difference-in-differences" and len(got["treated"]) >= 10


def test_its_and_null_panel(synth_home: str, terminal: io.StringIO):
    r = run("--home", synth_home, "evaluate", "its", "--area", "Maidstone", "--start", START, "--level", "lsoa",
            "--json")
    e = json.loads(r.stdout)["effect"]
    assert e["ci_low"] <= PLANTED <= e["ci_high"] < 1.0
    assert terminal.getvalue() == ""  # --json: no progress drawn
    r = run("--home", synth_home, "evaluate", "did", "--treated", "Maidstone", "--start", START, "--level", "lsoa",
            "--crime-type", "Robbery")
    assert r.exit_code == 0, r.output
    assert "Difference-in-differences: fitting" in terminal.getvalue() and "fitting" not in r.stdout  # stderr only
    assert "No detectable effect" in " ".join(r.stdout.split())


def _fails(home: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    monkeypatch.setattr(sys, "argv", ["vrhub", "--home", home, "evaluate", *args])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    return " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize(("args", "need"), [
    (["its", "--area", "Medway", "--start", "2019-01"], 12),
    (["synth", "--treated", "Medway", "--start", "2019-01"], 12),
    (["did", "--treated", "Medway,Swale", "--start", "2018-12", "--match", "2"], 6),
])
def test_five_real_months_refuse_honestly(kent_ws, monkeypatch, capsys, args, need):
    err = _fails(str(kent_ws.ws.home), monkeypatch, capsys, *args)
    assert f"needs at least {need} pre-period months" in err
    assert "police.uk data 2018-10 to 2019-02" in err and "What to do:" in err


def test_survey_before_after(tmp_path: Path):
    p = tmp_path / "survey.csv"
    p.write_text("id,before,after\na,2,4\nb,3,4\nc,2,3\nd,4,5\ne,3,3\nf,1,3\n", encoding="utf-8")
    r = run("--home", str(tmp_path / "h"), "evaluate", "survey", "--before-after", str(p), "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["paired_t"]["estimate"] == pytest.approx(np.mean([2, 1, 1, 1, 0, 2]), abs=1e-12)
    assert got["rows"] == 6 and "wilcoxon" in got
