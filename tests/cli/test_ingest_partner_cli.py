"""``vrhub ingest istv`` on a workbook (--sheet) and ``vrhub ingest gazetteer`` (--demo): every row accounted for."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from vrhub_testkit import open_workspace
from vrhub_testkit import run_cli as run

HEADER = ["Reporting period start", "Reporting period end", "ED site code", "Arrival date time", "Assault date time",
          "Assault method", "Assault location type", "Assault location description"]


def test_ingest_istv_reads_the_named_sheet_of_a_workbook(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    for title in ("March", "April"):
        sheet = wb.create_sheet(title)
        sheet.append(HEADER)
        sheet.append(["01/03/2024", "31/03/2024", "SYN-X", "02/03/2024 23:40", "", "Knife", "Pub", "in pub"])
        sheet.append(["01/03/2024", "31/03/2024", "SYN-X", "02/04/2024 23:40", "", "Knife", "Pub", ""])
    del wb["Sheet"]
    path = tmp_path / "returns.xlsx"
    wb.save(path)
    home = tmp_path / "home"
    result = run("--home", str(home), "ingest", "istv", str(path), "--json")
    assert result.exit_code == 1 and "the table is on several sheets: 'March', 'April'" in result.stdout
    result = run("--home", str(home), "ingest", "istv", str(path), "--sheet", "March", "--json")
    assert result.exit_code == 0, result.output
    [r] = json.loads(result.stdout)
    assert (r["rows_read"], r["rows_accepted"], r["rows_quarantined"]) == (2, 1, 1)
    [d] = open_workspace(home).catalogue.datasets("ed_istv")
    assert d.source_path.endswith("returns.xlsx (sheet 'March')")


def test_ingest_gazetteer_demo_loads_every_place(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = run("--home", str(home), "ingest", "gazetteer", "--demo", "--json")
    assert result.exit_code == 0, result.output
    [r] = json.loads(result.stdout)
    assert r["kind"] == "gazetteer" and r["rows_read"] == r["rows_accepted"] == 60 and r["rows_quarantined"] == 0
    assert run("--home", str(home), "ingest", "gazetteer").exit_code != 0  # neither a file nor --demo
