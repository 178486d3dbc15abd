"""The Inbox screen on the synthetic world (Wednesday 12/06/2024, 11:00 in England), on SQLite and
PostgreSQL: a sergeant's approvals by due date, choosing one claims it (another desktop sees the
claim), approving and returning; cover for an absent sergeant "on behalf of"; four eyes; a claim
held by another desktop; the hub's queue; leaving the screen and locking; the keyboard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QMessageBox, QTableView, QWidget

from db.engine import make_engine, session_factory
from db.enums import AbsenceKind
from db.models import Absence, CoverArrangement, Offender, Task, Visit
from desktop.rules.workdays import add_working_days
from desktop.services.core import Services
from desktop.services.hub import NotificationEntry
from desktop.services.inbox import InboxItem, TaskClaimed
from tests.desktop.factories import (
    PASSWORD,
    PendingWork,
    World,
    add_pending_approvals,
    world_clock,
)
from tests.ui.helpers import unnamed, wait_idle
from ui.context import AppContext
from ui.hub.dialogs import EnterNotificationDialog, ProcessNotificationDialog
from ui.inbox.dialogs import ReturnDialog
from ui.inbox.model import COLUMNS, InboxModel
from ui.inbox.screen import InboxScreen
from ui.main_window import MainWindow
from ui.widgets import palette

pytestmark = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

TODAY = dt.date(2024, 6, 12)
DUE = COLUMNS.index("Due")
STATE = COLUMNS.index("State")
BEHALF = COLUMNS.index("On behalf of")
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def pending(db_url: str, world: World) -> PendingWork:
    return add_pending_approvals(db_url, world)


@pytest.fixture
def other(db_url: str, world: World) -> Iterator[Services]:
    """Another desktop on the same database."""
    services = Services(db_url, clock=world_clock)
    yield services
    services.close()


def _change(db_url: str, change: Callable[[Any], None]) -> None:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            change(session)
    finally:
        engine.dispose()


def _absent(db_url: str, officer_id: int, cover: int | None = None) -> None:
    start, end = TODAY - dt.timedelta(days=2), TODAY + dt.timedelta(days=5)
    absence = Absence(officer_id=officer_id, kind=AbsenceKind.LEAVE, starts_on=start, ends_on=end)
    if cover is not None:
        absence.cover.append(CoverArrangement(cover_officer_id=cover, starts_on=start, ends_on=end))
    _change(db_url, lambda session: session.add(absence))


def open_inbox(qtbot, ctx: AppContext, parent: QWidget | None = None) -> InboxScreen:
    screen = InboxScreen(ctx)
    if parent is None:
        qtbot.addWidget(screen)
        screen.resize(1400, 900)
        screen.show()
    else:
        parent.addWidget(screen)
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.activate()
    wait_idle(qtbot, ctx)
    return screen


def choose(qtbot, screen: InboxScreen, task_id: int) -> InboxItem:
    """Click the task's row, as a person would, and wait for the claim and the work to show."""
    row = screen.model.row_of(task_id)
    assert row >= 0, f"task {task_id} is not listed"
    rect = screen.table.visualRect(screen.model.index(row, 0))
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_idle(qtbot, screen.ctx)
    assert screen.current is not None and screen.current.task_id == task_id
    return screen.current


def column(screen: InboxScreen, col: int) -> list[str]:
    model = screen.model
    return [model.index(r, col).data() for r in range(model.rowCount())]


def listed(screen: InboxScreen) -> set[int]:
    items = (screen.model.item_at(r) for r in range(screen.model.rowCount()))
    return {i.task_id for i in items if i is not None}


def claimer(services: Services, task_id: int) -> str:
    """Who another desktop sees working on the task ("" when nobody): the team manager tries it."""
    dorian = services.auth.sign_in("dorian", PASSWORD)
    try:
        services.inbox.claim(dorian, task_id)
    except TaskClaimed as exc:
        return exc.claimed_by
    services.inbox.release(dorian, task_id)
    return ""


