"""DashboardService on both databases: who may read the monthly dashboard; every figure traced to
the records behind it; figures equal to the same figures counted straight from the database; and
a team manager's scrutiny findings showing in the next month's dashboard.

The synthetic world (12/06/2024) gets two months of work here, May and June 2024:
- Olive (Alder, Ada's, high risk): a home visit due 20/05 done on 15/05; an address change
  notified late in May; a PPN submitted in time whose follow-up decision came late; scrutinised
  in May with "no" answers and two actions (one done).
- Rufus (Alder, Ada's, very high risk): a visit due 01/06 done late on 05/06; his ARMS review
  and plan review fall due in May; a PPN submitted late and never followed up; scrutinised in
  June with an action done since.
- Wilma (Birch, Gus's, registered 10/05): never seen, so her first visit is due in May and
  overdue in June; a draft PPN left unsubmitted; an open approval; scrutinised in May.
- tasks: an approval raised in May and decided in June, one cancelled in May, hub tasks with and
  without an offender.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import event, func, or_, select, update

from db.engine import make_engine, session_factory
from db.enums import (
    TASK_GROUP,
    ApprovalState,
    AssessmentKind,
    NotificationKind,
    NotificationState,
    PpnGrade,
    PpnState,
    RiskLevel,
    TaskGroup,
    TaskKind,
    TaskState,
    VisitOutcome,
)
from db.models import (
    AuditEvent,
    Notification,
    Offender,
    Officer,
    Ppn,
    RiskAssessment,
    RiskManagementPlan,
    ScrutinyItem,
    ScrutinyPack,
    Task,
    Visit,
)
from desktop.rules.breaches import end_of_london_day
from desktop.rules.workdays import working_days_between
from desktop.services.actor import Actor
from desktop.services.core import Services
from desktop.services.dashboard import METRICS, Dashboard, DashboardRow, TraceLine
from desktop.services.errors import NotFound, PermissionRefused, ServiceError
from desktop.services.scrutiny import CHECKLIST
from tests.desktop.factories import PASSWORD, World, populate, world_clock

MAY = dt.date(2024, 5, 1)
JUNE = dt.date(2024, 6, 1)
UTC = dt.UTC
ALL_YES = {key: "yes" for key, _ in CHECKLIST}


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=UTC)


@dataclass
class Month:
    olive: int
    rufus: int
    wilma: int


@dataclass
class Setup:
    services: Services
    world: World
    extra: Month
    db_url: str

    def sign_in(self, username: str) -> Actor:
        return self.services.auth.sign_in(username, PASSWORD)

    def scalar(self, stmt: Any) -> Any:
        """One value read straight from the database, outside the services."""
        engine = make_engine(self.db_url)
        try:
            with session_factory(engine)() as session:
                return session.scalar(stmt)
        finally:
            engine.dispose()

    def rows(self, stmt: Any) -> list[Any]:
        engine = make_engine(self.db_url)
        try:
            with session_factory(engine)() as session:
                return list(session.execute(stmt).all())
        finally:
            engine.dispose()


def add_two_months(db_url: str, w: World) -> Month:
    """The May and June 2024 work described in the module's notes."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as s, s.begin():

            def offender(ref: str, forename: str, team: int, manager: int, **kw: Any) -> Offender:
                o = Offender(
                    reference=ref,
                    forename=forename,
                    surname="Testcase",
                    date_of_birth=dt.date(1980, 1, 1),
                    team_id=team,
                    manager_id=manager,
                    registration_start=kw.pop("registration_start", dt.date(2020, 1, 1)),
                    next_periodic_due=dt.date(2024, 11, 1),
                    notification_indefinite=True,
                    **kw,
                )
                s.add(o)
                s.flush()
                return o

            def arms(o: Offender, level: RiskLevel, on: str, review: str) -> None:
                s.add(
                    RiskAssessment(
                        offender_id=o.id,
                        kind=AssessmentKind.ARMS,
                        assessed_on=dt.date.fromisoformat(on),
                        level=level,
                        next_review_on=dt.date.fromisoformat(review),
                        state=ApprovalState.APPROVED,
                        decided_by_id=w.cora,
                        decided_at=at(on),
                    )
                )

            def visit(o: Offender, on: str) -> None:
                s.add(
                    Visit(
                        offender_id=o.id,
                        planned_at=at(on, 18),
                        occurred_at=at(on, 18),
                        officer1_id=w.ada,
                        officer2_id=w.bram,
                        outcome=VisitOutcome.COMPLETED,
                        children_present=False,
                        record_state=ApprovalState.APPROVED,
                    )
                )

            def task(
                kind: TaskKind,
                offender: Offender | None,
                created: str,
                *,
                team: int | None = None,
                done: str | None = None,
                state: TaskState = TaskState.DONE,
                title: str = "",
            ) -> None:
                s.add(
                    Task(
                        kind=kind,
                        group=TASK_GROUP[kind],
                        offender_id=offender.id if offender else None,
                        team_id=offender.team_id if offender else team,
                        title=title or f"{kind.label} raised {created}",
                        created_at=at(created),
                        due_on=dt.date.fromisoformat(created) + dt.timedelta(days=7),
                        state=state if done else TaskState.OPEN,
                        completed_at=at(done) if done else None,
                    )
                )

            def ppn(o: Offender, concern: str, **kw: Any) -> None:
                s.add(
                    Ppn(
                        offender_id=o.id,
                        grade=PpnGrade.AMBER,
                        concern="A fictional concern.",
                        concern_at=dt.datetime.fromisoformat(concern).replace(tzinfo=UTC),
                        raised_by_id=w.ada,
                        **kw,
                    )
                )

            olive = offender("ZZ/2020/100001", "Olive", w.alder, w.ada)
            arms(olive, RiskLevel.HIGH, "2024-02-01", "2025-02-01")
            visit(olive, "2024-02-20")
            visit(olive, "2024-05-15")
            rufus = offender("ZZ/2020/100002", "Rufus", w.alder, w.ada)
            arms(rufus, RiskLevel.VERY_HIGH, "2024-04-01", "2024-05-31")
            s.add(
                RiskManagementPlan(
                    offender_id=rufus.id,
                    plan_number=1,
                    state=ApprovalState.APPROVED,
                    review_on=dt.date(2024, 5, 20),
                    decided_at=at("2024-03-01"),
                    created_at=at("2024-02-25"),
                )
            )
            visit(rufus, "2024-05-01")
            visit(rufus, "2024-06-05")
            wilma = offender(
                "ZZ/2024/100003",
                "Wilma",
                w.birch,
                w.gus,
                registration_start=dt.date(2024, 5, 10),
            )
            arms(wilma, RiskLevel.MEDIUM, "2024-05-10", "2025-05-10")

            task(TaskKind.PLAN_APPROVAL, olive, "2024-05-06", done="2024-06-03")
            task(TaskKind.VISIT_APPROVAL, olive, "2024-05-02", done="2024-05-10",
                 state=TaskState.CANCELLED)  # fmt: skip
            task(TaskKind.ASSESSMENT_APPROVAL, wilma, "2024-05-28")
            task(TaskKind.HUB_NOTIFICATION, None, "2024-05-20", team=w.birch, done="2024-05-22")
            task(TaskKind.HUB_NOTIFICATION, None, "2024-05-29", team=w.birch)
            task(TaskKind.HUB_NOTIFICATION, rufus, "2024-06-04")

            ppn(olive, "2024-05-10T12:00", state=PpnState.CLOSED,
                submitted_at=at("2024-05-10", 18), follow_up_due_on=dt.date(2024, 5, 17),
                social_care_decided_on=dt.date(2024, 5, 20))  # fmt: skip
            ppn(rufus, "2024-05-20T09:00", state=PpnState.AWAITING_SOCIAL_CARE,
                submitted_at=at("2024-05-22"), follow_up_due_on=dt.date(2024, 5, 29))  # fmt: skip
            ppn(wilma, "2024-06-01T09:00", state=PpnState.DRAFT)

            s.add(
                Notification(
                    offender_id=olive.id,
                    kind=NotificationKind.CHANGE_OF_ADDRESS,
                    event_on=dt.date(2024, 5, 2),
                    notified_on=dt.date(2024, 5, 9),
                    due_on=dt.date(2024, 5, 5),
                    state=NotificationState.PROCESSED,
                    details={"postcode": "ZZ7 7ZZ"},
                )
            )

            def pack(team: int, ending: str, printed: str) -> ScrutinyPack:
                p = ScrutinyPack(
                    team_id=team,
                    fortnight_ending=dt.date.fromisoformat(ending),
                    printed_at=at(printed),
                )
                s.add(p)
                s.flush()
                return p

            def reviewed(p: ScrutinyPack, o: Offender, day: str, **answers: str) -> None:
                s.add(
                    ScrutinyItem(
                        pack_id=p.id,
                        offender_id=o.id,
                        checklist={**ALL_YES, **answers},
                        reviewed_at=at(day),
                    )
                )

            alder_may = pack(w.alder, "2024-05-10", "2024-05-13")
            reviewed(alder_may, olive, "2024-05-14", arms="no", visits="partly")
            reviewed(alder_may, rufus, "2024-06-03", plan_factors="no", ppns="no")
            reviewed(pack(w.birch, "2024-05-24", "2024-05-27"), wilma, "2024-05-28")
            action = TaskKind.SCRUTINY_ACTION
            task(action, olive, "2024-05-14", title="Scrutiny action: olive: review ARMS")
            task(action, olive, "2024-05-14", done="2024-05-30", title="Scrutiny action: visit")
            task(action, rufus, "2024-06-03", done="2024-06-10", title="Scrutiny action: plan")
            return Month(olive.id, rufus.id, wilma.id)
    finally:
        engine.dispose()


