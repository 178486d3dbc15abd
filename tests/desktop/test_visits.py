"""The visit service on real databases: what is due, the week's plan, planning, moving and
cancelling (every validation rule, permissions, optimistic locking), recording the outcome and
sending it for approval, the failed-access flag, the scheduler run (never duplicating), and the
audit row every change writes.

The world is `tests.desktop.factories`: Wednesday 12/06/2024, 11:00 in England. Horatio (Ada's,
very high risk) was last seen three months ago and had no access at his last visit, on a Friday
evening; Zebedee (Ada's) has a visit planned for Saturday 22/06 at 19:30 with Ada and Bram.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.enums import AbsenceKind, ApprovalState, TaskKind, TaskState, VisitOutcome
from db.models import Absence, AuditEvent, Policy, Task, Visit
from desktop.rules.time_bands import LONDON
from desktop.rules.workdays import add_working_days
from desktop.services.actor import Actor
from desktop.services.core import Services
from desktop.services.errors import (
    EditConflict,
    NotFound,
    PermissionRefused,
    ServiceError,
    ValidationFailed,
)
from desktop.services.visits import OutcomeEdit, VisitEdit, postcode_district
from tests.desktop.factories import WORLD_TODAY, World, populate, world_clock

TODAY = WORLD_TODAY
CARD = "4539 1488 0343 6467"

ROLES = {
    "ada": ("offender_manager", "alder"),
    "bram": ("offender_manager", "alder"),
    "cora": ("sergeant", "alder"),
    "dorian": ("team_manager", "alder"),
    "gus": ("offender_manager", "birch"),
    "hattie": ("sergeant", "birch"),
    "elsie": ("hub_officer", None),
}


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def who(world: World, name: str) -> Actor:
    """The signed-in officer, without the cost of a password check."""
    role, team = ROLES[name]
    team_id = getattr(world, team) if team else None
    return Actor(
        getattr(world, name),
        name,
        world.display_names[name],
        role,
        team_id,
        team.title() if team else "",
    )


def _with_session(db_url: str, work: Any) -> Any:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            return work(session)
    finally:
        engine.dispose()


def _rows(db_url: str, stmt: Any) -> list[Any]:
    return _with_session(db_url, lambda s: list(s.scalars(stmt)))


def _audit(db_url: str) -> list[AuditEvent]:
    return _rows(db_url, select(AuditEvent).order_by(AuditEvent.id))


def _absent(db_url: str, officer_id: int, first: dt.date, last: dt.date) -> None:
    _with_session(
        db_url,
        lambda s: s.add(
            Absence(officer_id=officer_id, kind=AbsenceKind.LEAVE, starts_on=first, ends_on=last)
        ),
    )


def _policy(db_url: str, key: str, value: Any) -> None:
    _with_session(db_url, lambda s: s.add(Policy(key=key, value=value)))


def edit(day: str, time: str, first: str = "ada", second: str = "bram", **kw: Any) -> VisitEdit:
    return VisitEdit(date=day, time=time, officer1=first, officer2=second, **kw)


def fields(raised: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {e.field: e.message for e in raised.value.errors}


# -- what is due --------------------------------------------------------------------------------


def test_due_follows_the_actors_scope_with_windows_and_planned_visits(
    services: Services, world: World
) -> None:
    mine = {d.reference: d for d in services.visits.due(who(world, "ada"))}
    horatio = mine["ZZ/2018/002209"]
    assert horatio.overdue and horatio.reason == "overdue" and horatio.purpose == "routine"
    assert (horatio.window_start, horatio.window_end) == (TODAY, dt.date(2024, 6, 18))
    assert horatio.last_seen == dt.date(2024, 3, 12) and horatio.failed_attempts == 1
    assert not horatio.warrant_consideration and horatio.planned_visit is None
    zebedee = mine["ZZ/2019/004512"]
    assert zebedee.reason == "routine" and zebedee.window_end == dt.date(2024, 7, 12)
    assert zebedee.planned_visit is not None
    assert zebedee.planned_visit.at == dt.datetime(2024, 6, 22, 19, 30, tzinfo=LONDON)
    assert zebedee.planned_visit.postcode_district == "ZZ3"
    assert "ZZ/2024/000001" not in mine  # Mortimer is unallocated, not Ada's

    team = {d.reference for d in services.visits.due(who(world, "cora"))}
    assert {"ZZ/2018/002209", "ZZ/2024/000001"} <= team and "ZZ/2016/003300" not in team
    force = {d.reference: d for d in services.visits.due(None)}
    cuthbert = force["ZZ/2016/003300"]  # released ten days ago, not seen since
    assert cuthbert.overdue and cuthbert.purpose == "post_release"
    assert "ZZ/2020/000731" not in force  # Quentin: reactive management
    assert "ZZ/2017/000042" not in force  # Barnaby: in custody
    with pytest.raises(PermissionRefused):
        services.visits.due(who(world, "elsie"))


def test_postcode_district() -> None:
    assert postcode_district("ZZ3 4QT") == "ZZ3"
    assert postcode_district("zz34qt") == "ZZ3"
    assert postcode_district("") == ""


# -- planning -----------------------------------------------------------------------------------


def test_plan_a_visit_inside_the_window(services: Services, world: World, db_url: str) -> None:
    ada = who(world, "ada")
    visit_id = services.visits.plan(ada, world.horatio, edit("13/06/2024", "18:30", "ada", "cora"))
    view = services.visits.get(ada, visit_id)
    assert view.at == dt.datetime(2024, 6, 13, 18, 30, tzinfo=LONDON)
    assert view.band == "evening" and view.officers == ("ada", "cora")
    assert view.officer_names == ("Ada Quillfeather", "Cora Pennywhistle")
    assert (view.window_start, view.window_end) == (TODAY, dt.date(2024, 6, 18))
    assert view.outcome == "planned" and view.record_state == "draft" and not view.announced
    assert view.can_change and view.can_record and not view.can_submit and view.inside_window
    [stored] = _rows(db_url, select(Visit).where(Visit.id == visit_id))
    assert stored.planned_at == dt.datetime(2024, 6, 13, 17, 30, tzinfo=dt.UTC)  # BST
    assert stored.planned_by_id == world.ada
    last = _audit(db_url)[-1]
    assert (last.action, last.entity_id, last.offender_id) == (
        "visit_planned",
        visit_id,
        world.horatio,
    )
    assert last.detail["officers"] == ["ada", "cora"]


def test_every_missing_field_is_listed_and_nothing_is_saved(
    services: Services, world: World, db_url: str
) -> None:
    before = len(_rows(db_url, select(Visit)))
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(who(world, "ada"), world.horatio, VisitEdit(announced=True))
    assert set(fields(raised)) == {"date", "time", "officer1", "officer2", "announced_reason"}
    assert len(_rows(db_url, select(Visit))) == before


def test_crew_rules(services: Services, world: World, db_url: str) -> None:
    ada = who(world, "ada")
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("13/06/2024", "18:30", "ada", "ada"))
    assert "different people" in fields(raised)["officer2"]
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("13/06/2024", "18:30", "ada", "nobody"))
    assert "no officer with the username" in fields(raised)["officer2"]
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("13/06/2024", "18:30", "ada", "elsie"))
    assert "does not crew home visits" in fields(raised)["officer2"]
    _absent(db_url, world.bram, dt.date(2024, 6, 13), dt.date(2024, 6, 14))
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("13/06/2024", "18:30"))
    assert fields(raised) == {"officer2": "Bramwell Tiddlecombe is off duty (leave) on 13/06/2024."}


def test_no_clash_within_an_hour_and_the_daily_limit(
    services: Services, world: World, db_url: str
) -> None:
    cora = who(world, "cora")
    services.visits.plan(
        cora,
        world.percival,
        edit("17/06/2024", "18:00", "bram", "cora", outside_window_reason="Court order review."),
    )
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(who(world, "ada"), world.horatio, edit("17/06/2024", "18:30"))
    assert fields(raised)["officer2"].startswith("Bramwell Tiddlecombe has another visit at 18:00")
    services.visits.plan(who(world, "ada"), world.horatio, edit("17/06/2024", "19:00"))
    _policy(db_url, "visits_per_officer_per_day", 1)
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(
            who(world, "gus"),
            world.ignatius,
            edit("22/06/2024", "10:00", "gus", "bram", outside_window_reason="Intelligence."),
        )
    assert "already has 1 visits on 22/06/2024" in fields(raised)["officer2"]


def test_window_sunday_and_bank_holiday_need_a_reason(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("25/06/2024", "18:30"))
    assert fields(raised)["outside_window_reason"].startswith(
        "25/06/2024 is outside the visit window (12/06/2024 to 18/06/2024)"
    )
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("16/06/2024", "11:00"))
    assert "is a Sunday" in fields(raised)["outside_window_reason"]
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("26/08/2024", "11:00"))
    assert "outside the visit window" in fields(raised)["outside_window_reason"]
    # low risk every 7 months: Ignatius's window runs from 22/07/2024 to 12/09/2024
    _policy(db_url, "visit_cadence_months", {"low": 7})
    with pytest.raises(ValidationFailed) as raised:  # a bank holiday inside the window
        services.visits.plan(
            who(world, "gus"), world.ignatius, edit("26/08/2024", "11:00", "gus", "hattie")
        )
    assert fields(raised) == {
        "outside_window_reason": "26/08/2024 is a bank holiday, when visits are not normally "
        "made; choose another day or give the reason."
    }
    visit_id = services.visits.plan(
        ada,
        world.horatio,
        edit("16/06/2024", "11:00", outside_window_reason="Only day both officers are free."),
    )
    assert services.visits.get(ada, visit_id).outside_window_reason.startswith("Only day")


def test_the_previous_pattern_is_refused_unless_announced(services: Services, world: World) -> None:
    ada = who(world, "ada")
    # Horatio's last visit was on a Friday evening; 14/06/2024 is a Friday
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("14/06/2024", "19:00"))
    assert "Friday evening" in fields(raised)["time"]
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("14/06/2024", "19:00", announced=True))
    assert set(fields(raised)) == {"announced_reason"}
    visit_id = services.visits.plan(
        ada,
        world.horatio,
        edit("14/06/2024", "19:00", announced=True, announced_reason="Works away all week."),
    )
    view = services.visits.get(ada, visit_id)
    assert view.announced and view.announced_reason == "Works away all week."
    services.visits.cancel(ada, visit_id, view.version, "Replanned.")
    services.visits.plan(ada, world.horatio, edit("14/06/2024", "11:00"))  # a Friday morning


def test_past_times_bad_times_and_bank_details_are_refused(
    services: Services, world: World
) -> None:
    ada = who(world, "ada")
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("11/06/2024", "18:00"))
    assert "already passed" in fields(raised)["date"]
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(ada, world.horatio, edit("12/06/2024", "10:30"))
    assert "already passed" in fields(raised)["time"]
    for bad in ("25:00", "noon", "06:30", "23:00"):
        with pytest.raises(ValidationFailed) as raised:
            services.visits.plan(ada, world.horatio, edit("13/06/2024", bad))
        assert "time" in fields(raised)
    with pytest.raises(ValidationFailed) as raised:
        services.visits.plan(
            ada,
            world.horatio,
            edit("13/06/2024", "18:00", announced=True, announced_reason=f"Card {CARD}"),
        )
    assert "payment card" in fields(raised)["announced_reason"]


def test_one_planned_visit_at_a_time_and_none_in_custody(services: Services, world: World) -> None:
    with pytest.raises(ServiceError, match="already has a visit planned for 22/06/2024 at 19:30"):
        services.visits.plan(who(world, "ada"), world.zebedee, edit("13/06/2024", "18:30"))
    with pytest.raises(ServiceError, match="in custody"):
        services.visits.plan(who(world, "bram"), world.barnaby, edit("13/06/2024", "18:30"))


def test_two_desktops_planning_the_same_offender_at_once_make_one_visit(
    world: World, db_url: str
) -> None:
    """Both press Plan together: they queue on the offender, and the second finds the first's
    visit and is refused, instead of two visits being planned."""
    desks = [Services(db_url, clock=world_clock) for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def plan(n: int) -> None:
        actor = who(world, ("ada", "cora")[n])
        barrier.wait()
        try:
            outcomes[n] = desks[n].visits.plan(
                actor, world.horatio, edit("13/06/2024", "18:30", "ada", "cora")
            )
        except ServiceError as refused:
            outcomes[n] = refused

    threads = [threading.Thread(target=plan, args=(n,)) for n in (0, 1)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        for desk in desks:
            desk.close()
    planned = [o for o in outcomes if isinstance(o, int)]
    refused = [o for o in outcomes if isinstance(o, ServiceError)]
    assert len(planned) == 1 and len(refused) == 1, outcomes
    assert "already has a visit planned" in str(refused[0])
    rows = _rows(
        db_url,
        select(Visit).where(
            Visit.offender_id == world.horatio, Visit.outcome == VisitOutcome.PLANNED
        ),
    )
    assert [row.id for row in rows] == planned


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("ada", True),
        ("cora", True),
        ("dorian", True),
        ("bram", False),
        ("gus", False),
        ("elsie", False),
    ],
)
def test_who_may_plan(services: Services, world: World, name: str, allowed: bool) -> None:
    attempt = edit("13/06/2024", "18:30", "bram", "cora")
    if allowed:
        assert services.visits.plan(who(world, name), world.horatio, attempt) > 0
    else:
        with pytest.raises(PermissionRefused):
            services.visits.plan(who(world, name), world.horatio, attempt)


# -- moving and cancelling ----------------------------------------------------------------------


def test_move_is_checked_locked_and_audited(services: Services, world: World, db_url: str) -> None:
    ada, cora = who(world, "ada"), who(world, "cora")
    visit_id = services.visits.plan(ada, world.horatio, edit("13/06/2024", "18:30"))
    view = services.visits.get(ada, visit_id)
    services.visits.move(
        cora,
        edit(
            "15/06/2024", "10:00", "ada", "cora", visit_id=visit_id, expected_version=view.version
        ),
    )
    moved = services.visits.get(ada, visit_id)
    assert moved.at.date() == dt.date(2024, 6, 15) and moved.officers == ("ada", "cora")
    assert moved.version == view.version + 1
    last = _audit(db_url)[-1]
    assert last.action == "visit_moved" and last.username == "cora"
    assert last.detail["changes"]["officers"] == [["ada", "bram"], ["ada", "cora"]]
    with pytest.raises(EditConflict, match="Cora Pennywhistle changed this visit"):
        services.visits.move(
            ada,
            edit("16/06/2024", "10:00", visit_id=visit_id, expected_version=view.version),
        )
    with pytest.raises(ValidationFailed):  # moving keeps every planning check
        services.visits.move(
            ada,
            edit(
                "18/06/2024",
                "10:00",
                "ada",
                "ada",
                visit_id=visit_id,
                expected_version=moved.version,
            ),
        )
    with pytest.raises(PermissionRefused):
        services.visits.move(
            who(world, "bram"),
            edit("18/06/2024", "10:00", visit_id=visit_id, expected_version=moved.version),
        )
    with pytest.raises(NotFound):
        services.visits.move(ada, edit("18/06/2024", "10:00", visit_id=999_999, expected_version=1))


def test_cancel_needs_a_reason_and_a_cancelled_visit_stays_cancelled(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    visit_id = services.visits.plan(ada, world.horatio, edit("13/06/2024", "18:30"))
    version = services.visits.get(ada, visit_id).version
    with pytest.raises(ValidationFailed) as raised:
        services.visits.cancel(ada, visit_id, version, "  ")
    assert set(fields(raised)) == {"reason"}
    services.visits.cancel(ada, visit_id, version, "Crew sent to an urgent job.")
    view = services.visits.get(ada, visit_id)
    assert view.outcome == "cancelled" and view.notes == "Crew sent to an urgent job."
    assert not view.can_change and not view.can_record and not view.can_submit
    assert _audit(db_url)[-1].action == "visit_cancelled"
    with pytest.raises(ServiceError, match="no longer planned"):
        services.visits.move(
            ada, edit("14/06/2024", "11:00", visit_id=visit_id, expected_version=view.version)
        )
    with pytest.raises(ServiceError, match="cancelled before it happened"):
        services.visits.record_outcome(ada, visit_id, OutcomeEdit(expected_version=view.version))
    # the offender is due again, and a new visit can be planned
    assert services.visits.plan(ada, world.horatio, edit("13/06/2024", "11:30")) != visit_id


# -- recording and approval ---------------------------------------------------------------------


def completed(version: int, **kw: Any) -> OutcomeEdit:
    values: dict[str, Any] = {
        "expected_version": version,
        "outcome": "completed",
        "occurred_date": "12/06/2024",
        "occurred_time": "10:15",
        "officer1": "ada",
        "officer2": "bram",
        "home_circumstances": "Tidy flat; lives alone.",
        "children_present": "no",
        "notes": "",
    }
    values.update(kw)
    return OutcomeEdit(**values)


def _planned_zebedee(services: Services, world: World) -> Any:
    [visit] = [
        v
        for v in services.visits.for_offender(who(world, "ada"), world.zebedee)
        if v.outcome == "planned"
    ]
    return visit


def test_record_outcome_validation_and_who_may_record(
    services: Services, world: World, db_url: str
) -> None:
    visit = _planned_zebedee(services, world)
    bram = who(world, "bram")
    with pytest.raises(ValidationFailed) as raised:
        services.visits.record_outcome(
            bram,
            visit.visit_id,
            OutcomeEdit(expected_version=visit.version, outcome="completed"),
        )
    assert set(fields(raised)) == {
        "occurred_date",
        "occurred_time",
        "officer1",
        "officer2",
        "home_circumstances",
        "children_present",
    }
    with pytest.raises(ValidationFailed) as raised:
        services.visits.record_outcome(
            bram,
            visit.visit_id,
            completed(
                visit.version, occurred_time="23:00", notes=f"paid with {CARD}", outcome="no_access"
            ),
        )
    assert "later than now" in fields(raised)["occurred_time"]
    assert "payment card" in fields(raised)["notes"]
    with pytest.raises(ValidationFailed) as raised:
        services.visits.record_outcome(
            bram, visit.visit_id, completed(visit.version, outcome="no_access", notes="")
        )
    assert set(fields(raised)) == {"notes"}
    with pytest.raises(PermissionRefused):
        services.visits.record_outcome(who(world, "cora"), visit.visit_id, completed(visit.version))
    with pytest.raises(PermissionRefused):
        services.visits.record_outcome(who(world, "gus"), visit.visit_id, completed(visit.version))

    services.visits.record_outcome(
        bram, visit.visit_id, completed(visit.version, children_present="yes")
    )
    view = services.visits.get(bram, visit.visit_id)
    assert view.outcome == "completed" and view.children_present is True
    assert view.occurred_at == dt.datetime(2024, 6, 12, 10, 15, tzinfo=LONDON)
    assert view.record_state == "draft" and not view.can_submit
    assert view.submit_blocked.startswith("Children were present")
    [stored] = _rows(db_url, select(Visit).where(Visit.id == visit.visit_id))
    assert stored.occurred_at == dt.datetime(2024, 6, 12, 9, 15, tzinfo=dt.UTC)
    last = _audit(db_url)[-1]
    assert last.action == "visit_outcome_recorded" and last.username == "bram"
    assert last.detail["changes"]["outcome"] == ["planned", "completed"]


def test_submit_sends_the_record_to_the_managers_sergeant(
    services: Services, world: World, db_url: str
) -> None:
    visit = _planned_zebedee(services, world)
    ada = who(world, "ada")
    with pytest.raises(ServiceError, match="Record the outcome"):
        services.visits.submit_record(ada, visit.visit_id, visit.version)
    services.visits.record_outcome(ada, visit.visit_id, completed(visit.version))
    version = services.visits.get(ada, visit.visit_id).version
    with pytest.raises(PermissionRefused):
        services.visits.submit_record(who(world, "cora"), visit.visit_id, version)
    task_id = services.visits.submit_record(ada, visit.visit_id, version)
    [task] = _rows(db_url, select(Task).where(Task.id == task_id))
    assert task.kind == TaskKind.VISIT_APPROVAL and task.owner_id == world.cora
    assert (task.subject_type, task.subject_id) == ("visit", visit.visit_id)
    assert task.state == TaskState.OPEN and task.due_on == add_working_days(TODAY, 5)
    view = services.visits.get(ada, visit.visit_id)
    assert view.record_state == "submitted" and not view.can_record and not view.can_submit
    assert _audit(db_url)[-1].action == "visit_record_submitted"
    with pytest.raises(ServiceError, match="submitted"):
        services.visits.record_outcome(ada, visit.visit_id, completed(view.version))
    # the sergeant approves it through the approvals service
    services.approvals.approve(who(world, "cora"), task_id)
    [stored] = _rows(db_url, select(Visit).where(Visit.id == visit.visit_id))
    assert stored.record_state == ApprovalState.APPROVED and stored.decided_by_id == world.cora


def test_two_failed_attempts_flag_a_warrant_until_a_completed_visit(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")

    def flags() -> Any:
        return services.visits.flags(ada, world.horatio)

    assert flags().failed_attempts == 1 and not flags().warrant_consideration
    first = services.visits.plan(ada, world.horatio, edit("12/06/2024", "18:30"))
    services.visits.record_outcome(
        ada,
        first,
        completed(
            services.visits.get(ada, first).version,
            outcome="no_access",
            occurred_time="10:30",
            home_circumstances="",
            children_present="",
            notes="No reply at the door.",
        ),
    )
    assert flags().failed_attempts == 2 and flags().warrant_consideration
    due = {d.offender_id: d for d in services.visits.due(ada)}
    assert due[world.horatio].warrant_consideration
    second = services.visits.plan(ada, world.horatio, edit("13/06/2024", "11:00"))
    services.visits.record_outcome(
        ada, second, completed(services.visits.get(ada, second).version, occurred_time="10:45")
    )
    after = flags()
    assert after.failed_attempts == 0 and not after.warrant_consideration
    assert after.last_seen == TODAY and after.window is not None
    assert after.next_visit_due == dt.date(2024, 7, 12)  # very high risk: a month on
    assert not after.visit_overdue


def test_flags_for_many_offenders_in_the_callers_session(
    services: Services, world: World, db_url: str
) -> None:
    def work(session: Any) -> Any:
        return services.visits.flags_for(session, [world.horatio, world.quentin, world.barnaby])

    flags = _with_session(db_url, work)
    assert set(flags) == {world.horatio, world.quentin, world.barnaby}
    assert flags[world.horatio].visit_overdue and flags[world.horatio].next_visit_due == dt.date(
        2024, 4, 12
    )
    assert flags[world.quentin].window is None and flags[world.quentin].next_visit_due is None
    assert flags[world.barnaby].window is None
    zebedee = _with_session(db_url, lambda s: services.visits.flags_for(s, None))[world.zebedee]
    assert zebedee.next_planned == dt.datetime(2024, 6, 22, 19, 30, tzinfo=LONDON)
    assert _with_session(db_url, lambda s: services.visits.flags_for(s, [])) == {}


# -- the week -----------------------------------------------------------------------------------


def test_week_of_an_officer_and_of_the_team(services: Services, world: World, db_url: str) -> None:
    _absent(db_url, world.bram, dt.date(2024, 6, 18), dt.date(2024, 6, 19))
    week_start = dt.date(2024, 6, 17)
    mine = services.visits.week(who(world, "ada"), None, week_start)
    assert mine.officer == "ada" and mine.team == "Alder" and len(mine.days) == 7
    saturday = mine.days[5]
    assert saturday.date == dt.date(2024, 6, 22)
    assert [v.reference for v in saturday.visits] == ["ZZ/2019/004512"]
    assert mine.days[1].off_duty == ["Bramwell Tiddlecombe"]
    assert not mine.days[6].visit_day  # Sunday
    team = services.visits.week(who(world, "cora"), None, week_start)
    assert team.officer is None and sum(len(d.visits) for d in team.days) == 1
    brams = services.visits.week(who(world, "ada"), "bram", week_start)
    assert brams.officer == "bram" and brams.days[5].visits
    august = services.visits.week(who(world, "ada"), None, dt.date(2024, 8, 26))
    assert august.days[0].bank_holiday and not august.days[0].visit_day
    with pytest.raises(PermissionRefused):
        services.visits.week(who(world, "gus"), "ada", week_start)
    with pytest.raises(PermissionRefused):
        services.visits.week(who(world, "elsie"), None, week_start)
    with pytest.raises(NotFound):
        services.visits.week(who(world, "ada"), "nobody", week_start)


def test_crew_choices_put_the_manager_first(services: Services, world: World, db_url: str) -> None:
    _absent(db_url, world.bram, dt.date(2024, 6, 22), dt.date(2024, 6, 22))
    choices = services.visits.crew_choices(who(world, "ada"), world.horatio, dt.date(2024, 6, 22))
    assert [c.username for c in choices] == ["ada", "bram", "cora", "dorian"]
    assert choices[0].is_manager and choices[0].visits_that_day == 1
    assert not choices[1].on_duty and choices[1].absence == "leave"


# -- the scheduler ------------------------------------------------------------------------------


def test_schedule_persists_once_and_re_running_never_duplicates(
    services: Services, world: World, db_url: str
) -> None:
    dry = services.visits.schedule(TODAY, 4, 11, persist=False)
    assert len(_rows(db_url, select(Visit).where(Visit.outcome == VisitOutcome.PLANNED))) == 1
    planned = {v.offender_ref for v in dry.planned}
    # overdue Horatio, Mortimer (unallocated) and Cuthbert (released); Zebedee is already planned
    assert {"ZZ/2018/002209", "ZZ/2024/000001", "ZZ/2016/003300"} <= planned
    assert "ZZ/2019/004512" not in planned
    assert all(v.at > world_clock() for v in dry.planned)

    first = services.visits.schedule(TODAY, 4, 11)
    assert first == dry  # the dry run is exactly what a real run saves
    stored = _rows(db_url, select(Visit).where(Visit.outcome == VisitOutcome.PLANNED))
    assert len(stored) == 1 + len(first.planned)
    run = _audit(db_url)[-1]
    assert run.action == "visits_scheduled" and run.username == "pillars schedule"
    assert run.detail["planned"] == len(first.planned) and run.detail["seed"] == 11
    assert sorted(run.detail["visit_ids"]) == sorted(
        v.id for v in stored if v.offender_id != world.zebedee
    )
    mortimer = next(v for v in stored if v.offender_id == world.mortimer)
    assert mortimer.window_start == TODAY and mortimer.purpose == "routine"

    again = services.visits.schedule(TODAY, 4, 11)
    assert again.planned == [] and again.unplaceable == []
    assert len(_rows(db_url, select(Visit).where(Visit.outcome == VisitOutcome.PLANNED))) == len(
        stored
    )
    with pytest.raises(ServiceError, match="in the past"):
        services.visits.schedule(TODAY - dt.timedelta(days=1), 4, 11)
    with pytest.raises(PermissionRefused):
        services.visits.schedule(TODAY, 4, 11, actor=who(world, "ada"))


def test_done_when_an_offender_manager_works_their_week(
    services: Services, world: World, db_url: str
) -> None:
    """Ada sees her week, moves a visit, records a completed visit and a no-access; the
    caseload's "last seen" and the visit flags follow."""
    ada = who(world, "ada")
    services.visits.plan(ada, world.horatio, edit("13/06/2024", "18:30"))
    week = services.visits.week(ada, None, dt.date(2024, 6, 10))
    [horatio] = [v for d in week.days for v in d.visits if v.offender_id == world.horatio]
    assert horatio.can_change and horatio.at.date() == dt.date(2024, 6, 13)
    services.visits.move(
        ada,
        edit("12/06/2024", "11:30", visit_id=horatio.visit_id, expected_version=horatio.version),
    )
    moved = services.visits.get(ada, horatio.visit_id)
    services.visits.record_outcome(
        ada, horatio.visit_id, completed(moved.version, occurred_time="10:55")
    )
    row = next(
        r for r in services.caseload.load(ada, "mine").rows if r.offender_id == world.horatio
    )
    assert row.last_seen == TODAY and not row.visit_overdue

    zebedee = _planned_zebedee(services, world)
    for n, (day, time) in enumerate((("11/06/2024", "09:00"), ("12/06/2024", "10:30"))):
        if n:
            retry = edit("12/06/2024", "12:45", outside_window_reason="Retry after no access.")
            visit_id = services.visits.plan(ada, world.zebedee, retry)
            version = services.visits.get(ada, visit_id).version
        else:
            visit_id, version = zebedee.visit_id, zebedee.version
        services.visits.record_outcome(
            ada,
            visit_id,
            completed(
                version,
                outcome="no_access",
                occurred_date=day,
                occurred_time=time,
                home_circumstances="",
                children_present="",
                notes="No reply.",
            ),
        )
    flags = services.visits.flags(ada, world.zebedee)
    assert flags.failed_attempts == 2 and flags.warrant_consideration
    assert flags.last_seen == dt.date(2024, 4, 12)


