"""Visit windows (routine, before sentence, after release, overdue), time bands and the failed
access flag: worked examples and properties (pure rules, no database)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from desktop.rules import time_bands
from desktop.rules.visit_windows import (
    OVERDUE,
    POST_RELEASE,
    PRE_SENTENCE,
    ROUTINE,
    VisitFacts,
    VisitPolicy,
    VisitWindow,
    failed_attempts,
    visit_window,
    warrant_flag,
)

ON = dt.date(2024, 6, 12)  # a Wednesday
REG = dt.date(2020, 1, 1)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def window(**facts: object) -> VisitWindow | None:
    on = facts.pop("on", ON)
    assert isinstance(on, dt.date)
    facts.setdefault("risk_level", "medium")
    facts.setdefault("registration_start", REG)
    return visit_window(VisitFacts(**facts), on)  # type: ignore[arg-type]


# -- before sentence ----------------------------------------------------------------------------


def test_pre_sentence_runs_to_the_day_before_the_sentencing_date() -> None:
    w = window(convicted_on=d("2024-06-05"), sentenced_on=d("2024-07-01"))
    assert w == VisitWindow(ON, d("2024-06-30"), PRE_SENTENCE, d("2024-06-30"), PRE_SENTENCE)


def test_pre_sentence_without_a_date_is_within_seven_days_of_conviction() -> None:
    w = window(convicted_on=d("2024-06-10"))
    assert w == VisitWindow(ON, d("2024-06-17"), PRE_SENTENCE, d("2024-06-17"), PRE_SENTENCE)
    longer = visit_window(
        VisitFacts("low", REG, convicted_on=d("2024-06-10")), ON, VisitPolicy(first_visit_days=10)
    )
    assert longer is not None and longer.end == d("2024-06-20")


def test_pre_sentence_missed_is_overdue_and_keeps_its_purpose() -> None:
    w = window(convicted_on=d("2024-06-01"))
    assert w == VisitWindow(ON, d("2024-06-18"), OVERDUE, d("2024-06-08"), PRE_SENTENCE)
    assert w.overdue and w.label == "Overdue"


def test_a_new_registrant_is_due_by_the_sentencing_date_not_a_week_after_registering() -> None:
    w = window(
        registration_start=d("2024-06-05"),
        convicted_on=d("2024-06-05"),
        sentenced_on=d("2024-08-01"),
    )
    assert w is not None and w.reason == PRE_SENTENCE and w.end == d("2024-07-31")


def test_an_earlier_routine_date_still_holds_after_a_new_conviction() -> None:
    w = window(
        risk_level="very_high",
        last_seen=d("2024-05-20"),
        convicted_on=d("2024-06-10"),
        sentenced_on=d("2024-09-01"),
    )
    assert w is not None and w.reason == PRE_SENTENCE and w.due == d("2024-06-20")


def test_seen_since_conviction_or_sentenced_is_routine_again() -> None:
    seen = window(convicted_on=d("2024-06-05"), last_seen=d("2024-06-07"))
    assert seen is not None and seen.reason == ROUTINE
    sentenced = window(
        convicted_on=d("2024-05-01"), sentenced_on=d("2024-06-12"), last_seen=d("2024-03-01")
    )
    assert sentenced is not None and sentenced.reason == ROUTINE
    future = window(convicted_on=d("2024-06-20"), last_seen=d("2024-03-01"))
    assert future is not None and future.reason == ROUTINE
    caution = window(
        convicted_on=d("2024-06-05"), sentence_recorded=True, last_seen=d("2024-03-01")
    )
    assert caution is not None and caution.reason == ROUTINE


# -- after release ------------------------------------------------------------------------------


def test_post_release_is_within_three_days() -> None:
    w = window(released_on=d("2024-06-11"), last_seen=d("2023-01-10"))
    assert w == VisitWindow(ON, d("2024-06-14"), POST_RELEASE, d("2024-06-14"), POST_RELEASE)
    # released today: the window is today and the next three days
    today = window(released_on=ON)
    assert today is not None and (today.start, today.end) == (ON, d("2024-06-15"))


def test_post_release_missed_is_overdue() -> None:
    w = window(released_on=d("2024-06-01"))
    assert w is not None and w.reason == OVERDUE and w.purpose == POST_RELEASE
    assert w.due == d("2024-06-04")


def test_seen_after_release_goes_back_to_the_cadence() -> None:
    w = window(risk_level="high", released_on=d("2024-06-01"), last_seen=d("2024-06-03"))
    assert w is not None and w.reason == ROUTINE and w.due == d("2024-09-03")


# -- routine, reactive, away --------------------------------------------------------------------


def test_routine_window_opens_a_quarter_of_the_cadence_before_due() -> None:
    w = window(risk_level="high", last_seen=d("2024-05-01"))  # due 01/08, cadence 92 days
    assert w == VisitWindow(d("2024-07-09"), d("2024-08-01"), ROUTINE, d("2024-08-01"), ROUTINE)
    very_high = window(risk_level="very_high", last_seen=d("2024-06-01"))
    assert very_high is not None and (very_high.start, very_high.end) == (
        d("2024-06-24"),
        d("2024-07-01"),
    )
    # already inside the window: it starts today
    inside = window(risk_level="high", last_seen=d("2024-03-20"))
    assert inside is not None and inside.start == ON and inside.end == d("2024-06-20")


def test_routine_overdue_and_due_today() -> None:
    late = window(risk_level="very_high", last_seen=d("2024-04-01"))
    assert late == VisitWindow(ON, d("2024-06-18"), OVERDUE, d("2024-05-01"), ROUTINE)
    today = window(risk_level="very_high", last_seen=d("2024-05-12"))
    assert today == VisitWindow(ON, ON, ROUTINE, ON, ROUTINE)


def test_never_seen_is_due_a_week_after_registration() -> None:
    w = window(registration_start=d("2024-06-10"))
    assert w == VisitWindow(ON, d("2024-06-17"), ROUTINE, d("2024-06-17"), ROUTINE)


def test_reactive_management_has_no_routine_window_but_events_still_count() -> None:
    assert window(reactive=True, risk_level="low", last_seen=d("2022-01-01")) is None
    convicted = window(reactive=True, risk_level="low", convicted_on=d("2024-06-10"))
    assert convicted is not None and convicted.reason == PRE_SENTENCE
    released = window(reactive=True, risk_level="low", released_on=d("2024-06-11"))
    assert released is not None and released.reason == POST_RELEASE


def test_custody_hospital_and_abroad_have_no_window() -> None:
    for status in ("custody", "hospital", "abroad"):
        assert window(status=status, last_seen=d("2023-01-01")) is None
        assert window(status=status, convicted_on=d("2024-06-10")) is None


def test_unknown_risk_uses_the_shortest_cadence() -> None:
    w = window(risk_level=None, last_seen=d("2024-06-01"))
    assert w is not None and w.due == d("2024-07-01")


dates = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2026, 12, 31))


@given(
    on=dates,
    level=st.sampled_from([None, "low", "medium", "high", "very_high"]),
    registered=dates,
    last_seen=st.none() | dates,
    released=st.none() | dates,
    convicted=st.none() | dates,
    sentence_after=st.none() | st.integers(min_value=0, max_value=120),
    reactive=st.booleans(),
)
def test_a_window_is_never_empty_never_starts_in_the_past_and_ends_by_its_due_date(
    on: dt.date,
    level: str | None,
    registered: dt.date,
    last_seen: dt.date | None,
    released: dt.date | None,
    convicted: dt.date | None,
    sentence_after: int | None,
    reactive: bool,
) -> None:
    if last_seen is not None and last_seen > on:
        last_seen = on
    sentenced = (
        convicted + dt.timedelta(days=sentence_after)
        if convicted is not None and sentence_after is not None
        else None
    )
    facts = VisitFacts(
        level,
        registered,
        reactive=reactive,
        last_seen=last_seen,
        released_on=released,
        convicted_on=convicted,
        sentenced_on=sentenced,
    )
    w = visit_window(facts, on)
    if w is None:
        assert reactive
        return
    assert on <= w.start <= w.end
    if w.reason == OVERDUE:
        assert w.due < on and w.end == on + dt.timedelta(days=6)
    else:
        assert w.end == w.due and w.reason == w.purpose


# -- failed access ------------------------------------------------------------------------------


def test_two_failed_attempts_in_a_row_flag_a_warrant_until_a_completed_visit() -> None:
    assert not warrant_flag([])
    assert not warrant_flag(["no_access"])
    assert warrant_flag(["no_access", "refused_entry"])
    assert warrant_flag(["refused_entry", "cancelled", "no_access", "completed"])
    assert not warrant_flag(["completed", "no_access", "no_access"])
    assert not warrant_flag(["no_access", "completed", "no_access"])
    assert warrant_flag(["planned", "no_access", "no_access"])
    assert failed_attempts(["no_access", "no_access", "no_access", "completed"]) == 3
    assert not warrant_flag(["no_access", "no_access"], threshold=3)


# -- time bands ---------------------------------------------------------------------------------


def test_bands_and_patterns() -> None:
    assert time_bands.band_of(dt.time(7, 30)) == "morning"
    assert time_bands.band_of(dt.time(11, 59)) == "morning"
    assert time_bands.band_of(dt.time(12, 0)) == "afternoon"
    assert time_bands.band_of(dt.time(17, 0)) == "evening"
    assert time_bands.SLOTS["evening"][0] == dt.time(17, 0)
    assert time_bands.SLOTS["evening"][-1] == dt.time(20, 30)
    assert len(time_bands.SLOTS["morning"]) == 8
    # 18:30 UTC in June is 19:30 in England: a Wednesday evening
    at = dt.datetime(2024, 6, 12, 18, 30, tzinfo=dt.UTC)
    assert time_bands.pattern_of(at) == (2, "evening")
    assert time_bands.describe_pattern((2, "evening")) == "Wednesday evening"
    # 11:30 UTC in January is 11:30 in England: morning
    assert time_bands.pattern_of(dt.datetime(2024, 1, 8, 11, 30, tzinfo=dt.UTC)) == (0, "morning")
