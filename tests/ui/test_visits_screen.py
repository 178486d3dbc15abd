"""The Visits screen on the synthetic world (Wednesday 12/06/2024, 11:00 in England): an offender
manager's own week, a sergeant's team week and one officer's, moving between weeks, the chosen
day in detail, the due list with the s96B flag, the details of a visit, the keyboard, and the
calendar export."""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from desktop.services.core import Services
from tests.desktop.factories import World
from tests.ui.helpers import unnamed, wait_idle
from tests.ui.test_visits_helpers import absent, choose_due, choose_visit, open_screen, week_visits
from ui.context import AppContext
from ui.visits.details import VisitDetailsDialog
from ui.visits.plan_dialog import PlanVisitDialog

ZEBEDEE = "ZZ/2019/004512"
HORATIO = "ZZ/2018/002209"


def test_an_offender_manager_sees_their_own_week_and_moves_between_weeks(
    qtbot, ctx: AppContext, world: World, db_url: str
) -> None:
    screen = open_screen(qtbot, ctx)
    assert screen.officer_box.currentText() == "Me: Ada Quillfeather"
    assert screen.week_label.text() == (
        "Week of Monday 10/06/2024 to Sunday 16/06/2024 (this week): 0 visits for Ada Quillfeather"
    )
    model = screen.week_pane.model
    assert model.columnCount() == 7
    assert model.headerData(0, Qt.Orientation.Horizontal).startswith("Monday\n10/06/2024")
    assert model.headerData(6, Qt.Orientation.Horizontal).endswith("No routine visits")
    assert model.index(0, 2).data() == "No visits"
    assert screen.week_pane.day == dt.date(2024, 6, 12)  # today is chosen
    assert screen.week_pane.day_title.text() == "Wednesday 12/06/2024: no visits"

    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        qtbot.mouseClick(screen.next_button, Qt.MouseButton.LeftButton)
    assert screen.week_label.text().startswith("Week of Monday 17/06/2024 to Sunday 23/06/2024:")
    zebedee = week_visits(screen)[ZEBEDEE]
    assert zebedee.at.strftime("%d/%m/%Y %H:%M") == "22/06/2024 19:30"
    text = model.index(0, 5).data()
    assert text.splitlines() == [
        "19:30 · Evening",
        ZEBEDEE,
        "Zebedee Plimsoll",
        "Ada Quillfeather",
        "Bramwell Tiddlecombe",
        "Unannounced · Planned",
    ]
    # choosing the visit shows its day below, with the visit chosen there too
    choose_visit(screen, ZEBEDEE)
    assert screen.week_pane.day == dt.date(2024, 6, 22)
    day = screen.week_pane.day_model
    assert day.rowCount() == 1
    assert [day.index(0, c).data() for c in range(day.columnCount())] == [
        "19:30 evening",
        f"{ZEBEDEE} Zebedee Plimsoll",
        "Ada Quillfeather, Bramwell Tiddlecombe",
        "Routine, unannounced",
        "No window",  # planned before windows were recorded
        "Planned",
    ]
    assert screen.move_button.isEnabled() and screen.cancel_button.isEnabled()
    assert screen.record_button.isEnabled() and not screen.submit_button.isEnabled()
    assert not screen.plan_button.isEnabled()  # already planned: move it instead

    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        qtbot.mouseClick(screen.this_button, Qt.MouseButton.LeftButton)
    assert "(this week)" in screen.week_label.text()


def test_off_duty_and_bank_holidays_are_in_words(
    qtbot, ctx: AppContext, world: World, db_url: str
) -> None:
    absent(db_url, world.ada, dt.date(2024, 8, 27), dt.date(2024, 8, 28))
    absent(db_url, world.bram, dt.date(2024, 8, 27), dt.date(2024, 8, 27))
    screen = open_screen(qtbot, ctx)
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        screen.go_to_day(dt.date(2024, 8, 27))
    model = screen.week_pane.model
    assert model.headerData(0, Qt.Orientation.Horizontal).endswith("Bank holiday")
    assert model.index(0, 0).data() == "No visits\n(bank holiday)"
    assert model.headerData(1, Qt.Orientation.Horizontal).endswith("Off duty")  # Ada's own week
    assert screen.week_pane.day == dt.date(2024, 8, 27)
    assert screen.week_pane.day_notes.text() == (
        "Off duty: Ada Quillfeather, Bramwell Tiddlecombe."
    )
    tip = model.headerData(1, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)
    assert "Off duty: Ada Quillfeather, Bramwell Tiddlecombe." in tip


