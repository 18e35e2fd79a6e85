"""``vrhub sna build``: JSON output, the period, and a bad period's message (on the shared Kent workspace)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from vrhub_testkit import run_cli as run


def test_build_json_with_period(kent_ws, tmp_path: Path):
    out = tmp_path / "sna"
    r = run("--home", str(kent_ws.ws.home), "sna", "build", "--period", "2018-11..2019-01", "--out", str(out),
            "--json")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    html = Path(got["html"])
    assert html.parent == out and html.name == "sna_2018-11_2019-01_draft.html" and got["pdf"] is None
    assert got["released"] is False and len(got["definition_sha256"]) == 64 and len(got["datasets"]) == 3  # 3 months
    text = html.read_text(encoding="utf-8")
    assert "Strategic Needs Assessment, November 2018 to January 2019" in text
    assert "October 2018" not in text.split("</h1>")[0]
    assert got["findings"][0].startswith("From November 2018 to January 2019")


@pytest.mark.parametrize("period, message", [("Jan 2019", "is not a period"),
                                             ("2019-02..2018-10", "ends before it starts")])
def test_bad_period_says_what_to_write(tmp_path: Path, period: str, message: str):
    r = run("--home", str(tmp_path / "home"), "sna", "build", "--period", period, "--out", str(tmp_path / "o"))
    assert r.exit_code == 2
    text = re.sub(r"[\s│╭╮╰╯─]+", " ", r.output)  # the error box wraps lines
    assert "--period" in text and message in text and "e.g. 2023-04..2024-03" in text
    assert not (tmp_path / "o").exists()


def test_unknown_area_names_the_districts(kent_ws, tmp_path: Path):
    r = run("--home", str(kent_ws.ws.home), "sna", "build", "--area", "Atlantis", "--out", str(tmp_path / "o"))
    assert r.exit_code == 2
    text = re.sub(r"[\s│╭╮╰╯─]+", " ", r.output)
    assert "no area 'Atlantis'" in text and "Thanet" in text and "areas.csv" in text
    assert not (tmp_path / "o").exists()


def test_area_and_all_areas_together_are_refused(tmp_path: Path):
    r = run("--home", str(tmp_path / "home"), "sna", "build", "--area", "E07000114", "--all-areas")
    assert r.exit_code == 2 and "--all-areas" in r.output
