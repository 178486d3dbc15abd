"""What an offender has missed, and what falls due next: the statutory clocks reconciled with the
hub's own periodic date, and the PPN deadline.

`statutory_clocks` runs the deadline engine (`desktop.rules.notification_clocks`, which holds every
reading of the Act) over one offender's facts, then:

- reconciles the periodic chain with the date the hub keeps on the record
  (`Offender.next_periodic_due`, reset by the hub each time it processes a notification). The demo,
  and any force migrating from ViSOR, hold only a few years of notifications, so the engine alone
  would fall back on whatever notification it happens to hold. Pillars takes the later of the two
  dates for the open link of the chain: the engine's when it knows of a newer notification than
  the hub has processed (a notification received but not processed is the offender's notification
  all the same) or of a pause that carries the date on (s85(3)); the hub's when the hub recorded
  a notification or a date Pillars holds no row for. An offender with no notification history
  has only the hub's date, carried on past a pause it falls in as s85(3) says. The cost of the
  later date: a hub date set too late by mistake hides a breach until the date passes;
- adds "release not recorded" (s84(1)(d)): the record still says custody after the expected
  release date.

A breach is a deadline that has passed and has not been met: outstanding. A notification made
late is history (the engine's clock says "breach" with `satisfied_on` set): the offender did
notify, and the record's history shows it, but it is not listed among the breaches.

PPNs (force policy; `desktop.rules.ppn` holds the deadlines and what is overdue): each PPN not
closed has one step open, and one clock (`ppn_clocks`):
- submission (`ppn_submit_hours`, 24 by default): a PPN still in draft after that many hours from
  the concern is a breach "not submitted", dated on the London day its deadline fell; before then
  it is a clock still running;
- the follow-up with children's social care (`ppn_follow_up_days` after submission, stored on the
  PPN as its follow-up day): a PPN submitted or awaiting social care with no decision recorded by
  the end of that day (London) is a breach "follow-up overdue"; before then a clock running.
A step done late is history, as a late notification is: once submitted, or once the decision is
recorded, that step is no longer outstanding.

`breaches_on` gives the same answer as every clock would, but reads only what can still be open:
the property tests in tests/desktop/test_due.py hold it to that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from desktop.rules import ppn as ppn_rules
from desktop.rules.notification_clocks import (
    PAUSE_KINDS,
    RESETS_PERIODIC,
    STATUTE,
    Clock,
    Event,
    Pause,
    clocks,
    next_periodic_due,
    release_not_recorded,
)

LONDON = ZoneInfo("Europe/London")

RELEASE_NOT_RECORDED = "release_not_recorded"
PPN_NOT_SUBMITTED = "ppn_not_submitted"
PPN_SUBMISSION = "ppn_submission"  # a PPN clock still running
PPN_FOLLOW_UP_OVERDUE = "ppn_follow_up_overdue"
PPN_FOLLOW_UP = "ppn_follow_up"  # a follow-up clock still running
PPN_RULES = frozenset({PPN_NOT_SUBMITTED, PPN_SUBMISSION, PPN_FOLLOW_UP_OVERDUE, PPN_FOLLOW_UP})
PERIODIC_RULES = frozenset({"periodic", "no_fixed_abode"})
PPN_STATUTE = "force policy (PPN within the policy's hours)"
PPN_FOLLOW_UP_STATUTE = "force policy (PPN follow-up within the policy's days)"


@dataclass(frozen=True, slots=True)
class Breach:
    """A deadline that has passed and was not met."""

    rule: str  # a clock's rule (an event kind, "release_not_recorded") or a PPN_RULES breach
    due: dt.date  # the deadline that was missed
    text: str  # a sentence for the screen, dates dd/mm/yyyy
    statute: str = ""
    ppn_id: int | None = None  # the PPN, for a PPN breach (when known)


@dataclass(frozen=True, slots=True)
class PpnFacts:
    """One PPN as its clocks need it (closed ones never have a clock)."""

    concern_at: dt.datetime  # aware
    state: str = "draft"  # a PpnState value
    follow_up_due_on: dt.date | None = None
    decided: bool = False  # social care's decision is recorded
    ppn_id: int | None = None


@dataclass(frozen=True, slots=True)
class PpnClock:
    """The step of one PPN still open: its submission or its follow-up, running or overdue."""

    ppn_id: int | None
    rule: str  # PPN_NOT_SUBMITTED / PPN_FOLLOW_UP_OVERDUE (late), PPN_SUBMISSION / PPN_FOLLOW_UP
    concern_at: dt.datetime
    deadline: dt.datetime  # the moment the step becomes late (aware UTC)
    due: dt.date  # the London day it falls due: the deadline's day, or the follow-up day
    late: bool
    text: str
    statute: str

    def breach(self) -> Breach:
        return Breach(self.rule, self.due, self.text, self.statute, self.ppn_id)

    def clock(self) -> Clock:
        """As a statutory clock is listed (the due list of `pillars due`)."""
        concern_day = self.concern_at.astimezone(LONDON).date()
        state = "breach" if self.late else "due"
        return Clock(self.rule, concern_day, self.due, None, state, self.text, self.statute)


@dataclass(frozen=True, slots=True)
class ClockFacts:
    """Everything the clocks of one offender depend on, as the database holds it."""

    events: tuple[Event, ...]
    pauses: tuple[Pause, ...]
    status: str  # an OffenderStatus value
    no_fixed_abode: bool = False
    period_ends_on: dt.date | None = None  # s82; None: indefinite or not known
    expected_release_on: dt.date | None = None
    next_periodic_due: dt.date | None = None  # the hub's date on the record
    draft_ppn_concerns: tuple[dt.datetime, ...] = ()  # drafts known by their concern alone
    ppns: tuple[PpnFacts, ...] = ()  # the PPNs not closed

    def all_ppns(self) -> tuple[PpnFacts, ...]:
        return self.ppns + tuple(PpnFacts(c) for c in self.draft_ppn_concerns)


def statutory_clocks(facts: ClockFacts, on: dt.date, *, met: bool = True) -> list[Clock]:
    """Every statutory clock for one offender on `on`, earliest due first: the engine's, the
    periodic chain reconciled with the hub's date, and "release not recorded".

    `met=False` leaves out the events that can only give clocks already met (on time or late),
    which is most of a long history: the clocks still open come out exactly the same, faster."""
    events = facts.events if met else _open_events(facts.events, on)
    found = clocks(
        events,
        facts.pauses,
        on=on,
        status=facts.status,
        no_fixed_abode=facts.no_fixed_abode,
        period_ends_on=facts.period_ends_on,
    )
    found = _reconcile_periodic(found, facts, on)
    unrecorded = release_not_recorded(facts.status, facts.expected_release_on, on)
    if unrecorded is not None:
        found.append(unrecorded)
    found.sort(key=lambda c: (c.due, c.event_on, c.rule, c.satisfied_on or dt.date.min, c.text))
    return found


def outstanding(found: Iterable[Clock]) -> list[Breach]:
    """The clocks whose deadline has passed with nothing notified: a late notification is not
    outstanding."""
    return [
        Breach(c.rule, c.due, c.text, c.statute)
        for c in found
        if c.state == "breach" and c.satisfied_on is None
    ]


def due_between(found: Iterable[Clock], first: dt.date, last: dt.date) -> list[Clock]:
    """The clocks not yet met whose due date falls from `first` to `last`, both included."""
    return [c for c in found if c.state == "due" and first <= c.due <= last]


def ppn_clocks(
    ppns: Iterable[PpnFacts],
    on: dt.date,
    *,
    now: dt.datetime | None = None,
    ppn_submit_hours: int = 24,
) -> list[PpnClock]:
    """The open step of every PPN at `now` (aware; without it, the end of `on` in England): a
    draft's submission, or the follow-up of a PPN submitted with no decision yet; late as
    `desktop.rules.ppn.overdue` says. A PPN whose concern is after `now` has no clock yet."""
    moment = now or end_of_london_day(on)
    hours = ppn_submit_hours
    found = []
    for p in ppns:
        if p.concern_at > moment:
            continue
        late = ppn_rules.overdue(
            p.state, p.concern_at, p.follow_up_due_on, p.decided, moment, hours
        )
        concern_day = _d(p.concern_at.astimezone(LONDON).date())
        if p.state == "draft":
            deadline = ppn_rules.submit_by(p.concern_at, hours)
            local = deadline.astimezone(LONDON)
            if ppn_rules.SUBMISSION in late:
                rule, statute = PPN_NOT_SUBMITTED, PPN_STATUTE
                text = (
                    f"A PPN for a concern on {concern_day} was not submitted within {hours} hours."
                )
            else:
                rule, statute = PPN_SUBMISSION, PPN_STATUTE
                text = (
                    f"A PPN for a concern on {concern_day} is to be submitted by "
                    f"{local:%H:%M} on {_d(local.date())}, {hours} hours after it."
                )
            found.append(
                PpnClock(
                    p.ppn_id, rule, p.concern_at, deadline, local.date(), bool(late), text, statute
                )
            )
        elif p.state in ppn_rules.OPEN_STATES and not p.decided and p.follow_up_due_on is not None:
            day = p.follow_up_due_on
            if ppn_rules.FOLLOW_UP in late:
                rule = PPN_FOLLOW_UP_OVERDUE
                text = (
                    f"The follow-up with children's social care of a PPN for a concern on "
                    f"{concern_day} was due by {_d(day)} and no decision is recorded."
                )
            else:
                rule = PPN_FOLLOW_UP
                text = (
                    f"The follow-up with children's social care of a PPN for a concern on "
                    f"{concern_day} is due by {_d(day)}."
                )
            deadline = _london_midnight_after(day)
            found.append(
                PpnClock(
                    p.ppn_id,
                    rule,
                    p.concern_at,
                    deadline,
                    day,
                    bool(late),
                    text,
                    PPN_FOLLOW_UP_STATUTE,
                )
            )
    return found


def late_ppns(
    concerns: Iterable[dt.datetime],
    on: dt.date,
    *,
    now: dt.datetime | None = None,
    ppn_submit_hours: int = 24,
) -> list[Breach]:
    """Draft PPNs (known by their concern) more than `ppn_submit_hours` after the concern at `now`
    (without it, the end of `on` in England): the `ppn_clocks` that are late."""
    drafts = [PpnFacts(c) for c in concerns]
    return [
        c.breach()
        for c in ppn_clocks(drafts, on, now=now, ppn_submit_hours=ppn_submit_hours)
        if c.late
    ]


def breaches_on(
    facts: ClockFacts,
    on: dt.date,
    *,
    now: dt.datetime | None = None,
    ppn_submit_hours: int = 24,
) -> list[Breach]:
    """Every breach standing on `on`, oldest deadline first: the outstanding statutory clocks and
    the PPN steps overdue. The caseload, the record and the force report all read this.

    When the hub's periodic date has not passed and every event was notified by `on` (no advance
    notice either), nothing can be outstanding but an unrecorded release: the open link of the
    chain falls due on the hub's date or later, and every other clock is met. The engine is then
    not run, which is most offenders on most days."""
    if hub_date_holds(facts.next_periodic_due, on) and not any(
        _may_be_open(e, on) for e in facts.events
    ):
        unrecorded = release_not_recorded(facts.status, facts.expected_release_on, on)
        found = outstanding([unrecorded] if unrecorded is not None else [])
    else:
        found = outstanding(statutory_clocks(facts, on, met=False))
    found += [
        c.breach()
        for c in ppn_clocks(facts.all_ppns(), on, now=now, ppn_submit_hours=ppn_submit_hours)
        if c.late
    ]
    found.sort(key=lambda b: (b.due, b.rule, b.text))
    return found


def end_of_london_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` as people in England live it (the next London midnight), UTC."""
    return _london_midnight_after(day) - dt.timedelta(microseconds=1)


