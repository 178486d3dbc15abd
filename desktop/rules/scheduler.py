"""The visit scheduler: double-crewed, unannounced home visits placed at random inside their
windows, reproducibly for a seed.

`plan_visits` takes one `VisitRequest` per offender who needs a visit (their window, manager,
team and the pattern of their previous visit) and the officers who can crew visits with the days
they are off duty, and returns a `SchedulePlan`: the visits placed and, for every request that
could not be placed, the reason in a sentence.

Rules every planned visit keeps:

- **Visit days**: Monday to Saturday, never a bank holiday in England and Wales. Evenings and
  Saturdays are used on purpose: unpredictability is the point. Sundays are not (the teams'
  rosters do not work them).
- **Inside the window**, and inside the plan's dates; otherwise the request is reported. One
  exception: a window that holds no visit day at all (it falls wholly on Sundays and bank
  holidays, such as a visit due on Christmas Day) is carried to the first `CARRY_DAYS` days after
  it, and the visit says why in `outside_window_reason`.
- **Double crewed**: two different officers of the offender's team, both on duty that day. The
  crew is the offender's manager and a second officer (offender managers first, sergeants when no
  offender manager is free). When the manager is off duty, or already at the daily limit, on
  every day of the window, two other officers of the team crew it and the visit says so
  (`with_manager` false); an unallocated offender is always crewed that way.
- **Daily limit**: no officer is on more than `daily_limit` visits a day, counting the visits
  already planned (`already_planned`).
- **No clash**: an officer's visits on a day start at least `CLASH_MINUTES` apart.
- **Never the previous pattern**: not the same weekday and time band as the previous visit to the
  offender.
- **Evening share**: at least `evening_share` of the planned visits (rounded up) are in the
  evening band, whenever the rules above leave room for it.
- **One visit per offender**, the next one: later visits depend on how this one goes, so they are
  planned by a later run. An offender with a visit in `already_planned` is not planned again, so
  re-running never duplicates.

How visits are placed: requests are taken most constrained first (fewest visit days in the
window, then the earliest end), each is given a band from a seeded shuffle that holds the evening
quota, and the day is the least loaded one for the crew (the manager's visits that day, then the
team's visits per officer on duty), ties broken at random; the time is a random free slot in the
band. Only `random.Random(seed)` is used and inputs are iterated in sorted order, so the same
inputs and seed give the same plan.

Times are aware datetimes in Europe/London wall time (`at.isoformat()` carries the offset).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from desktop.rules.time_bands import (
    AFTERNOON,
    BANDS,
    EVENING,
    MORNING,
    SLOTS,
    Pattern,
    band_of,
    describe_pattern,
    london_datetime,
    london_wall_time,
    minutes_of,
)
from desktop.rules.workdays import bank_holidays

DAY = dt.timedelta(days=1)
VISIT_WEEKDAYS = frozenset(range(6))  # Monday to Saturday
CLASH_MINUTES = 60
CARRY_DAYS = 7
OFFENDER_MANAGER = "offender_manager"
SERGEANT = "sergeant"


def last_visit_day(start: dt.date, end: dt.date, bank_holidays: frozenset[dt.date]) -> dt.date:
    """The last visit day from `start` to `end` (`start` - 1 day when there is none)."""
    day = end
    while day >= start and (day.weekday() not in VISIT_WEEKDAYS or day in bank_holidays):
        day -= DAY
    return day


def england_and_wales_bank_holidays(years: Iterable[int]) -> frozenset[dt.date]:
    """Every bank holiday in England and Wales in `years` (from the holidays library)."""
    days: set[dt.date] = set()
    for year in sorted(set(years)):
        days |= bank_holidays(year)
    return frozenset(days)


@dataclass(frozen=True)
class VisitRequest:
    """One offender who needs a visit in the plan's period."""

    offender_ref: str
    offender_id: int
    window_start: dt.date
    window_end: dt.date
    manager: str | None  # the offender manager's username; None when unallocated
    team: str
    previous: Pattern | None = None  # weekday (Monday 0) and band of the previous visit
    postcode_district: str = ""  # "ZZ3"
    purpose: str = "routine"  # routine | pre_sentence | post_release


