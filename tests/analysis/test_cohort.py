"""The linked cohort analysis: counts and crude odds ratios against a hand computation on a small linked
cohort; pupils outside the NC years are left out; unlinked offenders are counted apart; a clear error when no
data is loaded."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from pathlib import Path

import pytest
from vrhub_testkit import csv_bytes

from vrhub.analysis.cohort import cohort_frame, cohort_risk_factors
from vrhub.domain.errors import NoDataError
from vrhub.ingest import education, youth_justice
from vrhub.ingest.loader import ingest
from vrhub.store.workspace import Workspace

ED = ["Person ID", "School URN", "NC year", "Sex", "Record type", "Academic year", "Start date", "Reason",
      "Sessions possible", "Sessions missed"]
YJ = ["Person ID", "Youth justice service", "Age", "Offence date", "Offence type"]


def pid(i: int) -> str:
    return hashlib.sha256(f"pupil {i}".encode()).hexdigest()


def test_counts_and_crude_odds_ratio_match_a_hand_computation(ws: Workspace, tmp_path: Path) -> None:
    # 200 pupils in NC 9; pupils 0-19 permanently excluded; offenders: 6 of the excluded, 9 of the others
    edu, yj = [], []
    for i in range(200):
        edu.append({"Person ID": pid(i), "School URN": "990001", "NC year": "9", "Sex": "Male" if i % 2 else "Female",
                    "Record type": "Attendance", "Academic year": "2022/23", "Sessions possible": "380",
                    "Sessions missed": "50" if i % 4 == 0 else "5"})
        if i < 20:
            edu.append(edu[-1] | {"Record type": "PERM", "Start date": "01/03/2023", "Reason": "PA",
                                  "Sessions possible": "", "Sessions missed": ""})
    edu.append(edu[0] | {"Person ID": pid(999), "NC year": "3"})  # too young: not in the population
    offenders = [*range(6), *range(100, 109), 999, 5000]  # 999 is too young for the population; 5000 is unlinked
    for i in offenders:
        yj.append({"Person ID": pid(i), "Youth justice service": "Kent", "Age": "14", "Offence date": "01/05/2023",
                   "Offence type": "Violence against the person"})
    yj.append(yj[-1] | {"Person ID": pid(150), "Offence type": "Burglary"})  # not a violent offence
    (tmp_path / "edu.csv").write_bytes(csv_bytes(ED, edu))
    (tmp_path / "yj.csv").write_bytes(csv_bytes(YJ, yj))
    assert ingest(ws, [tmp_path / "edu.csv"], education.SOURCES).ok
    assert ingest(ws, [tmp_path / "yj.csv"], youth_justice.SOURCES).ok

    frame = cohort_frame(ws.engine())
    assert len(frame) == 200 and pid(999) not in set(frame["person_id"])
    result = cohort_risk_factors(ws.engine())
    row = result.table.set_index("exposure").loc["permanent_exclusion"]
    a, b, c, d = 6, 14, 9, 171
    assert (row["exposed"], row["exposed_with_outcome"], row["unexposed"], row["unexposed_with_outcome"]) == (
        20, a, 180, c)
    odds_ratio = a * d / (b * c)
    half = 1.959964 * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    assert row["crude_or"] == pytest.approx(odds_ratio)
    assert row["crude_or_low"] == pytest.approx(odds_ratio * math.exp(-half), rel=1e-5)
    assert row["crude_or_high"] == pytest.approx(odds_ratio * math.exp(half), rel=1e-5)
    assert row["risk_exposed"] == pytest.approx(6 / 20)
    pa = result.table.set_index("exposure").loc["persistent_absence"]
    assert pa["exposed"] == 50  # every fourth pupil missed 50 of 380 sessions (13%)
    assert (result.population, result.with_outcome, result.offenders_not_in_education) == (200, 15, 2)
    assert not result.synthetic and "male" in result.parameters["exposures"]


def test_no_education_data_is_a_clear_error(ws: Workspace) -> None:
    with pytest.raises(NoDataError, match="no education data is loaded") as info:
        cohort_risk_factors(ws.engine())
    assert "vrhub ingest education" in str(info.value)


def test_a_period_in_months_keeps_the_academic_years_attendance_and_the_whole_last_month(ws: Workspace,
                                                                                        tmp_path: Path) -> None:
    # attendance records are dated by their term (autumn: 1 September); an offence on 20 May is in a period to May
    edu = [{"Person ID": pid(i), "School URN": "990001", "NC year": "9", "Sex": "Female", "Record type": "Attendance",
            "Academic year": "2022/23", "Sessions possible": "380", "Sessions missed": "5"} for i in range(3)]
    yj = [{"Person ID": pid(0), "Youth justice service": "Kent", "Age": "14", "Offence date": "20/05/2023",
           "Offence type": "Robbery"}]
    (tmp_path / "edu.csv").write_bytes(csv_bytes(ED, edu))
    (tmp_path / "yj.csv").write_bytes(csv_bytes(YJ, yj))
    assert ingest(ws, [tmp_path / "edu.csv"], education.SOURCES).ok
    assert ingest(ws, [tmp_path / "yj.csv"], youth_justice.SOURCES).ok
    frame = cohort_frame(ws.engine(), start=dt.date(2022, 10, 1), end=dt.date(2023, 5, 1))
    assert len(frame) == 3 and frame["outcome"].sum() == 1
    assert cohort_frame(ws.engine(), start=dt.date(2022, 10, 1), end=dt.date(2023, 4, 1))["outcome"].sum() == 0


def test_the_adjusted_model_from_its_sufficient_statistics_equals_logit_on_the_pupils() -> None:
    # The release refits the adjusted model to released counts through logit_from_sufficient; with the exact
    # counts it must be the same model as statsmodels' Logit on the pupil-level data.
    import numpy as np
    import pandas as pd
    import statsmodels.api as sm

    from vrhub.analysis.cohort import exposure_patterns, logit_from_sufficient

    rng = np.random.default_rng(8)
    n = 3000
    frame = pd.DataFrame({"suspension": rng.random(n) < 0.2, "persistent_absence": rng.random(n) < 0.3,
                          "male": rng.random(n) < 0.5})
    eta = -3 + 1.1 * frame["suspension"] + 0.6 * frame["persistent_absence"] + 0.4 * frame["male"]
    frame["outcome"] = rng.random(n) < 1 / (1 + np.exp(-eta))
    exposures = ["suspension", "persistent_absence", "male"]
    fit = sm.Logit(frame["outcome"].astype(float), sm.add_constant(frame[exposures].astype(float))).fit(disp=0)
    ci = np.exp(fit.conf_int())
    totals = {"outcome": float(frame["outcome"].sum()),
              **{e: float((frame[e] & frame["outcome"]).sum()) for e in exposures}}
    got = logit_from_sufficient(exposure_patterns(frame, exposures), exposures, totals)
    assert got is not None
    for e in exposures:
        assert got[e][0] == pytest.approx(np.exp(fit.params[e]), rel=1e-8)
        assert got[e][1:] == pytest.approx((ci.loc[e, 0], ci.loc[e, 1]), rel=1e-6)
    # totals no pattern mix can produce (more exposed offenders than offenders) have no finite maximum
    assert logit_from_sufficient(exposure_patterns(frame, exposures), exposures,
                                 totals | {"suspension": totals["outcome"] + 5}) is None
