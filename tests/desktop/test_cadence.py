"""Visit cadence and ARMS review dates (pure). The breach rules are tested in test_due.py."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from desktop.rules import cadence
from desktop.rules.policy_defaults import VISIT_CADENCE_MONTHS

TODAY = dt.date(2024, 6, 12)
REG = dt.date(2020, 1, 1)


def test_cadence_by_risk_level() -> None:
    seen = dt.date(2024, 1, 31)
    expected = {
        "very_high": dt.date(2024, 2, 29),
        "high": dt.date(2024, 4, 30),
        "medium": dt.date(2024, 7, 31),
        "low": dt.date(2025, 1, 31),
    }
    for level, due in expected.items():
        assert cadence.next_visit_due(level, seen, REG, False, VISIT_CADENCE_MONTHS) == due


def test_unknown_risk_uses_the_shortest_cadence() -> None:
    seen = dt.date(2024, 5, 1)
    assert cadence.next_visit_due(None, seen, REG, False, VISIT_CADENCE_MONTHS) == dt.date(
        2024, 6, 1
    )
    assert cadence.cadence_for("unheard_of", {"low": 12, "high": 3}) == 3


def test_never_visited_is_due_a_week_after_registration() -> None:
    assert cadence.next_visit_due("low", None, TODAY, False, VISIT_CADENCE_MONTHS) == dt.date(
        2024, 6, 19
    )
    due = cadence.next_visit_due(
        "low", None, TODAY, False, VISIT_CADENCE_MONTHS, first_visit_days=3
    )
    assert due == dt.date(2024, 6, 15)


def test_reactive_or_not_in_the_community_has_no_routine_visit() -> None:
    assert cadence.next_visit_due("low", TODAY, REG, True, VISIT_CADENCE_MONTHS) is None
    assert (
        cadence.next_visit_due("high", TODAY, REG, False, VISIT_CADENCE_MONTHS, in_community=False)
        is None
    )


def test_release_brings_the_visit_forward() -> None:
    released = dt.date(2024, 6, 1)
    seen_before = dt.date(2024, 5, 20)
    due = cadence.next_visit_due(
        "low", seen_before, REG, False, VISIT_CADENCE_MONTHS, released_on=released
    )
    assert due == dt.date(2024, 6, 4)
    seen_after = dt.date(2024, 6, 3)
    due = cadence.next_visit_due(
        "low", seen_after, REG, False, VISIT_CADENCE_MONTHS, released_on=released
    )
    assert due == dt.date(2025, 6, 3)


def test_overdue_is_strictly_after_the_due_day() -> None:
    assert not cadence.is_overdue(TODAY, TODAY)
    assert cadence.is_overdue(TODAY - dt.timedelta(days=1), TODAY)
    assert not cadence.is_overdue(None, TODAY)


def test_arms_review() -> None:
    assert cadence.arms_review_due(dt.date(2023, 6, 12), None) == TODAY
    assert cadence.arms_review_due(dt.date(2023, 6, 12), dt.date(2023, 12, 1)) == dt.date(
        2023, 12, 1
    )
    assert cadence.arms_review_due(None, None) is None
    assert cadence.arms_overdue(None, TODAY, has_arms=False)
    assert not cadence.arms_overdue(TODAY, TODAY, has_arms=True)
    assert cadence.arms_overdue(TODAY - dt.timedelta(days=1), TODAY, has_arms=True)


@given(
    level=st.sampled_from([None, *VISIT_CADENCE_MONTHS]),
    seen=st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1)),
)
def test_due_is_within_a_year_after_last_seen(level: str | None, seen: dt.date) -> None:
    due = cadence.next_visit_due(level, seen, REG, False, VISIT_CADENCE_MONTHS)
    assert due is not None
    assert seen < due <= seen + relativedelta(months=12)
