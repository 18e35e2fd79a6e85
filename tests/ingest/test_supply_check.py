"""The supply check: hand-made series with known answers, a gap, and the real Kent months."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import statistics
from pathlib import Path

import pytest
from vrhub_testkit import open_workspace, police_uk_ingest, street_row

from vrhub.ingest.supply_check import ALL, HIGH_RATIO, LOW_RATIO, MIN_EXPECTED, judge_series, supply_warnings


def month(y: int, m: int) -> dt.date:
    return dt.date(y, m, 1)


def days(d: dt.date) -> int:
    return calendar.monthrange(d.year, d.month)[1]


def steady(start: dt.date, n: int, per_day: float) -> dict[dt.date, int]:
    """``n`` months from ``start`` with the same count per day (so February has fewer)."""
    out, y, m = {}, start.year, start.month
    for _ in range(n):
        d = month(y, m)
        out[d] = round(per_day * days(d))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def test_february_at_the_same_daily_rate_is_expected_to_be_smaller() -> None:
    counts = steady(month(2019, 1), 6, 100.0)  # Feb 2019: 2,800 rows; the 31-day months 3,100
    assert counts[month(2019, 2)] == 2_800
    judged = judge_series(counts)
    expected, ratio, problem = judged[month(2019, 2)]
    assert problem is None
    assert expected == pytest.approx(100.0 * 28, rel=1e-9)  # daily median × 28, not a 30- or 31-day month
    assert ratio == pytest.approx(1.0, rel=1e-9)
    assert all(p is None for _, _, p in judged.values())


def test_too_little_history_or_too_few_rows_is_not_judged() -> None:
    three = steady(month(2019, 1), 3, 100.0)
    three[month(2019, 3)] = 1  # would be a shortfall, but each month has only two others to compare with
    assert judge_series(three) == {}
    small = steady(month(2019, 1), 6, 0.5)  # about 15 a month: below MIN_EXPECTED
    assert max(small.values()) < MIN_EXPECTED
    assert judge_series(small) == {}
    # ... and months more than twelve apart are not history for each other
    far = {month(2015, 1): 3100, month(2016, 6): 3000, month(2018, 1): 3100, month(2019, 6): 10}
    assert judge_series(far) == {}


def test_a_doubled_month_is_an_excess_and_a_halved_one_a_shortfall() -> None:
    counts = steady(month(2019, 1), 8, 100.0)
    counts[month(2019, 4)] *= 2
    counts[month(2019, 6)] = counts[month(2019, 6)] // 2
    judged = judge_series(counts)
    assert judged[month(2019, 4)][2] == "excess"
    assert judged[month(2019, 6)][2] == "shortfall"
    flagged = {m for m, (_, _, p) in judged.items() if p}
    assert flagged == {month(2019, 4), month(2019, 6)}  # the median is not pulled by the broken months
    # independent: April's expected count is the median daily rate of the other months × 30
    others = [c / days(m) for m, c in counts.items() if m != month(2019, 4)]
    assert judged[month(2019, 4)][0] == pytest.approx(statistics.median(others) * 30)


def test_the_band_edges() -> None:
    base = steady(month(2019, 1), 5, 100.0)
    just_in = dict(base)
    just_in[month(2019, 3)] = int(3100 * LOW_RATIO) + 2
    assert judge_series(just_in)[month(2019, 3)][2] is None
    just_out = dict(base)
    just_out[month(2019, 3)] = int(3100 * LOW_RATIO) - 2
    assert judge_series(just_out)[month(2019, 3)][2] == "shortfall"
    high = dict(base)
    high[month(2019, 3)] = int(3100 * HIGH_RATIO) + 2
    assert judge_series(high)[month(2019, 3)][2] == "excess"


def test_a_missing_month_between_the_first_and_the_last_is_a_gap(tmp_path: Path, write_street) -> None:  # type: ignore[no-untyped-def]
    ws = open_workspace(tmp_path / "home")
    months = ["2019-01", "2019-02", "2019-04", "2019-05", "2019-06"]  # March missing
    paths = [write_street(tmp_path / "in" / f"{m}-kent-street.csv",
                          [street_row(Month=m, **{"Crime ID": f"{m}-{i}"}) for i in range(30)]) for m in months]
    report = police_uk_ingest(ws, paths)
    assert report.ok
    warnings = supply_warnings(ws.engine(), "police_uk_street")
    assert [(w.month, w.problem, w.category, w.force) for w in warnings] == [
        (month(2019, 3), "gap", ALL, "Kent Police")]
    assert "2019-03" in warnings[0].message and "gap" in warnings[0].message


def test_the_real_kent_months(kent_ws) -> None:  # type: ignore[no-untyped-def]
    """December 2018 is half-supplied in police.uk's Kent file; October, January and February are not."""
    warnings = supply_warnings(kent_ws.ws.engine(), "police_uk_street")
    flagged = {(w.month.strftime("%Y-%m"), w.category) for w in warnings}
    assert ("2018-12", ALL) in flagged
    assert {m for m, _ in flagged} <= {"2018-11", "2018-12"}  # 2018-10, 2019-01, 2019-02: no category at all
    dec = next(w for w in warnings if w.month == month(2018, 12) and w.category == ALL)
    totals = {month(2018, 10): 19_396, month(2018, 11): 13_818, month(2018, 12): 8_438,
              month(2019, 1): 17_792, month(2019, 2): 16_291}  # rows per file (see test_loader_kent)
    expected = statistics.median(c / days(m) for m, c in totals.items() if m != month(2018, 12)) * 31
    assert (dec.observed, dec.problem) == (8_438, "shortfall")
    assert dec.expected == pytest.approx(expected, rel=1e-9)
    assert dec.ratio == pytest.approx(8_438 / expected, rel=1e-9)
    # each loaded file carries the warnings of the months it covers, and only those
    for r in kent_ws.report.results:
        months = {w["month"] for w in r.supply_warnings}
        assert months <= {r.source_file.split("!")[1][:7]}
        if "2018-12" in r.source_file:
            assert any(w["category"] == ALL and w["problem"] == "shortfall" for w in r.supply_warnings)


