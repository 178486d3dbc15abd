"""`pillars demo` against real databases: the inspection's shape, the story's fixed points (absent
sergeants, the unrecorded release, the backlogs), double crewing, PPN clocks, determinism, and
refusing a database that is already in use."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, insert, select

from db import schema
from db.base import Base
from db.engine import make_engine
from db.errors import DatabaseProblem
from db.models import (
    Absence,
    Address,
    Conviction,
    HouseholdMember,
    Notification,
    Offender,
    Officer,
    Policy,
    Ppn,
    RiskAssessment,
    RiskManagementPlan,
    Task,
    Team,
    Visit,
)
from desktop.demo import DemoRefused, DemoSummary, build_demo
from desktop.demo.names import SURNAMES
from desktop.rules.policy_defaults import DEFAULTS
from desktop.rules.scheduler import CLASH_MINUTES
from desktop.services.passwords import verify_password
from tests.conftest import BACKENDS, _create_pg_database, _drop_pg_database, pg_admin_url

ON = dt.date(2026, 11, 23)
SEED = 2022
NOW = dt.datetime(2026, 11, 23, 7, tzinfo=dt.UTC)


def _count(engine: Engine, model: Any, *where: Any) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(model).where(*where)) or 0


def _contents(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table.name: [
                    tuple(row)
                    for row in conn.execute(select(table).order_by(*table.primary_key.columns))
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


# -- the county, built once per backend ----------------------------------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def county(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Engine, DemoSummary]]:
    name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('county') / 'county.sqlite3'}"
    else:
        pg_admin_url()
        name = f"pillars_demo_county_{os.getpid()}"
        url = _create_pg_database(name)
    try:
        summary = build_demo(url, scale="county", seed=SEED, on=ON)
        engine = make_engine(url)
        try:
            yield engine, summary
        finally:
            engine.dispose()
    finally:
        if name is not None:
            _drop_pg_database(name)


@pytest.mark.slow
def test_county_has_the_inspections_shape(county: tuple[Engine, DemoSummary]) -> None:
    engine, summary = county
    assert (summary.scale, summary.teams, summary.offenders) == ("county", 4, 2346)
    assert (summary.open_approval_tasks, summary.open_hub_tasks) == (993, 195)
    with engine.connect() as conn:
        teams = conn.scalars(select(Team.name).order_by(Team.id)).all()
        officers = conn.execute(
            select(
                Officer.username, Officer.role, Officer.team_id, Officer.supervisor_id, Officer.id
            )
        ).all()
        caseloads = conn.execute(
            select(Offender.manager_id, func.count()).group_by(Offender.manager_id)
        ).all()
        wrong_team = conn.scalar(
            select(func.count())
            .select_from(Offender)
            .join(Officer, Officer.id == Offender.manager_id)
            .where(Officer.team_id != Offender.team_id)
        )
    assert teams == ["Alder", "Birch", "Cedar", "Damson"]
    roles = Counter(o.role for o in officers)
    assert roles == {
        "offender_manager": 39,
        "sergeant": 8,
        "team_manager": 4,
        "hub_officer": 6,
        "administrator": 1,
    }
    usernames = {o.username for o in officers}
    assert {f"om{n:02d}" for n in range(1, 40)} <= usernames
    assert {f"sgt{n:02d}" for n in range(1, 9)} | {"tm01", "tm04", "hub01", "admin"} <= usernames
    by_id = {o.id: o for o in officers}
    for om in (o for o in officers if o.role == "offender_manager"):
        supervisor = by_id[om.supervisor_id]
        assert supervisor.role == "sergeant" and supervisor.team_id == om.team_id
    assert {o.role for o in officers if o.team_id is None} == {"hub_officer", "administrator"}

    counts = [n for _, n in caseloads]
    assert len(counts) == 39 and sum(counts) == 2346
    assert all(45 <= n <= 75 for n in counts)
    assert 59 <= sum(counts) / len(counts) <= 61
    assert wrong_team == 0
    assert summary.officers == len(officers)


@pytest.mark.slow
def test_approval_backlog_waits_on_real_submitted_records(
    county: tuple[Engine, DemoSummary],
) -> None:
    engine, _ = county
    with engine.connect() as conn:
        tasks = conn.execute(
            select(Task).where(Task.group == "approval", Task.state == "open")
        ).all()
        states = {
            "visit": dict(conn.execute(select(Visit.id, Visit.record_state)).all()),
            "risk_assessment": dict(
                conn.execute(select(RiskAssessment.id, RiskAssessment.state)).all()
            ),
            "risk_management_plan": dict(
                conn.execute(select(RiskManagementPlan.id, RiskManagementPlan.state)).all()
            ),
        }
        offenders = {
            o.id: o
            for o in conn.execute(select(Offender.id, Offender.manager_id, Offender.team_id)).all()
        }
        officers = {
            o.id: o
            for o in conn.execute(select(Officer.id, Officer.role, Officer.supervisor_id)).all()
        }
        away = set(
            conn.scalars(
                select(Absence.officer_id).where(Absence.starts_on <= ON, Absence.ends_on >= ON)
            ).all()
        )
        submitted = sum(
            1 for kind, by_id in states.items() for state in by_id.values() if state == "submitted"
        )

    assert len(tasks) == 993
    assert submitted == 993
    assert {t.kind for t in tasks} == {"visit_approval", "assessment_approval", "plan_approval"}
    for task in tasks:
        assert states[task.subject_type][task.subject_id] == "submitted"
        offender = offenders[task.offender_id]
        assert task.owner_id == officers[offender.manager_id].supervisor_id
        assert officers[task.owner_id].role == "sergeant"
        assert task.team_id == offender.team_id
        assert task.created_at < NOW
        assert task.due_on > task.created_at.date()
        assert task.title
    owned_by_away = sum(1 for t in tasks if t.owner_id in away)
    assert owned_by_away / len(tasks) >= 0.45
    ages = [(ON - t.created_at.date()).days for t in tasks]
    assert min(ages) <= 2 and max(ages) >= 45
    assert sum(1 for t in tasks if t.due_on < ON) > len(tasks) / 2


@pytest.mark.slow
def test_hub_backlog_is_received_notifications(county: tuple[Engine, DemoSummary]) -> None:
    engine, _ = county
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                Task.owner_id,
                Task.due_on,
                Task.offender_id.label("task_offender_id"),
                Notification.kind,
                Notification.state,
                Notification.offender_id,
                Notification.details,
                Notification.due_on.label("statutory_due_on"),
            )
            .join(Notification, Notification.id == Task.subject_id)
            .where(Task.group == "hub", Task.state == "open", Task.subject_type == "notification")
        ).all()
        open_tasks = _count(engine, Task, Task.group == "hub", Task.state == "open")
        received = _count(engine, Notification, Notification.state == "received")
    assert len(rows) == open_tasks == received == 195
    kinds = Counter(r.kind for r in rows)
    assert {"initial", "foreign_travel", "transfer_in", "release"} <= set(kinds)
    assert kinds["change_of_address"] + kinds["periodic"] > 0
    for row in rows:
        assert row.state == "received" and row.owner_id is None
        assert row.due_on == row.statutory_due_on
        assert row.task_offender_id == row.offender_id
        if row.kind == "transfer_in":
            assert row.offender_id is None
            assert {"forename", "surname", "date_of_birth", "from_force", "address"} <= set(
                row.details
            )
        else:
            assert row.offender_id is not None
        if row.kind == "foreign_travel":
            departure = dt.date.fromisoformat(row.details["departure"])
            assert departure > ON and row.details["destinations"]
    assert any(r.due_on < ON for r in rows) and any(r.due_on >= ON for r in rows)


@pytest.mark.slow
def test_one_release_was_never_recorded(county: tuple[Engine, DemoSummary]) -> None:
    engine, _ = county
    with engine.connect() as conn:
        stuck = conn.scalars(
            select(Offender.id).where(
                Offender.status == "custody", Offender.expected_release_on < ON
            )
        ).all()
        releases = conn.scalars(
            select(Notification.offender_id).where(Notification.kind == "release")
        ).all()
        in_custody = _count(engine, Offender, Offender.status == "custody")
        due_today = _count(
            engine, Offender, Offender.status == "custody", Offender.expected_release_on == ON
        )
    assert len(stuck) == 1
    assert stuck[0] not in releases
    assert 0.02 * 2346 <= in_custody <= 0.04 * 2346
    assert 1 <= due_today <= 2


@pytest.mark.slow
def test_everyone_is_still_registered_with_one_current_home(
    county: tuple[Engine, DemoSummary],
) -> None:
    engine, _ = county
    with engine.connect() as conn:
        ended = conn.scalar(
            select(func.count()).select_from(Offender).where(Offender.notification_end <= ON)
        )
        current = dict(
            conn.execute(
                select(Address.offender_id, func.count())
                .where(Address.to_date.is_(None))
                .group_by(Address.offender_id)
            ).all()
        )
        homeless = set(conn.scalars(select(Offender.id).where(Offender.no_fixed_abode)).all())
        everyone = set(conn.scalars(select(Offender.id)).all())
        postcodes = conn.scalars(select(Address.postcode)).all()
        new = conn.scalar(
            select(func.count())
            .select_from(Conviction)
            .where(Conviction.convicted_on >= ON - dt.timedelta(days=14))
        )
    assert ended == 0
    assert homeless and set(current) == everyone - homeless
    assert set(current.values()) == {1}
    assert all(p.startswith("ZZ") and len(p.split()) == 2 for p in postcodes)
    assert 5 <= new <= 15


@pytest.mark.slow
def test_every_visit_is_double_crewed_by_officers_on_duty(
    county: tuple[Engine, DemoSummary],
) -> None:
    engine, _ = county
    with engine.connect() as conn:
        visits = conn.execute(
            select(Visit.officer1_id, Visit.officer2_id, Visit.planned_at, Visit.outcome)
        ).all()
        absences = conn.execute(
            select(Absence.officer_id, Absence.starts_on, Absence.ends_on)
        ).all()
    assert len(visits) > 10_000
    assert all(v.officer1_id != v.officer2_id for v in visits)
    away: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for absence in absences:
        away.setdefault(absence.officer_id, []).append((absence.starts_on, absence.ends_on))
    for visit in visits:
        day = visit.planned_at.date()
        for officer in (visit.officer1_id, visit.officer2_id):
            assert not any(s <= day <= e for s, e in away.get(officer, ()))
    outcomes = Counter(v.outcome for v in visits if v.outcome != "planned")
    assert 0.85 <= outcomes["completed"] / sum(outcomes.values()) <= 0.95


@pytest.mark.slow
def test_no_officer_is_on_two_visits_within_an_hour(county: tuple[Engine, DemoSummary]) -> None:
    """The visit service refuses a clash (desktop.rules.scheduler.CLASH_MINUTES); the demo's
    history must not show an officer in two homes at once either."""
    engine, _ = county
    with engine.connect() as conn:
        visits = conn.execute(select(Visit.officer1_id, Visit.officer2_id, Visit.planned_at)).all()
    starts: dict[int, list[dt.datetime]] = {}
    for visit in visits:
        for officer in (visit.officer1_id, visit.officer2_id):
            starts.setdefault(officer, []).append(visit.planned_at)
    clash = dt.timedelta(minutes=CLASH_MINUTES)
    for officer, times in starts.items():
        times.sort()
        for earlier, later in zip(times, times[1:], strict=False):
            assert later - earlier >= clash, f"officer {officer}: visits at {earlier} and {later}"


@pytest.mark.slow
def test_ppn_clocks_run_in_order(county: tuple[Engine, DemoSummary]) -> None:
    engine, _ = county
    with engine.connect() as conn:
        ppns = conn.execute(select(Ppn)).all()
        follow_ups = _count(engine, Task, Task.kind == "ppn_follow_up", Task.state == "open")
    assert len(ppns) >= 200
    assert {"draft", "submitted", "awaiting_social_care", "closed"} == {p.state for p in ppns}
    for ppn in ppns:
        assert ppn.concern_at <= ppn.raised_at
        if ppn.submitted_at is not None:
            assert ppn.concern_at <= ppn.submitted_at
            assert ppn.follow_up_due_on == ppn.submitted_at.date() + dt.timedelta(days=7)
        if ppn.mash_reviewed_at is not None:
            assert ppn.submitted_at is not None and ppn.submitted_at <= ppn.mash_reviewed_at
        if ppn.closed_at is not None:
            assert ppn.mash_reviewed_at is not None and ppn.mash_reviewed_at <= ppn.closed_at
    late = [p for p in ppns if p.submitted_at and p.submitted_at - p.concern_at > dt.timedelta(1)]
    assert late
    assert any(p.state == "draft" and NOW - p.concern_at > dt.timedelta(1) for p in ppns)
    awaiting = sum(1 for p in ppns if p.state == "awaiting_social_care")
    assert follow_ups == awaiting >= 10


@pytest.mark.slow
def test_names_are_invented_and_passwords_work(county: tuple[Engine, DemoSummary]) -> None:
    engine, _ = county
    with engine.connect() as conn:
        surnames = set(conn.scalars(select(Offender.surname)).all())
        surnames |= set(conn.scalars(select(Officer.surname)).all())
        household = conn.scalars(select(HouseholdMember.name)).all()
        om01 = conn.scalar(select(Officer.password_hash).where(Officer.username == "om01"))
    assert surnames <= set(SURNAMES)
    assert {name.rsplit(" ", 1)[1] for name in household} <= set(SURNAMES)
    assert om01 is not None
    assert verify_password("pillars-demo", om01)
    assert not verify_password("pillars", om01)


@pytest.mark.slow
def test_the_application_can_add_rows_after_the_demo(county: tuple[Engine, DemoSummary]) -> None:
    """Ids were assigned by the generator; on PostgreSQL the sequences must have moved past them."""
    engine, _ = county
    with engine.connect() as conn:
        result = conn.execute(insert(Team).values(name="Elder", area="", version=1, updated_at=NOW))
        assert result.inserted_primary_key[0] == 5
        conn.rollback()


# -- team scale: quick builds ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def team_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('team') / 'team.sqlite3'}"
    build_demo(url, scale="team", seed=SEED, on=ON)
    return url


def test_team_scale_is_alder_alone(team_url: str) -> None:
    engine = make_engine(team_url)
    try:
        with engine.connect() as conn:
            usernames = set(conn.scalars(select(Officer.username)).all())
            teams = conn.scalars(select(Team.name)).all()
        assert teams == ["Alder"]
        assert usernames == (
            {f"om{n:02d}" for n in range(1, 11)}
            | {"sgt01", "sgt02", "tm01", "hub01", "hub02", "admin"}
        )
        assert _count(engine, Offender) == 600
        assert _count(engine, Task, Task.group == "approval", Task.state == "open") == 254
        assert _count(engine, Task, Task.group == "hub", Task.state == "open") == 50
        assert (
            _count(
                engine, Offender, Offender.status == "custody", Offender.expected_release_on < ON
            )
            == 1
        )
        assert schema.current_revision(engine) == schema.head_revision()
    finally:
        engine.dispose()


def test_same_seed_and_day_give_the_same_database(team_url: str, tmp_path: Path) -> None:
    again = f"sqlite:///{tmp_path / 'again.sqlite3'}"
    other = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    build_demo(again, scale="team", seed=SEED, on=ON)
    build_demo(other, scale="team", seed=SEED + 1, on=ON)
    first, second, third = _contents(team_url), _contents(again), _contents(other)
    for table in ("officer", "offender", "visit", "task", "notification", "ppn", "absence"):
        assert first[table], table
        assert first[table] == second[table], table
    assert first == second
    assert first["offender"] != third["offender"]
    assert first["visit"] != third["visit"]


def test_refuses_a_database_in_use_and_changes_nothing(empty_url: str) -> None:
    lines: list[str] = []
    summary = build_demo(empty_url, scale="team", seed=1, on=ON, progress=lines.append)
    assert summary.offenders == 600 and summary.open_approval_tasks == 254
    assert 5 <= len(lines) <= 48 and all(0 < len(line) <= 60 for line in lines)

    before = _contents(empty_url)
    with pytest.raises(DemoRefused) as refused:
        build_demo(empty_url, scale="team", seed=2, on=ON)
    assert "600 offenders" in str(refused.value) and "\n" not in str(refused.value)
    assert _contents(empty_url) == before


def test_a_bad_scale_is_rejected_before_anything_is_made(tmp_path: Path) -> None:
    path = tmp_path / "never.sqlite3"
    with pytest.raises(ValueError, match="'town'.*team.*county"):
        build_demo(f"sqlite:///{path}", scale="town", seed=1, on=ON)
    assert not path.exists()


def test_an_unreachable_server_is_a_database_problem() -> None:
    with pytest.raises(DatabaseProblem):
        build_demo("postgresql+psycopg://nobody@127.0.0.1:1/pillars", scale="team", seed=1, on=ON)


def test_refuses_a_database_holding_any_other_records(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(insert(Team).values(name="Elder", area="", version=1, updated_at=NOW))
        with pytest.raises(DemoRefused, match="1 rows in team"):
            build_demo(db_url, scale="team", seed=1, on=ON)
        assert _count(engine, Offender) == 0 and _count(engine, Team) == 1
    finally:
        engine.dispose()


def test_keeps_a_policy_value_already_in_force(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(Policy).values(
                    key="caseload_benchmark",
                    value=45,
                    description="Ours.",
                    version=1,
                    updated_at=NOW,
                )
            )
        build_demo(db_url, scale="team", seed=1, on=ON)
        with engine.connect() as conn:
            policy = dict(conn.execute(select(Policy.key, Policy.value)).all())
        assert policy["caseload_benchmark"] == 45
        assert set(policy) == set(DEFAULTS)
        with engine.begin() as conn:
            conn.execute(
                insert(Policy).values(
                    key="new_key", value=1, description="", version=1, updated_at=NOW
                )
            )
    finally:
        engine.dispose()


@pytest.mark.slow
def test_ppn_escalations_follow_the_rule_and_late_ppns_show_to_sergeants(
    county: tuple[Engine, DemoSummary],
) -> None:
    """Every PPN escalation is the rule's (three concerns within three months for the offender
    or the household, the newest the one that raised it), owned by the offender manager's
    sergeant, one open at most per offender, several open; and `pillars due` shows a late
    submission and an overdue follow-up in teams, naming the officer who raised each."""
    from zoneinfo import ZoneInfo

    from desktop.rules import ppn as ppn_rules
    from desktop.services.core import Services

    engine, _ = county
    london = ZoneInfo("Europe/London")
    with engine.connect() as conn:
        ppns = conn.execute(select(Ppn)).all()
        tasks = conn.execute(select(Task).where(Task.kind == "ppn_escalation")).all()
        officers = {o.id: o for o in conn.execute(select(Officer)).all()}
        managers = dict(conn.execute(select(Offender.id, Offender.manager_id)).all())
    by_id = {p.id: p for p in ppns}
    policy = DEFAULTS["ppn_escalation"]
    for task in tasks:
        raised = by_id[task.subject_id]
        day = raised.concern_at.astimezone(london).date()
        earlier = [
            p.concern_at.astimezone(london).date()
            for p in ppns
            if (
                p.offender_id == raised.offender_id
                or (raised.household_key and p.household_key == raised.household_key)
            )
            and (p.concern_at, p.id) <= (raised.concern_at, raised.id)
        ]
        assert ppn_rules.escalates(earlier, day, count=policy["count"], months=policy["months"])
        assert officers[task.owner_id].role == "sergeant"
        assert task.owner_id == officers[managers[task.offender_id]].supervisor_id
    still_open = Counter(t.offender_id for t in tasks if t.state == "open")
    assert len(still_open) >= 4 and set(still_open.values()) == {1}

    services = Services(engine.url.render_as_string(hide_password=False), clock=lambda: NOW)
    try:
        report = services.due.report(ON)
    finally:
        services.close()
    late = {i.rule: i for i in report.breaches if i.rule.startswith("ppn_")}
    assert set(late) == {"ppn_not_submitted", "ppn_follow_up_overdue"}
    assert all(i.officer and i.team and i.ppn_id for i in late.values())
