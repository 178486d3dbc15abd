"""The visit scheduler (pure): worked examples and hypothesis properties. Every planned visit has
two distinct officers on duty that day, lies inside its window or is reported, never repeats the
previous weekday and time band, respects the daily limit and bank holidays; the evening share
holds; the same seed gives the same plan."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.rules.scheduler import (
    OfficerDuty,
    PlannedVisit,
    SchedulePlan,
    VisitRequest,
    check_plan,
    england_and_wales_bank_holidays,
    last_visit_day,
    plan_visits,
)
from desktop.rules.time_bands import LONDON, band_of

START = dt.date(2024, 12, 16)  # a Monday, with Christmas and Boxing Day ahead
END = START + dt.timedelta(days=27)
HOLIDAYS = england_and_wales_bank_holidays([2024, 2025])


def officer(name: str, team: str = "Alder", role: str = "offender_manager", off=()) -> OfficerDuty:
    return OfficerDuty(name, team, role, frozenset(off))


def request(n: int, first: dt.date, last: dt.date, manager: str | None = "om1", **kw: object):
    return VisitRequest(
        offender_ref=f"ZZ/2020/{n:06d}",
        offender_id=n,
        window_start=first,
        window_end=last,
        manager=manager,
        team=str(kw.pop("team", "Alder")),
        **kw,  # type: ignore[arg-type]
    )


def plan(requests, officers, **kw) -> SchedulePlan:  # type: ignore[no-untyped-def]
    options = {
        "start": START,
        "end": END,
        "seed": 7,
        "daily_limit": 4,
        "evening_share": 0.25,
        "bank_holidays": HOLIDAYS,
    }
    options.update(kw)
    return plan_visits(requests, officers, **options)  # type: ignore[arg-type]


def test_bank_holidays_of_england_and_wales() -> None:
    assert dt.date(2024, 12, 25) in HOLIDAYS and dt.date(2024, 12, 26) in HOLIDAYS
    assert dt.date(2025, 1, 1) in HOLIDAYS
    assert dt.date(2025, 1, 2) not in HOLIDAYS  # Scotland's second of January


def test_a_visit_is_crewed_by_the_manager_and_a_second_officer_inside_its_window() -> None:
    officers = [officer("om1"), officer("om2"), officer("sgt1", role="sergeant")]
    result = plan([request(1, START, START + dt.timedelta(days=5))], officers)
    assert not result.unplaceable
    (visit,) = result.planned
    assert visit.officers[0] == "om1" and visit.officers[1] == "om2"  # an OM before a sergeant
    assert visit.with_manager and not visit.announced
    assert START <= visit.at.date() <= START + dt.timedelta(days=5)
    assert visit.at.tzinfo == LONDON and visit.band == band_of(visit.at.time())
    assert visit.at.minute in (0, 30)


def test_the_sergeant_crews_when_no_other_offender_manager_is_on_duty() -> None:
    days = {START + dt.timedelta(days=n) for n in range(28)}
    officers = [officer("om1"), officer("om2", off=days), officer("sgt1", role="sergeant")]
    result = plan([request(1, START, END)], officers)
    assert result.planned[0].officers == ("om1", "sgt1")


def test_manager_off_duty_for_the_whole_window_is_crewed_by_two_others() -> None:
    window = [START + dt.timedelta(days=n) for n in range(7)]
    officers = [officer("om1", off=window), officer("om2"), officer("om3")]
    result = plan([request(1, window[0], window[-1])], officers)
    (visit,) = result.planned
    assert set(visit.officers) == {"om2", "om3"} and not visit.with_manager


def test_no_second_officer_on_duty_is_reported_with_the_reason() -> None:
    window = [START + dt.timedelta(days=n) for n in range(7)]
    officers = [officer("om1"), officer("om2", off=window), officer("om3", team="Birch")]
    result = plan([request(1, window[0], window[-1])], officers)
    assert not result.planned
    (problem,) = result.unplaceable
    assert problem.offender_ref == "ZZ/2020/000001"
    assert problem.reason.startswith("no second officer of Alder team on duty with om1")


def test_a_window_of_only_bank_holidays_or_a_sunday_is_carried_to_the_next_visit_days() -> None:
    officers = [officer("om1"), officer("om2")]
    christmas = request(1, dt.date(2024, 12, 25), dt.date(2024, 12, 26))
    sunday = request(2, dt.date(2024, 12, 22), dt.date(2024, 12, 22))
    result = plan([christmas, sunday], officers, start=dt.date(2024, 12, 22))
    assert not result.unplaceable
    by_id = {v.offender_id: v for v in result.planned}
    assert dt.date(2024, 12, 27) <= by_id[1].at.date() <= dt.date(2025, 1, 2)
    assert dt.date(2024, 12, 23) <= by_id[2].at.date() <= dt.date(2024, 12, 29)
    assert by_id[1].outside_window_reason.startswith("The window (25/12/2024 to 26/12/2024)")
    assert "no visit day" in by_id[2].outside_window_reason
    assert (
        check_plan(result, [christmas, sunday], officers, daily_limit=4, bank_holidays=HOLIDAYS)
        == []
    )


def test_no_visit_day_before_the_plan_ends_is_reported() -> None:
    officers = [officer("om1"), officer("om2")]
    last_day = dt.date(2024, 12, 29)  # a Sunday, the plan's last day
    late = request(1, last_day, last_day + dt.timedelta(days=6))
    result = plan([late], officers, end=last_day)
    assert not result.planned
    assert result.unplaceable[0].reason.startswith("no visit day in the window 29/12/2024")
    assert result.unplaceable[0].reason.endswith("so a later run can plan it")
    assert last_visit_day(START, last_day, HOLIDAYS) == dt.date(2024, 12, 28)
    assert last_visit_day(dt.date(2024, 12, 25), dt.date(2024, 12, 26), HOLIDAYS) == dt.date(
        2024, 12, 24
    )


def test_the_daily_limit_is_reported_when_it_is_what_stops_a_visit() -> None:
    officers = [officer("om1"), officer("om2")]
    day = dt.date(2024, 12, 17)
    requests = [request(n, day, day) for n in range(1, 4)]
    result = plan(requests, officers, daily_limit=2)
    assert len(result.planned) == 2
    assert "daily limit of 2 visits" in result.unplaceable[0].reason


def test_the_previous_pattern_is_never_repeated() -> None:
    officers = [officer("om1"), officer("om2")]
    day = dt.date(2024, 12, 17)  # a Tuesday
    requests = [request(n, day, day, previous=(1, "evening")) for n in range(1, 30)]
    result = plan(requests, officers, daily_limit=10, evening_share=1.0)
    assert result.planned and all(v.band != "evening" for v in result.planned)


def test_already_planned_visits_count_and_their_offenders_are_not_planned_again() -> None:
    officers = [officer("om1"), officer("om2")]
    day = dt.date(2024, 12, 17)
    existing = PlannedVisit(
        "ZZ/2020/000009", 9, dt.datetime(2024, 12, 17, 18, 0, tzinfo=LONDON), ("om1", "om2")
    )
    requests = [request(9, day, day), request(1, day, day), request(2, day, day)]
    result = plan(requests, officers, daily_limit=2, already_planned=[existing])
    assert len(result.planned) == 1 and len(result.unplaceable) == 1
    assert {result.planned[0].offender_id, result.unplaceable[0].offender_id} == {1, 2}


def test_re_running_with_the_plan_as_already_planned_plans_nothing_new() -> None:
    officers = [officer(f"om{n}") for n in range(1, 5)]
    requests = [request(n, START, END, manager=f"om{n % 4 + 1}") for n in range(1, 40)]
    first = plan(requests, officers)
    again = plan(requests, officers, already_planned=first.planned)
    assert again.planned == [] and again.unplaceable == []


def test_a_plan_starting_today_uses_no_time_already_past() -> None:
    officers = [officer("om1"), officer("om2")]
    day = dt.date(2024, 12, 17)
    now = dt.datetime(2024, 12, 17, 19, 45, tzinfo=LONDON)
    result = plan([request(1, day, day)], officers, earliest=now)
    assert result.planned[0].at > now


def test_load_is_spread_over_days_and_officers() -> None:
    officers = [officer(f"om{n}") for n in range(1, 7)]
    requests = [request(n, START, END, manager=f"om{n % 6 + 1}") for n in range(1, 121)]
    result = plan(requests, officers)
    assert len(result.planned) == 120
    per_day = Counter(v.at.date() for v in result.planned)
    assert max(per_day.values()) - min(per_day.values()) <= 3
    per_officer = Counter(name for v in result.planned for name in v.officers)
    assert max(per_officer.values()) - min(per_officer.values()) <= 8


def test_the_evening_share_holds() -> None:
    officers = [officer(f"om{n}") for n in range(1, 5)]
    requests = [request(n, START, END, manager=f"om{n % 4 + 1}") for n in range(1, 81)]
    for share in (0.25, 0.4):
        result = plan(requests, officers, evening_share=share)
        evenings = sum(v.band == "evening" for v in result.planned)
        assert evenings >= math.ceil(share * len(result.planned))


# -- properties ---------------------------------------------------------------------------------

TEAMS = ("Alder", "Birch")
period_days = [START + dt.timedelta(days=n) for n in range(28)]


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, object]:
    officers: list[OfficerDuty] = []
    for team in TEAMS:
        for n in range(draw(st.integers(min_value=0, max_value=5))):
            role = draw(st.sampled_from(["offender_manager", "offender_manager", "sergeant"]))
            off = draw(st.sets(st.sampled_from(period_days), max_size=20))
            officers.append(OfficerDuty(f"{team.lower()}{n}", team, role, frozenset(off)))
    names = [o.username for o in officers]
    requests: list[VisitRequest] = []
    for n in range(draw(st.integers(min_value=0, max_value=40))):
        first = START + dt.timedelta(days=draw(st.integers(min_value=-10, max_value=30)))
        last = first + dt.timedelta(days=draw(st.integers(min_value=0, max_value=40)))
        previous = draw(
            st.none()
            | st.tuples(
                st.integers(min_value=0, max_value=6),
                st.sampled_from(["morning", "afternoon", "evening"]),
            )
        )
        requests.append(
            VisitRequest(
                offender_ref=f"ZZ/2021/{n:06d}",
                offender_id=n,
                window_start=first,
                window_end=last,
                manager=draw(st.none() | st.sampled_from(names)) if names else None,
                team=draw(st.sampled_from(TEAMS)),
                previous=previous,
                postcode_district=f"ZZ{n % 9 + 1}",
            )
        )
    already: list[PlannedVisit] = []
    for n in range(draw(st.integers(min_value=0, max_value=4))):
        if len(names) < 2:
            break
        crew = draw(st.lists(st.sampled_from(names), min_size=2, max_size=2, unique=True))
        day = draw(st.sampled_from(period_days))
        already.append(
            PlannedVisit(
                f"ZZ/2022/{n:06d}",
                1000 + n,
                dt.datetime.combine(day, dt.time(draw(st.integers(8, 20)), 0), tzinfo=LONDON),
                (crew[0], crew[1]),
            )
        )
    return {
        "requests": requests,
        "officers": officers,
        "daily_limit": draw(st.integers(min_value=1, max_value=4)),
        "evening_share": draw(st.sampled_from([0.0, 0.25, 0.33, 0.5])),
        "seed": draw(st.integers(min_value=0, max_value=2**32)),
        "already": already,
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_plan_keeps_every_rule_and_the_same_seed_gives_the_same_plan(
    scenario: dict[str, object],
) -> None:
    requests = scenario["requests"]
    officers = scenario["officers"]
    limit = scenario["daily_limit"]
    share = scenario["evening_share"]
    already = scenario["already"]
    assert isinstance(requests, list) and isinstance(officers, list)
    assert isinstance(limit, int) and isinstance(share, float) and isinstance(already, list)
    options = {
        "start": START,
        "end": END,
        "seed": scenario["seed"],
        "daily_limit": limit,
        "evening_share": share,
        "bank_holidays": HOLIDAYS,
        "already_planned": already,
    }
    result = plan_visits(requests, officers, **options)  # type: ignore[arg-type]
    problems = check_plan(
        result,
        requests,
        officers,
        daily_limit=limit,
        bank_holidays=HOLIDAYS,
        already_planned=already,
    )
    assert problems == []
    for visit in result.planned:
        assert visit.at.date() not in HOLIDAYS and visit.at.weekday() != 6
        assert visit.officers[0] != visit.officers[1]
    # same seed, same plan; inputs in another order too
    again = plan_visits(
        list(reversed(requests)),
        list(reversed(officers)),
        **options,  # type: ignore[arg-type]
    )
    assert again == result
    # the evening share holds whenever a visit could move to the evening
    evenings = sum(v.band == "evening" for v in result.planned)
    if evenings < math.ceil(share * len(result.planned)):
        _assert_no_visit_could_move_to_the_evening(result, requests, already)


def _assert_no_visit_could_move_to_the_evening(
    result: SchedulePlan, requests: list[VisitRequest], already: list[PlannedVisit]
) -> None:
    previous = {r.offender_id: r.previous for r in requests}
    evening_starts = [dt.time(17, 0), dt.time(20, 30)]
    for visit in result.planned:
        if visit.band == "evening":
            continue
        day = visit.at.date()
        if (day.weekday(), "evening") == previous[visit.offender_id]:
            continue
        others = [
            o
            for o in (*result.planned, *already)
            if o is not visit and o.at.date() == day and set(o.officers) & set(visit.officers)
        ]
        # the crew's evening is full: their other visits leave no hour free for a start
        taken = sorted(o.at.hour * 60 + o.at.minute for o in others)
        free = [m for m in range(17 * 60, 20 * 60 + 31, 30) if all(abs(m - t) >= 60 for t in taken)]
        assert not free, f"{visit.offender_ref} could have moved to the evening {evening_starts}"


def test_county_sized_plan_is_fast_and_keeps_the_rules() -> None:
    import random
    import time

    rng = random.Random(3)
    start = dt.date(2026, 11, 23)
    end = start + dt.timedelta(weeks=13) - dt.timedelta(days=1)
    all_days = [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]
    officers = []
    for t in range(4):
        for n in range(12):
            role = "sergeant" if n >= 10 else "offender_manager"
            off = set(rng.sample(all_days, 8))
            officers.append(OfficerDuty(f"t{t}o{n}", f"T{t}", role, frozenset(off)))
    requests = []
    for n in range(2346):
        team = n % 4
        first = start + dt.timedelta(days=rng.randint(-5, 80))
        length = rng.choice([6, 7, 23, 45, 91])
        requests.append(
            VisitRequest(
                f"ZZ/2019/{n:06d}",
                n,
                first,
                first + dt.timedelta(days=length),
                f"t{team}o{n % 10}",
                f"T{team}",
                previous=(rng.randrange(6), rng.choice(["morning", "afternoon", "evening"])),
            )
        )
    holidays = england_and_wales_bank_holidays([2026, 2027])
    began = time.perf_counter()
    result = plan_visits(
        requests,
        officers,
        start=start,
        end=end,
        seed=1,
        daily_limit=4,
        evening_share=0.25,
        bank_holidays=holidays,
    )
    took = time.perf_counter() - began
    assert check_plan(result, requests, officers, daily_limit=4, bank_holidays=holidays) == []
    assert len(result.planned) == 2346, result.unplaceable[:3]
    assert result.evening_share >= 0.25
    print(f"county-sized plan: {len(result.planned)} visits in {took:.2f} s")
    assert took < 10.0, f"{took:.2f} s"  # a guard against a blunder; the benchmark times it