def test_a_sergeant_sees_her_approvals_by_due_claims_one_and_approves_it(
    qtbot,
    monkeypatch,
    services: Services,
    make_ctx: Callable[..., AppContext],
    other: Services,
    world: World,
    pending: PendingWork,
) -> None:
    ctx = make_ctx(services, "cora")
    screen = open_inbox(qtbot, ctx)
    assert not unnamed(screen)
    expected = services.inbox.tasks(ctx.officer).group("approval")
    assert screen.group == "approval"
    assert screen.group_bar.tabText(0) == f"&Approvals ({len(expected)})"
    assert [screen.model.item_at(r).task_id for r in range(screen.model.rowCount())] == [
        i.task_id for i in sorted(expected, key=lambda i: (i.due_on, i.created_at, i.task_id))
    ]
    dues = column(screen, DUE)
    assert [d[:10] for d in dues] == [i.due_on.strftime("%d/%m/%Y") for i in expected]
    # Horatio's visit record was due on Monday: overdue in words and in colour
    late = next(i for i in expected if i.overdue)
    row = screen.model.row_of(late.task_id)
    assert dues[row] == f"{late.due_on:%d/%m/%Y} · Overdue by {late.overdue_days} working days"
    brush = screen.model.index(row, DUE).data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == palette.FOREGROUND["alert"]
    assert "Cora Pennywhistle" in screen.backlog_label.text() and screen.backlog_label.isVisible()
    assert not screen.cover_label.isVisible()
    assert screen.detail.title.text() == "No task chosen"  # nothing is claimed until chosen

    # choosing the plan claims it; another desktop sees Cora working on it
    with qtbot.waitSignal(screen.subject_loaded, timeout=10_000):
        item = choose(qtbot, screen, pending.plan_task)
    wait_idle(qtbot, ctx)
    assert screen.claimed == pending.plan_task
    assert screen.model.index(screen.model.row_of(item.task_id), STATE).data() == "Claimed by you"
    assert screen.detail.claim_label.text().startswith("You are working on this task")
    assert claimer(other, pending.plan_task) == "Cora Pennywhistle"
    assert screen.renew_timer.isActive() and screen.renew_timer.interval() == 5 * 60_000
    # the plan against the version in force, action by action
    subject = screen.detail.subject
    comparison = services.plans.compare(ctx.officer, _approved_plan(services, ctx), pending.plan)
    assert subject.plan_summary.text().startswith("Version 2 (submitted, awaiting approval)")
    assert "against version 1 (approved), the plan in force" in subject.plan_summary.text()
    assert subject.plan_actions.rows.rowCount() == len(comparison.actions)
    changes = [subject.plan_actions.rows.index(r, 1).data() for r in range(len(comparison.actions))]
    assert changes == [c.change.capitalize() for c in comparison.actions]
    approve = screen.detail.buttons["approve"]
    assert approve.isVisible() and approve.isEnabled()
    assert not screen.detail.buttons["process"].isVisible()

    # approving removes it; the next task is chosen (and claimed)
    row = screen.model.row_of(pending.plan_task)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    with (
        qtbot.waitSignal(screen.decided, timeout=10_000) as decided,
        qtbot.waitSignal(screen.loaded, timeout=10_000),
    ):
        qtbot.mouseClick(approve, Qt.MouseButton.LeftButton)
    assert decided.args == ["approved"]
    wait_idle(qtbot, ctx)
    assert pending.plan_task not in listed(screen)
    assert screen.state_label.text().startswith("Approved: ")
    assert screen.state_label.text().endswith("Ada Quillfeather can see the decision.")
    assert screen.current is not None
    assert (
        screen.current.task_id
        == screen.model.item_at(min(row, screen.model.rowCount() - 1)).task_id
    )
    assert screen.claimed == screen.current.task_id
    assert pending.plan_task not in {i.task_id for i in other.inbox.tasks(ctx.officer).items}


def _approved_plan(services: Services, ctx: AppContext) -> int:
    current = services.plans.editor(ctx.officer, services_offender(services, ctx)).current
    assert current is not None
    return current.plan_id