@pytest.fixture
def setup(db_url: str) -> Iterator[Setup]:
    world = populate(db_url)
    extra = add_two_months(db_url, world)
    services = Services(db_url, clock=world_clock)
    yield Setup(services, world, extra, db_url)
    services.close()


def rows_of(board: Dashboard) -> list[DashboardRow]:
    return ([board.force] if board.force else []) + list(board.teams) + list(board.managers)


def trace_of(s: Setup, actor: Actor, month: dt.date, key: str, row: DashboardRow) -> list[Any]:
    return s.services.dashboard.trace(
        actor, month, key, team_id=row.team_id, officer_id=row.officer_id
    )


def by_name(board: Dashboard, name: str) -> DashboardRow:
    return next(r for r in rows_of(board) if r.name == name)


# -- who may -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "words"),
    [
        ("ada", "an offender manager cannot open it"),
        ("elsie", "a hub officer cannot open it"),
        ("fenn", "an administrator cannot open it"),
    ],
)
def test_offender_managers_hub_officers_and_administrators_are_refused_before_anything_is_read(
    setup: Setup, username: str, words: str
) -> None:
    actor = setup.sign_in(username)
    statements: list[str] = []
    event.listen(setup.services.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    dashboard = setup.services.dashboard
    for call in (
        lambda: dashboard.build(actor, JUNE),
        lambda: dashboard.trace(actor, JUNE, "caseload", team_id=setup.world.alder),
        lambda: dashboard.pdf(actor, JUNE),
    ):
        with pytest.raises(PermissionRefused, match=words):
            call()
    assert statements == []


def test_a_sergeant_sees_only_their_own_team_without_the_force(setup: Setup) -> None:
    w = setup.world
    cora = setup.sign_in("cora")
    board = setup.services.dashboard.build(cora, JUNE)
    assert board.force is None
    assert [r.name for r in board.teams] == ["Alder"]
    assert {r.officer_id for r in board.managers} == {w.ada, w.bram}
    assert {f.team_id for f in board.findings} == {w.alder}
    lines = setup.services.dashboard.trace(cora, JUNE, "caseload", officer_id=w.ada)
    assert {line.manager for line in lines} == {w.display_names["ada"]}

    hattie = setup.sign_in("hattie")
    statements: list[str] = []
    event.listen(setup.services.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with pytest.raises(PermissionRefused, match="only their own team's dashboard"):
        setup.services.dashboard.build(hattie, JUNE, team_id=w.alder)
    assert statements == []
    with pytest.raises(PermissionRefused, match="only their own team's dashboard"):
        setup.services.dashboard.trace(cora, JUNE, "caseload", officer_id=w.gus)
    with pytest.raises(PermissionRefused, match="force's figures are for team managers"):
        setup.services.dashboard.trace(cora, JUNE, "caseload")


def test_a_team_manager_sees_the_force_and_every_team_or_narrows_to_one(setup: Setup) -> None:
    w = setup.world
    dorian = setup.sign_in("dorian")
    board = setup.services.dashboard.build(dorian, JUNE)
    assert board.force is not None and board.force.name == "Force"
    assert [r.name for r in board.teams] == ["Alder", "Birch"]
    assert [r.name for r in board.managers] == [
        w.display_names["ada"],
        w.display_names["bram"],
        w.display_names["gus"],
    ]
    assert all(set(r.values) == {m.key for m in METRICS} for r in rows_of(board))
    assert board.made_by == "Dorian Mothersole" and board.benchmark == 50
    narrowed = setup.services.dashboard.build(dorian, JUNE, team_id=w.birch)
    assert [r.name for r in narrowed.teams] == ["Birch"]
    assert [r.officer_id for r in narrowed.managers] == [w.gus]
    assert narrowed.force == board.force


def test_a_future_month_an_unknown_team_and_an_unknown_figure_are_refused(setup: Setup) -> None:
    dorian = setup.sign_in("dorian")
    with pytest.raises(ServiceError, match="July 2024 cannot be made before the month has begun"):
        setup.services.dashboard.build(dorian, dt.date(2024, 7, 1))
    with pytest.raises(NotFound, match="no team number 999"):
        setup.services.dashboard.build(dorian, JUNE, team_id=999)
    with pytest.raises(NotFound, match="no dashboard figure called “speed”"):
        setup.services.dashboard.trace(dorian, JUNE, "speed")


# -- figures and their records -------------------------------------------------------------------


@pytest.mark.parametrize("month", [MAY, JUNE])
def test_every_figure_of_every_row_is_the_records_its_trace_lists(
    setup: Setup, month: dt.date
) -> None:
    dorian = setup.sign_in("dorian")
    board = setup.services.dashboard.build(dorian, month)
    assert board.as_of == (dt.date(2024, 5, 31) if month == MAY else dt.date(2024, 6, 12))
    for row in rows_of(board):
        for metric in METRICS:
            value = row.values[metric.key]
            lines = trace_of(setup, dorian, month, metric.key, row)
            where = f"{row.name}: {metric.key}"
            if metric.unit == "":
                assert value == len(lines), where
            elif metric.unit == "%":
                counted = sum(1 for line in lines if line.counted)
                assert value == (100 * counted / len(lines) if lines else None), where
            else:
                ages = [working_days_between(line.when, board.as_of) for line in lines]
                assert ages == sorted(ages, reverse=True), where
                assert value == (ages[0] if ages else None), where
            if row.officer_id is not None:
                manager = next(r.name for r in board.managers if r.officer_id == row.officer_id)
                assert all(line.manager == manager for line in lines), where
            elif row.team_id is not None:
                assert all(line.team == row.name for line in lines), where


def test_team_rows_add_up_to_the_force_and_manager_rows_to_what_their_team_allocated(
    setup: Setup,
) -> None:
    board = setup.services.dashboard.build(setup.sign_in("dorian"), MAY)
    assert board.force is not None
    for metric in METRICS:
        if metric.unit == "":
            teams = sum(int(r.values[metric.key] or 0) for r in board.teams)
            assert board.force.values[metric.key] == teams, metric.key


def test_figures_equal_the_same_figures_counted_straight_from_the_database(setup: Setup) -> None:
    w, x = setup.world, setup.extra
    board = setup.services.dashboard.build(setup.sign_in("dorian"), MAY)
    as_of, cutoff = dt.date(2024, 5, 31), end_of_london_day(dt.date(2024, 5, 31))
    start, end = at("2024-04-30", 23), at("2024-05-31", 23)  # May in London (BST)
    assert board.force is not None

    for row in board.managers:
        caseload = setup.scalar(
            select(func.count())
            .select_from(Offender)
            .where(
                Offender.manager_id == row.officer_id,
                Offender.registration_start <= as_of,
                or_(
                    Offender.notification_indefinite.is_(True),
                    Offender.notification_end.is_(None),
                    Offender.notification_end >= as_of,
                ),
            )
        )
        assert row.values["caseload"] == caseload
        assert row.values["over_benchmark"] == max(0, caseload - 50)

    open_approvals = setup.rows(
        select(Task.created_at).where(
            Task.group == TaskGroup.APPROVAL,
            Task.created_at <= cutoff,
            or_(Task.state == TaskState.OPEN, Task.completed_at > cutoff),
        )
    )
    assert board.force.values["approvals_open"] == len(open_approvals)
    oldest = min(created for (created,) in open_approvals)
    assert board.force.values["approvals_oldest_days"] == working_days_between(oldest.date(), as_of)
    assert board.force.values["hub_open"] == setup.scalar(
        select(func.count())
        .select_from(Task)
        .where(
            Task.group == TaskGroup.HUB,
            Task.created_at <= cutoff,
            or_(Task.state == TaskState.OPEN, Task.completed_at > cutoff),
        )
    )

    ppns = setup.rows(
        select(Ppn.concern_at, Ppn.submitted_at).where(
            Ppn.concern_at >= start, Ppn.concern_at < end
        )
    )
    on_time = [c for c, sub in ppns if sub is not None and sub - c <= dt.timedelta(hours=24)]
    assert board.force.values["ppn_on_time_pct"] == 100 * len(on_time) / len(ppns)
    assert board.force.values["ppn_follow_up_late"] == setup.scalar(
        select(func.count())
        .select_from(Ppn)
        .where(
            Ppn.follow_up_due_on.between(dt.date(2024, 5, 1), as_of),
            or_(
                Ppn.social_care_decided_on > Ppn.follow_up_due_on,
                Ppn.social_care_decided_on.is_(None),
            ),
        )
    )

    for team in board.teams:
        reviewed = setup.scalar(
            select(func.count())
            .select_from(ScrutinyItem)
            .join(ScrutinyPack, ScrutinyPack.id == ScrutinyItem.pack_id)
            .where(
                ScrutinyPack.team_id == team.team_id,
                ScrutinyItem.reviewed_at >= start,
                ScrutinyItem.reviewed_at < end,
            )
        )
        assert team.values["findings_reviewed"] == reviewed
    checklists = setup.rows(
        select(ScrutinyItem.checklist).where(
            ScrutinyItem.reviewed_at >= start, ScrutinyItem.reviewed_at < end
        )
    )
    noes = sum(1 for (c,) in checklists for answer in c.values() if answer == "no")
    assert board.force.values["findings_no"] == noes
    assert board.force.values["actions_raised"] == setup.scalar(
        select(func.count())
        .select_from(Task)
        .where(
            Task.kind == TaskKind.SCRUTINY_ACTION, Task.created_at >= start, Task.created_at < end
        )
    )

    # the visit and notification figures, from the facts built above
    assert {line.offender_id for line in trace_force(setup, MAY, "visits_on_time")} == {x.olive}
    due = {line.offender_id: line.when for line in trace_force(setup, MAY, "visits_due")}
    assert due[x.olive] == dt.date(2024, 5, 20) and due[x.wilma] == dt.date(2024, 5, 17)
    (breach,) = trace_force(setup, MAY, "notification_breaches")
    assert breach.offender_id == x.olive and breach.when == dt.date(2024, 5, 5)
    arms = {line.offender_id: line.counted for line in trace_force(setup, JUNE, "arms_current_pct")}
    assert arms[x.rufus] is False and arms[x.olive] is True and arms[w.horatio] is False


def trace_force(s: Setup, month: dt.date, key: str) -> list[TraceLine]:
    return s.services.dashboard.trace(s.sign_in("dorian"), month, key)


def test_visits_overdue_agree_with_pillars_due(setup: Setup) -> None:
    lines = trace_force(setup, JUNE, "visits_overdue")
    report = setup.services.due.report(dt.date(2024, 6, 12))
    assert sorted(line.reference for line in lines) == sorted(
        v.offender for v in report.overdue_visits
    )
    rufus = next(
        line for line in trace_force(setup, JUNE, "visits_due") if line.name.startswith("Rufus")
    )
    assert rufus.counted and "done 05/06/2024 (late)" in rufus.detail
    assert rufus.offender_id not in {
        line.offender_id for line in trace_force(setup, JUNE, "visits_on_time")
    }


def test_a_past_month_is_judged_as_it_stood_on_its_last_day(setup: Setup) -> None:
    x = setup.extra
    may = {line.offender_id: line for line in trace_force(setup, MAY, "approvals_open")}
    june = {line.detail for line in trace_force(setup, JUNE, "approvals_open")}
    assert x.olive in may and "raised 06/05/2024" in may[x.olive].detail
    assert not any("06/05/2024" in d for d in june)  # decided on 03/06
    plan_may = {
        line.offender_id: line.counted for line in trace_force(setup, MAY, "plan_current_pct")
    }
    assert plan_may[x.rufus] is False  # its review fell due on 20/05
    hub = trace_force(setup, MAY, "hub_open")
    assert [line.offender_id for line in hub] == [None]  # the transfer-in raised on 29/05
    assert hub[0].team == "Birch"


# -- findings over time ---------------------------------------------------------------------------


def test_findings_over_twelve_months_per_team_and_force(setup: Setup) -> None:
    w = setup.world
    board = setup.services.dashboard.build(setup.sign_in("dorian"), JUNE)
    months = sorted({f.month for f in board.findings})
    assert len(months) == 12 and months[0] == dt.date(2023, 7, 1) and months[-1] == JUNE
    found = {(f.team_id, f.month): f for f in board.findings}
    assert found[(None, MAY)].reviewed == 2 and found[(w.alder, MAY)].reviewed == 1
    assert found[(w.alder, MAY)].answers["no"] == 1 and found[(w.alder, MAY)].answers["partly"] == 1
    assert found[(w.alder, MAY)].actions_raised == 2 and found[(w.alder, MAY)].actions_open == 1
    assert found[(w.alder, JUNE)].answers["no"] == 2 and found[(w.alder, JUNE)].actions_open == 0
    assert found[(w.birch, MAY)].answers["yes"] == len(CHECKLIST)


def test_findings_a_team_manager_records_show_in_next_months_dashboard(setup: Setup) -> None:
    """Done when (issue #8): findings that create tasks are seen in next month's dashboard."""
    w = setup.world
    in_may = Services(setup.db_url, clock=lambda: at("2024-05-20", 9))
    try:
        dorian = in_may.auth.sign_in("dorian", PASSWORD)
        pack_id = in_may.scrutiny.create_pack(dorian, w.alder, dt.date(2024, 5, 17))
        in_may.scrutiny.print_pack(dorian, pack_id)
        item = next(i for i in in_may.scrutiny.pack(dorian, pack_id).items)
        in_may.scrutiny.record_findings(
            dorian,
            item.item_id,
            item.version,
            {**ALL_YES, "visits": "no"},
            "Visits out of cadence.",
            ["Plan a home visit within a week"],
        )
    finally:
        in_may.close()
    board = setup.services.dashboard.build(setup.sign_in("dorian"), JUNE)
    assert board.force is not None
    findings = {(f.team_id, f.month): f for f in board.findings}
    assert findings[(w.alder, MAY)].reviewed == 2 and findings[(w.alder, MAY)].actions_open == 2
    opened = trace_force(setup, JUNE, "actions_open")
    mine = [line for line in opened if "Plan a home visit within a week" in line.detail]
    assert len(mine) == 1 and mine[0].offender_id == item.offender_id
    assert mine[0].when == dt.date(2024, 5, 20)


# -- printing -------------------------------------------------------------------------------------


def test_printing_is_audited_for_an_officer_and_for_the_command_line(setup: Setup) -> None:
    cora = setup.sign_in("cora")
    data = setup.services.dashboard.pdf(cora, MAY)
    assert data.startswith(b"%PDF")
    setup.services.dashboard.pdf(None, MAY)
    events = setup.rows(
        select(AuditEvent.username, AuditEvent.entity_type, AuditEvent.detail)
        .where(AuditEvent.action == "dashboard_printed")
        .order_by(AuditEvent.id)
    )
    assert [(u, t) for u, t, _ in events] == [
        ("cora", "dashboard"),
        ("pillars dashboard (command line)", "dashboard"),
    ]
    assert events[0][2]["month"] == "2024-05" and events[0][2]["team"] == "Alder"
    assert events[1][2]["team"] == "All teams"


def test_a_manager_moved_to_another_team_brings_none_of_the_old_teams_records(
    setup: Setup,
) -> None:
    """Bram moves to Birch with his Alder offenders still allocated to him: Birch's sergeant
    sees his row with none of them, and no trace shows her an Alder record; Alder's team row
    still counts them."""
    w = setup.world
    engine = make_engine(setup.db_url)
    try:
        with engine.begin() as conn:
            conn.execute(update(Officer).where(Officer.id == w.bram).values(team_id=w.birch))
    finally:
        engine.dispose()
    hattie = setup.sign_in("hattie")
    board = setup.services.dashboard.build(hattie, MAY)
    bram = next(r for r in board.managers if r.officer_id == w.bram)
    assert bram.team_id == w.birch and bram.values["caseload"] == 0
    for metric in ("caseload", "visits_overdue", "approvals_open"):
        assert trace_of(setup, hattie, MAY, metric, bram) == []
    alder = setup.services.dashboard.build(setup.sign_in("dorian"), MAY, team_id=w.alder)
    bram_in_alder = setup.scalar(
        select(func.count()).select_from(Offender).where(Offender.manager_id == w.bram)
    )
    assert bram_in_alder and alder.teams[0].values["caseload"] >= bram_in_alder
