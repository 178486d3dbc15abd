"""The PPN clocks and escalation rules (desktop.rules.ppn): worked examples a safeguarding lead
would check by hand, and properties that must hold for any dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.rules import ppn

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC


def london(day: str, time: str = "12:00") -> dt.datetime:
    """A London wall-clock moment typed as dd/mm/yyyy and HH:MM, in UTC."""
    moment = dt.datetime.strptime(f"{day} {time}", "%d/%m/%Y %H:%M").replace(tzinfo=LONDON)
    return moment.astimezone(UTC)


def day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


# -- worked examples: the clocks ------------------------------------------------------------------


def test_submission_is_due_24_hours_after_the_concern() -> None:
    assert ppn.submit_by(london("12/06/2024", "14:30"), 24) == london("13/06/2024", "14:30")


def test_submission_deadline_counts_elapsed_hours_across_the_clocks_going_back() -> None:
    """27/10/2024: the clocks go back at 02:00, so 24 hours after 12:00 on the 26th is 11:00 on
    the 27th by the wall clock."""
    deadline = ppn.submit_by(london("26/10/2024", "12:00"), 24)
    assert deadline.astimezone(LONDON).strftime("%d/%m/%Y %H:%M") == "27/10/2024 11:00"


def test_follow_up_is_due_seven_days_after_the_london_day_of_submission() -> None:
    assert ppn.follow_up_due(london("12/06/2024", "09:00"), 7) == day("19/06/2024")
    # 23:30 London on the 12th is 22:30 UTC: still the 12th for the people who count the days
    assert ppn.follow_up_due(london("12/06/2024", "23:30"), 7) == day("19/06/2024")
    # 00:30 London on the 13th is 23:30 UTC on the 12th: the 13th in England
    assert ppn.follow_up_due(london("13/06/2024", "00:30"), 7) == day("20/06/2024")


@pytest.mark.parametrize(
    ("state", "now", "expected"),
    [
        ("draft", ("12/06/2024", "15:00"), "draft"),
        ("draft", ("13/06/2024", "14:30"), "draft"),  # at the deadline itself: still in time
        ("draft", ("13/06/2024", "14:31"), "due"),
        ("submitted", ("20/06/2024", "09:00"), "submitted"),
        ("awaiting_social_care", ("20/06/2024", "09:00"), "awaiting_social_care"),
        ("closed", ("20/06/2024", "09:00"), "closed"),
    ],
)
def test_stage(state: str, now: tuple[str, str], expected: str) -> None:
    assert ppn.stage(state, london("12/06/2024", "14:30"), london(*now), 24) == expected


def test_overdue_steps() -> None:
    concern = london("12/06/2024", "14:30")
    assert ppn.overdue("draft", concern, None, False, london("13/06/2024", "14:30"), 24) == []
    assert ppn.overdue("draft", concern, None, False, london("13/06/2024", "14:31"), 24) == [
        ppn.SUBMISSION
    ]
    due = day("19/06/2024")
    # the follow-up day is over only when the next day starts in England
    assert (
        ppn.overdue("awaiting_social_care", concern, due, False, london("19/06/2024", "23:59"), 24)
        == []
    )
    assert ppn.overdue(
        "awaiting_social_care", concern, due, False, london("20/06/2024", "00:00"), 24
    ) == [ppn.FOLLOW_UP]
    assert ppn.overdue("submitted", concern, due, False, london("25/06/2024"), 24) == [
        ppn.FOLLOW_UP
    ]
    assert ppn.overdue("closed", concern, due, True, london("25/06/2024"), 24) == []


# -- worked examples: escalation ------------------------------------------------------------------


def test_three_within_three_months_escalate() -> None:
    concerns = [day("01/03/2024"), day("15/04/2024"), day("01/06/2024")]
    assert ppn.escalates(concerns, day("01/06/2024"), count=3, months=3)
    assert ppn.escalation_window(concerns, day("01/06/2024"), count=3, months=3) == (
        day("01/03/2024"),
        day("01/06/2024"),
    )


def test_two_do_not_escalate() -> None:
    concerns = [day("15/04/2024"), day("01/06/2024")]
    assert not ppn.escalates(concerns, day("01/06/2024"), count=3, months=3)


def test_three_spread_over_four_months_do_not_escalate() -> None:
    concerns = [day("01/02/2024"), day("15/04/2024"), day("01/06/2024")]
    assert not ppn.escalates(concerns, day("01/06/2024"), count=3, months=3)


def test_the_window_starts_on_the_same_day_three_months_before() -> None:
    assert ppn.escalates(
        [day("12/03/2024"), day("01/05/2024"), day("12/06/2024")],
        day("12/06/2024"),
        count=3,
        months=3,
    )
    assert not ppn.escalates(
        [day("11/03/2024"), day("01/05/2024"), day("12/06/2024")],
        day("12/06/2024"),
        count=3,
        months=3,
    )


@pytest.mark.parametrize(
    ("end", "start"),
    [("31/05/2024", "29/02/2024"), ("31/05/2023", "28/02/2023"), ("31/12/2024", "30/09/2024")],
)
def test_the_window_is_clamped_at_month_ends(end: str, start: str) -> None:
    assert ppn.window_start(day(end), 3) == day(start)
    earlier = day(start) - dt.timedelta(days=1)
    middle = day(start) + dt.timedelta(days=20)
    assert ppn.escalates([day(start), middle, day(end)], day(end), count=3, months=3)
    assert not ppn.escalates([earlier, middle, day(end)], day(end), count=3, months=3)


def test_a_concern_recorded_late_is_judged_with_the_concerns_after_it() -> None:
    """The third concern is typed in after the others but happened between them."""
    concerns = [day("01/04/2024"), day("20/06/2024"), day("10/05/2024")]
    assert ppn.escalation_window(concerns, day("10/05/2024"), count=3, months=3) == (
        day("20/03/2024"),
        day("20/06/2024"),
    )


def test_newest_counts_once_whether_or_not_it_is_listed() -> None:
    listed = [day("01/04/2024"), day("01/05/2024"), day("01/06/2024")]
    assert ppn.escalates(listed, day("01/06/2024"), count=3, months=3)
    assert ppn.escalates(listed[:2], day("01/06/2024"), count=3, months=3)
    assert not ppn.escalates(listed[1:], day("01/06/2024"), count=3, months=3)


# -- properties -----------------------------------------------------------------------------------

moments = st.datetimes(
    min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 12, 31), timezones=st.just(UTC)
)
days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31))
hours = st.integers(min_value=1, max_value=96)
states = st.sampled_from(["draft", "submitted", "awaiting_social_care", "closed"])


@given(moments, hours)
def test_submit_by_is_exactly_the_hours_after_the_concern(concern: dt.datetime, h: int) -> None:
    assert ppn.submit_by(concern, h) - concern == dt.timedelta(hours=h)


@given(moments, moments, hours, states)
def test_a_stage_is_never_due_before_the_deadline(
    concern: dt.datetime, now: dt.datetime, h: int, state: str
) -> None:
    found = ppn.stage(state, concern, now, h)
    assert found in ppn.STAGES
    assert (found == "due") == (state == "draft" and now > ppn.submit_by(concern, h))
    # the breach list and the stage agree about a late submission
    late = ppn.SUBMISSION in ppn.overdue(state, concern, None, False, now, h)
    assert late == (found == "due")


@given(moments, st.integers(min_value=0, max_value=60))
def test_the_follow_up_is_days_after_the_london_day(submitted: dt.datetime, n: int) -> None:
    due = ppn.follow_up_due(submitted, n)
    assert (due - submitted.astimezone(LONDON).date()).days == n


@given(st.lists(days, max_size=8), days, days, st.integers(1, 5), st.integers(1, 6))
def test_adding_a_concern_never_removes_an_escalation(
    concerns: list[dt.date], newest: dt.date, extra: dt.date, count: int, months: int
) -> None:
    listed = [*concerns, newest]
    if ppn.escalates(listed, newest, count=count, months=months):
        assert ppn.escalates([*listed, extra], newest, count=count, months=months)


@given(st.lists(days, max_size=8), days, st.integers(1, 5), st.integers(1, 6))
def test_an_escalation_window_holds_enough_concerns_and_the_newest(
    concerns: list[dt.date], newest: dt.date, count: int, months: int
) -> None:
    listed = [*concerns, newest]
    window = ppn.escalation_window(listed, newest, count=count, months=months)
    if window is None:
        # no window ending on newest holds `count`
        start = ppn.window_start(newest, months)
        assert sum(1 for c in listed if start <= c <= newest) < count
        return
    start, end = window
    assert start <= newest <= end
    assert start == ppn.window_start(end, months)
    assert sum(1 for c in listed if start <= c <= end) >= count


@given(days, st.integers(1, 12))
def test_the_window_start_is_within_the_months_and_never_a_day_more(
    end: dt.date, months: int
) -> None:
    start = ppn.window_start(end, months)
    # the same day of the month, or the month's last day when it is shorter
    assert start.day == end.day or (start + dt.timedelta(days=1)).day == 1
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
