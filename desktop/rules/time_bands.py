"""Time bands of the day for home visits, and the slots a visit may start in.

Visits vary by day and time band so that the pattern cannot be predicted: a visit never falls on
the same weekday *and* band as the previous visit to that offender. The bands, by the clock in
England (Europe/London wall time):

| band | starts from | last start |
|---|---|---|
| morning | 08:00 | 11:30 |
| afternoon | 12:00 | 16:30 |
| evening | 17:00 | 20:30 |

The scheduler starts visits on the half hour. A visit planned by hand may start at any minute from
07:00 to 21:59; before noon it counts as morning, before 17:00 as afternoon, later as evening.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

MORNING = "morning"
AFTERNOON = "afternoon"
EVENING = "evening"
BANDS = (MORNING, AFTERNOON, EVENING)
BAND_LABELS = {MORNING: "Morning", AFTERNOON: "Afternoon", EVENING: "Evening"}

SLOT_MINUTES = 30
EARLIEST_VISIT = dt.time(7, 0)  # a visit planned by hand may start from here ...
LATEST_VISIT = dt.time(21, 59)  # ... to here
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class Band:
    """A time band of the day (see the module's table): the first and last half-hour slot the
    scheduler starts visits in, Europe/London wall time."""

    name: str
    first_start: dt.time  # the first slot the scheduler uses
    last_start: dt.time  # the last slot the scheduler uses

    def slots(self) -> tuple[dt.time, ...]:
        """Start times on the half hour from `first_start` to `last_start`."""
        first = self.first_start.hour * 60 + self.first_start.minute
        last = self.last_start.hour * 60 + self.last_start.minute
        return tuple(dt.time(m // 60, m % 60) for m in range(first, last + 1, SLOT_MINUTES))


BAND_TIMES = {
    MORNING: Band(MORNING, dt.time(8, 0), dt.time(11, 30)),
    AFTERNOON: Band(AFTERNOON, dt.time(12, 0), dt.time(16, 30)),
    EVENING: Band(EVENING, dt.time(17, 0), dt.time(20, 30)),
}
SLOTS = {name: band.slots() for name, band in BAND_TIMES.items()}

# weekday (Monday 0) and band: what "the same pattern as the previous visit" compares
Pattern = tuple[int, str]


def band_of(time: dt.time) -> str:
    """The band a wall-clock start time falls in: before 12:00 morning, before 17:00 afternoon,
    else evening."""
    if time < dt.time(12, 0):
        return MORNING
    if time < dt.time(17, 0):
        return AFTERNOON
    return EVENING


def london_wall_time(at: dt.datetime) -> dt.datetime:
    """`at` as a wall-clock time in England (a naive value is taken as already so)."""
    return at.astimezone(LONDON) if at.tzinfo is not None else at


def pattern_of(at: dt.datetime) -> Pattern:
    """The weekday and band of a visit at `at`, by the clock in England."""
    local = london_wall_time(at)
    return local.weekday(), band_of(local.time())


def describe_pattern(pattern: Pattern) -> str:
    """'Tuesday evening'."""
    weekday, band = pattern
    return f"{WEEKDAY_NAMES[weekday]} {band}"


def minutes_of(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def london_datetime(day: dt.date, time: dt.time) -> dt.datetime:
    """The aware Europe/London datetime for a wall-clock `time` on `day`."""
    return dt.datetime.combine(day, time, tzinfo=LONDON)
