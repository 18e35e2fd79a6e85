"""Progress on long commands: a Rich bar on stderr, only on a terminal, never with --quiet or --json, and stdout
stays one clean JSON document."""

from __future__ import annotations

import io
import json

import pytest
from vrhub_testkit import KentWorkspace, run_cli

from vrhub.cli import console
from vrhub.cli.console import VrhubConsole, steps
from vrhub.cli.fetch import month_steps

NEAR_REPEAT = ("near-repeat", "--time-unit", "month", "--time", "0,1,2", "--permutations", "19", "--seed", "1")


def test_steps_draw_on_a_terminal_and_stay_silent_elsewhere(terminal: io.StringIO,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with steps("Building the SNA", 3) as step:
        step("the problem profile")
        step("charts")
        console.err.file.flush()
    assert "Building the SNA" in terminal.getvalue() and "charts" in terminal.getvalue()
    for quiet, enabled in ((True, True), (False, False)):
        terminal.truncate(0)
        terminal.seek(0)
        monkeypatch.setattr(console.display, "quiet", quiet)
        with steps("Hot spots", 2, enabled=enabled) as step:
            step("reading incidents")
        assert terminal.getvalue() == ""
    monkeypatch.setattr(console, "err", VrhubConsole(file=io.StringIO(), force_terminal=False))
    monkeypatch.setattr(console.display, "quiet", False)
    assert not steps("Hot spots", 2).enabled  # not a terminal: nothing drawn


def test_a_long_command_draws_progress_on_stderr_only(kent_ws: KentWorkspace, terminal: io.StringIO) -> None:
    result = run_cli("--home", str(kent_ws.ws.home), *NEAR_REPEAT)
    assert result.exit_code == 0, result.output
    assert "Knox near-repeat test" in terminal.getvalue()  # drawn on (the captured) stderr ...
    assert "Knox near-repeat test:" not in result.stdout  # ... never on stdout


def test_json_stays_one_clean_document_and_quiet_draws_nothing(kent_ws: KentWorkspace,
                                                                terminal: io.StringIO) -> None:
    result = run_cli("--home", str(kent_ws.ws.home), *NEAR_REPEAT, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n_events"] > 0  # the whole of stdout parses as one document
    assert "Knox near-repeat test" not in terminal.getvalue()
    quiet = run_cli("--home", str(kent_ws.ws.home), "--quiet", *NEAR_REPEAT)
    assert quiet.exit_code == 0 and "Knox near-repeat test" not in terminal.getvalue()


def test_steps_count_units_whose_total_is_known_only_once_work_starts(terminal: io.StringIO) -> None:
    """``vrhub fetch``/``update`` learn how many months there are from the first one done: ``tick`` takes it."""
    with steps("police.uk") as bar:
        on_month = month_steps(bar)
        on_month("street", "2025-01", 3)
        on_month("street", "2025-02", 3)
        console.err.file.flush()
        assert (bar.done, bar.total) == (1, 3)
    assert "police.uk: street 2025-02" in terminal.getvalue() and "2/3" in terminal.getvalue()
