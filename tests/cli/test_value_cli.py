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


DEMO_SERVICES = ("young-peoples-prevention-service", "gangs-county-lines-interventions", "sports-connect",
                 "buddi-tags")


def _sheet(tmp_path: Path, *args: str) -> dict:
    r = run("--home", str(tmp_path / "h"), "value", *args, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_every_demo_service_gets_a_sheet_labelled_as_planning(tmp_path: Path):
    for key in DEMO_SERVICES:
        got = _sheet(tmp_path, key)
        assert got["service"] == key and got["plain_english"]
        assert got["local_evaluation"] is None and got["planning_assumption"] is True
        assert PLANNING_LABEL in got["evidence_label"] and PLANNING_LABEL in got["plain_english"]
        assert "No local impact evaluation" in got["plain_english"]


def _unit() -> float:
    return load_unit_costs().rebased("2024/25").cost("violence_with_injury").amount


def test_unstated_funding_gives_the_value_per_offence_and_says_what_is_missing(tmp_path: Path):
    got = _sheet(tmp_path, "sports-connect")  # register: YEF sports programmes, high; funding not stated
    assert got["programme_cost"] is None and got["cost_per_participant"] is None
    assert got["break_even_offences"] is None and got["effect_prior"] == "high"
    assert got["value_per_expected_offence"]["central"] == pytest.approx(0.30 * _unit(), rel=1e-12)
    assert any("does not state the funding of Sports Connect" in m and "vrhub services import" in m
               for m in got["missing"])


def test_no_usable_band_gives_scenarios_for_each_band_not_an_effect(tmp_path: Path):
    got = _sheet(tmp_path, "young-peoples-prevention-service")  # knife crime education: insufficient evidence
    assert got["effect_prior"] is None and got["offences_prevented"] is None
    assert [s["band"] for s in got["scenarios"]] == ["low", "moderate", "high"]
    for sc, reduction in zip(got["scenarios"], (0.055, 0.20, 0.30), strict=True):
        assert sc["break_even_offences"]["central"] == pytest.approx(75_000 / (reduction * _unit()), rel=1e-12)
    assert any("insufficient evidence" in m for m in got["missing"])
    assert "does not assume an effect" in got["plain_english"]
    buddi = _sheet(tmp_path, "buddi-tags")  # neither funding nor a YEF band: value per offence per band
    assert buddi["programme_cost"] is None and len(buddi["missing"]) >= 2
    assert [round(s["value_per_expected_offence"] / _unit(), 3) for s in buddi["scenarios"]] == [0.055, 0.2, 0.3]
    assert any("Crime Reduction Toolkit: Electronic monitoring" in m for m in buddi["missing"])


def test_unknown_service_says_what_to_do(tmp_path, monkeypatch, capsys):
    err = _fails(tmp_path, monkeypatch, capsys, "value", "nope")
    assert "no service 'nope'" in err and SERVICE in err