def services_offender(services: Services, ctx: AppContext) -> int:
    inbox = services.inbox.tasks(ctx.officer)
    return next(i.offender_id for i in inbox.items if i.subject_type == "risk_management_plan")


def test_returning_needs_a_comment_and_keeps_what_was_typed(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    other: Services,
    pending: PendingWork,
) -> None:
    ctx = make_ctx(services, "cora")
    screen = open_inbox(qtbot, ctx)
    with qtbot.waitSignal(screen.subject_loaded, timeout=10_000):
        choose(qtbot, screen, pending.arms_task)
    wait_idle(qtbot, ctx)
    # the ARMS with its factors beside those of the ARMS in force
    subject = screen.detail.subject
    assert subject.assessment_summary.text().startswith("ARMS of 12/06/2024 by Ada Quillfeather")
    assert "In force now: ARMS of" in subject.assessment_summary.text()
    factors = subject.factors.rows
    present = [
        factors.index(r, 1).data()
        for r in range(factors.rowCount())
        if factors.index(r, 2).data() == "Present"
    ]
    arms = next(
        a
        for a in services.records.open(ctx.officer, screen.current.offender_id).assessments
        if a.assessment_id == pending.arms
    )
    assert present == [f.label for f in arms.factors if f.present] and len(present) == 2

    with qtbot.waitSignal(screen.dialog_opened, timeout=5_000) as opened:
        qtbot.keyClick(
            screen.table,
            Qt.Key.Key_R,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    dialog = opened.args[0]
    assert isinstance(dialog, ReturnDialog)
    assert not unnamed(dialog)
    qtbot.mouseClick(dialog.return_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert (
        "a comment is required" in dialog.error.text()
        and "Nothing was returned" in dialog.error.text()
    )
    assert pending.arms_task in {i.task_id for i in other.inbox.tasks(ctx.officer).items}

    # a card number in the comment is refused by the service; what was typed stays
    qtbot.keyClicks(dialog.comment, "Card 4111 1111 1111 1111 seen at the visit")
    qtbot.mouseClick(dialog.return_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert dialog.isVisible() and dialog.error.isVisible()
    assert dialog.comment.toPlainText() == "Card 4111 1111 1111 1111 seen at the visit"

    dialog.comment.clear()
    qtbot.keyClicks(dialog.comment, "Evidence for the new relationship, please")
    with qtbot.waitSignal(screen.decided, timeout=10_000) as decided:
        qtbot.mouseClick(dialog.return_button, Qt.MouseButton.LeftButton)
    assert decided.args == ["returned"]
    wait_idle(qtbot, ctx)
    assert pending.arms_task not in listed(screen)
    assert screen.state_label.text().startswith("Returned with your comment: ")
    assert pending.arms_task not in {i.task_id for i in other.inbox.tasks(ctx.officer).items}


def test_cover_shows_the_absent_sergeants_approvals_on_her_behalf(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
    pending: PendingWork,
    db_url: str,
) -> None:
    _absent(db_url, world.cora, cover=world.hattie)
    ctx = make_ctx(services, "hattie")
    screen = open_inbox(qtbot, ctx)
    assert screen.cover_label.isVisible()
    assert screen.cover_label.text().startswith(
        "You are covering for Cora Pennywhistle, absent until 17/06/2024"
    )
    rows = {screen.model.item_at(r).task_id: r for r in range(screen.model.rowCount())}
    assert {pending.arms_task, pending.plan_task, pending.visit_task} <= set(rows)
    assert {screen.model.index(rows[t], BEHALF).data() for t in rows} == {"Cora Pennywhistle"}
    item = choose(qtbot, screen, pending.visit_task)
    wait_idle(qtbot, ctx)
    assert "named for this absence" in screen.detail.facts["On behalf of"].text()
    assert screen.claimed == item.task_id and screen.detail.buttons["approve"].isEnabled()


def test_four_eyes_an_author_sees_why_and_cannot_approve(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    other: Services,
    world: World,
    pending: PendingWork,
    db_url: str,
) -> None:
    """The team manager was on the crew of an overdue visit: he sees it escalated, not to decide."""

    def crew_and_overdue(session: Any) -> None:
        session.get_one(Visit, pending.visit).officer2_id = world.dorian
        session.get_one(Task, pending.visit_task).due_on = add_working_days(TODAY, -3)

    _change(db_url, crew_and_overdue)
    ctx = make_ctx(services, "dorian")
    screen = open_inbox(qtbot, ctx)
    assert "escalation" in screen.groups
    screen.group_bar.setCurrentIndex(screen.groups.index("escalation"))
    sections = [text for r, text in enumerate(column(screen, 0)) if screen.model.item_at(r) is None]
    assert sections[0].startswith("Overdue up to 5 working days: ")
    bands = services.inbox.tasks(ctx.officer).escalation
    assert sections == [
        f"Overdue {b.label}: {len(b.items)} approvals" if b.items else f"Overdue {b.label}: none"
        for b in bands
    ]
    assert sections[0] == "Overdue up to 5 working days: 2 approvals"
    item = choose(qtbot, screen, pending.visit_task)
    assert not item.can_act
    assert screen.detail.claim_label.text() == item.why_not and "own work" in item.why_not
    assert not screen.detail.buttons["approve"].isEnabled()
    assert not screen.detail.buttons["return"].isEnabled()
    assert screen.detail.buttons["approve"].toolTip() == item.why_not
    assert screen.claimed is None and claimer(other, pending.visit_task) == ""


def test_a_task_claimed_on_another_desktop_cannot_be_decided_here(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    other: Services,
    pending: PendingWork,
) -> None:
    ctx = make_ctx(services, "cora")
    screen = open_inbox(qtbot, ctx)
    # after the list was loaded, the team manager opens the plan at his desk
    other.inbox.claim(other.auth.sign_in("dorian", PASSWORD), pending.plan_task)
    choose(qtbot, screen, pending.plan_task)
    assert screen.detail.claim_label.text().startswith(
        "Being worked on by Dorian Mothersole since 11:00. You cannot decide it"
    )
    assert screen.model.index(screen.model.row_of(pending.plan_task), STATE).data() == (
        "Being worked on by Dorian Mothersole"
    )
    assert not screen.detail.buttons["approve"].isEnabled()
    assert screen.claimed is None
    # on reload the list says so too
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        qtbot.keyClick(screen.table, Qt.Key.Key_F5)
    wait_idle(qtbot, ctx)
    assert screen.current is not None and screen.current.claimed_by == "Dorian Mothersole"
    assert screen.detail.facts["State"].text() == "Being worked on by Dorian Mothersole"


def test_leaving_the_screen_releases_the_claim_and_locking_keeps_it(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    other: Services,
    pending: PendingWork,
) -> None:
    ctx = make_ctx(services, "cora")
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    screen = window.screens["inbox"]
    assert isinstance(screen, InboxScreen)
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        window.show_screen("inbox")
    wait_idle(qtbot, ctx)
    choose(qtbot, screen, pending.plan_task)
    assert claimer(other, pending.plan_task) == "Cora Pennywhistle"

    # locked: the claim is kept but no longer renewed
    window.lock()
    wait_idle(qtbot, ctx)
    assert not screen.renew_timer.isActive() and screen.claimed == pending.plan_task
    assert claimer(other, pending.plan_task) == "Cora Pennywhistle"
    window.unlock()
    wait_idle(qtbot, ctx)
    assert screen.renew_timer.isActive() and screen.claimed == pending.plan_task

    # another screen: the claim is given up
    window.show_screen("caseload")
    wait_idle(qtbot, ctx)
    assert screen.claimed is None and claimer(other, pending.plan_task) == ""
    # back again, the task still chosen: claimed again
    with qtbot.waitSignal(screen.claim_settled, timeout=10_000):
        window.show_screen("inbox")
    wait_idle(qtbot, ctx)
    assert screen.claimed == pending.plan_task
    window.close()
    wait_idle(qtbot, ctx)


def test_the_keyboard_moves_through_tasks_and_opens_the_record(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    pending: PendingWork,
) -> None:
    ctx = make_ctx(services, "cora")
    screen = open_inbox(qtbot, ctx)
    screen.table.setFocus()  # Tab into the list: the first task is chosen
    wait_idle(qtbot, ctx)
    assert screen.current is not None
    assert screen.current.task_id == screen.model.item_at(0).task_id
    qtbot.keyClick(screen.table, Qt.Key.Key_Down)
    wait_idle(qtbot, ctx)
    second = screen.model.item_at(1)
    assert screen.current.task_id == second.task_id and screen.claimed == second.task_id
    with qtbot.waitSignal(screen.open_record, timeout=2_000) as opened:
        qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert opened.args == [second.offender_id]


def test_the_hub_sees_its_queue_and_an_offender_manager_her_follow_ups(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
) -> None:
    elsie = make_ctx(services, "elsie")
    task_id = services.hub.enter(
        elsie.officer, NotificationEntry(kind="periodic", reference=world.references["zebedee"])
    )
    hub = open_inbox(qtbot, elsie)
    queue = services.inbox.tasks(elsie.officer).group("hub")
    assert hub.groups == ["hub"] and hub.group_bar.tabText(0) == f"&Hub ({len(queue)})"
    assert task_id in listed(hub) and hub.new_button.isVisible()
    assert set(column(hub, COLUMNS.index("Owner"))) == {"Hub"}
    # a task without its notification on the system says what it is in words
    bare = next(i for i in queue if i.subject_type != "notification")
    choose(qtbot, hub, bare.task_id)
    assert hub.detail.subject.words.text().startswith(f"A notification for the hub: {bare.title}")
    # the notification entered is shown with what processing will do
    with qtbot.waitSignal(hub.subject_loaded, timeout=10_000):
        item = choose(qtbot, hub, task_id)
    view = services.hub.view(elsie.officer, task_id)
    assert hub.detail.subject.fact("Notification") == view.kind_label
    assert hub.detail.subject.fact("Processing will").splitlines() == [
        f"• {e}" for e in view.effects
    ]
    assert hub.detail.buttons["process"].isVisible() and hub.detail.buttons["process"].isEnabled()
    assert not hub.detail.buttons["approve"].isVisible()
    # processing it in the hub's dialog takes it off the queue
    with qtbot.waitSignal(hub.dialog_opened, timeout=5_000) as opened:
        qtbot.keyClick(hub.table, Qt.Key.Key_P, CTRL_SHIFT)
    dialog = opened.args[0]
    assert isinstance(dialog, ProcessNotificationDialog)
    wait_idle(qtbot, hub.ctx)
    with (
        qtbot.waitSignal(hub.decided, timeout=10_000),
        qtbot.waitSignal(hub.loaded, timeout=10_000),
    ):
        qtbot.mouseClick(dialog.process_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, hub.ctx)
    assert task_id not in listed(hub)
    assert hub.state_label.text() == f"Processed: {item.title}."
    with qtbot.waitSignal(hub.dialog_opened, timeout=5_000) as opened:
        qtbot.mouseClick(hub.new_button, Qt.MouseButton.LeftButton)
    assert isinstance(opened.args[0], EnterNotificationDialog)
    opened.args[0].reject()

    ada = open_inbox(qtbot, make_ctx(services, "ada"))
    follow_ups = services.inbox.tasks(ada.ctx.officer).group("follow_up")
    assert ada.groups == ["follow_up"] and not ada.new_button.isVisible()
    assert listed(ada) == {i.task_id for i in follow_ups}
    assert not ada.backlog_label.isVisible()

    hattie = open_inbox(qtbot, make_ctx(services, "hattie"))
    assert hattie.group_bar.tabText(0) == "&Approvals (0)"
    assert hattie.empty_label.text() == "No approvals waiting for you today."
    assert hattie.empty_label.isVisible() or hattie.group != "approval"


def test_the_model_passes_qt_s_checks(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    ctx = make_ctx(services, "cora")
    model = InboxModel()
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    inbox = services.inbox.tasks(ctx.officer)
    model.set_rows(["Heading", *inbox.items], inbox.day)
    assert model.rowCount() == len(inbox.items) + 1
    model.set_state(inbox.items[0].task_id, "Claimed by you", "ok")
    assert model.index(1, STATE).data() == "Claimed by you"
    # as the screen fills it: the service's task lists, read only for the rows asked for
    tasks = inbox.in_group("approval")
    model.set_parts(["Heading", tasks[:1], "Another", tasks[1:]], inbox.day)
    assert model.rowCount() == len(tasks) + 2 and model.sections == [0, 2]
    listed = [model.item_at(r) for r in range(model.rowCount())]
    assert [i.task_id for i in listed if i is not None] == [i.task_id for i in tasks]
    assert all(model.row_of(i.task_id) == listed.index(i) for i in tasks)
    assert model.index(0, 0).data() == "Heading" and model.item_at(2) is None


def test_columns_fit_the_widest_text_of_every_task_as_qt_measures_it(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
    pending: PendingWork,
    db_url: str,
) -> None:
    """The table sizes each column from one row per distinct text (issue #10: Qt's own way asks
    for up to a thousand rows a column), to the same width as Qt's measure of every row: a long
    name out of view is not cut. Headings across the table (the escalation) and a claim learnt
    since the load count too."""

    def long_name_mid_list(session: Any) -> None:
        """More of Cora's approvals, one a day, the offender of the middle one with a long name;
        her plan approval last, her assessment approval overdue."""
        plan = session.get_one(Task, pending.plan_task)
        for days, name in enumerate(("quentin", "horatio", "percival", "mortimer"), start=1):
            offender = session.get_one(Offender, getattr(world, name))
            session.add(
                Task(
                    kind=plan.kind,
                    group=plan.group,
                    offender_id=offender.id,
                    owner_id=plan.owner_id,
                    team_id=plan.team_id,
                    subject_type=plan.subject_type,
                    subject_id=plan.subject_id,
                    title=f"Approve risk management plan: {offender.reference}",
                    created_by_id=plan.created_by_id,
                    created_at=plan.created_at,
                    due_on=TODAY + dt.timedelta(days=days),
                )
            )
        session.get_one(Offender, world.horatio).surname = "Quillfeather-Thistlewood-Marchbank"
        plan.due_on = TODAY + dt.timedelta(days=40)
        session.get_one(Task, pending.arms_task).due_on = add_working_days(TODAY, -12)

    _change(db_url, long_name_mid_list)

    def assert_sized_as_qt_would(screen: InboxScreen) -> None:
        table = screen.table
        assert table.model().rowCount() < table.horizontalHeader().resizeContentsPrecision()
        for col in range(len(COLUMNS)):
            assert table.sizeHintForColumn(col) == QTableView.sizeHintForColumn(table, col), col

    cora = open_inbox(qtbot, make_ctx(services, "cora"))
    cora.resize(900, 300)  # a few rows in view
    qtbot.wait(10)
    offenders = column(cora, COLUMNS.index("Offender"))
    long = next(r for r, text in enumerate(offenders) if "Thistlewood" in text)
    assert 0 < long < cora.model.rowCount() - 1 and "Thistlewood" not in offenders[-1]
    rect = cora.table.visualRect(cora.model.index(long, 0))
    assert not cora.table.viewport().rect().contains(rect)
    assert_sized_as_qt_would(cora)
    width = cora.table.fontMetrics().horizontalAdvance(offenders[long])
    assert cora.table.columnWidth(COLUMNS.index("Offender")) > width
    cora.model.set_state(pending.visit_task, "Being worked on by Hattie Fictional-Longname", "warn")
    assert_sized_as_qt_would(cora)

    dorian = open_inbox(qtbot, make_ctx(services, "dorian"))
    dorian.group_bar.setCurrentIndex(dorian.groups.index("escalation"))
    assert dorian.model.sections
    assert_sized_as_qt_would(dorian)
