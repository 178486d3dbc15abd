"""The record's PPN tab and the raise dialog from a visit, on SQLite and PostgreSQL: the buttons
follow the chosen PPN's stage and say why not; editing a draft reloads the record; two desktops
editing the same draft (the second is refused and keeps what it typed); raising from a visit
ticks the household's children and starts from the visit's time."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.models import Visit
from desktop.services.core import Services
from desktop.services.ppns import PpnEntry
from tests.desktop.factories import PASSWORD, World, world_clock
from tests.ui.helpers import unnamed, wait_idle
from tests.ui.test_safeguarding import click, open_record, press_for_dialog, raise_ppn, save
from ui.context import AppContext
from ui.safeguarding.dialogs import RaisePpnDialog
from ui.widgets.dates import fmt_date, to_london

pytestmark = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def choose(tab, ppn_id: int) -> None:
    ids = [p.ppn_id for p in tab.ppns]
    tab.table.selectRow(ids.index(ppn_id))


def test_the_buttons_follow_the_stage_and_an_edit_reloads_the_record(
    qtbot, ctx: AppContext, services: Services, world: World
) -> None:
    draft = raise_ppn(services, "ada", world.zebedee, hours_ago=2)
    sent = raise_ppn(services, "ada", world.zebedee, hours_ago=4, grade="green")
    services.ppns.submit(ctx.officer, sent, services.ppns.get(ctx.officer, sent).version)
    window = open_record(qtbot, ctx, world.zebedee)
    tab = window.ppns
    assert not unnamed(tab)
    assert tab.caption.text().startswith("2 PPNs (public protection notices), 2 open")

    choose(tab, sent)
    assert not tab.buttons["edit"].isEnabled() and not tab.buttons["submit"].isEnabled()
    assert tab.buttons["mash"].isEnabled() and not tab.buttons["decision"].isEnabled()
    assert tab.buttons["edit"].toolTip().startswith("Only a draft can be edited")

    choose(tab, draft)
    assert tab.buttons["edit"].isEnabled() and tab.buttons["submit"].isEnabled()
    assert not tab.buttons["mash"].isEnabled()
    dialog = press_for_dialog(qtbot, tab, tab.buttons["edit"])
    assert isinstance(dialog, RaisePpnDialog) and dialog.ppn is not None
    assert dialog.grade_choice.grade() == "amber"
    assert [text for text, ticked in dialog.people.people() if ticked] == [
        "Fictional Child Dobbin (child, visiting child)"
    ]
    version = dialog.ppn.version
    click(qtbot, dialog.grade_choice.buttons["red"])
    with qtbot.waitSignal(window.loaded, timeout=10_000):
        save(qtbot, dialog)
    wait_idle(qtbot, ctx)
    assert tab.dialog is None  # saved and closed
    edited = next(p for p in tab.ppns if p.ppn_id == draft)
    assert edited.grade == "red" and edited.version > version
    assert tab.current() is not None and tab.current().ppn_id == draft  # still chosen
    row = [p.ppn_id for p in tab.ppns].index(draft)
    assert tab.table.model().index(row, 0).data() == "Red"


def test_two_desktops_editing_one_draft(
    qtbot, ctx: AppContext, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    draft = raise_ppn(services, "ada", world.zebedee, hours_ago=2)
    window = open_record(qtbot, ctx, world.zebedee)
    tab = window.ppns
    choose(tab, draft)
    dialog = press_for_dialog(qtbot, tab, tab.buttons["edit"])
    # Cora, on another desktop, saves a change first
    other = Services(ctx.url, clock=world_clock)
    try:
        cora = other.auth.sign_in("cora", PASSWORD)
        theirs = other.ppns.get(cora, draft)
        at = to_london(theirs.concern_at)
        other.ppns.edit(
            cora,
            draft,
            theirs.version,
            PpnEntry(
                "green",
                "Fictional: Cora's rewording of the concern.",
                fmt_date(at),
                f"{at:%H:%M}",
                dialog.people.ticked(),
            ),
        )
    finally:
        other.close()
    mine = "Fictional: Ada's own fuller account of what the child said."
    dialog.concern_box.clear()
    qtbot.keyClicks(dialog.concern_box, mine)
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert "Cora Pennywhistle changed this" in dialog.message_text
    assert "open the PPN again" in dialog.message_text
    assert dialog.concern_box.toPlainText() == mine  # nothing typed is lost
    saved = services.ppns.get(ctx.officer, draft)
    assert saved.concern == "Fictional: Cora's rewording of the concern."  # nothing overwritten
    dialog.reject()
    wait_idle(qtbot, ctx)
    assert next(p for p in tab.ppns if p.ppn_id == draft).grade == "green"  # reloaded behind


def test_raising_from_a_visit_ticks_the_children_and_starts_at_the_visit(
    qtbot, ctx: AppContext, services: Services, world: World, db_url: str
) -> None:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            visit = session.scalars(
                select(Visit)
                .where(Visit.offender_id == world.zebedee, Visit.occurred_at.is_not(None))
                .order_by(Visit.occurred_at.desc())
            ).first()
            assert visit is not None and visit.occurred_at is not None
            visit_id, occurred = visit.id, visit.occurred_at
    finally:
        engine.dispose()
    dialog = RaisePpnDialog(ctx, world.zebedee, visit_id=visit_id, concern_at=occurred)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.household_loaded, timeout=10_000):
        dialog.show()
    wait_idle(qtbot, ctx)
    assert not unnamed(dialog)
    when = to_london(occurred)
    assert (
        dialog.date_box.text() == f"{when:%d/%m/%Y}" and dialog.time_box.text() == f"{when:%H:%M}"
    )
    ticked = {text.split(" (")[0]: on for text, on in dialog.people.people()}
    assert ticked == {"Pip Plimsoll": True, "Tabitha Plimsoll": False}

    # someone from outside the household, added by hand
    click(qtbot, dialog.add_button)
    person = dialog.person_dialog
    assert person is not None and not unnamed(person)
    click(qtbot, person.save_button)  # no name: refused here, nothing added
    assert person.isVisible() and person.field_error("name")
    qtbot.keyClicks(person.name_box, "Fictional Neighbour Child")
    qtbot.keyClicks(person.dob_box, "01/01/2016")
    qtbot.keyClicks(person.relationship_box, "neighbour's child")
    click(qtbot, person.save_button)
    assert dialog.people.people()[-1] == (
        "Fictional Neighbour Child (child, neighbour's child, born 01/01/2016)",
        True,
    )
    click(qtbot, dialog.grade_choice.buttons["amber"])
    qtbot.keyClicks(dialog.concern_box, "Fictional: two children present, one with a bruise.")
    save(qtbot, dialog)
    assert dialog.ppn_id is not None
    raised = services.ppns.get(ctx.officer, dialog.ppn_id)
    assert raised.visit_id == visit_id
    assert sorted(s.name for s in raised.subjects) == ["Fictional Neighbour Child", "Pip Plimsoll"]
