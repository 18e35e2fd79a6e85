"""``vrhub value``: the value-for-money sheet of a registered service, labelled when the YEF prior is used."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
from vrhub_testkit import run_cli as run

from vrhub.analysis.value import PLANNING_LABEL, load_gdp_deflators, load_unit_costs, yef_prior
from vrhub.cli.main import main

SERVICE = "gangs-county-lines-interventions"  # £350,000 in the shipped register; no financial year stated


def test_sheet_without_baseline_gives_break_even_and_label(tmp_path: Path):
    r = run("--home", str(tmp_path / "h"), "value", SERVICE, "--effect-prior", "mentoring", "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["programme_cost"] == 350_000 and got["price_year"] == "2024/25"
    assert PLANNING_LABEL in got["evidence_label"] and PLANNING_LABEL in got["plain_english"]
    assert got["planning_assumption"] is True and got["offences_prevented"] is None
    # independent: £14,050 (2015/16) rebased with the deflators, break-even = cost / (0.21 × unit cost)
    d = load_gdp_deflators()
    unit = 14_050 * d.value("2024/25") / d.value("2015/16")
    assert got["unit_cost"] == pytest.approx(unit, rel=1e-9)
    assert got["break_even_offences"]["central"] == pytest.approx(350_000 / (0.21 * unit), rel=1e-9)
    be = got["break_even_offences"]
    assert be["low"] < be["central"] < be["high"]
    assert any("does not state the financial year" in a for a in got["assumptions"])


def test_sheet_with_baseline_and_participants(tmp_path: Path):
    r = run("--home", str(tmp_path / "h"), "value", SERVICE, "--effect-prior", "mentoring", "--participants", "200",
            "--baseline-offences", "60", "--seed", "3", "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["cost_per_participant"] == pytest.approx(1_750.0)
    unit = load_unit_costs().rebased("2024/25").cost("violence_with_injury").amount
    assert got["offences_prevented"]["central"] == pytest.approx(0.21 * 60, rel=1e-12)
    assert got["benefit_cost_ratio"]["central"] == pytest.approx(0.21 * 60 * unit / 350_000, rel=1e-12)
    # the Monte Carlo interval: the same triangular draws, independently
    ratios = yef_prior("mentoring").sample_ratios(np.random.default_rng(3), 10_000)
    bcr = (1 - ratios) * 60 * unit / 350_000
    lo, hi = np.percentile(bcr, [2.5, 97.5])
    assert got["benefit_cost_ratio"]["low"] == pytest.approx(lo, rel=1e-9)
    assert got["benefit_cost_ratio"]["high"] == pytest.approx(hi, rel=1e-9)
    assert any(PLANNING_LABEL in a for a in got["assumptions"])


def test_participants_come_from_returns(tmp_path: Path):
    from importlib.resources import files

    home = str(tmp_path / "h")
    demo = str(files("vrhub.governance") / "data" / "kent_returns_demo.csv")
    assert run("--home", home, "services", "returns", demo).exit_code == 0
    r = run("--home", home, "value", "young-peoples-prevention-service", "--effect-prior", "low", "--json")
    got = json.loads(r.stdout)
    assert got["participants"] == 5276 and got["cost_per_participant"] == pytest.approx(75_000 / 5276)


def _fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    monkeypatch.setattr(sys, "argv", ["vrhub", "--home", str(tmp_path / "h"), *args])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    return " ".join(capsys.readouterr().err.split())


def test_unstated_funding_stops_with_what_to_do(tmp_path, monkeypatch, capsys):
    err = _fails(tmp_path, monkeypatch, capsys, "value", "sports-connect", "--effect-prior", "high")
    assert "does not state the funding of Sports Connect" in err
    assert "What to do:" in err and "vrhub services import" in err


def test_no_prior_and_unknown_service_say_what_to_do(tmp_path, monkeypatch, capsys):
    err = _fails(tmp_path, monkeypatch, capsys, "value", "young-peoples-prevention-service")
    assert "no effect size" in err and "--effect-prior" in err
    err = _fails(tmp_path, monkeypatch, capsys, "value", "nope")
    assert "no service 'nope'" in err and SERVICE in err
