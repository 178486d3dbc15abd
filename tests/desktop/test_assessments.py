"""ARMS and RM2000 assessments: drafting, validation, submission for approval, review dates."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.enums import ApprovalState, AssessmentKind, TaskKind, TaskState
from db.models import AuditEvent, Officer, RiskAssessment, Task
from desktop.services.assessments import ArmsEdit, FactorEdit, Rm2000Edit
from desktop.services.core import Services
from desktop.services.errors import (
    EditConflict,
    NotFound,
    PermissionRefused,
    ServiceError,
    ValidationFailed,
)
from tests.desktop.factories import PASSWORD, WORLD_TODAY, World, populate, world_clock

CARD = "4539 1488 0343 6467"
TODAY = WORLD_TODAY


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


def _count_arms(db_url: str, offender_id: int) -> int:
    return len(
        _rows(
            db_url,
            select(RiskAssessment.id).where(
                RiskAssessment.offender_id == offender_id,
                RiskAssessment.kind == AssessmentKind.ARMS,
            ),
        )
    )


def _present(form: ArmsEdit, **evidence: str) -> ArmsEdit:
    """The form with the named factors present (with that evidence) and the rest absent."""
    return dataclasses.replace(
        form,
        factors=[
            dataclasses.replace(f, present=f.code in evidence, evidence=evidence.get(f.code, ""))
            for f in form.factors
        ],
    )


def test_factor_list_is_policy_data_labelled_as_a_default(services: Services) -> None:
    factors = services.assessments.factor_list()
    assert factors.label == "Default factor list: replace with your force's ARMS form wording"
    assert len(factors.risk) == 7 and len(factors.protective) == 4
    assert factors.risk[0] == ("sexual_preoccupation", "Sexual preoccupation")


def test_new_form_is_prefilled_from_the_latest_assessment(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    form = services.assessments.new_arms_form(ada, world.zebedee)
    assert form.assessment_id is None and form.assessed_on == "12/06/2024"
    assert form.level == "high" and form.next_review_on == "" and form.state == "new"
    present = {f.code for f in form.factors if f.present}
    assert present == {"sexual_preoccupation", "access_to_potential_victims"}
    assert [f.kind for f in form.factors].count("protective") == 4
    assert form.factors[0].label == "Sexual preoccupation"
    # never assessed: everything absent
    bare = services.assessments.new_arms_form(ada, world.mortimer)
    assert not any(f.present for f in bare.factors) and bare.level == ""


def test_save_draft_submit_creates_the_sergeants_task(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    form = _present(
        services.assessments.new_arms_form(ada, world.zebedee),
        hostile_orientation="Shouted at a fictional neighbour.",
        social_investment="Volunteers at a fictional allotment.",
    )
    form = dataclasses.replace(form, level="Very high", summary="Fictional summary.")
    assessment_id = services.assessments.save_arms(ada, world.zebedee, form)
    [saved] = _rows(db_url, select(RiskAssessment).where(RiskAssessment.id == assessment_id))
    assert saved.state == ApprovalState.DRAFT and saved.assessor_id == world.ada
    assert saved.level.value == "very_high"
    assert saved.next_review_on == TODAY + relativedelta(months=12)
    assert saved.updated_by_id == world.ada
    assert _audit(db_url)[-1] == "arms_saved"

    # continue the draft: the form now is that draft
    again = services.assessments.new_arms_form(ada, world.zebedee)
    assert again.assessment_id == assessment_id and again.state == "draft"
    assert {f.code for f in again.factors if f.present} == {
        "hostile_orientation",
        "social_investment",
    }
    again = dataclasses.replace(again, next_review_on="01/12/2024")
    assert services.assessments.save_arms(ada, world.zebedee, again) == assessment_id
    current = services.assessments.arms_form(ada, assessment_id)
    assert current.next_review_on == "01/12/2024"

    services.assessments.submit_arms(ada, assessment_id, current.expected_version or 0)
    [task] = _rows(db_url, select(Task).where(Task.subject_id == assessment_id))
    assert task.kind == TaskKind.ASSESSMENT_APPROVAL and task.state == TaskState.OPEN
    assert task.owner_id == world.cora and task.team_id == world.alder
    assert task.subject_type == "risk_assessment" and task.offender_id == world.zebedee
    assert task.due_on == dt.date(2024, 6, 19)  # five working days after Wednesday 12/06
    assert task.title == "Approve ARMS for ZZ/2019/004512 (Zebedee Plimsoll)"
    assert task.created_by_id == world.ada
    [submitted] = _rows(db_url, select(RiskAssessment).where(RiskAssessment.id == assessment_id))
    assert submitted.state == ApprovalState.SUBMITTED and submitted.submitted_at == world_clock()
    assert _audit(db_url)[-1] == "arms_submitted"

    # waiting: neither changed nor submitted again, and no second ARMS meanwhile
    with pytest.raises(ServiceError, match="cannot be changed until a sergeant"):
        services.assessments.save_arms(
            ada, world.zebedee, dataclasses.replace(again, expected_version=submitted.version)
        )
    with pytest.raises(ServiceError, match="waiting for a sergeant's approval"):
        services.assessments.save_arms(
            ada, world.zebedee, dataclasses.replace(form, assessment_id=None)
        )


def test_validation_lists_every_field_and_saves_nothing(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    before = _count_arms(db_url, world.zebedee)
    form = services.assessments.new_arms_form(ada, world.zebedee)
    factors = list(form.factors)
    factors[0] = dataclasses.replace(factors[0], present=True, evidence="  ")
    factors[1] = dataclasses.replace(factors[1], evidence=f"Paid with card {CARD}")
    factors.append(FactorEdit("made_up_factor", True, "x"))
    bad = dataclasses.replace(
        form,
        assessed_on="31/02/2024",
        level="severe",
        next_review_on="soon",
        summary="sort code 12-34-56, account 12345678",
        factors=factors,
    )
    with pytest.raises(ValidationFailed) as failed:
        services.assessments.save_arms(ada, world.zebedee, bad)
    fields = {e.field: e.message for e in failed.value.errors}
    assert set(fields) == {
        "assessed_on",
        "level",
        "next_review_on",
        "summary",
        "factors[0].evidence",
        "factors[1].evidence",
        "factors[11].code",
    }
    assert "not a day in the calendar" in fields["assessed_on"]
    assert "Very high" in fields["level"]
    assert "Sexual preoccupation" in fields["factors[0].evidence"]
    assert "card" in fields["factors[1].evidence"]
    assert "sort code" in fields["summary"]
    assert _count_arms(db_url, world.zebedee) == before


@pytest.mark.parametrize(
    ("assessed", "review", "problem"),
    [
        ("13/06/2024", "", "cannot be later"),  # tomorrow
        ("01/06/2024", "13/06/2025", "not put off"),
        ("01/06/2024", "31/05/2024", "before the assessment date"),
    ],
)
def test_review_date_rules(
    services: Services, world: World, assessed: str, review: str, problem: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    form = dataclasses.replace(
        services.assessments.new_arms_form(ada, world.zebedee),
        assessed_on=assessed,
        next_review_on=review,
    )
    with pytest.raises(ValidationFailed, match=problem):
        services.assessments.save_arms(ada, world.zebedee, form)


def test_review_may_be_brought_forward_to_any_day_up_to_the_default(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    form = dataclasses.replace(
        services.assessments.new_arms_form(ada, world.zebedee),
        assessed_on="2024-06-01",
        next_review_on="01/06/2025",
    )
    assessment_id = services.assessments.save_arms(ada, world.zebedee, form)
    [row] = _rows(db_url, select(RiskAssessment).where(RiskAssessment.id == assessment_id))
    assert row.assessed_on == dt.date(2024, 6, 1) and row.next_review_on == dt.date(2025, 6, 1)


def test_only_the_offenders_manager_writes_an_arms(
    services: Services, world: World, db_url: str
) -> None:
    before = len(_audit(db_url))
    for username in ("bram", "cora", "dorian", "gus", "elsie", "fenn"):
        actor = services.auth.sign_in(username, PASSWORD)
        ada = services.auth.sign_in("ada", PASSWORD)
        form = services.assessments.new_arms_form(ada, world.zebedee)
        with pytest.raises(PermissionRefused):
            services.assessments.save_arms(actor, world.zebedee, form)
        with pytest.raises(PermissionRefused):
            services.assessments.save_rm2000(
                actor, world.zebedee, Rm2000Edit("2", "1", "0", "12/06/2024")
            )
    assert _count_arms(db_url, world.zebedee) == 2
    actions = _audit(db_url)[before:]
    assert "arms_saved" not in actions and "rm2000_recorded" not in actions


def test_approved_assessments_cannot_be_changed(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    approved = next(
        a for a in services.records.open(ada, world.zebedee).assessments if a.state == "approved"
    )
    form = services.assessments.arms_form(ada, approved.assessment_id)
    with pytest.raises(ServiceError, match="Approved assessments cannot be changed"):
        services.assessments.save_arms(ada, world.zebedee, form)
    with pytest.raises(ServiceError, match="Approved assessments cannot be changed"):
        services.assessments.submit_arms(ada, approved.assessment_id, form.expected_version or 0)
    # and an assessment of another offender is not found through this one
    with pytest.raises(NotFound):
        services.assessments.save_arms(ada, world.horatio, form)


def test_one_arms_at_a_time_and_stale_saves_conflict(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    form = services.assessments.new_arms_form(ada, world.quentin)
    assessment_id = services.assessments.save_arms(ada, world.quentin, form)
    with pytest.raises(ServiceError, match="continue that one"):
        services.assessments.save_arms(ada, world.quentin, form)
    loaded = services.assessments.arms_form(ada, assessment_id)
    second = Services(db_url, clock=lambda: world_clock() + dt.timedelta(minutes=3))
    try:
        ada2 = second.auth.sign_in("ada", PASSWORD)
        second.assessments.save_arms(
            ada2, world.quentin, dataclasses.replace(loaded, summary="From the other desktop.")
        )
    finally:
        second.close()
    with pytest.raises(EditConflict) as conflict:
        services.assessments.save_arms(
            ada, world.quentin, dataclasses.replace(loaded, summary="Mine.")
        )
    assert conflict.value.changed_by == "Ada Quillfeather"
    with pytest.raises(EditConflict):
        services.assessments.submit_arms(ada, assessment_id, loaded.expected_version or 0)
    assert services.assessments.arms_form(ada, assessment_id).summary == "From the other desktop."


def test_rm2000_is_scored_and_submitted(services: Services, world: World, db_url: str) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    with pytest.raises(ValidationFailed) as failed:
        services.assessments.save_rm2000(
            ada,
            world.zebedee,
            Rm2000Edit(sexual="-1", violent="x", aggravating="5", assessed_on=""),
        )
    assert {e.field for e in failed.value.errors} == {
        "sexual",
        "violent",
        "aggravating",
        "assessed_on",
    }
    assessment_id = services.assessments.save_rm2000(
        ada,
        world.zebedee,
        Rm2000Edit(sexual="3", violent=" 2 ", aggravating="2", assessed_on="10/06/2024"),
    )
    [row] = _rows(db_url, select(RiskAssessment).where(RiskAssessment.id == assessment_id))
    assert row.kind == AssessmentKind.RM2000 and row.state == ApprovalState.SUBMITTED
    assert (row.rm2000_sexual, row.rm2000_violent, row.rm2000_combined) == (3, 2, 5)
    assert row.aggravating_factors == 2 and row.level.value == "very_high"
    assert row.next_review_on is None
    [task] = _rows(db_url, select(Task).where(Task.subject_id == assessment_id))
    assert task.kind == TaskKind.ASSESSMENT_APPROVAL and task.owner_id == world.cora
    assert task.title == "Approve RM2000 for ZZ/2019/004512 (Zebedee Plimsoll)"
    assert _audit(db_url)[-2:] == ["rm2000_recorded", "rm2000_submitted"]
    with pytest.raises(ServiceError, match="waiting for a sergeant"):
        services.assessments.save_rm2000(
            ada, world.zebedee, Rm2000Edit("1", "1", "0", "11/06/2024")
        )


def test_a_returned_rm2000_is_corrected_by_recording_a_new_one(
    services: Services, world: World, db_url: str
) -> None:
    ada, cora = services.auth.sign_in("ada", PASSWORD), services.auth.sign_in("cora", PASSWORD)
    first = services.assessments.save_rm2000(
        ada,
        world.zebedee,
        Rm2000Edit(sexual="2", violent="1", aggravating="0", assessed_on="01/06/2024"),
    )
    [task] = _rows(db_url, select(Task).where(Task.subject_id == first))
    services.approvals.return_(cora, task.id, "The sexual score is wrong.")
    second = services.assessments.save_rm2000(
        ada,
        world.zebedee,
        Rm2000Edit(sexual="3", violent="1", aggravating="0", assessed_on="01/06/2024"),
    )
    states = dict(_state_pairs(db_url, [first, second]))
    assert states == {first: ApprovalState.SUPERSEDED, second: ApprovalState.SUBMITTED}
    [audit] = _rows(
        db_url,
        select(AuditEvent).where(
            AuditEvent.action == "rm2000_superseded", AuditEvent.entity_id == first
        ),
    )
    assert audit.detail["replaced_by"] == second
    # a submitted one still stands in the way
    with pytest.raises(ServiceError, match="waiting for a sergeant"):
        services.assessments.save_rm2000(
            ada, world.zebedee, Rm2000Edit("1", "1", "0", "11/06/2024")
        )


def _state_pairs(db_url: str, ids: list[int]) -> list[tuple[int, ApprovalState]]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            rows = session.execute(
                select(RiskAssessment.id, RiskAssessment.state).where(RiskAssessment.id.in_(ids))
            )
            return [(row[0], row[1]) for row in rows]
    finally:
        engine.dispose()


def test_approval_goes_to_a_team_sergeant_then_the_team_manager(
    services: Services, world: World, db_url: str
) -> None:
    engine = make_engine(db_url)
    with session_factory(engine)() as session, session.begin():
        session.get(Officer, world.ada).supervisor_id = None
    ada = services.auth.sign_in("ada", PASSWORD)
    services.assessments.save_rm2000(ada, world.zebedee, Rm2000Edit("1", "0", "0", "12/06/2024"))
    with session_factory(engine)() as session, session.begin():
        session.get(Officer, world.cora).active = False
    services.assessments.save_rm2000(ada, world.quentin, Rm2000Edit("1", "0", "0", "12/06/2024"))
    engine.dispose()
    owners = _rows(
        db_url,
        select(Task.owner_id)
        .where(Task.kind == TaskKind.ASSESSMENT_APPROVAL, Task.created_by_id == world.ada)
        .order_by(Task.id),
    )
    assert owners == [world.cora, world.dorian]


def test_bring_review_forward(services: Services, world: World, db_url: str) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    with services.transaction() as session:
        moved = services.assessments.bring_review_forward(
            session, world.zebedee, TODAY, actor=ada, reason="change of address"
        )
    assert moved == TODAY + relativedelta(months=1)
    [row] = _rows(
        db_url,
        select(RiskAssessment).where(
            RiskAssessment.offender_id == world.zebedee,
            RiskAssessment.state == ApprovalState.APPROVED,
        ),
    )
    assert row.next_review_on == moved and row.updated_by_id == world.ada
    assert _audit(db_url)[-1] == "arms_review_brought_forward"
    # a later event never puts it off; no approved ARMS: nothing to move
    with services.transaction() as session:
        assert (
            services.assessments.bring_review_forward(
                session, world.zebedee, TODAY + relativedelta(months=3)
            )
            == moved
        )
        assert services.assessments.bring_review_forward(session, world.mortimer, TODAY) is None
    assert _audit(db_url)[-1] == "arms_review_brought_forward"
    assert len([a for a in _audit(db_url) if a == "arms_review_brought_forward"]) == 1
