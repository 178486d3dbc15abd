"""The inbox: who sees which task on a day (cover), claiming across desktops, escalation."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.enums import AbsenceKind, TaskState
from db.models import Absence, AuditEvent, CoverArrangement, RiskAssessment, Task, Visit
from desktop.rules.cover import NamedCover, OfficerOnDuty, cover_for, route_tasks
from desktop.rules.workdays import add_working_days
from desktop.services.core import Services
from desktop.services.errors import PermissionRefused, ServiceError
from desktop.services.inbox import TaskClaimed
from tests.desktop.factories import (
    PASSWORD,
    PendingWork,
    World,
    add_pending_approvals,
    populate,
    world_clock,
)
from tests.desktop.test_cover import DAYS, rosters

TODAY = dt.date(2024, 6, 12)


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def pending(db_url: str, world: World) -> PendingWork:
    return add_pending_approvals(db_url, world)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    services = Services(db_url, clock=world_clock)
    yield services
    services.close()


def _write(db_url: str, *rows: Any) -> list[int]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]
    finally:
        engine.dispose()


def _read(db_url: str, stmt: Any) -> list[Any]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return list(session.execute(stmt))
    finally:
        engine.dispose()


def _absent(
    db_url: str,
    officer_id: int,
    start: dt.date = TODAY - dt.timedelta(days=2),
    end: dt.date = TODAY + dt.timedelta(days=5),
    *,
    cover: int | None = None,
) -> None:
    absence = Absence(officer_id=officer_id, kind=AbsenceKind.LEAVE, starts_on=start, ends_on=end)
    if cover is not None:
        absence.cover.append(CoverArrangement(cover_officer_id=cover, starts_on=start, ends_on=end))
    _write(db_url, absence)


def _put_cora_on_the_visit_crew(db_url: str, world: World, pending: PendingWork) -> None:
    """Cora, the sergeant who would approve the pending visit record, was on its crew."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            session.get_one(Visit, pending.visit).officer2_id = world.cora
    finally:
        engine.dispose()


def _approvals(services: Services, username: str, on: dt.date | None = None) -> dict[int, Any]:
    actor = services.auth.sign_in(username, PASSWORD)
    return {i.task_id: i for i in services.inbox.tasks(actor, on).group("approval")}


def test_the_sergeant_sees_her_teams_approvals_sorted_by_due(
    services: Services, world: World, pending: PendingWork
) -> None:
    inbox = services.inbox.tasks(services.auth.sign_in("cora", PASSWORD))
    approvals = inbox.group("approval")
    assert {pending.arms_task, pending.plan_task, pending.visit_task} <= {
        i.task_id for i in approvals
    }
    assert [i.due_on for i in inbox.items] == sorted(i.due_on for i in inbox.items)
    plan = next(i for i in approvals if i.task_id == pending.plan_task)
    assert plan.kind_label == "Plan approval" and plan.reference == world.references["zebedee"]
    assert plan.owner == "Cora Pennywhistle" and plan.covering_for == "" and plan.can_act
    assert plan.submitted_by == "Ada Quillfeather" and not plan.overdue
    assert inbox.covering == ()
    # nobody else sees them: not the other team's sergeant, not the offender managers
    assert pending.plan_task not in _approvals(services, "hattie")
    assert _approvals(services, "ada") == {}


