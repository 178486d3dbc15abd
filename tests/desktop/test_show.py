"""The read model's record-quality findings and plan gaps, the caseload's quality score, and
`pillars show` (service and command line), ending with the issue's done-when walked through."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.models import AuditEvent
from desktop.cli import main
from desktop.services.core import Services
from desktop.services.errors import NotFound
from desktop.services.plans import ActionEdit, plan_edit_for
from tests.desktop.factories import PASSWORD, World, populate, world_clock

TOP_KEYS = [
    "reference",
    "name",
    "date_of_birth",
    "status",
    "status_since",
    "team",
    "manager",
    "mappa",
    "risk",
    "plan",
    "last_seen",
    "next_visit_due",
    "visit_overdue",
    "failed_visit_attempts",
    "warrant_consideration",
    "visits",
    "ppns",
    "notifications",
    "open_tasks",
    "breaches",
    "quality",
]


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _last_audit(db_url: str) -> AuditEvent:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    finally:
        engine.dispose()


def test_record_quality_and_gaps(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    zebedee = services.records.open(ada, world.zebedee)
    assert zebedee.quality.findings == [] and zebedee.quality.score == 100
    assert zebedee.plan_gaps == [] and zebedee.pending_approvals == []
    assert zebedee.assessments[0].factors[0].code == "sexual_preoccupation"

    horatio = services.records.open(ada, world.horatio)
    assert [(f.code, f.area) for f in horatio.quality.findings] == [
        ("arms_review_overdue", "risk"),
        ("plan_missing", "plan"),
        ("visit_overdue", "visits"),
        ("ppn_not_submitted", "ppn"),
    ]
    assert (horatio.quality.checks, horatio.quality.passed, horatio.quality.score) == (8, 4, 50)
    assert horatio.plan_gaps == []  # no plan at all: that is the finding, not a gap list
    [visit_task] = horatio.pending_approvals
    assert visit_task.kind == "visit_approval" and not visit_task.can_decide

    cora = services.auth.sign_in("cora", PASSWORD)
    mortimer = services.records.open(cora, world.mortimer)
    assert [f.code for f in mortimer.quality.findings] == [
        "arms_missing",
        "plan_missing",
        "visit_overdue",
        "nfa_weekly_notification_missing",
    ]


def test_plan_gaps_on_the_record_follow_the_plan(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    plan_id = services.plans.start_draft(ada, world.horatio)
    draft = services.plans.editor(ada, world.horatio).draft
    assert draft is not None
    services.plans.save_draft(
        ada,
        plan_id,
        dataclasses.replace(
            plan_edit_for(draft),
            actions=[
                ActionEdit(None, "supervision", "Office visits", "x", "01/07/2024", "", ""),
            ],
        ),
    )
    record = services.records.open(ada, world.horatio)
    assert [g.code for g in record.plan_gaps] == [
        "pillar_without_action",
        "pillar_without_action",
        "pillar_without_action",
        "factor_unanswered",
        "no_contingency",
        "review_overdue",
    ]
    plan_findings = [f.code for f in record.quality.in_area("plan")]
    assert plan_findings == [
        "plan_not_approved",
        "plan_review_overdue",
        "plan_pillar_without_action",
        "plan_factor_unanswered",
        "plan_no_contingency",
    ]
    assert record.plan is None  # the record's plan is the approved one


def test_caseload_score_agrees_with_the_record(services: Services, world: World) -> None:
    dorian = services.auth.sign_in("dorian", PASSWORD)
    rows = services.caseload.load(dorian, "force").rows
    by_id = {r.offender_id: r for r in rows}
    assert by_id[world.zebedee].quality_score == 100
    assert by_id[world.horatio].quality_score == 50
    assert by_id[world.horatio].quality_findings == 4
    for row in rows:
        record = services.records.open(dorian, row.offender_id)
        assert row.quality_score == record.quality.score, row.reference
        assert row.quality_findings == len(record.quality.findings), row.reference


def test_show_document(services: Services, world: World, db_url: str) -> None:
    doc = services.records.show(" ZZ/2019/004512 ")
    assert list(doc) == TOP_KEYS
    assert doc["name"] == "Zebedee Plimsoll" and doc["date_of_birth"] == "1980-03-14"
    assert doc["mappa"] == {"category": 1, "level": 2, "history": []}
    arms = doc["risk"]["arms"]
    assert arms["state"] == "approved" and arms["level"] == "high"
    assert arms["assessed_on"] == "2023-12-12" and arms["next_review_on"] == "2024-12-12"
    assert len(arms["factors"]) == 11
    assert arms["factors"][0] == {
        "code": "sexual_preoccupation",
        "label": "Sexual preoccupation",
        "kind": "risk",
        "present": True,
        "evidence": "Seen at the fictional day centre.",
    }
    assert doc["risk"]["rm2000"] is None
    plan = doc["plan"]
    assert list(plan["pillars"]) == [
        "supervision",
        "monitoring_control",
        "interventions_treatment",
        "victim_safety",
    ]
    assert plan["pillars"]["monitoring_control"] == [
        {
            "description": "Unannounced home visits",
            "owner": "Ada Quillfeather",
            "due_on": "2024-07-12",
            "status": "not_started",
            "answers_factor": "access_to_potential_victims",
        }
    ]
    assert plan["gaps"] == [] and plan["state"] == "approved"
    assert doc["quality"] == {"score": 100, "checks": 12, "passed": 12, "findings": []}
    assert doc["visits"][0]["planned_at"] == "2024-06-22T18:30:00+00:00"
    json.dumps(doc)  # JSON-ready throughout
    audit = _last_audit(db_url)
    assert audit.action == "record_exported" and audit.username == "cli"
    assert audit.officer_id is None and audit.offender_id == world.zebedee
    with pytest.raises(NotFound, match="no offender with reference ZZ/0000/000000"):
        services.records.show("ZZ/0000/000000")


def test_show_rm2000_and_mappa_history(services: Services, world: World) -> None:
    from desktop.services.assessments import Rm2000Edit

    ada = services.auth.sign_in("ada", PASSWORD)
    services.assessments.save_rm2000(ada, world.zebedee, Rm2000Edit("3", "2", "2", "10/06/2024"))
    record = services.records.open(ada, world.zebedee)
    services.mappa.change(ada, world.zebedee, record.version, "1", "3", "Fictional meeting.")
    doc = services.records.show("ZZ/2019/004512")
    assert doc["risk"]["rm2000"] == {
        "assessed_on": "2024-06-10",
        "assessor": "Ada Quillfeather",
        "state": "submitted",
        "level": "very_high",
        "sexual": 3,
        "violent": 2,
        "combined": 5,
        "aggravating_factors": 2,
        "sexual_category": "high",
        "violent_category": "medium",
        "combined_category": "very_high",
    }
    assert doc["mappa"]["level"] == 3
    assert doc["mappa"]["history"][0]["changed_by"] == "Ada Quillfeather"
    assert doc["open_tasks"][0]["kind"] == "assessment_approval"


def test_cli_show(db_url: str, world: World, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "--db", db_url, "ZZ/2019/004512", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == TOP_KEYS and doc["reference"] == "ZZ/2019/004512"
    assert main(["show", "--db", db_url, "ZZ/2019/004512"]) == 0
    text = capsys.readouterr().out
    assert "ZZ/2019/004512  Zebedee Plimsoll  (born 14/03/1980)" in text
    assert "Monitoring and control" in text and "answers Access to potential victims" in text
    assert "Record quality:" in text
    assert main(["show", "--db", db_url, "ZZ/0000/000000"]) == 1
    err = capsys.readouterr().err
    assert err == "pillars: error: no offender with reference ZZ/0000/000000\n"


def test_done_when(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """The issue's done-when, on today's real date (the command line's clock): an offender
    manager writes a plan answering every present ARMS factor, the gaps list empties as they
    go, they submit it, the sergeant approves it, and `pillars show` reports it with no quality
    finding about the plan."""
    today = dt.datetime.now(ZoneInfo("Europe/London")).date()
    world = populate(db_url, today=today)
    services = Services(db_url)
    try:
        ada = services.auth.sign_in("ada", PASSWORD)
        before = services.records.show(world.references["horatio"])
        assert [f["code"] for f in before["quality"]["findings"] if f["area"] == "plan"] == [
            "plan_missing"
        ]
        plan_id = services.plans.start_draft(ada, world.horatio)
        data = services.plans.editor(ada, world.horatio)
        assert data.draft is not None
        factors = data.present_factors
        assert [code for code, _ in factors] == ["hostile_orientation"]
        due = (today + dt.timedelta(days=30)).strftime("%d/%m/%Y")
        ada_owns, bram_owns = f"officer:{world.ada}", f"officer:{world.bram}"
        typed = [
            ActionEdit(None, "Supervision", "Weekly office", ada_owns, due, "in progress", ""),
            ActionEdit(
                None,
                "Monitoring and control",
                "Unannounced evening visits",
                bram_owns,
                due,
                "not started",
                "hostile_orientation",
            ),
            ActionEdit(
                None,
                "Interventions and treatment",
                "Anger programme",
                "Fictional Probation Service",
                due,
                "",
                "",
            ),
            ActionEdit(None, "Victim safety", "Warn the neighbour", ada_owns, due, "", ""),
        ]
        edit = plan_edit_for(data.draft)
        gaps = [len(services.plans.gaps_for(edit, factors))]
        for i in range(1, len(typed) + 1):
            edit = dataclasses.replace(edit, actions=typed[:i])
            gaps.append(len(services.plans.gaps_for(edit, factors)))
        edit = dataclasses.replace(
            edit,
            contingency="Recall to custody on any breach; fictional.",
            review_on=(today + dt.timedelta(days=180)).isoformat(),
        )
        gaps.append(len(services.plans.gaps_for(edit, factors)))
        assert gaps == [7, 6, 4, 3, 2, 0]  # pillars, factor, contingency, review: each fills
        saved = services.plans.save_draft(ada, plan_id, edit)
        assert saved.gaps == [] and saved.draft is not None
        services.plans.submit(ada, plan_id, saved.draft.version)
        cora = services.auth.sign_in("cora", PASSWORD)
        [task] = [
            p
            for p in services.approvals.pending_for_offender(cora, world.horatio)
            if p.kind == "plan_approval"
        ]
        services.approvals.approve(cora, task.task_id)
    finally:
        services.close()

    assert main(["show", "--db", db_url, world.references["horatio"], "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["plan"]["state"] == "approved" and doc["plan"]["plan_number"] == 1
    assert doc["plan"]["decided_by"] == "Cora Pennywhistle"
    assert [len(actions) for actions in doc["plan"]["pillars"].values()] == [1, 1, 1, 1]
    assert doc["plan"]["pillars"]["monitoring_control"][0]["answers_factor"] == (
        "hostile_orientation"
    )
    assert doc["plan"]["gaps"] == []
    assert [f for f in doc["quality"]["findings"] if f["area"] == "plan"] == []
