"""Implausible months (issue 13, items 1 and 3): a police.uk month before December 2010 (when police.uk began) or
after the current month is quarantined with the reason, never loaded; such a row never crashes the call, never
opens decades of empty months, and the other rows and files still load."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from vrhub_testkit import STREET_HEADER, csv_bytes, police_uk_ingest, street_row

from vrhub.ingest.loader import LoadResult
from vrhub.store.workspace import Workspace

TODAY = dt.date(2024, 6, 15)  # injected: the checks do not depend on the day the tests run


def quarantine(ws: Workspace, r: LoadResult) -> dict[int, str]:
    rows = ws.engine().quarantine(r.dataset_id).to_pyarrow().to_pylist()
    return {q["_source_row"]: q["_problems"] for q in rows}


def months_covered(ws: Workspace, r: LoadResult) -> list[str]:
    ds = ws.catalogue.get(r.dataset_id)
    return sorted(f"{c.month:%Y-%m}" for c in ds.coverage)


BEFORE = "is before December 2010, when police.uk began publishing: check the date in the source"
AFTER = "is after the current month (2024-06): a month cannot be in the future; check the date in the source"


@pytest.mark.parametrize(("value", "why"), [
    ("0000-01", BEFORE),  # on main: OverflowError while registering coverage (item 1)
    ("0001-01", BEFORE),
    ("1899-12", BEFORE),
    ("2010-11", BEFORE),
    ("2024-07", AFTER),
    ("2099-01", AFTER),
    ("9999-12", AFTER),
])
def test_an_implausible_month_is_quarantined_and_the_rest_loads(ws: Workspace, tmp_path: Path, value: str,
                                                                 why: str) -> None:
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [street_row(), street_row(Month=value), street_row(Month="2010-12"),
                                            street_row(Month="2024-06")]))
    [r] = police_uk_ingest(ws, [p], options={"today": TODAY}).results
    assert r.error is None, r.error
    assert (r.rows_read, r.rows_accepted, r.rows_quarantined) == (4, 3, 1)
    assert quarantine(ws, r) == {3: f"Month: '{value}' {why}"}
    # The first and last plausible months are accepted; the coverage holds only real months.
    assert months_covered(ws, r) == ["2010-12", "2018-10", "2024-06"]


def test_a_file_with_an_impossible_month_does_not_stop_the_files_after_it(ws: Workspace, tmp_path: Path) -> None:
    """Item 1: on main, '0000-01' raised OverflowError while registering coverage and no later file loaded."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "2018-10-kent-street.csv").write_bytes(
        csv_bytes(STREET_HEADER, [street_row(Month="0000-01"), street_row()]))
    (tmp_path / "in" / "2018-11-kent-street.csv").write_bytes(
        csv_bytes(STREET_HEADER, [street_row(Month="2018-11")] * 2))
    report = police_uk_ingest(ws, [tmp_path / "in"], options={"today": TODAY})
    assert report.ok
    assert [(r.rows_accepted, r.rows_quarantined) for r in report.results] == [(1, 1), (2, 0)]
    # No supply warning for the months between 0000 and 2018 (on main a 9999-12 row opened ~95,000 gaps).
    assert all(w["month"] >= "2018-10" for r in report.results for w in r.supply_warnings)


def test_the_current_month_is_judged_on_the_day_of_the_load(ws: Workspace, tmp_path: Path) -> None:
    """Without an injected date the check uses today's: next month is refused, this month accepted."""
    today = dt.date.today()
    this_month = today.strftime("%Y-%m")
    next_month = (today.replace(day=28) + dt.timedelta(days=4)).strftime("%Y-%m")
    p = tmp_path / "2018-10-kent-street.csv"
    p.write_bytes(csv_bytes(STREET_HEADER, [street_row(Month=this_month), street_row(Month=next_month)]))
    [r] = police_uk_ingest(ws, [p]).results
    assert (r.rows_accepted, r.rows_quarantined) == (1, 1)
    assert f"is after the current month ({this_month})" in quarantine(ws, r)[3]


def test_outcomes_months_are_checked_too(ws: Workspace, tmp_path: Path) -> None:
    from vrhub_testkit import OUTCOMES_HEADER

    row = {h: street_row().get(h, "") for h in OUTCOMES_HEADER} | {"Outcome type": "Investigation complete; no "
                                                                    "suspect identified"}
    p = tmp_path / "2018-10-kent-outcomes.csv"
    p.write_bytes(csv_bytes(OUTCOMES_HEADER, [row, row | {"Month": "9999-12"}]))
    [r] = police_uk_ingest(ws, [p], options={"today": TODAY}).results
    assert (r.kind, r.rows_accepted, r.rows_quarantined) == ("police_uk_outcomes", 1, 1)
    assert "Month: '9999-12' is after the current month (2024-06)" in quarantine(ws, r)[3]


def test_stop_and_search_dates_are_checked_on_their_uk_month(ws: Workspace, tmp_path: Path) -> None:
    header = ["Type", "Date", "Part of a policing operation", "Policing operation", "Latitude", "Longitude", "Gender",
              "Age range", "Self-defined ethnicity", "Officer-defined ethnicity", "Legislation", "Object of search",
              "Outcome", "Outcome linked to object of search", "Removal of more than just outer clothing"]
    good = dict.fromkeys(header, "") | {"Type": "Person search", "Date": "2018-10-01T09:00:00+01:00",
                                        "Part of a policing operation": "False", "Latitude": "51.5",
                                        "Longitude": "-0.1", "Outcome linked to object of search": "False",
                                        "Removal of more than just outer clothing": "False"}
    dates = ["9999-12-31T23:00:00+00:00", "0000-01-01T00:00:00+00:00", "2010-11-30T23:30:00+00:00",
             "2010-11-30T23:59:00-01:00"]  # the last is 00:59 on 1 December 2010 in UTC: December, accepted
    p = tmp_path / "2018-10-metropolitan-stop-and-search.csv"
    p.write_bytes(csv_bytes(header, [good] + [good | {"Date": d} for d in dates]))
    [r] = police_uk_ingest(ws, [p], options={"today": TODAY}).results
    assert r.error is None and (r.rows_accepted, r.rows_quarantined) == (2, 3)
    q = quarantine(ws, r)
    assert sorted(q) == [3, 4, 5]
    assert "Date: '9999-12-31T23:00:00+00:00' is after the current month" in q[3]
    assert "Date: '0000-01-01T00:00:00+00:00' is before December 2010" in q[4]
    assert "Date: '2010-11-30T23:30:00+00:00' is before December 2010" in q[5]
    assert months_covered(ws, r) == ["2010-12", "2018-10"]
