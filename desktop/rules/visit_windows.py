"""Visit windows: the days inside which an offender's next home visit should happen, and why.

`visit_window(facts, on)` answers for one offender on one day. It builds on
`desktop.rules.cadence.next_visit_due` for the routine cadence (months between visits by risk
level, policy `visit_cadence_months`) and adds the visits that events make due:

- **pre_sentence**: newly convicted (the newest conviction is on or before `on`, no sentence
  recorded for it yet or a sentencing date after `on`, and no completed visit since the
  conviction). A caution or any other disposal already recorded is not "before sentence".
  The visit is due before sentence: by the day before the sentencing date; with no date known,
  within `first_visit_days` (policy `first_visit_after_conviction_days`, 7) of conviction. An
  offender already visited routinely keeps an earlier routine due date if they have one.
- **post_release**: released (status community again) and not seen since: due within
  `release_visit_days` (policy `visit_after_release_days`, 3) of release. The routine cadence does
  not run while someone is in custody, so a release visit replaces the routine one.
- **routine**: the cadence from the last completed visit (never seen: `first_visit_days` after
  registration). The window opens a quarter of the cadence before the due date (at least
  `MIN_ROUTINE_SPREAD_DAYS`), so visits do not fall on a predictable day.
- **overdue**: any of the above whose due date has passed: the window is the next
  `overdue_window_days` (7) days from `on`, and `due` keeps the date it fell due.

No window (None) for an offender in custody, in hospital or abroad, or under reactive management
(low risk for three years or more: no routine visits) unless an event above makes a visit due:
a reactive offender who is convicted again still gets the pre-sentence visit.

A window never starts before `on`: it is the part still open to plan in.

Failed access (s96B): `failed_attempts` counts the no-access and refused-entry visits since the
last completed one; `warrant_flag` says when they reach the policy's threshold
(`failed_visits_before_warrant`, 2), so the case is considered for a warrant to enter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from desktop.rules import cadence
from desktop.rules.policy_defaults import VISIT_CADENCE_MONTHS

DAY = dt.timedelta(days=1)

ROUTINE = "routine"
PRE_SENTENCE = "pre_sentence"
POST_RELEASE = "post_release"
OVERDUE = "overdue"
REASON_LABELS = {
    ROUTINE: "Routine",
    PRE_SENTENCE: "Before sentence",
    POST_RELEASE: "After release",
    OVERDUE: "Overdue",
}

MIN_ROUTINE_SPREAD_DAYS = 7
OVERDUE_WINDOW_DAYS = 7
COMMUNITY = "community"

COMPLETED = "completed"
FAILED_OUTCOMES = frozenset({"no_access", "refused_entry"})
DEFAULT_WARRANT_THRESHOLD = 2


@dataclass(frozen=True)
class VisitPolicy:
    """The policy values a window depends on (defaults as in `policy_defaults`)."""

    cadence_months: Mapping[str, int] = field(default_factory=lambda: dict(VISIT_CADENCE_MONTHS))
    first_visit_days: int = cadence.DEFAULT_FIRST_VISIT_DAYS
    release_visit_days: int = cadence.DEFAULT_RELEASE_VISIT_DAYS
    overdue_window_days: int = OVERDUE_WINDOW_DAYS


DEFAULT_POLICY = VisitPolicy()


@dataclass(frozen=True)
class VisitFacts:
    """What a window depends on for one offender."""

    risk_level: str | None  # a RiskLevel value from the latest approved ARMS; None when none
    registration_start: dt.date
    status: str = COMMUNITY  # an OffenderStatus value
    reactive: bool = False
    last_seen: dt.date | None = None  # the day of the last completed visit
    released_on: dt.date | None = None  # the release the current spell in the community began with
    convicted_on: dt.date | None = None  # the newest conviction
    sentenced_on: dt.date | None = None  # ... and its sentencing date, if known
    sentence_recorded: bool = False  # ... and whether its sentence (or caution) is recorded


@dataclass(frozen=True)
class VisitWindow:
    """When one offender's next home visit should happen (`visit_window`): the days to visit on,
    both inclusive, why, and the day it is due. The caseload, the record and the planner read it."""

    start: dt.date  # first day to visit on (never before the day asked about)
    end: dt.date  # last day to visit on
    reason: str  # routine | pre_sentence | post_release | overdue
    due: dt.date  # when the visit is due; for an overdue one, the day it fell due
    purpose: str  # routine | pre_sentence | post_release: what the visit is for

    @property
    def overdue(self) -> bool:
        return self.reason == OVERDUE

    @property
    def label(self) -> str:
        return REASON_LABELS[self.reason]


def is_pre_sentence(facts: VisitFacts, on: dt.date) -> bool:
    """Newly convicted, not yet sentenced, and not seen since the conviction."""
    convicted = facts.convicted_on
    if convicted is None or convicted > on:
        return False
    if facts.sentenced_on is not None and facts.sentenced_on <= on:
        return False
    if facts.sentenced_on is None and facts.sentence_recorded:
        return False
    return facts.last_seen is None or facts.last_seen < convicted


def is_post_release(facts: VisitFacts, on: dt.date) -> bool:
    """Released on or before `on` and not seen since."""
    released = facts.released_on
    if released is None or released > on:
        return False
    return facts.last_seen is None or facts.last_seen < released


def pre_sentence_due(facts: VisitFacts, policy: VisitPolicy = DEFAULT_POLICY) -> dt.date:
    """The day before the sentencing date, else `first_visit_days` after conviction."""
    assert facts.convicted_on is not None
    if facts.sentenced_on is not None:
        return max(facts.convicted_on, facts.sentenced_on - DAY)
    return facts.convicted_on + dt.timedelta(days=policy.first_visit_days)


def routine_spread_days(due: dt.date, last_seen: dt.date) -> int:
    """How many days before the due date a routine window opens: a quarter of the cadence."""
    return max(MIN_ROUTINE_SPREAD_DAYS, (due - last_seen).days // 4)


def visit_window(
    facts: VisitFacts, on: dt.date, policy: VisitPolicy = DEFAULT_POLICY
) -> VisitWindow | None:
    """The window for the offender's next home visit as it stands on `on` (see module notes)."""
    if facts.status != COMMUNITY:
        return None
    events: list[tuple[dt.date, dt.date, str]] = []  # (due, opens, purpose)
    pre = is_pre_sentence(facts, on)
    post = is_post_release(facts, on)
    if pre:
        assert facts.convicted_on is not None
        events.append((pre_sentence_due(facts, policy), facts.convicted_on, PRE_SENTENCE))
    if post:
        assert facts.released_on is not None
        released = facts.released_on
        events.append(
            (released + dt.timedelta(days=policy.release_visit_days), released, POST_RELEASE)
        )

    routine: tuple[dt.date, dt.date] | None = None  # (due, opens)
    first_ever = facts.last_seen is None and pre
    if not facts.reactive and not post and not first_ever:
        due = cadence.next_visit_due(
            facts.risk_level,
            facts.last_seen,
            facts.registration_start,
            False,
            policy.cadence_months,
            first_visit_days=policy.first_visit_days,
        )
        assert due is not None
        if facts.last_seen is None:
            opens = facts.registration_start
        else:
            spread = routine_spread_days(due, facts.last_seen)
            opens = max(facts.last_seen + DAY, due - dt.timedelta(days=spread))
        routine = (due, opens)

    if events:
        due, opens, purpose = min(events)
        if routine is not None and routine[0] < due:
            due = routine[0]  # an existing routine date that falls first still holds
    elif routine is not None:
        due, opens = routine
        purpose = ROUTINE
    else:
        return None

    if due < on:
        last = on + dt.timedelta(days=max(1, policy.overdue_window_days) - 1)
        return VisitWindow(start=on, end=last, reason=OVERDUE, due=due, purpose=purpose)
    return VisitWindow(start=max(opens, on), end=due, reason=purpose, due=due, purpose=purpose)


# -- failed access ------------------------------------------------------------------------------


def failed_attempts(outcomes_newest_first: Iterable[str]) -> int:
    """No-access and refused-entry visits in a row since the last completed visit. Planned and
    cancelled visits are not attempts and are passed over."""
    count = 0
    for outcome in outcomes_newest_first:
        if outcome == COMPLETED:
            break
        if outcome in FAILED_OUTCOMES:
            count += 1
    return count


def warrant_flag(
    outcomes_newest_first: Iterable[str], threshold: int = DEFAULT_WARRANT_THRESHOLD
) -> bool:
    """Whether the case is flagged for consideration of a warrant to enter (s96B): `threshold`
    failed attempts in a row with no completed visit since."""
    return failed_attempts(outcomes_newest_first) >= max(1, threshold)
