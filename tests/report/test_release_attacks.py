"""Attacks on released outputs: no suppressed or unrounded count may be pinned down from everything released.

Issue 11. The attacker knows the release rules (they are public) and sees everything a release shows: tables,
totals, the statistics beside them, and two releases over overlapping periods. It treats a release as a function
of the exact data and asks which exact data the release could have come from (``vrhub.domain.disclosure.attack``):

- ``exhaustive``: every candidate in the box the released tables allow (a rounded 7,975 came from 7,973..7,977);
- ``witnesses``: for each count, another exact dataset — that count changed, alone or with a compensating change —
  that gives the identical release. A count without a witness is pinned down.

Each attack is first shown to *work*: on a release that publishes statistics computed on the exact counts (what
vrhub did before issue 11) it gives the exact counts back — the demo's released monthly series 7,975 / 5,245 /
7,405 / 6,165 gives back 7,977 / 5,246 / 7,404 / 6,163 from the trend statistics; a small area's suppressed
months are recovered; a cohort's 2×2 tables are recovered from odds ratios. Then the real release step is
attacked the same way and must give nothing back.

The profile attacks vary the monthly series only (the other tables are held at their true values: an attacker
given more than the release shows is a stronger attacker, so "nothing pinned" is the safe conclusion); the months
with a supply warning are held too (the trend leaves them out).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from vrhub.analysis.profile import Profile, Section
from vrhub.analysis.profile.build import summarise
from vrhub.analysis.profile.trend import TrendResult, days_in, fit_trend
from vrhub.domain.disclosure import NHS_OPENSAFELY, round_to_base
from vrhub.domain.disclosure.attack import exhaustive, witnesses
from vrhub.report.release import release_profile

RULES = NHS_OPENSAFELY
TREND_FIELDS = ("available", "reason", "months_used", "months_excluded", "seasonal", "change_per_year", "ci_low",
                "ci_high", "p_value", "dispersion", "df_resid")


# --- profiles --------------------------------------------------------------------------------------------------
def with_series(base: Profile, counts: dict[dt.date, int]) -> Profile:
    """The exact profile the analysis would have produced had the monthly counts been ``counts`` (the 'when'
    section, the headline and the trend; the trend fitted on the exact counts, supply-flagged months left out)."""
    when = base.sections["when"].tables["when_monthly"].to_pandas()
    months = list(when["month"])
    records = [counts.get(m, int(r)) for m, r in zip(months, when["records"], strict=True)]
    change = sum(records) - int(when["records"].sum())
    flagged = {m for m in months if m.strftime("%Y-%m") in base.headline["supply_warning_months"]}
    trend = fit_trend(months, records, exclude=flagged)
    table = pa.Table.from_pandas(when.assign(records=records, possible=[r - d for r, d in
                                                                        zip(records, when["definite"], strict=True)])
                                 .drop(columns=["trend_fitted"], errors="ignore"), preserve_index=False)
    what = "Recorded serious violence (definite and possible)"
    sections = {"when": Section("when", True, {"when_monthly": table}, [trend.sentence(what)]),
                "where": Section("where", False, notes=["no geography loaded"])}
    headline = base.headline | {"possible": base.headline["possible"] + change}
    p = dataclasses.replace(base, sections=sections, headline=headline, trend=trend, summary=[])
    p.summary = summarise(p)
    return p


def shown(released: Profile) -> tuple:
    """Everything of a released (trimmed) profile a reader sees, as comparable values."""
    when = released.sections["when"]
    return (tuple(when.tables["when_monthly"].column("records").to_pylist()),
            tuple(getattr(released.trend, f) if not isinstance(getattr(released.trend, f), list)
                  else tuple(getattr(released.trend, f)) for f in TREND_FIELDS),
            tuple(sorted((k, str(v)) for k, v in released.headline.items())), tuple(released.summary),
            tuple(when.notes))


def real_release(profile: Profile) -> tuple:
    return shown(release_profile(profile, RULES)[0])


def exact_statistics_release(profile: Profile) -> tuple:
    """What vrhub released before issue 11 for these fields: the monthly counts protected as a table (rounded to 5;
    the small area's suppressions are given, as they do not depend on the candidates tried) and the headline
    rounded, but the trend fitted on the exact counts, printed in full in profile.json."""
    records = profile.sections["when"].tables["when_monthly"].column("records").to_pylist()
    return (tuple(int(round_to_base([r], 5)[0]) for r in records), round_to_base([profile.headline["possible"]], 5)[0],
            tuple(getattr(profile.trend, f) if not isinstance(getattr(profile.trend, f), list)
                  else tuple(getattr(profile.trend, f)) for f in TREND_FIELDS))


def synthetic_area(counts: list[int], first: dt.date = dt.date(2023, 1, 1)) -> Profile:
    """The profile of a small synthetic area with these monthly counts (every record 'possible')."""
    months = [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
              for i in range(len(counts))]
    table = pa.Table.from_pylist([{"month": m, "records": c, "definite": 0, "possible": c, "days": days_in(m),
                                   "supply_warning": None} for m, c in zip(months, counts, strict=True)])
    base = Profile(months[0], months[-1], "area", None, {"definition_name": "synthetic"}, ["synthetic"],
                   {"when": Section("when", True, {"when_monthly": table})},
                   {"definite": 0, "possible": sum(counts), "months": len(counts), "supply_warning_months": []},
                   TrendResult(False), [], [], [])  # with_series fits the trend
    return with_series(base, dict(zip(months, counts, strict=True)))


@pytest.fixture(scope="module")
def demo(district_profile: Profile) -> tuple[Profile, dict[dt.date, range]]:
    """The demo profile trimmed to its monthly series, and the box the released counts allow for each month the
    trend uses."""
    base = with_series(district_profile, {})
    released = release_profile(base, RULES)[0].sections["when"].tables["when_monthly"].to_pylist()
    flagged = set(base.headline["supply_warning_months"])
    boxes = {r["month"]: range(r["records"] - 2, r["records"] + 3) for r in released
             if r["month"].strftime("%Y-%m") not in flagged}
    return base, boxes


def _attack_demo(base: Profile, boxes: dict[dt.date, range], mechanism) -> dict[dt.date, set[int]]:  # type: ignore[no-untyped-def]
    observed = mechanism(base)
    return exhaustive(boxes, lambda c: mechanism(with_series(base, c)), observed).feasible


def test_the_attacker_recovers_the_demo_series_from_trend_statistics_on_exact_counts(demo) -> None:  # type: ignore[no-untyped-def]
    base, boxes = demo
    feasible = _attack_demo(base, boxes, exact_statistics_release)
    truth = {r["month"]: r["records"] for r in base.sections["when"].tables["when_monthly"].to_pylist()}
    assert {m: sorted(v) for m, v in feasible.items()} == {m: [truth[m]] for m in boxes}
    assert [truth[m] for m in sorted(boxes)] == [7977, 5246, 7404, 6163]  # the figures
    assert [b.start + 2 for _, b in sorted(boxes.items())] == [7975, 5245, 7405, 6165]


def test_the_released_demo_profile_pins_no_monthly_count(demo) -> None:  # type: ignore[no-untyped-def]
    base, boxes = demo
    truth = {r["month"]: r["records"] for r in base.sections["when"].tables["when_monthly"].to_pylist()
             if r["month"] in boxes}
    found = witnesses(truth, boxes, lambda c: real_release(with_series(base, c)))
    assert found.pinned == [], {m: sorted(found.feasible[m]) for m in found.pinned}


SMALL = [14, 3, 16, 5, 12, 18, 10, 15, 13, 17, 11, 19, 15]  # months 2 and 4 suppressed, month 7 (10) secondary


def _two_releases(counts: dict[int, int], mechanism) -> tuple:  # type: ignore[no-untyped-def]
    """Two releases over overlapping periods: months 1-12 and 2-13 of the small area."""
    series = [counts[i] for i in range(len(SMALL))]
    return mechanism(synthetic_area(series[:12])), mechanism(synthetic_area(series[1:], dt.date(2023, 2, 1)))


def _small_boxes() -> dict[int, range]:
    released = release_profile(synthetic_area(SMALL[:12]), RULES)[0].sections["when"].tables["when_monthly"]
    shown_counts = [*released.column("records").to_pylist(), 15]  # month 13: released as 15 in the second release
    return {i: range(1, 25) if v is None else range(v - 2, v + 3) for i, v in enumerate(shown_counts)}


def test_the_attacker_recovers_suppressed_months_from_trend_statistics_on_exact_counts() -> None:
    # An attacker who also knew the rounded months exactly (a stronger one than the release allows, to keep the
    # search small) needs only the exact trend to find the three suppressed months among 1,000 candidates.
    boxes = _small_boxes()
    assert [i for i, b in boxes.items() if b.start == 1] == [1, 3, 6]  # 3, 5 and the secondary 10 are [c]
    series = SMALL[:12]

    def mechanism(c: dict[int, int]) -> tuple:
        return exact_statistics_release(synthetic_area([c.get(i, v) for i, v in enumerate(series)]))

    found = exhaustive({i: range(1, 11) for i in (1, 3, 6)}, mechanism, mechanism({}))
    assert {i: sorted(v) for i, v in found.feasible.items()} == {1: [3], 3: [5], 6: [10]}


def test_two_overlapping_releases_of_a_small_area_pin_no_month() -> None:
    truth = dict(enumerate(SMALL))
    found = witnesses(truth, _small_boxes(), lambda c: _two_releases(c, real_release))
    assert found.pinned == [], {k: sorted(found.feasible[k]) for k in found.pinned}
    released = release_profile(synthetic_area(SMALL[:12]), RULES)[0]
    assert released.trend.months_used == 9 and {"2023-02", "2023-04", "2023-07"} <= set(released.trend.months_excluded)
    assert "suppressed count are left out" in " ".join(released.sections["when"].notes)


# --- the linked cohort -----------------------------------------------------------------------------------------
def cohort_frame(seed: int = 4, n: int = 900) -> pd.DataFrame:
    """A synthetic linked cohort: one row per invented pupil (exposures, sex known, outcome)."""
    rng = np.random.default_rng(seed)
    f = pd.DataFrame({"person_id": [f"p{i:05d}" for i in range(n)],
                      "permanent_exclusion": rng.random(n) < 0.04, "suspension": rng.random(n) < 0.18,
                      "persistent_absence": rng.random(n) < 0.25, "male": rng.random(n) < 0.5, "sex_known": True})
    eta = -3.2 + 1.2 * f["permanent_exclusion"] + 0.9 * f["suspension"] + 0.5 * f["persistent_absence"] + 0.4 * f[
        "male"]
    f["outcome"] = rng.random(n) < 1 / (1 + np.exp(-eta))
    return f


EXPOSURE_COLUMNS = ("permanent_exclusion", "suspension", "persistent_absence", "male")


def cohort_cells(frame: pd.DataFrame) -> dict[str, int]:
    """The counts a cohort release covers: every cell of every exposure's 2×2 table."""
    out = {}
    for e in EXPOSURE_COLUMNS:
        for exposed in (True, False):
            for outcome in (True, False):
                out[f"{e}:{exposed}:{outcome}"] = int(((frame[e] == exposed) & (frame["outcome"] == outcome)).sum())
    return out


def cohort_shown(result: Any) -> tuple:
    t = result.table
    cols = [c for c in t.columns if c not in ("label",)]
    rows = tuple(tuple(None if pd.isna(v) else (round(float(v), 12) if isinstance(v, float) else v) for v in r)
                 for r in t[cols].itertuples(index=False))
    return rows, result.population, result.with_outcome, result.offenders_not_in_education, tuple(result.notes)


def cohort_release(frame: pd.DataFrame) -> tuple:
    """The real release step on the cohort of ``frame``."""
    from vrhub.analysis.cohort import risk_factors_from_frame
    from vrhub.report.release import release

    return cohort_shown(release(risk_factors_from_frame(frame), RULES).result)


def woolf_two_decimals(cells: dict[str, int]) -> tuple:
    """What the SNA printed before issue 11 for one exposure: the 2×2 rounded to 5 and the crude odds ratio with its
    Woolf interval computed on the exact cells, to two decimals."""
    from vrhub.analysis.cohort import _crude

    a, b, c, d = (cells[k] for k in ("a", "b", "c", "d"))
    rounded = tuple(int(round_to_base([v], 5)[0]) for v in (a, b, c, d, a + b, c + d, a + c, b + d))
    return rounded, tuple(round(v, 2) for v in _crude(a, b, c, d))


def flips(frame: pd.DataFrame) -> list[tuple[str, int, str]]:
    """One pupil per (exposure pattern, outcome) group, and the changes an attacker tries on them: the outcome
    flipped, or one exposure flipped."""
    key = frame[[*EXPOSURE_COLUMNS, "outcome"]].astype(int).astype(str).agg("".join, axis=1)
    firsts = frame.groupby(key).head(1).index
    return [(kind, int(i), col) for i in firsts for kind, col in
            [("outcome", "outcome")] + [("exposure", e) for e in EXPOSURE_COLUMNS]]


def cohort_witnesses(frames: list[pd.DataFrame], mechanism, changeable: int = 0) -> dict[str, set[int]]:  # type: ignore[no-untyped-def]
    """For every cell of the changeable release, the values found for it over pupil-level changes (single moves,
    then pairs) that leave every release identical; stops once every cell has a second value."""
    observed = tuple(mechanism(f) for f in frames)
    base = frames[changeable]
    values: dict[str, set[int]] = {k: {v} for k, v in cohort_cells(base).items()}
    moves = flips(base)
    tries = [[m] for m in moves] + [[a, b] for i, a in enumerate(moves) for b in moves[i + 1:] if a[1] != b[1]]
    signature = _rounded(base)
    for change in tries:
        if all(len(v) > 1 for v in values.values()):
            break
        f = _apply(base, change)
        gained = [k for k, v in cohort_cells(f).items() if v not in values[k] and len(values[k]) == 1]
        # a change that moves any cell or margin across a rounding boundary changes the released tables: skip it
        # without running the release (the attacker knows the tables are rounded)
        if gained and _rounded(f) == signature and _same(frames, changeable, f, mechanism, observed):
            for k, v in cohort_cells(f).items():
                values[k].add(v)
    return values


def _rounded(frame: pd.DataFrame) -> tuple:
    cells = cohort_cells(frame)
    margins = [cells[f"{e}:{x}:True"] + cells[f"{e}:{x}:False"] for e in EXPOSURE_COLUMNS for x in (True, False)]
    values = [*cells.values(), *margins, int(frame["outcome"].sum()), len(frame)]
    return tuple(int(v) for v in round_to_base(values, 5))


def _apply(frame: pd.DataFrame, moves: list[tuple[str, int, str]]) -> pd.DataFrame:
    f = frame.copy()
    for _, i, col in moves:
        f.loc[i, col] = not f.loc[i, col]
    return f


def _same(frames, changeable, candidate, mechanism, observed) -> bool:  # type: ignore[no-untyped-def]
    out = tuple(mechanism(candidate if i == changeable else f) for i, f in enumerate(frames))
    return out == observed


def _two_by_two(frame: pd.DataFrame, exposure: str) -> dict[str, int]:
    cells = cohort_cells(frame)
    return {"a": cells[f"{exposure}:True:True"], "b": cells[f"{exposure}:True:False"],
            "c": cells[f"{exposure}:False:True"], "d": cells[f"{exposure}:False:False"]}


def test_the_attacker_recovers_2x2_tables_from_odds_ratios_on_exact_counts() -> None:
    frame = cohort_frame()
    exact = 0
    for exposure in EXPOSURE_COLUMNS:
        truth = _two_by_two(frame, exposure)
        boxes = {k: range(max(0, v - 4), v + 5) for k, v in truth.items()}  # wider than rounding allows
        found = exhaustive(boxes, woolf_two_decimals, woolf_two_decimals(truth))
        assert all(truth[k] in v and len(v) <= 2 for k, v in found.feasible.items()), (exposure, found.feasible)
        exact += found.pinned == list(truth)
    assert exact >= 3  # the tables with the smaller cells are given back exactly, the largest to within one


def test_the_released_cohort_pins_no_cell() -> None:
    frame = cohort_frame()
    values = cohort_witnesses([frame], cohort_release)
    assert [k for k, v in values.items() if len(v) == 1] == []


def test_two_cohort_releases_a_month_apart_do_not_give_the_new_offenders_back() -> None:
    # The second release adds a month: a few more pupils have the outcome. Before issue 11 both releases' tables
    # were recovered exactly and their difference (counts of 2 and 5 in the audit) followed.
    first = cohort_frame()
    second = first.copy()
    rng = np.random.default_rng(9)
    new = rng.choice(np.flatnonzero(~second["outcome"].to_numpy()), size=6, replace=False)
    second.loc[new, "outcome"] = True
    values = cohort_witnesses([first, second], cohort_release, changeable=1)
    first_cells = cohort_cells(first)
    differences = {k: {v - first_cells[k] for v in vs} for k, vs in values.items()}
    assert [k for k, d in differences.items() if len(d) == 1] == []
    # on exact statistics both releases' tables are pinned (to within one for the largest cells)
    for exposure in EXPOSURE_COLUMNS:
        for frame in (first, second):
            truth = _two_by_two(frame, exposure)
            boxes = {k: range(max(0, v - 2), v + 3) for k, v in truth.items()}
            found = exhaustive(boxes, woolf_two_decimals, woolf_two_decimals(truth))
            assert all(len(v) <= 2 for v in found.feasible.values()), exposure


# --- an impact evaluation --------------------------------------------------------------------------------------
def did_panel(treated_counts: dict[int, int] | None = None) -> pd.DataFrame:
    """13 synthetic areas × 12 months (the first area treated from month 8), with the treated area's monthly counts
    replaced by ``treated_counts``."""
    rng = np.random.default_rng(21)
    counts = rng.poisson(rng.gamma(10.0, np.exp(rng.normal(np.log(20), 0.3, 13))[:, None] * np.ones((13, 12)) / 10))
    for month, value in (treated_counts or {}).items():
        counts[0, month] = value
    return pd.DataFrame({"area": np.repeat([f"A{i:02d}" for i in range(13)], 12), "month": np.tile(np.arange(12), 13),
                         "count": counts.ravel()})


def did_shown(result: Any) -> tuple:
    e = result.effect
    es = result.event_study
    table = tuple(tuple(None if pd.isna(v) else v for v in r) for r in es.table.itertuples(index=False)) if es else ()
    means = tuple(tuple(r) for r in result.group_means.itertuples(index=False))
    return (e.estimate, e.ci_low, e.ci_high, e.p_value, means, table,
            None if es is None or es.pretrend is None else es.pretrend.p_value, result.plain_english())


def did_release(counts: dict[int, int]) -> tuple:
    from vrhub.analysis.evaluation import difference_in_differences
    from vrhub.report.release import release

    exact = difference_in_differences(did_panel(counts), treated_areas=["A00"], start=8, event_window=(-4, 3))
    return did_shown(release(exact, RULES).result)


def did_exact_statistics(counts: dict[int, int]) -> tuple:
    """The evaluation as vrhub printed it before issue 11 (``--json``: every number at full precision)."""
    from vrhub.analysis.evaluation import difference_in_differences

    return did_shown(difference_in_differences(did_panel(counts), treated_areas=["A00"], start=8,
                                               event_window=(-4, 3)))


def test_a_released_evaluation_pins_no_count_of_the_treated_area() -> None:
    truth = {m: int(v) for m, v in enumerate(did_panel()["count"][:12])}
    boxes = {m: range(v - 2, v + 3) for m, v in truth.items()}
    # at full precision no change of one month of the treated area goes unnoticed (single changes only, to keep
    # the search short: the group means at full precision give the before and after totals exactly)
    exact = witnesses(truth, boxes, did_exact_statistics, pairs=False)
    assert set(exact.pinned) == set(truth)
    found = witnesses(truth, boxes, did_release)
    assert found.pinned == [], {m: sorted(found.feasible[m]) for m in found.pinned}
