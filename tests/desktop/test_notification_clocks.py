"""Statutory notification clocks: worked examples for each rule and each pause, and properties."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.rules import notification_clocks as nc
from desktop.rules.notification_clocks import (
    Clock,
    Event,
    Pause,
    add_running_days,
    clocks,
    next_periodic_due,
    qualifying_stay_date,
    release_not_recorded,
)

D = dt.date
DAY = dt.timedelta(days=1)


def only(found: list[Clock], rule: str) -> Clock:
    matching = [c for c in found if c.rule == rule]
    assert len(matching) == 1, found
    return matching[0]


def one(
    event: Event,
    pauses: list[Pause] | None = None,
    *,
    on: dt.date,
    status: str = "community",
) -> Clock:
    """The clock of `event` itself (not the periodic chain it starts)."""
    return only(clocks([event], pauses or [], on=on, status=status), event.kind)


# -- s83 initial notification and the moment of breach -------------------------------------------


def test_initial_notification_within_3_days_of_conviction() -> None:
    convicted = D(2024, 3, 1)
    clock = one(Event("initial", convicted), on=D(2024, 3, 2))
    assert clock.due == D(2024, 3, 4)
    assert clock.state == "due" and clock.satisfied_on is None
    assert clock.statute.startswith("s83(1)")
    assert (
        clock.text
        == "Initial notification, in person, after conviction on 01/03/2024 is due by 04/03/2024."
    )


def test_breach_the_moment_the_deadline_passes() -> None:
    event = Event("initial", D(2024, 3, 1))
    assert one(event, on=D(2024, 3, 4)).state == "due"  # the due day itself: still due
    breach = one(event, on=D(2024, 3, 5))  # the day after: a breach
    assert breach.state == "breach"
    assert breach.text == (
        "Initial notification, in person, after conviction on 01/03/2024 was due by 04/03/2024 "
        "and has not been made."
    )


def test_met_on_the_due_day_and_a_late_notification_stays_a_breach() -> None:
    on_time = one(Event("initial", D(2024, 3, 1), D(2024, 3, 4)), on=D(2024, 6, 1))
    assert on_time.state == "met" and on_time.satisfied_on == D(2024, 3, 4) and not on_time.late
    assert "in time" in on_time.text
    late = one(Event("initial", D(2024, 3, 1), D(2024, 3, 6)), on=D(2024, 6, 1))
    assert late.state == "breach" and late.satisfied_on == D(2024, 3, 6) and late.late
    assert late.text == (
        "Initial notification, in person, after conviction on 01/03/2024 was made late, on "
        "06/03/2024: it was due by 04/03/2024."
    )


def test_a_notification_dated_after_the_day_judged_is_not_made_yet() -> None:
    event = Event("initial", D(2024, 3, 1), D(2024, 3, 3))
    assert one(event, on=D(2024, 3, 2)).state == "due"
    assert one(event, on=D(2024, 3, 3)).state == "met"


# -- s84 changes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind, statute",
    [
        ("change_of_name", "s84(1)(a)"),
        ("change_of_address", "s84(1)(b)"),
        ("transfer_in", "s84(1)(b)"),
        ("release", "s84(1)(d)"),
        ("other_address_stay", "s84(1)(c)"),
        ("household_with_child", "2012 Regs reg 10"),
    ],
)
def test_changes_within_3_days(kind: str, statute: str) -> None:
    changed = D(2024, 6, 10)
    clock = one(Event(kind, changed), on=changed)
    assert clock.due == D(2024, 6, 13) and clock.state == "due"
    assert clock.statute.startswith(statute)
    assert "10/06/2024" in clock.text and "13/06/2024" in clock.text
    assert one(Event(kind, changed), on=D(2024, 6, 14)).state == "breach"
    assert one(Event(kind, changed, D(2024, 6, 13)), on=D(2024, 6, 14)).state == "met"


def test_a_change_notified_in_advance_is_met() -> None:
    # s84(2): notified before the change, giving its date
    clock = one(Event("change_of_address", D(2024, 6, 10), D(2024, 6, 1)), on=D(2024, 6, 20))
    assert clock.state == "met" and clock.satisfied_on == D(2024, 6, 1)


def test_household_with_a_child_counts_from_the_first_day_of_the_stay() -> None:
    start = D(2024, 8, 30)
    clock = one(Event("household_with_child", start), on=D(2024, 9, 3))
    assert clock.due == D(2024, 9, 2) and clock.state == "breach"
    assert "household with a child from 30/08/2024" in clock.text


def test_an_event_after_the_day_judged_starts_no_clock() -> None:
    assert clocks([Event("release", D(2024, 7, 1))], on=D(2024, 6, 30)) == []


# -- pauses: s83(6), s84(5) ----------------------------------------------------------------------


def test_custody_stops_the_initial_clock() -> None:
    # convicted Friday 01/03/2024 and remanded until 10/03: the 3 days run 11, 12 and 13 March
    clock = one(
        Event("initial", D(2024, 3, 1)), [Pause(D(2024, 3, 1), D(2024, 3, 10))], on=D(2024, 3, 12)
    )
    assert clock.due == D(2024, 3, 13) and clock.state == "due" and not clock.paused


def test_hospital_inside_the_running_clock_extends_it_by_its_days() -> None:
    # change on 10/06, in hospital 11/06-12/06: running days are 13, 14, 15 June
    pauses = [Pause(D(2024, 6, 11), D(2024, 6, 12), "hospital")]
    clock = one(Event("change_of_address", D(2024, 6, 10)), pauses, on=D(2024, 6, 12))
    assert clock.due == D(2024, 6, 15)
    assert clock.paused
    assert clock.text.endswith(
        "The clock is stopped while the offender is in hospital, to 12/06/2024."
    )


def test_abroad_stops_a_change_of_name_clock() -> None:
    # name changed 01/06, abroad from 02/06, back on 09/06 (the day of return given as the end)
    pauses = [Pause(D(2024, 6, 2), D(2024, 6, 9), "abroad")]
    assert one(Event("change_of_name", D(2024, 6, 1)), pauses, on=D(2024, 6, 9)).due == D(
        2024, 6, 12
    )


def test_pauses_outside_the_running_clock_change_nothing() -> None:
    event = Event("change_of_address", D(2024, 6, 10))
    pauses = [
        Pause(D(2024, 5, 1), D(2024, 6, 9), "custody"),  # ends before the change
        Pause(D(2024, 6, 14), D(2024, 6, 30), "abroad"),  # starts after the due day
    ]
    assert one(event, pauses, on=D(2024, 7, 1)).due == D(2024, 6, 13)


def test_touching_pauses_are_one_stretch() -> None:
    pauses = [
        Pause(D(2024, 6, 11), D(2024, 6, 12), "custody"),
        Pause(D(2024, 6, 13), D(2024, 6, 14), "hospital"),
    ]
    assert add_running_days(D(2024, 6, 10), 3, pauses) == D(2024, 6, 17)


def test_an_open_pause_lasts_through_today_and_says_so() -> None:
    pauses = [Pause(D(2024, 6, 11), None, "custody")]
    clock = one(Event("change_of_address", D(2024, 6, 10)), pauses, on=D(2024, 6, 20))
    assert clock.due == D(2024, 6, 23) and clock.state == "due" and clock.paused
    assert "stopped while the offender is in custody: 23/06/2024 is the earliest" in clock.text


def test_a_status_away_without_a_pause_stops_clocks_from_today() -> None:
    event = Event("change_of_address", D(2024, 6, 10))
    clock = one(event, on=D(2024, 6, 12), status="abroad")
    assert clock.due == D(2024, 6, 14) and clock.paused and "abroad" in clock.text
    # a deadline already passed stays passed
    assert one(event, on=D(2024, 6, 20), status="custody").state == "breach"


# -- qualifying stay: s84(1)(c), s84(6) ----------------------------------------------------------


def test_one_stay_of_7_days() -> None:
    assert qualifying_stay_date([(D(2024, 6, 1), D(2024, 6, 7))]) == D(2024, 6, 7)
    assert qualifying_stay_date([(D(2024, 6, 1), D(2024, 6, 30))]) == D(2024, 6, 7)
    assert qualifying_stay_date([(D(2024, 6, 1), D(2024, 6, 6))]) is None


def test_stays_together_within_12_months() -> None:
    stays = [(D(2024, 1, 1), D(2024, 1, 4)), (D(2024, 12, 29), D(2024, 12, 31))]
    assert qualifying_stay_date(stays) == D(2024, 12, 31)
    stays = [
        (D(2024, 3, 1), D(2024, 3, 2)),
        (D(2024, 5, 1), D(2024, 5, 2)),
        (D(2024, 9, 1), D(2024, 9, 5)),
    ]
    assert qualifying_stay_date(stays) == D(2024, 9, 3)


def test_stays_13_months_apart_do_not_add_up() -> None:
    stays = [(D(2024, 1, 1), D(2024, 1, 4)), (D(2025, 2, 1), D(2025, 2, 3))]
    assert qualifying_stay_date(stays) is None
    # the 12 months ending 01/01/2025 start on 02/01/2024: 1 January 2024 has dropped out
    stays = [(D(2024, 1, 1), D(2024, 1, 4)), (D(2024, 12, 30), D(2025, 1, 1))]
    assert qualifying_stay_date(stays) is None


def test_overlapping_and_open_stays() -> None:
    stays = [(D(2024, 6, 1), D(2024, 6, 4)), (D(2024, 6, 3), D(2024, 6, 5))]
    assert qualifying_stay_date(stays) is None  # 5 days, counted once
    assert qualifying_stay_date([(D(2024, 6, 1), None)]) == D(2024, 6, 7)
    assert qualifying_stay_date([(D(2024, 6, 1), None)], as_of=D(2024, 6, 5)) is None
    with pytest.raises(ValueError):
        qualifying_stay_date([(D(2024, 6, 2), D(2024, 6, 1))])


def test_a_qualifying_stay_is_notified_3_days_after_it_qualifies() -> None:
    reached = qualifying_stay_date([(D(2024, 6, 1), D(2024, 6, 10))])
    assert reached is not None
    clock = one(Event("other_address_stay", reached, D(2024, 6, 9)), on=D(2024, 6, 20))
    assert clock.due == D(2024, 6, 10) and clock.state == "met"
    assert "reached 7 days on 07/06/2024" in clock.text


# -- advance notice: s84(2)-(4) ------------------------------------------------------------------

GIVEN = D(2024, 6, 10)  # the date the offender gave for the change


@pytest.mark.parametrize("happened", [D(2024, 6, 8), D(2024, 6, 10), D(2024, 6, 13)])
def test_advance_notice_met_when_the_change_happens_around_the_date_given(
    happened: dt.date,
) -> None:
    clock = one(Event("advance_notice", GIVEN, None, {"happened_on": happened}), on=D(2024, 7, 1))
    assert clock.state == "met" and clock.satisfied_on == happened
    assert "nothing more is owed under s84(4)" in clock.text


def test_advance_notice_not_happened_is_due_6_days_after_the_date_given() -> None:
    event = Event("advance_notice", GIVEN)
    clock = one(event, on=D(2024, 6, 12))
    assert clock.due == D(2024, 6, 16) and clock.state == "due"
    assert (
        clock.text
        == "Notice that the change expected on 10/06/2024 did not happen is due by 16/06/2024."
    )
    assert one(event, on=D(2024, 6, 17)).state == "breach"
    told = Event("advance_notice", GIVEN, D(2024, 6, 14))
    assert one(told, on=D(2024, 6, 17)).state == "met"


def test_advance_notice_6_days_skip_a_pause() -> None:
    pauses = [Pause(D(2024, 6, 12), D(2024, 6, 13), "hospital")]
    assert one(Event("advance_notice", GIVEN), pauses, on=D(2024, 6, 14)).due == D(2024, 6, 18)


def test_advance_notice_of_a_change_far_from_the_date_given() -> None:
    early = one(
        Event("advance_notice", GIVEN, None, {"happened_on": "2024-06-07"}), on=D(2024, 7, 1)
    )
    assert (
        early.state == "met" and "more than 2 days early" in early.text and "s84(3)" in early.text
    )
    late = one(
        Event("advance_notice", GIVEN, None, {"happened_on": D(2024, 6, 15)}), on=D(2024, 7, 1)
    )
    assert late.state == "breach" and late.due == D(2024, 6, 16)
    assert "s84(4)(a)" in late.text
    # a change recorded for after the day judged has not happened yet
    pending = one(
        Event("advance_notice", GIVEN, None, {"happened_on": D(2024, 6, 12)}), on=D(2024, 6, 11)
    )
    assert pending.state == "due" and pending.due == D(2024, 6, 16)


# -- s85 periodic notification -------------------------------------------------------------------


def periodic(found: list[Clock]) -> list[Clock]:
    return [c for c in found if c.rule in ("periodic", "no_fixed_abode")]


def test_periodic_every_year_from_the_last_notification() -> None:
    found = clocks([Event("initial", D(2024, 3, 1), D(2024, 3, 3))], on=D(2024, 6, 1))
    clock = only(found, "periodic")
    assert clock.event_on == D(2024, 3, 3) and clock.due == D(2025, 3, 3) and clock.state == "due"
    assert clock.statute.startswith("s85(1)")
    late = only(
        clocks([Event("initial", D(2024, 3, 1), D(2024, 3, 3))], on=D(2025, 3, 4)), "periodic"
    )
    assert late.state == "breach"


def test_each_s84_change_resets_the_periodic_date_but_foreign_travel_does_not() -> None:
    events = [
        Event("initial", D(2024, 3, 1), D(2024, 3, 3)),
        Event("change_of_address", D(2024, 8, 8), D(2024, 8, 10)),
        Event("foreign_travel", D(2024, 12, 20), D(2024, 12, 1)),
    ]
    chain = periodic(clocks(events, on=D(2025, 1, 1)))
    assert [(c.event_on, c.due, c.state, c.satisfied_on) for c in chain] == [
        (D(2024, 3, 3), D(2025, 3, 3), "met", D(2024, 8, 10)),
        (D(2024, 8, 10), D(2025, 8, 10), "due", None),
    ]


@pytest.mark.parametrize(
    "kind",
    [
        "change_of_name",
        "change_of_address",
        "transfer_in",
        "release",
        "other_address_stay",
        "household_with_child",
    ],
)
def test_every_s84_notification_resets(kind: str) -> None:
    events = [
        Event("initial", D(2024, 3, 1), D(2024, 3, 3)),
        Event(kind, D(2024, 9, 1), D(2024, 9, 2)),
    ]
    chain = periodic(clocks(events, on=D(2024, 10, 1)))
    assert chain[-1].event_on == D(2024, 9, 2) and chain[-1].due == D(2025, 9, 2)


def test_a_periodic_notification_resets_and_an_early_one_is_met() -> None:
    events = [
        Event("initial", D(2023, 3, 1), D(2023, 3, 3)),
        Event("periodic", D(2024, 3, 3), D(2024, 2, 20)),
    ]
    chain = periodic(clocks(events, on=D(2024, 6, 1)))
    assert [(c.due, c.state) for c in chain] == [(D(2024, 3, 3), "met"), (D(2025, 2, 20), "due")]


def test_a_late_periodic_notification_is_a_breach() -> None:
    events = [
        Event("initial", D(2023, 3, 1), D(2023, 3, 3)),
        Event("periodic", D(2024, 3, 3), D(2024, 3, 8)),
    ]
    first = periodic(clocks(events, on=D(2024, 6, 1)))[0]
    assert first.state == "breach" and first.late and "made late, on 08/03/2024" in first.text


def test_s85_a_pause_during_the_year_does_not_move_the_anniversary() -> None:
    pauses = [Pause(D(2024, 7, 1), D(2024, 7, 14), "abroad")]
    assert next_periodic_due(D(2024, 3, 3), pauses) == D(2025, 3, 3)


def test_s85_an_anniversary_in_a_pause_moves_to_3_days_after_it() -> None:
    pauses = [Pause(D(2025, 2, 20), D(2025, 3, 10), "abroad")]
    assert next_periodic_due(D(2024, 3, 3), pauses) == D(2025, 3, 13)
    found = clocks([Event("initial", D(2024, 3, 1), D(2024, 3, 3))], pauses, on=D(2025, 3, 5))
    clock = only(found, "periodic")
    assert clock.due == D(2025, 3, 13) and clock.state == "due" and clock.paused
    assert clock.text == (
        "Periodic notification, a year after the notification on 03/03/2024, is due by "
        "13/03/2025. The date a year on, 03/03/2025, falls while the offender is abroad (to "
        "10/03/2025), so the clock runs on to 3 days after (s85(3))."
    )
    # seen after the return: no longer paused, the reason still given
    after = only(
        clocks([Event("initial", D(2024, 3, 1), D(2024, 3, 3))], pauses, on=D(2025, 3, 11)),
        "periodic",
    )
    assert not after.paused and after.due == D(2025, 3, 13) and "s85(3)" in after.text
    # seen on a day of the trip: the anniversary, not the trip, decides
    before = only(
        clocks([Event("initial", D(2024, 3, 1), D(2024, 3, 3))], pauses, on=D(2025, 2, 21)),
        "periodic",
    )
    assert before.paused and before.due == D(2025, 3, 13)


def test_s85_custody_over_the_anniversary_with_an_open_end() -> None:
    pauses = [Pause(D(2025, 1, 1), None, "custody")]
    found = clocks([Event("initial", D(2024, 3, 1), D(2024, 3, 3))], pauses, on=D(2025, 6, 1))
    clock = only(found, "periodic")
    assert clock.due == D(2025, 6, 4) and clock.state == "due" and clock.paused
    assert clock.text.endswith(
        "The date a year on, 03/03/2025, falls while the offender is in custody, so the clock "
        "runs on to 3 days after that ends: 04/06/2025 is the earliest (s85(3))."
    )
    assert next_periodic_due(D(2024, 3, 3), pauses) == D(2025, 3, 6)  # at the earliest, no `on`


def test_s85_is_not_monotone_a_day_later_can_fall_due_sooner() -> None:
    # The Act, not a fault: the first anniversary falls on the day of return, the second after it.
    pauses = [Pause(D(2025, 1, 1), D(2025, 1, 10), "abroad")]
    assert next_periodic_due(D(2024, 1, 10), pauses) == D(2025, 1, 13)
    assert next_periodic_due(D(2024, 1, 11), pauses) == D(2025, 1, 11)


# -- no fixed abode: weekly (s85(5)-(6), 2012 Regulations) ---------------------------------------


def test_no_fixed_abode_weekly() -> None:
    events = [
        Event("change_of_address", D(2024, 6, 1), D(2024, 6, 1), {"no_fixed_abode": True}),
        Event("no_fixed_abode", D(2024, 6, 8), D(2024, 6, 8)),
        Event("no_fixed_abode", D(2024, 6, 15), D(2024, 6, 17)),
    ]
    chain = periodic(clocks(events, on=D(2024, 6, 24), no_fixed_abode=True))
    assert [(c.rule, c.event_on, c.due, c.state) for c in chain] == [
        ("no_fixed_abode", D(2024, 6, 1), D(2024, 6, 8), "met"),
        ("no_fixed_abode", D(2024, 6, 8), D(2024, 6, 15), "breach"),  # made on 17/06: late
        ("no_fixed_abode", D(2024, 6, 17), D(2024, 6, 24), "due"),
    ]
    assert chain[0].statute.startswith("s85(5)-(6)")
    assert "Weekly notification while of no fixed abode" in chain[-1].text
    missed = periodic(clocks(events, on=D(2024, 6, 25), no_fixed_abode=True))[-1]
    assert missed.state == "breach"


def test_the_latest_link_is_weekly_only_while_of_no_fixed_abode() -> None:
    events = [Event("change_of_address", D(2024, 6, 1), D(2024, 6, 2))]
    assert periodic(clocks(events, on=D(2024, 6, 3), no_fixed_abode=True))[0].due == D(2024, 6, 9)
    assert periodic(clocks(events, on=D(2024, 6, 3)))[0].due == D(2025, 6, 2)
    # housed again: a change of address ends the weekly links
    events = [
        Event("no_fixed_abode", D(2024, 6, 1), D(2024, 6, 1)),
        Event("change_of_address", D(2024, 6, 5), D(2024, 6, 6)),
    ]
    chain = periodic(clocks(events, on=D(2024, 6, 10)))
    assert [(c.rule, c.due) for c in chain] == [
        ("no_fixed_abode", D(2024, 6, 8)),
        ("periodic", D(2025, 6, 6)),
    ]


# -- foreign travel: s86 and the Travel Regulations ----------------------------------------------


def test_foreign_travel_at_least_7_days_before_departure() -> None:
    departure = D(2024, 7, 20)
    clock = one(Event("foreign_travel", departure), on=D(2024, 7, 1))
    assert clock.due == D(2024, 7, 13) and clock.state == "due"
    assert one(Event("foreign_travel", departure), on=D(2024, 7, 14)).state == "breach"
    assert one(Event("foreign_travel", departure, D(2024, 7, 13)), on=D(2024, 7, 14)).state == "met"
    late = one(Event("foreign_travel", departure, D(2024, 7, 15)), on=D(2024, 7, 16))
    assert late.state == "breach" and late.late
    assert clock.statute.startswith("s86")


def test_a_change_to_travel_at_least_24_hours_before_departure() -> None:
    departure = D(2024, 7, 20)
    event = Event("foreign_travel_change", departure)
    assert one(event, on=D(2024, 7, 19)).due == D(2024, 7, 19)
    assert one(event, on=D(2024, 7, 19)).state == "due"
    assert one(event, on=D(2024, 7, 20)).state == "breach"
    assert (
        one(Event("foreign_travel_change", departure, D(2024, 7, 19)), on=D(2024, 7, 25)).state
        == "met"
    )


def test_a_trip_decided_late_keeps_the_simple_rule_and_says_so() -> None:
    event = Event("foreign_travel", D(2024, 7, 20), D(2024, 7, 16), {"decided_on": "2024-07-16"})
    clock = one(event, on=D(2024, 7, 17))
    assert clock.state == "breach" and clock.due == D(2024, 7, 13)
    assert "decided on 16/07/2024" in clock.text and "reasonably practicable" in clock.text


def test_pauses_do_not_move_a_travel_notice() -> None:
    event = Event("foreign_travel", D(2024, 7, 20))
    clock = one(event, [Pause(D(2024, 7, 1), D(2024, 7, 15), "hospital")], on=D(2024, 7, 10))
    assert clock.due == D(2024, 7, 13) and not clock.paused


def test_foreign_travel_is_not_a_periodic_link() -> None:
    assert (
        periodic(clocks([Event("foreign_travel", D(2024, 7, 20), D(2024, 7, 1))], on=D(2024, 7, 2)))
        == []
    )


# -- release not recorded, the notification period, validation -----------------------------------


def test_release_not_recorded() -> None:
    today = D(2024, 6, 12)
    clock = release_not_recorded("custody", D(2024, 6, 11), today)
    assert clock is not None and clock.state == "breach" and clock.due == D(2024, 6, 11)
    assert "11/06/2024" in clock.text and clock.statute == "s84(1)(d)"
    assert release_not_recorded("custody", today, today) is None
    assert release_not_recorded("community", D(2024, 6, 1), today) is None
    assert release_not_recorded("custody", None, today) is None


def test_duties_after_the_notification_period_are_not_owed() -> None:
    events = [
        Event("initial", D(2023, 3, 1), D(2023, 3, 1)),
        Event("change_of_name", D(2024, 5, 1)),
    ]
    found = clocks(events, on=D(2024, 6, 1), period_ends_on=D(2024, 3, 1))
    assert [c.rule for c in found] == ["initial", "periodic"]
    assert clocks(events[:1], on=D(2024, 6, 1), period_ends_on=D(2024, 2, 28))[-1].rule == "initial"


def test_notification_period_is_s82_halved_under_18() -> None:
    adult = nc.notification_period(
        sentence_kind="caution",
        sentence_months=None,
        starts_on=D(2024, 1, 1),
        date_of_birth=D(1990, 1, 1),
        convicted_on=D(2024, 1, 1),
    )
    juvenile = nc.notification_period(
        sentence_kind="caution",
        sentence_months=None,
        starts_on=D(2024, 1, 1),
        date_of_birth=D(2008, 1, 1),
        convicted_on=D(2024, 1, 1),
    )
    assert isinstance(adult, nc.NotificationPeriod)
    assert (adult.months, juvenile.months) == (24, 12)


def test_bad_facts_are_refused() -> None:
    with pytest.raises(ValueError, match="no notification clock"):
        Event("parking_ticket", D(2024, 1, 1))
    with pytest.raises(ValueError, match="custody, hospital or abroad"):
        Pause(D(2024, 1, 1), None, "holiday")
    with pytest.raises(ValueError, match="ends on or after"):
        Pause(D(2024, 1, 2), D(2024, 1, 1))


def test_clocks_come_earliest_due_first() -> None:
    events = [
        Event("foreign_travel", D(2024, 9, 1)),
        Event("initial", D(2024, 3, 1), D(2024, 3, 2)),
        Event("change_of_address", D(2024, 6, 1)),
    ]
    found = clocks(events, on=D(2024, 6, 2))
    assert [c.due for c in found] == sorted(c.due for c in found)
    assert [c.rule for c in found] == ["initial", "change_of_address", "foreign_travel", "periodic"]


# -- properties ----------------------------------------------------------------------------------

days = st.dates(min_value=D(2020, 1, 1), max_value=D(2026, 12, 31))
COUNTED_KINDS = sorted(nc.COUNTED)


@st.composite
def pauses_(draw: st.DrawFn, max_size: int = 4) -> list[Pause]:
    found = []
    for _ in range(draw(st.integers(0, max_size))):
        start = draw(days)
        length = draw(st.none() | st.integers(0, 60))
        kind = draw(st.sampled_from(sorted(nc.PAUSE_KINDS)))
        found.append(
            Pause(start, None if length is None else start + dt.timedelta(days=length), kind)
        )
    return found


@st.composite
def events_(draw: st.DrawFn) -> list[Event]:
    found = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(sorted(nc.KINDS)))
        on = draw(days)
        notified = draw(
            st.none() | st.integers(-10, 30).map(lambda n, on=on: on + dt.timedelta(days=n))
        )
        details: dict[str, object] = {}
        if kind == "advance_notice" and draw(st.booleans()):
            details["happened_on"] = on + dt.timedelta(days=draw(st.integers(-5, 8)))
        found.append(Event(kind, on, notified, details))
    return found


def key(clock: Clock) -> tuple[str, dt.date]:
    return (clock.rule, clock.event_on)


@given(events=events_(), pauses=pauses_(), extra=pauses_(max_size=2), on=days)
@settings(max_examples=300, deadline=None)
def test_a_pause_never_shortens_a_deadline(
    events: list[Event], pauses: list[Pause], extra: list[Pause], on: dt.date
) -> None:
    before = sorted(clocks(events, pauses, on=on), key=key)
    after = sorted(clocks(events, pauses + extra, on=on), key=key)
    assert [key(c) for c in before] == [key(c) for c in after]
    for old, new in zip(before, after, strict=True):
        assert new.due >= old.due


@given(start=days, n=st.integers(0, 10), pauses=pauses_(), extra=pauses_(max_size=2), on=days)
def test_running_days_count_only_running_days(
    start: dt.date, n: int, pauses: list[Pause], extra: list[Pause], on: dt.date
) -> None:
    due = add_running_days(start, n, pauses, on=on)
    assert due >= start + dt.timedelta(days=n)
    assert add_running_days(start, n, pauses + extra, on=on) >= due
    assert add_running_days(start, n, [], on=on) == start + dt.timedelta(days=n)
    spans = nc._merged(pauses, on)
    running = sum(
        1
        for i in range(1, (due - start).days + 1)
        if nc._span_holding(start + dt.timedelta(days=i), spans) is None
    )
    assert running == n
    if n:
        assert nc._span_holding(due, spans) is None  # the due day is itself a running day


@given(last=days, pauses=pauses_(), extra=pauses_(max_size=2), weekly=st.booleans(), on=days)
def test_s85_pauses_never_bring_the_periodic_date_forward(
    last: dt.date, pauses: list[Pause], extra: list[Pause], weekly: bool, on: dt.date
) -> None:
    plain = next_periodic_due(last, [], weekly=weekly)
    with_pauses = next_periodic_due(last, pauses, weekly=weekly, on=on)
    assert plain == last + (dt.timedelta(days=7) if weekly else relativedelta(years=1))
    assert with_pauses >= plain
    assert next_periodic_due(last, pauses + extra, weekly=weekly, on=on) >= with_pauses


@given(
    history=events_(),
    kind=st.sampled_from(COUNTED_KINDS),
    gap=st.integers(1, 400),
    pauses=pauses_(),
    travel_after=st.integers(1, 30),
)
@settings(max_examples=300, deadline=None)
def test_a_change_always_resets_the_periodic_date(
    history: list[Event], kind: str, gap: int, pauses: list[Pause], travel_after: int
) -> None:
    made = [e.notified_on for e in history if e.notified_on is not None]
    notified = max([D(2020, 1, 1), *made]) + dt.timedelta(days=gap)
    on = notified + dt.timedelta(days=travel_after + 1)
    change = Event(kind, notified - DAY, notified)
    travel = Event(
        "foreign_travel", on + dt.timedelta(days=20), notified + dt.timedelta(days=travel_after)
    )
    chain = periodic(clocks([*history, change, travel], pauses, on=on))
    latest = chain[-1]
    assert latest.rule == "periodic" and latest.event_on == notified
    assert latest.due == next_periodic_due(notified, pauses, on=on)
    if nc._span_holding(notified + relativedelta(years=1), nc._merged(pauses, on)) is None:
        assert latest.due == notified + relativedelta(years=1)  # exactly a year


@given(
    kind=st.sampled_from(
        [*COUNTED_KINDS, "advance_notice", "foreign_travel", "foreign_travel_change"]
    ),
    a=days,
    b=days,
    pauses=pauses_(),
)
def test_deadlines_are_monotone_in_the_event_date(
    kind: str, a: dt.date, b: dt.date, pauses: list[Pause]
) -> None:
    early, late = sorted((a, b))
    on = D(2027, 6, 1)
    assert one(Event(kind, early), pauses, on=on).due <= one(Event(kind, late), pauses, on=on).due


@given(events=events_(), pauses=pauses_(), on=days, seed=st.integers(0, 2**16))
def test_deterministic_whatever_the_order(
    events: list[Event], pauses: list[Pause], on: dt.date, seed: int
) -> None:
    first = clocks(events, pauses, on=on)
    shuffled_events, shuffled_pauses = list(events), list(pauses)
    random.Random(seed).shuffle(shuffled_events)
    random.Random(seed + 1).shuffle(shuffled_pauses)
    assert clocks(shuffled_events, shuffled_pauses, on=on) == first
    assert clocks(events, pauses, on=on) == first


@given(events=events_(), pauses=pauses_(), on=days)
def test_states_follow_the_due_date(events: list[Event], pauses: list[Pause], on: dt.date) -> None:
    for clock in clocks(events, pauses, on=on):
        assert clock.state in nc.STATES
        if clock.satisfied_on is not None:
            assert clock.satisfied_on <= on
            assert clock.state == ("met" if clock.satisfied_on <= clock.due else "breach")
        else:
            assert clock.state == ("breach" if on > clock.due else "due")
        assert clock.paused <= (clock.state == "due")
        assert clock.due.strftime("%d/%m/%Y") in clock.text or clock.rule == "advance_notice"


@given(
    stays=st.lists(
        st.tuples(st.dates(D(2023, 1, 1), D(2025, 6, 30)), st.integers(0, 9)), max_size=6
    )
)
def test_qualifying_stay_matches_a_day_by_day_count(stays: list[tuple[dt.date, int]]) -> None:
    pairs = [(start, start + dt.timedelta(days=n)) for start, n in stays]
    stayed = {s + dt.timedelta(days=i) for s, e in pairs for i in range((e - s).days + 1)}

    def qualifies(day: dt.date) -> bool:
        opens = day - relativedelta(months=12)
        return day in stayed and sum(1 for d in stayed if opens < d <= day) >= 7

    expected = min((d for d in stayed if qualifies(d)), default=None)
    assert qualifying_stay_date(pairs) == expected
