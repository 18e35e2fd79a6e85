"""``vrhub profile``: JSON output, the period filter, --release, and errors that say what to do.

Expected counts are read straight from the CSVs inside the shipped zip with the standard library's csv module.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from vrhub_testkit import KENT, KENT_ZIP, raw_count
from vrhub_testkit import run_cli as run

from vrhub.cli.main import main
from vrhub.ingest.geography import load_geography
from vrhub.ingest.loader import ingest
from vrhub.ingest.police_uk import SOURCES
from vrhub.report.profile_files import ANALYST_MARKER
from vrhub.store.workspace import Settings, Workspace


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace home with the Kent data (SQLite catalogue in the home, as the CLI opens it by default)."""
    home = tmp_path_factory.mktemp("cli-profile") / "home"
    ws = Workspace.open(Settings.resolve(home, None, environ={}))
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019"]))
    assert ingest(ws, [KENT_ZIP], SOURCES).ok
    return home


def test_json_prints_tables_and_headline_and_the_period_filters(home: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = run("--home", str(home), "profile", "--from", "2019-01", "--to", "2019-02", "--out", str(out), "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["notice"] == ANALYST_MARKER and got["folder"] == str(out)
    assert got["period"] == {"from": "2019-01", "to": "2019-02"}
    assert got["headline"]["definite"] + got["headline"]["possible"] == raw_count({"2019-01", "2019-02"})
    assert got["headline"]["months"] == 2
    assert set(got["tables"]) == {"what_by_category", "where_by_area", "concentration", "by_imd_decile",
                                  "when_monthly", "success_measures"}
    for path in got["tables"].values():
        assert Path(path).is_file() and Path(path).read_text(encoding="utf-8").startswith(f"# {ANALYST_MARKER}")
    assert all(Path(f).is_file() for f in got["files"])
    assert got["trend"]["available"] is False and "usable months" in got["trend"]["reason"]
    assert len(got["definition"]["definition_sha256"]) == 64 and len(got["datasets"]) == 2
    monthly = (out / "tables" / "when_monthly.csv").read_text(encoding="utf-8").splitlines()
    assert [line[:10] for line in monthly[2:]] == ["2019-01-01", "2019-02-01"]


def test_period_takes_the_shared_grammar_and_a_single_month(home: Path, tmp_path: Path):
    """``--period`` reads the one grammar of ``vrhub.domain.periods``: a month alone, or FROM..TO."""
    one = json.loads(run("--home", str(home), "profile", "--period", "2019-01", "--out", str(tmp_path / "a"),
                         "--json").stdout)
    assert one["period"] == {"from": "2019-01", "to": "2019-01"}
    assert one["headline"]["definite"] + one["headline"]["possible"] == raw_count({"2019-01"})
    two = json.loads(run("--home", str(home), "profile", "--period", "2018-12..2019-01", "--out", str(tmp_path / "b"),
                         "--json").stdout)
    assert two["headline"]["definite"] + two["headline"]["possible"] == raw_count({"2018-12", "2019-01"})
    both = run("--home", str(home), "profile", "--period", "2019-01", "--from", "2019-01")
    assert both.exit_code == 2 and "--period" in both.output and "not both" in both.output


def test_release_json_publishes_rounded_headlines_only(home: Path, tmp_path: Path):
    exact = raw_count({"2019-02"})
    assert exact % 5  # so that a leak would show
    result = run("--home", str(home), "profile", "--from", "2019-02", "--to", "2019-02", "--out",
                 str(tmp_path / "rel"), "--release", "--json")
    assert result.exit_code == 0, result.output
    got = json.loads(result.stdout)
    assert got["notice"].startswith("released — Disclosure control")
    assert got["headline"]["possible"] == round(exact / 5) * 5
    assert not re.search(rf"(?<![\d,]){exact:,}(?![\d,])", result.stdout)
    console = run("--home", str(home), "profile", "--from", "2019-02", "--to", "2019-02", "--out",
                  str(tmp_path / "rel2"), "--release")
    assert console.exit_code == 0 and "released" in console.output
    assert not re.search(rf"(?<![\d,]){exact:,}(?![\d,])", console.output)


def test_released_and_analyst_profiles_never_share_a_folder_and_the_marker_is_shown(home: Path):
    """By default the released profile goes to its own folder (``…_released``): it never writes over the analyst
    copy, and the console header keeps the suppression symbol ``[c]`` (Rich would read it as markup)."""
    analyst = run("--home", str(home), "profile", "--from", "2019-01", "--to", "2019-02", "--json")
    released = run("--home", str(home), "profile", "--from", "2019-01", "--to", "2019-02", "--release", "--json")
    a, r = json.loads(analyst.stdout)["folder"], json.loads(released.stdout)["folder"]
    assert a != r and r == a + "_released"
    assert ANALYST_MARKER in (Path(a) / "summary.md").read_text(encoding="utf-8")
    assert ANALYST_MARKER not in (Path(r) / "summary.md").read_text(encoding="utf-8")
    console = run("--home", str(home), "profile", "--from", "2019-01", "--to", "2019-02", "--release")
    assert console.exit_code == 0 and "suppressed ([c])" in " ".join(console.output.split())


@pytest.mark.parametrize(("option", "value"), [("--from", "2019/01"), ("--from", "01-2019"), ("--to", "2019-13")])
def test_a_bad_month_says_what_to_write(home: Path, option: str, value: str):
    result = run("--home", str(home), "profile", option, value)
    assert result.exit_code == 2
    assert "write YYYY-MM" in result.output and option in result.output


def test_a_bad_level_or_a_reversed_period_is_refused(home: Path):
    result = run("--home", str(home), "profile", "--level", "county")
    assert result.exit_code == 2 and "district" in result.output
    result = run("--home", str(home), "profile", "--from", "2019-02", "--to", "2018-11")
    assert result.exit_code == 2 and "swap" in result.output


def test_an_unknown_strand_lists_the_strands(home: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]):
    monkeypatch.setattr(sys, "argv", ["vrhub", "--home", str(home), "profile", "--strand", "knife"])
    with pytest.raises(SystemExit) as e:
        main()
    assert e.value.code == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "no strand 'knife'" in err
    for strand in ("serious_youth_violence", "sexual_violence_domestic_abuse", "drugs_alcohol_violence"):
        assert strand in err