def test_named_cover_sees_the_absent_sergeants_approvals_on_her_behalf(
    services: Services, world: World, pending: PendingWork, db_url: str
) -> None:
    _absent(db_url, world.cora, cover=world.hattie)
    assert _approvals(services, "cora") == {}
    seen = _approvals(services, "hattie")
    item = seen[pending.plan_task]
    assert item.covering_for == "Cora Pennywhistle" and item.can_act
    assert "named for this absence" in item.cover_reason
    inbox = services.inbox.tasks(services.auth.sign_in("hattie", PASSWORD))
    assert any(
        "covering for Cora Pennywhistle, absent until 17/06/2024" in s for s in inbox.covering
    )

    hattie = services.auth.sign_in("hattie", PASSWORD)
    [before] = [line for line in inbox.backlog if line.owner == "Cora Pennywhistle"]
    assert before.absent and before.open >= 3
    services.inbox.approve(hattie, pending.plan_task)
    [after] = [
        line for line in services.inbox.tasks(hattie).backlog if line.owner == "Cora Pennywhistle"
    ]
    assert after.open == before.open - 1  # the absent sergeant's backlog falls
    [(state, by, as_cover)] = _read(
        db_url,
        select(Task.state, Task.completed_by_id, Task.completed_as_cover_for_id).where(
            Task.id == pending.plan_task
        ),
    )
    assert (state, by, as_cover) == (TaskState.DONE, world.hattie, world.cora)
    [detail] = _read(
        db_url,
        select(AuditEvent.detail).where(
            AuditEvent.action == "approved", AuditEvent.officer_id == world.hattie
        ),
    )
    assert detail[0]["as_cover_for"] == "Cora Pennywhistle"
    assert pending.plan_task not in _approvals(services, "hattie")


def test_the_chain_without_named_cover_and_the_owner_coming_back(
    services: Services, world: World, pending: PendingWork, db_url: str
) -> None:
    # Alder has one sergeant: with Cora away, the sergeant of another team on duty covers
    _absent(db_url, world.cora)
    assert pending.arms_task in _approvals(services, "hattie")
    # with Hattie away as well, the team manager
    _absent(db_url, world.hattie)
    dorian = _approvals(services, "dorian")
    assert dorian[pending.arms_task].covering_for == "Cora Pennywhistle"
    assert "team manager" in dorian[pending.arms_task].cover_reason
    # the day after the absence ends, the tasks are Cora's again
    back = TODAY + dt.timedelta(days=6)
    assert pending.arms_task in _approvals(services, "cora", back)
    assert pending.arms_task not in _approvals(services, "dorian", back)


def test_an_author_on_the_chain_is_passed_over(
    services: Services, world: World, pending: PendingWork, db_url: str
) -> None:
    """Cora was on the crew of the visit she would approve: it goes to the next link."""
    _put_cora_on_the_visit_crew(db_url, world, pending)
    assert pending.visit_task not in _approvals(services, "cora")
    item = _approvals(services, "hattie")[pending.visit_task]
    assert item.covering_for == "Cora Pennywhistle" and item.can_act
    assert "may not decide their own work" in item.cover_reason
    with pytest.raises(PermissionRefused, match="four eyes"):
        services.approvals.approve(services.auth.sign_in("cora", PASSWORD), pending.visit_task)


def test_a_sergeant_of_another_team_not_covering_may_not_claim(
    services: Services, pending: PendingWork
) -> None:
    hattie = services.auth.sign_in("hattie", PASSWORD)
    with pytest.raises(PermissionRefused, match="not covering"):
        services.inbox.claim(hattie, pending.plan_task)
    with pytest.raises(PermissionRefused, match="Alder"):
        services.inbox.approve(hattie, pending.plan_task)


