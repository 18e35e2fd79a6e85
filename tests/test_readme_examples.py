"""Every command of the README's "Using it" section runs as written, in order, from an empty folder.

The block starts with ``vrhub examples examples``, which writes the sample inputs the other lines name. Each line
runs in-process (Typer's runner, so the suite does not pay vrhub's start-up forty times) with the working
directory set to a fresh temporary folder; a non-zero exit fails the test, naming the line and its output. Lines
the README itself marks "(needs the internet)" or "(runs until stopped)" are not run: the first reach police.uk,
the second starts the hub's server (tests/server tests it).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from vrhub_testkit import run_cli

ROOT = Path(__file__).resolve().parents[1]
NOT_RUN = ("(needs the internet)", "(runs until stopped)")
#: what the first line of a command's output must start with (vrhub.domain.labels): demo registers, synthetic data
FIRST_LINE = {"strategy status": "DEMO:", "services alerts": "DEMO:", "value gangs": "DEMO:",
              "near-repeat --source ed_istv": "SYNTHETIC", "evaluate did": "SYNTHETIC", "sna build": "SYNTHETIC",
              "cardiff --from": "SYNTHETIC"}


def readme_commands() -> list[str]:
    """The command lines of the README's first code block under "## Using it"."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## Using it"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "the README's 'Using it' section has no ```sh block"
    return [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def test_the_block_is_found_and_starts_with_the_samples() -> None:
    lines = readme_commands()
    assert len(lines) > 30 and lines[0].startswith("vrhub examples examples")
    assert all(ln.startswith("vrhub ") for ln in lines)


def test_every_readme_command_runs_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VRHUB_HOME", raising=False)
    monkeypatch.delenv("VRHUB_DB", raising=False)
    ran = 0
    for line in readme_commands():
        if any(mark in line for mark in NOT_RUN):
            continue
        argv = shlex.split(line, comments=True)
        assert argv[0] == "vrhub"
        result = run_cli(*argv[1:])
        assert result.exit_code == 0, f"{line}\n{result.output}"
        for command, first in FIRST_LINE.items():
            if command in line:
                assert result.stdout.lstrip("─ ").startswith(first), f"{line}\n{result.stdout[:300]}"
        ran += 1
    assert ran >= 35
    assert (tmp_path / "bad-rows.csv").read_text(encoding="utf-8").count("\n") >= 9  # the 9 quarantined rows
    assert (tmp_path / "kent" / "profiles" / "2025-01_2025-04_district_released").is_dir()