def test_an_officer_of_another_team_on_the_crew_sees_and_records_the_visit(
    services: Services, world: World
) -> None:
    ada, gus = who(world, "ada"), who(world, "gus")
    visit_id = services.visits.plan(ada, world.horatio, edit("13/06/2024", "18:30", "ada", "gus"))
    week = services.visits.week(gus, None, dt.date(2024, 6, 10))
    assert [v.visit_id for d in week.days for v in d.visits] == [visit_id]
    view = services.visits.get(gus, visit_id)
    assert view.can_record and not view.can_change
    with pytest.raises(PermissionRefused):
        services.visits.get(who(world, "hattie"), visit_id)
    # Hattie (Birch) sees Gus's week without the Alder offender he is crewing for
    hatties = services.visits.week(who(world, "hattie"), "gus", dt.date(2024, 6, 10))
    assert not [v for d in hatties.days for v in d.visits]
    services.visits.record_outcome(
        gus, visit_id, completed(view.version, officer2="gus", occurred_time="10:00")
    )
    assert services.visits.get(ada, visit_id).outcome == "completed"


# -- four eyes on visit records ------------------------------------------------------------------


def _percival_visit_crewed_by_cora_and_bram(services: Services, world: World) -> int:
    return services.visits.plan(
        who(world, "cora"),
        world.percival,
        edit(
            "12/06/2024",
            "18:30",
            "cora",
            "bram",
            announced=True,
            announced_reason="Arranged by phone.",
            outside_window_reason="Sergeant's check visit.",
        ),
    )


