"""``vrhub services``: alerts, returns loaded once with rows set aside shown, report statements, list and add."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

from typer.testing import CliRunner
from vrhub_testkit import run_cli as run

from vrhub.cli.main import app
from vrhub.domain.errors import VrhubError

DEMO = str(files("vrhub.governance") / "data" / "kent_returns_demo.csv")




def test_alerts_json_lists_both_contracts_ending(tmp_path: Path):
    r = run("--home", str(tmp_path / "h"), "services", "alerts", "--today", "2025-05-01", "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    ending = [(a["service"], a["date"]) for a in got["alerts"] if a["kind"] == "contract_ending"]
    assert ending == [("gangs-county-lines-interventions", "2025-06-30"),
                      ("young-peoples-prevention-service", "2025-09-30")]


def test_returns_load_once_then_report(tmp_path: Path):
    home = str(tmp_path / "h")
    first = run("--home", home, "services", "returns", DEMO, "--json")
    assert first.exit_code == 0, first.output
    got = json.loads(first.stdout)
    assert (got["rows_read"], got["rows_accepted"], got["rows_set_aside"], got["created"]) == (8, 8, 0, True)
    again = run("--home", home, "services", "returns", DEMO)
    assert again.exit_code == 0 and "Already loaded" in again.output
    rep = run("--home", home, "services", "report", "young-peoples-prevention-service", "--period",
              "2023-09-01:2024-07-31", "--json")
    statements = json.loads(rep.stdout)["statements"]
    st = next(s for s in statements if s["provider"] == "St Giles Trust" and "reaching" in s["text"])
    assert st["text"] == "St Giles Trust delivered 46 workshops reaching 5,276 young people (Sep 2023–Jul 2024)"
    assert sorted(s["row"] for s in st["sources"]) == [2, 3]
    assert json.loads(run("--home", home, "services", "report", "sports-connect", "--period", "2022/23",
                          "--json").stdout)["statements"] == []


def test_bad_rows_are_listed_with_row_and_field(tmp_path: Path):
    p = tmp_path / "r.csv"
    p.write_text("service,provider,period_start,period_end,measure,value\n"
                 "sports-connect,Sports Connect,2024-04-01,2024-06-30,sessions,30\n"
                 "sports-connect,Sports Connect,2024-04-01,2024-06-30,sessions,lots\n", encoding="utf-8")
    r = run("--home", str(tmp_path / "h"), "services", "returns", str(p))
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "2 rows read = 1 accepted + 1 set aside" in text and "row 3, value: 'lots'" in text


def test_add_then_list_and_unknown_service(tmp_path: Path):
    home = str(tmp_path / "h")
    r = run("--home", home, "services", "add", "detached-youth-work", "Detached youth work", "--provider",
            "Example Trust", "--start", "2024-04-01", "--end", "2025-03-31", "--amount", "40000",
            "--financial-year", "2024/25", "--delivery", "prevention")
    assert r.exit_code == 0, r.output
    services = json.loads(run("--home", home, "services", "list", "--json").stdout)["services"]
    assert [s["key"] for s in services][-1] == "detached-youth-work" and len(services) == 5
    assert services[-1]["funding"][0]["amount"] == 40000
    bad = CliRunner().invoke(app, ["--home", home, "services", "report", "nothing-like-this"])
    assert isinstance(bad.exception, VrhubError) and "vrhub services list" in bad.exception.hint


def test_ingest_returns_is_the_same_load_as_services_returns(tmp_path: Path):
    home = str(tmp_path / "h")
    first = run("--home", home, "ingest", "returns", DEMO, "--json")
    assert first.exit_code == 0, first.output
    got = json.loads(first.stdout)
    assert (got["rows_read"], got["rows_accepted"], got["created"]) == (8, 8, True)
    again = run("--home", home, "services", "returns", DEMO)  # the same store: already loaded
    assert again.exit_code == 0 and "Already loaded" in again.output
