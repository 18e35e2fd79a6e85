"""Demo and synthetic content says so in its first line: console, JSON, the SNA's HTML (and so its PDF).

A fresh workspace falls back on the shipped Kent and Medway registers (strategy, services): every output built on
them starts "DEMO:". Providers' returns made by ``vrhub synth`` are invented: the value sheet and the service
report built on them start "SYNTHETIC", and the sentence with the participants says where they came from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from vrhub_testkit import run_cli as run

from vrhub.domain.labels import SYNTHETIC, notice
from vrhub.governance.commissioning import load_register
from vrhub.synth.returns import generate_returns

SERVICE = "young-peoples-prevention-service"


def first_line(output: str) -> str:
    return output.splitlines()[0]


@pytest.mark.parametrize("command", [("strategy", "status"), ("services", "list"), ("services", "alerts")])
def test_the_shipped_registers_are_labelled_demo_in_the_first_line(tmp_path: Path, command: tuple[str, ...]):
    home = str(tmp_path / "h")
    console = run("--home", home, *command)
    assert console.exit_code == 0, console.output
    assert first_line(console.output).startswith("DEMO: the shipped Kent and Medway example")
    got = json.loads(run("--home", home, *command, "--json").stdout)
    assert list(got)[:3] == ["notice", "demo", "synthetic"] and got["demo"] is True
    assert got["notice"].startswith("DEMO:")


def test_a_loaded_strategy_is_not_labelled_demo(tmp_path: Path):
    home = str(tmp_path / "h")
    assert run("--home", home, "strategy", "export", str(tmp_path / "own")).exit_code == 0
    loaded = run("--home", home, "strategy", "load", str(tmp_path / "own" / "partnership.yaml"),
                 str(tmp_path / "own" / "actions.csv"))
    assert loaded.exit_code == 0, loaded.output
    console = run("--home", home, "strategy", "status")
    assert "DEMO" not in console.output and json.loads(run("--home", home, "strategy", "status",
                                                           "--json").stdout)["demo"] is False


@pytest.fixture(scope="module")
def synthetic_returns_home(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("labels")
    made = generate_returns(folder / "returns", load_register(), seed=1, start="2023-04", months=12)
    home = str(folder / "h")
    assert run("--home", home, "services", "returns", str(made.returns_file)).exit_code == 0
    return home


def test_value_from_synthetic_returns_says_synthetic_first(synthetic_returns_home: str):
    console = run("--home", synthetic_returns_home, "value", SERVICE)
    assert console.exit_code == 0, console.output
    assert first_line(console.output).startswith(SYNTHETIC) and "DEMO" in first_line(console.output)
    got = json.loads(run("--home", synthetic_returns_home, "value", SERVICE, "--json").stdout)
    assert got["synthetic"] is True and got["notice"] == notice(demo=True, synthetic=True, what="services register")
    assert "participants (counted from SYNTHETIC providers' returns)" in got["plain_english"]


def test_a_service_report_from_synthetic_returns_says_synthetic_first(synthetic_returns_home: str):
    console = run("--home", synthetic_returns_home, "services", "report", SERVICE)
    assert console.exit_code == 0, console.output
    assert first_line(console.output).startswith(SYNTHETIC)
    assert json.loads(run("--home", synthetic_returns_home, "services", "report", SERVICE,
                          "--json").stdout)["synthetic"] is True


def test_value_from_given_participants_is_not_labelled_synthetic(tmp_path: Path):
    got = json.loads(run("--home", str(tmp_path / "h"), "value", SERVICE, "--participants", "100", "--json").stdout)
    assert got["synthetic"] is False and got["demo"] is True and SYNTHETIC not in got["notice"]
