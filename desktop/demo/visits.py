"""Three years of double-crewed home visits, and the PPNs that visits with children present raised.

PPNs go through their steps as `desktop.services.ppns` records them (who submitted, reviewed at
the MASH and recorded social care's decision; the follow-up day from `desktop.rules.ppn`), and
three within three months for an offender or a household raise a PPN escalation for the
offender's sergeant exactly as the rule says (`desktop.rules.ppn.escalation_window`): open when
recent, acknowledged by the sergeant when older. A few offenders in each team have three recent
PPNs, so an open escalation can be seen; near today some drafts are past 24 hours and some
follow-ups overdue, so a late PPN shows as a breach to the sergeant.

Visits follow the cadence of the risk level in force at the time, land on working days in varied
time bands (never the previous visit's weekday and band), and are crewed by two different officers
of the team who were both on duty that day, within the daily limit.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Callable

from desktop.demo.dates import DAY, LONDON, add_months, at
from desktop.demo.names import (
    HOME_CIRCUMSTANCES,
    MASH_OUTCOMES,
    PPN_CONCERNS,
    SOCIAL_CARE_DECISIONS,
)
from desktop.demo.world import Case, Member, Row, World
from desktop.rules import ppn as ppn_rules
from desktop.rules.policy_defaults import DEFAULTS, VISIT_CADENCE_MONTHS
from desktop.rules.scheduler import CLASH_MINUTES
from desktop.rules.workdays import add_working_days

HOUR = dt.timedelta(hours=1)
MINUTE = dt.timedelta(minutes=1)
BANDS = {"morning": (8, 11), "afternoon": (12, 16), "evening": (17, 20)}
BAND_WEIGHTS = (34, 33, 33)
OUTCOMES = ("completed", "no_access", "refused_entry", "cancelled")
OUTCOME_WEIGHTS = (90, 6, 2, 2)
DAILY_LIMIT = int(DEFAULTS["visits_per_officer_per_day"])
# The visit service refuses an officer's two visits closer than this; the demo keeps to it.
CLASH = dt.timedelta(minutes=CLASH_MINUTES)


def build_visits(world: World, progress: Callable[[str], None]) -> None:
    _designate(world)
    raised: list[tuple[Case, Row]] = []
    for n, case in enumerate(world.cases, start=1):
        _case_visits(world, case, raised)
        if n % 800 == 0:
            progress(f"visits {n}/{len(world.cases)}")
    progress("visits")
    _ppns(world, raised)
    progress("PPNs")


def _designate(world: World) -> None:
    """About 6% are left overdue on purpose (more fall behind by chance: failed attempts near
    today), and a handful end with two failed attempts in a row."""
    rng = world.rng
    eligible = [
        c
        for c in world.cases
        if c.row["status"] == "community"
        and not c.new_conviction
        and c.reactive_since is None
        and not c.recent_release
        and (world.on - c.community_from).days > 400
    ]
    chosen = rng.sample(eligible, round(len(world.cases) * 0.065))
    for case in chosen:
        case.overdue = True
    for case in chosen[: max(3, round(len(world.cases) * 0.005))]:
        case.failed_pair = True


def _cadence_days(level: str) -> int:
    return round(VISIT_CADENCE_MONTHS[level] * 30.44)


def _case_visits(world: World, case: Case, raised: list[tuple[Case, Row]]) -> None:
    rng, on = world.rng, world.on
    if case.new_conviction:
        _pre_sentence(world, case, raised)
        return
    start = max(world.window_start, case.community_from)
    end = case.away_since if case.row["status"] != "community" and case.away_since else on
    last_key: tuple[int, str] | None = None
    if case.overdue:
        end = min(end, on - DAY * (_cadence_days(case.level) + rng.randint(10, 60)))
    if case.released_on and case.released_on >= world.window_start:
        due, purpose, earliest = case.released_on + DAY * rng.randint(0, 3), "post_release", None
    elif case.convicted_on >= world.window_start and case.community_from == case.convicted_on:
        due, purpose, earliest = case.convicted_on + DAY * rng.randint(1, 7), "pre_sentence", None
    else:
        due = start + DAY * rng.randrange(_cadence_days(case.level_on(start)))
        purpose, earliest = "routine", None
    while True:
        if case.reactive_since and due >= case.reactive_since and purpose == "routine":
            break
        level = case.level_on(due)
        spread = _cadence_days(level) // 4 if purpose == "routine" else 0
        first = due - DAY * spread
        if earliest is not None:
            first = max(first, earliest)
        first = max(first, start)
        day = _visit_day(world, first, due)
        if day >= end:
            if end == on and not case.overdue and day < on + DAY * 28 and rng.random() < 0.6:
                _visit(world, case, day, (first, due), purpose, last_key, planned=True)
            break
        visit = _visit(world, case, day, (first, due), purpose, last_key)
        if visit is None:
            due += DAY * 3
            continue
        last_key = _key(visit)
        if visit["ppn_decision"] == "ppn_raised":
            raised.append((case, visit))
        happened = visit["planned_at"].date()
        if visit["outcome"] == "completed":
            due = add_months(happened, VISIT_CADENCE_MONTHS[level])
            purpose, earliest = "routine", happened + DAY * 7
        else:
            due = happened + DAY * rng.randint(3, 14)
            earliest = happened + DAY
    if case.failed_pair:
        for back in (rng.randint(14, 20), rng.randint(3, 8)):
            day = on - DAY * back
            visit = _visit(
                world,
                case,
                day,
                (day, day + DAY * 2),
                "routine",
                last_key,
                outcome=rng.choice(("no_access", "refused_entry")),
            )
            if visit is not None:
                last_key = _key(visit)
    if case.overdue and rng.random() < 0.5:
        day = on + DAY * rng.randint(1, 21)
        _visit(world, case, day, (on, day), "routine", last_key, planned=True)


def _visit_day(world: World, first: dt.date, last: dt.date) -> dt.date:
    """A random day in the window that is a visit day, if a few draws find one."""
    for _ in range(4):
        day = first + DAY * world.rng.randint(0, max(0, (last - first).days))
        if world.calendar.is_visit_day(day):
            break
    return day


def _pre_sentence(world: World, case: Case, raised: list[tuple[Case, Row]]) -> None:
    """Newly convicted: a few already seen before sentence, most with a visit planned by the
    sentencing date (or within a week of conviction when no date is set)."""
    rng, on = world.rng, world.on
    deadline = case.sentenced_on or case.convicted_on + DAY * 7
    since = (on - case.convicted_on).days
    if since >= 3 and rng.random() < 0.3:
        day = case.convicted_on + DAY * rng.randint(1, since - 1)
        visit = _visit(world, case, day, (case.convicted_on, deadline), "pre_sentence", None)
        if visit is not None:
            if visit["ppn_decision"] == "ppn_raised":
                raised.append((case, visit))
            return
    day = max(on, min(deadline, on + DAY * rng.randint(1, 5)))
    _visit(
        world,
        case,
        day,
        (case.convicted_on, max(deadline, day)),
        "pre_sentence",
        None,
        planned=True,
    )


def band_of(planned_at: dt.datetime) -> str:
    """The time band of a visit, by the clock in England."""
    hour = planned_at.astimezone(LONDON).hour
    return "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"


def _key(visit: Row) -> tuple[int, str]:
    local = visit["planned_at"].astimezone(LONDON)
    return local.weekday(), band_of(visit["planned_at"])


def _visit(
    world: World,
    case: Case,
    day: dt.date,
    window: tuple[dt.date, dt.date],
    purpose: str,
    last_key: tuple[int, str] | None,
    *,
    planned: bool = False,
    outcome: str | None = None,
) -> Row | None:
    rng, on = world.rng, world.on
    crew: tuple[Member, Member] | None = None
    planned_at: dt.datetime | None = None
    for _ in range(10):
        if world.calendar.is_visit_day(day) and (planned or day < on):
            crew = _crew(world, case, day)
            if crew is not None:
                planned_at = _free_time(world, crew, day, last_key)
                if planned_at is not None:
                    break
        day += DAY
    if crew is None or planned_at is None or (not planned and day >= on):
        return None
    for officer in crew:
        world.visits_on[(officer.id, day)] += 1
        world.booked[(officer.id, day)].append(planned_at)
    announced = rng.random() < 0.05
    row = world.rows.add(
        "visit",
        offender_id=case.row["id"],
        planned_at=planned_at,
        window_start=window[0],
        window_end=max(window[1], window[0]),
        outside_window_reason="",
        officer1_id=crew[0].id,
        officer2_id=crew[1].id,
        announced=announced,
        announced_reason="Works away in the week; appointment made to be sure of finding them in."
        if announced
        else "",
        purpose=purpose,
        outcome="planned",
        occurred_at=None,
        home_circumstances="",
        children_present=None,
        ppn_decision=None,
        ppn_decision_reason="",
        notes="",
        record_state="draft",
        planned_by_id=case.om.id,
        created_at=world.stamp(min(day - DAY * rng.randint(1, 20), on - DAY)),
        submitted_at=None,
        decided_by_id=None,
        decided_at=None,
        decided_as_cover_for_id=None,
    )
    if row["window_end"] < day:
        row["outside_window_reason"] = "Both officers unavailable earlier in the window."
    case.visits.append(row)
    if planned:
        return row
    result = outcome or rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0]
    row["outcome"] = result
    if result == "cancelled":
        row["notes"] = "Cancelled: crew redeployed to an urgent job."
        world.decide(row, case.om, world.stamp(day, start=9, end=17), (crew[0].id, crew[1].id))
        row["record_state"] = "approved"
        return row
    occurred = planned_at + MINUTE * rng.randint(-10, 25)
    row["occurred_at"] = occurred
    if result == "completed":
        row["home_circumstances"] = rng.choice(HOME_CIRCUMSTANCES)
        children = case.children_on(day)
        row["children_present"] = bool(children) and rng.random() < 0.55
        if row["children_present"]:
            if rng.random() < 0.25:
                row["ppn_decision"] = "ppn_raised"
            else:
                row["ppn_decision"] = "no_ppn_needed"
                row["ppn_decision_reason"] = (
                    "Contact known to children's social care and supervised by the mother."
                )
    else:
        row["notes"] = (
            "No reply at the door."
            if result == "no_access"
            else ("Offender refused entry at the door; reminded of the power of entry.")
        )
    world.decide(
        row, case.om, occurred + MINUTE * rng.randint(20, 26 * 60), (crew[0].id, crew[1].id)
    )
    row["record_state"] = "approved"
    return row


def _free_time(
    world: World, crew: tuple[Member, Member], day: dt.date, last_key: tuple[int, str] | None
) -> dt.datetime | None:
    """A start time on `day` in a band other than the previous visit's weekday and band, at
    least CLASH_MINUTES from every other visit of either officer that day; None when the day
    has no such time. Visits planned for today start after now."""
    rng = world.rng
    booked = [t for officer in crew for t in world.booked[(officer.id, day)]]
    for _ in range(12):
        band = rng.choices(tuple(BANDS), BAND_WEIGHTS)[0]
        if (day.weekday(), band) == last_key:
            band = rng.choice([b for b in BANDS if b != band])
        first_hour, last_hour = BANDS[band]
        candidate = at(day, rng.randint(first_hour, last_hour), rng.choice((0, 15, 30, 45)))
        if day == world.on and candidate <= world.now:
            continue
        if all(abs(candidate - t) >= CLASH for t in booked):
            return candidate
    return None


def _crew(world: World, case: Case, day: dt.date) -> tuple[Member, Member] | None:
    """The offender manager (most of the time) and a second officer of the team, both on duty
    and under the daily visit limit."""
    rng = world.rng
    om = case.om
    team_oms = world.oms[case.team.id]

    def free(member: Member) -> bool:
        return member.on_duty(day) and world.visits_on[(member.id, day)] < DAILY_LIMIT

    first: Member | None = om if free(om) and rng.random() < 0.92 else None
    for _ in range(6):
        if first is not None:
            break
        candidate = rng.choice(team_oms)
        if free(candidate):
            first = candidate
    if first is None:
        return None
    other_sergeants = [s for s in world.sergeants[case.team.id] if s.id != om.supervisor_id]
    for _ in range(6):
        if other_sergeants and rng.random() < 0.12:
            candidate = rng.choice(other_sergeants)
        else:
            candidate = rng.choice(team_oms)
        if candidate is not first and free(candidate):
            return first, candidate
    return None


def _ppns(world: World, raised: list[tuple[Case, Row]]) -> None:
    rng, now = world.rng, world.now
    for case, visit in raised:
        concern_at = visit["occurred_at"] + MINUTE * rng.randint(15, 45)
        age = (now - concern_at).days
        if age > 180:
            target = "closed"
        elif age > 10:
            target = "awaiting_social_care" if rng.random() < 0.45 else "closed"
        elif age > 2:
            target = rng.choices(("submitted", "awaiting_social_care", "closed"), (25, 50, 25))[0]
        else:
            target = "submitted"
        _ppn(world, case, visit, concern_at, target, late=rng.random() < 0.08)
    # Open PPNs in every state near today, whatever the visits happened to raise.
    households = [
        c
        for c in world.cases
        if c.has_child_household and c.row["status"] == "community" and c.children_on(world.on)
    ]
    picks = rng.sample(households, min(6, len(households)))
    hours_ago = (3, 9, 30, 50, 70, 90)
    for i, case in enumerate(picks):
        target = "draft" if i < 3 else "submitted"
        _ppn(world, case, None, now - HOUR * hours_ago[i], target, late=i == 5)
    _repeated_concerns(world, households, set(map(id, picks)))
    _escalations(world)


def _repeated_concerns(world: World, households: list[Case], taken: set[int]) -> None:
    """Up to two offenders a team with three PPNs in the last three months, the last days ago.
    A copy of the random source, so that nothing generated after the PPNs changes."""
    rng = random.Random()
    rng.setstate(world.rng.getstate())
    per_team: dict[int, int] = defaultdict(int)
    for case in households:
        if id(case) in taken or per_team[case.team.id] >= 2:
            continue
        per_team[case.team.id] += 1
        for days_ago, target in ((75, "closed"), (33, "awaiting_social_care"), (3, "submitted")):
            concern_at = world.now - DAY * days_ago - HOUR * rng.randint(2, 30)
            _ppn(world, case, None, concern_at, target, late=False, rng=rng)


def _escalations(world: World) -> None:
    """A PPN escalation for the offender's sergeant wherever a PPN's concern makes three within
    three months for the offender or the household, and no escalation of the offender is open:
    as `PpnService` raises them. Those raised more than a week ago have been acknowledged."""
    policy = DEFAULTS["ppn_escalation"]
    count, months = int(policy["count"]), int(policy["months"])
    cases = {c.row["id"]: c for c in world.cases}
    ppns = sorted(world.rows.tables.get("ppn", []), key=lambda p: (p["concern_at"], p["id"]))
    days: dict[tuple[str, object], list[dt.date]] = defaultdict(list)
    open_until: dict[int, dt.datetime] = {}  # offender id -> when their escalation was done
    for ppn in ppns:
        day = ppn["concern_at"].astimezone(LONDON).date()
        bases = [("offender", ppn["offender_id"])]
        if ppn["household_key"]:
            bases.append(("household", ppn["household_key"]))
        for basis in bases:
            days[basis].append(day)
        escalates = any(
            ppn_rules.escalates(days[basis], day, count=count, months=months) for basis in bases
        )
        offender_id = ppn["offender_id"]
        if not escalates or open_until.get(offender_id, ppn["raised_at"]) > ppn["raised_at"]:
            continue
        case = cases[offender_id]
        created = ppn["raised_at"]
        task = world.add_task(
            kind="ppn_escalation",
            offender_id=offender_id,
            owner_id=case.om.supervisor_id,
            team_id=case.team.id,
            subject_type="ppn",
            subject_id=ppn["id"],
            title=f"Three PPNs in three months: {case.row['reference']} "
            f"({case.row['forename']} {case.row['surname']})",
            created_at=created,
            due_on=add_working_days(created.astimezone(LONDON).date(), 1),
        )
        task["created_by_id"] = ppn["raised_by_id"]
        done = created + DAY
        if done + 6 * DAY < world.now:
            task.update(
                state="done",
                completed_by_id=case.om.supervisor_id,
                completed_at=done,
                comment="Reviewed the PPNs with the offender manager; the risk management plan "
                "covers the children in the household.",
            )
            open_until[offender_id] = done
        else:
            open_until[offender_id] = dt.datetime.max.replace(tzinfo=dt.UTC)


def _ppn(
    world: World,
    case: Case,
    visit: Row | None,
    concern_at: dt.datetime,
    target: str,
    *,
    late: bool,
    rng: random.Random | None = None,
) -> None:
    rng, now = rng or world.rng, world.now
    children = case.children_on(concern_at.date())
    raised_at = concern_at + MINUTE * rng.randint(10, 180)
    submitted_at = concern_at + (
        HOUR * rng.randint(25, 72) if late else MINUTE * rng.randint(200, 20 * 60)
    )
    if submitted_at.astimezone(LONDON).date() != submitted_at.date():
        submitted_at -= HOUR  # not in the hour after midnight (BST), when the days disagree
    mash_at = submitted_at + HOUR * rng.randint(4, 72)
    decided_on = mash_at.date() + DAY * rng.randint(1, 14)
    closed_at = max(at(decided_on, rng.randint(9, 16)), mash_at + HOUR)
    stages = ("draft", "submitted", "awaiting_social_care", "closed")
    reached = stages.index(target)
    for stage, when in ((1, submitted_at), (2, mash_at), (3, closed_at)):
        if when >= now:
            reached = min(reached, stage - 1)
    state = stages[reached]
    raised_by = visit["officer1_id"] if visit is not None else case.om.id
    closed = reached >= 3
    ppn = world.rows.add(
        "ppn",
        offender_id=case.row["id"],
        visit_id=visit["id"] if visit is not None else None,
        household_key=case.postcode_on(concern_at.date()),
        grade=rng.choices(("red", "amber", "green"), (10, 45, 45))[0],
        concern=rng.choice(PPN_CONCERNS),
        concern_at=concern_at,
        raised_by_id=raised_by,
        raised_at=min(raised_at, now - MINUTE),
        state=state,
        submitted_at=submitted_at if reached >= 1 else None,
        submitted_by_id=raised_by if reached >= 1 else None,
        submission_reference="",
        mash_reviewed_at=mash_at if reached >= 2 else None,
        mash_outcome=rng.choice(MASH_OUTCOMES) if reached >= 2 else "",
        mash_reviewed_by_id=raised_by if reached >= 2 else None,
        follow_up_due_on=ppn_rules.follow_up_due(submitted_at, int(DEFAULTS["ppn_follow_up_days"]))
        if reached >= 1
        else None,
        social_care_decision=rng.choice(SOCIAL_CARE_DECISIONS) if closed else "",
        social_care_decided_on=decided_on if closed else None,
        social_care_source=f"Children's social care, {case.team.towns[0]}" if closed else "",
        decision_recorded_by_id=raised_by if closed else None,
        closed_at=closed_at if closed else None,
    )
    if reached >= 1:
        ppn["submission_reference"] = f"MASH/{submitted_at.year}/{ppn['id']:05d}"
    for child in children:
        world.rows.add(
            "ppn_subject",
            ppn_id=ppn["id"],
            household_member_id=child["id"],
            name=child["name"],
            date_of_birth=child["date_of_birth"],
            is_child=True,
            relationship="",  # a household member's is on the household record
        )
    if state == "awaiting_social_care":
        world.add_task(
            kind="ppn_follow_up",
            offender_id=case.row["id"],
            owner_id=raised_by,
            team_id=case.team.id,
            subject_type="ppn",
            subject_id=ppn["id"],
            title=f"Follow up PPN with children's social care: {case.label}",
            created_at=mash_at,
            due_on=ppn["follow_up_due_on"],
        )
