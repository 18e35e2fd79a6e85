"""``vrhub strategy load|status|export``: the default register, JSON status order, load once, round trip."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner
from vrhub_testkit import run_cli as run

from vrhub.cli.main import app
from vrhub.governance.registers import default_files, load_governance


def test_status_json_lists_overdue_first(tmp_path: Path):
    r = run("--home", str(tmp_path / "home"), "strategy", "status", "--today", "2025-02-01", "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert got["as_of"] == "2025-02-01" and got["register_sha256"] == load_governance().sha256
    rows = got["actions"]
    overdue = [a["overdue"] for a in rows]
    assert overdue == sorted(overdue, reverse=True) and overdue[0]  # every overdue action before the rest
    assert [a["id"] for a in rows if a["overdue"]] == ["SVDA-1"]  # due 2024-12-31, not complete
    assert [a["id"] for a in rows if a["rag"] == "red"] == ["SVDA-1", "DAV-1"]
    assert [a["id"] for a in rows if a["rag"] == "amber"] == []  # SVDA-2 is not started but due in 58 days
    assert rows[-1]["rag"] == "green"


def test_status_table_names_strands_and_leads(tmp_path: Path):
    r = run("--home", str(tmp_path / "home"), "strategy", "status", "--today", "2025-02-01")
    assert r.exit_code == 0, r.output
    text = re.sub(r"\s+", " ", r.output)
    assert "board lead: Medway Public Health" in text
    assert "2 red (1 overdue), 0 amber, 5 green." in text


def test_load_twice_then_export_round_trips(tmp_path: Path):
    home = str(tmp_path / "home")
    p, a = default_files()
    first = run("--home", home, "strategy", "load", str(p), str(a))
    assert first.exit_code == 0 and "Loaded:" in first.output and "3 strands, 7 actions" in first.output
    second = run("--home", home, "strategy", "load", str(p), str(a))
    assert second.exit_code == 0 and "Already loaded" in second.output
    r = run("--home", home, "strategy", "export", str(tmp_path / "export"))
    assert r.exit_code == 0, r.output
    again = load_governance(tmp_path / "export" / "partnership.yaml", tmp_path / "export" / "actions.csv")
    assert again.sha256 == load_governance().sha256


def test_load_reports_problems_and_what_to_do(tmp_path: Path):
    p, _ = default_files()
    bad = tmp_path / "actions.csv"
    bad.write_text("id,strand,action,owner,due,status\nA,nope,x,y,2025-01-01,done\n", encoding="utf-8")
    r = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), "strategy", "load", str(p), str(bad)])
    assert r.exit_code != 0
    text = r.output + str(r.exception or "")
    assert "row 2, strand" in text and "row 2, status" in text
