"""The library at the centre: ``vrhub.Partnership`` gives the same numbers as the analyses it calls, carries their
provenance, releases once, and is what the command line prints."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from vrhub_testkit import raw_count, run_cli

import vrhub
from vrhub.analysis.profile import build_profile
from vrhub.domain.definitions import load_definition
from vrhub.domain.errors import PeriodError, UsageError
from vrhub.library import Partnership, Result, months


def test_periods_of_every_form_become_months():
    d = dt.date
    assert months(None) == (None, None)
    assert months("2023/24") == (d(2023, 4, 1), d(2024, 3, 1))
    assert months("2019-01") == (d(2019, 1, 1), d(2019, 1, 1))
    assert months((d(2019, 1, 15), None)) == (d(2019, 1, 1), None)
    with pytest.raises(PeriodError):
        months("January")


def test_the_entry_point_is_the_package_s_own():
    assert vrhub.Partnership is Partnership and vrhub.Result is Result


def test_profile_matches_the_analysis_and_the_raw_files(kent_ws):
    p = Partnership(kent_ws.ws)
    r = p.profile("2018-12..2019-01")
    direct = build_profile(kent_ws.ws.engine(), load_definition(), start=dt.date(2018, 12, 1),
                           end=dt.date(2019, 1, 1))
    assert r.headline == direct.headline  # read through to the Profile
    assert r.value.headline["definite"] + r.value.headline["possible"] == raw_count({"2018-12", "2019-01"})
    assert r.parameters["from"] == "2018-12" and r.parameters["to"] == "2019-01"
    assert r.datasets == direct.datasets and len(r.datasets) == 2
    assert r.definition_sha256 == load_definition().sha256
    with pytest.raises(UsageError, match="use one of") as e:
        p.profile(level="county")
    assert e.value.option == "--level"


def test_release_is_one_step_that_rounds_what_leaves(kent_ws):
    r = Partnership(kent_ws.ws).profile("2019-02")
    n = r.value.headline["possible"]
    assert n % 5, "a count that rounding changes, so that the test can fail"
    files = r.write(kent_ws.ws.home.parent / "released-profile", release=True)
    assert files.profile.headline["possible"] == round(n / 5) * 5
    assert r.value.headline["possible"] == n  # the exact result is left as it was


def test_the_command_line_prints_what_the_library_returns(kent_ws, tmp_path: Path):
    r = Partnership(kent_ws.ws).profile("2018-11..2019-01", level="district")
    got = json.loads(run_cli("--home", str(kent_ws.ws.home), "profile", "--period", "2018-11..2019-01",
                             "--out", str(tmp_path / "p"), "--json").stdout)
    assert got["headline"] == json.loads(json.dumps(r.value.headline, default=str))
    assert got["datasets"] == r.datasets


def test_hotspots_refuse_an_unknown_method_naming_the_option(kent_ws):
    with pytest.raises(UsageError) as e:
        Partnership(kent_ws.ws).hotspots(method="hexbins")
    assert e.value.option == "--method" and "gistar" in e.value.message