def test_a_crew_member_cannot_record_a_crew_that_leaves_them_out(
    services: Services, world: World, db_url: str
) -> None:
    cora = who(world, "cora")
    visit_id = _percival_visit_crewed_by_cora_and_bram(services, world)
    version = services.visits.get(cora, visit_id).version
    with pytest.raises(ValidationFailed) as raised:
        services.visits.record_outcome(
            cora, visit_id, completed(version, occurred_time="09:00", officer1="ada")
        )
    assert "offender's manager" in fields(raised)["officer1"]
    view = services.visits.get(cora, visit_id)
    assert view.outcome == "planned" and view.version == version
    # the offender's manager (Bram) may record a visit he was not on
    services.visits.record_outcome(
        who(world, "bram"),
        visit_id,
        completed(version, occurred_time="09:00", officer1="cora", officer2="ada"),
    )
    assert services.visits.get(cora, visit_id).outcome == "completed"


def test_the_officer_who_recorded_the_outcome_cannot_approve_the_record(
    services: Services, world: World, db_url: str
) -> None:
    cora, bram = who(world, "cora"), who(world, "bram")
    visit_id = _percival_visit_crewed_by_cora_and_bram(services, world)
    version = services.visits.get(cora, visit_id).version
    services.visits.record_outcome(
        cora, visit_id, completed(version, occurred_time="09:00", officer1="cora")
    )
    # Bram, on the crew, re-records it naming Ada in Cora's place and submits it
    version = services.visits.get(bram, visit_id).version
    services.visits.record_outcome(
        bram, visit_id, completed(version, occurred_time="09:00", officer1="ada")
    )
    task_id = services.visits.submit_record(
        bram, visit_id, services.visits.get(bram, visit_id).version
    )
    [pending] = [
        p
        for p in services.approvals.pending_for_offender(cora, world.percival)
        if p.task_id == task_id
    ]
    assert not pending.can_decide and "recorded the outcome" in pending.why_not
    with pytest.raises(PermissionRefused, match="recorded the outcome"):
        services.approvals.approve(cora, task_id)
    [stored] = _rows(db_url, select(Visit).where(Visit.id == visit_id))
    assert stored.record_state == ApprovalState.SUBMITTED
    services.approvals.approve(who(world, "dorian"), task_id)


def test_only_the_stored_crew_or_the_manager_may_record_not_the_crew_typed(
    services: Services, world: World, db_url: str
) -> None:
    visit = _planned_zebedee(services, world)  # crew Ada and Bram; Ada manages Zebedee
    before = len(_audit(db_url))
    with pytest.raises(PermissionRefused):
        services.visits.record_outcome(
            who(world, "cora"),
            visit.visit_id,
            completed(
                visit.version,
                outcome="no_access",
                officer1="cora",
                officer2="dorian",
                home_circumstances="",
                children_present="",
                notes="Nobody in.",
            ),
        )
    view = services.visits.get(who(world, "ada"), visit.visit_id)
    assert view.outcome == "planned" and view.version == visit.version
    assert len(_audit(db_url)) == before
