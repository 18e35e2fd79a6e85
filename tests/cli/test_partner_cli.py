"""``vrhub ingest ambulance|youth-justice|education`` load through the sources and report every row; ``vrhub synth``
writes the ambulance and cohort files with the cohort key outside --out."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

from vrhub_testkit import csv_bytes, open_workspace
from vrhub_testkit import run_cli as run

PID = hashlib.sha256(b"cli person").hexdigest()


def test_ingest_commands_load_and_report_read_equals_accepted_plus_quarantined(tmp_path: Path) -> None:
    home = str(tmp_path / "home")
    amb = tmp_path / "amb.csv"
    amb.write_bytes(csv_bytes(["Ambulance service", "Incident date time", "Incident LSOA", "Incident category"], [
        {"Ambulance service": "SYN", "Incident date time": "06/01/2023 23:40", "Incident LSOA": "E01024000",
         "Incident category": "Assault"},
        {"Ambulance service": "SYN", "Incident date time": "06/01/2023 23:40", "Incident LSOA": "E01024000",
         "Incident category": "laser"}]))
    result = run("--home", home, "ingest", "ambulance", str(amb), "--json")
    assert result.exit_code == 0, result.output
    [r] = json.loads(result.stdout)
    assert (r["kind"], r["rows_read"], r["rows_accepted"], r["rows_quarantined"]) == ("ambulance", 2, 1, 1)

    yj = tmp_path / "yj.csv"
    yj.write_bytes(csv_bytes(["Person ID", "Youth justice service", "Age", "Offence date", "Offence type"], [
        {"Person ID": PID, "Youth justice service": "Kent", "Age": "15", "Offence date": "01/02/2023",
         "Offence type": "Robbery"}]))
    result = run("--home", home, "ingest", "youth-justice", str(yj))
    assert result.exit_code == 0, result.output
    assert "read = accepted + quarantined: 1 = 1 + 0" in result.stdout

    edu = tmp_path / "edu.csv"
    edu.write_bytes(csv_bytes(["Person ID", "School URN", "Record type", "Academic year", "Start date", "Reason"], [
        {"Person ID": "9434765919", "School URN": "990001", "Record type": "PERM", "Academic year": "2022/23",
         "Start date": "01/02/2023", "Reason": "PP"}]))
    result = run("--home", home, "ingest", "education", str(edu))
    assert result.exit_code == 1 and "vrhub pseudonymise" in result.output and "9434765919" not in result.output
    ws = open_workspace(Path(home))
    assert ws.catalogue.datasets("education") == [] and len(ws.catalogue.datasets("youth_justice")) == 1


def test_synth_writes_ambulance_and_a_pseudonymised_cohort_with_the_key_outside(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    result = run("--home", str(tmp_path / "home"), "synth", "--years", "2023", "--seed", "3", "--scale", "0.05",
                 "--out", str(out), "--load", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    key = Path(got["cohort"]["key_file"])
    assert key.exists() and out.absolute() not in key.parents
    assert got["cohort"]["people"] == 1000 and got["ambulance"]["rows"] > 0
    for name in ("ambulance", "education", "youth_justice"):
        loaded = got[f"loaded_{name}"]
        assert loaded and all(r["error"] is None and r["rows_quarantined"] == 0 for r in loaded)
    ws = open_workspace(tmp_path / "home")
    assert sum(d.rows_accepted for d in ws.catalogue.datasets("ambulance")) == got["ambulance"]["rows"]
    assert all(d.synthetic for k in ("ambulance", "education", "youth_justice") for d in ws.catalogue.datasets(k))


def test_cohort_command_writes_the_risk_factor_table_and_release_protects_it(tmp_path: Path,
                                                                            terminal: io.StringIO) -> None:
    from vrhub.analysis.cohort import cohort_risk_factors

    home = str(tmp_path / "home")
    made = run("--home", home, "synth", "--years", "2023", "--seed", "3", "--scale", "0.05", "--people", "4000",
               "--out", str(tmp_path / "synth"), "--load", "--json")
    assert made.exit_code == 0, made.output
    result = run("--home", home, "cohort", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["synthetic"] and "SYNTHETIC" in got["notice"] and not got["released"]
    # the command reports exactly what the library computes
    direct = cohort_risk_factors(open_workspace(Path(home)).engine())
    assert got["population"] == direct.population
    assert [r["exposed"] for r in got["risk_factors"]] == [int(v) for v in direct.table["exposed"]]
    assert Path(got["files"][0]).read_text(encoding="utf-8").startswith("# SYNTHETIC")
    released = json.loads(run("--home", home, "cohort", "--release", "--json").stdout)
    counts = [r[k] for r in released["risk_factors"] for k in ("exposed", "exposed_with_outcome", "unexposed",
                                                               "unexposed_with_outcome")]
    assert all(c is None or (c % 5 == 0 and not 1 <= c <= 7) for c in counts)
    assert "released" in released["notice"]
    assert "Cohort risk factors" not in terminal.getvalue()  # --json: nothing drawn
    shown = run("--home", home, "cohort")
    assert shown.exit_code == 0 and "Cohort risk factors: linking pupils" in terminal.getvalue()  # on stderr
    assert "Cohort risk factors:" not in shown.stdout and "Wrote" in shown.stdout
    bad = run("--home", home, "cohort", "--from", "2023-05", "--to", "2023-01")
    assert bad.exit_code != 0 and "swap them" in bad.output
