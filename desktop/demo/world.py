"""The state the generator builds up: the rows per table, the officers, and one `Case` per offender.

Primary keys are assigned here, in Python, so rows can point at each other before anything reaches
the database; the writer then inserts them table by table in one transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from db.enums import TASK_GROUP, TaskKind
from desktop.demo.dates import DAY, Calendar, at, years_before

Row = dict[str, Any]


@dataclass(frozen=True)
class Scale:
    """The size of a demo (`pillars demo --scale team|county`): its teams, offenders, new
    convictions, open approval tasks, hub officers and the hub backlog by notification kind. The
    county scale reproduces the inspection's numbers (DESIGN section 6)."""

    name: str
    teams: tuple[str, ...]
    offenders: int
    new_convictions: int
    approvals: int
    hub_officers: int
    hub_quota: dict[str, int]


# The hub backlog the inspection found (195 tasks), by notification kind.
COUNTY_HUB_QUOTA = {
    "initial": 8,
    "change_of_address": 40,
    "change_of_name": 8,
    "periodic": 50,
    "no_fixed_abode": 6,
    "household_with_child": 6,
    "foreign_travel": 40,
    "transfer_in": 25,
    "release": 12,
}


def _scaled_quota(quota: dict[str, int], total: int) -> dict[str, int]:
    """Largest-remainder shares of `total`, at least one of every kind."""
    whole = sum(quota.values())
    shares = {kind: n * total / whole for kind, n in quota.items()}
    result = {kind: max(1, int(share)) for kind, share in shares.items()}
    by_remainder = sorted(quota, key=lambda k: (shares[k] - int(shares[k]), k), reverse=True)
    i = 0
    while sum(result.values()) < total:
        result[by_remainder[i % len(by_remainder)]] += 1
        i += 1
    while sum(result.values()) > total:
        kind = max(result, key=lambda k: (result[k], k))
        result[kind] -= 1
    return result


_TEAM_SHARE = 600 / 2346

SCALES = {
    "county": Scale(
        name="county",
        teams=("Alder", "Birch", "Cedar", "Damson"),
        offenders=2346,
        new_convictions=10,
        approvals=993,
        hub_officers=6,
        hub_quota=COUNTY_HUB_QUOTA,
    ),
    "team": Scale(
        name="team",
        teams=("Alder",),
        offenders=600,
        new_convictions=3,
        approvals=round(993 * _TEAM_SHARE),
        hub_officers=2,
        hub_quota=_scaled_quota(COUNTY_HUB_QUOTA, round(195 * _TEAM_SHARE)),
    ),
}


@dataclass(frozen=True)
class TeamInfo:
    """A demo team as the generator knows it: its row id, its place in `names.TEAMS`, and the
    fictional area, postcode districts (ZZ1, ZZ2, ...) and towns its offenders' addresses are drawn
    from."""

    id: int
    index: int
    name: str
    area: str
    districts: tuple[int, ...]
    towns: tuple[str, ...]


@dataclass(eq=False)
class Member:
    """An officer as the generator needs to know them: who, where, and which days they are off."""

    id: int
    username: str
    role: str
    team: TeamInfo | None
    forename: str
    surname: str
    supervisor_id: int | None = None
    absent_days: set[dt.date] = field(default_factory=set)
    absences: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    named_cover: list[tuple[dt.date, dt.date, int]] = field(default_factory=list)

    def on_duty(self, day: dt.date) -> bool:
        return day not in self.absent_days


@dataclass(eq=False)
class Case:
    """One offender and what the later stages need to know about their history."""

    row: Row
    om: Member
    team: TeamInfo
    level: str
    convicted_on: dt.date
    sentenced_on: dt.date | None
    community_from: dt.date  # since when they have been in the community (release or conviction)
    away_since: dt.date | None = None  # custody, hospital or abroad since
    released_on: dt.date | None = None
    new_conviction: bool = False
    recent_release: bool = False
    reactive_since: dt.date | None = None
    overdue: bool = False
    failed_pair: bool = False
    breach: bool = False  # the last periodic notification was never made
    has_child_household: bool = False
    addresses: list[Row] = field(default_factory=list)
    household: list[Row] = field(default_factory=list)
    arms: list[Row] = field(default_factory=list)
    present_factors: dict[int, list[str]] = field(default_factory=dict)  # ARMS id -> codes
    plans: list[Row] = field(default_factory=list)
    visits: list[Row] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.row['surname']}, {self.row['forename']} ({self.row['reference']})"

    def level_on(self, day: dt.date) -> str:
        """The ARMS level in force on `day`: the newest assessment made by then, else the first."""
        level = self.arms[0]["level"] if self.arms else self.level
        for assessment in self.arms:
            if assessment["assessed_on"] > day:
                break
            level = assessment["level"]
        return level

    def children_on(self, day: dt.date) -> list[Row]:
        return [
            m
            for m in self.household
            if m["date_of_birth"] is not None
            and m["from_date"] <= day
            and (m["to_date"] is None or m["to_date"] > day)
            and _age(m["date_of_birth"], day) < 18
        ]

    def postcode_on(self, day: dt.date) -> str:
        postcode = self.addresses[0]["postcode"] if self.addresses else ""
        for address in self.addresses:
            if address["from_date"] <= day:
                postcode = address["postcode"]
        return postcode


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class Rows:
    """Rows per table, in insertion order, each given the next id of its table."""

    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = {}

    def add(self, table: str, **values: Any) -> Row:
        rows = self.tables.setdefault(table, [])
        values["id"] = len(rows) + 1
        rows.append(values)
        return values

    def count(self, table: str) -> int:
        return len(self.tables.get(table, ()))