@dataclass(frozen=True)
class OfficerDuty:
    """An officer who can crew visits, and the days they are off duty in the period."""

    username: str
    team: str
    role: str  # offender_manager | sergeant
    off_duty: frozenset[dt.date] = frozenset()


@dataclass(frozen=True)
class PlannedVisit:
    """One visit `plan_visits` placed: when (aware, Europe/London), the two officers, the window
    it serves and what it is for. `with_manager` is false when two other officers of the team crew
    it."""

    offender_ref: str
    offender_id: int
    at: dt.datetime  # aware, Europe/London
    officers: tuple[str, str]  # usernames; the manager first when on the crew
    announced: bool = False
    band: str = ""
    window_start: dt.date | None = None
    window_end: dt.date | None = None
    purpose: str = "routine"
    postcode_district: str = ""
    with_manager: bool = True
    outside_window_reason: str = ""  # set only when the window held no visit day
    team: str = ""


@dataclass(frozen=True)
class Unplaceable:
    """A visit request the scheduler could not place, and the reason in a sentence."""

    offender_ref: str
    offender_id: int
    reason: str


@dataclass(frozen=True)
class SchedulePlan:
    """What `plan_visits` returns for the days `start` to `end`: the visits placed, by time, and the
    requests it could not place, by offender reference. The same requests and seed give the same
    plan."""

    planned: list[PlannedVisit]
    unplaceable: list[Unplaceable]
    start: dt.date
    end: dt.date
    seed: int

    @property
    def evening_share(self) -> float:
        if not self.planned:
            return 0.0
        return sum(1 for v in self.planned if v.band == EVENING) / len(self.planned)


class _Calendar:
    """Visit days of the period, officers' duty and load by day index, and each officer's start
    times (minutes after midnight) per day for the clash check."""

    def __init__(
        self,
        officers: Sequence[OfficerDuty],
        days: list[dt.date],
        daily_limit: int,
    ) -> None:
        self.days = days
        self.index = {d: i for i, d in enumerate(days)}
        self.limit = daily_limit
        self.officers: dict[str, OfficerDuty] = {}
        for officer in sorted(officers, key=lambda o: o.username):
            self.officers.setdefault(officer.username, officer)
        self.on_duty: dict[str, list[bool]] = {
            name: [d not in o.off_duty for d in days] for name, o in self.officers.items()
        }
        self.load: dict[str, list[int]] = {name: [0] * len(days) for name in self.officers}
        self.times: dict[tuple[str, int], list[int]] = {}
        self.team_members: dict[str, list[str]] = {}
        for name, officer in self.officers.items():
            self.team_members.setdefault(officer.team, []).append(name)
        self.team_load: dict[str, list[int]] = {t: [0] * len(days) for t in self.team_members}
        self.team_on_duty: dict[str, list[int]] = {
            team: [sum(self.on_duty[m][i] for m in members) for i in range(len(days))]
            for team, members in self.team_members.items()
        }

    def free(self, name: str, day: int) -> bool:
        return self.on_duty[name][day] and self.load[name][day] < self.limit

    def clash_free(self, name: str, day: int, minute: int) -> bool:
        return all(abs(minute - t) >= CLASH_MINUTES for t in self.times.get((name, day), ()))

    def book(self, name: str, day: int, minute: int) -> None:
        if name in self.load:
            self.load[name][day] += 1
            self.team_load[self.officers[name].team][day] += 1
        self.times.setdefault((name, day), []).append(minute)

    def unbook(self, name: str, day: int, minute: int) -> None:
        if name in self.load:
            self.load[name][day] -= 1
            self.team_load[self.officers[name].team][day] -= 1
        self.times[(name, day)].remove(minute)

    def day_range(self, first: dt.date, last: dt.date) -> range:
        lo = bisect.bisect_left(self.days, first)
        hi = bisect.bisect_right(self.days, last)
        return range(lo, hi)


