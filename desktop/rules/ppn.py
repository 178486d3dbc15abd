"""PPN clocks and escalation, pure (DESIGN section 3, "PPNs"; issue #7). Signatures are the
contract the services, the screens and the reports share.

- Submission is due `hours` (policy `ppn_submit_hours`, 24) after the concern: elapsed hours, so
  a clock change in the night does not move it (the same reading as `breaches.late_ppns`).
- The follow-up with children's social care is due `days` (policy `ppn_follow_up_days`, 7) after
  the day of submission (London).
- A step is overdue (a breach) when its deadline has passed and it is not done: not submitted by
  the submission deadline (a moment); no social care decision by the end of the follow-up day (a
  day, as people in England count days: overdue from the next day on).
- Escalation: `count` (3) PPNs whose concerns fall within `months` (3) calendar months of each
  other, for one offender or one household. The window ends on a concern's day and starts on the
  same calendar day `months` earlier, clamped at month ends (31/05 less three months is 28/02, or
  29/02 in a leap year), both days included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

LONDON = ZoneInfo("Europe/London")

STAGES = ("draft", "due", "submitted", "awaiting_social_care", "closed")
STAGE_LABELS = {
    "draft": "Draft",
    "due": "Due",
    "submitted": "Submitted",
    "awaiting_social_care": "Awaiting social care",
    "closed": "Closed",
}
# overdue steps, as `overdue` names them
SUBMISSION = "submission"
FOLLOW_UP = "follow_up"
OPEN_STATES = frozenset({"submitted", "awaiting_social_care"})  # submitted, no decision yet


def submit_by(concern_at: dt.datetime, hours: int) -> dt.datetime:
    """When the PPN must be submitted: `hours` after the concern."""
    return concern_at + dt.timedelta(hours=hours)


def follow_up_due(submitted_at: dt.datetime, days: int) -> dt.date:
    """The day the follow-up with children's social care is due: `days` after the London day of
    submission."""
    return submitted_at.astimezone(LONDON).date() + dt.timedelta(days=days)


def stage(state: str, concern_at: dt.datetime, now: dt.datetime, hours: int) -> str:
    """draft: not submitted, deadline ahead; due: not submitted, deadline passed (late);
    submitted; awaiting_social_care; closed."""
    if state == "draft":
        return "due" if now > submit_by(concern_at, hours) else "draft"
    return state


def overdue(
    state: str,
    concern_at: dt.datetime,
    follow_up_due_on: dt.date | None,
    decided: bool,
    now: dt.datetime,
    hours: int,
) -> list[str]:
    """The steps overdue at `now`: SUBMISSION (still a draft after the deadline), FOLLOW_UP
    (submitted, no decision recorded, and the follow-up day is over). Empty when none is."""
    steps = []
    if state == "draft" and now > submit_by(concern_at, hours):
        steps.append(SUBMISSION)
    if (
        state in OPEN_STATES
        and not decided
        and follow_up_due_on is not None
        and follow_up_due_on < now.astimezone(LONDON).date()
    ):
        steps.append(FOLLOW_UP)
    return steps


def window_start(end: dt.date, months: int) -> dt.date:
    """The first day of the escalation window that ends on `end`: the same calendar day `months`
    earlier, clamped at month ends."""
    return end - relativedelta(months=months)


def escalation_window(
    concerns: Sequence[dt.date], newest: dt.date, *, count: int, months: int
) -> tuple[dt.date, dt.date] | None:
    """The first and last day of a window of `months` calendar months holding `newest` and at
    least `count` concerns (`newest` counted once, whether or not `concerns` lists it); None when
    there is none. Windows end on `newest` or on a later concern, so a concern recorded late (its
    day before others already held) is judged with the concerns after it too."""
    days = sorted(concerns)
    if newest not in days:
        days = sorted([*days, newest])
    for end in [newest, *(c for c in days if c > newest)]:
        start = window_start(end, months)
        if start > newest:
            break
        if sum(1 for c in days if start <= c <= end) >= count:
            return start, end
    return None


def escalates(concerns: Sequence[dt.date], newest: dt.date, *, count: int, months: int) -> bool:
    """Whether `newest` (one of `concerns`) makes `count` concerns within `months` calendar months
    ending on `newest` (the earliest on or after the same day `months` earlier), or ending on a
    later concern whose window holds `newest`."""
    return escalation_window(concerns, newest, count=count, months=months) is not None