class World:
    """Everything the stages share: the random source, today, the officers, the cases."""

    def __init__(self, scale: Scale, seed: int, on: dt.date) -> None:
        self.scale = scale
        self.rng = random.Random(seed)
        self.on = on
        # "Now" is early on the morning of `on`: everything recorded happened before it.
        self.now = at(on, 7)
        self.window_start = years_before(on, 3)
        self.calendar = Calendar(years_before(on, 16), on + dt.timedelta(days=400))
        self.rows = Rows()
        self.teams: list[TeamInfo] = []
        self.officers: dict[int, Member] = {}
        self.by_username: dict[str, Member] = {}
        self.oms: dict[int, list[Member]] = {}
        self.sergeants: dict[int, list[Member]] = {}
        self.team_managers: dict[int, Member] = {}
        self.hub: list[Member] = []
        self.admin: Member | None = None
        self.cases: list[Case] = []
        self.visits_on: Counter[tuple[int, dt.date]] = Counter()
        # The start times each officer is already booked for on a day: no two within an hour.
        self.booked: defaultdict[tuple[int, dt.date], list[dt.datetime]] = defaultdict(list)

    def stamp(self, day: dt.date, *, start: int = 8, end: int = 18) -> dt.datetime:
        """A time in office hours on `day`, never later than now."""
        hour = self.rng.randrange(start, end)
        return min(at(day, hour, self.rng.randrange(0, 60, 5)), self.now - dt.timedelta(minutes=30))

    def approver(
        self, om: Member, day: dt.date, exclude: tuple[int, ...] = ()
    ) -> tuple[int, int | None]:
        """Who approved an offender manager's work on `day`, and as whose cover: the rule the
        application applies (named cover, the team's other sergeant, another team's sergeant,
        the team manager), so that history reads as Pillars would have recorded it."""
        supervisor = self.officers[om.supervisor_id] if om.supervisor_id else None
        if supervisor is None:
            assert om.team is not None
            return self.team_managers[om.team.id].id, None
        if supervisor.on_duty(day) and supervisor.id not in exclude:
            return supervisor.id, None
        for starts, ends, cover_id in supervisor.named_cover:
            cover = self.officers[cover_id]
            if starts <= day <= ends and cover.on_duty(day) and cover_id not in exclude:
                return cover_id, supervisor.id
        assert om.team is not None
        teams = [om.team.id] + [t.id for t in self.teams if t.id != om.team.id]
        for team_id in teams:
            for sergeant in self.sergeants.get(team_id, []):
                if (
                    sergeant is not supervisor
                    and sergeant.on_duty(day)
                    and sergeant.id not in exclude
                ):
                    return sergeant.id, supervisor.id
        return self.team_managers[om.team.id].id, supervisor.id

    def decide(
        self, row: Row, om: Member, submitted: dt.datetime, exclude: tuple[int, ...] = ()
    ) -> None:
        """Mark `row` approved a few working days after it was submitted, by the right sergeant."""
        submitted = min(submitted, self.now - dt.timedelta(hours=1))
        day = self.calendar.working_day_on_or_after(submitted.date() + DAY * self.rng.randint(1, 6))
        day = min(day, self.on - DAY)
        decider, as_cover_for = self.approver(om, day, exclude)
        decided = max(self.stamp(day, start=9, end=17), submitted + dt.timedelta(minutes=40))
        row["submitted_at"] = submitted
        row["decided_by_id"] = decider
        row["decided_at"] = min(decided, self.now - dt.timedelta(minutes=5))
        row["decided_as_cover_for_id"] = as_cover_for

    def add_task(
        self,
        *,
        kind: str,
        offender_id: int | None,
        owner_id: int | None,
        team_id: int | None,
        subject_type: str,
        subject_id: int,
        title: str,
        created_at: dt.datetime,
        due_on: dt.date,
    ) -> Row:
        """An open task, in the group its kind belongs to."""
        return self.rows.add(
            "task",
            kind=kind,
            group=TASK_GROUP[TaskKind(kind)].value,
            offender_id=offender_id,
            owner_id=owner_id,
            team_id=team_id,
            subject_type=subject_type,
            subject_id=subject_id,
            title=title[:200],
            created_by_id=None,
            created_at=created_at,
            due_on=due_on,
            state="open",
            claimed_by_id=None,
            claimed_at=None,
            completed_by_id=None,
            completed_at=None,
            completed_as_cover_for_id=None,
            comment="",
        )