@dataclass
class _Placing:
    """A request placed while planning, as a day index and minutes after midnight; the evening
    top-up may still move it to the evening of the same day before it becomes a PlannedVisit."""

    request: VisitRequest
    day: int
    minute: int
    band: str
    crew: tuple[str, str]
    with_manager: bool
    outside_window_reason: str = ""


def plan_visits(
    requests: Sequence[VisitRequest],
    officers: Sequence[OfficerDuty],
    *,
    start: dt.date,
    end: dt.date,
    seed: int,
    daily_limit: int,
    evening_share: float,
    bank_holidays: frozenset[dt.date],
    already_planned: Sequence[PlannedVisit] = (),
    earliest: dt.datetime | None = None,
) -> SchedulePlan:
    """Plan one visit for each request (see the module notes). `earliest`, when given, is the
    first moment a visit may start (now, when the plan starts today)."""
    rng = random.Random(seed)
    days = [
        start + DAY * n
        for n in range((end - start).days + 1)
        if (start + DAY * n).weekday() in VISIT_WEEKDAYS and start + DAY * n not in bank_holidays
    ]
    cal = _Calendar(officers, days, max(0, daily_limit))
    earliest_local = london_wall_time(earliest) if earliest is not None else None

    taken: set[int] = set()
    for visit in sorted(already_planned, key=lambda v: (v.at, v.offender_id)):
        taken.add(visit.offender_id)
        local = london_wall_time(visit.at)
        day = cal.index.get(local.date())
        if day is None:
            continue
        minute = local.hour * 60 + local.minute
        for name in dict.fromkeys(visit.officers):
            cal.book(name, day, minute)

    unique: dict[int, VisitRequest] = {}
    for request in sorted(requests, key=lambda r: (r.offender_ref, r.offender_id)):
        if request.offender_id not in taken:
            unique.setdefault(request.offender_id, request)
    spans = {r.offender_id: _span(cal, r, start, end) for r in unique.values()}
    ordered = sorted(
        (
            (len(cal.day_range(*spans[r.offender_id][:2])), r.window_end, rng.random(), r)
            for r in unique.values()
        ),
        key=lambda item: item[:3],
    )
    todo = [item[3] for item in ordered]

    share = min(max(evening_share, 0.0), 1.0)
    evening_quota = math.ceil(share * len(todo))
    bands = [EVENING] * evening_quota + [
        rng.choice((MORNING, AFTERNOON)) for _ in range(len(todo) - evening_quota)
    ]
    rng.shuffle(bands)

    placings: list[_Placing] = []
    unplaceable: list[Unplaceable] = []
    evening_debt = 0
    for request, wanted in zip(todo, bands, strict=True):
        first = EVENING if evening_debt > 0 else wanted
        others = [b for b in BANDS if b != first]
        rng.shuffle(others)
        placing = None
        for band in (first, *others):
            placing = _place(cal, rng, request, band, spans[request.offender_id], earliest_local)
            if placing is not None:
                break
        if placing is None:
            why = _why(cal, request, start, end, spans[request.offender_id])
            unplaceable.append(Unplaceable(request.offender_ref, request.offender_id, why))
            continue
        placings.append(placing)
        if wanted == EVENING and placing.band != EVENING:
            evening_debt += 1
        elif wanted != EVENING and placing.band == EVENING and evening_debt > 0:
            evening_debt -= 1

    _top_up_evenings(cal, rng, placings, share, earliest_local)

    planned = [
        PlannedVisit(
            offender_ref=p.request.offender_ref,
            offender_id=p.request.offender_id,
            at=london_datetime(cal.days[p.day], dt.time(p.minute // 60, p.minute % 60)),
            officers=p.crew,
            announced=False,
            band=p.band,
            window_start=p.request.window_start,
            window_end=p.request.window_end,
            purpose=p.request.purpose,
            postcode_district=p.request.postcode_district,
            with_manager=p.with_manager,
            outside_window_reason=p.outside_window_reason,
            team=p.request.team,
        )
        for p in placings
    ]
    planned.sort(key=lambda v: (v.at, v.offender_ref))
    unplaceable.sort(key=lambda u: u.offender_ref)
    return SchedulePlan(planned=planned, unplaceable=unplaceable, start=start, end=end, seed=seed)


def _span(
    cal: _Calendar, request: VisitRequest, start: dt.date, end: dt.date
) -> tuple[dt.date, dt.date, str]:
    """The days a request may be placed in, and the reason when they lie outside its window."""
    first = max(request.window_start, start)
    last = min(request.window_end, end)
    if first <= last and not cal.day_range(first, last) and request.window_end <= end:
        carried = min(request.window_end + DAY * CARRY_DAYS, end)
        shown = f"{first:%d/%m/%Y}" if first == last else f"{first:%d/%m/%Y} to {last:%d/%m/%Y}"
        return (
            request.window_end + DAY,
            carried,
            f"The window ({shown}) holds no visit day (Sundays and bank holidays are not "
            "used); planned for the first visit days after it.",
        )
    return first, last, ""


def _place(
    cal: _Calendar,
    rng: random.Random,
    request: VisitRequest,
    band: str,
    span: tuple[dt.date, dt.date, str],
    earliest: dt.datetime | None,
) -> _Placing | None:
    window = cal.day_range(span[0], span[1])
    members = cal.team_members.get(request.team, [])
    manager = request.manager if request.manager in cal.officers else None
    candidates = [i for i in window if (cal.days[i].weekday(), band) != request.previous]
    if not candidates or len(members) + (manager not in members and manager is not None) < 2:
        return None
    team_load = cal.team_load.get(request.team)
    team_duty = cal.team_on_duty.get(request.team)

    def spread(i: int) -> int:
        if team_load is None or team_duty is None:
            return 0
        return team_load[i] // max(1, team_duty[i])

    for with_manager in (True, False) if manager is not None else (False,):
        if with_manager:
            assert manager is not None
            days = [i for i in candidates if cal.free(manager, i)]
            keyed = [(cal.load[manager][i] + spread(i), rng.random(), i) for i in days]
        else:
            days = candidates
            keyed = [(spread(i), rng.random(), i) for i in days]
        keyed.sort()
        for _key, _tie, i in keyed:
            placing = _crew_on(cal, rng, request, band, i, manager, with_manager, members, earliest)
            if placing is not None:
                for name in placing.crew:
                    cal.book(name, i, placing.minute)
                placing.outside_window_reason = span[2]
                return placing
    return None


def _crew_on(
    cal: _Calendar,
    rng: random.Random,
    request: VisitRequest,
    band: str,
    day: int,
    manager: str | None,
    with_manager: bool,
    members: list[str],
    earliest: dt.datetime | None,
) -> _Placing | None:
    """A crew and a free slot on `day`, or None."""
    slots = [minutes_of(t) for t in SLOTS[band]]
    if earliest is not None and cal.days[day] <= earliest.date():
        if cal.days[day] < earliest.date():
            return None
        now = earliest.hour * 60 + earliest.minute
        slots = [m for m in slots if m > now]
    if not slots:
        return None
    free = [
        (cal.officers[m].role != OFFENDER_MANAGER, cal.load[m][day], rng.random(), m)
        for m in members
        if m != manager and cal.free(m, day)
    ]
    free.sort()
    seconds = [item[3] for item in free]
    if with_manager:
        assert manager is not None
        pairs: Iterable[tuple[str, str]] = ((manager, s) for s in seconds)
    else:
        pairs = ((a, b) for n, a in enumerate(seconds) for b in seconds[n + 1 :])
    for crew in pairs:
        open_slots = [
            m for m in slots if cal.clash_free(crew[0], day, m) and cal.clash_free(crew[1], day, m)
        ]
        if open_slots:
            return _Placing(request, day, rng.choice(open_slots), band, crew, with_manager)
    return None


def _top_up_evenings(
    cal: _Calendar,
    rng: random.Random,
    placings: list[_Placing],
    share: float,
    earliest: dt.datetime | None,
) -> None:
    """Move visits into the evening of the same day, same crew, until the evening share holds
    (when a visit's previous pattern or its crew's other visits allow it)."""
    needed = math.ceil(share * len(placings)) - sum(1 for p in placings if p.band == EVENING)
    if needed <= 0:
        return
    daytime = [p for p in placings if p.band != EVENING]
    rng.shuffle(daytime)
    evening_slots = [minutes_of(t) for t in SLOTS[EVENING]]
    for placing in daytime:
        if needed <= 0:
            break
        day = placing.day
        if (cal.days[day].weekday(), EVENING) == placing.request.previous:
            continue
        for name in placing.crew:
            cal.unbook(name, day, placing.minute)
        slots = [
            m
            for m in evening_slots
            if all(cal.clash_free(name, day, m) for name in placing.crew)
            and (
                earliest is None
                or cal.days[day] > earliest.date()
                or m > earliest.hour * 60 + earliest.minute
            )
        ]
        if slots:
            placing.minute = rng.choice(slots)
            placing.band = EVENING
            needed -= 1
        for name in placing.crew:
            cal.book(name, day, placing.minute)


def _why(
    cal: _Calendar,
    request: VisitRequest,
    start: dt.date,
    end: dt.date,
    carried: tuple[dt.date, dt.date, str],
) -> str:
    """Why a request could not be placed, in a sentence."""
    if carried[2]:
        first, last = carried[0], carried[1]
        span = f"{first:%d/%m/%Y} to {last:%d/%m/%Y} (the window held no visit day)"
    else:
        first = max(request.window_start, start)
        last = min(request.window_end, end)
        span = f"{first:%d/%m/%Y} to {last:%d/%m/%Y}"
    if first > last:
        if request.window_end < start:
            ended = request.window_end
            return f"the visit window ended on {ended:%d/%m/%Y}, before the plan starts"
        return f"the visit window opens on {request.window_start:%d/%m/%Y}, after the plan ends"
    window = cal.day_range(first, last)
    if not window:
        later = (
            "; the window runs on after the plan ends, so a later run can plan it"
            if request.window_end > end
            else ""
        )
        return f"no visit day in the window {span} (Sundays and bank holidays are not used){later}"
    team = request.team
    members = cal.team_members.get(team, [])
    manager = request.manager if request.manager in cal.officers else None
    if len(members) + (manager is not None and manager not in members) < 2:
        return f"{team} team has fewer than two officers to crew a visit"
    on_duty = [i for i in window if sum(cal.on_duty[m][i] for m in members) >= 2]
    if manager is not None:
        manager_days = [i for i in window if cal.on_duty[manager][i]]
        others = [
            i for i in manager_days if any(cal.on_duty[m][i] for m in members if m != manager)
        ]
        if manager_days and not others and not on_duty:
            return f"no second officer of {team} team on duty with {manager} in the window {span}"
    if not on_duty:
        return f"no two officers of {team} team on duty on the same day in the window {span}"
    free_days = [i for i in on_duty if sum(cal.free(m, i) for m in members) >= 2]
    if not free_days:
        return (
            f"every {team} team officer on duty in the window {span} already has the daily "
            f"limit of {cal.limit} visits"
        )
    if request.previous is not None and len(window) == 1:
        return (
            f"the only visit day in the window, {cal.days[window[0]]:%d/%m/%Y}, has no free time "
            f"outside the previous visit's pattern ({describe_pattern(request.previous)}) and "
            "the crew's other visits"
        )
    return (
        f"no free time for two officers of {team} team in the window {span} that avoids the "
        "previous visit's pattern and the crew's other visits"
    )


def check_plan(
    plan: SchedulePlan,
    requests: Sequence[VisitRequest],
    officers: Sequence[OfficerDuty],
    *,
    daily_limit: int,
    bank_holidays: frozenset[dt.date],
    already_planned: Sequence[PlannedVisit] = (),
) -> list[str]:
    """Every rule a plan breaks, in sentences (empty when it keeps them all): for tests, the
    county check and anyone who wants to verify a plan they were given."""
    problems: list[str] = []
    by_name = {o.username: o for o in officers}
    by_id = {r.offender_id: r for r in requests}
    load: dict[tuple[str, dt.date], int] = {}
    times: dict[tuple[str, dt.date], list[int]] = {}
    for visit in already_planned:
        local = london_wall_time(visit.at)
        for name in set(visit.officers):
            load[(name, local.date())] = load.get((name, local.date()), 0) + 1
            times.setdefault((name, local.date()), []).append(local.hour * 60 + local.minute)
    seen: set[int] = set()
    planned_keys: set[tuple[str, dt.date]] = set()
    for visit in plan.planned:
        local = london_wall_time(visit.at)
        day = local.date()
        label = f"{visit.offender_ref} on {day:%d/%m/%Y}"
        request = by_id.get(visit.offender_id)
        if visit.offender_id in seen:
            problems.append(f"{visit.offender_ref} is planned twice")
        seen.add(visit.offender_id)
        if request is None:
            problems.append(f"{label}: no request asked for this visit")
            continue
        a, b = visit.officers
        if a == b:
            problems.append(f"{label}: one officer twice on the crew")
        for name in (a, b):
            officer = by_name.get(name)
            if officer is None:
                problems.append(f"{label}: {name} is not an officer who crews visits")
            elif day in officer.off_duty:
                problems.append(f"{label}: {name} is off duty")
            minute = local.hour * 60 + local.minute
            if any(abs(minute - t) < CLASH_MINUTES for t in times.get((name, day), ())):
                problems.append(f"{label}: {name} has another visit within an hour")
            times.setdefault((name, day), []).append(minute)
            load[(name, day)] = load.get((name, day), 0) + 1
            planned_keys.add((name, day))
        inside = max(request.window_start, plan.start) <= day <= min(request.window_end, plan.end)
        if not inside and not _carried(visit, request, plan, bank_holidays):
            problems.append(f"{label}: outside the window")
        if day in bank_holidays or day.weekday() not in VISIT_WEEKDAYS:
            problems.append(f"{label}: not a visit day")
        if request.previous is not None and (day.weekday(), visit.band) == request.previous:
            problems.append(f"{label}: same weekday and band as the previous visit")
        if visit.band != band_of(local.time()):
            problems.append(f"{label}: band {visit.band} does not match the time")
    for name, day in sorted(planned_keys):
        if load[(name, day)] > daily_limit:
            problems.append(f"{name} has {load[(name, day)]} visits on {day:%d/%m/%Y}")
    placed = {v.offender_id for v in plan.planned} | {u.offender_id for u in plan.unplaceable}
    taken = {v.offender_id for v in already_planned}
    for request in requests:
        if request.offender_id not in placed and request.offender_id not in taken:
            problems.append(f"{request.offender_ref} is neither planned nor reported")
    return problems


def _carried(
    visit: PlannedVisit,
    request: VisitRequest,
    plan: SchedulePlan,
    bank_holidays: frozenset[dt.date],
) -> bool:
    """A visit outside its window is allowed only when the window held no visit day, it says
    so, and it is within `CARRY_DAYS` after the window."""
    first = max(request.window_start, plan.start)
    last = min(request.window_end, plan.end)
    day = london_wall_time(visit.at).date()
    no_visit_day = all(
        d in bank_holidays or d.weekday() not in VISIT_WEEKDAYS
        for d in (first + DAY * n for n in range((last - first).days + 1))
    )
    return (
        bool(visit.outside_window_reason)
        and first <= last
        and no_visit_day
        and request.window_end < day <= request.window_end + DAY * CARRY_DAYS
    )
