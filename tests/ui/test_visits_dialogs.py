"""The visit dialogs against the real visit service: planning with a crew member off duty (marked
in the picker, refused by the service, the refusal under the field), every problem under its own
field with what was typed kept, a permission refusal, cancelling with a reason, recording an
outcome (children present is the safeguarding hook), and two desktops moving the same visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt

from desktop.services.core import Services
from tests.desktop.factories import World, world_clock
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
from ui.context import AppContext
from ui.visits.cancel_dialog import CancelVisitDialog
from ui.visits.outcome_dialog import OutcomeDialog
from ui.visits.plan_dialog import PlanTarget, PlanVisitDialog
from ui.visits.screen import VisitsScreen

HORATIO = "ZZ/2018/002209"
ZEBEDEE = "ZZ/2019/004512"


def open_from_screen(qtbot, screen: VisitsScreen, button) -> object:
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as opened:
        click(qtbot, button)
    dialog = opened.args[0]
    wait_idle(qtbot, screen.ctx)
    return dialog


def set_date(qtbot, dialog, text: str) -> None:
    """Type a date and wait for the crew pickers to follow it."""
    with qtbot.waitSignal(dialog.crew.loaded, timeout=10_000):
        type_into(qtbot, dialog.date_field, text)
    wait_idle(qtbot, dialog.ctx)


def save(qtbot, dialog) -> None:
    click(qtbot, dialog.save_button)
    wait_idle(qtbot, dialog.ctx)


def test_plan_refuses_an_officer_off_duty_then_plans(
    qtbot, ctx: AppContext, world: World, db_url: str
) -> None:
    absent(db_url, world.bram, dt.date(2024, 6, 13), dt.date(2024, 6, 14))
    screen = open_screen(qtbot, ctx)
    choose_due(screen, world.horatio)
    dialog = open_from_screen(qtbot, screen, screen.plan_button)
    assert isinstance(dialog, PlanVisitDialog) and not dialog.moving
    assert dialog.windowTitle() == f"Plan a visit to {HORATIO} Horatio Fiddlesticks"
    assert dialog.date_field.text() == "12/06/2024"  # the window opens today
    assert dialog.window_label.text().startswith("12/06/2024 to 18/06/2024.")
    assert "Overdue since 12/04/2024" in dialog.intro.text()
    assert dialog.first.currentData() == "ada"  # the offender's manager
    assert dialog.second.currentData() == ""

    set_date(qtbot, dialog, "13/06/2024")
    assert dialog.day_word.text() == "Thursday"
    type_into(qtbot, dialog.time_field, "18:30")
    assert dialog.band_word.text() == "Evening"
    pick(dialog.second, "bram")
    assert "OFF DUTY, on leave" in dialog.second.currentText()
    assert (
        dialog.second.itemData(dialog.second.currentIndex(), Qt.ItemDataRole.ForegroundRole)
        is not None
    )
    assert "Off duty: Bramwell Tiddlecombe." in dialog.crew_note.text()
    assert "OFF DUTY" in dialog.second.accessibleDescription()
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.field_error("officer2") == (
        "Bramwell Tiddlecombe is off duty (leave) on 13/06/2024."
    )
    assert dialog.message_text == "Please correct the field marked below."
    assert dialog.date_field.text() == "13/06/2024" and dialog.time_field.text() == "18:30"

    pick(dialog.second, "cora")
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        save(qtbot, dialog)
    wait_idle(qtbot, ctx)
    assert screen.dialog is None
    assert screen.state_text == f"Visit to {HORATIO} planned for 13/06/2024 at 18:30."
    horatio = week_visits(screen)[HORATIO]
    assert horatio.officers == ("ada", "cora")
    assert screen.current_visit() is not None
    assert screen.current_visit().visit_id == horatio.visit_id  # the new visit is chosen
    assert screen.week_pane.day == dt.date(2024, 6, 13)
    due = next(d for d in screen.due_pane.model.rows if d.offender_id == world.horatio)
    assert due.planned_visit is not None


def test_every_problem_is_shown_by_its_field_and_typing_is_kept(
    qtbot, ctx: AppContext, world: World
) -> None:
    screen = open_screen(qtbot, ctx)
    choose_due(screen, world.horatio)
    dialog = open_from_screen(qtbot, screen, screen.plan_button)
    set_date(qtbot, dialog, "25/06/2024")
    assert dialog.outside_hint.isVisible()
    assert dialog.outside_hint.text().startswith("25/06/2024 is outside the visit window")
    type_into(qtbot, dialog.time_field, "23:30")
    qtbot.mouseClick(dialog.announced, Qt.MouseButton.LeftButton)
    assert dialog.announced.isChecked() and dialog.announced_reason.isEnabled()
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert "between 07:00 and 21:59" in dialog.field_error("time")
    assert dialog.field_error("officer2").startswith("Choose the second officer")
    assert dialog.field_error("announced_reason")
    assert "outside the visit window" in dialog.field_error("outside_window_reason")
    assert dialog.field_error("date") == ""
    assert dialog.message_text == "Please correct the 4 problems marked below."
    assert dialog.inputs["time"].property("invalid") is True
    assert dialog.time_field.text() == "23:30" and dialog.date_field.text() == "25/06/2024"

    type_into(qtbot, dialog.time_field, "11:00")
    type_into(qtbot, dialog.announced_reason, "Works away: card 4539 1488 0343 6467")
    type_into(qtbot, dialog.outside_reason, "Court hearing all week.")
    pick(dialog.second, "bram")
    save(qtbot, dialog)
    assert "card" in dialog.field_error("announced_reason").lower()
    assert dialog.field_error("time") == "" and dialog.field_error("officer2") == ""
    assert dialog.inputs["time"].property("invalid") is False
    dialog.reject()


def test_a_permission_refusal_is_shown_and_nothing_is_saved(
    qtbot, services: Services, ctx: AppContext, world: World
) -> None:
    # Percival is Bram's: Ada may see her team's offenders but not plan for his
    target = PlanTarget(world.percival, "ZZ/2021/010010", "Percival Gumboot", None, None, "Test")
    dialog = PlanVisitDialog(ctx, target)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, ctx)
    set_date(qtbot, dialog, "13/06/2024")
    type_into(qtbot, dialog.time_field, "18:30")
    pick(dialog.second, "bram")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.message_text.startswith("Only the offender's manager, or a sergeant")
    assert dialog.time_field.text() == "18:30"
    assert not [
        v
        for v in services.visits.for_offender(ctx.officer, world.percival)
        if v.outcome == "planned"
    ]


def test_cancel_needs_a_reason(qtbot, services: Services, ctx: AppContext, world: World) -> None:
    screen = open_screen(qtbot, ctx)
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        screen.show_week(1)
    view = choose_visit(screen, ZEBEDEE)
    dialog = open_from_screen(qtbot, screen, screen.cancel_button)
    assert isinstance(dialog, CancelVisitDialog)
    save(qtbot, dialog)
    assert dialog.field_error("reason")
    type_into(qtbot, dialog.reason, "Crew sent to an urgent job.")
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        save(qtbot, dialog)
    wait_idle(qtbot, ctx)
    assert screen.state_text == (f"Visit to {ZEBEDEE} cancelled: they are due a visit again.")
    cancelled = services.visits.get(ctx.officer, view.visit_id)
    assert cancelled.outcome == "cancelled" and cancelled.notes == "Crew sent to an urgent job."
    assert screen.week_pane.model.index(0, 5).data().endswith("Cancelled")
    # a new visit can be planned for him from the cancelled one
    choose_visit(screen, ZEBEDEE)
    assert screen.plan_button.isEnabled() and not screen.move_button.isEnabled()


def test_record_outcome_checks_the_fields_and_flags_children(
    qtbot, services: Services, ctx: AppContext, world: World
) -> None:
    screen = open_screen(qtbot, ctx)
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        screen.show_week(1)
    choose_visit(screen, ZEBEDEE)
    dialog = open_from_screen(qtbot, screen, screen.record_button)
    assert isinstance(dialog, OutcomeDialog)
    assert dialog.date_field.text() == "12/06/2024"  # the visit is later: today, time to type
    assert dialog.time_field.text() == ""
    assert (dialog.first.currentData(), dialog.second.currentData()) == ("ada", "bram")
    pick(dialog.outcome, "completed")
    save(qtbot, dialog)
    assert set(name for name in dialog.errors if dialog.field_error(name)) == {
        "occurred_time",
        "home_circumstances",
        "children_present",
    }
    pick(dialog.outcome, "no_access")
    type_into(qtbot, dialog.time_field, "09:00")
    save(qtbot, dialog)
    assert set(name for name in dialog.errors if dialog.field_error(name)) == {"notes"}

    pick(dialog.outcome, "completed")
    type_into(qtbot, dialog.home, "Tidy flat; partner and her son at home.")
    assert not dialog.children_note.isVisible()
    pick(dialog.children, "yes")
    assert dialog.children_note.isVisible()
    assert "PPN" in dialog.children_note.text()
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        save(qtbot, dialog)
    wait_idle(qtbot, ctx)
    assert screen.state_text == (
        f"Outcome recorded for the visit to {ZEBEDEE}: Completed. The record stays a draft "
        "until it is submitted for approval. Children were present: open the visit to raise a "
        "PPN or record why none is needed."
    )
    view = choose_visit(screen, ZEBEDEE)
    assert view.children_present is True and view.record_state == "draft"
    assert not screen.submit_button.isEnabled()
    assert "Completed, record not submitted" in screen.week_pane.model.index(0, 5).data()


@pytest.fixture
def second_services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_two_desktops_moving_the_same_visit(
    qtbot,
    services: Services,
    second_services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
) -> None:
    ada = make_ctx(services, "ada")
    cora = make_ctx(second_services, "cora")
    [view] = [
        v
        for v in services.visits.for_offender(ada.officer, world.zebedee)
        if v.outcome == "planned"
    ]
    target = PlanTarget.from_visit(view)
    one, two = PlanVisitDialog(ada, target, view), PlanVisitDialog(cora, target, view)
    for dialog in (one, two):
        qtbot.addWidget(dialog)
        dialog.show()
        wait_idle(qtbot, dialog.ctx)
    assert two.reload_button.isHidden()
    type_into(qtbot, one.time_field, "18:00")
    set_date(qtbot, two, "20/06/2024")
    with qtbot.waitSignal(one.saved, timeout=10_000):
        click(qtbot, one.save_button)
    wait_idle(qtbot, ada)
    save(qtbot, two)
    assert two.isVisible()
    assert two.message_text.startswith("Ada Quillfeather changed this visit")
    assert two.reload_button.isVisible()
    assert two.date_field.text() == "20/06/2024"  # nothing typed is lost
    assert services.visits.get(ada.officer, view.visit_id).at.strftime("%d/%m %H:%M") == (
        "22/06 18:00"
    )

    with qtbot.waitSignal(two.refreshed, timeout=10_000):
        click(qtbot, two.reload_button)
    wait_idle(qtbot, cora)
    assert two.time_field.text() == "18:00" and two.date_field.text() == "22/06/2024"
    assert "Date: 20/06/2024" in two.yours.text()
    set_date(qtbot, two, "20/06/2024")
    with qtbot.waitSignal(two.saved, timeout=10_000):
        click(qtbot, two.save_button)
    wait_idle(qtbot, cora)
    moved = services.visits.get(ada.officer, view.visit_id)
    assert moved.at.strftime("%d/%m/%Y %H:%M") == "20/06/2024 18:00"


def test_submit_a_recorded_visit_from_the_screen(
    qtbot, services: Services, ctx: AppContext, world: World
) -> None:
    from desktop.services.visits import OutcomeEdit

    [view] = [
        v
        for v in services.visits.for_offender(ctx.officer, world.zebedee)
        if v.outcome == "planned"
    ]
    services.visits.record_outcome(
        ctx.officer,
        view.visit_id,
        OutcomeEdit(
            expected_version=view.version,
            outcome="refused_entry",
            occurred_date="12/06/2024",
            occurred_time="09:30",
            officer1="ada",
            officer2="bram",
            notes="Refused at the door.",
        ),
    )
    screen = open_screen(qtbot, ctx)
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        screen.show_week(1)
    choose_visit(screen, ZEBEDEE)
    assert screen.submit_button.isEnabled() and screen.record_button.isEnabled()
    with qtbot.waitSignal(screen.changed, timeout=10_000):
        click(qtbot, screen.submit_button)
    wait_idle(qtbot, ctx)
    assert screen.state_text == (
        f"The record of the visit to {ZEBEDEE} is with the sergeant for approval."
    )
    submitted = choose_visit(screen, ZEBEDEE)
    assert submitted.record_state == "submitted"
    assert not screen.submit_button.isEnabled() and not screen.record_button.isEnabled()
    cora = services.auth.sign_in("cora", "pillars-demo")
    assert [
        t.subject_id
        for t in services.approvals.pending_for_offender(cora, world.zebedee)
        if t.kind == "visit_approval"
    ] == [view.visit_id]


def test_a_hub_officer_is_told_why_there_is_no_planner(
    qtbot, services: Services, make_ctx, world: World
) -> None:
    elsie = make_ctx(services, "elsie")
    screen = VisitsScreen(elsie)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(screen.failed, timeout=10_000):
        screen.activate()
    wait_idle(qtbot, elsie)
    assert screen.state_text.startswith("The hub officer role has no visit planner")
    assert screen.week_pane.model.columnCount() == 0
    assert not screen.export_button.isEnabled()
    assert not any(b.isEnabled() for b in screen.action_buttons.values())
    assert screen.due_pane.summary.text().startswith("The hub officer role has no visits due")
