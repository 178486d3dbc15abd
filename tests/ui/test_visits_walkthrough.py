"""The issue's walk-through, through the main window on SQLite and PostgreSQL: Ada (an offender
manager) opens Visits with Ctrl+2 and sees her week; plans a visit with a crew member off duty
(refused, then planned with another officer), moves it, exports her calendar, records a no-access
on it (the s96B warrant flag follows on the due list) and a completed visit on another, which she
submits for approval (a visit-approval task exists for her sergeant); the caseload's "last seen"
follows. Then Cora, her sergeant, sees the team's week."""

from __future__ import annotations

import datetime as dt

import pytest
from icalendar import Calendar
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop.services.core import Services
from tests.desktop.factories import World
from tests.ui.helpers import wait_idle
from tests.ui.test_visits_helpers import (
    absent,
    choose_due,
    choose_visit,
    click,
    open_screen,
    pick,
    type_into,
    week_visits,
)
from ui.caseload.model import COLUMN_INDEX
from ui.caseload.screen import CaseloadScreen
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.visits.outcome_dialog import OutcomeDialog
from ui.visits.plan_dialog import PlanVisitDialog
from ui.visits.screen import VisitsScreen

HORATIO = "ZZ/2018/002209"
ZEBEDEE = "ZZ/2019/004512"
BOTH = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def open_dialog(qtbot, screen: VisitsScreen, button):
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as opened:
        click(qtbot, button)
    wait_idle(qtbot, screen.ctx)
    return opened.args[0]


def set_date(qtbot, dialog, field, text: str) -> None:
    with qtbot.waitSignal(dialog.crew.loaded, timeout=10_000):
        type_into(qtbot, field, text)
    wait_idle(qtbot, dialog.ctx)


def save_and_reload(qtbot, screen: VisitsScreen, button) -> None:
    with (
        qtbot.waitSignal(screen.week_loaded, timeout=10_000),
        qtbot.waitSignal(screen.due_loaded, timeout=10_000),
    ):
        click(qtbot, button)
    wait_idle(qtbot, screen.ctx)


def due_row(screen: VisitsScreen, offender_id: int) -> list[str]:
    model = screen.due_pane.model
    row = model.row_of(offender_id)
    return [model.index(row, c).data() for c in range(model.columnCount())]


