"""Visit cadence, ARMS review dates and the first small set of breach rules (pure)."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from desktop.rules import breaches, cadence
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


# -- breaches -----------------------------------------------------------------------------------


def test_release_not_recorded() -> None:
    found = breaches.breaches_on(
        TODAY,
        status="custody",
        expected_release_on=TODAY - dt.timedelta(days=1),
        next_periodic_due=None,
    )
    assert [b.rule for b in found] == [breaches.RELEASE_NOT_RECORDED]
    assert found[0].due == TODAY - dt.timedelta(days=1)
    assert "11/06/2024" in found[0].text
    assert not breaches.breaches_on(
        TODAY, status="custody", expected_release_on=TODAY, next_periodic_due=None
    )


def test_periodic_overdue_only_in_the_community() -> None:
    past = TODAY - dt.timedelta(days=3)
    assert [
        b.rule
        for b in breaches.breaches_on(
            TODAY, status="community", expected_release_on=None, next_periodic_due=past
        )
    ] == [breaches.PERIODIC_OVERDUE]
    assert not breaches.breaches_on(
        TODAY, status="abroad", expected_release_on=None, next_periodic_due=past
    )


def test_a_received_periodic_notification_is_not_a_breach_before_the_hub_processes_it() -> None:
    past = TODAY - dt.timedelta(days=3)
    found = breaches.breaches_on(
        TODAY,
        status="community",
        expected_release_on=None,
        next_periodic_due=past,
        received_notifications=[breaches.PendingNotification("periodic", past)],
    )
    assert found == []


def test_unprocessed_notification_is_not_the_offenders_breach_but_a_late_ppn_is() -> None:
    now = dt.datetime(2024, 6, 12, 10, tzinfo=dt.UTC)
    found = breaches.breaches_on(
        TODAY,
        status="community",
        expected_release_on=None,
        next_periodic_due=None,
        received_notifications=[
            breaches.PendingNotification("change_of_address", TODAY - dt.timedelta(days=2)),
            breaches.PendingNotification("foreign_travel", TODAY),
            breaches.PendingNotification("periodic", None),
        ],
        draft_ppn_concerns=[now - dt.timedelta(hours=25), now - dt.timedelta(hours=23)],
        now=now,
    )
    assert [b.rule for b in found] == [breaches.PPN_NOT_SUBMITTED]
    assert "not submitted within 24 hours" in found[0].text


def test_a_late_ppn_is_dated_in_england_not_in_utc() -> None:
    """A concern at 00:30 on 05/06/2024 in England is 23:30 on 04/06 in UTC: the breach must
    speak of 05/06 and fall due on 06/06, as an officer counts the days."""
    concern = dt.datetime(2024, 6, 4, 23, 30, tzinfo=dt.UTC)  # 00:30 BST on 05/06/2024
    found = breaches.breaches_on(
        dt.date(2024, 6, 7),
        status="community",
        expected_release_on=None,
        next_periodic_due=None,
        draft_ppn_concerns=[concern],
    )
    assert [(b.rule, b.due) for b in found] == [(breaches.PPN_NOT_SUBMITTED, dt.date(2024, 6, 6))]
    assert "concern on 05/06/2024" in found[0].text


def test_without_a_clock_the_day_ends_at_london_midnight() -> None:
    """Judged for a day with no clock, the day ends at midnight in England: a deadline at 00:30
    BST the next day (23:30 UTC on the day) has not passed yet."""
    concern = dt.datetime(2024, 6, 4, 23, 30, tzinfo=dt.UTC)  # deadline 23:30 UTC on 05/06
    assert breaches.end_of_london_day(dt.date(2024, 6, 5)) == dt.datetime(
        2024, 6, 5, 22, 59, 59, 999999, tzinfo=dt.UTC
    )
    assert not breaches.breaches_on(
        dt.date(2024, 6, 5),
        status="community",
        expected_release_on=None,
        next_periodic_due=None,
        draft_ppn_concerns=[concern],
    )
