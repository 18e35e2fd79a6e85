"""The synthetic partnership's planted signals are recovered, and nothing is found on null data.

Two seeded ED workspaces (real Kent and Medway boundaries and IMD; synthetic ISTV returns loaded through the
ISTV source, 2022-01 to 2024-12, as ``vrhub synth --years 2022-2024`` writes them):

- ``planted``: :data:`PLANTED` - the Medway 026B hot spot (5x), a 30% reduction in Medway residents'
  attendances from 2023-07, and near repeats (15% of attendances followed within 7 days from the same LSOA);
- ``null``: :data:`NO_SIGNALS` with home LSOAs drawn uniformly (complete spatial randomness over LSOAs).

The planted sizes are checked on the raw CSV rows first (an independent count), then recovered by Gi* with
FDR, Knox, difference-in-differences, interrupted time series and synthetic control on the loaded data.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from vrhub_testkit import KENT

from vrhub.analysis.evaluation.workspace import evaluate_did, evaluate_its, evaluate_synth
from vrhub.analysis.hotspots import run as hs
from vrhub.domain.definitions import load_definition
from vrhub.ingest.geography import load_geography
from vrhub.store.workspace import Settings, Workspace
from vrhub.synth.ed import HOTSPOT_LSOAS, NO_SIGNALS, PLANTED, ingest_synthetic_ed, lsoa_districts

SEED = 1
START, MONTHS = "2022-01", 36
EFFECT_START = "2023-07"  # halfway through 36 months: the default planted start
RATIO = 1.0 - PLANTED.intervention_reduction  # 0.70


def _workspace(root: Path, **kw):  # type: ignore[no-untyped-def]
    ws = Workspace.open(Settings(home=root / "home", db_url=f"sqlite:///{root}/c.sqlite"))
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019"]))
    made, report = ingest_synthetic_ed(ws, root / "ed", seed=SEED, start=START, months=MONTHS, **kw)
    assert report.ok and all(r.rows_quarantined == 0 for r in report.results)
    rows = [r for p in made.paths for r in csv.DictReader(p.open(encoding="utf-8", newline=""))]
    return ws, made, rows


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return _workspace(tmp_path_factory.mktemp("planted"))


@pytest.fixture(scope="module")
def null(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    return _workspace(tmp_path_factory.mktemp("null"), signals=NO_SIGNALS, spatially_random=True)


def _month(text: str) -> str:
    return text[:7] if text[4] == "-" else f"{text[6:10]}-{text[3:5]}"


def test_the_planted_signals_are_stated_and_present_in_the_raw_rows(planted) -> None:  # type: ignore[no-untyped-def]
    _, made, rows = planted
    stated = made.parameters["planted"]
    assert stated["intervention_start"] == EFFECT_START and stated["intervention_district"] == "Medway"
    assert stated["intervention_rate_ratio"] == pytest.approx(RATIO) and stated["hotspot_lsoas"] == list(HOTSPOT_LSOAS)
    # independent count on the CSV rows: Medway's after/before ratio over Swale's (same hospital, untreated)
    district = lsoa_districts()
    counts = {(d, after): 0 for d in ("Medway", "Swale") for after in (False, True)}
    for r in rows:
        d = district.get(r["Home LSOA"])
        if d in ("Medway", "Swale"):
            counts[d, _month(r["Arrival date time"]) >= EFFECT_START] += 1
    ratio = (counts["Medway", True] / counts["Medway", False]) / (counts["Swale", True] / counts["Swale", False])
    assert ratio == pytest.approx(RATIO, abs=0.08)  # about 2 standard errors of this ratio of counts
    # the hot-spot LSOAs are far above the other Medway LSOAs, per LSOA
    medway = [r["Home LSOA"] for r in rows if district.get(r["Home LSOA"]) == "Medway"]
    n_medway = sum(1 for c in set(district) if district[c] == "Medway")
    in_spot = sum(h in HOTSPOT_LSOAS for h in medway) / len(HOTSPOT_LSOAS)
    elsewhere = sum(h not in HOTSPOT_LSOAS for h in medway) / (n_medway - len(HOTSPOT_LSOAS))
    assert in_spot > 3 * elsewhere


def test_gi_star_with_fdr_finds_the_planted_hotspot(planted) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = planted
    incidents = hs.gather_incidents(ws.engine(), load_definition(), source="ed_istv")
    run = hs.run_gi_star(ws.engine(), incidents, permutations=9999, seed=3)
    assert run.parameters["fdr"] is True and run.parameters["fdr_level"] == 0.05
    assert run.data_versions["ed_istv"] and "home LSOA" in run.incidents.location_note
    cls = run.places.set_index("id")["classification"]
    hot = set(cls.index[cls == "hot"])
    assert "E01016120" in hot  # Medway 026B, the centre of the planted cluster
    assert len(hot & set(HOTSPOT_LSOAS)) >= 4, sorted(hot & set(HOTSPOT_LSOAS))
    assert not set(cls.index[cls == "cold"]) & set(HOTSPOT_LSOAS)


def test_gi_star_finds_nothing_on_spatially_random_data(null) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = null
    incidents = hs.gather_incidents(ws.engine(), load_definition(), source="ed_istv")
    run = hs.run_gi_star(ws.engine(), incidents, permutations=9999, seed=3)
    assert run.parameters["n_incidents_counted"] > 15_000
    assert set(run.places["classification"]) == {"not significant"}  # at a 5% false-discovery rate


def _knox(ws: Workspace, permutations: int):  # type: ignore[no-untyped-def]
    incidents = hs.gather_incidents(ws.engine(), load_definition(), source="ed_istv", start=dt.date(2022, 1, 1),
                                    end=dt.date(2022, 12, 1))
    assert incidents.frame["time"].dt.day.nunique() > 1  # dated: day bands can be measured
    return hs.run_near_repeat(incidents, space_bands=[0, 0, 1000, 2000], time_bands=[0, 7, 14, 21],
                              permutations=permutations, seed=11)


def test_knox_finds_the_planted_near_repeats(planted) -> None:  # type: ignore[no-untyped-def]
    result = _knox(planted[0], 199)
    ratio, p = result.table("knox_ratio"), result.table("p_value")
    same, week = ratio.index[0], ratio.columns[0]
    assert ratio.loc[same, week] > 1.3
    assert p.loc[same, week] <= 1 / 200  # no permutation reached the observed count


def test_knox_finds_no_near_repeat_on_null_data(null) -> None:  # type: ignore[no-untyped-def]
    result = _knox(null[0], 499)
    ratio, p = result.table("knox_ratio"), result.table("p_value")
    inner = p.iloc[:-1, :-1]  # the bands asked for, not "beyond"
    assert ratio.iloc[0, 0] == pytest.approx(1.0, abs=0.15)
    assert (inner.to_numpy() > 0.05 / inner.size).all(), inner  # none at 5% after Bonferroni


def _designs(ws: Workspace):  # type: ignore[no-untyped-def]
    e = ws.engine()
    return {
        "did": evaluate_did(e, treated=["Medway"], start=EFFECT_START, source="ed_istv"),
        "its": evaluate_its(e, area="Medway", start=EFFECT_START, source="ed_istv"),
        # 13 districts: the smallest placebo p-value is 1/13, so only a 90% interval can be bounded
        "synth": evaluate_synth(e, treated="Medway", start=EFFECT_START, source="ed_istv", confidence_level=0.90),
    }


def test_the_three_designs_recover_the_planted_effect_within_their_intervals(planted) -> None:  # type: ignore[no-untyped-def]
    ws = planted[0]
    ed_versions = {d.id for d in ws.catalogue.datasets("ed_istv")}
    for name, ev in _designs(ws).items():
        e = ev.effect
        assert e.ci_low <= RATIO <= e.ci_high, (name, e.estimate, e.ci_low, e.ci_high)
        assert e.detected, (name, e.p_value)
        assert "fewer ED assault attendances" in ev.plain_english(), name
        assert set(e.data_versions) == ed_versions, name


def test_the_three_designs_decline_to_claim_an_effect_on_null_data(null) -> None:  # type: ignore[no-untyped-def]
    for name, ev in _designs(null[0]).items():
        e = ev.effect
        assert not e.detected, (name, e.estimate, e.ci_low, e.ci_high)
        assert e.ci_low <= 1.0 <= e.ci_high, name
        assert ev.plain_english().startswith("No detectable effect"), (name, ev.plain_english())


def test_did_with_one_treated_district_uses_placebo_inference(planted, null) -> None:  # type: ignore[no-untyped-def]
    # Issue 11: the pre-trend test and event study were as over-confident as the old clustered errors ("already
    # moving differently", p = 0.004 planted and 0.002 null, where neither has a pre-trend). All inference now comes
    # from the placebo fits: the standard error is s·√(1 + 1/12) from the 12 comparison districts, t on 11 df.
    for ws in (planted[0], null[0]):
        ev = evaluate_did(ws.engine(), treated=["Medway"], start=EFFECT_START, source="ed_istv")
        params = ev.effect.parameters
        assert params["placebo_areas"] == 12 and params["degrees_of_freedom"] == 11
        s = params["placebo_standard_deviation"] * 11 / 12  # s from the spread of the 12 placebo estimates
        assert params["standard_error"] == pytest.approx(s * np.sqrt(1 + 1 / 12))
        assert params["standard_error"] > 2 * params["cluster_robust_standard_error"]
        pretrend = ev.result.event_study.pretrend
        assert pretrend.p_value >= 0.05, pretrend
        assert "already moving differently" not in ev.plain_english()
        table = ev.result.event_study.table
        leads = table[table["event_time"] <= -2]
        assert ((leads["ci_low"] <= 1) & (leads["ci_high"] >= 1)).all()  # no lead "significant" on its own