def test_a_claim_shows_on_another_desktop_and_lapses_after_30_idle_minutes(
    services: Services, world: World, pending: PendingWork, db_url: str
) -> None:
    """The team manager opens one of Cora's approvals; Cora, at her own desk, sees it taken."""
    dorian = services.auth.sign_in("dorian", PASSWORD)
    claim = services.inbox.claim(dorian, pending.arms_task)
    assert claim.lapses_at - claim.claimed_at == dt.timedelta(minutes=30)

    later = world_clock() + dt.timedelta(minutes=20)
    other = Services(db_url, clock=lambda: later)
    try:
        cora = other.auth.sign_in("cora", PASSWORD)
        item = _approvals(other, "cora")[pending.arms_task]
        assert item.claimed_by == "Dorian Mothersole" and not item.can_act
        assert "since 11:00" in item.why_not  # 10:00 UTC is 11:00 in London in June
        with pytest.raises(TaskClaimed, match="Dorian Mothersole has been working on this"):
            other.inbox.claim(cora, pending.arms_task)
        with pytest.raises(TaskClaimed):
            other.inbox.approve(cora, pending.arms_task)
    finally:
        other.close()

    lapsed = world_clock() + dt.timedelta(minutes=31)
    other = Services(db_url, clock=lambda: lapsed)
    try:
        cora = other.auth.sign_in("cora", PASSWORD)
        item = _approvals(other, "cora")[pending.arms_task]  # Dorian's claim has lapsed
        assert item.claimed_by == "" and item.claimed_at is None and item.can_act
        other.inbox.claim(cora, pending.arms_task)
        assert _approvals(other, "cora")[pending.arms_task].claimed_by == "you"
        other.inbox.release(cora, pending.arms_task)
        assert _approvals(other, "cora")[pending.arms_task].claimed_by == ""
    finally:
        other.close()


