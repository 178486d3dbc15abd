"""No silent closing on the Visits screen (issue #7, item 4), against the real services: the
Safeguarding section appears only when children were present; Submit is disabled, saying why,
until a PPN is raised from the visit or "no PPN needed" is recorded with a reason; the reason
dialog refuses an empty reason and keeps what was typed.

Zebedee's visit (Ada and Bram, Saturday 22/06/2024, next week on the screen) is recorded by Ada
as completed on 12/06/2024 with Pip, his partner's son, at home."""

from __future__ import annotations

import os
from pathlib import Path

from desktop.rules.visit_closing import DECISION_NEEDED
from desktop.services.core import Services
from desktop.services.visits import OutcomeEdit, VisitView
from tests.desktop.factories import World
from tests.ui.helpers import unnamed, wait_idle
from tests.ui.test_visits_helpers import choose_visit, click, open_screen, pick, type_into
from ui.context import AppContext
from ui.visits.details import VisitDetailsDialog
from ui.visits.outcome_dialog import OutcomeDialog
from ui.visits.safeguarding import SAVE_OUTCOME_FIRST, NoPpnDialog
from ui.visits.screen import VisitsScreen

ZEBEDEE = "ZZ/2019/004512"
REASON = "Pip was with his mother throughout; no concern seen or heard."
SHOTS = os.environ.get("PILLARS_SCREENSHOTS")  # a folder: save what the tests show, to look at


def shoot(widget, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        assert widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def record(services: Services, ctx: AppContext, world: World, children: str) -> VisitView:
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
            outcome="completed",
            occurred_date="12/06/2024",
            occurred_time="09:30",
            officer1="ada",
            officer2="bram",
            home_circumstances="Tidy flat; partner and her son at home.",
            children_present=children,
        ),
    )
    return services.visits.get(ctx.officer, view.visit_id)


def next_week(qtbot, ctx: AppContext) -> VisitsScreen:
    screen = open_screen(qtbot, ctx)
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        screen.show_week(1)
    choose_visit(screen, ZEBEDEE)
    return screen


def open_details(qtbot, screen: VisitsScreen) -> VisitDetailsDialog:
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as opened:
        screen.open_current()
    details = opened.args[0]
    assert isinstance(details, VisitDetailsDialog)
    wait_idle(qtbot, screen.ctx)
    return details


def open_no_ppn(qtbot, section) -> NoPpnDialog:
    with qtbot.waitSignal(section.dialog_opened, timeout=5000) as opened:
        click(qtbot, section.no_ppn_button)
    dialog = opened.args[0]
    assert isinstance(dialog, NoPpnDialog)
    return dialog


def test_no_section_when_no_children_were_present(
    qtbot, services: Services, ctx: AppContext, world: World
) -> None:
    record(services, ctx, world, "no")
    screen = next_week(qtbot, ctx)
    assert screen.submit_button.isEnabled()
    details = open_details(qtbot, screen)
    assert details.safeguarding is None
    shoot(details, "details-no-children")
    assert details.action_buttons["submit"].isEnabled()
    details.reject()


def test_submit_waits_for_no_ppn_needed_with_a_reason(
    qtbot, services: Services, ctx: AppContext, world: World
) -> None:
    saved = record(services, ctx, world, "yes")
    screen = next_week(qtbot, ctx)
    assert not screen.submit_button.isEnabled()
    assert screen.submit_button.toolTip() == DECISION_NEEDED
    details = open_details(qtbot, screen)
    section = details.safeguarding
    assert section is not None and section.isVisible()
    assert section.status.text() == "Not decided: required before the record can be submitted"
    submit = details.action_buttons["submit"]
    assert not submit.isEnabled() and submit.toolTip() == DECISION_NEEDED
    assert section.raise_button.isEnabled() and section.no_ppn_button.isEnabled()
    shoot(details, "details-not-decided")

    dialog = open_no_ppn(qtbot, section)
    assert unnamed(dialog) == []
    assert dialog.windowTitle() == f"No PPN needed: {ZEBEDEE} Zebedee Plimsoll"
    click(qtbot, dialog.save_button)
    wait_idle(qtbot, ctx)
    assert dialog.isVisible()
    assert dialog.field_error("reason") == "Enter the reason no PPN is needed."
    assert dialog.message_text.endswith("Nothing was saved.")
    type_into(qtbot, dialog.reason, "Not needed")
    click(qtbot, dialog.save_button)
    wait_idle(qtbot, ctx)
    assert "in a few words" in dialog.field_error("reason")
    assert dialog.reason.toPlainText() == "Not needed"  # what was typed stays
    shoot(dialog, "no-ppn-refused")
    type_into(qtbot, dialog.reason, REASON)
    with qtbot.waitSignal(section.changed, timeout=10_000):
        click(qtbot, dialog.save_button)
    wait_idle(qtbot, ctx)
    assert section.dialog is None  # closed
    assert section.status.text() == f"No PPN needed: {REASON}"
    assert section.no_ppn_button.text() == "Change the reason…"
    assert submit.isEnabled()
    assert details.visit.version == saved.version + 1
    assert screen.state_text == f"Visit to {ZEBEDEE}: No PPN needed: {REASON}."
    shoot(details, "details-no-ppn-needed")

    # Submit from the details works on the visit as it now stands
    with qtbot.waitSignal(screen.changed, timeout=10_000):
        click(qtbot, submit)
    wait_idle(qtbot, ctx)
    assert screen.state_text == (
        f"The record of the visit to {ZEBEDEE} is with the sergeant for approval."
    )
    assert services.visits.get(ctx.officer, saved.visit_id).record_state == "submitted"


