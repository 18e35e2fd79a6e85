"""Synthetic providers' returns and surveys: deterministic, valid returns marked synthetic, and the planted survey
change recovered by the pre/post design (and no change claimed where none was planted)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from vrhub_testkit import run_cli as run

from vrhub.analysis.evaluation.workspace import evaluate_survey
from vrhub.governance.commissioning import load_register
from vrhub.governance.returns import read_returns
from vrhub.synth.returns import DEFAULT_SURVEY_SHIFT, PLANTED_SURVEY_SHIFT, SYNTHETIC_NOTE, generate_returns


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return generate_returns(tmp_path_factory.mktemp("returns"), load_register(), seed=1, start="2022-01", months=36)


def test_the_same_seed_writes_the_same_bytes(made, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    again = generate_returns(tmp_path, load_register(), seed=1, start="2022-01", months=36)
    assert again.returns_file.read_bytes() == made.returns_file.read_bytes()
    other = generate_returns(tmp_path / "b", load_register(), seed=2, start="2022-01", months=36)
    assert other.returns_file.read_bytes() != made.returns_file.read_bytes()


def test_every_row_is_a_valid_return_marked_synthetic_inside_its_contract(made) -> None:  # type: ignore[no-untyped-def]
    register = load_register()
    load = read_returns(made.returns_file, register)
    assert load.set_aside == [] and len(load.accepted) == made.rows > 0
    rows = list(csv.DictReader(made.returns_file.open(encoding="utf-8")))
    assert all(r["note"] == SYNTHETIC_NOTE for r in rows) and "synthetic" in made.returns_file.name
    gangs = register.service("gangs-county-lines-interventions")
    assert gangs is not None and gangs.contract_start is not None
    starts = {r["period_start"] for r in rows if r["service"] == gangs.key}
    assert min(starts) >= f"{gangs.contract_start:%Y-%m}"  # no quarter before the contract began
    by = {}
    for r in rows:
        by.setdefault((r["service"], r["provider"], r["period_start"]), {})[r["measure"]] = int(r["value"])
    assert all(v["surveys_agree_or_strongly_agree"] <= v["surveys_completed"] for v in by.values())


def test_the_planted_survey_change_is_recovered_and_none_is_claimed_where_none_was_planted(made) -> None:  # type: ignore[no-untyped-def]
    for key, path in made.surveys.items():
        planted = PLANTED_SURVEY_SHIFT.get(key, DEFAULT_SURVEY_SHIFT)
        t = evaluate_survey(path).paired_t
        assert t.ci_low <= planted <= t.ci_high, (key, t)
        if planted == 0:
            assert t.p_value > 0.05, (key, t)
        else:
            assert t.p_value < 0.001 and t.ci_low > 0, (key, t)
    assert 0 in [PLANTED_SURVEY_SHIFT.get(k, DEFAULT_SURVEY_SHIFT) for k in made.surveys]  # a null run is included


def test_synth_load_puts_the_returns_in_the_workspace(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = run("--home", str(home), "synth", "--years", "2023", "--scale", "0.05", "--out", str(tmp_path / "s"),
                 "--load", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["loaded_returns"]["rows_accepted"] == got["returns"]["rows"] > 0
    report = run("--home", str(home), "services", "report", "gangs-county-lines-interventions")
    assert report.exit_code == 0 and "returns-synthetic-2023-01-12m.csv" in report.output