def _london_midnight_after(day: dt.date) -> dt.datetime:
    """The London midnight that ends `day`, UTC."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=LONDON).astimezone(
        dt.UTC
    )


# -- the periodic chain and the hub's date ---------------------------------------------------------


def hub_date_holds(next_periodic_due: dt.date | None, on: dt.date) -> bool:
    """Whether the hub's periodic date rules out a periodic breach on `on`: it has not passed, and
    the open link of the chain is never due before it (see `breaches_on`)."""
    return next_periodic_due is not None and next_periodic_due >= on


def _may_be_open(event: Event, on: dt.date) -> bool:
    """An event whose own clock may be open on `on`: not notified by then, or an advance notice
    (notified in advance; what it can still owe is the notice that the change did not happen)."""
    return event.kind == "advance_notice" or event.notified_on is None or event.notified_on > on


def _open_events(events: Sequence[Event], on: dt.date) -> tuple[Event, ...]:
    """The events whose clocks can still be open on `on`: those not notified by then, advance
    notices (their notice is of something else), and the notifications of the latest day that
    started a periodic year (the open link of the chain, and whether it is weekly). Every other
    event was notified by `on`, so its clock is met, on time or late, and every earlier link of
    the chain was met by the next notification."""
    last = max(
        (
            e.notified_on
            for e in events
            if e.kind in RESETS_PERIODIC and e.notified_on is not None and e.notified_on <= on
        ),
        default=None,
    )
    return tuple(
        e
        for e in events
        if _may_be_open(e, on) or (e.notified_on == last and e.kind in RESETS_PERIODIC)
    )


def _reconcile_periodic(found: list[Clock], facts: ClockFacts, on: dt.date) -> list[Clock]:
    """The open link of the periodic chain: the later of the engine's and the hub's (see the
    module notes). Links already met are the engine's alone."""
    stored = facts.next_periodic_due
    if stored is None:
        return found
    open_link = next(
        (c for c in found if c.rule in PERIODIC_RULES and c.satisfied_on is None), None
    )
    history = any(
        e.kind in RESETS_PERIODIC and e.notified_on is not None and e.notified_on <= on
        for e in facts.events
    )
    if history and open_link is None:
        return found  # the duty ends with the notification period
    pauses = _with_status_pause(facts.pauses, facts.status, on)
    # next_periodic_due from a week before the stored date has the stored date as its plain day,
    # and moves it past a pause exactly as the engine moves a link of the chain.
    due = next_periodic_due(stored - dt.timedelta(days=7), pauses, weekly=True, on=on)
    if open_link is not None and due <= open_link.due:
        return found
    if open_link is None and facts.period_ends_on is not None and due > facts.period_ends_on:
        return found
    hub = _hub_link(stored, due, pauses, on, weekly=facts.no_fixed_abode)
    return [c for c in found if c is not open_link] + [hub]


