"""The one period grammar (``vrhub.domain.periods``), checked against calendar facts written out by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vrhub.domain.errors import PeriodError, UsageError, VrhubError
from vrhub.domain.periods import Period, parse_month, parse_period, resolve

D = dt.date


@pytest.mark.parametrize(("text", "days"), [
    ("2023-04", (D(2023, 4, 1), D(2023, 4, 30))),  # one month is a period
    ("2024-02", (D(2024, 2, 1), D(2024, 2, 29))),  # a leap February
    ("2023-04..2024-03", (D(2023, 4, 1), D(2024, 3, 31))),
    ("2023/24", (D(2023, 4, 1), D(2024, 3, 31))),  # the UK financial year: 1 April to 31 March
    ("1999/00", (D(1999, 4, 1), D(2000, 3, 31))),
    ("2023", (D(2023, 1, 1), D(2023, 12, 31))),
    ("2023-09-01:2024-07-31", (D(2023, 9, 1), D(2024, 7, 31))),
    (" 2019-1 ", (D(2019, 1, 1), D(2019, 1, 31))),
])
def test_each_form_reads_to_its_days(text: str, days: tuple[dt.date, dt.date]):
    p = parse_period(text)
    assert p.days == days
    assert p.months == (days[0].replace(day=1), days[1].replace(day=1))


def test_last_n_months_are_the_whole_months_before_the_current_one():
    assert parse_period("last-12-months", today=D(2024, 5, 17)).days == (D(2023, 5, 1), D(2024, 4, 30))
    assert parse_period("last-1-month", today=D(2024, 1, 1)).days == (D(2023, 12, 1), D(2023, 12, 31))
    assert parse_period("last-3-months", today=D(2024, 2, 29)).months == (D(2023, 11, 1), D(2024, 1, 1))


@pytest.mark.parametrize(("text", "message"), [
    ("Jan 2019", "is not a period"), ("18-11..19-01", "e.g. 2023-04..2024-03"),
    ("2018-13..2019-01", "month outside 01-12"), ("2019-02..2018-10", "ends before it starts"),
    ("2023/25", "is not a financial year"), ("2023-09-01:2023-08-01", "ends before it starts"),
    ("2023-02-30:2023-03-01", "is not a period of days"), ("last-0-months", "no months"),
])
def test_a_bad_period_is_one_error_that_says_what_to_write(text: str, message: str):
    with pytest.raises(PeriodError, match=message) as e:
        parse_period(text)
    assert isinstance(e.value, UsageError) and isinstance(e.value, VrhubError) and not isinstance(e.value, ValueError)
    assert e.value.hint and e.value.exit_code == 2 and e.value.http_status == 422


def test_the_shared_options_name_the_option_at_fault():
    assert resolve() is None
    assert resolve("2023/24").months == (D(2023, 4, 1), D(2024, 3, 1))
    assert resolve(None, "2019-01", None).months == (D(2019, 1, 1), None)
    assert resolve(None, None, "2019-02").days == (None, D(2019, 2, 28))
    for args, option in [(("2023", "2019-01", None), "--period"), (("x", None, None), "--period"),
                         ((None, "2019-13", None), "--from"), ((None, None, "2019/1"), "--to"),
                         ((None, "2019-03", "2019-01"), "--from")]:
        with pytest.raises(PeriodError) as e:
            resolve(*args)
        assert e.value.option == option


@given(st.dates(D(1990, 1, 1), D(2100, 12, 31)), st.dates(D(1990, 1, 1), D(2100, 12, 31)))
def test_a_month_range_covers_whole_months_and_round_trips(a: dt.date, b: dt.date):
    lo, hi = min(a, b), max(a, b)
    p = parse_period(f"{lo:%Y-%m}..{hi:%Y-%m}")
    assert p.start == lo.replace(day=1) and p.start.day == 1
    assert (p.end + dt.timedelta(days=1)).day == 1 and p.end.replace(day=1) == hi.replace(day=1)
    assert parse_month(f"{lo:%Y-%m}") == p.months[0]
    assert Period.of_months(lo, hi) == Period(p.start, p.end)
