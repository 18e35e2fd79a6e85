"""The ``vrhub`` command line: JSON outputs, the workspace it writes to, errors, and the demo."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner
from vrhub_testkit import KENT, KENT_ZIP, STREET_HEADER, csv_bytes, street_row

from vrhub.cli.main import app, main

LOAD_KEYS = {"dataset_id", "kind", "source_file", "sha256", "rows_read", "rows_accepted", "rows_quarantined",
             "duplicate_of", "supply_warnings"}
ALL = "(all categories)"


def run(*args: str, env: dict[str, str] | None = None) -> object:
    result = CliRunner(env=env).invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def run_json(*args: str) -> object:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ingest_json_lists_every_file(tmp_path: Path) -> None:
    got = run_json("--home", str(tmp_path / "home"), "ingest", "police-uk", str(KENT_ZIP), "--json")
    assert isinstance(got, list) and len(got) == 5
    for item in got:
        assert set(item) >= LOAD_KEYS
        assert item["kind"] == "police_uk_street" and len(item["sha256"]) == 64
        assert item["rows_accepted"] + item["rows_quarantined"] == item["rows_read"]
        assert item["duplicate_of"] is None
    assert sum(i["rows_read"] for i in got) == 75_735
    dec = next(i for i in got if "2018-12" in i["source_file"])
    assert [(w["month"], w["problem"]) for w in dec["supply_warnings"] if w["category"] == ALL] == \
        [("2018-12", "shortfall")]
    again = run_json("--home", str(tmp_path / "home"), "ingest", "police-uk", str(KENT_ZIP), "--json")
    assert [i["duplicate_of"] for i in again] == [i["dataset_id"] for i in got]


def test_datasets_json_shows_the_december_supply_warning(kent_ws) -> None:  # type: ignore[no-untyped-def]
    got = run_json("--home", str(kent_ws.ws.home), "datasets", "--kind", "police_uk_street", "--json")
    assert len(got) == 5 and sum(d["rows_read"] for d in got) == 75_735
    by_month = {d["months"][0]: d for d in got}
    assert sorted(by_month) == ["2018-10", "2018-11", "2018-12", "2019-01", "2019-02"]
    dec = [w for w in by_month["2018-12"]["supply_warnings"] if w["category"] == ALL]
    assert len(dec) == 1 and dec[0]["problem"] == "shortfall" and dec[0]["observed"] == 8_438
    for m in ("2018-10", "2019-01", "2019-02"):
        assert by_month[m]["supply_warnings"] == []
    assert all(d["partner"] == "Kent Police" and not d["superseded"] for d in got)
    text = run("--home", str(kent_ws.ws.home), "datasets")
    assert text.exit_code == 0 and "Supply warning:" in text.stdout and "2018-12" in text.stdout


FORMULAS = ["=HYPERLINK(\"http://x\")", "+44 1234", "-1+2", "@SUM(A1:A2)"]


@pytest.fixture
def quarantined(tmp_path: Path) -> tuple[Path, str, Path]:
    """A workspace with one file whose four bad rows carry spreadsheet formulas in their cells."""
    rows = [street_row()] + [street_row(Month="2018-13", Location=f) for f in FORMULAS] + [street_row()]
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, rows))
    home = tmp_path / "home"
    [loaded] = run_json("--home", str(home), "ingest", "police-uk", str(p), "--json")
    assert (loaded["rows_accepted"], loaded["rows_quarantined"]) == (2, 4)
    return home, loaded["dataset_id"], p


def test_quarantine_json_and_export(quarantined: tuple[Path, str, Path], tmp_path: Path) -> None:
    home, dataset_id, source = quarantined
    out = tmp_path / "out" / "q.csv"
    got = run_json("--home", str(home), "quarantine", dataset_id, "--out", str(out), "--json")
    assert got["dataset_id"] == dataset_id and got["rows_quarantined"] == 4
    assert got["source_file"] == str(source) and got["written_to"] == str(out)
    assert "load it again" in got["what_to_do"] and source.name in got["what_to_do"]
    assert [(r["_source_row"], r["_problems"]) for r in got["rows"]] == \
        [(line, "Month: '2018-13' is not a month in the form YYYY-MM") for line in (3, 4, 5, 6)]
    with open(out, newline="", encoding="utf-8") as f:
        exported = list(csv.DictReader(f))
    assert len(exported) == 4
    assert [r["_source_row"] for r in exported] == ["3", "4", "5", "6"]
    assert all(r["_problems"] == "Month: '2018-13' is not a month in the form YYYY-MM" for r in exported)
    # OWASP CSV injection: a cell that a spreadsheet would run as a formula starts with a quote instead
    assert [r["Location"] for r in exported] == ["'" + f for f in FORMULAS]
    assert all(not v.startswith(("=", "+", "-", "@")) for r in exported for v in r.values())
    assert [r["Crime ID"] for r in exported] == ["c0ffee"] * 4


def test_quarantine_out_xlsx_writes_a_real_workbook(quarantined: tuple[Path, str, Path], tmp_path: Path) -> None:
    """Issue 13, item 14: on main ``--out x.xlsx`` wrote CSV text into a file named .xlsx."""
    from openpyxl import load_workbook

    home, dataset_id, _ = quarantined
    out = tmp_path / "q.xlsx"
    result = run("--home", str(home), "quarantine", dataset_id, "--out", str(out))
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(out)  # an Office Open XML package, not text
    sheet = load_workbook(out, read_only=True)["quarantine"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:3] == ["_source_row", "_problems", "_raw_text"]
    got = [dict(zip(header, r + [None] * (len(header) - len(r)), strict=True)) for r in rows[1:]]
    assert [r["_source_row"] for r in got] == [3, 4, 5, 6]  # numbers stay numbers
    assert [r["Location"] for r in got] == FORMULAS  # exactly as in the file: text cells, never formulas
    cells = list(load_workbook(out)["quarantine"].iter_rows(min_row=2))
    assert all(c.data_type != "f" for row in cells for c in row)


def test_quarantine_out_refuses_other_file_types(quarantined: tuple[Path, str, Path], tmp_path: Path) -> None:
    from vrhub.domain.errors import VrhubError

    home, dataset_id, _ = quarantined
    with pytest.raises(VrhubError, match=r"q.ods: cannot write a .ods file\n  What to do: name the file .csv"):
        run("--home", str(home), "quarantine", dataset_id, "--out", str(tmp_path / "q.ods"))
    assert not (tmp_path / "q.ods").exists()


def test_quarantine_text_names_the_file_the_lines_and_what_to_do(quarantined: tuple[Path, str, Path]) -> None:
    home, dataset_id, source = quarantined
    result = run("--home", str(home), "quarantine", dataset_id)
    text = "".join(result.stdout.split())  # rich wraps long lines, even inside a path: compare without spaces
    assert result.exit_code == 0
    assert "".join(f"4 of 6 rows of {source} were quarantined".split()) in text
    assert "Month:'2018-13'isnotamonth" in text and "Whattodo:" in text and "loaditagain" in text


def test_geography_load_json(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    got = run_json("--home", home, "geography", "load", str(KENT / "boundaries" / "districts"),
                   str(KENT / "imd2019" / "File_6_-_IoD2019_Population_Denominators.csv"), "--json")
    assert [(Path(g["source_file"]).name, g["kind"], g["rows_accepted"], g["error"]) for g in got] == [
        ("kent-medway-lad2013.geojson", "boundaries", 13, None),
        ("File_6_-_IoD2019_Population_Denominators.csv", "area_attributes", 1_065, None)]
    show = run_json("--home", home, "geography", "show", "--json")
    assert show["layers"][0]["level"] == "district" and show["layers"][0]["areas"] == 13
    assert show["attributes"][0]["table"] == "population"
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [')
    failed = run("--home", home, "geography", "load", str(bad), "--json")
    assert failed.exit_code == 1
    [item] = json.loads(failed.stdout)
    assert str(bad) in item["error"] and "What to do" in item["error"]


def test_errors_end_with_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["vrhub", "--home", str(tmp_path / "h"), "ingest", "police-uk",
                                      str(tmp_path / "missing.csv")])
    with pytest.raises(SystemExit) as info:
        main()
    assert info.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "no such file or folder" in err and "missing.csv" in err and "What to do:" in err
    monkeypatch.setattr(sys, "argv", ["vrhub", "--home", str(tmp_path / "h"), "quarantine", "nope"])
    with pytest.raises(SystemExit):
        main()
    assert "What to do:" in capsys.readouterr().err


def test_a_failed_file_makes_the_command_fail(tmp_path: Path) -> None:
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(b"")
    result = run("--home", str(tmp_path / "home"), "ingest", "police-uk", str(p), "--json")
    assert result.exit_code == 1
    [item] = json.loads(result.stdout)
    assert "the file is empty" in item["error"]


def files_under(path: Path) -> list[str]:
    return sorted(str(p.relative_to(path)) for p in path.rglob("*"))


@pytest.mark.parametrize("how", ["--home", "VRHUB_HOME"])
def test_the_workspace_is_chosen_and_nothing_is_written_outside_it(tmp_path: Path, how: str) -> None:
    """Run as a real process from an empty folder with an empty user home: only the chosen workspace changes."""
    cwd, user, home = tmp_path / "cwd", tmp_path / "user", tmp_path / "ws"
    cwd.mkdir()
    user.mkdir()
    data = tmp_path / "data"
    data.mkdir()
    (data / "2018-10-kent-street.csv").write_bytes(csv_bytes(STREET_HEADER, [street_row()] * 3))
    before = files_under(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("VRHUB_") and not k.startswith("XDG_")}
    env |= {"HOME": str(user), "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    args = [sys.executable, "-c", "from vrhub.cli.main import main; main()"]
    if how == "--home":
        args += ["--home", str(home)]
    else:
        env["VRHUB_HOME"] = str(home)
    out = subprocess.run([*args, "ingest", "police-uk", str(data), "--json"], cwd=cwd, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["rows_read"] == 3
    assert (home / "catalogue.sqlite").is_file() and any((home / "lake" / "police_uk_street").iterdir())
    assert files_under(cwd) == [] and files_under(user) == [] and files_under(data) == before
    assert files_under(tmp_path / "tmp") == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "data", "tmp", "user", "ws"]


def test_the_demo_runs(tmp_path: Path) -> None:
    result = run("--home", str(tmp_path / "home"), "demo")
    assert result.exit_code == 0, result.output
    text = " ".join(result.stdout.split())
    # 2025 on 2021 LSOAs (data README: 180,022 rows); Medway's violence and Census 2021 residents checked
    # independently in tests/analysis/test_demo_figures.py
    assert "read = accepted + quarantined: 180,022 = 180,022 + 0" in text
    assert "│ lsoa │ 2021 │ 1,107 │" in text and "2011" not in text.split("Load summary")[0]
    assert "Medway │ E06000035 │ 11,634 │ 279,747 │ 41.59" in text
    assert "Folkestone and Hythe" in text and "Shepway" not in text
    assert "Total 67,035." in text and "Census 2021 usual residents" in text
    assert "Supply warnings in the real 2025 data: 2025-01 Anti-social behaviour, Robbery" in text
    assert "sna_2025-01_2025-12_draft.html" in text
    # the synthetic force extract: the real police.uk violence, robbery and weapons crimes, marked synthetic
    assert "Synthetic force crime extract (SYN-Kent Police):" in text
    html = " ".join(p.read_text(encoding="utf-8") for p in (tmp_path / "home" / "sna").rglob("*.html"))
    assert "Victims of serious violence (force crime records) by age band" in html
    assert "Serious violence (force crime records) by hour of the day and weekday" in html
    assert "Serious violence (force crime records) by offence group and sub-group" in html
    assert "Home Office success measures from force crime records, by month" in html
    assert "Repeat victims: crimes of serious violence per victim" in html


def test_ingest_end_to_end_with_postgresql(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    home = tmp_path / "home"
    got = run_json("--home", str(home), "--db", pg_url, "ingest", "police-uk", str(KENT_ZIP), "--json")
    assert len(got) == 5 and sum(i["rows_read"] for i in got) == 75_735
    listed = run_json("--home", str(home), "--db", pg_url, "datasets", "--json")
    assert sorted(d["dataset_id"] for d in listed) == sorted(i["dataset_id"] for i in got)
    dec = next(d for d in listed if d["months"] == ["2018-12"])
    assert any(w["category"] == ALL for w in dec["supply_warnings"])
    assert not (home / "catalogue.sqlite").exists()  # the catalogue is in PostgreSQL; the lake in the home
    assert len(list((home / "lake" / "police_uk_street").iterdir())) == 5
    with psycopg.connect(pg_url) as con:
        n, rows = con.execute("select count(*), sum(rows_read) from datasets").fetchone()
    assert (n, rows) == (5, 75_735)
    again = run_json("--home", str(home), "--db", pg_url, "ingest", "police-uk", str(KENT_ZIP), "--json")
    assert [i["duplicate_of"] for i in again] == [i["dataset_id"] for i in got]
