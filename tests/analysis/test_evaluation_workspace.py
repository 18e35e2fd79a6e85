"""Evaluation on a workspace: the violence panel, honest refusals on five months, and planted effects recovered.

The positive tests load synthetic police.uk street CSVs (invented crimes in real Kent LSOAs, 36 months) with a
25% fall in "Violence and sexual offences" in Maidstone's LSOAs from 2018-01, and "Robbery" rows with no
effect at all (the null panel), through the real ingest and the shipped Kent geography.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from vrhub_testkit import KENT, STREET_HEADER, open_workspace, police_uk_ingest

from vrhub.analysis.evaluation import EvaluationInputError
from vrhub.analysis.evaluation.workspace import (
    check_months,
    evaluate_did,
    evaluate_its,
    evaluate_survey,
    violence_panel,
)
from vrhub.store.geography import Geography

PLANTED = 0.75
START = "2018-01"
MONTHS = pd.period_range("2016-01", "2018-12", freq="M").strftime("%Y-%m").tolist()
TREATED_DISTRICT = "Maidstone"
DISTRICTS = ["Maidstone", "Ashford", "Swale", "Thanet", "Dover", "Canterbury", "Gravesham", "Dartford"]
PER_DISTRICT = 12


def synthetic_street_files(folder: Path, seed: int = 7) -> dict[str, list[str]]:
    """Write one police.uk street CSV per month; return the LSOAs used by district name."""
    imd = next((KENT / "imd2019").glob("File_2_*.csv"))
    with imd.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    chosen: dict[str, list[tuple[str, str]]] = {d: [] for d in DISTRICTS}
    for r in rows:
        if r[3] in chosen and len(chosen[r[3]]) < PER_DISTRICT:
            chosen[r[3]].append((r[0], r[1]))
    rng = np.random.default_rng(seed)
    base = {code: rng.uniform(6, 14) for d in chosen.values() for code, _ in d}
    season = 1 + 0.1 * np.sin(2 * np.pi * np.arange(len(MONTHS)) / 12)
    n = 0
    for t, month in enumerate(MONTHS):
        out = []
        for district, lsoas in chosen.items():
            for code, name in lsoas:
                effect = PLANTED if district == TREATED_DISTRICT and month >= START else 1.0
                for crime_type, mult in (("Violence and sexual offences", effect), ("Robbery", 1.0)):
                    for _ in range(rng.poisson(base[code] * season[t] * mult)):
                        n += 1
                        out.append([f"{n:08x}", month, "Kent Police", "Kent Police", "0.52", "51.27",
                                    "On or near Synthetic Street", code, name, crime_type, "", ""])
        path = folder / month / f"{month}-kent-street.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(STREET_HEADER)
            w.writerows(out)
    return {d: [c for c, _ in v] for d, v in chosen.items()}


@pytest.fixture(scope="module")
def synth_ws(tmp_path_factory: pytest.TempPathFactory):
    from vrhub.ingest.geography import load_geography

    root = tmp_path_factory.mktemp("eval-ws")
    lsoas = synthetic_street_files(root / "csv")
    ws = open_workspace(root / "home")
    assert all(r.ok for r in load_geography(ws, [KENT / "boundaries", KENT / "imd2019"]))
    report = police_uk_ingest(ws, [root / "csv"], known_lsoas=Geography(ws.engine()).known_lsoa_codes())
    assert report.ok
    return ws, lsoas


def test_panel_counts_match_the_files(synth_ws):
    ws, lsoas = synth_ws
    panel = violence_panel(ws.engine(), level="lsoa")
    assert panel.months == tuple(MONTHS)
    assert len(panel.data_versions) == len(MONTHS)
    # independent count: read the CSVs back with the csv module
    root = Path(ws.home).parent / "csv"
    total = sum(1 for p in root.rglob("*.csv") for r in csv.DictReader(p.open(encoding="utf-8"))
                if r["Crime type"] == "Violence and sexual offences")
    assert int(panel.data["count"].sum()) == total
    # every loaded LSOA × month is present; LSOAs with no data are zero-filled
    assert len(panel.data) == panel.data["area"].nunique() * len(MONTHS)
    used = {c for v in lsoas.values() for c in v}
    assert panel.data.loc[~panel.data["area"].isin(used), "count"].sum() == 0
    district = violence_panel(ws.engine(), level="district")
    maid = district.data[district.data["area_name"] == TREATED_DISTRICT]
    pop = Geography(ws.engine()).attributes("population").to_pandas()
    assert maid["population"].iloc[0] == pop.loc[pop["district_name"] == TREATED_DISTRICT, "population_total"].sum()
    assert int(maid["count"].sum()) == int(panel.data.loc[panel.data["area"].isin(lsoas[TREATED_DISTRICT]),
                                                          "count"].sum())


def test_did_recovers_planted_fall(synth_ws):
    ws, _ = synth_ws
    ev = evaluate_did(ws.engine(), treated=[TREATED_DISTRICT], start=START, level="lsoa")
    e = ev.effect
    assert set(ev.treated) >= set(synth_ws[1][TREATED_DISTRICT])
    assert e.ci_low <= PLANTED <= e.ci_high
    assert e.ci_high < 1.0 and e.detected
    assert e.data_versions and all(v in violence_panel(ws.engine()).data_versions for v in e.data_versions)
    assert "fewer" in ev.plain_english()


def test_did_with_matching_recovers_planted_fall(synth_ws):
    ws, lsoas = synth_ws
    ev = evaluate_did(ws.engine(), treated=lsoas[TREATED_DISTRICT], start=START, level="lsoa", match=3)
    assert ev.match is not None and len(ev.match.comparison_areas) == 3 * PER_DISTRICT
    # matched areas are never in the treated district
    assert not set(ev.match.comparison_areas) & set(lsoas[TREATED_DISTRICT])
    assert ev.effect.ci_low <= PLANTED <= ev.effect.ci_high < 1.0


def test_its_recovers_planted_fall(synth_ws):
    ws, lsoas = synth_ws
    ev = evaluate_its(ws.engine(), area=TREATED_DISTRICT, start=START, level="lsoa")
    assert set(ev.treated) >= set(lsoas[TREATED_DISTRICT])
    assert ev.effect.ci_low <= PLANTED <= ev.effect.ci_high < 1.0


def test_null_panel_claims_no_effect(synth_ws):
    ws, _ = synth_ws
    did = evaluate_did(ws.engine(), treated=[TREATED_DISTRICT], start=START, level="lsoa", crime_types=["Robbery"])
    assert not did.effect.detected and did.effect.ci_low <= 1.0 <= did.effect.ci_high
    assert did.plain_english().startswith("No detectable effect")
    its = evaluate_its(ws.engine(), area=TREATED_DISTRICT, start=START, level="lsoa", crime_types=["Robbery"])
    assert not its.effect.detected


def test_real_kent_five_months_refuse_honestly(kent_ws):
    engine = kent_ws.ws.engine()
    with pytest.raises(EvaluationInputError, match="needs at least 12 pre-period months") as info:
        evaluate_its(engine, area="Medway", start="2019-01")
    assert "has 3 before" in info.value.message and "vrhub ingest police-uk" in info.value.hint
    with pytest.raises(EvaluationInputError, match="needs at least 6 pre-period months"):
        evaluate_did(engine, treated=["Medway"], start="2019-01")


def test_check_months_refuses_start_after_the_data(kent_ws):
    panel = violence_panel(kent_ws.ws.engine())
    with pytest.raises(EvaluationInputError, match="0 from 2020-01"):
        check_months(panel, "2020-01", "did")
    with pytest.raises(EvaluationInputError, match="not a month"):
        check_months(panel, "January", "did")


def test_unknown_area_names_the_alternatives(kent_ws):
    panel = violence_panel(kent_ws.ws.engine())
    with pytest.raises(EvaluationInputError, match="no district called 'Atlantis'") as info:
        panel.resolve(["Atlantis"])
    assert "Ashford" in info.value.hint


def test_survey_matches_scipy(tmp_path: Path):
    from scipy import stats

    before = [3, 4, 2, 5, 3, 4, 2, 3, 4, 3]
    after = [4, 5, 3, 5, 4, 5, 3, 4, 4, 5]
    path = tmp_path / "survey.csv"
    path.write_text("id,before,after\n" + "".join(f"p{i},{b},{a}\n" for i, (b, a) in
                                                  enumerate(zip(before, after, strict=True))), encoding="utf-8")
    res = evaluate_survey(path)
    assert res.paired_t.estimate == pytest.approx(np.mean(np.subtract(after, before)), abs=1e-12)
    assert res.paired_t.p_value == pytest.approx(stats.ttest_rel(after, before).pvalue, rel=1e-9)
    assert res.paired_t.data_versions[0].startswith("sha256:")
    bad = tmp_path / "bad.csv"
    bad.write_text("person,score\n1,2\n", encoding="utf-8")
    with pytest.raises(EvaluationInputError, match="needs the columns id, before, after"):
        evaluate_survey(bad)
