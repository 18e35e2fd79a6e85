"""``vrhub cardiff``: JSON output, the CSV files, the synthetic notice, --release and the period filter.

Expected ED counts are read from the generated ISTV CSVs with the csv module.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from vrhub_testkit import KENT, open_workspace
from vrhub_testkit import run_cli as run

from vrhub.analysis.cardiff import TABLES
from vrhub.domain.errors import NoDataError
from vrhub.ingest.geography import load_geography
from vrhub.synth.ed import ingest_synthetic_ed


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, str]]]:
    root = tmp_path_factory.mktemp("cli-cardiff")
    ws = open_workspace(root / "home")
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019"]))
    made, report = ingest_synthetic_ed(ws, root / "returns", seed=5, start="2024-03", months=2, scale=0.2)
    assert report.ok
    rows = [r for p in made.paths for r in csv.DictReader(p.open(encoding="utf-8", newline=""))]
    return root / "home", rows


def read(path: str) -> list[dict[str, str]]:
    """A Cardiff table: its first line is the notice (``# SYNTHETIC ED DATA …``), then the CSV."""
    with open(path, encoding="utf-8", newline="") as f:
        assert f.readline().startswith("# ")
        return list(csv.DictReader(f))


def test_json_run_writes_every_table_and_says_the_data_are_synthetic(home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h, rows = home
    result = run("--home", str(h), "cardiff", "--out", str(tmp_path / "out"), "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["synthetic"] is True and "SYNTHETIC" in got["notice"] and got["released"] is False
    assert got["period"] == {"from": "2024-03", "to": "2024-04"}
    assert got["totals"]["ed_assaults"] == len(rows) and got["totals"]["police_violence"] is None
    assert set(got["tables"]) == set(TABLES)
    district = read(got["tables"]["ed_vs_police_by_district"])
    assert sum(int(r["ed_assaults"]) for r in district) == len(rows)
    assert all(r["police_violence"] == "" for r in district)  # no police.uk loaded: empty, never a marker
    for name, path in got["tables"].items():
        assert all(r["ed_synthetic"] == "True" for r in read(path)), name
        assert Path(path).read_text(encoding="utf-8").startswith("# SYNTHETIC ED DATA"), name  # its first line
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "SYNTHETIC ED DATA" in summary and "not record matching" in summary


def test_release_writes_no_count_from_1_to_7(home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h, _ = home
    result = run("--home", str(h), "cardiff", "--release", "--out", str(tmp_path / "rel"), "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["released"] is True and "suppressed" in got["notice"]
    markers = 0
    for name, path in got["tables"].items():
        for r in read(path):
            for col in ("ed_assaults", "police_violence", "ed_arrivals"):
                value = r.get(col)
                if value in (None, ""):
                    continue
                if value == "[c]":
                    markers += 1
                    continue
                n = int(float(value))
                assert not 1 <= n <= 7 and n % 5 == 0, (name, col, value)
    assert markers > 0


def test_period_filter_and_text_output(home, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    h, rows = home
    result = run("--home", str(h), "cardiff", "--from", "2024-04", "--to", "2024-04", "--out", str(tmp_path / "apr"))
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.stdout and "By district" in result.stdout
    month = read(str(tmp_path / "apr" / "ed_vs_police_by_month.csv"))
    april = sum(r["Arrival date time"].startswith("2024-04-") or r["Arrival date time"][2:10] == "/04/2024"
                for r in rows)
    assert 0 < april < len(rows)
    assert [(r["month"], int(r["ed_assaults"])) for r in month] == [("2024-04", april)]


def test_bad_month_and_empty_workspace(tmp_path: Path) -> None:
    result = run("--home", str(tmp_path / "h"), "cardiff", "--from", "2024-13")
    assert result.exit_code != 0 and "YYYY-MM" in result.output
    with pytest.raises(NoDataError):
        run("--home", str(tmp_path / "h"), "cardiff")
