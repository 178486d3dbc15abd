"""The Risk tab and its dialogs, approvals on the record, record quality and the alert strip: an
ARMS needs evidence for a present factor, a submitted ARMS is not in force until approved (the
overdue review of the one in force stays in words), RM2000 categories follow the scores as they
are typed, a MAPPA change lands in the history, a sergeant returns work with a comment, and
nobody outside the team decides."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from db.enums import Role
from db.models import Officer
from desktop.services.assessments import ArmsEdit, FactorEdit
from desktop.services.core import Services
from desktop.services.plans import ActionEdit, PlanEdit
from tests.desktop.factories import World, password_hash, world_clock
from tests.ui.helpers import unnamed, wait_idle
from ui.context import AppContext
from ui.record.approvals import ReturnDialog
from ui.record.arms_dialog import ArmsDialog
from ui.record.risk_dialogs import MappaDialog, Rm2000Dialog
from ui.record.window import RecordWindow


@pytest.fixture
def second_services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def open_record(qtbot, ctx: AppContext, offender_id: int) -> RecordWindow:
    window = RecordWindow(ctx, offender_id)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.history_loaded, timeout=10_000):
        window.show()
    wait_idle(qtbot, ctx)
    return window


def table_texts(table) -> list[list[str]]:
    m = table.model()
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def arms_dialog(qtbot, window: RecordWindow) -> ArmsDialog:
    qtbot.mouseClick(window.risk.arms_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.dialog, ArmsDialog), timeout=10_000)
    dialog = window.dialog
    assert isinstance(dialog, ArmsDialog)
    return dialog


def factor(dialog: ArmsDialog, code: str):
    return next(row for row in dialog.factor_rows if row.code == code)


def submit_arms_by_service(ctx: AppContext, offender_id: int, level: str = "high") -> None:
    svc, actor = ctx.svc, ctx.officer
    form = svc.assessments.new_arms_form(actor, offender_id)
    edit = ArmsEdit(
        None,
        None,
        "10/06/2024",
        level,
        "",
        "",
        [
            FactorEdit(f.code, f.present, f.evidence or ("Seen." if f.present else ""))
            for f in form.factors
        ],
    )
    assessment_id = svc.assessments.save_arms(actor, offender_id, edit)
    version = svc.assessments.arms_form(actor, assessment_id).expected_version
    svc.assessments.submit_arms(actor, assessment_id, version)


def test_arms_needs_evidence_for_a_present_factor_and_is_submitted(
    qtbot, ctx: AppContext, world: World
) -> None:
    window = open_record(qtbot, ctx, world.zebedee)
    dialog = arms_dialog(qtbot, window)
    assert dialog.list_label.text() == (
        "Default factor list: replace with your force's ARMS form wording"
    )
    assert len(dialog.factor_rows) == 11
    # The new form starts from the latest assessment's factors.
    assert factor(dialog, "sexual_preoccupation").present.isChecked()
    assert dialog.value("assessed_on") == "12/06/2024"
    assert "Blank means 12/06/2025, 12 months after" in dialog.default_review.text()

    hostile = factor(dialog, "hostile_orientation")
    qtbot.mouseClick(hostile.present, Qt.MouseButton.LeftButton)
    assert hostile.present.isChecked()
    assert hostile.evidence.placeholderText().startswith("Required")
    dialog.set_value("next_review_on", "01/01/2026")  # later than the default
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert dialog.isVisible()
    name = f"factors[{hostile.index}].evidence"
    assert dialog.field_error(name) == (
        "Enter the evidence for Hostile orientation: it is marked present."
    )
    assert "not put off" in dialog.field_error("next_review_on")
    assert dialog.message_text.startswith("Please correct the 2 problems")
    assert hostile.present.isChecked()  # nothing typed is lost

    qtbot.keyClicks(hostile.evidence, "Threatened a neighbour (fictional).")
    dialog.set_value("next_review_on", "")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.submit_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    risk = window.risk
    # What is in force is still the approved ARMS; the new one waits, in words.
    assert risk.in_force.text().startswith("In force: ARMS of 12/12/2023, High")
    assert "A newer ARMS of 12/06/2024 (High) awaits a sergeant's approval" in (risk.pending.text())
    assert table_texts(risk.assessments)[0][5] == "Submitted, awaiting approval"
    assert not risk.arms_button.isEnabled()
    # Four eyes: Ada sees it waiting, with the reason she cannot approve it.
    arms_task = next(p for p in window.approvals.pending if p.kind == "assessment_approval")
    assert arms_task.task_id not in window.approvals.approve_buttons
    assert "four eyes" in window.approvals.reasons[arms_task.task_id].text()


def test_in_force_arms_overdue_while_a_newer_one_waits(
    qtbot, ctx: AppContext, world: World
) -> None:
    submit_arms_by_service(ctx, world.horatio, "very_high")
    window = open_record(qtbot, ctx, world.horatio)
    risk = window.risk
    assert risk.in_force.text().startswith("In force: ARMS of 12/05/2023, Very high")
    assert "Review OVERDUE: it was due on 12/05/2024" in risk.in_force.text()
    assert risk.in_force.property("tone") == "alert"
    assert "awaits a sergeant's approval" in risk.pending.text()
    in_force = [row[4] for row in table_texts(risk.assessments) if "in force" in row[5]]
    assert in_force == ["OVERDUE 12/05/2024"]
    assert "ARMS review OVERDUE since 12/05/2024" in window.alerts.text()


def test_rm2000_categories_follow_the_scores(qtbot, ctx: AppContext, world: World) -> None:
    window = open_record(qtbot, ctx, world.zebedee)
    dialog = Rm2000Dialog(ctx, window.record)
    qtbot.addWidget(dialog)
    dialog.show()
    assert "appear here" in dialog.preview.text()
    qtbot.keyClicks(dialog.inputs["sexual"], "3")
    qtbot.keyClicks(dialog.inputs["violent"], "2")
    qtbot.keyClicks(dialog.inputs["aggravating"], "0")
    assert dialog.preview.text().splitlines() == [
        "Sexual category: Medium",
        "Violent category: Medium",
        "Combined score 5: High (the RM2000 level recorded)",
    ]
    dialog.inputs["aggravating"].clear()
    qtbot.keyClicks(dialog.inputs["aggravating"], "2")
    assert dialog.preview.text().splitlines()[0] == "Sexual category: High"
    assert "Combined score 5: Very high" in dialog.preview.text()
    assert dialog.preview.property("tone") == "alert"
    dialog.inputs["aggravating"].clear()
    qtbot.keyClicks(dialog.inputs["aggravating"], "7")
    assert "0 to 4" in dialog.preview.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert "0 to 4" in dialog.field_error("aggravating")
    dialog.inputs["aggravating"].clear()
    qtbot.keyClicks(dialog.inputs["aggravating"], "2")
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    record = dialog.record
    rm = next(a for a in record.assessments if a.kind == "rm2000")
    assert (rm.level, rm.state, rm.rm2000_combined) == ("very_high", "submitted", 5)


def test_mappa_change_appears_in_the_history(qtbot, ctx: AppContext, world: World) -> None:
    window = open_record(qtbot, ctx, world.zebedee)
    assert table_texts(window.risk.mappa_history)[0][1] == "No change recorded since registration."
    qtbot.mouseClick(window.risk.mappa_button, Qt.MouseButton.LeftButton)
    dialog = window.dialog
    assert isinstance(dialog, MappaDialog)
    assert dialog.value("category") == "1" and dialog.value("level") == "2"
    dialog.set_value("level", "3")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert dialog.field_error("reason")  # a reason is required
    qtbot.keyClicks(dialog.inputs["reason"], "MAPPA meeting of 10/06/2024 raised the level.")
    with qtbot.waitSignal(window.history_loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    history = table_texts(window.risk.mappa_history)
    assert history[0] == [
        "12/06/2024 11:00\nAda Quillfeather",
        "Category 1, level 3. MAPPA meeting of 10/06/2024 raised the level.",
    ]
    assert window.mappa_chip.text() == "MAPPA Cat 1 / Level 3"
    assert window.risk.mappa_now.text() == "MAPPA category 1 (RSO), level 3."


def test_sergeant_returns_an_arms_with_a_comment(
    qtbot,
    ctx: AppContext,
    second_services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
) -> None:
    submit_arms_by_service(ctx, world.zebedee)
    cora = make_ctx(second_services, "cora")
    sergeant = open_record(qtbot, cora, world.zebedee)
    (pending,) = sergeant.approvals.pending
    assert pending.kind == "assessment_approval"
    qtbot.mouseClick(sergeant.approvals.return_buttons[pending.task_id], Qt.MouseButton.LeftButton)
    dialog = sergeant.dialog
    assert isinstance(dialog, ReturnDialog)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, cora)
    assert dialog.isVisible() and dialog.field_error("comment")
    qtbot.keyClicks(dialog.inputs["comment"], "Give the evidence for access to victims.")
    with qtbot.waitSignal(sergeant.decided, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, cora)
    assert sergeant.approvals.pending == [] and not sergeant.approvals.isVisible()

    window = open_record(qtbot, ctx, world.zebedee)
    assert "RETURNED by the sergeant" in window.risk.pending.text()
    assert window.risk.arms_button.text() == "Continue the ARMS dr&aft…"
    dialog = arms_dialog(qtbot, window)
    assert dialog.returned.isVisible()
    assert "Give the evidence for access to victims." in dialog.returned.text()
    dialog.reject()


def test_nobody_outside_the_team_decides(
    qtbot, ctx: AppContext, services: Services, make_ctx, world: World, session
) -> None:
    submit_arms_by_service(ctx, world.zebedee)
    session.add(
        Officer(
            username="ivor",
            forename="Ivor",
            surname="Gumdrop",
            collar_number="ZZ999",
            role=Role.TEAM_MANAGER,
            team_id=world.birch,
            password_hash=password_hash(),
        )
    )
    session.commit()
    # Birch's team manager may read any record, but decides only Birch's work.
    window = open_record(qtbot, make_ctx(services, "ivor"), world.zebedee)
    (pending,) = window.approvals.pending
    assert window.approvals.approve_buttons == {}
    assert "Only a sergeant or team manager of Alder team" in (
        window.approvals.reasons[pending.task_id].text()
    )
    # Birch's sergeant cannot even open an Alder record: the refusal is shown.
    hattie = make_ctx(services, "hattie")
    refused = RecordWindow(hattie, world.zebedee)
    qtbot.addWidget(refused)
    with qtbot.waitSignal(refused.failed, timeout=10_000):
        refused.show()
    assert "Only Alder team officers can open" in refused.message.text()
    assert not refused.tabs.isEnabled()


def test_record_quality_on_the_summary(qtbot, ctx: AppContext, world: World) -> None:
    window = open_record(qtbot, ctx, world.horatio)
    report = window.record.quality
    quality = window.summary.quality
    assert quality.score.text() == (
        f"Quality {report.score}% — {report.passed} of {report.checks} checks passed."
    )
    rows = table_texts(quality.findings)
    assert len(rows) == len(report.findings) > 0
    assert rows[0][0] == "High"  # most severe first, in words
    assert any("ARMS review was due on 12/05/2024" in row[2] for row in rows)
    colour = quality.findings.model().index(0, 0).data(Qt.ItemDataRole.ForegroundRole)
    assert colour is not None


def test_alert_strip_names_an_overdue_plan_review(
    qtbot,
    ctx: AppContext,
    second_services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
) -> None:
    plans, actor = ctx.svc.plans, ctx.officer
    plan_id = plans.start_draft(actor, world.horatio)
    data = plans.save_draft(
        actor,
        plan_id,
        PlanEdit(
            expected_version=plans.editor(actor, world.horatio).draft.version,
            contingency="Recall.",
            licence_conditions="",
            review_on="01/06/2024",
            actions=[
                ActionEdit(None, p, "Action", f"officer:{world.ada}", "01/07/2024", "", "")
                for p in ("supervision", "monitoring_control")
            ],
        ),
    )
    plans.submit(actor, plan_id, data.draft.version)
    cora = make_ctx(second_services, "cora")
    (task,) = [
        p
        for p in cora.svc.approvals.pending_for_offender(cora.officer, world.horatio)
        if p.kind == "plan_approval"
    ]
    cora.svc.approvals.approve(cora.officer, task.task_id)

    window = open_record(qtbot, ctx, world.horatio)
    assert "Plan review OVERDUE since 01/06/2024" in window.alerts.text()
    editor = window.plan
    with qtbot.waitSignal(editor.loaded, timeout=10_000):
        window.tabs.setCurrentWidget(editor)
    assert editor.review_note.text() == "OVERDUE: the review was due on 01/06/2024"
    assert "Plan review was due on 01/06/2024" in editor.gaps.texts()
    assert dt.date(2024, 6, 1) < world.today


def test_new_dialogs_have_accessible_names(
    qtbot, ctx: AppContext, make_ctx, services: Services, world: World, monkeypatch
) -> None:
    submit_arms_by_service(ctx, world.zebedee)
    window = open_record(qtbot, ctx, world.zebedee)
    assert unnamed(window) == []
    record = window.record
    svc = ctx.svc
    form = svc.assessments.new_arms_form(ctx.officer, world.horatio)
    for dialog in (
        ArmsDialog(ctx, record, svc.assessments.factor_list(), form),
        Rm2000Dialog(ctx, record),
        MappaDialog(ctx, record),
        ReturnDialog(ctx, record, record.pending_approvals[0]),
    ):
        qtbot.addWidget(dialog)
        assert unnamed(dialog) == [], type(dialog).__name__
    sergeant = open_record(qtbot, make_ctx(services, "cora"), world.zebedee)
    assert sergeant.approvals.approve_buttons
    assert unnamed(sergeant) == []
    monkeypatch.setattr(
        QMessageBox, "question", staticmethod(lambda *a, **k: QMessageBox.StandardButton.No)
    )
    button = next(iter(sergeant.approvals.approve_buttons.values()))
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)  # asked, and declined: nothing runs
    assert not sergeant.ctx.runner.busy and sergeant.approvals.pending
