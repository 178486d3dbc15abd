"""PpnService on both databases: a PPN from the visit that saw children to social care's decision,
who may do what, refusals that save nothing, the escalation to the sergeant and its
acknowledgement (by cover too), version conflicts, the audit trail, and the Safeguarding list.

The synthetic world's day is Wednesday 12/06/2024, 10:00 UTC (11:00 in London). Horatio already
has a draft PPN raised by Ada 30 hours ago (late), for the household at ZZ9 9ZZ."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from db.engine import make_engine, session_factory
from db.enums import AbsenceKind, PpnDecision, PpnGrade, PpnState, Role, TaskKind, TaskState
from db.models import Absence, Address, AuditEvent, HouseholdMember, Ppn, Task, Visit
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
from desktop.services.ppns import PpnEntry, SubjectEntry
from desktop.services.visits import OutcomeEdit
from tests.desktop.factories import PASSWORD, WORLD_NOW, World, populate

TODAY = dt.date(2024, 6, 12)
CARD = "4539 1488 0343 6467"  # a fictional number that passes the Luhn check
ROLES = {
    "ada": (Role.OFFENDER_MANAGER, "alder"),
    "bram": (Role.OFFENDER_MANAGER, "alder"),
    "cora": (Role.SERGEANT, "alder"),
    "dorian": (Role.TEAM_MANAGER, "alder"),
    "gus": (Role.OFFENDER_MANAGER, "birch"),
    "hattie": (Role.SERGEANT, "birch"),
    "elsie": (Role.HUB_OFFICER, None),
    "fenn": (Role.ADMINISTRATOR, None),
}


class Clock:
    """The services' clock, moved on by the tests."""

    def __init__(self) -> None:
        self.now = WORLD_NOW

    def __call__(self) -> dt.datetime:
        return self.now

    def later(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def services(db_url: str, world: World, clock: Clock) -> Iterator[Services]:
    s = Services(db_url, clock=clock)
    yield s
    s.close()


def who(world: World, name: str, covering: frozenset[int] = frozenset()) -> Actor:
    """The signed-in officer, without the cost of a password check."""
    role, team = ROLES[name]
    team_id = getattr(world, team) if team else None
    return Actor(
        getattr(world, name),
        name,
        world.display_names[name],
        role.value,
        team_id,
        team.title() if team else "",
        covering,
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


def _count(db_url: str, model: Any) -> int:
    return _with_session(db_url, lambda s: s.scalar(select(func.count()).select_from(model)))


def _actions(db_url: str, after: int = 0) -> list[str]:
    return _rows(
        db_url, select(AuditEvent.action).where(AuditEvent.id > after).order_by(AuditEvent.id)
    )


def _last_audit_id(db_url: str) -> int:
    return _with_session(db_url, lambda s: s.scalar(select(func.max(AuditEvent.id))) or 0)


def _tasks(db_url: str, kind: TaskKind) -> list[Task]:
    return _rows(db_url, select(Task).where(Task.kind == kind).order_by(Task.id))


def _escalations(db_url: str) -> list[Task]:
    return [t for t in _tasks(db_url, TaskKind.PPN_ESCALATION)]


def _child(db_url: str, world: World, offender: str = "zebedee") -> int:
    return _with_session(
        db_url,
        lambda s: s.scalar(
            select(HouseholdMember.id)
            .where(HouseholdMember.offender_id == getattr(world, offender))
            .order_by(HouseholdMember.date_of_birth.desc())
            .limit(1)
        ),
    )


def entry(
    day: str = "12/06/2024",
    time: str = "10:30",
    *,
    grade: str = "amber",
    concern: str = "A child's bruise seen at the fictional household; no explanation given.",
    subjects: tuple[SubjectEntry, ...] | None = None,
) -> PpnEntry:
    people = (
        subjects
        if subjects is not None
        else (SubjectEntry(name="Wilhelmina Thistlewaite", date_of_birth="03/04/2016"),)
    )
    return PpnEntry(grade, concern, day, time, people)


def _old_ppn(db_url: str, offender_id: int, raised_by: int, concern_at: dt.datetime) -> int:
    """A PPN from before the service's 90-day limit on typed concern dates, as if raised then."""

    def add(session: Any) -> int:
        household = session.scalar(
            select(Address.postcode)
            .where(Address.offender_id == offender_id, Address.to_date.is_(None))
            .limit(1)
        )
        ppn = Ppn(
            offender_id=offender_id,
            household_key=household or "",
            grade=PpnGrade.GREEN,
            concern="An older fictional concern.",
            concern_at=concern_at,
            raised_by_id=raised_by,
            raised_at=concern_at,
            state=PpnState.CLOSED,
            closed_at=concern_at + dt.timedelta(days=10),
        )
        session.add(ppn)
        session.flush()
        return ppn.id

    return _with_session(db_url, add)


def _concern(day: str) -> dt.datetime:
    return dt.datetime.strptime(f"{day} 11:00", "%d/%m/%Y %H:%M").replace(tzinfo=dt.UTC)


# -- the walk a new user would take ---------------------------------------------------------------


def test_from_a_visit_with_children_to_social_cares_decision(
    services: Services, world: World, db_url: str, clock: Clock
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    [planned] = [
        v for v in services.visits.for_offender(ada, world.zebedee) if v.outcome == "planned"
    ]
    services.visits.record_outcome(
        ada,
        planned.visit_id,
        OutcomeEdit(
            expected_version=planned.version,
            outcome="completed",
            occurred_date="12/06/2024",
            occurred_time="10:15",
            officer1="ada",
            officer2="bram",
            home_circumstances="Partner's daughter at home; a bruise on her arm.",
            children_present="yes",
            notes="",
        ),
    )
    audit_from = _last_audit_id(db_url)
    choices = services.ppns.household_choices(ada, world.zebedee)
    assert [c.is_child for c in choices] == sorted((c.is_child for c in choices), reverse=True)
    child = choices[0]
    assert child.is_child

    ppn_id = services.ppns.raise_(
        ada,
        world.zebedee,
        entry(subjects=(SubjectEntry(household_member_id=child.household_member_id),)),
        visit_id=planned.visit_id,
    )

    [visit] = _rows(db_url, select(Visit).where(Visit.id == planned.visit_id))
    assert visit.ppn_decision == PpnDecision.PPN_RAISED
    raised = services.ppns.get(ada, ppn_id)
    assert (raised.stage, raised.grade, raised.visit_id) == ("draft", "amber", planned.visit_id)
    assert raised.concern_at == dt.datetime(2024, 6, 12, 9, 30, tzinfo=dt.UTC)  # 10:30 London
    assert raised.submit_by - raised.concern_at == dt.timedelta(hours=24)
    assert raised.next_step == "Submit by 10:30 on 13/06/2024."
    assert [s.name for s in raised.subjects] == [child.name]
    assert not raised.late and raised.may_edit

    clock.later(hours=25)
    late = services.ppns.get(ada, ppn_id)
    assert (late.stage, late.late) == ("due", True)
    assert late.next_step.startswith("Late: it was to be submitted by 10:30 on 13/06/2024")

    services.ppns.submit(ada, ppn_id, late.version, reference="MASH/0042 (fictional)")
    submitted = services.ppns.get(ada, ppn_id)
    assert submitted.stage == "submitted" and not submitted.late
    assert submitted.submitted_at == clock.now and submitted.submitted_by == "Ada Quillfeather"
    assert submitted.follow_up_due_on == dt.date(2024, 6, 20)  # 13/06 + 7 days
    assert submitted.submission_reference == "MASH/0042 (fictional)"

    services.ppns.record_mash_review(
        ada, ppn_id, submitted.version, reviewed_date="13/06/2024", outcome="Shared with CSC."
    )
    reviewed = services.ppns.get(ada, ppn_id)
    assert reviewed.stage == "awaiting_social_care" and reviewed.mash_reviewed_at == clock.now
    follow_ups = [
        i
        for i in services.inbox.tasks(ada).items
        if i.kind == TaskKind.PPN_FOLLOW_UP.value and i.subject_id == ppn_id
    ]
    assert len(follow_ups) == 1
    [task] = follow_ups
    assert task.due_on == dt.date(2024, 6, 20) and task.subject_type == "ppn"
    assert task.title == (
        "Follow up PPN with children's social care: "
        f"{world.references['zebedee']} (Zebedee Plimsoll)"
    )

    services.ppns.record_decision(
        ada,
        ppn_id,
        reviewed.version,
        decision="Early help offered",
        decided_date="13/06/2024",
        source="Duty social worker, Fictionton CSC",
    )
    closed = services.ppns.get(ada, ppn_id)
    assert (closed.stage, closed.state) == ("closed", "closed")
    assert closed.next_step == "Closed on 13/06/2024." and not closed.may_edit
    assert closed.social_care_decided_on == dt.date(2024, 6, 13)
    [done] = _rows(db_url, select(Task).where(Task.id == task.task_id))
    assert done.state == TaskState.DONE and done.comment == "Early help offered"
    assert done.completed_by_id == world.ada
    assert not [
        i
        for i in services.inbox.tasks(ada).items
        if i.subject_id == ppn_id and i.subject_type == "ppn"
    ]
    assert _actions(db_url, audit_from) == [
        "ppn_raised",
        "ppn_submitted",
        "ppn_mash_reviewed",
        "ppn_decision_recorded",
    ]
    [stored] = _rows(db_url, select(Ppn).where(Ppn.id == ppn_id))
    assert stored.mash_reviewed_by_id == world.ada and stored.decision_recorded_by_id == world.ada


def test_a_review_on_an_earlier_day_is_dated_noon_in_london(
    services: Services, world: World, clock: Clock
) -> None:
    ada = who(world, "ada")
    ppn_id = services.ppns.raise_(ada, world.zebedee, entry())
    services.ppns.submit(ada, ppn_id, services.ppns.get(ada, ppn_id).version)
    clock.later(days=2)
    version = services.ppns.get(ada, ppn_id).version
    services.ppns.record_mash_review(
        ada, ppn_id, version, reviewed_date="13/06/2024", outcome="Passed to CSC."
    )
    assert services.ppns.get(ada, ppn_id).mash_reviewed_at == dt.datetime(
        2024, 6, 13, 11, 0, tzinfo=dt.UTC
    )


# -- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["elsie", "fenn", "gus"])
def test_who_may_not_raise(services: Services, world: World, db_url: str, name: str) -> None:
    before = _count(db_url, Ppn)
    with pytest.raises(PermissionRefused, match="Nothing was saved"):
        services.ppns.raise_(who(world, name), world.zebedee, entry())
    assert _count(db_url, Ppn) == before


@pytest.mark.parametrize("name", ["ada", "bram", "cora", "dorian"])
def test_the_teams_officers_may_raise(services: Services, world: World, name: str) -> None:
    ppn_id = services.ppns.raise_(who(world, name), world.zebedee, entry())
    view = services.ppns.get(who(world, "ada"), ppn_id)
    assert view.raised_by_id == getattr(world, name)


def test_reading_follows_the_record_and_changing_is_refused_to_hub_and_others(
    services: Services, world: World
) -> None:
    ada = who(world, "ada")
    ppn_id = services.ppns.raise_(ada, world.zebedee, entry())
    version = services.ppns.get(ada, ppn_id).version
    # the hub reads every record, so it reads the PPN; it changes nothing
    assert services.ppns.get(who(world, "elsie"), ppn_id).ppn_id == ppn_id
    with pytest.raises(PermissionRefused, match="hub officer cannot raise or change PPNs"):
        services.ppns.submit(who(world, "elsie"), ppn_id, version)
    for name in ("gus", "fenn"):
        with pytest.raises(PermissionRefused):
            services.ppns.get(who(world, name), ppn_id)
        with pytest.raises(PermissionRefused):
            services.ppns.for_offender(who(world, name), world.zebedee)
        with pytest.raises(PermissionRefused):
            services.ppns.submit(who(world, name), ppn_id, version)
    with pytest.raises(PermissionRefused):
        services.ppns.list(who(world, "elsie"))
    with pytest.raises(PermissionRefused):
        services.ppns.list(who(world, "fenn"), scope="team")
    # a Birch sergeant covering Alder today reads and may act
    covering = who(world, "hattie", frozenset({world.alder}))
    assert services.ppns.get(covering, ppn_id).may_edit
    with pytest.raises(NotFound):
        services.ppns.get(ada, 999_999)


# -- refusals save nothing ------------------------------------------------------------------------


def _refused(services: Services, world: World, db_url: str, bad: PpnEntry) -> dict[str, str]:
    ppns, audit = _count(db_url, Ppn), _last_audit_id(db_url)
    with pytest.raises(ValidationFailed) as raised:
        services.ppns.raise_(who(world, "ada"), world.zebedee, bad)
    assert _count(db_url, Ppn) == ppns and _last_audit_id(db_url) == audit
    return {e.field: e.message for e in raised.value.errors}


def test_every_bad_field_is_listed_and_nothing_is_saved(
    services: Services, world: World, db_url: str
) -> None:
    found = _refused(
        services,
        world,
        db_url,
        PpnEntry("purple", "  ", "13/06/2024", "25:61", ()),
    )
    assert set(found) == {"grade", "concern", "concern_date", "concern_time", "subjects"}
    assert "Red, Amber, Green" in found["grade"]
    assert "13/06/2024" in found["concern_date"]


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (entry(concern=f"Paid with card {CARD} at the door."), "concern", "card"),
        (entry(day="01/03/2024"), "concern_date", "more than 90 days ago"),
        (entry(time="23:00"), "concern_time", "later than now"),
        (entry(day="12/6/24"), "concern_date", "year"),
        (entry(subjects=(SubjectEntry(name=""),)), "subjects", "name"),
        (
            entry(subjects=(SubjectEntry(name="Ozzy", date_of_birth="01/01/2030"),)),
            "subjects",
            "after",
        ),
    ],
)
def test_a_bad_field_is_refused(
    services: Services, world: World, db_url: str, bad: PpnEntry, field: str, words: str
) -> None:
    found = _refused(services, world, db_url, bad)
    assert list(found) == [field] and words in found[field]


def test_a_household_member_must_be_this_offenders(
    services: Services, world: World, db_url: str
) -> None:
    others = _with_session(
        db_url,
        lambda s: s.scalar(
            select(HouseholdMember.id).where(HouseholdMember.offender_id != world.zebedee).limit(1)
        ),
    )
    if others is None:

        def add(session: Any) -> int:
            member = HouseholdMember(offender_id=world.percival, name="Perpetua Gumboot")
            session.add(member)
            session.flush()
            return member.id

        others = _with_session(db_url, add)
    found = _refused(
        services, world, db_url, entry(subjects=(SubjectEntry(household_member_id=others),))
    )
    assert "not in this offender's household" in found["subjects"]


def test_raising_from_a_visit_needs_this_offenders_recorded_visit(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    [planned] = [
        v for v in services.visits.for_offender(ada, world.zebedee) if v.outcome == "planned"
    ]
    with pytest.raises(ServiceError, match="Record the outcome of the visit"):
        services.ppns.raise_(ada, world.zebedee, entry(), visit_id=planned.visit_id)
    horatio_visit = services.visits.for_offender(ada, world.horatio)[0].visit_id
    with pytest.raises(ServiceError, match="not a visit to"):
        services.ppns.raise_(ada, world.zebedee, entry(), visit_id=horatio_visit)
    [visit] = _rows(db_url, select(Visit).where(Visit.id == planned.visit_id))
    assert visit.ppn_decision is None


# -- states ----------------------------------------------------------------------------------------


def test_each_step_only_from_its_state(services: Services, world: World, db_url: str) -> None:
    ada = who(world, "ada")
    ppn_id = services.ppns.raise_(ada, world.zebedee, entry())

    def version() -> int:
        return services.ppns.get(ada, ppn_id).version

    with pytest.raises(ServiceError, match="not been submitted yet.*submit it first"):
        services.ppns.record_mash_review(
            ada, ppn_id, version(), reviewed_date="12/06/2024", outcome="x"
        )
    with pytest.raises(ServiceError, match="not been submitted yet"):
        services.ppns.record_decision(
            ada, ppn_id, version(), decision="x", decided_date="12/06/2024", source="y"
        )
    services.ppns.edit(ada, ppn_id, version(), entry(grade="red"))
    services.ppns.submit(ada, ppn_id, version())
    with pytest.raises(ServiceError, match="submitted on 12/06/2024.*what was submitted stands"):
        services.ppns.edit(ada, ppn_id, version(), entry(grade="green"))
    with pytest.raises(ServiceError, match="submitted on 12/06/2024"):
        services.ppns.submit(ada, ppn_id, version())
    assert services.ppns.get(ada, ppn_id).grade == "red"
    # a decision before the MASH review is recorded: it closes the PPN, and the audit says so
    audit_from = _last_audit_id(db_url)
    services.ppns.record_decision(
        ada,
        ppn_id,
        version(),
        decision="Already open to children's social care",
        decided_date="12/06/2024",
        source="Fictionton CSC front door",
    )
    assert services.ppns.get(ada, ppn_id).stage == "closed"
    [event] = _rows(db_url, select(AuditEvent).where(AuditEvent.id > audit_from))
    assert event.action == "ppn_decision_recorded" and "mash_review" in event.detail
    with pytest.raises(ServiceError, match="closed on 12/06/2024.*nothing more"):
        services.ppns.record_mash_review(
            ada, ppn_id, version(), reviewed_date="12/06/2024", outcome="x"
        )


def test_step_dates_and_required_fields(services: Services, world: World, db_url: str) -> None:
    ada = who(world, "ada")
    ppn_id = services.ppns.raise_(ada, world.zebedee, entry())
    services.ppns.submit(ada, ppn_id, services.ppns.get(ada, ppn_id).version)
    version = services.ppns.get(ada, ppn_id).version
    with pytest.raises(ValidationFailed) as raised:
        services.ppns.record_mash_review(
            ada, ppn_id, version, reviewed_date="11/06/2024", outcome=""
        )
    found = {e.field: e.message for e in raised.value.errors}
    assert set(found) == {"reviewed_date", "outcome"}
    assert "before the PPN was submitted on 12/06/2024" in found["reviewed_date"]
    with pytest.raises(ValidationFailed) as raised:
        services.ppns.record_decision(
            ada, ppn_id, version, decision="", decided_date="13/06/2024", source=""
        )
    assert {e.field for e in raised.value.errors} == {"decision", "decided_date", "source"}
    assert services.ppns.get(ada, ppn_id).state == "submitted"
    assert not [t for t in _tasks(db_url, TaskKind.PPN_FOLLOW_UP) if t.subject_id == ppn_id]
    draft = services.ppns.raise_(ada, world.zebedee, entry())
    with pytest.raises(ValidationFailed) as raised:
        services.ppns.submit(ada, draft, services.ppns.get(ada, draft).version, reference="x" * 61)
    assert [e.field for e in raised.value.errors] == ["reference"]
    assert services.ppns.get(ada, draft).stage == "draft"


def test_a_stale_version_is_refused_naming_who_changed_it(services: Services, world: World) -> None:
    ada, cora = who(world, "ada"), who(world, "cora")
    ppn_id = services.ppns.raise_(ada, world.zebedee, entry())
    opened = services.ppns.get(ada, ppn_id).version
    services.ppns.edit(cora, ppn_id, opened, entry(grade="red"))
    with pytest.raises(EditConflict, match="Cora Pennywhistle changed this PPN"):
        services.ppns.edit(ada, ppn_id, opened, entry(grade="green"))
    with pytest.raises(EditConflict):
        services.ppns.submit(ada, ppn_id, opened)
    view = services.ppns.get(ada, ppn_id)
    assert (view.grade, view.stage) == ("red", "draft")


def test_an_edit_is_audited_with_before_and_after(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    ppn_id = services.ppns.raise_(ada, world.zebedee, entry())
    version = services.ppns.get(ada, ppn_id).version
    services.ppns.edit(
        ada,
        ppn_id,
        version,
        entry(grade="red", subjects=(SubjectEntry(name="Barnabetta Quince", is_child=True),)),
    )
    [event] = _rows(db_url, select(AuditEvent).where(AuditEvent.action == "ppn_edited"))
    assert event.offender_id == world.zebedee and event.entity_id == ppn_id
    assert event.detail["changes"]["grade"] == ["amber", "red"]
    assert event.detail["changes"]["subjects"] == [
        ["Wilhelmina Thistlewaite"],
        ["Barnabetta Quince"],
    ]
    assert services.ppns.get(ada, ppn_id).version == version + 1


# -- escalation ------------------------------------------------------------------------------------


def test_three_within_three_months_escalate_to_the_sergeant(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    # the window's first day, 12/03: older than a concern may be typed, so stored as if raised then
    first = _old_ppn(db_url, world.zebedee, world.ada, _concern("12/03/2024"))
    services.ppns.raise_(ada, world.zebedee, entry("01/05/2024"))
    assert _escalations(db_url) == []  # two do not
    third = services.ppns.raise_(ada, world.zebedee, entry("12/06/2024"))
    [task] = _escalations(db_url)
    assert (task.owner_id, task.offender_id, task.subject_id) == (world.cora, world.zebedee, third)
    assert task.due_on == add_working_days(TODAY, 1) == dt.date(2024, 6, 13)
    assert (
        task.title
        == f"Three PPNs in three months: {world.references['zebedee']} (Zebedee Plimsoll)"
    )
    assert task.state == TaskState.OPEN
    assert "ppn_escalated" in _actions(db_url)
    shown = services.ppns.escalated(who(world, "cora"), task.id)
    assert [s.ppn_id for s in shown][0] == first and len(shown) == 3
    # no second escalation while one is open
    services.ppns.raise_(ada, world.zebedee, entry("05/06/2024"))
    assert len(_escalations(db_url)) == 1


def test_three_spread_over_four_months_do_not_escalate(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    _old_ppn(db_url, world.zebedee, world.ada, _concern("11/03/2024"))  # a day before the window
    services.ppns.raise_(ada, world.zebedee, entry("20/04/2024"))
    services.ppns.raise_(ada, world.zebedee, entry("12/06/2024"))
    assert _escalations(db_url) == []


def test_a_household_escalates_across_offenders(
    services: Services, world: World, db_url: str
) -> None:
    """Percival moves in at Horatio's postcode: Horatio's PPN and two of Percival's are three
    for the household, though Percival has only two."""

    def move(session: Any) -> None:
        session.add(
            Address(
                offender_id=world.percival,
                kind="home",
                line1="3 Crumpet Close, the back flat",
                town="Northvale",
                postcode="ZZ9 9ZZ",
                from_date=TODAY - dt.timedelta(days=20),
            )
        )

    _with_session(db_url, move)
    bram = who(world, "bram")
    first = services.ppns.raise_(bram, world.percival, entry("01/06/2024"))
    assert services.ppns.get(bram, first).ppn_id == first
    assert _escalations(db_url) == []
    second = services.ppns.raise_(bram, world.percival, entry("12/06/2024"))
    [task] = _escalations(db_url)
    assert (task.offender_id, task.owner_id, task.subject_id) == (
        world.percival,
        world.cora,
        second,
    )
    shown = services.ppns.escalated(who(world, "cora"), task.id)
    assert {s.offender_id for s in shown} == {world.percival, world.horatio}
    assert len(shown) == 3
    [event] = _rows(db_url, select(AuditEvent).where(AuditEvent.action == "ppn_escalated"))
    assert event.detail["basis"] == "household" and event.detail["household"] == "ZZ9 9ZZ"


def _escalated(services: Services, world: World, db_url: str) -> Task:
    ada = who(world, "ada")
    for day in ("20/04/2024", "01/05/2024", "12/06/2024"):
        services.ppns.raise_(ada, world.zebedee, entry(day))
    [task] = _escalations(db_url)
    return task


def test_the_sergeant_acknowledges_an_escalation_with_a_note(
    services: Services, world: World, db_url: str
) -> None:
    task = _escalated(services, world, db_url)
    with pytest.raises(PermissionRefused, match="sergeant or team manager"):
        services.ppns.acknowledge_escalation(who(world, "ada"), task.id, "Seen.")
    with pytest.raises(PermissionRefused, match="not covering"):
        services.ppns.acknowledge_escalation(who(world, "hattie"), task.id, "Seen.")
    with pytest.raises(ValidationFailed) as raised:
        services.ppns.acknowledge_escalation(who(world, "cora"), task.id, "  ")
    assert [e.field for e in raised.value.errors] == ["note"]
    services.ppns.acknowledge_escalation(
        who(world, "cora"), task.id, "Strategy meeting asked for with the fictional MASH."
    )
    [done] = _escalations(db_url)
    assert done.state == TaskState.DONE and done.completed_by_id == world.cora
    assert done.comment == "Strategy meeting asked for with the fictional MASH."
    assert done.completed_as_cover_for_id is None
    assert _actions(db_url)[-1] == "ppn_escalation_acknowledged"
    with pytest.raises(ServiceError, match="already acknowledged by Cora Pennywhistle"):
        services.ppns.acknowledge_escalation(who(world, "cora"), task.id, "Again.")
    # with that one done, a new concern in the window raises a new escalation
    services.ppns.raise_(who(world, "ada"), world.zebedee, entry("10/06/2024"))
    assert [t.state for t in _escalations(db_url)] == [TaskState.DONE, TaskState.OPEN]


def test_cover_acknowledges_while_the_sergeant_is_away(
    services: Services, world: World, db_url: str
) -> None:
    task = _escalated(services, world, db_url)
    _with_session(
        db_url,
        lambda s: s.add(
            Absence(
                officer_id=world.cora,
                kind=AbsenceKind.LEAVE,
                starts_on=TODAY,
                ends_on=TODAY + dt.timedelta(days=5),
            )
        ),
    )
    # Alder has no other sergeant: the chain goes to a sergeant of another team on duty
    services.ppns.acknowledge_escalation(who(world, "hattie"), task.id, "Seen as cover; fine.")
    [done] = _escalations(db_url)
    assert done.completed_by_id == world.hattie and done.completed_as_cover_for_id == world.cora
    [event] = _rows(
        db_url,
        select(AuditEvent).where(AuditEvent.action == "ppn_escalation_acknowledged"),
    )
    assert event.detail["as_cover_for"] == "Cora Pennywhistle"


# -- the Safeguarding list -------------------------------------------------------------------------


def test_list_scopes_counts_filters_and_order(
    services: Services, world: World, db_url: str
) -> None:
    ada, bram, cora = who(world, "ada"), who(world, "bram"), who(world, "cora")
    [horatio_ppn] = services.ppns.for_offender(ada, world.horatio)
    assert horatio_ppn.stage == "due" and horatio_ppn.late
    zebedee_ppn = services.ppns.raise_(ada, world.zebedee, entry(grade="red"))
    by_bram = services.ppns.raise_(bram, world.zebedee, entry("11/06/2024", "20:00"))
    percival_ppn = services.ppns.raise_(bram, world.percival, entry(grade="green"))
    services.ppns.submit(bram, percival_ppn, services.ppns.get(bram, percival_ppn).version)
    cuthbert_ppn = services.ppns.raise_(who(world, "gus"), world.cuthbert, entry())

    mine = services.ppns.list(ada)
    assert {i.ppn_id for i in mine.items} == {horatio_ppn.ppn_id, zebedee_ppn, by_bram}
    assert mine.items[0].ppn_id == horatio_ppn.ppn_id  # late first
    # then by the next deadline: Bram's concern was earlier, so it is due sooner
    assert [i.ppn_id for i in mine.items[1:]] == [by_bram, zebedee_ppn]
    assert mine.counts == {
        "draft": 2,
        "due": 1,
        "submitted": 0,
        "awaiting_social_care": 0,
        "closed": 0,
    }
    assert {i.ppn_id for i in services.ppns.list(bram).items} == {by_bram, percival_ppn}

    team = services.ppns.list(cora, scope="team")
    assert {i.ppn_id for i in team.items} == {
        horatio_ppn.ppn_id,
        zebedee_ppn,
        by_bram,
        percival_ppn,
    }
    assert team.items[-1].ppn_id == percival_ppn  # its deadline is a week away
    assert all(i.may_edit for i in team.items)

    drafts = services.ppns.list(cora, scope="team", stages=frozenset({"draft"}))
    assert {i.ppn_id for i in drafts.items} == {zebedee_ppn, by_bram}
    assert drafts.counts == team.counts  # counted before the stage filter
    assert team.counts["submitted"] == 1 and team.counts["due"] == 1

    reds = services.ppns.list(cora, scope="team", grade="red")
    assert [i.ppn_id for i in reds.items] == [zebedee_ppn] and reds.counts["draft"] == 1
    by_name = services.ppns.list(cora, scope="team", text="gumboot")  # Percival Gumboot
    assert [i.ppn_id for i in by_name.items] == [percival_ppn]
    by_subject = services.ppns.list(cora, scope="team", text="THISTLEWAITE")
    assert {i.ppn_id for i in by_subject.items} == {zebedee_ppn, by_bram, percival_ppn}

    birch = services.ppns.list(who(world, "hattie"), scope="team")
    assert [i.ppn_id for i in birch.items] == [cuthbert_ppn]
    covering = services.ppns.list(who(world, "hattie", frozenset({world.alder})), scope="team")
    assert len(covering.items) == 5
    assert len(services.ppns.list(who(world, "dorian"), scope="team").items) == 4
    # a hub officer reads the record's PPNs but may not change them
    [hub_view] = services.ppns.for_offender(who(world, "elsie"), world.percival)
    assert hub_view.ppn_id == percival_ppn and not hub_view.may_edit
