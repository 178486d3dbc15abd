"""Every model round-trips on SQLite and PostgreSQL, with the guarantees later issues rely on:
UTC timestamps, enums stored by value, optimistic locking, constraints, SQLite's pragmas."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.engine import make_engine, parse_url, session_factory, sqlite_path
from db.enums import (
    AbsenceKind,
    ActionStatus,
    ApprovalState,
    AssessmentKind,
    FactorKind,
    NotificationKind,
    OffenderStatus,
    Pillar,
    PpnGrade,
    PpnState,
    RiskLevel,
    Role,
    SentenceKind,
    TaskGroup,
    TaskKind,
    VisitOutcome,
)
from db.models import (
    Absence,
    Address,
    Alias,
    AuditEvent,
    Conviction,
    CoverArrangement,
    HouseholdMember,
    MappaChange,
    Notification,
    Offender,
    Officer,
    PlanAction,
    Policy,
    Ppn,
    PpnSubject,
    RiskAssessment,
    RiskFactor,
    RiskManagementPlan,
    ScrutinyItem,
    ScrutinyPack,
    Task,
    Team,
    Visit,
)

ON = dt.date(2026, 11, 2)
AT = dt.datetime(2026, 11, 2, 18, 30, tzinfo=dt.UTC)


def _officer(username: str, role: Role, team: Team | None) -> Officer:
    return Officer(
        username=username,
        forename="Testa",
        surname=f"Quillfeather-{username}",
        role=role,
        team=team,
        password_hash="scrypt$not-a-real-hash",
    )


def _world(session: Session) -> dict[str, object]:
    team = Team(name="Alder", area="North Fenwick District")
    om = _officer("om01", Role.OFFENDER_MANAGER, team)
    om2 = _officer("om02", Role.OFFENDER_MANAGER, team)
    sgt = _officer("sgt01", Role.SERGEANT, team)
    sgt2 = _officer("sgt02", Role.SERGEANT, team)
    hub = _officer("hub01", Role.HUB_OFFICER, None)
    session.add_all([team, om, om2, sgt, sgt2, hub])
    session.flush()
    om.supervisor_id = sgt.id

    absence = Absence(
        officer=sgt, kind=AbsenceKind.LEAVE, starts_on=ON, ends_on=ON + dt.timedelta(days=9)
    )
    absence.cover.append(
        CoverArrangement(cover_officer=sgt2, starts_on=ON, ends_on=ON + dt.timedelta(days=9))
    )
    offender = Offender(
        reference="ZZ/2020/000001",
        forename="Ignatius",
        surname="Bramblewick",
        date_of_birth=dt.date(1980, 2, 29),
        manager_id=om.id,
        team_id=team.id,
        status=OffenderStatus.COMMUNITY,
        mappa_category=1,
        mappa_level=2,
        registration_start=dt.date(2020, 5, 1),
        notification_indefinite=True,
    )
    offender.aliases.append(Alias(name="Iggy Bramble"))
    offender.addresses.append(
        Address(
            line1="1 Nowhere Lane",
            town="Fictionton",
            postcode="ZZ1 1ZZ",
            from_date=dt.date(2020, 5, 1),
        )
    )
    offender.household.append(
        HouseholdMember(
            name="Small Bramblewick",
            relationship_to_offender="nephew",
            date_of_birth=dt.date(2015, 1, 1),
        )
    )
    offender.convictions.append(
        Conviction(
            offence="Fictional offence",
            convicted_on=dt.date(2020, 4, 1),
            sentence_kind=SentenceKind.CUSTODY,
            sentence_months=36,
        )
    )
    offender.mappa_history.append(MappaChange(category=1, level=2, changed_by_id=sgt.id))
    session.add_all([absence, offender])
    session.flush()

    arms = RiskAssessment(
        offender_id=offender.id,
        kind=AssessmentKind.ARMS,
        assessed_on=ON,
        assessor_id=om.id,
        level=RiskLevel.VERY_HIGH,
        state=ApprovalState.SUBMITTED,
        submitted_at=AT,
    )
    arms.factors.append(
        RiskFactor(
            kind=FactorKind.RISK,
            code="sexual_preoccupation",
            label="Sexual preoccupation",
            present=True,
            evidence="seen",
        )
    )
    plan = RiskManagementPlan(
        offender_id=offender.id,
        plan_number=1,
        author_id=om.id,
        contingency="Recall if contact with children.",
    )
    plan.actions.append(
        PlanAction(
            pillar=Pillar.VICTIM_SAFETY,
            description="Check household",
            owner_id=om.id,
            status=ActionStatus.IN_PROGRESS,
            answers_factor="sexual_preoccupation",
        )
    )
    visit = Visit(
        offender_id=offender.id,
        planned_at=AT,
        officer1_id=om.id,
        officer2_id=om2.id,
        outcome=VisitOutcome.COMPLETED,
        occurred_at=AT,
        children_present=True,
    )
    session.add_all([arms, plan, visit])
    session.flush()
    ppn = Ppn(
        offender_id=offender.id,
        visit_id=visit.id,
        grade=PpnGrade.AMBER,
        concern="Child present",
        concern_at=AT,
        raised_by_id=om.id,
    )
    ppn.subjects.append(PpnSubject(name="Small Bramblewick", is_child=True))
    notification = Notification(
        offender_id=offender.id,
        kind=NotificationKind.FOREIGN_TRAVEL,
        event_on=ON + dt.timedelta(days=20),
        notified_on=ON,
        due_on=ON + dt.timedelta(days=13),
        details={"departure": "2026-11-22", "destinations": ["Ruritania"]},
    )
    task = Task(
        kind=TaskKind.ASSESSMENT_APPROVAL,
        group=TaskGroup.APPROVAL,
        offender_id=offender.id,
        owner_id=sgt.id,
        team_id=team.id,
        subject_type="risk_assessment",
        subject_id=arms.id,
        due_on=ON + dt.timedelta(days=7),
    )
    pack = ScrutinyPack(
        team_id=team.id,
        fortnight_ending=ON,
        seed=7,
        method={"per_manager": 2},
        pdf=b"%PDF-1.4 fictional",
    )
    pack.items.append(
        ScrutinyItem(
            offender_id=offender.id, reason="very high risk", checklist={"plan_current": "yes"}
        )
    )
    policy = Policy(key="caseload_benchmark", value=50)
    audit = AuditEvent(
        username="om01",
        action="sign_in",
        prev_hash="0" * 64,
        hash="a" * 64,
        detail={"client": "test"},
    )
    session.add_all([ppn, notification, task, pack, policy, audit])
    session.flush()
    return {"offender": offender.id, "sgt": sgt.id, "task": task.id, "plan": plan.id}


def test_every_model_round_trips(engine) -> None:  # noqa: ANN001
    factory = session_factory(engine)
    with factory() as session, session.begin():
        ids = _world(session)

    with factory() as session:
        offender = session.get(Offender, ids["offender"])
        assert offender is not None
        assert offender.full_name == "Ignatius Bramblewick"
        assert offender.date_of_birth == dt.date(1980, 2, 29)
        assert offender.status is OffenderStatus.COMMUNITY
        assert [a.name for a in offender.aliases] == ["Iggy Bramble"]
        assert offender.addresses[0].postcode == "ZZ1 1ZZ"
        assert offender.household[0].date_of_birth == dt.date(2015, 1, 1)
        assert offender.convictions[0].sentence_kind is SentenceKind.CUSTODY
        assert offender.mappa_history[0].level == 2

        plan = session.get(RiskManagementPlan, ids["plan"])
        assert plan is not None and plan.actions[0].pillar is Pillar.VICTIM_SAFETY
        assessment = session.scalars(select(RiskAssessment)).one()
        assert assessment.level is RiskLevel.VERY_HIGH and assessment.factors[0].present
        visit = session.scalars(select(Visit)).one()
        assert visit.planned_at == AT and visit.planned_at.tzinfo is not None
        ppn = session.scalars(select(Ppn)).one()
        assert (
            ppn.subjects[0].is_child and ppn.grade is PpnGrade.AMBER and ppn.state is PpnState.DRAFT
        )
        notification = session.scalars(select(Notification)).one()
        assert notification.details["destinations"] == ["Ruritania"]
        pack = session.scalars(select(ScrutinyPack)).one()
        assert pack.pdf == b"%PDF-1.4 fictional" and pack.items[0].checklist == {
            "plan_current": "yes"
        }
        assert session.scalars(select(Policy.value)).one() == 50
        absence = session.scalars(select(Absence)).one()
        assert absence.cover[0].cover_officer.username == "sgt02"
        om = session.scalars(select(Officer).where(Officer.username == "om01")).one()
        assert om.supervisor is not None and om.supervisor.username == "sgt01"
        assert session.scalars(select(AuditEvent.detail)).one() == {"client": "test"}


def test_enums_are_stored_by_value(engine) -> None:  # noqa: ANN001
    factory = session_factory(engine)
    with factory() as session, session.begin():
        ids = _world(session)
    with engine.connect() as conn:
        stored = conn.execute(
            text('SELECT kind, "group", state FROM task WHERE id = :id'), {"id": ids["task"]}
        ).one()
    assert tuple(stored) == ("assessment_approval", "approval", "open")


def test_a_value_outside_an_enum_is_refused_by_the_database(engine) -> None:  # noqa: ANN001
    factory = session_factory(engine)
    with factory() as session, session.begin():
        ids = _world(session)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE task SET state = 'lost' WHERE id = :id"), {"id": ids["task"]})


def test_timestamps_come_back_in_utc_whatever_zone_they_were_given_in(engine) -> None:  # noqa: ANN001
    london_summer = dt.datetime(2026, 7, 1, 19, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    factory = session_factory(engine)
    with factory() as session, session.begin():
        ids = _world(session)
        session.get(Visit, 1)
        visit = session.scalars(select(Visit)).one()
        visit.occurred_at = london_summer
    with factory() as session:
        visit = session.scalars(select(Visit)).one()
        assert visit.occurred_at == london_summer
        assert visit.occurred_at.utcoffset() == dt.timedelta(0)
    assert ids


def test_a_naive_timestamp_is_refused(engine) -> None:  # noqa: ANN001
    factory = session_factory(engine)
    with factory() as session, session.begin():
        _world(session)
    with factory() as session:
        visit = session.scalars(select(Visit)).one()
        visit.occurred_at = dt.datetime(2026, 7, 1, 19, 0)
        with pytest.raises(StatementError, match="naive datetime"):
            session.flush()


def test_a_save_against_a_stale_version_is_refused_and_changes_nothing(engine) -> None:  # noqa: ANN001
    factory = session_factory(engine)
    with factory() as session, session.begin():
        ids = _world(session)

    first, second = factory(), factory()
    try:
        mine = first.get(Offender, ids["offender"])
        theirs = second.get(Offender, ids["offender"])
        assert mine is not None and theirs is not None and mine.version == theirs.version == 1

        mine.surname = "Copperkettle"
        first.commit()
        assert mine.version == 2

        theirs.surname = "Thistledown"
        with pytest.raises(StaleDataError):
            second.commit()
        second.rollback()
    finally:
        first.close()
        second.close()

    with factory() as session:
        offender = session.get(Offender, ids["offender"])
        assert offender is not None and offender.surname == "Copperkettle" and offender.version == 2


def test_a_visit_must_be_double_crewed(engine) -> None:  # noqa: ANN001
    factory = session_factory(engine)
    with factory() as session, session.begin():
        ids = _world(session)
    with pytest.raises(IntegrityError), factory() as session, session.begin():
        om = session.scalars(select(Officer).where(Officer.username == "om01")).one()
        session.add(
            Visit(offender_id=ids["offender"], planned_at=AT, officer1_id=om.id, officer2_id=om.id)
        )


def test_foreign_keys_are_enforced(engine) -> None:  # noqa: ANN001
    with pytest.raises(IntegrityError), session_factory(engine)() as session, session.begin():
        session.add(Alias(offender_id=999_999, name="Nobody"))


def test_sqlite_file_uses_wal_a_busy_timeout_and_is_private(tmp_path) -> None:  # noqa: ANN001
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    engine = make_engine(url, create=True, busy_timeout_ms=1234)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
    finally:
        engine.dispose()
    path = sqlite_path(parse_url(url))
    assert path is not None
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
