"""Risk levels: the RM2000 static categories and when an ARMS assessment is next reviewed.

RM2000 (Risk Matrix 2000) as Pillars implements the issue's rule — this is Pillars' reading, to be
checked against a force's own scoring guide, not a copy of the instrument's manual:

- A score gives a category: 0-1 low, 2-3 medium, 4-5 high, 6 or more very high
  (`rm2000_category`).
- Aggravating factors (the instrument has four, so 0 to 4) raise the sexual category: 2 or 3 raise
  it one level, 4 raise it two, never above very high (`aggravation_steps`, `raise_levels`).
- The violent scale has no aggravating factors: its category is its score's category.
- The combined score is the sexual points plus the violent points; its category is that score's
  category raised by the same aggravating factors as the sexual one (the combined scale contains
  the sexual one, so what aggravates one aggravates the other). Because categories rise with the
  score and raising keeps order, the combined category is never lower than either scale's, and it
  is the one Pillars stores as the RM2000 level of the assessment.

ARMS reviews: the next review falls `months` (policy `arms_review_months`, 12) after the
assessment; the assessor may bring it forward but not put it off, and a release from custody or
a change of address brings it forward again (`review_brought_forward`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta

LEVELS = ("low", "medium", "high", "very_high")
LEVEL_LABELS = {"low": "Low", "medium": "Medium", "high": "High", "very_high": "Very high"}
AGGRAVATING_MAX = 4
DEFAULT_REVIEW_MONTHS = 12
REVIEW_AFTER_EVENT_MONTHS = 1


def level_rank(level: str) -> int:
    """0 for low up to 3 for very high; ValueError for anything else."""
    try:
        return LEVELS.index(level)
    except ValueError:
        raise ValueError(f"{level!r} is not a risk level; expected one of {LEVELS}") from None


def rm2000_category(score: int) -> str:
    """The category of an RM2000 score: 0-1 low, 2-3 medium, 4-5 high, 6+ very high."""
    if score < 0:
        raise ValueError(f"an RM2000 score cannot be negative: {score}")
    if score <= 1:
        return "low"
    if score <= 3:
        return "medium"
    if score <= 5:
        return "high"
    return "very_high"


def raise_levels(level: str, steps: int) -> str:
    """`level` raised `steps` levels, capped at very high. A negative step is an error: nothing
    in RM2000 lowers a category."""
    if steps < 0:
        raise ValueError(f"cannot raise a level by {steps} steps")
    return LEVELS[min(len(LEVELS) - 1, level_rank(level) + steps)]


def aggravation_steps(aggravating: int) -> int:
    """Levels the aggravating factors add: 0-1 none, 2-3 one, 4 two."""
    if not 0 <= aggravating <= AGGRAVATING_MAX:
        raise ValueError(
            f"RM2000 has 0 to {AGGRAVATING_MAX} aggravating factors, not {aggravating}"
        )
    if aggravating >= 4:
        return 2
    if aggravating >= 2:
        return 1
    return 0


@dataclass(frozen=True, slots=True)
class Rm2000Result:
    """The RM2000 categories (low to very_high) from the sexual and violent scores and the
    aggravating factors; `combined_category` is the one stored as the assessment's RM2000 level (see
    the module's notes)."""

    sexual_category: str
    violent_category: str
    combined_score: int
    combined_category: str


def rm2000_result(sexual: int, violent: int, aggravating: int) -> Rm2000Result:
    """Every RM2000 category from the two scores and the aggravating factors (see the module's
    notes for how Pillars reads the rule)."""
    steps = aggravation_steps(aggravating)
    sexual_category = raise_levels(rm2000_category(sexual), steps)
    violent_category = rm2000_category(violent)
    combined = sexual + violent
    return Rm2000Result(
        sexual_category=sexual_category,
        violent_category=violent_category,
        combined_score=combined,
        combined_category=raise_levels(rm2000_category(combined), steps),
    )


def arms_default_review(assessed_on: dt.date, *, months: int = DEFAULT_REVIEW_MONTHS) -> dt.date:
    return assessed_on + relativedelta(months=months)


def arms_next_review(
    assessed_on: dt.date,
    *,
    months: int = DEFAULT_REVIEW_MONTHS,
    requested: dt.date | None = None,
) -> dt.date:
    """The next review of an ARMS assessment: `months` after it, or the `requested` date when the
    assessor brings it forward. A requested date later than the default is held to the default,
    and one before the assessment to the assessment's own date (the service tells the person;
    this rule only guarantees the bounds)."""
    default = arms_default_review(assessed_on, months=months)
    if requested is None:
        return default
    return min(default, max(assessed_on, requested))


def review_brought_forward(
    current_next_review: dt.date | None,
    event_on: dt.date,
    *,
    within_months: int = REVIEW_AFTER_EVENT_MONTHS,
) -> dt.date:
    """After a release or a change of address on `event_on`, the review falls within
    `within_months` of it, or stays where it was if that is sooner already."""
    by_event = event_on + relativedelta(months=within_months)
    if current_next_review is None:
        return by_event
    return min(current_next_review, by_event)
