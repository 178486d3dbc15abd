"""Gaps in a risk management plan: worked examples and properties."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from desktop.rules.plan_gaps import (
    GAP_CODES,
    PILLARS,
    ActionFacts,
    FactorFacts,
    Gap,
    plan_gaps,
)

ON = dt.date(2024, 6, 12)
LATER = ON + dt.timedelta(days=30)
FACTORS = [
    FactorFacts("sexual_preoccupation", "Sexual preoccupation"),
    FactorFacts("access_to_potential_victims", "Access to potential victims"),
]


def action(
    pillar: str,
    factor: str | None = None,
    *,
    due: dt.date | None = LATER,
    status: str = "not_started",
    description: str = "Do something",
) -> ActionFacts:
    return ActionFacts(pillar, description, due, status, factor)


def complete_plan() -> list[ActionFacts]:
    return [
        action("supervision"),
        action("monitoring_control", "access_to_potential_victims"),
        action("interventions_treatment", "sexual_preoccupation"),
        action("victim_safety"),
    ]


def test_an_empty_plan_has_every_gap_in_order() -> None:
    gaps = plan_gaps([], FACTORS, "", None, ON)
    assert [g.code for g in gaps] == [
        "pillar_without_action",
        "pillar_without_action",
        "pillar_without_action",
        "pillar_without_action",
        "factor_unanswered",
        "factor_unanswered",
        "no_contingency",
        "review_overdue",
    ]
    assert [g.pillar for g in gaps[:4]] == list(PILLARS)
    assert gaps[3].text == "No action under Victim safety"
    assert gaps[4].factor == "sexual_preoccupation"
    assert gaps[4].text == "No action answers the risk factor Sexual preoccupation"
    assert gaps[7].text == "No review date"


def test_a_complete_plan_has_no_gaps() -> None:
    assert plan_gaps(complete_plan(), FACTORS, "Call the duty sergeant.", LATER, ON) == []


def test_gaps_empty_as_the_plan_is_written() -> None:
    """The done-when, as the rule sees it: each action typed removes a gap."""
    actions: list[ActionFacts] = []
    counts = [len(plan_gaps(actions, FACTORS, "", LATER, ON))]
    for a in complete_plan():
        actions.append(a)
        counts.append(len(plan_gaps(actions, FACTORS, "", LATER, ON)))
    assert counts == [7, 6, 4, 2, 1]
    assert plan_gaps(actions, FACTORS, "Contingency.", LATER, ON) == []


def test_cancelled_and_blank_actions_do_not_count() -> None:
    actions = complete_plan()
    actions[3] = action("victim_safety", status="cancelled")
    actions[1] = action("monitoring_control", "access_to_potential_victims", description="  ")
    gaps = plan_gaps(actions, FACTORS, "c", LATER, ON)
    assert [(g.code, g.pillar or g.factor) for g in gaps] == [
        ("pillar_without_action", "monitoring_control"),
        ("pillar_without_action", "victim_safety"),
        ("factor_unanswered", "access_to_potential_victims"),
    ]


def test_done_action_still_answers() -> None:
    actions = complete_plan()
    actions[2] = action("interventions_treatment", "sexual_preoccupation", status="done", due=ON)
    assert plan_gaps(actions, FACTORS, "c", LATER, ON) == []


def test_overdue_review_and_actions() -> None:
    actions = complete_plan()
    actions[0] = action("supervision", due=ON - dt.timedelta(days=1), description="Office visit")
    actions.append(action("supervision", due=ON - dt.timedelta(days=3), status="done"))
    actions.append(action("victim_safety", due=ON))  # due today: not overdue
    gaps = plan_gaps(actions, FACTORS, "c", ON - dt.timedelta(days=1), ON)
    assert [g.code for g in gaps] == ["review_overdue", "action_overdue"]
    assert gaps[0].text == "Plan review was due on 11/06/2024"
    assert gaps[1].pillar == "supervision"
    assert gaps[1].text == "Overdue since 11/06/2024 (Supervision): Office visit"
    # a review due today is not overdue
    assert plan_gaps(complete_plan(), FACTORS, "c", ON, ON) == []


def test_whitespace_contingency_is_none() -> None:
    assert [g.code for g in plan_gaps(complete_plan(), FACTORS, " \n\t", LATER, ON)] == [
        "no_contingency"
    ]


# -- properties ----------------------------------------------------------------------------------

factor_codes = [f.code for f in FACTORS] + ["hostile_orientation"]
actions_st = st.builds(
    ActionFacts,
    pillar=st.sampled_from(list(PILLARS)),
    description=st.sampled_from(["", "  ", "Visit", "Programme"]),
    due_on=st.one_of(st.none(), st.dates(ON - dt.timedelta(days=60), ON + dt.timedelta(days=60))),
    status=st.sampled_from(["not_started", "in_progress", "done", "cancelled"]),
    answers_factor=st.one_of(st.none(), st.just(""), st.sampled_from(factor_codes)),
)
factors_st = st.lists(
    st.sampled_from(FACTORS + [FactorFacts("hostile_orientation", "Hostile orientation")]),
    unique=True,
)
reviews = st.one_of(st.none(), st.dates(ON - dt.timedelta(days=30), ON + dt.timedelta(days=30)))


@given(st.lists(actions_st), factors_st, st.sampled_from(["", " ", "Plan B"]), reviews)
def test_adding_an_action_never_adds_a_gap_other_than_action_overdue(
    actions: list[ActionFacts], factors: list[FactorFacts], contingency: str, review: dt.date | None
) -> None:
    before = plan_gaps(actions, factors, contingency, review, ON)
    for extra in [
        ActionFacts("victim_safety", "New", ON - dt.timedelta(days=1), "in_progress", None),
        ActionFacts("supervision", "New", None, "not_started", factor_codes[0]),
    ]:
        after = plan_gaps([*actions, extra], factors, contingency, review, ON)
        new = [g for g in after if g not in before]
        assert all(g.code == "action_overdue" for g in new)
        assert len(after) <= len(before) + 1


@given(st.lists(actions_st), factors_st, st.sampled_from(["", "Plan B"]), reviews)
def test_gaps_are_well_formed_and_ordered(
    actions: list[ActionFacts], factors: list[FactorFacts], contingency: str, review: dt.date | None
) -> None:
    gaps = plan_gaps(actions, factors, contingency, review, ON)
    order = [GAP_CODES.index(g.code) for g in gaps]
    assert order == sorted(order)
    assert all(isinstance(g, Gap) and g.text for g in gaps)
    assert len([g for g in gaps if g.code == "pillar_without_action"]) <= 4
    unanswered = {g.factor for g in gaps if g.code == "factor_unanswered"}
    assert unanswered <= {f.code for f in factors}


@given(
    st.lists(st.sampled_from(FACTORS + [FactorFacts("hostile_orientation", "Hostile")])),
    st.dates(ON + dt.timedelta(days=1), ON + dt.timedelta(days=400)),
)
def test_full_plan_answering_every_factor_has_no_gaps(
    factors: list[FactorFacts], review: dt.date
) -> None:
    actions = [action(p) for p in PILLARS]
    actions += [action("supervision", f.code, status="in_progress") for f in factors]
    assert plan_gaps(actions, factors, "Contingency", review, ON) == []