def test_a_ppn_raised_from_the_visit_is_shown_and_lets_the_record_go(
    qtbot, services: Services, ctx: AppContext, world: World
) -> None:
    saved = record(services, ctx, world, "yes")
    screen = next_week(qtbot, ctx)
    details = open_details(qtbot, screen)
    section = details.safeguarding
    assert section is not None
    with qtbot.waitSignal(section.dialog_opened, timeout=5000) as opened:
        click(qtbot, section.raise_button)
    raising = opened.args[0]
    wait_idle(qtbot, ctx)
    assert raising.visit_id == saved.visit_id
    assert (raising.date_box.text(), raising.time_box.text()) == ("12/06/2024", "09:30")
    raising.grade_choice.set_grade("amber")
    type_into(qtbot, raising.concern_box, "Pip said a man he did not know stays at weekends.")
    with qtbot.waitSignal(section.changed, timeout=10_000):
        click(qtbot, raising.save_button)
    wait_idle(qtbot, ctx)
    assert section.status.text() == "PPN raised: amber, draft"
    assert details.action_buttons["submit"].isEnabled()
    shoot(details, "details-ppn-raised")
    details.reject()
    wait_idle(qtbot, ctx)
    assert choose_visit(screen, ZEBEDEE).can_submit and screen.submit_button.isEnabled()


def test_the_outcome_dialog_asks_for_the_decision_before_submitting(
    qtbot, services: Services, ctx: AppContext, world: World
) -> None:
    screen = next_week(qtbot, ctx)
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as opened:
        click(qtbot, screen.record_button)
    dialog = opened.args[0]
    assert isinstance(dialog, OutcomeDialog)
    wait_idle(qtbot, ctx)
    assert not dialog.safeguarding.isVisible()
    assert dialog.submit_button.isEnabled()
    pick(dialog.outcome, "completed")
    type_into(qtbot, dialog.time_field, "09:30")
    type_into(qtbot, dialog.home, "Tidy flat; partner and her son at home.")
    pick(dialog.children, "yes")
    assert dialog.safeguarding.isVisible()
    assert not dialog.submit_button.isEnabled()
    assert dialog.submit_button.toolTip() == DECISION_NEEDED
    # the outcome is not saved yet: nothing to decide on
    assert not dialog.safeguarding.no_ppn_button.isEnabled()
    assert dialog.safeguarding.hint.text() == SAVE_OUTCOME_FIRST
    shoot(dialog, "outcome-children-unsaved")
    pick(dialog.children, "no")
    assert not dialog.safeguarding.isVisible() and dialog.submit_button.isEnabled()
    pick(dialog.children, "yes")
    with qtbot.waitSignal(screen.week_loaded, timeout=10_000):
        click(qtbot, dialog.save_button)
    wait_idle(qtbot, ctx)
    assert screen.state_text.endswith(
        "Children were present: open the visit to raise a PPN or record why none is needed."
    )

    # opened again: the decision is made here, then the record submitted with the outcome
    with qtbot.waitSignal(screen.dialog_opened, timeout=5000) as opened:
        click(qtbot, screen.record_button)
    dialog = opened.args[0]
    wait_idle(qtbot, ctx)
    section = dialog.safeguarding
    assert section.isVisible() and section.no_ppn_button.isEnabled()
    assert not dialog.submit_button.isEnabled()
    type_into(qtbot, dialog.notes, "Pip showed us his drawings.")  # typed before deciding
    no_ppn = open_no_ppn(qtbot, section)
    type_into(qtbot, no_ppn.reason, REASON)
    with qtbot.waitSignal(section.changed, timeout=10_000):
        click(qtbot, no_ppn.save_button)
    wait_idle(qtbot, ctx)
    assert dialog.submit_button.isEnabled()
    assert dialog.notes.toPlainText() == "Pip showed us his drawings."
    shoot(dialog, "outcome-decided")
    with qtbot.waitSignal(dialog.submitted, timeout=10_000):
        click(qtbot, dialog.submit_button)
    wait_idle(qtbot, ctx)
    view = choose_visit(screen, ZEBEDEE)
    assert view.record_state == "submitted" and view.notes == "Pip showed us his drawings."
    assert view.ppn_decision_reason == REASON


def test_every_control_of_the_section_has_an_accessible_name(
    qtbot, services: Services, ctx: AppContext, world: World
) -> None:
    view = record(services, ctx, world, "yes")
    details = VisitDetailsDialog(ctx, view)
    qtbot.addWidget(details)
    details.show()
    wait_idle(qtbot, ctx)
    assert details.safeguarding is not None and unnamed(details.safeguarding) == []
