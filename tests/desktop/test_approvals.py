"""Approvals: a sergeant of the offender's team approves or returns an ARMS, a plan or a visit
record; nobody approves their own work; two deciders at once, exactly one wins."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select

from db.engine import make_engine, session_factory
from db.enums import TASK_GROUP, ApprovalState, AssessmentKind, TaskKind, TaskState, VisitOutcome
from db.models import AuditEvent, RiskAssessment, RiskManagementPlan, Task, Visit
from desktop.services.actor import Actor
from desktop.services.approvals import (
    CoveredOfficer,
    DecisionFacts,
    PendingApproval,
    may_decide,
    pending_in,
    pending_in_many,
)
from desktop.services.assessments import Rm2000Edit, arms_in_force
from desktop.services.core import Services
from desktop.services.errors import PermissionRefused, ServiceError, ValidationFailed
from desktop.services.plans import plan_edit_for
from tests.desktop.factories import PASSWORD, World, add_pending_approvals, populate, world_clock

CARD = "4539 1488 0343 6467"


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _rows(db_url: str, stmt):  # noqa: ANN001, ANN202
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(stmt))
    finally:
        engine.dispose()


def _one(db_url: str, model, row_id: int):  # noqa: ANN001, ANN202
    [row] = _rows(db_url, select(model).where(model.id == row_id))
    return row


def _audit(db_url: str) -> list[str]:
    return _rows(db_url, select(AuditEvent.action).order_by(AuditEvent.id))


def _submit_arms(services: Services, world: World, offender_id: int) -> tuple[int, int]:
    """Ada writes and submits an ARMS; returns (assessment id, task id)."""
    ada = services.auth.sign_in("ada", PASSWORD)
    form = services.assessments.new_arms_form(ada, offender_id)
    form = dataclasses.replace(
        form,
        level="high",
        factors=[
            dataclasses.replace(f, present=True, evidence="Fictional evidence.")
            if f.code == "hostile_orientation"
            else f
            for f in form.factors
        ],
    )
    assessment_id = services.assessments.save_arms(ada, offender_id, form)
    version = services.assessments.arms_form(ada, assessment_id).expected_version
    services.assessments.submit_arms(ada, assessment_id, version or 0)
    return assessment_id, _task_for(services, world, offender_id, "risk_assessment")


def _task_for(services: Services, world: World, offender_id: int, subject_type: str) -> int:
    cora = services.auth.sign_in("cora", PASSWORD)
    return next(
        p.task_id
        for p in reversed(services.approvals.pending_for_offender(cora, offender_id))
        if p.subject_type == subject_type
    )


def test_sergeant_approves_an_arms(services: Services, world: World, db_url: str) -> None:
    assessment_id, task_id = _submit_arms(services, world, world.zebedee)
    cora = services.auth.sign_in("cora", PASSWORD)
    [pending] = [
        p
        for p in services.approvals.pending_for_offender(cora, world.zebedee)
        if p.task_id == task_id
    ]
    assert pending.kind == "assessment_approval" and pending.subject_id == assessment_id
    assert pending.can_decide and pending.why_not == ""
    assert pending.submitted_by == "Ada Quillfeather" and pending.owner == "Cora Pennywhistle"
    assert pending.submitted_at == world_clock() and pending.due_on == dt.date(2024, 6, 19)

    services.approvals.approve(cora, task_id)
    assessment = _one(db_url, RiskAssessment, assessment_id)
    assert assessment.state == ApprovalState.APPROVED
    assert assessment.decided_by_id == world.cora and assessment.decided_at == world_clock()
    assert assessment.decided_as_cover_for_id is None and assessment.updated_by_id == world.cora
    task = _one(db_url, Task, task_id)
    assert task.state == TaskState.DONE and task.completed_by_id == world.cora
    assert task.completed_at == world_clock()
    # the ARMS it replaces is superseded; only one approved ARMS remains
    approved = _rows(
        db_url,
        select(RiskAssessment.id).where(
            RiskAssessment.offender_id == world.zebedee,
            RiskAssessment.kind == AssessmentKind.ARMS,
            RiskAssessment.state == ApprovalState.APPROVED,
        ),
    )
    assert approved == [assessment_id]
    assert _audit(db_url)[-1] == "approved"
    assert services.approvals.pending_for_offender(cora, world.zebedee) == []
    with pytest.raises(
        ServiceError, match="already decided: approved by Cora Pennywhistle on 12/06"
    ):
        services.approvals.approve(cora, task_id)


def test_approving_a_backdated_arms_puts_it_in_force(
    services: Services, world: World, db_url: str
) -> None:
    [previous] = _rows(
        db_url,
        select(RiskAssessment).where(
            RiskAssessment.offender_id == world.zebedee,
            RiskAssessment.kind == AssessmentKind.ARMS,
            RiskAssessment.state == ApprovalState.APPROVED,
        ),
    )
    ada = services.auth.sign_in("ada", PASSWORD)
    form = services.assessments.new_arms_form(ada, world.zebedee)
    earlier = previous.assessed_on - dt.timedelta(days=10)
    form = dataclasses.replace(
        form, assessed_on=earlier.strftime("%d/%m/%Y"), level="low", next_review_on=""
    )
    assessment_id = services.assessments.save_arms(ada, world.zebedee, form)
    version = services.assessments.arms_form(ada, assessment_id).expected_version
    services.assessments.submit_arms(ada, assessment_id, version or 0)
    task_id = _task_for(services, world, world.zebedee, "risk_assessment")
    services.approvals.approve(services.auth.sign_in("cora", PASSWORD), task_id)
    approved = _rows(
        db_url,
        select(RiskAssessment.id).where(
            RiskAssessment.offender_id == world.zebedee,
            RiskAssessment.kind == AssessmentKind.ARMS,
            RiskAssessment.state == ApprovalState.APPROVED,
        ),
    )
    assert approved == [assessment_id]
    assert _one(db_url, RiskAssessment, previous.id).state == ApprovalState.SUPERSEDED
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            in_force = arms_in_force(session, world.zebedee)
            assert in_force is not None and in_force.id == assessment_id
    finally:
        engine.dispose()


def test_approving_a_backdated_rm2000_supersedes_the_later_dated_one(
    services: Services, world: World, db_url: str
) -> None:
    ada, cora = services.auth.sign_in("ada", PASSWORD), services.auth.sign_in("cora", PASSWORD)
    ids = []
    for day in ("10/06/2024", "01/06/2024"):
        ids.append(
            services.assessments.save_rm2000(ada, world.zebedee, Rm2000Edit("1", "0", "0", day))
        )
        services.approvals.approve(
            cora, _task_for(services, world, world.zebedee, "risk_assessment")
        )
    approved = _rows(
        db_url,
        select(RiskAssessment.id).where(
            RiskAssessment.offender_id == world.zebedee,
            RiskAssessment.kind == AssessmentKind.RM2000,
            RiskAssessment.state == ApprovalState.APPROVED,
        ),
    )
    assert approved == [ids[1]]
    assert _one(db_url, RiskAssessment, ids[0]).state == ApprovalState.SUPERSEDED


def test_return_with_a_comment_then_resubmit(services: Services, world: World, db_url: str) -> None:
    assessment_id, task_id = _submit_arms(services, world, world.zebedee)
    cora = services.auth.sign_in("cora", PASSWORD)
    for comment, problem in (("  ", "Enter the comment"), (f"card {CARD}", "card number")):
        with pytest.raises(ValidationFailed, match=problem):
            services.approvals.return_(cora, task_id, comment)
    assert _one(db_url, Task, task_id).state == TaskState.OPEN
    services.approvals.return_(cora, task_id, "Say more about the neighbour.")
    assessment = _one(db_url, RiskAssessment, assessment_id)
    assert assessment.state == ApprovalState.RETURNED
    assert assessment.return_comment == "Say more about the neighbour."
    task = _one(db_url, Task, task_id)
    assert task.state == TaskState.RETURNED and task.comment == "Say more about the neighbour."
    assert _audit(db_url)[-1] == "returned"

    ada = services.auth.sign_in("ada", PASSWORD)
    form = services.assessments.new_arms_form(ada, world.zebedee)
    assert form.assessment_id == assessment_id and form.state == "returned"
    assert form.return_comment == "Say more about the neighbour."
    services.assessments.save_arms(
        ada, world.zebedee, dataclasses.replace(form, summary="More about the neighbour.")
    )
    version = services.assessments.arms_form(ada, assessment_id).expected_version
    services.assessments.submit_arms(ada, assessment_id, version or 0)
    again = _task_for(services, world, world.zebedee, "risk_assessment")
    assert again != task_id
    services.approvals.approve(cora, again)
    assert _one(db_url, RiskAssessment, assessment_id).state == ApprovalState.APPROVED
    assert _one(db_url, RiskAssessment, assessment_id).return_comment == ""


def test_plan_approval_supersedes_the_previous_version(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    old = services.plans.editor(ada, world.zebedee).current
    assert old is not None
    plan_id = services.plans.start_draft(ada, world.zebedee)
    draft = services.plans.editor(ada, world.zebedee).draft
    assert draft is not None
    services.plans.submit(ada, plan_id, draft.version)
    task_id = _task_for(services, world, world.zebedee, "risk_management_plan")
    cora = services.auth.sign_in("cora", PASSWORD)
    services.approvals.approve(cora, task_id)
    assert _one(db_url, RiskManagementPlan, plan_id).state == ApprovalState.APPROVED
    assert _one(db_url, RiskManagementPlan, old.plan_id).state == ApprovalState.SUPERSEDED
    data = services.plans.editor(ada, world.zebedee)
    assert data.current is not None and data.current.plan_number == 2
    assert [(v.plan_number, v.state) for v in data.versions] == [
        (2, "approved"),
        (1, "superseded"),
    ]
    # the superseded version is still kept, unchanged, and can be compared
    comparison = services.plans.compare(ada, old.plan_id, plan_id)
    assert all(c.change == "same" for c in comparison.actions)
    with pytest.raises(ServiceError, match="Approved plan versions cannot be changed"):
        services.plans.save_draft(ada, old.plan_id, plan_edit_for(comparison.a))


def test_who_may_decide(services: Services, world: World, db_url: str) -> None:
    assessment_id, task_id = _submit_arms(services, world, world.zebedee)
    before = len(_audit(db_url))
    refusals = {
        "hattie": "of Alder team",  # a sergeant of another team
        "ada": "four eyes",  # she submitted it
        "bram": "signed in as an offender manager",
        "elsie": "signed in as a hub officer",
    }
    for username, why in refusals.items():
        actor = services.auth.sign_in(username, PASSWORD)
        with pytest.raises(PermissionRefused, match=why):
            services.approvals.approve(actor, task_id)
        with pytest.raises(PermissionRefused, match=why):
            services.approvals.return_(actor, task_id, "No.")
    pending = services.approvals.pending_for_offender(
        services.auth.sign_in("ada", PASSWORD), world.zebedee
    )
    [mine] = [p for p in pending if p.task_id == task_id]
    assert not mine.can_decide and "four eyes" in mine.why_not
    assert _one(db_url, Task, task_id).state == TaskState.OPEN
    assert _one(db_url, RiskAssessment, assessment_id).state == ApprovalState.SUBMITTED
    actions = _audit(db_url)[before:]
    assert "approved" not in actions and "returned" not in actions
    with pytest.raises(PermissionRefused):  # another team cannot even list them
        services.approvals.pending_for_offender(
            services.auth.sign_in("hattie", PASSWORD), world.zebedee
        )
    # the team manager of the team may decide
    dorian = services.auth.sign_in("dorian", PASSWORD)
    services.approvals.approve(dorian, task_id)
    assert _one(db_url, RiskAssessment, assessment_id).decided_by_id == world.dorian


def _visit_for_approval(db_url: str, world: World, crew: tuple[int, int]) -> tuple[int, int]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            at = world_clock() - dt.timedelta(days=1)
            visit = Visit(
                offender_id=world.zebedee,
                planned_at=at,
                occurred_at=at,
                officer1_id=crew[0],
                officer2_id=crew[1],
                outcome=VisitOutcome.COMPLETED,
                record_state=ApprovalState.SUBMITTED,
                submitted_at=at,
            )
            session.add(visit)
            session.flush()
            task = Task(
                kind=TaskKind.VISIT_APPROVAL,
                group=TASK_GROUP[TaskKind.VISIT_APPROVAL],
                offender_id=world.zebedee,
                owner_id=world.cora,
                team_id=world.alder,
                subject_type="visit",
                subject_id=visit.id,
                title="Approve visit record",
                created_by_id=crew[0],
                due_on=world.today + dt.timedelta(days=5),
            )
            session.add(task)
            session.flush()
            return visit.id, task.id
    finally:
        engine.dispose()


def test_visit_records_use_the_same_path(services: Services, world: World, db_url: str) -> None:
    visit_id, task_id = _visit_for_approval(db_url, world, (world.ada, world.cora))
    cora = services.auth.sign_in("cora", PASSWORD)
    with pytest.raises(PermissionRefused, match="four eyes.*on the crew"):
        services.approvals.approve(cora, task_id)
    dorian = services.auth.sign_in("dorian", PASSWORD)
    services.approvals.return_(dorian, task_id, "Record who was present.")
    visit = _one(db_url, Visit, visit_id)
    assert visit.record_state == ApprovalState.RETURNED
    assert visit.return_comment == "Record who was present."
    assert visit.decided_by_id == world.dorian
    visit_id, task_id = _visit_for_approval(db_url, world, (world.ada, world.bram))
    services.approvals.approve(cora, task_id)
    assert _one(db_url, Visit, visit_id).record_state == ApprovalState.APPROVED


def test_may_decide_rule_and_cover_hook() -> None:
    facts = DecisionFacts("risk management plan", "ZZ/1", 1, "Alder", {7: "the author"})
    sergeant = Actor(3, "s", "S One", "sergeant", 2, "Birch")
    assert "Alder team" in (may_decide(sergeant, facts) or "")
    # covering for an absent Alder sergeant (the inbox issue decides who covers whom)
    assert may_decide(sergeant, facts, covering_for=CoveredOfficer(9, "Cora", 1)) is None
    author = Actor(7, "a", "A", "sergeant", 1, "Alder")
    assert "four eyes" in (may_decide(author, facts, covering_for=None) or "")
    assert "four eyes" in (may_decide(author, facts, covering_for=CoveredOfficer(9, "C", 1)) or "")


def test_two_deciders_at_once_exactly_one_wins(
    services: Services, world: World, db_url: str
) -> None:
    """The second desktop decides between the first one's reading the task and its writing:
    the first is refused, told who decided, and nothing of its decision is kept."""
    if services.engine.dialect.name == "sqlite":
        pytest.skip(
            "SQLite: a decision takes the write lock first, so no other desktop can decide "
            "between its read and its write (test_two_deciders_in_threads covers the race)"
        )
    assessment_id, task_id = _submit_arms(services, world, world.zebedee)
    second = Services(db_url, clock=lambda: world_clock() + dt.timedelta(minutes=1))
    try:
        cora = services.auth.sign_in("cora", PASSWORD)
        dorian = second.auth.sign_in("dorian", PASSWORD)
        fired = False

        def _meddle(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
            nonlocal fired
            if not fired and statement.lstrip().upper().startswith("UPDATE TASK"):
                fired = True
                second.approvals.return_(dorian, task_id, "Returned by the other desktop.")

        event.listen(services.engine, "before_cursor_execute", _meddle)
        try:
            with pytest.raises(
                ServiceError, match="already decided: returned by Dorian Mothersole"
            ):
                services.approvals.approve(cora, task_id)
        finally:
            event.remove(services.engine, "before_cursor_execute", _meddle)
        assert fired
    finally:
        second.close()
    task = _one(db_url, Task, task_id)
    assert task.state == TaskState.RETURNED and task.completed_by_id == world.dorian
    assessment = _one(db_url, RiskAssessment, assessment_id)
    assert assessment.state == ApprovalState.RETURNED and assessment.decided_by_id == world.dorian
    assert _audit(db_url).count("approved") == 0 and _audit(db_url).count("returned") == 1


def test_two_deciders_in_threads(services: Services, world: World, db_url: str) -> None:
    _, task_id = _submit_arms(services, world, world.zebedee)
    desks = [Services(db_url, clock=world_clock) for _ in range(2)]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def decide(desk: Services, username: str) -> None:
        actor = desk.auth.sign_in(username, PASSWORD)
        barrier.wait()
        try:
            desk.approvals.approve(actor, task_id)
            outcomes.append(f"won:{username}")
        except ServiceError as exc:
            outcomes.append(f"lost:{exc}")

    threads = [
        threading.Thread(target=decide, args=(desk, name))
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
    assert len(outcomes) == 2
    won = [o for o in outcomes if o.startswith("won:")]
    lost = [o for o in outcomes if o.startswith("lost:")]
    assert len(won) == 1 and len(lost) == 1
    assert "already decided: approved by" in lost[0]
    assert _audit(db_url).count("approved") == 1


def test_factory_pending_work_is_decidable(services: Services, world: World, db_url: str) -> None:
    """`add_pending_approvals` (for the screens' tests) leaves work as a submission does."""
    pending = add_pending_approvals(db_url, world)
    cora = services.auth.sign_in("cora", PASSWORD)
    listed = services.approvals.pending_for_offender(cora, world.zebedee)
    assert {p.task_id for p in listed if p.can_decide} == {pending.arms_task, pending.plan_task}
    services.approvals.approve(cora, pending.plan_task)
    services.approvals.return_(cora, pending.arms_task, "Fictional comment.")
    [visit] = services.approvals.pending_for_offender(cora, world.percival)
    assert visit.task_id == pending.visit_task and visit.submitted_by == "Bramwell Tiddlecombe"
    ada = services.auth.sign_in("ada", PASSWORD)
    [mine] = services.approvals.pending_for_offender(ada, world.percival)
    assert not mine.can_decide and "four eyes" in mine.why_not
    services.approvals.approve(cora, pending.visit_task)
    assert _one(db_url, RiskManagementPlan, pending.plan).state == ApprovalState.APPROVED
    assert _one(db_url, RiskAssessment, pending.arms).state == ApprovalState.RETURNED
    assert _one(db_url, Visit, pending.visit).record_state == ApprovalState.APPROVED


def _orphan_task(db_url: str, world: World) -> int:
    """An open approval task for Mortimer whose visit record is no longer on the record."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            task = Task(
                kind=TaskKind.VISIT_APPROVAL,
                group=TASK_GROUP[TaskKind.VISIT_APPROVAL],
                offender_id=world.mortimer,
                owner_id=world.cora,
                team_id=world.alder,
                subject_type="visit",
                subject_id=987_654,
                title="Approve visit record",
                created_by_id=world.bram,
                due_on=world.today - dt.timedelta(days=1),
            )
            session.add(task)
            session.flush()
            return task.id
    finally:
        engine.dispose()


def test_pending_for_many_offenders_reads_as_one_at_a_time(
    services: Services, world: World, db_url: str
) -> None:
    """The batched read (the record loader's, for a scrutiny pack's sample) gives each offender
    what reading that offender alone gives, for every kind of work and every kind of refusal,
    and reads with the same number of queries however many offenders are asked about."""
    ids = [world.zebedee, world.quentin, world.percival, world.mortimer, world.horatio]
    cora = services.auth.sign_in("cora", PASSWORD)

    def answers() -> dict[int, PendingApproval]:
        with services.transaction() as session:
            return {
                p.task_id: p
                for pending in pending_in_many(session, cora, ids, today=world.today).values()
                for p in pending
            }

    before = set(answers())
    work = add_pending_approvals(db_url, world)
    visit_id, recorded_task = _visit_for_approval(db_url, world, (world.ada, world.bram))
    orphan_task = _orphan_task(db_url, world)
    with services.transaction() as session:  # Cora recorded the visit's outcome
        services.audit.record(
            session,
            cora,
            "visit_outcome_recorded",
            entity_type="visit",
            entity_id=visit_id,
            offender_id=world.zebedee,
        )
    for username in ("cora", "ada", "hattie", "dorian"):
        actor = services.auth.sign_in(username, PASSWORD)
        with services.transaction() as session:
            many = pending_in_many(session, actor, ids, today=world.today)
            alone = {i: pending_in(session, actor, i, today=world.today) for i in ids}
        assert many == alone
        assert [p.task_id for p in many[world.zebedee]] == [
            p.task_id
            for p in sorted(many[world.zebedee], key=lambda p: (p.submitted_at, p.task_id))
        ]
    now = answers()
    assert set(now) - before == {
        work.arms_task,
        work.plan_task,
        work.visit_task,
        recorded_task,
        orphan_task,
    }
    assert {t for t, p in now.items() if p.can_decide} - before == {
        work.arms_task,
        work.plan_task,
        work.visit_task,
    }
    assert "four eyes" in now[recorded_task].why_not
    assert "recorded the outcome" in now[recorded_task].why_not
    assert "no longer on the record" in now[orphan_task].why_not
    assert now[orphan_task].overdue and not now[work.arms_task].overdue
    assert now[work.visit_task].submitted_by == "Bramwell Tiddlecombe"

    def queries(offender_ids: list[int]) -> int:
        statements: list[str] = []

        def count(*args: object) -> None:
            statements.append(str(args[2]))

        with services.transaction() as session:
            bind = session.connection().engine
            event.listen(bind, "before_cursor_execute", count)
            try:
                pending_in_many(session, cora, offender_ids, today=world.today)
            finally:
                event.remove(bind, "before_cursor_execute", count)
        return len(statements)

    assert queries(ids) == queries([world.zebedee])
    with services.transaction() as session:
        assert pending_in_many(session, cora, [], today=world.today) == {}


def test_the_record_tells_a_covering_sergeant_they_may_decide_as_the_inbox_does(
    services: Services, world: World, db_url: str
) -> None:
    """Cora (Alder's only sergeant) is on leave: the chain gives her approvals to Hattie, a
    sergeant of another team on duty. The record's pending list says Hattie may decide them,
    as the decision itself then agrees; Bram, an offender manager, still may not."""
    from desktop.services.team import AbsenceEntry

    add_pending_approvals(db_url, world)
    cora = services.auth.sign_in("cora", PASSWORD)
    today = services.today().strftime("%d/%m/%Y")
    services.team.record_absence(cora, AbsenceEntry(world.cora, "leave", today, today))
    hattie = services.auth.sign_in("hattie", PASSWORD)
    pending = services.approvals.pending_for_offender(hattie, world.zebedee)
    assert pending and all(p.can_decide and p.why_not == "" for p in pending)
    services.approvals.approve(hattie, pending[0].task_id)
    [task] = _rows(db_url, select(Task).where(Task.id == pending[0].task_id))
    assert task.state == TaskState.DONE and task.completed_as_cover_for_id == world.cora
    bram = services.auth.sign_in("bram", PASSWORD)
    assert not any(
        p.can_decide for p in services.approvals.pending_for_offender(bram, world.zebedee)
    )
