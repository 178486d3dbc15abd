"""Helpers for the Visits screen's tests (no tests here): open the screen, find a visit, drive
its dialogs, and set up absences."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QWidget
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.enums import AbsenceKind
from db.models import Absence, Task
from tests.ui.helpers import wait_idle
from ui.context import AppContext
from ui.visits.screen import VisitsScreen


def open_screen(qtbot, ctx: AppContext, *, width: int = 1400, height: int = 900) -> VisitsScreen:
    screen = VisitsScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(width, height)
    screen.show()
    with (
        qtbot.waitSignal(screen.week_loaded, timeout=10_000),
        qtbot.waitSignal(screen.due_loaded, timeout=10_000),
        qtbot.waitSignal(screen.officers_loaded, timeout=10_000),
    ):
        screen.activate()
    wait_idle(qtbot, ctx)
    return screen


def week_visits(screen: VisitsScreen) -> dict[str, Any]:
    """reference -> VisitView of the week on screen."""
    model = screen.week_pane.model
    found = {}
    for column in range(model.columnCount()):
        for row in range(model.rowCount()):
            view = model.visit_at(row, column)
            if view is not None:
                found[view.reference] = view
    return found


def choose_visit(screen: VisitsScreen, reference: str) -> Any:
    screen.tabs.setCurrentWidget(screen.week_pane)
    view = week_visits(screen)[reference]
    assert screen.week_pane.select_visit(view.visit_id)
    assert screen.current_visit() is not None
    assert screen.current_visit().visit_id == view.visit_id
    return view


def choose_due(screen: VisitsScreen, offender_id: int) -> None:
    screen.tabs.setCurrentWidget(screen.due_pane)
    assert screen.due_pane.select_offender(offender_id)


def type_into(qtbot, widget: QWidget, text: str) -> None:
    """Replace what a field holds by typing, as a person would."""
    if isinstance(widget, QLineEdit):
        widget.selectAll()
        widget.del_()
    elif isinstance(widget, QPlainTextEdit):
        widget.clear()
    qtbot.keyClicks(widget, text)


def pick(combo: QComboBox, data: str) -> None:
    position = combo.findData(data)
    assert position >= 0, f"{data!r} is not offered in {combo.accessibleName()}"
    combo.setCurrentIndex(position)


def click(qtbot, button: QWidget) -> None:
    assert button.isEnabled(), f"{button.accessibleName()} is disabled"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def with_session(db_url: str, work: Any) -> Any:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            return work(session)
    finally:
        engine.dispose()


def absent(db_url: str, officer_id: int, first: dt.date, last: dt.date) -> None:
    with_session(
        db_url,
        lambda s: s.add(
            Absence(officer_id=officer_id, kind=AbsenceKind.LEAVE, starts_on=first, ends_on=last)
        ),
    )


def tasks(db_url: str) -> list[Task]:
    return with_session(db_url, lambda s: list(s.scalars(select(Task).order_by(Task.id))))
