"""Working days in England and Wales: weekends and bank holidays skipped."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from desktop.rules.workdays import (
    add_working_days,
    bank_holidays,
    is_working_day,
    working_days_between,
)

days = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2035, 12, 31))


def test_worked_examples() -> None:
    # Wednesday 12/06/2024 + 5 working days: the next Wednesday
    assert add_working_days(dt.date(2024, 6, 12), 5) == dt.date(2024, 6, 19)
    # Friday + 1: Monday
    assert add_working_days(dt.date(2024, 6, 14), 1) == dt.date(2024, 6, 17)
    # Saturday + 1: Monday
    assert add_working_days(dt.date(2024, 6, 15), 1) == dt.date(2024, 6, 17)
    # Thursday before Easter 2024 (Good Friday 29/03, Easter Monday 01/04): + 1 is Tuesday 02/04
    assert add_working_days(dt.date(2024, 3, 28), 1) == dt.date(2024, 4, 2)
    # Christmas week 2024: Tuesday 24/12 + 2 skips Christmas and Boxing Day and the weekend
    assert add_working_days(dt.date(2024, 12, 24), 2) == dt.date(2024, 12, 30)
    # over the new year: the substitute bank holiday for New Year 2022 (Monday 03/01)
    assert add_working_days(dt.date(2021, 12, 31), 1) == dt.date(2022, 1, 4)
    assert add_working_days(dt.date(2024, 6, 12), 0) == dt.date(2024, 6, 12)
    assert add_working_days(dt.date(2024, 6, 17), -1) == dt.date(2024, 6, 14)
    assert working_days_between(dt.date(2024, 3, 28), dt.date(2024, 4, 2)) == 1
    assert working_days_between(dt.date(2024, 4, 2), dt.date(2024, 3, 28)) == -1
    assert add_working_days(dt.date(2015, 1, 1), -1) == dt.date(2014, 12, 31)


def test_bank_holidays_are_england_and_wales() -> None:
    assert dt.date(2024, 8, 26) in bank_holidays(2024)  # late summer bank holiday
    assert dt.date(2024, 8, 5) not in bank_holidays(2024)  # Scotland's summer holiday
    assert dt.date(2024, 3, 18) not in bank_holidays(2024)  # St Patrick's Day (NI), observed
    assert not is_working_day(dt.date(2024, 5, 6))
    assert is_working_day(dt.date(2024, 5, 7))


@given(days, st.integers(min_value=0, max_value=400))
def test_add_then_count_is_identity(start: dt.date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
    assert end >= start
    if n > 0:
        assert is_working_day(end)


@given(days, st.integers(min_value=1, max_value=100))
def test_never_lands_on_a_weekend_or_holiday_and_grows(start: dt.date, n: int) -> None:
    end = add_working_days(start, n)
    assert end.weekday() < 5 and end not in bank_holidays(end.year)
    assert add_working_days(start, n + 1) > end
    # at least n calendar days, and no more than a generous bound of weeks plus holidays
    assert n <= (end - start).days <= n * 7 // 5 + 12


@given(days, st.integers(min_value=0, max_value=800))
def test_between_matches_a_day_by_day_count(lo: dt.date, span: int) -> None:
    hi = lo + dt.timedelta(days=span)
    forward = sum(1 for i in range(1, span + 1) if is_working_day(lo + dt.timedelta(days=i)))
    back = sum(1 for i in range(span) if is_working_day(lo + dt.timedelta(days=i)))
    assert working_days_between(lo, hi) == forward
    assert working_days_between(hi, lo) == -back


@given(days, st.integers(min_value=-200, max_value=200))
def test_negative_counts_go_back(start: dt.date, n: int) -> None:
    end = add_working_days(start, n)
    assert working_days_between(start, end) == n
