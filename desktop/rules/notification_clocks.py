"""Statutory notification clocks: every deadline an offender must meet, and whether they met it.

Plain facts in: the events that start a clock (`Event`, one per conviction, change, release, stay,
advance notice or trip, with the day it was notified if it was), the stretches of custody, hospital
and time abroad during which clocks stop (`Pause`), and the day to judge on. Plain facts out: one
`Clock` per deadline, with its due date, when it was met, and its state:

- "met": notified on or before the due date;
- "due": not yet notified, and the due date is today or later;
- "breach": not notified and the due date has passed (shown from the day after it, the moment it
  passes), or notified late (a late notification stays a breach, with `satisfied_on` set).

The Sexual Offences Act 2003 (Part 2) and the Regulations under it, as Pillars reads them. Every
reading below is a choice the hub should know about:

- Counting days. The Act says "within the period of 3 days beginning with" the event. Pillars
  follows DESIGN section 3 and the hub's practice, "within 3 days of": the event day is not
  counted, so a change on the 1st is due by the 4th. The same count gives 6 days for s84(4)(b) and
  7 days for foreign travel.
- Pauses, s83(6) and s84(5): time in custody, detained in hospital or outside the United Kingdom is
  disregarded for the 3-day and 6-day periods. The clock counts running days only: each day after
  the event that is not a paused day counts one, so a pause never shortens a deadline and a pause
  that overlaps a running clock moves its end by the paused days it overlaps. A pause covers its
  days from `start` to `end` inclusive; the day of release or return may be given as `end`, which
  reads the same for every count. A pause still running (`end` None) is taken to last through the
  day judged on: the due date then is the earliest it can fall, and the clock says it is stopped.
- Pauses, s85(3)-(4): the periodic clock does not stop. If the year (or the week, for no fixed
  abode) would end while the offender is in custody, in hospital or abroad, it continues until
  3 days after that ends. A trip abroad in March does not move a June anniversary; one that
  covers the anniversary moves it to 3 days after the return. So a later notification can, rarely,
  fall due sooner than an earlier one: that is the Act, not a fault.
- s85 periodic: within a year of each notification under s83(1), s84(1) or s85(1) itself. Pillars
  resets the periodic date at every notification of: initial, change of name, change of address,
  a move in from another force, release, a qualifying stay at another address, a stay in a
  household with a child (made under s84), periodic and weekly. Foreign travel (s86) does not reset
  it, nor does an advance notice by itself (the change it announces does, when notified).
- No fixed abode, s85(5)-(6) and the 2012 Regulations: while the last home notified is a place
  where the offender can be found rather than an address, the applicable period is 7 days. A link
  of the periodic chain is weekly when a weekly notification (or a change of address marked
  `no_fixed_abode` in its details) was made that day, or when it is the latest link and the
  offender is of no fixed abode now.
- Qualifying stay, s84(1)(c) and s84(6): 7 days at one address, in one stay or in stays that
  together reach 7 days within any 12 months. A day counts when the offender stayed there on it
  (first and last days included). `qualifying_stay_date` finds the day the total reaches 7; the
  notification is due 3 days after it. The `Event` for the stay carries that day as `on`.
- Advance notice, s84(2)-(4): notice given of a change expected on date D. A change that happens
  between D - 2 and D + 3 days (the explanatory notes' reading of "within 3 days beginning with")
  discharges the advance notice: met. If it has not happened by then, the offender must notify that
  it did not, by D + 6 (pauses skipped, s84(5)); if it happens later, or more than 2 days early
  (s84(3)), the change itself must be notified as a change, which is its own event.
- Household with a child, 2012 Regulations reg 10 (made under s84): staying 12 hours or more in a
  household with a child under 18. Pillars counts the 3 days from the first day of the stay, the
  stricter reading, since the start date is what the offender notifies.
- Foreign travel, s86 and the 2004 Travel Notification Regulations as amended by the 2012
  Regulations: at least 7 days before departure; a change to notified travel at least 24 hours
  before departure, which in whole days is by the day before departure (the hub checks the hour
  when it matters). A trip decided fewer than 7 days before departure should be notified as soon
  as reasonably practicable; Pillars keeps the DESIGN's simple rule (7 days before) and says in the
  text that the trip was decided late, for an officer to judge whether the excuse is reasonable.
  Pauses do not move a notice owed before a departure.
- Events after the day judged on have not happened and start no clock, except a departure and an
  advance notice's expected date, which are in the future by nature. A notification dated after
  the day judged on has not been made yet. Duties arising after the notification period ends
  (`period_ends_on`, from s82: see `notification_period`) are not owed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from dateutil.relativedelta import relativedelta

from desktop.rules.periods import NotificationPeriod, notification_period

__all__ = [
    "Clock",
    "Event",
    "NotificationPeriod",
    "Pause",
    "add_running_days",
    "clocks",
    "next_periodic_due",
    "notification_period",
    "qualifying_stay_date",
    "release_not_recorded",
]

DAY = dt.timedelta(days=1)
YEAR = relativedelta(years=1)

PAUSE_KINDS = frozenset({"custody", "hospital", "abroad"})
STATES = ("met", "due", "breach")

# Rules whose deadline is a count of running days after the event: days and statute.
COUNTED: dict[str, tuple[int, str]] = {
    "initial": (3, "s83(1), s83(6)"),
    "change_of_name": (3, "s84(1)(a), s84(5)"),
    "change_of_address": (3, "s84(1)(b), s84(5)"),
    "transfer_in": (3, "s84(1)(b), s84(5)"),
    "release": (3, "s84(1)(d), s84(5)"),
    "other_address_stay": (3, "s84(1)(c), s84(6), s84(5)"),
    "household_with_child": (3, "2012 Regs reg 10, s84(5)"),
}
ADVANCE_NOTICE_DAYS = 6
ADVANCE_WINDOW_BEFORE = 2  # s84(3): more than 2 days early does not count
ADVANCE_WINDOW_AFTER = 3  # s84(4): not happened within 3 days of the date given
TRAVEL_NOTICE_DAYS = 7
TRAVEL_CHANGE_DAYS = 1  # 24 hours, in whole days
WEEK = dt.timedelta(days=7)
S85_RESUME_DAYS = 3

# Notifications that start a new periodic year (s85(2)).
RESETS_PERIODIC = frozenset({*COUNTED, "periodic", "no_fixed_abode"})
# Links of the periodic chain: no clock of their own.
PERIODIC_ONLY = frozenset({"periodic", "no_fixed_abode"})
TRAVEL = frozenset({"foreign_travel", "foreign_travel_change"})
KINDS = frozenset({*COUNTED, *PERIODIC_ONLY, *TRAVEL, "advance_notice"})

STATUTE = {
    **{kind: statute for kind, (_days, statute) in COUNTED.items()},
    "advance_notice": "s84(2)-(4), s84(5)",
    "periodic": "s85(1), s85(3)-(4)",
    "no_fixed_abode": "s85(5)-(6), 2012 Regs",
    "foreign_travel": "s86, 2004 Travel Regs as amended by the 2012 Regs",
    "foreign_travel_change": "s86, 2004 Travel Regs as amended by the 2012 Regs",
    "release_not_recorded": "s84(1)(d)",
}

_WHAT = {
    "initial": "Initial notification, in person, after conviction on {event}",
    "change_of_name": "Notification of the change of name on {event}",
    "change_of_address": "Notification of the change of home address on {event}",
    "transfer_in": "Notification of the move into the area on {event}",
    "release": "Notification of the release on {event}",
    "other_address_stay": "Notification of the stay at another address that reached 7 days on "
    "{event}",
    "household_with_child": "Notification of the stay in a household with a child from {event}",
    "advance_notice": "Notice that the change expected on {event} did not happen",
    "periodic": "Periodic notification, a year after the notification on {event},",
    "no_fixed_abode": "Weekly notification while of no fixed abode, a week after the "
    "notification on {event},",
    "foreign_travel": "Notice of foreign travel departing {event}, at least 7 days before,",
    "foreign_travel_change": "Notice of the change to travel departing {event}, at least 24 hours "
    "before,",
}
_WHERE = {"custody": "in custody", "hospital": "in hospital", "abroad": "abroad"}


@dataclass(frozen=True, slots=True)
class Pause:
    """Days on which the statutory clocks do not run: in custody, detained in hospital, or outside
    the United Kingdom (s83(6), s84(5), s85(4)). `end` is the last day, inclusive (the day of
    release or return may be given); None while it lasts."""

    start: dt.date
    end: dt.date | None
    kind: str = "custody"

    def __post_init__(self) -> None:
        if self.kind not in PAUSE_KINDS:
            raise ValueError(f"a pause is custody, hospital or abroad, not {self.kind!r}")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"a pause ends on or after its start: {self.start} to {self.end}")


@dataclass(frozen=True, slots=True)
class Event:
    """Something that starts a clock, with the day the offender notified it (None if not yet).

    `kind` is a NotificationKind value. `on` is: the conviction for "initial"; the change, move or
    release; the day a stay reached 7 days ("other_address_stay", see `qualifying_stay_date`); the
    first day of a stay in a household with a child; the date given in an advance notice; the
    departure for "foreign_travel" and "foreign_travel_change". For "periodic" and
    "no_fixed_abode" only `notified_on` matters: they are links of the periodic chain.

    `details` (what the notification row holds) is read for: "happened_on" (advance notice: the day
    the change did happen), "decided_on" (travel: the day the trip was decided) and
    "no_fixed_abode" (a change of address to a place rather than an address). Dates may be
    `datetime.date` or ISO strings.
    """

    kind: str
    on: dt.date
    notified_on: dt.date | None = None
    details: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"no notification clock for events of kind {self.kind!r}")


@dataclass(frozen=True, slots=True)
class Clock:
    """One statutory deadline on the day judged."""

    rule: str  # the event kind, or "release_not_recorded"
    event_on: dt.date  # the event (for the periodic chain: the notification it runs from)
    due: dt.date  # the last day to notify (for travel: the last day before departure allowed)
    satisfied_on: dt.date | None  # the day it was notified, if it was
    state: str  # "met" | "due" | "breach"
    text: str  # a sentence for officers, dates dd/mm/yyyy
    statute: str
    # A pause holds the clock today; while the pause has no known end, `due` is the earliest.
    paused: bool = False

    @property
    def late(self) -> bool:
        return self.satisfied_on is not None and self.satisfied_on > self.due


# -- counting ------------------------------------------------------------------------------------


def _merged(pauses: Iterable[Pause], on: dt.date | None) -> list[tuple[dt.date, dt.date]]:
    """The paused days as sorted, disjoint spans (start, end inclusive). Pauses that touch or
    overlap become one span: custody straight into hospital is one stretch. An open pause lasts
    through `on` (or its own start, if later)."""
    spans = sorted(
        (p.start, p.end if p.end is not None else max(p.start, on or p.start)) for p in pauses
    )
    merged: list[tuple[dt.date, dt.date]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + DAY:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _span_holding(day: dt.date, spans: Sequence[tuple[dt.date, dt.date]]) -> dt.date | None:
    """The last day of the span that holds `day`, or None when `day` is not paused."""
    for start, end in spans:
        if start > day:
            return None
        if day <= end:
            return end
    return None


def add_running_days(
    start: dt.date, days: int, pauses: Iterable[Pause], *, on: dt.date | None = None
) -> dt.date:
    """The day by which `days` running days have passed since `start` (s83(6), s84(5)).

    `start` is never counted; each later day counts unless a pause holds it. Without pauses this is
    `start + days`. Open pauses last through `on` (without it, their first day only)."""
    spans = _merged(pauses, on)
    day, left = start, days
    while left > 0:
        day += DAY
        paused_until = _span_holding(day, spans)
        if paused_until is not None:
            day = paused_until
            continue
        left -= 1
    return day


def next_periodic_due(
    last_notification_on: dt.date,
    pauses: Iterable[Pause] = (),
    *,
    weekly: bool = False,
    on: dt.date | None = None,
) -> dt.date:
    """The day the next periodic notification is due after one made on `last_notification_on`.

    s85(1): a year later (7 days while of no fixed abode, s85(5)-(6)). s85(3)-(4): if that day
    falls while the offender is in custody, in hospital or abroad, 3 days after that ends. An open
    pause lasts through `on`; without `on`, through the plain due day (so the answer is the
    earliest it can be)."""
    plain = last_notification_on + (WEEK if weekly else YEAR)
    spans = _merged(pauses, on or plain)
    paused_until = _span_holding(plain, spans)
    if paused_until is None:
        return plain
    return paused_until + dt.timedelta(days=S85_RESUME_DAYS)


def qualifying_stay_date(
    stays: Iterable[tuple[dt.date, dt.date | None]], *, as_of: dt.date | None = None
) -> dt.date | None:
    """The day stays at one address first reach a qualifying period (s84(6)): 7 days in one stay,
    or stays that together come to 7 days within any 12 months. None if they never do.

    Each stay is (first day, last day), both counted; a stay still going on (last day None) runs
    through `as_of`, or without it for as long as it takes to qualify. The 12 months ending on day
    d hold the days after d less 12 months, up to d."""
    days: set[dt.date] = set()
    for start, end in stays:
        if end is not None and end < start:
            raise ValueError(f"a stay ends on or after its start: {start} to {end}")
        # The earliest qualifying day always falls within the first 7 days of a stay (a longer
        # stay qualifies on its own seventh day), so later days can never matter.
        last = start + dt.timedelta(days=6)
        if end is not None:
            last = min(last, end)
        if as_of is not None:
            last = min(last, as_of)
        day = start
        while day <= last:
            days.add(day)
            day += DAY
    ordered = sorted(days)
    first = 0
    for i, day in enumerate(ordered):
        window_opens = day - relativedelta(months=12)
        while ordered[first] <= window_opens:
            first += 1
        if i - first + 1 >= 7:
            return day
    return None


# -- the clocks ----------------------------------------------------------------------------------


def clocks(
    events: Iterable[Event],
    pauses: Iterable[Pause] = (),
    *,
    on: dt.date,
    status: str = "community",
    no_fixed_abode: bool = False,
    period_ends_on: dt.date | None = None,
) -> list[Clock]:
    """Every statutory clock for one offender on `on`, earliest due first.

    `status` is the offender's status today (an OffenderStatus value): custody, hospital or abroad
    with no pause holding `on` adds a pause from `on`, so clocks stop today. `no_fixed_abode` is
    whether the offender is of no fixed abode now (the latest periodic link is then weekly).
    `period_ends_on` is the end of the s82 notification period (None: indefinite, or not known).
    See the module notes for each reading of the Act."""
    events = list(events)
    pause_list = list(pauses)
    if status in PAUSE_KINDS and _span_holding(on, _merged(pause_list, on)) is None:
        pause_list.append(Pause(on, None, status))
    stopped = _stopped_on(on, pause_list)

    found: list[Clock] = []
    for event in events:
        if period_ends_on is not None and event.on > period_ends_on:
            continue
        if event.kind in COUNTED:
            if event.on > on:
                continue
            days, statute = COUNTED[event.kind]
            due = add_running_days(event.on, days, pause_list, on=on)
            made = _made(event.notified_on, on)
            found.append(_clock(event.kind, event.on, due, made, on, statute, stopped))
        elif event.kind == "advance_notice":
            found.append(_advance_notice(event, pause_list, on, stopped))
        elif event.kind in TRAVEL:
            found.append(_travel(event, on))
    found.extend(_periodic_chain(events, pause_list, on, stopped, no_fixed_abode, period_ends_on))
    # every field in the key, so that the order never depends on the order of the facts
    found.sort(key=lambda c: (c.due, c.event_on, c.rule, c.satisfied_on or dt.date.min, c.text))
    return found


def _made(notified_on: dt.date | None, on: dt.date) -> dt.date | None:
    """A notification counts from the day it was made; one dated after `on` is not made yet."""
    return notified_on if notified_on is not None and notified_on <= on else None


@dataclass(frozen=True, slots=True)
class _Stopped:
    """The pause holding the day judged: its kind, and the last paused day if it is known."""

    kind: str
    until: dt.date | None


def _stopped_on(day: dt.date, pauses: Sequence[Pause]) -> _Stopped | None:
    holding = [p for p in pauses if p.start <= day and (p.end is None or day <= p.end)]
    if not holding:
        return None
    kind = max(holding, key=lambda p: p.start).kind
    if any(p.end is None for p in holding):
        return _Stopped(kind, None)
    until = _span_holding(day, _merged(pauses, day))
    return _Stopped(kind, until)


def _state(due: dt.date, satisfied_on: dt.date | None, on: dt.date) -> str:
    if satisfied_on is not None:
        return "met" if satisfied_on <= due else "breach"
    return "breach" if on > due else "due"


def _clock(
    rule: str,
    event_on: dt.date,
    due: dt.date,
    satisfied_on: dt.date | None,
    on: dt.date,
    statute: str,
    stopped: _Stopped | None,
    *,
    extra: str = "",
) -> Clock:
    state = _state(due, satisfied_on, on)
    what = _WHAT[rule].format(event=_d(event_on))
    if state == "met":
        assert satisfied_on is not None
        text = f"{what} was made on {_d(satisfied_on)}, in time: it was due by {_d(due)}."
    elif satisfied_on is not None:
        text = f"{what} was made late, on {_d(satisfied_on)}: it was due by {_d(due)}."
    elif state == "breach":
        text = f"{what} was due by {_d(due)} and has not been made."
    else:
        text = f"{what} is due by {_d(due)}."
    paused = state == "due" and stopped is not None
    if stopped is not None and paused:
        where = _WHERE[stopped.kind]
        if stopped.until is None:
            text += (
                f" The clock is stopped while the offender is {where}: {_d(due)} is the earliest "
                "it can fall."
            )
        else:
            text += f" The clock is stopped while the offender is {where}, to {_d(stopped.until)}."
    if extra:
        text += " " + extra
    return Clock(rule, event_on, due, satisfied_on, state, text, statute, paused)


def _advance_notice(
    event: Event,
    pauses: Sequence[Pause],
    on: dt.date,
    stopped: _Stopped | None,
) -> Clock:
    """s84(2)-(4): the change announced for `event.on` (D). Happened between D - 2 and D + 3: the
    advance notice stands, met. Otherwise the offender must notify by D + 6 running days that it
    did not happen (s84(4)(b), s84(5)); a change more than 2 days early (s84(3)) or after D + 3
    (s84(4)(a)) is notified as a change in its own right."""
    given = event.on
    statute = STATUTE["advance_notice"]
    happened = _detail_date(event.details, "happened_on")
    if happened is not None and happened > on:
        happened = None
    due = add_running_days(given, ADVANCE_NOTICE_DAYS, pauses, on=on)
    window_opens = given - dt.timedelta(days=ADVANCE_WINDOW_BEFORE)
    window_closes = given + dt.timedelta(days=ADVANCE_WINDOW_AFTER)
    if happened is not None and happened <= window_closes:
        if happened < window_opens:
            text = (
                f"The change expected on {_d(given)} happened on {_d(happened)}, more than 2 days "
                "early: the advance notice does not count, and the change must be notified "
                "within 3 days of it (s84(3))."
            )
        else:
            text = (
                f"The change expected on {_d(given)} happened on {_d(happened)}, as notified in "
                "advance: nothing more is owed under s84(4)."
            )
        return Clock("advance_notice", given, due, happened, "met", text, statute)
    extra = ""
    if happened is not None:
        extra = (
            f"The change happened on {_d(happened)}, after the 3 days allowed: it must also be "
            "notified as a change within 3 days of it (s84(4)(a))."
        )
    made = _made(event.notified_on, on)
    return _clock("advance_notice", given, due, made, on, statute, stopped, extra=extra)


def _travel(event: Event, on: dt.date) -> Clock:
    """s86 and the Travel Regulations: notice at least 7 days before departure; a change at least
    24 hours before (in whole days, by the day before). No pause moves these."""
    departure = event.on
    days = TRAVEL_NOTICE_DAYS if event.kind == "foreign_travel" else TRAVEL_CHANGE_DAYS
    due = departure - dt.timedelta(days=days)
    extra = ""
    decided = _detail_date(event.details, "decided_on")
    if event.kind == "foreign_travel" and decided is not None and decided > due:
        extra = (
            f"The trip was decided on {_d(decided)}, fewer than 7 days before departure: notice "
            "was owed as soon as reasonably practicable, and an officer judges whether it was."
        )
    made = _made(event.notified_on, on)
    return _clock(event.kind, departure, due, made, on, STATUTE[event.kind], None, extra=extra)


def _periodic_chain(
    events: Sequence[Event],
    pauses: Sequence[Pause],
    on: dt.date,
    stopped: _Stopped | None,
    no_fixed_abode: bool,
    period_ends_on: dt.date | None,
) -> list[Clock]:
    """s85: each notification starts a year (a week while of no fixed abode), met by the next."""
    spans = _merged(pauses, on)
    made: dict[dt.date, bool] = {}  # notification day -> whether it starts a weekly link
    for event in events:
        day = _made(event.notified_on, on)
        if event.kind not in RESETS_PERIODIC or day is None:
            continue
        weekly = event.kind == "no_fixed_abode" or bool(event.details.get("no_fixed_abode"))
        made[day] = made.get(day, False) or weekly
    days = sorted(made)
    chain: list[Clock] = []
    for i, day in enumerate(days):
        latest = i == len(days) - 1
        weekly = made[day] or (latest and no_fixed_abode)
        due = next_periodic_due(day, pauses, weekly=weekly, on=on)
        if period_ends_on is not None and due > period_ends_on:
            continue
        rule = "no_fixed_abode" if weekly else "periodic"
        satisfied = None if latest else days[i + 1]
        plain = next_periodic_due(day, (), weekly=weekly)
        if due == plain:  # s85(3) moves the date only when it falls in a pause
            chain.append(_clock(rule, day, due, satisfied, on, STATUTE[rule], None))
            continue
        span_ends = _span_holding(plain, spans)
        held_today = span_ends is not None and _span_holding(on, spans) == span_ends
        ongoing = held_today and stopped is not None and stopped.until is None
        holding = _stopped_on(plain, pauses)
        where = _WHERE[holding.kind if holding else "custody"]
        label = "a week on" if weekly else "a year on"
        if ongoing:
            extra = (
                f"The date {label}, {_d(plain)}, falls while the offender is {where}, so the "
                f"clock runs on to 3 days after that ends: {_d(due)} is the earliest (s85(3))."
            )
        else:
            extra = (
                f"The date {label}, {_d(plain)}, falls while the offender is {where} (to "
                f"{_d(span_ends or plain)}), so the clock runs on to 3 days after (s85(3))."
            )
        clock = _clock(rule, day, due, satisfied, on, STATUTE[rule], None, extra=extra)
        chain.append(replace(clock, paused=clock.state == "due" and held_today))
    return chain


def release_not_recorded(
    status: str, expected_release_on: dt.date | None, on: dt.date
) -> Clock | None:
    """The record still says custody after the expected release date: the release (s84(1)(d)) has
    not been recorded, so the offender's whereabouts and risk are unknown. A breach from the day
    after the expected date, like every other clock."""
    if status != "custody" or expected_release_on is None or expected_release_on >= on:
        return None
    return Clock(
        "release_not_recorded",
        expected_release_on,
        expected_release_on,
        None,
        "breach",
        f"Release from custody expected on {_d(expected_release_on)} has not been recorded: "
        "the offender's whereabouts and risk are unknown.",
        STATUTE["release_not_recorded"],
    )


def _detail_date(details: Mapping[str, Any], key: str) -> dt.date | None:
    value = details.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
