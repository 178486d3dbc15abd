"""The Safeguarding screen on the synthetic world (Wednesday 12/06/2024, 11:00 in England), on
SQLite and PostgreSQL: a PPN walked through widgets from the record's PPN tab to social care's
decision recorded from the inbox (issue #7's "done when"); a refused raise keeps what was typed;
a sergeant's team view shows a late PPN in red; filters, keyboard and accessible names.

The helpers here are shared by test_record_ppns.py and test_inbox_ppn.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from desktop.services.core import Services
from desktop.services.ppns import PpnEntry, SubjectEntry
from tests.desktop.factories import PASSWORD, World, world_clock
from tests.ui.helpers import unnamed, wait_idle
from ui.context import AppContext
from ui.inbox.screen import InboxScreen
from ui.record.window import RecordWindow
from ui.safeguarding.dialogs import PpnForm, RaisePpnDialog
from ui.safeguarding.screen import COLUMNS, SafeguardingScreen
from ui.widgets import palette
from ui.widgets.dates import to_london

pytestmark = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

STAGE = COLUMNS.index("Stage")
NEXT = COLUMNS.index("Next step")


# -- helpers shared by the PPN tests ----------------------------------------------------------


def london(hours_ago: float) -> dt.datetime:
    return to_london(world_clock() - dt.timedelta(hours=hours_ago))


def raise_ppn(
    services: Services,
    username: str,
    offender_id: int,
    *,
    hours_ago: float = 2,
    grade: str = "amber",
    concern: str = "Fictional concern: a child visitor seen alone with the offender.",
    who: str = "Fictional Child Dobbin",
) -> int:
    """A PPN raised through the service by `username` (a hand-added child concerned)."""
    actor = services.auth.sign_in(username, PASSWORD)
    at = london(hours_ago)
    entry = PpnEntry(
        grade,
        concern,
        f"{at:%d/%m/%Y}",
        f"{at:%H:%M}",
        (SubjectEntry(name=who, relationship="visiting child"),),
    )
    return services.ppns.raise_(actor, offender_id, entry)


def open_screen(qtbot, ctx: AppContext) -> SafeguardingScreen:
    screen = SafeguardingScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1300, 860)
    screen.show()
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.activate()
    wait_idle(qtbot, ctx)
    return screen


def open_record(qtbot, ctx: AppContext, offender_id: int) -> RecordWindow:
    window = RecordWindow(ctx, offender_id)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.ppns.loaded, timeout=10_000):
        window.show()
    wait_idle(qtbot, ctx)
    window.tabs.setCurrentWidget(window.ppns)
    return window


def open_inbox(qtbot, ctx: AppContext) -> InboxScreen:
    screen = InboxScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1300, 900)
    screen.show()
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.activate()
    wait_idle(qtbot, ctx)
    return screen


def click(qtbot, widget: QWidget) -> None:
    assert widget.isEnabled(), f"{widget.accessibleName()} is disabled: {widget.toolTip()}"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def press_for_dialog(qtbot, opener: Any, button: QWidget) -> Any:
    """Click `button` and return the dialog `opener.dialog_opened` hands over, loaded."""
    with qtbot.waitSignal(opener.dialog_opened, timeout=10_000) as opened:
        click(qtbot, button)
    dialog = opened.args[0]
    wait_idle(qtbot, dialog.ctx)
    return dialog


def save(qtbot, dialog: PpnForm) -> None:
    """Press the dialog's save button and wait for the service's answer and what it reloads."""
    click(qtbot, dialog.save_button)
    wait_idle(qtbot, dialog.ctx)


def cells(table: Any, col: int) -> list[str]:
    model = table.model()
    return [model.index(r, col).data() for r in range(model.rowCount())]


def row_of(screen: SafeguardingScreen, ppn_id: int) -> int:
    return [p.ppn_id for p in screen.shown].index(ppn_id)


def tick(dialog: RaisePpnDialog, name: str, qtbot) -> None:
    """Tick a person in the raise dialog as a keyboard user does: choose the row, press Space."""
    row = next(i for i, (text, _t) in enumerate(dialog.people.people()) if text.startswith(name))
    dialog.people.setFocus()
    dialog.people.setCurrentRow(row)
    qtbot.keyClick(dialog.people, Qt.Key.Key_Space)


# -- the walk from the concern to social care's decision ---------------------------------------


def test_a_ppn_from_the_record_to_social_cares_decision(
    qtbot, ctx: AppContext, services: Services, world: World
) -> None:
    """Issue #7 done when: raise an amber PPN, see it due within 24 hours, submit it, record the
    MASH review, see the follow-up arrive in the inbox, record social care's decision there, and
    see the PPN closed."""
    window = open_record(qtbot, ctx, world.zebedee)
    tab = window.ppns
    before = len(tab.ppns)
    dialog = press_for_dialog(qtbot, tab, tab.buttons["raise"])
    assert isinstance(dialog, RaisePpnDialog)
    assert not unnamed(dialog)
    # from the record nobody is ticked: the household is offered, children first
    people = dialog.people.people()
    assert people[0][0].startswith("Pip Plimsoll (child") and not any(t for _n, t in people)
    click(qtbot, dialog.grade_choice.buttons["amber"])
    qtbot.keyClicks(
        dialog.concern_box, "Fictional: Pip said a visiting man told him to keep secrets."
    )
    concern_at = london(1.5)
    dialog.date_box.clear()
    qtbot.keyClicks(dialog.date_box, f"{concern_at:%d/%m/%Y}")
    dialog.time_box.clear()
    qtbot.keyClicks(dialog.time_box, f"{concern_at:%H:%M}")
    tick(dialog, "Pip Plimsoll", qtbot)
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        save(qtbot, dialog)
    wait_idle(qtbot, ctx)
    ppn_id = dialog.ppn_id
    assert ppn_id is not None and len(tab.ppns) == before + 1

    # the Safeguarding screen: a draft, to be submitted within 24 hours of the concern
    screen = open_screen(qtbot, ctx)
    assert screen.scope == "mine"
    click(qtbot, screen.stage_buttons["draft"])
    due = concern_at + dt.timedelta(hours=24)
    row = row_of(screen, ppn_id)
    assert cells(screen.table, STAGE)[row] == "Draft"
    assert cells(screen.table, NEXT)[row] == f"Submit by {due:%H:%M} on {due:%d/%m/%Y}."
    assert screen.stage_buttons["draft"].text() == f"Draft ({len(screen.shown)})"
    assert screen.choose(ppn_id)
    assert screen.detail.fact("People concerned").startswith("Pip Plimsoll (child")

    # submit it
    submit = press_for_dialog(qtbot, screen, screen.detail.buttons["submit"])
    qtbot.keyClicks(submit.reference_box, "MASH/FICT/0001")
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        save(qtbot, submit)
    assert screen.current() is not None and screen.current().ppn_id == ppn_id
    assert screen.current().stage == "submitted"
    assert screen.stage_buttons["submitted"].isChecked()  # the screen followed it
    assert screen.state_text.startswith("PPN recorded as submitted")
    assert screen.detail.fact("Submission reference") == "MASH/FICT/0001"
    assert not screen.detail.buttons["edit"].isEnabled()

    # record the MASH review: the follow-up goes to Ada's inbox
    mash = press_for_dialog(qtbot, screen, screen.detail.buttons["mash"])
    qtbot.keyClicks(mash.outcome_box, "Passed to the children's social care duty team.")
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        save(qtbot, mash)
    followed = screen.current()
    assert followed is not None and followed.stage == "awaiting_social_care"
    assert followed.follow_up_due_on is not None

    inbox = open_inbox(qtbot, ctx)
    task = next(
        i for i in inbox.inbox.items if i.kind == "ppn_follow_up" and i.subject_id == ppn_id
    )
    inbox.group_bar.setCurrentIndex(inbox.groups.index("follow_up"))
    with qtbot.waitSignal(inbox.subject_loaded, timeout=10_000):
        inbox.table.selectRow(inbox.model.row_of(task.task_id))
    wait_idle(qtbot, ctx)
    assert inbox.detail.subject.fact("Stage") == "Awaiting social care"
    decision = press_for_dialog(qtbot, inbox, inbox.detail.buttons["decision"])
    qtbot.keyClicks(decision.decision_box.lineEdit(), "Early help offered")
    qtbot.keyClicks(decision.source_box, "Duty social worker, Fictionton CSC")
    with qtbot.waitSignal(inbox.decided, timeout=10_000) as decided:
        save(qtbot, decision)
    wait_idle(qtbot, ctx)
    assert decided.args == ["decided"]
    assert task.task_id not in {i.task_id for i in inbox.inbox.items}

    # closed, with the decision on its timeline
    screen.reload()
    wait_idle(qtbot, ctx)
    click(qtbot, screen.stage_buttons["closed"])
    assert screen.choose(ppn_id)
    closed = screen.current()
    assert closed is not None and closed.stage_label == "Closed"
    timeline = cells(screen.detail.timeline, 2)
    assert "Early help offered (source: Duty social worker, Fictionton CSC)" in timeline
    assert not any(b.isEnabled() for k, b in screen.detail.buttons.items() if k != "open")


def test_a_refused_raise_keeps_what_was_typed(
    qtbot, ctx: AppContext, services: Services, world: World
) -> None:
    dialog = RaisePpnDialog(ctx, world.zebedee)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, ctx)
    click(qtbot, dialog.grade_choice.buttons["red"])
    typed = "Fictional: a child seen at the window late at night, sort code 12-34-56 acct 12345678"
    qtbot.keyClicks(dialog.concern_box, typed)
    dialog.time_box.clear()
    qtbot.keyClicks(dialog.time_box, "25:61")
    save(qtbot, dialog)
    assert dialog.isVisible() and dialog.ppn_id is None
    assert dialog.field_error("subjects").startswith("Name at least one child or adult")
    assert "HH:MM" in dialog.field_error("concern_time")
    assert dialog.field_error("concern")  # bank details are refused in free text
    assert dialog.message_text.endswith("Nothing was saved.")
    assert dialog.concern_box.toPlainText() == typed
    assert dialog.time_box.text() == "25:61"
    assert dialog.grade_choice.grade() == "red"
    assert services.ppns.for_offender(ctx.officer, world.zebedee) == []


def test_a_sergeants_team_view_shows_a_late_ppn_in_red(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    late = raise_ppn(services, "bram", world.percival, hours_ago=30)
    fresh = raise_ppn(services, "bram", world.percival, hours_ago=1, grade="green")
    cora = make_ctx(services, "cora")
    screen = open_screen(qtbot, cora)
    assert screen.scope == "team"  # a sergeant starts with the team's PPNs
    assert not unnamed(screen)
    row = row_of(screen, late)
    assert cells(screen.table, STAGE)[row] == "Due · LATE"
    for col in (STAGE, NEXT):
        brush = screen.table.model().index(row, col).data(Qt.ItemDataRole.ForegroundRole)
        assert brush.color().name() == palette.FOREGROUND["alert"]
    assert cells(screen.table, NEXT)[row].startswith("Late: it was to be submitted by")
    fresh_brush = (
        screen.table.model()
        .index(row_of(screen, fresh), STAGE)
        .data(Qt.ItemDataRole.ForegroundRole)
    )
    assert fresh_brush is None
    assert "LATE" in screen.summary.text()
    # late first, then the grade filter and the words
    assert screen.shown[0].late
    screen.grade_box.setCurrentIndex(screen.grade_box.findData("green"))
    assert [p.ppn_id for p in screen.shown if p.offender_id == world.percival] == [fresh]
    screen.grade_box.setCurrentIndex(0)
    qtbot.keyClicks(screen.find_box, "dobbin percival")
    assert {p.ppn_id for p in screen.shown} == {late, fresh}
    # Ada's own list does not hold Bram's PPNs
    ada = open_screen(qtbot, make_ctx(services, "ada"))
    assert ada.scope == "mine" and late not in {p.ppn_id for p in ada.items}
    click(qtbot, ada.team_button)
    wait_idle(qtbot, ada.ctx)
    assert late in {p.ppn_id for p in ada.items}


def test_keyboard_and_stage_counts(
    qtbot, ctx: AppContext, services: Services, world: World
) -> None:
    draft = raise_ppn(services, "ada", world.zebedee, hours_ago=3)
    screen = open_screen(qtbot, ctx)
    expected = {
        stage: sum(1 for p in screen.items if p.stage == stage) for stage in ("draft", "due")
    }
    assert screen.stage_buttons["draft"].text() == f"Draft ({expected['draft']})"
    assert screen.stage_buttons["due"].text() == f"Due ({expected['due']})"
    assert screen.stage_buttons["open"].isChecked()
    screen.table.setFocus()
    qtbot.keyClick(screen.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert screen.find_box.hasFocus()
    assert screen.choose(draft)
    screen.table.setFocus()
    with qtbot.waitSignal(screen.dialog_opened, timeout=5_000) as opened:
        qtbot.keyClick(
            screen.table,
            Qt.Key.Key_S,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )
    dialog = opened.args[0]
    assert dialog.windowTitle().startswith("Submit PPN")
    assert not unnamed(dialog)
    dialog.reject()
    wait_idle(qtbot, ctx)
    assert screen.dialog is None