@BOTH
def test_an_offender_manager_works_her_week(
    qtbot,
    services: Services,
    ctx: AppContext,
    make_ctx,
    world: World,
    db_url: str,
    tmp_path,
    monkeypatch,
) -> None:
    absent(db_url, world.bram, dt.date(2024, 6, 13), dt.date(2024, 6, 13))
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    wait_idle(qtbot, ctx)
    caseload = window.screens["caseload"]
    screen = window.screens["visits"]
    assert isinstance(caseload, CaseloadScreen) and isinstance(screen, VisitsScreen)

    # -- Ctrl+2: her week and what is due --------------------------------------------------------
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        qtbot.keyClick(
            QApplication.focusWidget(), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier
        )
    wait_idle(qtbot, ctx)
    assert window.current_screen_key == "visits"
    assert screen.week_label.text().endswith("(this week): 0 visits for Ada Quillfeather")
    assert due_row(screen, world.horatio)[3] == "Overdue since 12/04/2024"
    assert due_row(screen, world.horatio)[6] == "1 failed attempt"

    # -- plan a visit: Bram is off duty that day, so the service refuses him ---------------------
    choose_due(screen, world.horatio)
    plan = open_dialog(qtbot, screen, screen.plan_button)
    assert isinstance(plan, PlanVisitDialog)
    set_date(qtbot, plan, plan.date_field, "13/06/2024")
    type_into(qtbot, plan.time_field, "18:30")
    pick(plan.second, "bram")
    assert "OFF DUTY" in plan.second.currentText()
    click(qtbot, plan.save_button)
    wait_idle(qtbot, ctx)
    assert plan.field_error("officer2") == "Bramwell Tiddlecombe is off duty (leave) on 13/06/2024."
    pick(plan.second, "cora")
    save_and_reload(qtbot, screen, plan.save_button)
    assert week_visits(screen)[HORATIO].at.strftime("%a %d/%m %H:%M") == "Thu 13/06 18:30"

    # -- move it to today, 11:30 -------------------------------------------------------------------
    choose_visit(screen, HORATIO)
    move = open_dialog(qtbot, screen, screen.move_button)
    assert isinstance(move, PlanVisitDialog) and move.moving
    assert (move.first.currentData(), move.second.currentData()) == ("ada", "cora")
    set_date(qtbot, move, move.date_field, "12/06/2024")
    type_into(qtbot, move.time_field, "11:30")
    save_and_reload(qtbot, screen, move.save_button)
    assert screen.state_text == f"Visit to {HORATIO} moved to 12/06/2024 at 11:30."
    moved = week_visits(screen)[HORATIO]
    assert moved.at.strftime("%a %d/%m %H:%M") == "Wed 12/06 11:30"
    assert screen.week_pane.day == dt.date(2024, 6, 12)

    # -- export her calendar: references, crew, districts; no names ------------------------------
    target = tmp_path / "ada.ics"
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *args, **kwargs: (str(target), "iCalendar files (*.ics)")),
    )
    with qtbot.waitSignal(screen.exported, timeout=10_000):
        click(qtbot, screen.export_button)
    calendar = Calendar.from_ical(target.read_bytes())
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {f"Home visit {HORATIO}", f"Home visit {ZEBEDEE}"}
    assert str(events[f"Home visit {HORATIO}"]["location"]) == "ZZ9"
    assert all(str(e["class"]) == "CONFIDENTIAL" for e in events.values())
    ics = target.read_text(encoding="utf-8")
    for private in ("Horatio", "Fiddlesticks", "Zebedee", "Plimsoll", "Crumpet", "ZZ9 9ZZ"):
        assert private not in ics

    # -- no access at Horatio's: the second failed attempt flags a warrant -----------------------
    choose_visit(screen, HORATIO)
    record = open_dialog(qtbot, screen, screen.record_button)
    assert isinstance(record, OutcomeDialog)
    pick(record.outcome, "no_access")
    type_into(qtbot, record.time_field, "10:30")
    type_into(qtbot, record.notes, "No reply at the door; curtains drawn.")
    save_and_reload(qtbot, screen, record.save_button)
    assert screen.state_text.startswith(f"Outcome recorded for the visit to {HORATIO}: No access.")
    horatio = due_row(screen, world.horatio)
    assert horatio[6] == "Consider s96B warrant"
    flag = screen.due_pane.model.index(screen.due_pane.model.row_of(world.horatio), 6)
    assert flag.data(Qt.ItemDataRole.ToolTipRole).startswith("2 failed attempts in a row.")
    assert "No access, record not submitted" in screen.week_pane.model.index(0, 2).data()

    # -- a completed visit at Zebedee's, sent to the sergeant ------------------------------------
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        click(qtbot, screen.next_button)
    choose_visit(screen, ZEBEDEE)
    record = open_dialog(qtbot, screen, screen.record_button)
    pick(record.outcome, "completed")
    type_into(qtbot, record.time_field, "09:15")
    type_into(qtbot, record.home, "Tidy flat; partner at home.")
    pick(record.children, "no")
    with qtbot.waitSignal(record.submitted, timeout=10_000) as submitted:
        save_and_reload(qtbot, screen, record.submit_button)
    assert screen.state_text.endswith("The record is with the sergeant for approval.")
    zebedee = choose_visit(screen, ZEBEDEE)
    assert zebedee.record_state == "submitted" and not screen.submit_button.isEnabled()
    assert "Completed, awaiting approval" in (screen.week_pane.model.index(0, 5).data())
    cora = services.auth.sign_in("cora", "pillars-demo")
    [task] = [
        t
        for t in services.approvals.pending_for_offender(cora, world.zebedee)
        if t.kind == "visit_approval" and t.subject_id == zebedee.visit_id
    ]
    assert task.task_id == submitted.args[0] and task.can_decide

    # -- the caseload's "last seen" follows ------------------------------------------------------
    wait_idle(qtbot, ctx)
    model = caseload.model
    assert model.index(model.row_of(world.zebedee), COLUMN_INDEX["last_seen"]).data() == (
        "12/06/2024"
    )
    # Horatio's no-access today is his second failed visit in a row: the cell asks for an
    # s96B warrant, and its tooltip still says when he was last seen.
    horatio = model.index(model.row_of(world.horatio), COLUMN_INDEX["last_seen"])
    assert horatio.data() == "s96B"
    assert "Not seen since 12/03/2024: 2 failed visits in a row" in horatio.data(
        Qt.ItemDataRole.ToolTipRole
    )

    # -- her sergeant sees the team's week -------------------------------------------------------
    sergeant = open_screen(qtbot, make_ctx(services, "cora"))
    assert sergeant.week_label.text().endswith("(this week): 1 visit for Alder team")
    assert set(week_visits(sergeant)) == {HORATIO}
    with qtbot.waitSignal(sergeant.week_loaded, timeout=10_000):
        sergeant.show_week(1)
    assert set(week_visits(sergeant)) == {ZEBEDEE}
