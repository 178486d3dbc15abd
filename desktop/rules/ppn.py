"""PPN clocks and escalation, pure (DESIGN section 3, "PPNs"; issue #7). CONTRACT: being
implemented; signatures are fixed.

- Submission is due `hours` (policy `ppn_submit_hours`, 24) after the concern.
- The follow-up with children's social care is due `days` (policy `ppn_follow_up_days`, 7) after
  the day of submission (London).
- A step is overdue (a breach) when its deadline has passed and it is not done: not submitted by
  the submission deadline; no social care decision by the end of the follow-up day.
- Escalation: `count` (3) PPNs whose concerns fall within `months` (3) calendar months of each
  other, for one offender or one household.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

STAGES = ("draft", "due", "submitted", "awaiting_social_care", "closed")
STAGE_LABELS = {
    "draft": "Draft",
    "due": "Due",
    "submitted": "Submitted",
    "awaiting_social_care": "Awaiting social care",
    "closed": "Closed",
}


def submit_by(concern_at: dt.datetime, hours: int) -> dt.datetime:
    raise NotImplementedError


def follow_up_due(submitted_at: dt.datetime, days: int) -> dt.date:
    raise NotImplementedError


def stage(state: str, concern_at: dt.datetime, now: dt.datetime, hours: int) -> str:
    """draft: not submitted, deadline ahead; due: not submitted, deadline passed (late);
    submitted; awaiting_social_care; closed."""
    raise NotImplementedError


def escalates(concerns: Sequence[dt.date], newest: dt.date, *, count: int, months: int) -> bool:
    """Whether `newest` (one of `concerns`) makes `count` concerns within `months` calendar months
    ending on `newest` (the earliest on or after the same day `months` earlier)."""
    raise NotImplementedError