def test_a_sergeant_sees_the_team_week_and_one_officers_week(
    qtbot, services: Services, make_ctx, world: World, db_url: str
) -> None:
    absent(db_url, world.bram, dt.date(2024, 6, 18), dt.date(2024, 6, 19))
    cora = make_ctx(services, "cora")
    screen = open_screen(qtbot, cora)
    box = screen.officer_box
    assert box.currentText() == "Whole team (Alder)"
    assert [box.itemData(i) for i in range(box.count())] == ["", "cora", "ada", "bram", "dorian"]
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        screen.show_week(1)
    assert screen.week_label.text().endswith(": 1 visit for Alder team")
    model = screen.week_pane.model
    assert model.headerData(1, Qt.Orientation.Horizontal).endswith("1 off duty")
    assert set(week_visits(screen)) == {ZEBEDEE}
    assert screen.due_pane.model.rowCount() >= 2
    assert not screen.due_pane.table.isColumnHidden(2)  # the offender manager column

    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        box.setCurrentIndex(box.findData("bram"))
    assert screen.week_label.text().endswith(": 1 visit for Bramwell Tiddlecombe")
    assert model.headerData(1, Qt.Orientation.Horizontal).endswith("Off duty")
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        box.setCurrentIndex(box.findData("cora"))
    assert screen.week_label.text().endswith(": 0 visits for Cora Pennywhistle")


