"""The risk management plan editor: drafts, validation, live gaps, submission, immutable
approved versions and comparison."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.enums import ApprovalState, TaskKind
from db.models import AuditEvent, PlanAction, RiskManagementPlan, Task
from desktop.services.core import Services
from desktop.services.errors import (
    EditConflict,
    NotFound,
    PermissionRefused,
    ServiceError,
    ValidationFailed,
)
from desktop.services.plans import IMMUTABLE, ActionEdit, PlanEdit, plan_edit_for
from tests.desktop.factories import PASSWORD, WORLD_TODAY, World, populate, world_clock

TODAY = WORLD_TODAY
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


def _audit(db_url: str) -> list[str]:
    return _rows(db_url, select(AuditEvent.action).order_by(AuditEvent.id))


def _action(pillar: str, text: str, owner: str, factor: str = "", **extra: str) -> ActionEdit:
    return ActionEdit(
        action_id=None,
        pillar=pillar,
        description=text,
        owner=owner,
        due_on=extra.get("due_on", "12/07/2024"),
        status=extra.get("status", "not started"),
        answers_factor=factor,
    )


def test_editor_shows_the_current_plan_without_gaps(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    data = services.plans.editor(ada, world.zebedee)
    assert _audit(db_url)[-1] == "plan_viewed"
    assert data.reference == "ZZ/2019/004512" and data.name == "Zebedee Plimsoll"
    assert data.can_edit and data.draft is None and data.submitted is None
    assert data.current is not None and data.current.plan_number == 1
    assert data.current.state == "approved" and data.current.decided_by == "Cora Pennywhistle"
    assert [a.pillar for a in data.current.actions] == [
        "supervision",
        "monitoring_control",
        "interventions_treatment",
        "victim_safety",
    ]
    assert data.current.actions[1].answers_label == "Access to potential victims"
    assert data.current.actions[0].owner_name == "Ada Quillfeather"
    assert data.present_factors == [
        ("sexual_preoccupation", "Sexual preoccupation"),
        ("access_to_potential_victims", "Access to potential victims"),
    ]
    assert [name for _, name in data.owners] == [
        "Dorian Mothersole",
        "Cora Pennywhistle",
        "Ada Quillfeather",
        "Bramwell Tiddlecombe",
    ]
    assert data.gaps == []
    assert [(v.plan_number, v.state) for v in data.versions] == [(1, "approved")]
    # a sergeant reads it but cannot edit; another team cannot open it
    cora = services.auth.sign_in("cora", PASSWORD)
    assert not services.plans.editor(cora, world.zebedee).can_edit
    with pytest.raises(PermissionRefused):
        services.plans.editor(services.auth.sign_in("gus", PASSWORD), world.zebedee)


def test_start_draft_copies_the_current_version(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    plan_id = services.plans.start_draft(ada, world.zebedee)
    assert services.plans.start_draft(ada, world.zebedee) == plan_id  # continues it
    data = services.plans.editor(ada, world.zebedee)
    assert data.draft is not None and data.draft.plan_id == plan_id
    assert data.draft.plan_number == 2 and data.draft.state == "draft"
    assert data.current is not None
    assert [a.description for a in data.draft.actions] == [
        a.description for a in data.current.actions
    ]
    assert data.draft.contingency == data.current.contingency
    assert data.draft.author == "Ada Quillfeather"
    assert [v.plan_number for v in data.versions] == [2, 1]
    assert "plan_draft_started" in _audit(db_url)
    with pytest.raises(PermissionRefused):
        services.plans.start_draft(services.auth.sign_in("bram", PASSWORD), world.zebedee)


def test_a_first_plan_starts_empty(services: Services, world: World) -> None:
    bram = services.auth.sign_in("bram", PASSWORD)
    plan_id = services.plans.start_draft(bram, world.percival)
    data = services.plans.editor(bram, world.percival)
    assert data.current is None and data.draft is not None and data.draft.plan_id == plan_id
    assert data.draft.plan_number == 1 and data.draft.actions == []
    assert [g.code for g in data.gaps] == [
        "pillar_without_action",
        "pillar_without_action",
        "pillar_without_action",
        "pillar_without_action",
        "no_contingency",
        "review_overdue",
    ]


def test_save_draft_replaces_actions_and_audits(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    plan_id = services.plans.start_draft(ada, world.zebedee)
    draft = services.plans.editor(ada, world.zebedee).draft
    assert draft is not None
    edit = plan_edit_for(draft)
    actions = list(edit.actions)
    kept = dataclasses.replace(actions[0], description="Fortnightly office appointment")
    new = _action("Victim safety", "Speak to the fictional school", "Northvale Children's Services")
    edit = dataclasses.replace(
        edit,
        contingency="Arrest on breach; fictional.",
        review_on="2024-12-01",
        actions=[kept, *actions[1:3], new],  # the old victim safety action removed
    )
    data = services.plans.save_draft(ada, plan_id, edit)
    assert data.draft is not None and data.draft.version > draft.version
    saved = data.draft
    assert saved.contingency == "Arrest on breach; fictional."
    assert saved.review_on == dt.date(2024, 12, 1)
    assert [a.description for a in saved.in_pillar("supervision")] == [
        "Fortnightly office appointment"
    ]
    assert saved.actions[0].action_id == draft.actions[0].action_id  # kept its row
    [victim] = saved.in_pillar("victim_safety")
    assert victim.owner_id is None and victim.owner_name == "Northvale Children's Services"
    assert victim.status == "not_started"
    assert data.gaps == []
    assert _audit(db_url)[-1] == "plan_draft_saved"
    rows = _rows(db_url, select(PlanAction).where(PlanAction.plan_id == plan_id))
    assert len(rows) == 4
    # the same content again changes nothing and audits nothing
    before = len(_audit(db_url))
    again = services.plans.save_draft(ada, plan_id, plan_edit_for(saved))
    assert again.draft is not None and again.draft.version == saved.version
    assert len(_audit(db_url)) == before


def test_validation_lists_every_field_and_saves_nothing(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    plan_id = services.plans.start_draft(ada, world.zebedee)
    draft = services.plans.editor(ada, world.zebedee).draft
    assert draft is not None
    edit = PlanEdit(
        expected_version=draft.version,
        contingency=f"Card {CARD}",
        licence_conditions="sort code 12-34-56, account 12345678",
        review_on="31/13/2024",
        actions=[
            _action("pillar five", "", "", "made_up", due_on="tomorrow", status="half done"),
            _action("supervision", f"Check card {CARD}", f"officer:{world.gus}"),
            _action("supervision", "Fine", "officer:999999", due_on=""),
        ],
    )
    with pytest.raises(ValidationFailed) as failed:
        services.plans.save_draft(ada, plan_id, edit)
    fields = {e.field: e.message for e in failed.value.errors}
    assert set(fields) == {
        "contingency",
        "licence_conditions",
        "review_on",
        "actions[0].pillar",
        "actions[0].description",
        "actions[0].owner",
        "actions[0].due_on",
        "actions[0].status",
        "actions[0].answers_factor",
        "actions[1].description",
        "actions[1].owner",
        "actions[2].owner",
        "actions[2].due_on",
    }
    assert "Victim safety" in fields["actions[0].pillar"]
    assert "Sexual preoccupation" in fields["actions[0].answers_factor"]
    assert "card" in fields["contingency"] and "sort code" in fields["licence_conditions"]
    assert "not in this offender's team" in fields["actions[1].owner"]
    after = services.plans.editor(ada, world.zebedee).draft
    assert after is not None and after.version == draft.version
    assert after.contingency == draft.contingency and len(after.actions) == 4


def test_answers_factor_accepts_the_label(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    plan_id = services.plans.start_draft(ada, world.horatio)
    draft = services.plans.editor(ada, world.horatio).draft
    assert draft is not None
    data = services.plans.save_draft(
        ada,
        plan_id,
        dataclasses.replace(
            plan_edit_for(draft),
            actions=[
                _action(
                    "supervision", "Weekly check-in", f"officer:{world.ada}", "hostile orientation"
                )
            ],
        ),
    )
    assert data.draft is not None
    assert data.draft.actions[0].answers_factor == "hostile_orientation"
    assert data.draft.actions[0].answers_label == "Hostile orientation"


def test_gaps_for_is_live_and_tolerates_half_typed_dates(services: Services, world: World) -> None:
    factors = [("hostile_orientation", "Hostile orientation")]
    edit = PlanEdit(
        expected_version=1,
        contingency="",
        licence_conditions="",
        review_on="01/0",
        actions=[
            _action("supervision", "Visit", "x", due_on="3/"),
            _action("monitoring_control", "", "x"),  # nothing typed yet: not counted
        ],
    )
    gaps = services.plans.gaps_for(edit, factors, TODAY)
    assert [g.code for g in gaps] == [
        "pillar_without_action",
        "pillar_without_action",
        "pillar_without_action",
        "factor_unanswered",
        "no_contingency",
        "review_overdue",
    ]
    typed = dataclasses.replace(
        edit,
        contingency="Call 999",
        review_on="01/12/2024",
        actions=[
            _action("Supervision", "Visit", "x", "Hostile orientation", due_on="01/06/2024"),
            _action("Monitoring and control", "Curfew check", "x"),
            _action("interventions_treatment", "Programme", "x", status="Done"),
            _action("victim_safety", "Warn the fictional school", "x"),
        ],
    )
    gaps = services.plans.gaps_for(typed, factors, TODAY)
    assert [(g.code, g.pillar) for g in gaps] == [("action_overdue", "supervision")]


def test_submit_and_approved_versions_are_immutable(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    current = services.plans.editor(ada, world.zebedee).current
    assert current is not None
    with pytest.raises(ServiceError, match=IMMUTABLE):
        services.plans.save_draft(ada, current.plan_id, plan_edit_for(current))
    with pytest.raises(ServiceError, match=IMMUTABLE):
        services.plans.submit(ada, current.plan_id, current.version)

    plan_id = services.plans.start_draft(ada, world.zebedee)
    draft = services.plans.editor(ada, world.zebedee).draft
    assert draft is not None
    services.plans.submit(ada, plan_id, draft.version)
    [task] = _rows(db_url, select(Task).where(Task.kind == TaskKind.PLAN_APPROVAL))
    assert task.owner_id == world.cora and task.subject_type == "risk_management_plan"
    assert task.subject_id == plan_id and task.due_on == dt.date(2024, 6, 19)
    assert task.title == "Approve risk management plan v2 for ZZ/2019/004512 (Zebedee Plimsoll)"
    assert _audit(db_url)[-1] == "plan_submitted"
    data = services.plans.editor(ada, world.zebedee)
    assert data.draft is None and data.submitted is not None
    assert data.submitted.plan_id == plan_id and data.submitted.state == "submitted"
    with pytest.raises(ServiceError, match="waiting for a sergeant's approval"):
        services.plans.start_draft(ada, world.zebedee)
    with pytest.raises(ServiceError, match="cannot be changed until a sergeant"):
        services.plans.save_draft(ada, plan_id, plan_edit_for(data.submitted))


def test_submit_needs_a_review_date_and_an_action(services: Services, world: World) -> None:
    bram = services.auth.sign_in("bram", PASSWORD)
    plan_id = services.plans.start_draft(bram, world.percival)
    draft = services.plans.editor(bram, world.percival).draft
    assert draft is not None
    with pytest.raises(ValidationFailed) as failed:
        services.plans.submit(bram, plan_id, draft.version)
    assert {e.field for e in failed.value.errors} == {"review_on", "actions"}


def test_stale_saves_conflict(services: Services, world: World, db_url: str) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    plan_id = services.plans.start_draft(ada, world.zebedee)
    draft = services.plans.editor(ada, world.zebedee).draft
    assert draft is not None
    second = Services(db_url, clock=lambda: world_clock() + dt.timedelta(minutes=2))
    try:
        ada2 = second.auth.sign_in("ada", PASSWORD)
        second.plans.save_draft(
            ada2, plan_id, dataclasses.replace(plan_edit_for(draft), contingency="Theirs.")
        )
    finally:
        second.close()
    with pytest.raises(EditConflict) as conflict:
        services.plans.save_draft(
            ada, plan_id, dataclasses.replace(plan_edit_for(draft), contingency="Mine.")
        )
    assert conflict.value.changed_by == "Ada Quillfeather"
    with pytest.raises(EditConflict):
        services.plans.submit(ada, plan_id, draft.version)
    edited = dataclasses.replace(
        plan_edit_for(draft),
        expected_version=draft.version + 1,
        actions=[dataclasses.replace(plan_edit_for(draft).actions[0], action_id=10**9)],
    )
    with pytest.raises(NotFound):
        services.plans.save_draft(ada, plan_id, edited)


def test_compare_two_versions(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    current = services.plans.editor(ada, world.zebedee).current
    assert current is not None
    plan_id = services.plans.start_draft(ada, world.zebedee)
    draft = services.plans.editor(ada, world.zebedee).draft
    assert draft is not None
    edit = plan_edit_for(draft)
    actions = list(edit.actions)
    actions[0] = dataclasses.replace(actions[0], status="in progress")  # changed
    actions[2] = dataclasses.replace(actions[2], description="A different programme")  # by factor
    del actions[3]  # removed
    actions.append(_action("victim_safety", "New victim contact", f"officer:{world.bram}"))
    services.plans.save_draft(
        ada,
        plan_id,
        dataclasses.replace(edit, contingency="New contingency.", actions=actions),
    )
    comparison = services.plans.compare(ada, current.plan_id, plan_id)
    assert comparison.a.plan_number == 1 and comparison.b.plan_number == 2
    changed_fields = [f.name for f in comparison.fields if f.changed]
    assert changed_fields == ["contingency"]
    summary = [(c.pillar, c.change) for c in comparison.actions]
    assert summary == [
        ("supervision", "changed"),
        ("monitoring_control", "same"),
        ("interventions_treatment", "changed"),
        ("victim_safety", "added"),
        ("victim_safety", "removed"),
    ]
    changed = comparison.actions[2]
    assert changed.before is not None and changed.after is not None
    assert changed.before.description == "Attend the fictional programme"
    assert changed.after.description == "A different programme"
    assert services.plans.version(ada, current.plan_id).plan_number == 1
    with pytest.raises(ServiceError, match="same offender"):
        other = services.plans.start_draft(ada, world.horatio)
        services.plans.compare(ada, current.plan_id, other)


def test_done_when_gaps_empty_submit_and_approve(services: Services, world: World) -> None:
    """An offender manager writes a plan answering every present ARMS factor, the gaps list
    empties as they go, they submit it and the sergeant approves it."""
    ada = services.auth.sign_in("ada", PASSWORD)
    plan_id = services.plans.start_draft(ada, world.horatio)  # no plan yet; one factor present
    data = services.plans.editor(ada, world.horatio)
    assert data.present_factors == [("hostile_orientation", "Hostile orientation")]
    edit = plan_edit_for(data.draft) if data.draft else None
    assert edit is not None
    typed = [
        _action("supervision", "Weekly office appointment", f"officer:{world.ada}"),
        _action(
            "monitoring_control",
            "Unannounced evening visits",
            f"officer:{world.bram}",
            "hostile_orientation",
        ),
        _action("interventions_treatment", "Anger programme", "Fictional Probation Service"),
        _action("victim_safety", "Warn the fictional neighbour", f"officer:{world.ada}"),
    ]
    counts = [len(services.plans.gaps_for(edit, data.present_factors, TODAY))]
    for i in range(1, len(typed) + 1):
        edit = dataclasses.replace(edit, actions=typed[:i])
        counts.append(len(services.plans.gaps_for(edit, data.present_factors, TODAY)))
    edit = dataclasses.replace(
        edit, contingency="Recall to custody; fictional.", review_on="12/12/2024"
    )
    counts.append(len(services.plans.gaps_for(edit, data.present_factors, TODAY)))
    assert counts == [7, 6, 4, 3, 2, 0]
    saved = services.plans.save_draft(ada, plan_id, edit)
    assert saved.gaps == [] and saved.draft is not None
    services.plans.submit(ada, plan_id, saved.draft.version)
    cora = services.auth.sign_in("cora", PASSWORD)
    [pending] = [
        p
        for p in services.approvals.pending_for_offender(cora, world.horatio)
        if p.kind == "plan_approval"
    ]
    assert pending.can_decide and pending.submitted_by == "Ada Quillfeather"
    services.approvals.approve(cora, pending.task_id)
    after = services.plans.editor(ada, world.horatio)
    assert after.current is not None and after.current.plan_id == plan_id
    assert after.current.decided_by == "Cora Pennywhistle" and after.gaps == []
    assert after.draft is None and after.submitted is None
    versions = _states(services, ada, world.horatio)
    assert versions == [(1, ApprovalState.APPROVED.value)]


def _states(services: Services, actor, offender_id: int) -> list[tuple[int, str]]:  # noqa: ANN001
    return [(v.plan_number, v.state) for v in services.plans.editor(actor, offender_id).versions]


def test_two_desktops_starting_a_draft_share_one(
    services: Services, world: World, db_url: str
) -> None:
    from sqlalchemy import event

    second = Services(db_url, clock=world_clock)
    try:
        ada = services.auth.sign_in("ada", PASSWORD)
        ada2 = second.auth.sign_in("ada", PASSWORD)
        theirs: list[int] = []

        def _meddle(conn, cursor, statement, params, context, executemany):  # noqa: ANN001
            if not theirs and statement.lstrip().upper().startswith("INSERT INTO RISK_MANAGEMENT"):
                theirs.append(second.plans.start_draft(ada2, world.zebedee))

        event.listen(services.engine, "before_cursor_execute", _meddle)
        try:
            mine = services.plans.start_draft(ada, world.zebedee)
        finally:
            event.remove(services.engine, "before_cursor_execute", _meddle)
    finally:
        second.close()
    assert theirs == [mine]
    numbers = _rows(db_url, select(RiskManagementPlan.plan_number).order_by(RiskManagementPlan.id))
    assert numbers == [1, 2]
