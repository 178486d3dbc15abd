"""Working days in England and Wales: Monday to Friday, less the bank holidays.

Approval tasks are due a number of working days after they are raised (policy
`approval_due_working_days`, 5 by default), so a plan submitted on the Thursday before Easter is
not overdue on the Tuesday after it. Bank holidays come from the `holidays` library
(`holidays.country_holidays("GB", subdiv="ENG")`), one year at a time and cached.
"""

from __future__ import annotations

import datetime as dt
import threading
from functools import lru_cache

DAY = dt.timedelta(days=1)
_lock = threading.Lock()


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """The bank holidays of England and Wales in `year`."""
    # Imported on first need: it takes 100-200 ms, and start-up reaches this module without
    # asking for a holiday.
    import holidays

    with _lock:  # the library builds its tables lazily; keep that to one thread at a time
        return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The working day `days` working days after `start` (before it, for a negative count).

    `start` itself is never counted, whatever day it is: 5 working days after a Saturday is the
    second Friday after it (Monday is the first). Zero gives `start` unchanged."""
    step = DAY if days >= 0 else -DAY
    remaining = abs(days)
    day = start
    while remaining:
        day += step
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(a: dt.date, b: dt.date) -> int:
    """How many working days fall after `a` up to and including `b`; when `b` is before `a`, minus
    the working days from `b` up to but not including `a`. The inverse of `add_working_days`:
    `working_days_between(d, add_working_days(d, n)) == n` for any n."""
    if b < a:
        return -_count(b - DAY, a - DAY)
    return _count(a, b)


def _count(a: dt.date, b: dt.date) -> int:
    """Working days d with a < d <= b, for a <= b: whole weeks at once, then day by day."""
    span = (b - a).days
    weeks, rest = divmod(span, 7)
    count = weeks * 5
    day = a + dt.timedelta(days=weeks * 7)
    for _ in range(rest):
        day += DAY
        if day.weekday() < 5:
            count += 1
    # bank holidays on a weekday inside the span were counted as working days: take them off
    for year in range(a.year, b.year + 1):
        count -= sum(1 for h in bank_holidays(year) if a < h <= b and h.weekday() < 5)
    return count
