"""The gaps in a risk management plan, as the offender manager works on it and on the record.

A plan should have at least one action under each of the four pillars, answer every risk factor
the ARMS found present, carry a contingency plan, have a review date still to come, and have no
action past its due date. `plan_gaps` lists what is missing, in a fixed order: the pillars in
their order, then the unanswered factors in the order given, then the contingency, the review
date, and the overdue actions in the order given.

Choices this module makes, so the editor, the record and the quality checks agree:
- An action counts (for its pillar and for the factor it answers) when it has a description and
  is not cancelled; a done action still counts: the factor was answered.
- Only present *risk* factors need answering; callers pass those (protective factors are not a
  gap when nothing "answers" them).
- An action is overdue when its due date is before `on` and it is neither done nor cancelled; an
  action due today is not yet overdue.
- No review date at all is a gap (`review_overdue`, "No review date"), as is a date before `on`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

# The four pillars in their order, with the words people use (db.enums.Pillar values as keys).
PILLARS: dict[str, str] = {
    "supervision": "Supervision",
    "monitoring_control": "Monitoring and control",
    "interventions_treatment": "Interventions and treatment",
    "victim_safety": "Victim safety",
}
CLOSED_STATUSES = frozenset({"done", "cancelled"})

PILLAR_WITHOUT_ACTION = "pillar_without_action"
FACTOR_UNANSWERED = "factor_unanswered"
NO_CONTINGENCY = "no_contingency"
REVIEW_OVERDUE = "review_overdue"
ACTION_OVERDUE = "action_overdue"
GAP_CODES = (
    PILLAR_WITHOUT_ACTION,
    FACTOR_UNANSWERED,
    NO_CONTINGENCY,
    REVIEW_OVERDUE,
    ACTION_OVERDUE,
)


@dataclass(frozen=True, slots=True)
class ActionFacts:
    """What `plan_gaps` needs about one plan action, from a saved PlanAction or the editor's
    draft."""

    pillar: str  # a key of PILLARS
    description: str
    due_on: dt.date | None
    status: str  # an ActionStatus value: not_started, in_progress, done, cancelled
    answers_factor: str | None  # a risk factor code, None or "" for none


@dataclass(frozen=True, slots=True)
class FactorFacts:
    """A risk factor the ARMS found present: its code, and the label a gap's sentence names it
    by."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class Gap:
    """One thing a plan lacks (see the module's notes), as the plan editor, the record and the
    quality checks show it."""

    code: str  # one of GAP_CODES
    pillar: str | None  # the pillar concerned (pillar_without_action, action_overdue)
    factor: str | None  # the factor code concerned (factor_unanswered)
    text: str  # a sentence for the screen


def counts(action: ActionFacts) -> bool:
    """Whether an action fills its pillar and answers its factor (see the module's notes)."""
    return bool(action.description.strip()) and action.status != "cancelled"


def plan_gaps(
    actions: Sequence[ActionFacts],
    present_factors: Sequence[FactorFacts],
    contingency: str,
    review_on: dt.date | None,
    on: dt.date,
) -> list[Gap]:
    """Every gap of a plan on `on` (see the module's notes for the order and the choices)."""
    live = [a for a in actions if counts(a)]
    gaps: list[Gap] = []
    filled = {a.pillar for a in live}
    for pillar, label in PILLARS.items():
        if pillar not in filled:
            gaps.append(Gap(PILLAR_WITHOUT_ACTION, pillar, None, f"No action under {label}"))
    answered = {a.answers_factor for a in live if a.answers_factor}
    seen: set[str] = set()
    for factor in present_factors:
        if factor.code in answered or factor.code in seen:
            continue
        seen.add(factor.code)
        gaps.append(
            Gap(
                FACTOR_UNANSWERED,
                None,
                factor.code,
                f"No action answers the risk factor {factor.label}",
            )
        )
    if not contingency.strip():
        gaps.append(Gap(NO_CONTINGENCY, None, None, "No contingency plan"))
    if review_on is None:
        gaps.append(Gap(REVIEW_OVERDUE, None, None, "No review date"))
    elif review_on < on:
        gaps.append(Gap(REVIEW_OVERDUE, None, None, f"Plan review was due on {review_on:%d/%m/%Y}"))
    for action in actions:
        if (
            action.due_on is not None
            and action.due_on < on
            and action.status not in CLOSED_STATUSES
            and action.description.strip()
        ):
            label = PILLARS.get(action.pillar, action.pillar)
            gaps.append(
                Gap(
                    ACTION_OVERDUE,
                    action.pillar,
                    action.answers_factor or None,
                    f"Overdue since {action.due_on:%d/%m/%Y} ({label}): "
                    f"{_short(action.description)}",
                )
            )
    return gaps


def _short(text: str, limit: int = 80) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
