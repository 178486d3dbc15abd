"""How often an offender is visited at home, and when their ARMS review falls due.

The cadence is a policy value: months between home visits by risk level (very high 1, high 3,
medium 6, low 12 by default).

Choices this module makes, so every screen agrees:
- No approved ARMS yet: the risk is unknown, so the shortest cadence in the policy applies until
  an assessment says otherwise.
- Never visited: the first visit is due `first_visit_days` after registration starts (the
  "visit quickly after conviction" rule; 7 days by default).
- Reactive management, or not living in the community (custody, hospital, abroad): no routine home
  visit is due, so None.
- Released and not seen since: a visit is due `release_visit_days` after release (3 by default),
  or the routine date if that is sooner.
- No approved ARMS at all counts as "ARMS overdue": a record without a risk assessment fails the
  record-quality check the same way an out-of-date one does.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from dateutil.relativedelta import relativedelta

DEFAULT_FIRST_VISIT_DAYS = 7
DEFAULT_RELEASE_VISIT_DAYS = 3


def cadence_for(risk_level: str | None, cadence_months: Mapping[str, int]) -> int:
    """Months between visits for `risk_level`; the shortest cadence when the level is unknown."""
    if risk_level is not None and risk_level in cadence_months:
        return int(cadence_months[risk_level])
    return min(int(m) for m in cadence_months.values()) if cadence_months else 1


def next_visit_due(
    risk_level: str | None,
    last_seen: dt.date | None,
    registration_start: dt.date,
    reactive: bool,
    cadence_months: Mapping[str, int],
    *,
    in_community: bool = True,
    released_on: dt.date | None = None,
    first_visit_days: int = DEFAULT_FIRST_VISIT_DAYS,
    release_visit_days: int = DEFAULT_RELEASE_VISIT_DAYS,
) -> dt.date | None:
    """The date the next routine home visit is due, or None when none is (see module notes)."""
    if reactive or not in_community:
        return None
    if last_seen is None:
        due = registration_start + dt.timedelta(days=first_visit_days)
    else:
        due = last_seen + relativedelta(months=cadence_for(risk_level, cadence_months))
    if released_on is not None and (last_seen is None or last_seen < released_on):
        due = min(due, released_on + dt.timedelta(days=release_visit_days))
    return due


def is_overdue(due: dt.date | None, on: dt.date) -> bool:
    """Due strictly before `on`: a visit due today is not yet overdue."""
    return due is not None and due < on


def arms_review_due(
    assessed_on: dt.date | None, next_review_on: dt.date | None, review_months: int = 12
) -> dt.date | None:
    """The review date the assessment set, else `review_months` after it; None with no ARMS."""
    if next_review_on is not None:
        return next_review_on
    if assessed_on is None:
        return None
    return assessed_on + relativedelta(months=review_months)


def arms_overdue(review_due: dt.date | None, on: dt.date, *, has_arms: bool) -> bool:
    return not has_arms or is_overdue(review_due, on)