def test_two_desktops_claiming_at_once_exactly_one_wins(
    world: World, pending: PendingWork, db_url: str
) -> None:
    desks = [Services(db_url, clock=world_clock) for _ in range(2)]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def claim(desk: Services, username: str) -> None:
        actor = desk.auth.sign_in(username, PASSWORD)
        barrier.wait()
        try:
            desk.inbox.claim(actor, pending.plan_task)
            outcomes.append(f"won:{username}")
        except TaskClaimed as exc:
            outcomes.append(f"lost:{exc.claimed_by}")

    threads = [
        threading.Thread(target=claim, args=(desk, name))
        for desk, name in zip(desks, ("cora", "dorian"), strict=True)
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        for desk in desks:
            desk.close()
    won = [o for o in outcomes if o.startswith("won:")]
    lost = [o for o in outcomes if o.startswith("lost:")]
    assert len(won) == 1 and len(lost) == 1
    winner = {"won:cora": "Cora Pennywhistle", "won:dorian": "Dorian Mothersole"}[won[0]]
    assert lost[0] == f"lost:{winner}"
    [(claimed_by,)] = _read(db_url, select(Task.claimed_by_id).where(Task.id == pending.plan_task))
    assert claimed_by == {"won:cora": world.cora, "won:dorian": world.dorian}[won[0]]


def test_a_decided_task_cannot_be_claimed(services: Services, pending: PendingWork) -> None:
    cora = services.auth.sign_in("cora", PASSWORD)
    services.inbox.approve(cora, pending.plan_task)
    dorian = services.auth.sign_in("dorian", PASSWORD)
    with pytest.raises(ServiceError, match="already completed by Cora Pennywhistle"):
        services.inbox.claim(dorian, pending.plan_task)


def test_team_manager_sees_overdue_approvals_in_age_bands(
    services: Services, world: World, pending: PendingWork, db_url: str
) -> None:
    overdue = {pending.arms_task: 3, pending.plan_task: 8, pending.visit_task: 25}
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            for task_id, days in overdue.items():
                session.get_one(Task, task_id).due_on = add_working_days(TODAY, -days)
    finally:
        engine.dispose()
    inbox = services.inbox.tasks(services.auth.sign_in("dorian", PASSWORD))
    bands = {
        band.label: {i.task_id: i.overdue_days for i in band.items} for band in inbox.escalation
    }
    assert list(bands) == [
        "up to 5 working days",
        "6 to 10 working days",
        "11 to 20 working days",
        "over 20 working days",
    ]
    assert bands["up to 5 working days"][pending.arms_task] == 3
    assert bands["6 to 10 working days"][pending.plan_task] == 8
    assert (
        bands["11 to 20 working days"] == {}
        or pending.visit_task not in bands["11 to 20 working days"]
    )
    assert bands["over 20 working days"][pending.visit_task] == 25
    cora_line = next(line for line in inbox.backlog if line.owner == "Cora Pennywhistle")
    assert cora_line.overdue >= 3 and cora_line.open >= 3 and not cora_line.absent
    # the sergeant's own view shows the same work as overdue, in words for the screen
    item = _approvals(services, "cora")[pending.visit_task]
    assert item.overdue and item.overdue_days == 25
    # and nobody covering: both the sergeant and the other team's sergeant and the TM away
    for officer_id in (world.cora, world.hattie, world.dorian):
        _absent(db_url, officer_id)
    other = Services(db_url, clock=world_clock)
    try:
        # the team manager's escalation lists them as unrouted
        inbox = other.inbox.tasks(other.auth.sign_in("dorian", PASSWORD), TODAY)
        assert {pending.arms_task, pending.plan_task, pending.visit_task} <= {
            i.task_id for i in inbox.unrouted
        }
        # and the sergeant, signed in on her day off, is told her approvals wait
        cora = other.inbox.tasks(other.auth.sign_in("cora", PASSWORD), TODAY)
        assert cora.covering[0].startswith("You are recorded as absent until 17/06/2024: ")
        assert "wait: nobody on duty can cover them" in cora.covering[0]
    finally:
        other.close()


def test_the_hub_sees_the_hub_queue_and_managers_their_follow_ups(
    services: Services, world: World
) -> None:
    hub = services.inbox.tasks(services.auth.sign_in("elsie", PASSWORD))
    assert hub.group("hub") and all(i.owner == "Hub" and i.can_act for i in hub.group("hub"))
    assert hub.group("approval") == []
    cora = services.inbox.tasks(services.auth.sign_in("cora", PASSWORD))
    assert cora.group("hub") == []


def test_an_assessment_by_the_sergeant_goes_past_her(
    services: Services, world: World, pending: PendingWork, db_url: str
) -> None:
    """The sergeant assessed it herself: the task reaches another officer, never her."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            session.get_one(RiskAssessment, pending.arms).assessor_id = world.cora
    finally:
        engine.dispose()
    assert pending.arms_task not in _approvals(services, "cora")
    assert pending.arms_task in _approvals(services, "hattie")


def test_cover_from_another_team_may_read_the_records_it_decides(
    world: World, pending: PendingWork, db_url: str
) -> None:
    """Hattie (Birch) covers Cora (Alder): she must see the work, so Alder's records open for
    her while she covers, and only then."""
    services = Services(db_url, clock=world_clock)
    try:
        hattie = services.auth.sign_in("hattie", PASSWORD)
        with pytest.raises(PermissionRefused, match="Only Alder team officers"):
            services.records.open(hattie, world.zebedee)
        _absent(db_url, world.cora, cover=world.hattie)
        hattie = services.auth.sign_in("hattie", PASSWORD)
        assert hattie.covering_team_ids == frozenset({world.alder})
        assert services.records.open(hattie, world.zebedee).reference == world.references["zebedee"]
        services.inbox.return_(hattie, pending.arms_task, "Fictional: score item 3 again.")
        gus = services.auth.sign_in("gus", PASSWORD)
        assert gus.covering_team_ids == frozenset()
    finally:
        services.close()


@given(world=rosters(), day=st.sampled_from(DAYS), loaded=st.booleans(), data=st.data())
@settings(max_examples=200, deadline=None)
def test_routing_many_tasks_at_once_gives_each_the_chains_answer_for_it_alone(
    world: tuple[list[OfficerOnDuty], list[NamedCover]],
    day: dt.date,
    loaded: bool,
    data: st.DataObject,
) -> None:
    """The inbox routes every open task at once (issue #10: 10,000 of them): the chain runs once
    per owner and again only for a task whose authors could change the answer. Each task still
    goes exactly where the chain sends it alone, words included. (A rules property: it belongs
    with tests/desktop/test_cover.py.)"""
    officers, named = world
    ids = [o.officer_id for o in officers]
    load = {i: data.draw(st.integers(0, 4)) for i in ids} if loaded else None
    # owners with named cover, and their covers as authors, drawn more often: the rare cases
    owners = st.sampled_from(ids + [n.absent_officer_id for n in named] * 4)
    authors = st.sets(st.sampled_from(ids + [n.cover_officer_id for n in named] * 4), max_size=3)
    tasks = [(n, data.draw(owners)) for n in range(data.draw(st.integers(1, 12)))]
    excludes = {n: data.draw(authors) for n, _owner in tasks}
    routed = route_tasks(tasks, day, officers, named, load=load, excludes=excludes)
    assert routed == {
        n: cover_for(owner, day, officers, named, load=load, exclude=excludes[n])
        for n, owner in tasks
    }


def test_an_item_says_when_it_was_raised_in_utc_and_its_age_in_working_days(
    services: Services, pending: PendingWork, db_url: str
) -> None:
    """Raised at 23:30 UTC on a Thursday in summer, which is Friday in London: its age counts
    from the London day. The time reads back in UTC on both databases (the inbox
    reads it without the column type's wrapper; issue #10)."""
    raised = dt.datetime(2024, 6, 6, 23, 30, tzinfo=dt.UTC)  # Friday 00:30 in London
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            session.get_one(Task, pending.plan_task).created_at = raised
    finally:
        engine.dispose()
    [item] = [
        i
        for i in services.inbox.tasks(services.auth.sign_in("cora", PASSWORD)).items
        if i.task_id == pending.plan_task
    ]
    assert item.created_at == raised and item.created_at.utcoffset() == dt.timedelta(0)
    # from Friday 7 June: Monday 10 to Wednesday 12 June (from the Thursday it would be four)
    assert item.age_days == 3


def test_a_glance_at_each_task_reads_as_its_item_and_finds_every_distinct_text(
    services: Services, world: World, pending: PendingWork, db_url: str
) -> None:
    """The inbox makes a task's InboxItem only when it is read, and sizes its columns from a
    glance at one task per distinct value without making them (issue #10): a glance reads as
    the item does, and the tasks glanced at hold every value of the column's field. Hattie
    covers absent Cora; one task was raised at 23:30 UTC on a summer Thursday (Friday in
    London), one is overdue, one is claimed by the team manager."""
    raised = dt.datetime(2024, 6, 6, 23, 30, tzinfo=dt.UTC)
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            session.get_one(Task, pending.plan_task).created_at = raised
            session.get_one(Task, pending.arms_task).due_on = add_working_days(TODAY, -4)
    finally:
        engine.dispose()
    services.inbox.claim(services.auth.sign_in("dorian", PASSWORD), pending.visit_task)
    _absent(db_url, world.cora, cover=world.hattie)
    inbox = services.inbox.tasks(services.auth.sign_in("hattie", PASSWORD))
    tasks = inbox.in_group("approval")
    assert len(tasks) >= 3 and inbox.overdue == sum(i.overdue for i in inbox.items) >= 1
    assert [i.task_id for i in tasks] == [i.task_id for i in inbox.group("approval")]
    shown = (
        "kind_label",
        "reference",
        "offender_name",
        "owner",
        "covering_for",
        "age_days",
        "due_on",
        "overdue",
        "overdue_days",
        "claimed_by",
        "claimed_by_id",
        "claimed_by_me",
        "claimed_by_other",
    )
    for index, item in enumerate(tasks):
        glance = tasks.glance(index)  # type: ignore[attr-defined]
        assert {f: getattr(glance, f) for f in shown} == {f: getattr(item, f) for f in shown}
    assert {i.claimed_by for i in tasks} >= {"Dorian Mothersole", ""}
    assert {i.covering_for for i in tasks} == {"Cora Pennywhistle"}
    for field in shown:
        found = {getattr(tasks[i], field) for i in tasks.firsts(field)}  # type: ignore[attr-defined]
        assert found == {getattr(item, field) for item in tasks}, field


def test_an_author_is_passed_over_however_the_work_is_read(
    services: Services,
    world: World,
    pending: PendingWork,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Who did the work is read by id, or, for more pieces of work of a kind than one statement
    binds, through the open tasks (issue #10): either way Cora, on the crew of the visit she
    would approve, does not see it, and Hattie decides it as her cover."""
    import desktop.services.inbox as inbox

    _put_cora_on_the_visit_crew(db_url, world, pending)
    by_id = _approvals(services, "cora"), _approvals(services, "hattie")
    monkeypatch.setattr(inbox, "_THROUGH_TASKS", 0)  # as if every kind of work had thousands
    through_tasks = _approvals(services, "cora"), _approvals(services, "hattie")
    assert through_tasks == by_id
    cora, hattie = through_tasks
    assert pending.visit_task not in cora and {pending.arms_task, pending.plan_task} <= set(cora)
    assert hattie[pending.visit_task].covering_for == "Cora Pennywhistle"
    assert hattie[pending.visit_task].can_act


def test_reading_the_ages_after_the_load_needs_no_bank_holidays_loaded(
    services: Services, world: World, pending: PendingWork
) -> None:
    """The screen works out each task's age in working days on the GUI thread, as its rows are
    shown; the first count in a process loads the holidays library and builds the year (about
    half a second). The service has read this year's bank holidays before it answers, so reading
    the ages of the tasks raised this year loads nothing more."""
    from desktop.rules.workdays import bank_holidays

    bank_holidays.cache_clear()
    inbox = services.inbox.tasks(services.auth.sign_in("cora", PASSWORD))
    loaded = bank_holidays.cache_info().misses
    tasks = inbox.in_group("approval")
    assert len(tasks) >= 3 and all(i.created_at.year == TODAY.year for i in tasks)
    ages = [tasks.glance(i).age_days for i in range(len(tasks))]  # type: ignore[attr-defined]
    assert ages == [i.age_days for i in tasks] and all(age >= 0 for age in ages)
    assert bank_holidays.cache_info().misses == loaded >= 1


def test_a_driver_error_while_the_rows_are_read_comes_as_sqlalchemy_s_own(
    services: Services, db_url: str
) -> None:
    """The inbox reads its rows straight from the driver (issue #10); an error the database
    raises part-way through them (here SQLite's, on the second row) still reaches the caller as
    SQLAlchemy's error, the one `db.engine.translated_errors` explains to the officer."""
    if not db_url.startswith("sqlite"):
        pytest.skip("PostgreSQL sends every row at once: nothing fails part-way")
    from sqlalchemy import func, literal, union_all
    from sqlalchemy.exc import OperationalError

    from desktop.services.inbox import _plain_rows

    texts = union_all(select(literal("[]").label("text")), select(literal("not json"))).subquery()
    with services.transaction() as session, pytest.raises(OperationalError, match="malformed"):
        _plain_rows(session, select(func.json(texts.c.text)))


def test_a_sergeant_signed_in_on_a_day_off_is_told_where_her_approvals_went(
    services: Services, world: World, pending: PendingWork, db_url: str
) -> None:
    """Recorded as absent, Cora's approvals go to her cover: her own inbox says so instead of
    showing an empty list with no reason; her cover's inbox does not say it of her."""
    _absent(db_url, world.cora, cover=world.hattie)
    inbox = services.inbox.tasks(services.auth.sign_in("cora", PASSWORD))
    assert len(inbox.group("approval")) == 0
    assert inbox.covering[0] == (
        "You are recorded as absent until 17/06/2024: your approvals and PPN escalations go to "
        "Hattie Bumblesworth while you are."
    )
    hattie = services.inbox.tasks(services.auth.sign_in("hattie", PASSWORD))
    assert pending.plan_task in {i.task_id for i in hattie.group("approval")}
    assert not any(s.startswith("You are recorded as absent") for s in hattie.covering)
