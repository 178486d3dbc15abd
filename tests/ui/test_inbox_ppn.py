"""The inbox's PPN tasks, on SQLite and PostgreSQL: three PPNs within three months for one
offender escalate to the sergeant, whose inbox lists the PPNs behind the escalation and who
acknowledges it with a required note; a PPN follow-up shows its PPN, and a refused decision keeps
what was typed."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from desktop.services.core import Services
from tests.desktop.factories import World
from tests.ui.helpers import unnamed, wait_idle
from tests.ui.test_safeguarding import click, open_inbox, press_for_dialog, raise_ppn, save
from ui.context import AppContext
from ui.inbox.screen import InboxScreen
from ui.safeguarding.dialogs import AcknowledgeEscalationDialog, DecisionDialog

pytestmark = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def choose_task(qtbot, screen: InboxScreen, kind: str) -> int:
    """Show the follow-ups and choose the first task of `kind` about a PPN (the world's own
    follow-up names none); wait for its PPNs to show."""
    screen.group_bar.setCurrentIndex(screen.groups.index("follow_up"))
    items = [screen.model.item_at(r) for r in range(screen.model.rowCount())]
    task = next(i for i in items if i is not None and i.kind == kind and i.subject_id)
    with qtbot.waitSignal(screen.subject_loaded, timeout=10_000):
        screen.table.selectRow(screen.model.row_of(task.task_id))
    wait_idle(qtbot, screen.ctx)
    assert screen.claimed == task.task_id
    return task.task_id


def test_the_sergeant_acknowledges_an_escalation_from_the_inbox(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    ppns = [
        raise_ppn(services, "ada", world.zebedee, hours_ago=hours, grade=grade)
        for hours, grade in ((24 * 40, "green"), (24 * 12, "amber"), (3, "red"))
    ]
    ctx = make_ctx(services, "cora")
    screen = open_inbox(qtbot, ctx)
    task_id = choose_task(qtbot, screen, "ppn_escalation")
    assert screen.detail.buttons["acknowledge"].isVisible()
    assert not screen.detail.buttons["decision"].isVisible()
    assert not screen.detail.buttons["approve"].isVisible()
    listed = screen.detail.subject.escalated
    assert listed.rows.rowCount() == 3
    assert [listed.rows.index(r, 2).data() for r in range(3)] == ["Green", "Amber", "Red"]
    assert screen.detail.subject.escalation_summary.text().startswith("3 PPNs within three months")
    assert sorted(p.ppn_id for p in screen.subject.ppns) == sorted(ppns)

    dialog = press_for_dialog(qtbot, screen, screen.detail.buttons["acknowledge"])
    assert isinstance(dialog, AcknowledgeEscalationDialog) and not unnamed(dialog)
    click(qtbot, dialog.save_button)  # no note: refused, nothing saved
    assert dialog.isVisible() and dialog.field_error("note")
    assert dialog.message_text.endswith("Nothing was saved.")
    qtbot.keyClicks(dialog.note_box, "Fictional: strategy discussion booked with the MASH.")
    with qtbot.waitSignal(screen.decided, timeout=10_000) as decided:
        save(qtbot, dialog)
    wait_idle(qtbot, ctx)
    assert decided.args == ["acknowledged"]
    assert screen.state_label.text().startswith("Escalation acknowledged: ")
    assert task_id not in {i.task_id for i in screen.inbox.items}
    assert task_id not in {i.task_id for i in services.inbox.tasks(ctx.officer).items}


def test_a_follow_up_shows_its_ppn_and_a_refused_decision_keeps_the_typing(
    qtbot, ctx: AppContext, services: Services, world: World
) -> None:
    ppn_id = raise_ppn(services, "ada", world.zebedee, hours_ago=5)
    actor = ctx.officer
    services.ppns.submit(actor, ppn_id, services.ppns.get(actor, ppn_id).version)
    services.ppns.record_mash_review(
        actor,
        ppn_id,
        services.ppns.get(actor, ppn_id).version,
        reviewed_date=f"{services.today():%d/%m/%Y}",
        outcome="Fictional: for children's social care to assess.",
    )
    screen = open_inbox(qtbot, ctx)
    task_id = choose_task(qtbot, screen, "ppn_follow_up")
    subject = screen.detail.subject
    assert subject.fact("Stage") == "Awaiting social care"
    assert subject.fact("People concerned") == "Fictional Child Dobbin (child, visiting child)"
    assert subject.fact("MASH review").endswith("Fictional: for children's social care to assess.")
    assert not screen.detail.buttons["acknowledge"].isVisible()

    dialog = press_for_dialog(qtbot, screen, screen.detail.buttons["decision"])
    assert isinstance(dialog, DecisionDialog) and not unnamed(dialog)
    assert dialog.decision_box.count() >= 6  # the usual wordings offered
    dialog.decision_box.setCurrentIndex(dialog.decision_box.findText("Early help offered"))
    dialog.date_box.clear()
    qtbot.keyClicks(dialog.date_box, "01/01/2020")  # before the PPN was submitted
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.field_error("decided_date") and dialog.field_error("source")
    assert dialog.message_text.endswith("Nothing was saved.")
    assert dialog.value("decision") == "Early help offered"
    assert dialog.date_box.text() == "01/01/2020"
    assert services.ppns.get(actor, ppn_id).stage == "awaiting_social_care"
    assert task_id in {i.task_id for i in services.inbox.tasks(actor).items}
