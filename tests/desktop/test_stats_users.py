"""StatsService counts and UserService's officers on duty, on both databases, over a small force
built here through the ORM: every number below can be checked by eye against `populate`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from db.engine import make_engine, session_factory
from db.enums import (
    AbsenceKind,
    NotificationKind,
    NotificationState,
    OffenderStatus,
    PpnGrade,
    PpnState,
    Role,
    TaskGroup,
    TaskKind,
    TaskState,
    VisitOutcome,
)
from db.models import (
    Absence,
    CoverArrangement,
    Notification,
    Offender,
    Officer,
    Ppn,
    Task,
    Team,
    Visit,
)
from desktop.services.core import Services
from desktop.services.users import OfficerDuty

# A Wednesday. Sergeant Hale (North) is on leave all week with cover named day by day; Sergeant
# Shaw (South) has leave ending today and a court absence starting today.
DAY = dt.date(2025, 3, 12)
NOON = dt.datetime(2025, 3, 12, 12, 0, tzinfo=dt.UTC)

EXPECTED_COUNTS = {
    "teams": 3,
    "offenders": 5,
    "offenders_by_status": {"community": 3, "custody": 1, "hospital": 0, "abroad": 1},
    "officers": {
        "offender_manager": 3,
        "sergeant": 3,
        "hub_officer": 1,
        "team_manager": 1,
        "administrator": 1,
    },
    "open_approval_tasks": 3,
    "open_hub_tasks": 2,
    "open_follow_up_tasks": 1,
    "open_ppns": 2,
    "visits_planned": 2,
    "notifications_unprocessed": 2,
}


def populate(url: str) -> None:
    """Three teams (East has no one yet), nine active officers and one who has left, five
    offenders, and tasks, PPNs, visits and notifications in open and finished states."""
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session, session.begin():
            north, south, east = Team(name="North"), Team(name="South"), Team(name="East")
            session.add_all([north, south, east])
            session.flush()

            def officer(username: str, role: Role, team: Team | None, **extra: object) -> Officer:
                forename, surname = username.split("_")
                person = Officer(
                    username=username,
                    forename=forename.title(),
                    surname=surname.title(),
                    role=role,
                    team_id=team.id if team else None,
                    password_hash="not-a-real-hash",
                    **extra,
                )
                session.add(person)
                return person

            tm = officer("tara_mills", Role.TEAM_MANAGER, north)
            hale = officer("sam_hale", Role.SERGEANT, north)
            bond = officer("ravi_bond", Role.SERGEANT, north)
            amy = officer("amy_cole", Role.OFFENDER_MANAGER, north)
            ben = officer("ben_dray", Role.OFFENDER_MANAGER, north)
            shaw = officer("lee_shaw", Role.SERGEANT, south)
            cal = officer("cal_ives", Role.OFFENDER_MANAGER, south)
            hub = officer("hana_hubb", Role.HUB_OFFICER, None)
            officer("ada_min", Role.ADMINISTRATOR, None)
            officer("old_timer", Role.OFFENDER_MANAGER, north, active=False)
            session.flush()

            offenders = []
            for i, status in enumerate(
                [
                    OffenderStatus.COMMUNITY,
                    OffenderStatus.COMMUNITY,
                    OffenderStatus.COMMUNITY,
                    OffenderStatus.CUSTODY,
                    OffenderStatus.ABROAD,
                ]
            ):
                offenders.append(
                    Offender(
                        reference=f"TEST/{i:04d}",
                        forename="Fictional",
                        surname=f"Person{i}",
                        date_of_birth=dt.date(1970, 1, 1),
                        team_id=north.id if i < 3 else south.id,
                        manager_id=amy.id if i < 3 else cal.id,
                        status=status,
                        registration_start=dt.date(2020, 1, 1),
                    )
                )
            session.add_all(offenders)
            session.flush()
            first = offenders[0]

            def task(
                kind: TaskKind, group: TaskGroup, state: TaskState, owner: Officer | None
            ) -> None:
                session.add(
                    Task(
                        kind=kind,
                        group=group,
                        state=state,
                        owner_id=owner.id if owner else None,
                        offender_id=first.id,
                        due_on=DAY,
                    )
                )

            approval, hub_group, follow = TaskGroup.APPROVAL, TaskGroup.HUB, TaskGroup.FOLLOW_UP
            task(TaskKind.PLAN_APPROVAL, approval, TaskState.OPEN, hale)
            task(TaskKind.VISIT_APPROVAL, approval, TaskState.OPEN, hale)
            task(TaskKind.ASSESSMENT_APPROVAL, approval, TaskState.OPEN, shaw)
            task(TaskKind.PLAN_APPROVAL, approval, TaskState.DONE, hale)
            task(TaskKind.VISIT_APPROVAL, approval, TaskState.RETURNED, bond)
            task(TaskKind.HUB_NOTIFICATION, hub_group, TaskState.OPEN, None)
            task(TaskKind.HUB_NOTIFICATION, hub_group, TaskState.OPEN, hub)
            task(TaskKind.HUB_NOTIFICATION, hub_group, TaskState.CANCELLED, None)
            task(TaskKind.PPN_FOLLOW_UP, follow, TaskState.OPEN, amy)
            task(TaskKind.RELEASE_VISIT, follow, TaskState.DONE, amy)

            for state in (PpnState.DRAFT, PpnState.AWAITING_SOCIAL_CARE, PpnState.CLOSED):
                session.add(
                    Ppn(
                        offender_id=first.id,
                        grade=PpnGrade.AMBER,
                        concern="Fictional concern for a test.",
                        concern_at=NOON,
                        raised_by_id=amy.id,
                        state=state,
                    )
                )
            for outcome in (VisitOutcome.PLANNED, VisitOutcome.PLANNED, VisitOutcome.COMPLETED):
                session.add(
                    Visit(
                        offender_id=first.id,
                        planned_at=NOON,
                        officer1_id=amy.id,
                        officer2_id=ben.id,
                        outcome=outcome,
                    )
                )
            for state in (
                NotificationState.RECEIVED,
                NotificationState.RECEIVED,
                NotificationState.PROCESSED,
            ):
                session.add(
                    Notification(
                        offender_id=first.id,
                        kind=NotificationKind.CHANGE_OF_ADDRESS,
                        event_on=DAY,
                        notified_on=DAY,
                        state=state,
                    )
                )

            def absence(who: Officer, kind: AbsenceKind, start: dt.date, end: dt.date) -> Absence:
                away = Absence(officer_id=who.id, kind=kind, starts_on=start, ends_on=end)
                session.add(away)
                session.flush()
                return away

            def cover(away: Absence, by: Officer, start: dt.date, end: dt.date) -> None:
                session.add(
                    CoverArrangement(
                        absence_id=away.id, cover_officer_id=by.id, starts_on=start, ends_on=end
                    )
                )

            monday, friday = dt.date(2025, 3, 10), dt.date(2025, 3, 14)
            leave = absence(hale, AbsenceKind.LEAVE, monday, friday)
            cover(leave, bond, monday, DAY - dt.timedelta(days=1))
            cover(leave, tm, DAY, friday)
            absence(amy, AbsenceKind.SICKNESS, DAY, DAY)
            absence(
                ben, AbsenceKind.TRAINING, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=1)
            )
            absence(shaw, AbsenceKind.LEAVE, dt.date(2025, 3, 1), DAY)
            court = absence(shaw, AbsenceKind.COURT, DAY, dt.date(2025, 3, 20))
            cover(court, bond, DAY, DAY)
    finally:
        engine.dispose()


@pytest.fixture
def services(db_url: str) -> Iterator[Services]:
    populate(db_url)
    opened = Services(db_url)
    yield opened
    opened.close()


def test_counts_are_the_documented_keys_with_the_counted_values(services: Services) -> None:
    counts = services.stats.counts()
    assert counts == EXPECTED_COUNTS
    assert list(counts) == list(EXPECTED_COUNTS)  # the order the JSON prints in is stable too


def test_counts_on_an_empty_database_name_every_status_and_role(db_url: str) -> None:
    services = Services(db_url)
    try:
        counts = services.stats.counts()
    finally:
        services.close()
    assert counts["offenders_by_status"] == {s.value: 0 for s in OffenderStatus}
    assert counts["officers"] == {r.value: 0 for r in Role}
    assert counts["teams"] == counts["open_ppns"] == counts["notifications_unprocessed"] == 0


def test_officers_on_a_day_sorted_by_team_role_username(services: Services) -> None:
    duties = services.users.officers(DAY)
    assert [d.username for d in duties] == [
        "amy_cole",  # North: offender managers, then sergeants, then the team manager
        "ben_dray",
        "ravi_bond",
        "sam_hale",
        "tara_mills",
        "cal_ives",  # South
        "lee_shaw",
        "hana_hubb",  # no team: hub officer, then administrator
        "ada_min",
    ]
    by_name = {d.username: d for d in duties}
    assert by_name["sam_hale"] == OfficerDuty(
        username="sam_hale",
        name="Sam Hale",
        role="sergeant",
        team="North",
        absent=True,
        absence_kind="leave",
        absent_until=dt.date(2025, 3, 14),
        named_cover="tara_mills",
        covered_by="tara_mills",
        cover_link="named_cover",
    )
    amy = by_name["amy_cole"]
    assert amy.absent and amy.absence_kind == "sickness"
    assert amy.absent_until == DAY and amy.named_cover is None
    # An offender manager's absence is not covered: approvals belong to sergeants.
    assert (amy.covered_by, amy.cover_link) == (None, None)
    assert not by_name["ben_dray"].absent  # training is tomorrow
    assert by_name["ben_dray"].absence_kind is None and by_name["ben_dray"].absent_until is None
    # Leave ends today and court starts today: the absence ending last speaks.
    shaw = by_name["lee_shaw"]
    assert (shaw.absence_kind, shaw.absent_until, shaw.named_cover) == (
        "court",
        dt.date(2025, 3, 20),
        "ravi_bond",
    )
    assert (shaw.covered_by, shaw.cover_link) == ("ravi_bond", "named_cover")
    on_duty = by_name["ravi_bond"]
    assert (on_duty.covered_by, on_duty.cover_link) == (None, None)
    assert by_name["hana_hubb"].team is None
    assert "old_timer" not in by_name  # inactive officers are not on duty


def test_named_cover_follows_the_day(services: Services) -> None:
    monday = {d.username: d for d in services.users.officers(dt.date(2025, 3, 10))}
    assert monday["sam_hale"].named_cover == "ravi_bond"
    assert not monday["amy_cole"].absent
    saturday = {d.username: d for d in services.users.officers(dt.date(2025, 3, 15))}
    assert not saturday["sam_hale"].absent and saturday["sam_hale"].named_cover is None


def test_cover_follows_the_whole_chain_day_by_day(services: Services, db_url: str) -> None:
    thursday = dt.date(2025, 3, 13)
    by_name = {d.username: d for d in services.users.officers(thursday)}
    # Shaw's cover was named for Wednesday only: South has no other sergeant, so a North
    # sergeant on duty covers (Hale is on leave, so Bond).
    shaw = by_name["lee_shaw"]
    assert shaw.named_cover is None
    assert (shaw.covered_by, shaw.cover_link) == ("ravi_bond", "other_team_sergeant")
    assert (by_name["sam_hale"].covered_by, by_name["sam_hale"].cover_link) == (
        "tara_mills",
        "named_cover",
    )

    # Bond away too: no sergeant is on duty anywhere and South has no team manager.
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            bond = session.query(Officer).filter_by(username="ravi_bond").one()
            session.add(
                Absence(
                    officer_id=bond.id,
                    kind=AbsenceKind.SICKNESS,
                    starts_on=thursday,
                    ends_on=thursday,
                )
            )
    finally:
        engine.dispose()
    by_name = {d.username: d for d in services.users.officers(thursday)}
    assert (by_name["lee_shaw"].covered_by, by_name["lee_shaw"].cover_link) == (None, "nobody")
    bond_duty = by_name["ravi_bond"]
    # North's team manager is on duty: with Hale away too, Bond's approvals go to her.
    assert (bond_duty.covered_by, bond_duty.cover_link) == ("tara_mills", "team_manager")


def test_officers_default_to_the_services_today(db_url: str) -> None:
    populate(db_url)
    services = Services(db_url, clock=lambda: NOON)
    try:
        amy = next(d for d in services.users.officers() if d.username == "amy_cole")
    finally:
        services.close()
    assert amy.absent  # her sickness is DAY only
