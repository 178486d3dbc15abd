"""The plan editor, driven as an offender manager would: start the first draft for Horatio, add an
action under each pillar by keyboard, link the present ARMS factor, watch the gaps list empty,
submit; then the team's sergeant, on another desktop, approves it from the record and the version
is in the versions list. Also: comparing two versions, validation shown by its cell, an approved
version never editable, and four eyes."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMessageBox, QWidget

from desktop.services.core import Services
from desktop.services.plans import ActionEdit, PlanEdit
from tests.desktop.factories import World, world_clock
from tests.ui.helpers import unnamed, wait_idle
from ui.context import AppContext
from ui.plan.actions import ActionRow, ActionsModel, Choices
from ui.plan.compare import CompareDialog
from ui.plan.editor import PlanEditor
from ui.record.window import RecordWindow

PILLARS = ("supervision", "monitoring_control", "interventions_treatment", "victim_safety")


@pytest.fixture
def second_services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def open_record(qtbot, ctx: AppContext, offender_id: int) -> RecordWindow:
    window = RecordWindow(ctx, offender_id)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.approvals_loaded, timeout=10_000):
        window.show()
    qtbot.waitExposed(window)
    wait_idle(qtbot, ctx)
    return window


def open_plan(qtbot, window: RecordWindow) -> PlanEditor:
    editor = window.plan
    with qtbot.waitSignal(editor.loaded, timeout=10_000):
        window.tabs.setCurrentWidget(editor)
    wait_idle(qtbot, window.ctx)
    return editor


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def type_action(
    qtbot, editor: PlanEditor, pillar: str, description: str, due: str, factor: str = ""
) -> None:
    """Add an action with the keyboard: the description opens for typing; Tab moves from cell to
    cell (owner, due date, status, factor); Enter keeps the last one."""
    section = editor.sections[pillar]
    qtbot.mouseClick(section.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(focused(), description)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # owner: Ada by default
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    qtbot.keyClicks(focused(), due)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)  # status: not started
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    combo = focused()
    assert combo.accessibleName() == "Risk factor this action answers"
    for _ in range(combo.findData(factor)):  # type: ignore[attr-defined]
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    # Enter closes the cell once the event loop runs, as it does between a person's keys.
    qtbot.waitUntil(lambda: section.table.state() != QAbstractItemView.State.EditingState)


def test_write_submit_and_approve_a_plan(
    qtbot,
    services: Services,
    second_services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
    monkeypatch,
) -> None:
    ada = make_ctx(services, "ada")
    window = open_record(qtbot, ada, world.horatio)
    window.activateWindow()
    editor = open_plan(qtbot, window)
    assert editor.shown is None and editor.start_button.isVisible()
    assert "no risk management plan" in editor.status.text().lower()

    with qtbot.waitSignal(editor.loaded, timeout=10_000):
        qtbot.mouseClick(editor.start_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ada)
    assert editor.editing and editor.shown is not None and editor.shown.state == "draft"
    gaps = editor.gaps.texts()
    assert "No action under Supervision" in gaps
    assert "No action answers the risk factor Hostile orientation" in gaps
    assert "No contingency plan" in gaps and "No review date" in gaps

    counts = [len(gaps)]
    type_action(qtbot, editor, "supervision", "Fortnightly office appointment", "01/07/2024")
    type_action(
        qtbot,
        editor,
        "monitoring_control",
        "Unannounced home visits, evenings included",
        "15/07/2024",
        factor="hostile_orientation",
    )
    type_action(qtbot, editor, "interventions_treatment", "Anger programme", "01/09/2024")
    type_action(qtbot, editor, "victim_safety", "Warn the former partner", "20/06/2024")
    for pillar in PILLARS:
        assert editor.sections[pillar].model.rowCount() == 1
    counts.append(len(editor.gaps.texts()))
    assert editor.gaps.texts() == ["No contingency plan", "No review date"]
    line = editor.action_texts("monitoring_control")[0]
    assert "answers Hostile orientation" in line and "owner Ada Quillfeather" in line
    assert "due 15/07/2024" in line

    editor.contingency.setFocus()
    qtbot.keyClicks(editor.contingency, "Recall to custody via the duty inspector.")
    counts.append(len(editor.gaps.texts()))
    qtbot.keyClicks(editor.review, "01/12/2024")
    counts.append(len(editor.gaps.texts()))
    assert counts == sorted(counts, reverse=True) and counts[-1] == 0
    assert editor.gaps.texts() == [] and editor.gaps.count.text() == "No gaps."
    assert editor.dirty and "Unsaved changes" in editor.status.text()

    # Ctrl+S saves the draft (the shortcut of the editor).
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.keyClick(editor.review, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.dirty and editor.message_text.startswith("Draft saved at ")
    assert editor.sections["victim_safety"].model.row(0).action_id is not None

    with qtbot.waitSignal(window.approvals_loaded, timeout=10_000):
        qtbot.mouseClick(editor.submit_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ada)
    assert editor.shown is not None and editor.shown.state == "submitted"
    assert not editor.editing and not editor.save_button.isVisible()
    assert "awaiting a sergeant's approval" in editor.status.text()
    # Four eyes: the author is told why, with no button to approve.
    assert window.approvals.isVisible()
    assert window.approvals.approve_buttons == {}
    plan_task = next(p for p in window.approvals.pending if p.kind == "plan_approval")
    assert "four eyes" in window.approvals.reasons[plan_task.task_id].text()

    # The sergeant, on another desktop, approves it from the record.
    cora = make_ctx(second_services, "cora")
    sergeant = open_record(qtbot, cora, world.horatio)
    task = next(p for p in sergeant.approvals.pending if p.kind == "plan_approval")
    button = sergeant.approvals.approve_buttons[task.task_id]
    assert button.isEnabled()
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.Yes)
    )
    with qtbot.waitSignal(sergeant.decided, timeout=10_000):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, cora)
    assert [p.kind for p in sergeant.approvals.pending] == ["visit_approval"]
    assert sergeant.message.text().startswith("Approved.")
    assert sergeant.record is not None and sergeant.record.plan is not None
    assert sergeant.record.plan.state == "approved"

    plan = open_plan(qtbot, sergeant)
    assert plan.shown is not None and plan.shown.state == "approved" and not plan.editing
    versions = plan.versions.model()
    assert versions.index(0, 0).data() == (
        "Version 1: approved, in force\n"
        "by Ada Quillfeather; approved by Cora Pennywhistle, 12/06/2024 11:00"
    )
    assert plan.gaps.texts() == []
    # What `pillars show` reports: no record-quality finding about the plan.
    assert services.records.open(ada.officer, world.horatio).quality.in_area("plan") == []


def test_new_draft_from_the_approved_plan_and_compare(qtbot, ctx: AppContext, world: World) -> None:
    window = open_record(qtbot, ctx, world.zebedee)
    window.activateWindow()
    editor = open_plan(qtbot, window)
    # The approved version is read only: no cell opens for editing, no save.
    assert editor.shown is not None and editor.shown.state == "approved"
    assert not editor.editing and not editor.save_button.isVisible()
    table = editor.sections["supervision"].table
    table.setFocus()
    table.setCurrentIndex(table.model().index(0, 0))
    qtbot.keyClick(table, Qt.Key.Key_F2)
    qtbot.keyClicks(table, "typed over")
    assert table.state() != QAbstractItemView.State.EditingState
    assert table.model().index(0, 0).data() == "Monthly office appointment"
    assert editor.contingency.isReadOnly()
    assert not editor.compare_button.isEnabled()

    with qtbot.waitSignal(editor.loaded, timeout=10_000):
        qtbot.mouseClick(editor.start_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert editor.editing and editor.shown is not None and editor.shown.plan_number == 2
    assert editor.sections["supervision"].model.rowCount() == 1  # copied from version 1
    assert [editor.shown_box.itemText(i) for i in range(editor.shown_box.count())] == [
        "Version 2: draft",
        "Version 1: approved, in force",
    ]
    editor.sections["victim_safety"].table.setCurrentIndex(
        editor.sections["victim_safety"].model.index(0, 0)
    )
    qtbot.mouseClick(editor.sections["victim_safety"].remove_button, Qt.MouseButton.LeftButton)
    assert "No action under Victim safety" in editor.gaps.texts()
    type_action(qtbot, editor, "supervision", "Polygraph test", "01/08/2024")
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.compare_button.isEnabled()

    qtbot.mouseClick(editor.compare_button, Qt.MouseButton.LeftButton)
    dialog = editor.compare_dialog
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.comparison is not None, timeout=10_000)
    rows = [
        [dialog.actions.model().index(r, c).data() for c in range(4)]
        for r in range(dialog.actions.model().rowCount())
    ]
    changes = {(r[0], r[1]) for r in rows}
    assert ("Supervision", "Added") in changes
    assert ("Victim safety", "Removed") in changes
    assert ("Monitoring and control", "Same") in changes
    added = next(r for r in rows if r[1] == "Added")
    assert added[2] == "—" and added[3].startswith("Polygraph test")
    assert dialog.actions.model().headerData(2, Qt.Orientation.Horizontal) == ("Before: Version 1")
    assert "1 added, 1 removed" in dialog.summary.text()
    assert unnamed(dialog) == []


def test_problems_are_shown_by_their_cell_and_typing_is_kept(
    qtbot, ctx: AppContext, world: World
) -> None:
    window = open_record(qtbot, ctx, world.horatio)
    window.activateWindow()
    editor = open_plan(qtbot, window)
    with qtbot.waitSignal(editor.loaded, timeout=10_000):
        qtbot.mouseClick(editor.start_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    type_action(qtbot, editor, "supervision", "Office appointment", "31/02/2024")
    qtbot.keyClicks(editor.review, "not a date")
    with qtbot.waitSignal(editor.failed, timeout=10_000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.message_text.startswith("Please correct the 2 problems")
    assert "Supervision, action 1:" in editor.message_text
    model = editor.sections["supervision"].model
    assert model.error(0, 2)  # the due date cell
    assert model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole) == model.error(0, 2)
    assert editor.errors["review_on"].text()
    assert editor.review.text() == "not a date"  # nothing typed is lost
    assert model.row(0).description == "Office appointment" and editor.dirty
    qtbot.mouseClick(editor.discard_button, Qt.MouseButton.LeftButton)  # the window can close


def test_closing_with_unsaved_changes_asks_first(
    qtbot, ctx: AppContext, world: World, monkeypatch
) -> None:
    window = open_record(qtbot, ctx, world.horatio)
    editor = open_plan(qtbot, window)
    with qtbot.waitSignal(editor.loaded, timeout=10_000):
        qtbot.mouseClick(editor.start_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    qtbot.keyClicks(editor.contingency, "Half-typed contingency")
    asked = []

    def cancel(*args, **kwargs):
        asked.append(args[1])
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "question", staticmethod(cancel))
    window.close()
    assert asked == ["Unsaved plan changes"] and window.isVisible()
    assert editor.contingency.toPlainText() == "Half-typed contingency"
    qtbot.mouseClick(editor.discard_button, Qt.MouseButton.LeftButton)
    assert not editor.dirty and editor.contingency.toPlainText() == ""


def test_editor_has_names_and_a_keyboard_path(qtbot, ctx: AppContext, world: World) -> None:
    window = open_record(qtbot, ctx, world.horatio)
    editor = open_plan(qtbot, window)
    with qtbot.waitSignal(editor.loaded, timeout=10_000):
        qtbot.mouseClick(editor.start_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert unnamed(window) == []
    # Tab from the Submit button walks the pillars' tables and buttons in order.
    chain = []
    widget: QWidget = editor.submit_button
    for _ in range(8):
        widget = widget.nextInFocusChain()
        while not (widget.focusPolicy() & Qt.FocusPolicy.TabFocus) or not widget.isVisible():
            widget = widget.nextInFocusChain()
        chain.append(widget)
    assert chain[1] is editor.sections["supervision"].table
    assert chain[2] is editor.sections["supervision"].add_button
    assert chain[4] is editor.sections["monitoring_control"].table


def test_actions_model_passes_qt_model_tester(qtbot) -> None:
    model = ActionsModel("supervision")
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    choices = Choices(
        owners=(("officer:1", "Ada Quillfeather"),),
        factors=(("hostile_orientation", "Hostile orientation"),),
    )
    model.set_rows(
        [ActionRow(1, "Visit", "officer:1", "01/01/2020", "in_progress", "")],
        choices,
        read_only=False,
    )
    model.add_row(ActionRow(None, "Refer", "Probation", "", "not_started", "hostile_orientation"))
    assert model.index(0, 1).data() == "Ada Quillfeather"
    assert model.index(1, 1).data() == "Probation"
    assert model.index(1, 4).data() == "Hostile orientation"
    assert model.index(0, 4).data() == "None"
    model.setData(model.index(0, 3), "done")
    assert model.index(0, 3).data() == "Done"
    model.set_error(1, "due_on", "Enter the due date.")
    model.remove_row(0)
    assert model.rowCount() == 1 and model.error(0, 2) == "Enter the due date."


def test_an_overdue_action_is_marked_in_words(qtbot) -> None:
    import datetime as dt

    model = ActionsModel("supervision")
    choices = Choices(on=dt.date(2024, 6, 12))
    model.set_rows(
        [
            ActionRow(1, "Late", "Probation", "01/06/2024", "in_progress", ""),
            ActionRow(2, "Finished", "Probation", "01/06/2024", "done", ""),
        ],
        choices,
        read_only=True,
    )
    assert model.index(0, 2).data() == "OVERDUE 01/06/2024"
    assert model.index(0, 2).data(Qt.ItemDataRole.ForegroundRole) is not None
    assert model.index(1, 2).data() == "01/06/2024"
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable


def test_compare_dialog_model_is_sound(qtbot, ctx: AppContext, world: World) -> None:
    data = ctx.svc.plans.editor(ctx.officer, world.zebedee)
    dialog = CompareDialog(ctx, data)
    qtbot.addWidget(dialog)
    QAbstractItemModelTester(
        dialog.actions.model(), QAbstractItemModelTester.FailureReportingMode.Fatal
    )
    assert dialog.before.count() == 1


def _submit_horatio_plan(ctx: AppContext, world: World) -> int:
    """A draft with one action, submitted by Ada through the services."""
    plans, actor = ctx.svc.plans, ctx.officer
    plan_id = plans.start_draft(actor, world.horatio)
    draft = plans.editor(actor, world.horatio).draft
    assert draft is not None
    data = plans.save_draft(
        actor,
        plan_id,
        PlanEdit(
            expected_version=draft.version,
            contingency="",
            licence_conditions="",
            review_on="01/12/2024",
            actions=[
                ActionEdit(
                    None, "supervision", "Office", f"officer:{world.ada}", "01/07/2024", "", ""
                )
            ],
        ),
    )
    assert data.draft is not None
    plans.submit(actor, plan_id, data.draft.version)
    return plan_id


def test_a_returned_plan_is_worked_on_again_with_the_comment(
    qtbot,
    ctx: AppContext,
    second_services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
) -> None:
    _submit_horatio_plan(ctx, world)
    cora = make_ctx(second_services, "cora")
    (task,) = [
        p
        for p in cora.svc.approvals.pending_for_offender(cora.officer, world.horatio)
        if p.kind == "plan_approval"
    ]
    cora.svc.approvals.return_(cora.officer, task.task_id, "Add the contingency.")

    window = open_record(qtbot, ctx, world.horatio)
    editor = open_plan(qtbot, window)
    assert editor.editing and editor.shown is not None and editor.shown.state == "returned"
    assert editor.returned.isVisible()
    assert editor.returned.text() == "The sergeant's comment: Add the contingency."
    assert "RETURNED by Cora Pennywhistle" in editor.status.text()
    assert "No contingency plan" in editor.gaps.texts()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_two_desktops_saving_the_same_draft(
    qtbot,
    services: Services,
    second_services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
) -> None:
    first, second = make_ctx(services, "ada"), make_ctx(second_services, "ada")
    first.svc.plans.start_draft(first.officer, world.horatio)
    one = open_plan(qtbot, open_record(qtbot, first, world.horatio))
    two = open_plan(qtbot, open_record(qtbot, second, world.horatio))
    qtbot.keyClicks(one.contingency, "Recall to custody.")
    with qtbot.waitSignal(one.saved, timeout=10_000):
        qtbot.mouseClick(one.save_button, Qt.MouseButton.LeftButton)

    qtbot.keyClicks(two.contingency, "Inform the MAPPA coordinator.")
    with qtbot.waitSignal(two.failed, timeout=10_000):
        qtbot.mouseClick(two.save_button, Qt.MouseButton.LeftButton)
    assert "Ada Quillfeather changed this plan" in two.message_text
    assert two.reload_button.isVisible()
    assert two.contingency.toPlainText() == "Inform the MAPPA coordinator."  # kept

    with qtbot.waitSignal(two.loaded, timeout=10_000):
        qtbot.mouseClick(two.reload_button, Qt.MouseButton.LeftButton)
    assert two.contingency.toPlainText() == "Recall to custody."  # theirs, saved
    assert "Contingency: Inform the MAPPA coordinator." in two.yours.text()  # mine, shown
    assert not two.dirty
