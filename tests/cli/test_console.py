"""Console output: full width when not a terminal (nothing cut or folded), tables wrap rather than cut in a
narrow terminal, and rule titles (the release notice) are never cut with "…"."""

from __future__ import annotations

import io

from vrhub_testkit import KentWorkspace, run_cli

from vrhub.cli.console import VrhubConsole
from vrhub.cli.main import table

LONG_ID = "street-e643979cab1c-and-a-long-tail-of-characters"


def test_piped_output_keeps_every_dataset_id_and_row_whole(kent_ws: KentWorkspace) -> None:
    result = run_cli("--home", str(kent_ws.ws.home), "datasets")  # CliRunner: stdout is not a terminal
    assert result.exit_code == 0, result.output
    ids = [r.dataset_id for r in kent_ws.report.results if r.dataset_id]
    assert ids
    lines = result.output.splitlines()
    for dataset_id in ids:  # each id whole on one line, with its own row's numbers beside it
        row = [ln for ln in lines if dataset_id in ln]
        assert len(row) == 1 and "police_uk_street" in row[0] and "Kent Police" in row[0]


def test_a_narrow_terminal_folds_long_cells_instead_of_cutting_them() -> None:
    buf = io.StringIO()
    console = VrhubConsole(file=buf, force_terminal=True, width=30, color_system=None)
    console.print(table(None, ["dataset", "rows"], [[LONG_ID, 1234]]))
    text = buf.getvalue()
    assert "…" not in text
    cells = "".join(ln.split("│")[1].strip() for ln in text.splitlines() if ln.count("│") == 3)
    assert LONG_ID in cells


def test_a_long_rule_title_is_printed_whole_in_a_pipe_and_in_a_terminal() -> None:
    title = "Profile (released — counts 1–7 suppressed ([c]), others rounded to the nearest 5; " + "x" * 80 + ")"
    for terminal in (False, True):
        buf = io.StringIO()
        VrhubConsole(file=buf, force_terminal=terminal, width=None if not terminal else 60,
                     color_system=None).rule(title.replace("[", "\\["))
        assert "…" not in buf.getvalue()
        assert "suppressed([c])" in "".join(buf.getvalue().split()) and "x" * 80 in "".join(buf.getvalue().split())