def test_kent_december_2018_is_flagged_and_november_is_not(kent_ws) -> None:  # type: ignore[no-untyped-def]
    totals = {(w.month.strftime("%Y-%m"), w.problem) for w in supply_warnings(kent_ws.ws.engine(), "police_uk_street")
              if w.category == ALL}
    assert ("2018-12", "shortfall") in totals and not any(m == "2018-11" for m, _ in totals)


def test_a_small_series_is_not_flagged_for_a_departure_chance_gives_often() -> None:
    """30 expected, 17 observed is 57% of expected (outside the 60% band) but Poisson chance gives 17 or fewer
    about 8 times in 1,000: not flagged. 30 expected and 8 observed is beyond chance: flagged."""
    counts = steady(month(2019, 1), 7, 1.0)  # about 30 a month
    counts[month(2019, 4)] = 17
    judged = judge_series(counts)
    expected, ratio, problem = judged[month(2019, 4)]
    assert ratio < LOW_RATIO and problem is None
    from vrhub.ingest.supply_check import ALPHA, chance

    # the Poisson tail, computed independently: sum of e^-λ λ^k / k! for k ≤ 17
    tail = sum(math.exp(-expected) * expected ** k / math.factorial(k) for k in range(18))
    assert chance(17, expected) == pytest.approx(tail, rel=1e-9) and tail > ALPHA
    counts[month(2019, 4)] = 8
    assert judge_series(counts)[month(2019, 4)][2] == "shortfall"
    counts[month(2019, 4)] = 60  # twice the expected 30: P(X ≥ 60) ≈ 1e-6
    upper = 1.0 - sum(math.exp(-30.0) * 30.0 ** k / math.factorial(k) for k in range(60))  # the other tail
    assert chance(60, 30.0) == pytest.approx(upper, rel=1e-6) and upper < 1e-5
    assert judge_series(counts)[month(2019, 4)][2] == "excess"


def test_a_file_with_every_record_twice_gets_a_duplicates_warning(tmp_path: Path, write_street) -> None:  # type: ignore[no-untyped-def]
    from vrhub_testkit import STREET_HEADER, csv_bytes, run_cli

    ws = open_workspace(tmp_path / "home")
    once = [street_row(Month="2019-03", **{"Crime ID": f"c{i}"}) for i in range(40)]
    twice = tmp_path / "2019-03-kent-street.csv"
    twice.write_bytes(csv_bytes(STREET_HEADER, once + once))
    asb = [street_row(Month="2019-04", Crime_type="Anti-social behaviour", **{"Crime ID": ""})] * 3
    normal = tmp_path / "2019-04-kent-street.csv"  # three identical ASB rows (no crime id): normal, not flagged
    normal.write_bytes(csv_bytes(STREET_HEADER, [street_row(Month="2019-04", **{"Crime ID": f"d{i}"})
                                                 for i in range(40)] + asb))
    report = police_uk_ingest(ws, [twice, normal])
    doubled, ok = report.results
    [dup] = [w for w in doubled.supply_warnings if w["problem"] == "duplicates"]
    assert (dup["observed"], dup["expected"], dup["ratio"]) == (40, 80, 0.5)
    assert doubled.dataset_id in dup["message"] and "exact copies" in dup["message"]
    assert not any(w["problem"] == "duplicates" for w in ok.supply_warnings)
    attributes = ws.catalogue.get(ok.dataset_id).attributes  # only rows with a Crime ID are compared
    assert (attributes["duplicate_rows"], attributes["duplicate_basis"], attributes["duplicate_basis_field"]) == \
        (0, 40, "crime_id")
    got = json.loads(run_cli("--home", str(ws.home), "datasets", "--json").stdout)
    flagged = {d["dataset_id"] for d in got for w in d["supply_warnings"] if w["problem"] == "duplicates"}
    assert flagged == {doubled.dataset_id}