def test_the_due_list_says_why_and_flags_a_warrant(
    qtbot, services: Services, ctx: AppContext, world: World
) -> None:
    ada = ctx.officer
    # a second failed attempt for Horatio, recorded through the service
    from desktop.services.visits import OutcomeEdit, VisitEdit

    visit_id = services.visits.plan(
        ada,
        world.horatio,
        VisitEdit(date="12/06/2024", time="18:30", officer1="ada", officer2="bram"),
    )
    services.visits.record_outcome(
        ada,
        visit_id,
        OutcomeEdit(
            expected_version=services.visits.get(ada, visit_id).version,
            outcome="no_access",
            occurred_date="12/06/2024",
            occurred_time="10:30",
            officer1="ada",
            officer2="bram",
            notes="No reply.",
        ),
    )
    screen = open_screen(qtbot, ctx)
    model = screen.due_pane.model
    assert screen.tabs.tabText(1) == f"&Due visits ({model.rowCount()})"
    assert screen.due_pane.table.isColumnHidden(2)  # her own caseload: no manager column
    rows = {
        model.index(r, 0).data(): [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    }
    horatio = rows[HORATIO]
    assert horatio[3] == "Overdue since 12/04/2024"
    assert horatio[4] == "12/06/2024 to 18/06/2024"
    assert horatio[5] == "12/03/2024"
    assert horatio[6] == "Consider s96B warrant"
    assert horatio[7] == "Not planned"
    row = model.row_of(world.horatio)
    assert row == 0  # overdue first
    assert model.index(row, 6).data(Qt.ItemDataRole.DecorationRole) is not None
    assert (
        model.index(row, 6)
        .data(Qt.ItemDataRole.ToolTipRole)
        .startswith("2 failed attempts in a row. Two or more")
    )
    zebedee = rows[ZEBEDEE]
    assert zebedee[3] == "Routine" and zebedee[6] == "None"
    assert zebedee[7] == "22/06/2024 19:30"
    assert "1 case for warrant consideration (s96B)" in screen.due_pane.summary.text()

    choose_due(screen, world.horatio)
    assert screen.plan_button.isEnabled() and not screen.move_button.isEnabled()
    choose_due(screen, world.zebedee)
    assert not screen.plan_button.isEnabled() and screen.move_button.isEnabled()

    # Enter on Zebedee's row shows the planned visit's details, flags included
    screen.due_pane.table.setFocus()
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as opened:
        qtbot.keyClick(screen.due_pane.table, Qt.Key.Key_Return)
    details = opened.args[0]
    assert isinstance(details, VisitDetailsDialog)
    wait_idle(qtbot, ctx)
    assert details.facts["Offender"].text() == f"{ZEBEDEE} Zebedee Plimsoll"
    assert details.flags.text() == "None"
    assert details.last_seen.text() == "12/04/2024"
    details.reject()

    # ... and on Horatio's row (nothing planned) opens the plan dialog
    choose_due(screen, world.horatio)
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as opened:
        qtbot.keyClick(screen.due_pane.table, Qt.Key.Key_Return)
    dialog = opened.args[0]
    assert isinstance(dialog, PlanVisitDialog)
    wait_idle(qtbot, ctx)
    dialog.reject()


def test_visit_details_show_the_warrant_flag(
    qtbot, services: Services, ctx: AppContext, world: World
) -> None:
    from desktop.services.visits import OutcomeEdit

    screen = open_screen(qtbot, ctx)
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        screen.show_week(1)
    view = choose_visit(screen, ZEBEDEE)
    for day, time in (("11/06/2024", "09:00"),):
        services.visits.record_outcome(
            ctx.officer,
            view.visit_id,
            OutcomeEdit(
                expected_version=view.version,
                outcome="refused_entry",
                occurred_date=day,
                occurred_time=time,
                officer1="ada",
                officer2="bram",
                notes="Refused at the door.",
            ),
        )
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        screen.reload()
    wait_idle(qtbot, ctx)
    choose_visit(screen, ZEBEDEE)
    assert "Refused entry, record not submitted" in screen.week_pane.model.index(0, 5).data()
    screen.week_pane.table.setFocus()
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as opened:
        qtbot.keyClick(screen.week_pane.table, Qt.Key.Key_Return)
    details = opened.args[0]
    wait_idle(qtbot, ctx)
    assert details.flags.text() == "1 failed attempt"
    assert details.facts["Outcome and record"].text() == "Refused entry, record not submitted"
    assert details.action_buttons["submit"].isEnabled()
    assert not details.action_buttons["move"].isEnabled()
    details.reject()


def test_every_control_of_the_screen_and_its_dialogs_has_an_accessible_name(
    qtbot, ctx: AppContext, world: World
) -> None:
    screen = open_screen(qtbot, ctx)
    assert unnamed(screen) == []
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        screen.show_week(1)
    view = choose_visit(screen, ZEBEDEE)
    from ui.visits.cancel_dialog import CancelVisitDialog
    from ui.visits.outcome_dialog import OutcomeDialog
    from ui.visits.plan_dialog import PlanTarget

    due = next(d for d in screen.due_pane.model.rows if d.offender_id == world.horatio)
    for dialog in (
        PlanVisitDialog(ctx, PlanTarget.from_due(due)),
        PlanVisitDialog(ctx, PlanTarget.from_visit(view), view),
        CancelVisitDialog(ctx, view),
        OutcomeDialog(ctx, view),
        VisitDetailsDialog(ctx, view),
    ):
        qtbot.addWidget(dialog)
        assert unnamed(dialog) == [], type(dialog).__name__
        wait_idle(qtbot, ctx)


def test_keyboard_paths(qtbot, ctx: AppContext, world: World) -> None:
    screen = open_screen(qtbot, ctx)
    screen.activateWindow()
    screen.setFocus()
    assert QApplication.focusWidget() is screen.week_pane.table
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        qtbot.keyClick(screen.week_pane.table, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert screen.week_label.text().startswith("Week of Monday 17/06/2024")
    choose_visit(screen, ZEBEDEE)
    screen.week_pane.table.setFocus()
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as opened:
        qtbot.keyClick(screen.week_pane.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    move = opened.args[0]
    assert isinstance(move, PlanVisitDialog) and move.moving
    wait_idle(qtbot, ctx)
    qtbot.keyClick(move, Qt.Key.Key_Escape)
    assert screen.dialog is None
    screen.activateWindow()  # the offscreen platform does not give it back by itself
    qtbot.waitUntil(screen.isActiveWindow, timeout=3000)
    screen.week_pane.table.setFocus()
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as opened:
        qtbot.keyClick(screen.week_pane.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    record = opened.args[0]
    assert type(record).__name__ == "OutcomeDialog"
    wait_idle(qtbot, ctx)
    record.reject()
    # arrow keys move the chosen day through the week
    screen.week_pane.table.setFocus()
    qtbot.keyClick(screen.week_pane.table, Qt.Key.Key_Left)
    assert screen.week_pane.day == dt.date(2024, 6, 21)
    assert screen.current_visit() is None and not screen.move_button.isEnabled()


def test_export_writes_a_calendar_without_names(
    qtbot, ctx: AppContext, world: World, tmp_path, monkeypatch
) -> None:
    screen = open_screen(qtbot, ctx)
    target = tmp_path / "ada-visits"
    monkeypatch.setattr(
        QFileDialog,
        "getSaveFileName",
        staticmethod(lambda *args, **kwargs: (str(target), "iCalendar files (*.ics)")),
    )
    with qtbot.waitSignal(screen.exported, timeout=10_000) as done:
        qtbot.mouseClick(screen.export_button, Qt.MouseButton.LeftButton)
    written = tmp_path / "ada-visits.ics"
    assert done.args[0].path == written and done.args[0].visits == 1
    assert screen.state_text.startswith(
        f"Exported 1 planned visit of Ada Quillfeather to {written}"
    )
    calendar = Calendar.from_ical(written.read_bytes())
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == f"Home visit {ZEBEDEE}"
    assert str(event["location"]) == "ZZ3"
    assert str(event["class"]) == "CONFIDENTIAL"
    assert "Ada Quillfeather" in str(event["description"])
    text = written.read_text(encoding="utf-8")
    for private in ("Zebedee", "Plimsoll", "Marmalade", "ZZ3 4QT"):
        assert private not in text
    assert not list(tmp_path.glob(".pillars-*"))  # no half-written file left behind