def _hub_link(
    stored: dt.date, due: dt.date, pauses: Sequence[Pause], on: dt.date, *, weekly: bool
) -> Clock:
    """The periodic clock read from the hub's date `stored`, due on `due`: carried on to 3 days
    after a pause the stored date falls in (s85(3)-(4))."""
    rule = "no_fixed_abode" if weekly else "periodic"
    what = "Weekly notification while of no fixed abode" if weekly else "Periodic notification"
    state = "breach" if on > due else "due"
    if state == "breach":
        text = f"{what} was due by {_d(due)} and has not been made."
    else:
        text = f"{what} is due by {_d(due)}."
    moved = due != stored
    if moved:
        text += (
            f" The date on the record, {_d(stored)}, falls while the offender is "
            f"{_where(pauses, stored)}, so the clock runs on to 3 days after that ends (s85(3))."
        )
    else:
        text = text[:-1] + " (the date on the record)."
    paused = state == "due" and moved and any(_holds(p, on) for p in pauses)
    start = stored - (dt.timedelta(days=7) if weekly else relativedelta(years=1))
    return Clock(rule, start, due, None, state, text, STATUTE[rule], paused)


def _holds(pause: Pause, day: dt.date) -> bool:
    return pause.start <= day and (pause.end is None or day <= pause.end)


def _with_status_pause(pauses: Sequence[Pause], status: str, on: dt.date) -> list[Pause]:
    """The pauses, with one from `on` when the status says away and no pause holds `on` (as the
    engine does)."""
    found = list(pauses)
    if status in PAUSE_KINDS and not any(_holds(p, on) for p in found):
        found.append(Pause(on, None, status))
    return found


def _where(pauses: Sequence[Pause], day: dt.date) -> str:
    holding = [p for p in pauses if _holds(p, day)]
    kind = max(holding, key=lambda p: p.start).kind if holding else "custody"
    return {"custody": "in custody", "hospital": "in hospital", "abroad": "abroad"}[kind]


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")
