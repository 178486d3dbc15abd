"""Dates and times for the demo, all derived from the day the data treats as today, never from the
real clock, so that one seed and one day always give the same database."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

LONDON = ZoneInfo("Europe/London")
DAY = dt.timedelta(days=1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """A wall-clock time in England on `day`, as an aware UTC timestamp."""
    local = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
    return local.astimezone(dt.UTC)


def add_months(day: dt.date, months: int) -> dt.date:
    return day + relativedelta(months=months)


def years_before(day: dt.date, years: float) -> dt.date:
    return day - dt.timedelta(days=round(years * 365.25))


def add_working_days(day: dt.date, count: int) -> dt.date:
    """`count` weekdays after `day` (the approval clock skips weekends)."""
    while count > 0:
        day += DAY
        if day.weekday() < 5:
            count -= 1
    return day


class Calendar:
    """Bank holidays in England and Wales over the demo's years, for placing visits."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        years = range(first.year, last.year + 1)
        self._holidays = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=years))

    def is_visit_day(self, day: dt.date) -> bool:
        """Monday to Saturday and not a bank holiday."""
        return day.weekday() < 6 and day not in self._holidays

    def working_day_on_or_after(self, day: dt.date) -> dt.date:
        while day.weekday() >= 5 or day in self._holidays:
            day += DAY
        return day
