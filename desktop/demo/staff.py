"""Teams, officers, their absences and named cover, and the policy table.

The absences on the day the data treats as today are fixed, because the story depends on them:
both Alder sergeants are away (one with named cover), a Cedar sergeant is on a course, and a few
offender managers are off. Everything else is drawn at random and never touches that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from desktop.demo.dates import DAY, at, years_before
from desktop.demo.names import FEMALE_FORENAMES, MALE_FORENAMES, SURNAMES, TEAMS
from desktop.demo.world import Member, TeamInfo, World
from desktop.rules.policy_defaults import DEFAULTS
from desktop.services.passwords import hash_password

DEMO_PASSWORD = "pillars-demo"

OMS_BY_TEAM = {"Alder": (1, 10), "Birch": (11, 20), "Cedar": (21, 30), "Damson": (31, 39)}
SERGEANTS_BY_TEAM = {"Alder": (1, 2), "Birch": (3, 4), "Cedar": (5, 6), "Damson": (7, 8)}

# username: kind, first and last day relative to `on`, named cover (usernames in order of choice)
AWAY_TODAY = {
    "sgt01": ("leave", -3, 9, ("sgt04", "tm01")),
    "sgt02": ("sickness", -1, 4, ()),
    "sgt05": ("training", 0, 2, ()),
    "om04": ("leave", -2, 5, ()),
    "om08": ("sickness", 0, 1, ()),
    "om15": ("sickness", -1, 1, ()),
    "om27": ("court", 0, 0, ()),
    "om33": ("leave", -6, 3, ()),
}
# Earlier stretches away that let approvals pile up over the last two months.
AWAY_RECENTLY = {
    "sgt01": ("training", -52, -50),
    "sgt02": ("sickness", -41, -22),
    "sgt05": ("leave", -33, -20),
}

POLICY_DESCRIPTIONS = {
    "visit_cadence_months": "Months between home visits for each risk level.",
    "reactive_management_after_years_low": (
        "Years at low risk after which an offender may move to reactive management."
    ),
    "evening_visit_share": "The share of planned visits placed in the evening.",
    "visits_per_officer_per_day": "The most visits one officer is planned for in a day.",
    "first_visit_after_conviction_days": (
        "Days after conviction by which a newly convicted offender is first visited when no "
        "sentencing date is known."
    ),
    "visit_after_release_days": "Days after release from custody by which a visit is due.",
    "failed_visits_before_warrant": (
        "Failed visits in a row after which a warrant to enter is considered."
    ),
    "arms_review_months": "Months after an ARMS assessment by which it is reviewed.",
    "arms_factors": "The risk and protective factors an ARMS assessment records.",
    "approval_due_working_days": "Working days a sergeant has to approve submitted work.",
    "ppn_submit_hours": "Hours after the concern by which a PPN is submitted.",
    "ppn_follow_up_days": "Days after submission by which a PPN is followed up with social care.",
    "ppn_escalation": "PPNs within a period that escalate an offender to the sergeant.",
    "caseload_benchmark": "The caseload per offender manager that inspectors consider sensible.",
    "claim_lapse_minutes": "Minutes after which an untouched claim on a task lapses.",
    "idle_lock_minutes": "Minutes of inactivity after which the desktop locks.",
    "sign_in_attempts_before_lock": "Failed sign-ins in a row that lock an account.",
    "sign_in_lock_minutes": "Minutes an account stays locked after too many failed sign-ins.",
    "scrutiny": "How the fortnightly peer-scrutiny sample is drawn.",
}


def build_staff(world: World) -> None:
    _teams(world)
    _officers(world)
    _absences(world)
    _policy(world)


def _teams(world: World) -> None:
    for index, (name, area, districts, towns) in enumerate(TEAMS):
        if name not in world.scale.teams:
            continue
        row = world.rows.add("team", name=name, area=area)
        world.teams.append(TeamInfo(row["id"], index, name, area, districts, towns))


def _officers(world: World) -> None:
    rng = world.rng
    used: set[tuple[str, str]] = set()
    pending: list[tuple[dict, bytes]] = []
    collar = {
        "offender_manager": 4100,
        "sergeant": 2100,
        "team_manager": 1100,
        "hub_officer": 7100,
        "administrator": 9000,
    }
    prefix = {
        "offender_manager": "PC",
        "sergeant": "PS",
        "team_manager": "DI",
        "hub_officer": "PSE",
        "administrator": "PSE",
    }
    joined = years_before(world.window_start, 1)

    def add(username: str, role: str, team: TeamInfo | None, supervisor: Member | None) -> Member:
        while True:
            pool = FEMALE_FORENAMES if rng.random() < 0.4 else MALE_FORENAMES
            name = (rng.choice(pool), rng.choice(SURNAMES))
            if name not in used:
                used.add(name)
                break
        collar[role] += 1
        row = world.rows.add(
            "officer",
            username=username,
            forename=name[0],
            surname=name[1],
            collar_number=f"{prefix[role]} {collar[role]}",
            role=role,
            team_id=team.id if team else None,
            supervisor_id=supervisor.id if supervisor else None,
            password_hash="",
            failed_sign_ins=0,
            locked_until=None,
            active=True,
            created_at=at(joined - DAY * rng.randint(0, 900), 9),
        )
        pending.append((row, rng.randbytes(16)))
        member = Member(
            row["id"], username, role, team, name[0], name[1], supervisor.id if supervisor else None
        )
        world.officers[member.id] = member
        world.by_username[username] = member
        return member

    # Supervisors before the officers they supervise: the foreign key is checked row by row.
    world.admin = add("admin", "administrator", None, None)
    for n in range(1, world.scale.hub_officers + 1):
        world.hub.append(add(f"hub{n:02d}", "hub_officer", None, None))
    for team in world.teams:
        world.team_managers[team.id] = add(f"tm{team.index + 1:02d}", "team_manager", team, None)
    for team in world.teams:
        first, last = SERGEANTS_BY_TEAM[team.name]
        world.sergeants[team.id] = [
            add(f"sgt{n:02d}", "sergeant", team, None) for n in range(first, last + 1)
        ]
    for team in world.teams:
        first, last = OMS_BY_TEAM[team.name]
        numbers = range(first, last + 1)
        half = (len(numbers) + 1) // 2
        sergeants = world.sergeants[team.id]
        world.oms[team.id] = [
            add(f"om{n:02d}", "offender_manager", team, sergeants[0 if i < half else 1])
            for i, n in enumerate(numbers)
        ]

    # scrypt releases the interpreter lock: two threads halve the wait for ~60 hashes.
    with ThreadPoolExecutor(max_workers=2) as pool:
        hashes = list(pool.map(lambda item: hash_password(DEMO_PASSWORD, salt=item[1]), pending))
    for (row, _salt), hashed in zip(pending, hashes, strict=True):
        row["password_hash"] = hashed


def _absences(world: World) -> None:
    rng, on = world.rng, world.on
    recorder: dict[int, int] = {}
    for team in world.teams:
        tm = world.team_managers[team.id]
        for sergeant in world.sergeants[team.id]:
            recorder[sergeant.id] = tm.id
        for om in world.oms[team.id]:
            recorder[om.id] = om.supervisor_id or tm.id
    admin_id = world.admin.id if world.admin else None

    def record(
        member: Member, kind: str, starts: dt.date, ends: dt.date, cover: Member | None = None
    ) -> None:
        # Sickness and court are recorded on the day; leave and training are booked ahead.
        unplanned = kind in ("sickness", "court")
        recorded_on = starts if unplanned else starts - DAY * rng.randint(3, 40)
        recorded_at = world.stamp(min(recorded_on, on))
        absence = world.rows.add(
            "absence",
            officer_id=member.id,
            kind=kind,
            starts_on=starts,
            ends_on=ends,
            note="",
            recorded_by_id=recorder.get(member.id, admin_id),
            recorded_at=recorded_at,
        )
        member.absences.append((starts, ends))
        day = starts
        while day <= ends:
            member.absent_days.add(day)
            day += DAY
        if cover is not None:
            world.rows.add(
                "cover_arrangement",
                absence_id=absence["id"],
                cover_officer_id=cover.id,
                starts_on=starts,
                ends_on=ends,
                named_by_id=absence["recorded_by_id"],
                named_at=recorded_at,
            )
            member.named_cover.append((starts, ends, cover.id))

    def free(member: Member, starts: dt.date, ends: dt.date) -> bool:
        return all(ends + DAY * 2 < s or starts > e + DAY * 2 for s, e in member.absences)

    for username, (kind, first, last, covers) in AWAY_TODAY.items():
        member = world.by_username.get(username)
        if member is None:
            continue
        cover = next((world.by_username[c] for c in covers if c in world.by_username), None)
        record(member, kind, on + DAY * first, on + DAY * last, cover)
    for username, (kind, first, last) in AWAY_RECENTLY.items():
        member = world.by_username.get(username)
        if member is not None:
            record(member, kind, on + DAY * first, on + DAY * last)

    past_last = on - DAY * 30
    span = (past_last - world.window_start).days
    for member in _everyone_with_leave(world):
        frontline = member.role in ("offender_manager", "sergeant")
        draws = [("leave", 5, 12)] * (9 if frontline else 6)
        if frontline:
            draws += [("sickness", 1, 5)] * 3 + [("training", 1, 3)] * 3 + [("court", 1, 1)] * 2
        for kind, shortest, longest in draws:
            starts = world.window_start + DAY * rng.randrange(span)
            ends = starts + DAY * (rng.randint(shortest, longest) - 1)
            if free(member, starts, ends):
                record(member, kind, starts, ends, _named_cover(world, member, starts, ends))
        for _ in range(rng.randint(1, 2)):
            starts = on + DAY * rng.randint(7, 80)
            ends = starts + DAY * (rng.randint(4, 10) - 1)
            if free(member, starts, ends):
                record(member, "leave", starts, ends, _named_cover(world, member, starts, ends))


def _everyone_with_leave(world: World) -> Iterable[Member]:
    for team in world.teams:
        yield world.team_managers[team.id]
        yield from world.sergeants[team.id]
        yield from world.oms[team.id]
    yield from world.hub


def _named_cover(world: World, member: Member, starts: dt.date, ends: dt.date) -> Member | None:
    """Half the time a sergeant going on leave names the team's other sergeant, if they are in."""
    if member.role != "sergeant" or member.team is None or world.rng.random() < 0.5:
        return None
    for other in world.sergeants[member.team.id]:
        if other is not member and all(
            other.on_duty(starts + DAY * d) for d in range((ends - starts).days + 1)
        ):
            return other
    return None


def _policy(world: World) -> None:
    for key, value in DEFAULTS.items():
        world.rows.add(
            "policy",
            key=key,
            value=value,
            description=POLICY_DESCRIPTIONS.get(key, f"Default value of {key.replace('_', ' ')}."),
        )
