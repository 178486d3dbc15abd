"""Concurrent edits (issue #9, item 5; DESIGN section 4): two desktops saving the same thing never
overwrite each other silently, on SQLite and on PostgreSQL.

Every service method that changes an existing row of a `Versioned` model: the row, the version
the caller passes (the one its form was loaded with; "-" when none), and what a stale or second
save gets. "Race" is the version column itself (the UPDATE matches no row), then the same refusal.

| service method | row changed | caller's version | a stale or second save |
| --- | --- | --- | --- |
| records.update_identity | offender | expected_version | EditConflict |
| records.save_address (a change) | address | edit.expected_version | EditConflict |
| records.save_address (new home) | earlier home closed | - (adds a row) | race |
| records.save_household_member | household member | edit.expected_version | EditConflict |
| records.remove_household_member | household member | expected_version | EditConflict |
| mappa.change | offender | expected_version | EditConflict |
| plans.start_draft | - (adds a version) | - | both get one draft |
| plans.save_draft, submit | plan, its actions | expected_version | EditConflict |
| assessments.save_arms, submit_arms | assessment | expected_version | EditConflict |
| assessments.save_rm2000 | returned RM2000s | - (adds a row) | race |
| assessments.bring_review_forward | approved ARMS | - (caller's save) | the caller's |
| visits.move, cancel, record_outcome | visit | expected_version | EditConflict |
| visits.record_no_ppn_needed | visit | expected_version | EditConflict |
| visits.submit_record | visit | expected_version | EditConflict |
| ppns.edit, submit | PPN | expected_version | EditConflict |
| ppns.record_mash_review, record_decision | PPN | expected_version | EditConflict |
| ppns.raise_ (from a visit) | visit's decision | - (see below) | race |
| ppns.acknowledge_escalation | task | - (its state) | already acknowledged |
| hub.process, reject | notification, task | notification's | EditConflict (2) |
| approvals.approve, return_ (3) | task, the work | - (its state) | already decided |
| inbox.claim, release | task's claim | - (one UPDATE) | TaskClaimed |
| team.change_absence, cancel_absence | absence | expected_version | EditConflict |
| team.name_cover | absence, adds cover | - (re-checked) | already named |
| team.remove_cover | named cover | expected_version | EditConflict |
| scrutiny.record_findings | scrutiny item | expected_version | EditConflict (1) |
| auth.sign_in, accounts.set_password | officer | - (bookkeeping) | last one stands |

A removed row (household member, absence, named cover) gets NotFound "someone removed it".
(1) tested in tests/desktop/test_scrutiny.py, where a printed pack is at hand.
(2) once decided: "already processed" or "already rejected", naming who and when.
(3) and the inbox's approve and return_, which call them.

State-guarded rather than versioned: an approval task, a PPN escalation or a hub task can be
decided once; the second desktop is told who decided it and when, and nothing of theirs is kept.
Versions there would add nothing: nothing about the task can change except its decision. Raising
a PPN from a visit sets that visit's decision to "PPN raised" whatever the form held: a PPN was
raised, so that is the truth, and a safeguarding referral is never refused for a stale screen.

Each edit below is tried three ways: one after the other (the second desktop opened the thing
before the first saved), at the same moment in two threads (exactly one wins), both on SQLite and
PostgreSQL; and, on PostgreSQL, with the first save committing between the second's checks and
its write (the version column refuses it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from db.engine import make_engine, session_factory
from db.enums import TASK_GROUP, TaskKind, TaskState
from db.models import (
    Absence,
    Address,
    AuditEvent,
    CoverArrangement,
    HouseholdMember,
    MappaChange,
    Offender,
    Ppn,
    RiskAssessment,
    RiskManagementPlan,
    Task,
    Visit,
)
from desktop.services.actor import Actor
from desktop.services.assessments import Rm2000Edit
from desktop.services.core import Services
from desktop.services.errors import LONDON, EditConflict, ServiceError, ValidationFailed
from desktop.services.hub import NotificationEntry
from desktop.services.plans import plan_edit_for
from desktop.services.ppns import PpnEntry, SubjectEntry
from desktop.services.records import address_edit_for, household_edit_for, identity_edit_for
from desktop.services.team import AbsenceEntry
from desktop.services.visits import OutcomeEdit, VisitEdit
from tests.desktop.factories import PASSWORD, World, add_pending_approvals, populate, world_clock

FIRST = "Typed on the first desktop (fictional)."
SECOND = "Typed on the second desktop (fictional)."
GONE = "removed"


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def desks(db_url: str, world: World) -> Iterator[tuple[Services, Services]]:
    """Two desktops on the same database; the second's clock a minute behind nobody's."""
    first = Services(db_url, clock=world_clock)
    second = Services(db_url, clock=lambda: world_clock() + dt.timedelta(minutes=1))
    yield first, second
    first.close()
    second.close()


def _in_session(db_url: str, work: Callable[[Session], Any]) -> Any:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            return work(session)
    finally:
        engine.dispose()


def _audit_count(db_url: str) -> int:
    return _in_session(db_url, lambda s: s.scalar(select(func.count()).select_from(AuditEvent)))


def column(model: Any, field: str) -> Callable[[Session, int], tuple[Any, int]]:
    """Reads (the field's value, the row's version); (GONE, 0) once the row is deleted."""

    def read(session: Session, row_id: int) -> tuple[Any, int]:
        row = session.get(model, row_id)
        if row is None:
            return GONE, 0
        value = getattr(row, field)
        return (value.value if isinstance(value, enum.Enum) else value), row.version

    return read


# -- the edits ------------------------------------------------------------------------------------

Setup = Callable[[Services, World, str], int]  # prepares the thing; returns its id
Load = Callable[[Services, Actor, World, int], Any]  # what a desktop's form holds once opened
Save = Callable[[Services, Actor, World, int, Any, str], object]  # saves the value typed


@dataclass(frozen=True)
class Edit:
    name: str
    who: tuple[str, str]  # who sits at the first and the second desktop
    setup: Setup
    load: Load
    save: Save
    stored: Callable[[Session, int], tuple[Any, int]]
    refused: str  # what the second desktop is told (a regular expression)
    values: tuple[str, str] = (FIRST, SECOND)
    queued: bool = False  # the save locks the offender first: no other save gets in between


def _signed(desk: Services, username: str) -> Actor:
    return desk.auth.sign_in(username, PASSWORD)


def _current_home(db_url: str, offender_id: int) -> int:
    return _in_session(
        db_url,
        lambda s: s.scalar(
            select(Address.id).where(
                Address.offender_id == offender_id,
                Address.kind == "home",
                Address.to_date.is_(None),
            )
        ),
    )


def _member(db_url: str, name: str) -> int:
    return _in_session(
        db_url, lambda s: s.scalar(select(HouseholdMember.id).where(HouseholdMember.name == name))
    )


def _zebedee_plan_draft(s: Services, w: World, _url: str) -> int:
    return s.plans.start_draft(_signed(s, "ada"), w.zebedee)


def _zebedee_arms_draft(s: Services, w: World, _url: str) -> int:
    ada = _signed(s, "ada")
    form = s.assessments.new_arms_form(ada, w.zebedee)
    return s.assessments.save_arms(
        ada, w.zebedee, dataclasses.replace(form, summary="A fictional draft.")
    )


def _returned_rm2000(s: Services, w: World, db_url: str) -> int:
    """An RM2000 the sergeant returned: the next one recorded supersedes it."""
    assessment_id = s.assessments.save_rm2000(
        _signed(s, "ada"), w.zebedee, Rm2000Edit("1", "1", "0", "11/06/2024")
    )
    task_id = _in_session(
        db_url,
        lambda session: session.scalar(select(Task.id).where(Task.subject_id == assessment_id)),
    )
    s.approvals.return_(_signed(s, "cora"), task_id, "Check the scores (fictional).")
    return assessment_id


def _planned_visit(_s: Services, w: World, db_url: str) -> int:
    return _in_session(
        db_url,
        lambda s: s.scalar(
            select(Visit.id).where(Visit.offender_id == w.zebedee, Visit.occurred_at.is_(None))
        ),
    )


def outcome(version: int, **typed: str) -> OutcomeEdit:
    values = {
        "outcome": "completed",
        "occurred_date": "12/06/2024",
        "occurred_time": "09:15",
        "officer1": "ada",
        "officer2": "bram",
        "home_circumstances": "Tidy flat (fictional).",
        "children_present": "no",
        **typed,
    }
    return OutcomeEdit(expected_version=version, **values)


def _visit_recorded(children: str) -> Setup:
    def setup(s: Services, w: World, db_url: str) -> int:
        visit_id = _planned_visit(s, w, db_url)
        ada = _signed(s, "ada")
        version = s.visits.get(ada, visit_id).version
        s.visits.record_outcome(ada, visit_id, outcome(version, children_present=children))
        return visit_id

    return setup


def _moved_to(typed_time: str, view: Any, visit_id: int) -> VisitEdit:
    return VisitEdit(
        date=view.at.astimezone(LONDON).strftime("%d/%m/%Y"),
        time=typed_time,
        officer1="ada",
        officer2="bram",
        visit_id=visit_id,
        expected_version=view.version,
    )


def _planned_time(session: Session, visit_id: int) -> tuple[str, int]:
    visit = session.get(Visit, visit_id)
    assert visit is not None
    return visit.planned_at.astimezone(LONDON).strftime("%H:%M"), visit.version


def _horatio_ppn(_s: Services, w: World, db_url: str) -> int:
    return _in_session(
        db_url, lambda s: s.scalar(select(Ppn.id).where(Ppn.offender_id == w.horatio))
    )


def _submitted_ppn(s: Services, w: World, db_url: str) -> int:
    ppn_id = _horatio_ppn(s, w, db_url)
    ada = _signed(s, "ada")
    s.ppns.submit(ada, ppn_id, s.ppns.get(ada, ppn_id).version, reference="MASH/FICT/1")
    return ppn_id


def _ppn_entry(concern: str) -> PpnEntry:
    return PpnEntry(
        grade="amber",
        concern=concern,
        concern_date="11/06/2024",
        concern_time="08:00",
        subjects=(SubjectEntry(name="Dot Visitor (fictional)"),),
    )


def _latest_mappa_reason(session: Session, offender_id: int) -> tuple[str, int]:
    reason = session.scalars(
        select(MappaChange.reason)
        .where(MappaChange.offender_id == offender_id)
        .order_by(MappaChange.id.desc())
        .limit(1)
    ).first()
    offender = session.get(Offender, offender_id)
    assert offender is not None
    return reason or "", offender.version


def _hub_task(s: Services, w: World, _url: str) -> int:
    entry = NotificationEntry(kind="periodic", reference=w.references["zebedee"])
    return s.hub.enter(_signed(s, "elsie"), entry)


def _approval_task(_s: Services, w: World, db_url: str) -> int:
    return add_pending_approvals(db_url, w).arms_task


def _escalation(_s: Services, w: World, db_url: str) -> int:
    def add(session: Session) -> int:
        task = Task(
            kind=TaskKind.PPN_ESCALATION,
            group=TASK_GROUP[TaskKind.PPN_ESCALATION],
            offender_id=w.horatio,
            owner_id=w.cora,
            team_id=w.alder,
            title="Three PPNs in three months (fictional)",
            due_on=w.today,
            created_at=w.now,
            state=TaskState.OPEN,
        )
        session.add(task)
        session.flush()
        return task.id

    return _in_session(db_url, add)


def _absence_of(username: str) -> Setup:
    def setup(s: Services, w: World, _url: str) -> int:
        entry = AbsenceEntry(getattr(w, username), "leave", "17/06/2024", "21/06/2024", "Leave.")
        return s.team.record_absence(_signed(s, "dorian"), entry)

    return setup


def _absence_view(s: Services, a: Actor, w: World, absence_id: int) -> Any:
    roster = s.team.roster(a, w.alder)
    return next(x for x in roster.absences if x.absence_id == absence_id)


def _named_cover(s: Services, w: World, db_url: str) -> int:
    absence_id = _absence_of("cora")(s, w, db_url)
    return s.team.name_cover(_signed(s, "dorian"), absence_id, w.hattie, "17/06/2024", "19/06/2024")


def _cover_view(s: Services, a: Actor, w: World, arrangement_id: int) -> Any:
    roster = s.team.roster(a, w.alder)
    return next(c for x in roster.absences for c in x.covers if c.arrangement_id == arrangement_id)


def _cover_named(session: Session, absence_id: int) -> tuple[str, int]:
    absence = session.get(Absence, absence_id)
    assert absence is not None
    names = sorted(str(c.cover_officer_id) for c in absence.cover)
    return ",".join(names), absence.version


CHANGED = "changed this .* after you opened it"

EDITS = [
    Edit(
        "identity",
        ("ada", "ada"),
        lambda s, w, url: w.zebedee,
        lambda s, a, w, i: s.records.open(a, i),
        lambda s, a, w, i, rec, v: s.records.update_identity(
            a, i, rec.version, dataclasses.replace(identity_edit_for(rec), notes=v)
        ),
        column(Offender, "notes"),
        "changed this record",
    ),
    Edit(
        "address",
        ("ada", "ada"),
        lambda s, w, url: _current_home(url, w.zebedee),
        lambda s, a, w, i: address_edit_for(
            next(x for x in s.records.open(a, w.zebedee).addresses if x.address_id == i)
        ),
        lambda s, a, w, i, edit, v: s.records.save_address(
            a, w.zebedee, dataclasses.replace(edit, line2=v)
        ),
        column(Address, "line2"),
        "changed this address",
    ),
    Edit(
        "household member",
        ("ada", "ada"),
        lambda s, w, url: _member(url, "Tabitha Plimsoll"),
        lambda s, a, w, i: household_edit_for(
            next(x for x in s.records.open(a, w.zebedee).household if x.member_id == i)
        ),
        lambda s, a, w, i, edit, v: s.records.save_household_member(
            a, w.zebedee, dataclasses.replace(edit, notes=v)
        ),
        column(HouseholdMember, "notes"),
        "changed this household member",
    ),
    Edit(
        "household member removed",
        ("ada", "ada"),
        lambda s, w, url: _member(url, "Tabitha Plimsoll"),
        lambda s, a, w, i: next(
            x.version for x in s.records.open(a, w.zebedee).household if x.member_id == i
        ),
        lambda s, a, w, i, version, v: s.records.remove_household_member(a, w.zebedee, i, version),
        column(HouseholdMember, "name"),
        "no longer on this record|removed this household member",
        (GONE, GONE),
    ),
    Edit(
        "MAPPA",
        ("ada", "cora"),
        lambda s, w, url: w.zebedee,
        lambda s, a, w, i: s.records.open(a, i).version,
        lambda s, a, w, i, version, v: s.mappa.change(a, i, version, "1", "3", v),
        _latest_mappa_reason,
        "changed this record",
    ),
    Edit(
        "plan draft",
        ("ada", "ada"),
        _zebedee_plan_draft,
        lambda s, a, w, i: plan_edit_for(s.plans.version(a, i)),
        lambda s, a, w, i, edit, v: s.plans.save_draft(
            a, i, dataclasses.replace(edit, contingency=v)
        ),
        column(RiskManagementPlan, "contingency"),
        "changed this plan",
    ),
    Edit(
        "plan submitted",
        ("ada", "ada"),
        _zebedee_plan_draft,
        lambda s, a, w, i: s.plans.version(a, i).version,
        lambda s, a, w, i, version, v: s.plans.submit(a, i, version),
        column(RiskManagementPlan, "state"),
        "submitted for approval|changed this plan",
        ("submitted", "submitted"),
    ),
    Edit(
        "ARMS draft",
        ("ada", "ada"),
        _zebedee_arms_draft,
        lambda s, a, w, i: s.assessments.arms_form(a, i),
        lambda s, a, w, i, form, v: s.assessments.save_arms(
            a, w.zebedee, dataclasses.replace(form, summary=v)
        ),
        column(RiskAssessment, "summary"),
        "changed this assessment",
    ),
    Edit(
        "ARMS submitted",
        ("ada", "ada"),
        _zebedee_arms_draft,
        lambda s, a, w, i: s.assessments.arms_form(a, i).expected_version,
        lambda s, a, w, i, version, v: s.assessments.submit_arms(a, i, version),
        column(RiskAssessment, "state"),
        "submitted for approval|changed this assessment",
        ("submitted", "submitted"),
    ),
    Edit(
        "RM2000 recorded over a returned one",
        ("ada", "ada"),
        _returned_rm2000,
        lambda s, a, w, i: None,
        lambda s, a, w, i, _none, v: s.assessments.save_rm2000(
            a, w.zebedee, Rm2000Edit("2", "1", "0", "12/06/2024")
        ),
        column(RiskAssessment, "state"),
        "waiting for a sergeant's approval",
        ("superseded", "superseded"),
        queued=True,
    ),
    Edit(
        "visit moved",
        ("ada", "cora"),
        _planned_visit,
        lambda s, a, w, i: s.visits.get(a, i),
        lambda s, a, w, i, view, v: s.visits.move(a, _moved_to(v, view, i)),
        _planned_time,
        "changed this visit",
        ("18:00", "19:30"),
    ),
    Edit(
        "visit cancelled",
        ("ada", "cora"),
        _planned_visit,
        lambda s, a, w, i: s.visits.get(a, i).version,
        lambda s, a, w, i, version, v: s.visits.cancel(a, i, version, v),
        column(Visit, "notes"),
        "changed this visit",
    ),
    Edit(
        "visit outcome",
        ("ada", "bram"),
        _planned_visit,
        lambda s, a, w, i: s.visits.get(a, i).version,
        lambda s, a, w, i, version, v: s.visits.record_outcome(a, i, outcome(version, notes=v)),
        column(Visit, "notes"),
        "changed this visit",
    ),
    Edit(
        "visit: no PPN needed",
        ("ada", "bram"),
        _visit_recorded(children="yes"),
        lambda s, a, w, i: s.visits.get(a, i).version,
        lambda s, a, w, i, version, v: s.visits.record_no_ppn_needed(a, i, version, v),
        column(Visit, "ppn_decision_reason"),
        "changed this visit",
    ),
    Edit(
        "visit record submitted",
        ("ada", "bram"),
        _visit_recorded(children="no"),
        lambda s, a, w, i: s.visits.get(a, i).version,
        lambda s, a, w, i, version, v: s.visits.submit_record(a, i, version),
        column(Visit, "record_state"),
        "changed this visit",
        ("submitted", "submitted"),
    ),
    Edit(
        "PPN draft",
        ("ada", "cora"),
        _horatio_ppn,
        lambda s, a, w, i: s.ppns.get(a, i).version,
        lambda s, a, w, i, version, v: s.ppns.edit(a, i, version, _ppn_entry(v)),
        column(Ppn, "concern"),
        "changed this PPN",
    ),
    Edit(
        "PPN submitted",
        ("ada", "ada"),
        _horatio_ppn,
        lambda s, a, w, i: s.ppns.get(a, i).version,
        lambda s, a, w, i, version, v: s.ppns.submit(a, i, version, reference=v[:20]),
        column(Ppn, "submission_reference"),
        "changed this PPN",
        ("MASH/FICT/1", "MASH/FICT/2"),
    ),
    Edit(
        "PPN MASH review",
        ("ada", "cora"),
        _submitted_ppn,
        lambda s, a, w, i: s.ppns.get(a, i).version,
        lambda s, a, w, i, version, v: s.ppns.record_mash_review(
            a, i, version, reviewed_date="12/06/2024", outcome=v
        ),
        column(Ppn, "mash_outcome"),
        "changed this PPN",
    ),
    Edit(
        "PPN decision",
        ("ada", "cora"),
        _submitted_ppn,
        lambda s, a, w, i: s.ppns.get(a, i).version,
        lambda s, a, w, i, version, v: s.ppns.record_decision(
            a, i, version, decision=v, decided_date="12/06/2024", source="Fictionton CSC"
        ),
        column(Ppn, "social_care_decision"),
        "changed this PPN",
    ),
    Edit(
        "PPN escalation acknowledged",
        ("cora", "cora"),
        _escalation,
        lambda s, a, w, i: None,
        lambda s, a, w, i, _none, v: s.ppns.acknowledge_escalation(a, i, v),
        column(Task, "comment"),
        "already acknowledged by Cora Pennywhistle",
    ),
    Edit(
        "notification rejected",
        ("elsie", "elsie"),
        _hub_task,
        lambda s, a, w, i: s.hub.view(a, i).version,
        lambda s, a, w, i, version, v: s.hub.reject(a, i, version, v),
        column(Task, "comment"),
        "already rejected this notification",
    ),
    Edit(
        "notification processed",
        ("elsie", "elsie"),
        _hub_task,
        lambda s, a, w, i: s.hub.view(a, i).version,
        lambda s, a, w, i, version, v: s.hub.process(a, i, version),
        column(Task, "state"),
        "already processed this notification",
        ("done", "done"),
    ),
    Edit(
        "approval returned",
        ("cora", "dorian"),
        _approval_task,
        lambda s, a, w, i: None,
        lambda s, a, w, i, _none, v: s.approvals.return_(a, i, v),
        column(Task, "comment"),
        "already decided: returned by",
    ),
    Edit(
        "approval approved",
        ("cora", "dorian"),
        _approval_task,
        lambda s, a, w, i: None,
        lambda s, a, w, i, _none, v: s.approvals.approve(a, i),
        column(Task, "state"),
        "already decided: approved by",
        ("done", "done"),
    ),
    Edit(
        "absence changed",
        ("cora", "dorian"),
        _absence_of("ada"),
        _absence_view,
        lambda s, a, w, i, view, v: s.team.change_absence(
            a,
            i,
            view.version,
            AbsenceEntry(view.officer_id, view.kind, "17/06/2024", "21/06/2024", v),
        ),
        column(Absence, "note"),
        "changed this absence",
    ),
    Edit(
        "absence cancelled",
        ("cora", "dorian"),
        _absence_of("ada"),
        lambda s, a, w, i: _absence_view(s, a, w, i).version,
        lambda s, a, w, i, version, v: s.team.cancel_absence(a, i, version),
        column(Absence, "note"),
        "no longer|removed this absence|changed this absence",
        (GONE, GONE),
    ),
    Edit(
        "cover named",
        ("dorian", "dorian"),
        _absence_of("cora"),
        lambda s, a, w, i: None,
        lambda s, a, w, i, _none, v: s.team.name_cover(
            a, i, getattr(w, v), "17/06/2024", "19/06/2024"
        ),
        _cover_named,
        "already named for these days|changed this absence",
        ("hattie", "dorian"),
    ),
    Edit(
        "cover removed",
        ("dorian", "cora"),
        _named_cover,
        lambda s, a, w, i: _cover_view(s, a, w, i).version,
        lambda s, a, w, i, version, v: s.team.remove_cover(a, i, version),
        column(CoverArrangement, "starts_on"),
        "no longer recorded|removed this named cover",
        (GONE, GONE),
    ),
]


def _expected(edit: Edit, world: World, typed: str) -> Any:
    """What the database holds after a save of `typed` (a cover is stored as the officer's id)."""
    return str(getattr(world, typed)) if edit.name == "cover named" else typed


@pytest.mark.parametrize("edit", EDITS, ids=[e.name for e in EDITS])
def test_the_second_desktop_is_refused_and_the_first_save_stands(
    edit: Edit, desks: tuple[Services, Services], world: World, db_url: str
) -> None:
    """Both desktops open the thing; the first saves; the second's save, made against what it
    opened, is refused with a message naming what happened, and writes nothing."""
    first, second = desks
    thing = edit.setup(first, world, db_url)
    one, two = _signed(first, edit.who[0]), _signed(second, edit.who[1])
    loaded = edit.load(first, one, world, thing), edit.load(second, two, world, thing)

    edit.save(first, one, world, thing, loaded[0], edit.values[0])
    after_first = _in_session(db_url, lambda s: edit.stored(s, thing))
    assert after_first[0] == _expected(edit, world, edit.values[0])
    audited = _audit_count(db_url)

    with pytest.raises(ServiceError, match=edit.refused) as refused:
        edit.save(second, two, world, thing, loaded[1], edit.values[1])
    if not isinstance(refused.value, ValidationFailed):  # a field's message: the form says it
        assert re.search("othing|eload", str(refused.value))  # nothing was saved; reload
    if isinstance(refused.value, EditConflict):
        assert refused.value.changed_by == world.display_names[edit.who[0]]
    assert _in_session(db_url, lambda s: edit.stored(s, thing)) == after_first
    assert _audit_count(db_url) == audited


@pytest.mark.parametrize("edit", EDITS, ids=[e.name for e in EDITS])
def test_two_desktops_saving_at_the_same_moment_exactly_one_wins(
    edit: Edit, desks: tuple[Services, Services], world: World, db_url: str
) -> None:
    """A true race: both desktops press Save together, in two threads. One save is kept whole;
    the other is refused with a message (never "database is locked", never a crash)."""
    thing = edit.setup(desks[0], world, db_url)
    actors = [_signed(desk, name) for desk, name in zip(desks, edit.who, strict=True)]
    loaded = [edit.load(desk, a, world, thing) for desk, a in zip(desks, actors, strict=True)]
    audited = _audit_count(db_url)
    barrier = threading.Barrier(2)
    outcomes: dict[int, BaseException | None] = {}

    def save(n: int) -> None:
        barrier.wait()
        try:
            edit.save(desks[n], actors[n], world, thing, loaded[n], edit.values[n])
            outcomes[n] = None
        except BaseException as exc:  # noqa: BLE001 - the test reports what the loser got
            outcomes[n] = exc

    threads = [threading.Thread(target=save, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == [0, 1]
    winners = [n for n, exc in outcomes.items() if exc is None]
    assert len(winners) == 1, outcomes
    loser = outcomes[1 - winners[0]]
    assert isinstance(loser, ServiceError), repr(loser)
    assert re.search(f"{edit.refused}|{CHANGED}", str(loser)), str(loser)
    stored = _in_session(db_url, lambda s: edit.stored(s, thing))
    assert stored[0] == _expected(edit, world, edit.values[winners[0]])
    assert _audit_count(db_url) > audited


@pytest.mark.parametrize("edit", EDITS, ids=[e.name for e in EDITS])
def test_a_save_overtaken_between_its_checks_and_its_write_is_refused(
    edit: Edit, desks: tuple[Services, Services], world: World, db_url: str
) -> None:
    """The race made certain: the second desktop has read the row and passed every check when
    the first desktop's save commits; its own write then matches no row (the version moved on)
    and it is refused whole. This is the version column at work, not the up-front comparison."""
    if db_url.startswith("sqlite"):
        pytest.skip(
            "SQLite lets one writer in at a time, so no save can commit inside another's "
            "(the threads test races them there)"
        )
    if edit.queued:
        pytest.skip("the second save waits for the first (the threads test shows it refused)")
    first, second = desks
    thing = edit.setup(first, world, db_url)
    one, two = _signed(first, edit.who[0]), _signed(second, edit.who[1])
    loaded = edit.load(first, one, world, thing), edit.load(second, two, world, thing)
    overtaken: list[int] = []

    def first_saves_now(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
        if overtaken or not statement.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE")):
            return
        overtaken.append(1)
        edit.save(first, one, world, thing, loaded[0], edit.values[0])
        overtaken.append(_audit_count(db_url))

    event.listen(second.engine, "before_cursor_execute", first_saves_now)
    try:
        with pytest.raises(ServiceError) as refused:
            edit.save(second, two, world, thing, loaded[1], edit.values[1])
    finally:
        event.remove(second.engine, "before_cursor_execute", first_saves_now)
    assert len(overtaken) == 2, "the second desktop never came to write"
    assert re.search(f"{edit.refused}|{CHANGED}", str(refused.value)), str(refused.value)
    stored = _in_session(db_url, lambda s: edit.stored(s, thing))
    assert stored[0] == _expected(edit, world, edit.values[0])
    assert _audit_count(db_url) == overtaken[1]  # nothing of the second desktop's was kept
