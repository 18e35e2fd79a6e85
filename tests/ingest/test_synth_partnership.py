"""Synthetic ambulance call-outs and the synthetic cohort: deterministic for a seed, loaded through the normal
sources marked synthetic, pseudonymised (no identifier in clear), with the planted shapes and risk factor
recovered by independent computations."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm
from vrhub_testkit import KENT_ZIP, open_workspace

from vrhub.analysis.cohort import cohort_frame, cohort_risk_factors
from vrhub.domain.identifiers import detect_identifiers_in_clear
from vrhub.synth.ambulance import SEASONALITY, generate_ambulance, ingest_synthetic_ambulance
from vrhub.synth.cohort import (
    OR_MALE,
    OR_PERMANENT_EXCLUSION,
    OR_PERSISTENT_ABSENCE,
    generate_cohort,
    ingest_synthetic_cohort,
)
from vrhub.synth.ed import NIGHT_TIME_ECONOMY

SEED = 11


@pytest.fixture(scope="module")
def ambulance_loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("synth-amb")
    ws = open_workspace(root / "home")
    made, report = ingest_synthetic_ambulance(ws, root / "amb", seed=SEED, start="2023-01", months=12)
    rows = [r for p in made.paths for r in csv.DictReader(p.open(encoding="utf-8", newline=""))]
    return ws, made, report, rows


def test_ambulance_files_load_whole_and_marked_synthetic(ambulance_loaded) -> None:  # type: ignore[no-untyped-def]
    ws, made, report, rows = ambulance_loaded
    assert report.ok and len(report.results) == 12
    assert all(r.rows_quarantined == 0 and r.rows_read == r.rows_accepted for r in report.results)
    assert sum(r.rows_accepted for r in report.results) == len(rows) == made.rows
    assert all(d.synthetic for d in ws.catalogue.datasets("ambulance"))


def test_ambulance_generator_is_deterministic(tmp_path: Path) -> None:
    a = generate_ambulance(tmp_path / "a", seed=SEED, months=2)
    b = generate_ambulance(tmp_path / "b", seed=SEED, months=2)
    c = generate_ambulance(tmp_path / "c", seed=SEED + 1, months=2)
    assert [p.read_bytes() for p in a.paths] == [p.read_bytes() for p in b.paths]
    assert [p.read_bytes() for p in a.paths] != [p.read_bytes() for p in c.paths]


def test_ambulance_follows_police_uk_lsoas_night_peaks_and_seasons(ambulance_loaded) -> None:  # type: ignore[no-untyped-def]
    _, _, _, rows = ambulance_loaded
    police: Counter[str] = Counter()
    with zipfile.ZipFile(KENT_ZIP) as zf:
        for name in zf.namelist():
            for r in csv.DictReader(io.TextIOWrapper(zf.open(name), encoding="utf-8")):
                if r["Crime type"] == "Violence and sexual offences" and r["LSOA code"]:
                    police[r["LSOA code"]] += 1
    amb = Counter(r["Incident LSOA"] for r in rows if r["Incident LSOA"])
    codes = sorted(amb | police)
    x = np.array([police[c] for c in codes], float)
    y = np.array([amb[c] for c in codes], float)
    assert np.corrcoef(x, y)[0, 1] > 0.8
    when = [dt.datetime.strptime(r["Incident date time"], "%d/%m/%Y %H:%M") for r in rows]
    cells = Counter((t.weekday(), t.hour) for t in when)
    assert all(c in NIGHT_TIME_ECONOMY for c, _ in cells.most_common(5))
    by_month = Counter(t.month for t in when)
    per_day = {m: by_month[m] / [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1] for m in by_month}
    assert per_day[7] / per_day[2] == pytest.approx(SEASONALITY[6] / SEASONALITY[1], rel=0.12)


@pytest.fixture(scope="module")
def cohort_loaded(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("synth-cohort")
    ws = open_workspace(root / "home")
    made, edu, yj = ingest_synthetic_cohort(ws, root / "data" / "cohort", root / "key" / "k.key", seed=SEED,
                                            start="2022-09", months=10, people=40_000)
    return ws, made, edu, yj


def test_cohort_loads_through_the_sources_pseudonymised_and_synthetic(cohort_loaded) -> None:  # type: ignore[no-untyped-def]
    ws, made, edu, yj = cohort_loaded
    assert edu.ok and yj.ok and len(edu.results) == 1 and len(yj.results) == 2
    for r in edu.results + yj.results:
        assert r.rows_quarantined == 0 and r.rows_read == r.rows_accepted > 0
    assert sum(r.rows_read for r in edu.results + yj.results) == made.rows
    assert all(d.synthetic for k in ("education", "youth_justice") for d in ws.catalogue.datasets(k))
    assert made.key_file.parent not in [p.parent for p in made.paths]
    for p in made.paths:
        text = p.read_text(encoding="utf-8")
        rows = list(csv.DictReader(io.StringIO(text)))
        assert detect_identifiers_in_clear({k: [r[k] for r in rows[:1000]] for k in rows[0]}) == []
        assert "Date of birth" not in text.splitlines()[0] and "Forename" not in text.splitlines()[0]


def test_cohort_generator_is_deterministic(tmp_path: Path) -> None:
    kw = {"seed": SEED, "start": "2023-01", "months": 6, "people": 800}
    a = generate_cohort(tmp_path / "a" / "data", tmp_path / "a" / "k.key", **kw)
    b = generate_cohort(tmp_path / "b" / "data", tmp_path / "b" / "k.key", **kw)
    c = generate_cohort(tmp_path / "c" / "data", tmp_path / "c" / "k.key", **(kw | {"seed": SEED + 1}))
    assert [p.read_bytes() for p in a.paths] == [p.read_bytes() for p in b.paths]
    assert [p.read_bytes() for p in a.paths] != [p.read_bytes() for p in c.paths]


def test_the_linked_cohort_matches_the_truth_and_recovers_the_planted_risk_factor(cohort_loaded) -> None:  # type: ignore[no-untyped-def]
    ws, made, _, _ = cohort_loaded
    frame = cohort_frame(ws.engine())
    truth = made.truth.set_index("person_id").sort_index()
    assert sorted(frame["person_id"]) == list(truth.index)  # every pupil of the population linked, no other
    got = frame.set_index("person_id").sort_index()
    for col in ("permanent_exclusion", "persistent_absence", "male", "suspension"):
        assert (got[col] == truth[col]).all(), col
    assert (got["outcome"] == truth["violent_offence"]).all()
    result = cohort_risk_factors(ws.engine())
    row = result.table.set_index("exposure")
    # an independent fit on the generator's truth gives the same adjusted odds ratios
    x = sm.add_constant(truth[["permanent_exclusion", "suspension", "persistent_absence", "male"]].astype(float))
    fit = sm.Logit(truth["violent_offence"].astype(float), x).fit(disp=0)
    for e in ("permanent_exclusion", "suspension", "persistent_absence", "male"):
        assert row.loc[e, "adjusted_or"] == pytest.approx(np.exp(fit.params[e]), rel=1e-6)
    # the planted sizes lie in the 95% intervals, and the intervals exclude no effect
    for e, planted in (("permanent_exclusion", OR_PERMANENT_EXCLUSION), ("persistent_absence", OR_PERSISTENT_ABSENCE),
                       ("male", OR_MALE)):
        assert row.loc[e, "adjusted_or_low"] < planted < row.loc[e, "adjusted_or_high"], e
        assert row.loc[e, "adjusted_or_low"] > 1, e
    # suspensions have no planted effect of their own: adjusting removes most of their confounded crude association
    crude, adjusted = row.loc["suspension", "crude_or"], row.loc["suspension", "adjusted_or"]
    assert crude > 1.3 and abs(np.log(adjusted)) < abs(np.log(crude)) / 2
    # crude counts by an independent pandas count
    a = int((truth["permanent_exclusion"] & truth["violent_offence"]).sum())
    assert row.loc["permanent_exclusion", "exposed_with_outcome"] == a
    assert result.population == len(truth) and result.synthetic and not result.released


def test_release_rounds_counts_and_withholds_odds_ratios_over_small_cells(cohort_loaded) -> None:  # type: ignore[no-untyped-def]
    ws, _, _, _ = cohort_loaded
    plain = cohort_risk_factors(ws.engine()).table.set_index("exposure")
    from vrhub.report.release import release  # issue 11: the one release step (no longer an analysis option)

    released = release(cohort_risk_factors(ws.engine())).result
    t = released.table.set_index("exposure")
    counts = ["exposed", "exposed_with_outcome", "unexposed", "unexposed_with_outcome"]
    assert all(int(v) % 5 == 0 for c in counts for v in t[c].dropna())
    assert (t[counts].sub(plain[counts]).abs() <= 2).all().all()
    assert released.disclosure and "suppressed" in released.disclosure
    # with a threshold above a cell, that exposure's odds ratios are withheld
    from vrhub.domain.disclosure import DisclosureRules

    strict = DisclosureRules("strict", threshold=int(plain.loc["permanent_exclusion", "exposed_with_outcome"]))
    s = release(cohort_risk_factors(ws.engine()), strict).result.table.set_index("exposure")
    assert np.isnan(s.loc["permanent_exclusion", "adjusted_or"]) and np.isnan(s.loc["permanent_exclusion", "crude_or"])


def test_the_synthetic_key_is_never_beside_the_data_nor_written_over_another_key(tmp_path: Path) -> None:
    from vrhub.ingest.pseudonymise import KeyFileError

    kw = {"seed": SEED, "start": "2023-01", "months": 1, "people": 50}
    with pytest.raises(KeyFileError, match="inside the data folder"):
        generate_cohort(tmp_path / "data", tmp_path / "data" / "keys" / "k.key", **kw)
    real = tmp_path / "keys" / "partnership.key"
    real.parent.mkdir()
    real.write_text("ab" * 32 + "\n")
    with pytest.raises(KeyFileError, match="never overwritten"):
        generate_cohort(tmp_path / "data", real, **kw)
    assert real.read_text() == "ab" * 32 + "\n"
    assert not list((tmp_path / "data").glob("*.csv"))
