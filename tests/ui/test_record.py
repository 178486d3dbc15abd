"""The offender record window and its edit dialogs: opening (audited), the tabs, editing an
address with the change in History, validation next to each field, refusal of card details, a
permission refusal, and two desktops saving the same record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from db.engine import make_engine, session_factory
from db.enums import VisitOutcome
from db.models import Visit
from desktop.services.core import Services
from tests.desktop.factories import World, world_clock
from tests.ui.helpers import unnamed, wait_idle
from ui.context import AppContext
from ui.record.dialogs import AddressDialog, EditDialog, HouseholdDialog, IdentityDialog
from ui.record.window import RecordWindow


def open_record(qtbot, ctx: AppContext, offender_id: int) -> RecordWindow:
    window = RecordWindow(ctx, offender_id)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.history_loaded, timeout=10_000):
        window.show()
    return window


def table_texts(table) -> list[list[str]]:
    m = table.model()
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def type_into(qtbot, dialog: EditDialog, field: str, text: str) -> None:
    widget = dialog.inputs[field]
    if isinstance(widget, QLineEdit):
        widget.selectAll()
        widget.del_()
    else:
        widget.clear()
    qtbot.keyClicks(widget, text)


def save(qtbot, dialog: EditDialog) -> None:
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog.ctx)


def test_opening_a_record_shows_every_tab_and_is_audited(
    qtbot, ctx: AppContext, world: World
) -> None:
    window = open_record(qtbot, ctx, world.zebedee)
    record = window.record
    assert record is not None and record.offender_id == world.zebedee
    assert window.windowTitle().startswith("Zebedee Plimsoll (ZZ/2019/004512)")
    assert window.risk_chip.text() == "Risk: High"
    assert window.readonly_chip.isHidden()

    facts = window.summary.identity_facts.values
    assert facts["Date of birth"].text().startswith("14/03/1980 (age ")
    assert facts["Aliases"].text() == "Zeb Plimsoll, Zebedee Plimsole"
    assert facts["Notification ends"].text().startswith("Indefinite")
    addresses = table_texts(window.summary.addresses)
    assert addresses[0][1].startswith("7 Marmalade Lane") and addresses[0][5] == "Current"
    assert addresses[1][1].startswith("1 Custard Row") and addresses[1][5] == "Previous"
    household = table_texts(window.summary.household)
    assert [household[1][0], household[1][4]] == ["Pip Plimsoll", "CHILD"]
    convictions = table_texts(window.summary.convictions)
    assert "Indefinite" in convictions[0][6]
    assert window.tabs.count() == 8
    assert [window.tabs.tabText(i).replace("&", "") for i in range(8)] == [
        "Summary",
        "Risk",
        "Plan",
        "Visits",
        "PPNs",
        "Notifications",
        "Tasks",
        "History",
    ]
    assert table_texts(window.risk.assessments)[0][3] == "High"
    assert window.risk.in_force.text().startswith("In force: ARMS of 12/12/2023, High")
    assert window.visits.table.model().rowCount() >= 1

    history = table_texts(window.history.table)
    assert history[0][1] == "ada" and history[0][2] == "Record viewed"
    assert history[0][0] == "12/06/2024 11:00"  # 10:00 UTC is 11:00 in London in June


def test_every_control_has_an_accessible_name(qtbot, ctx: AppContext, world: World) -> None:
    window = open_record(qtbot, ctx, world.zebedee)
    assert unnamed(window) == []
    record = window.record
    for dialog in (
        IdentityDialog(ctx, record),
        AddressDialog(ctx, record),
        HouseholdDialog(ctx, record, record.household[0].member_id),
    ):
        qtbot.addWidget(dialog)
        assert unnamed(dialog) == [], type(dialog).__name__


def test_add_an_address_and_find_it_in_history(qtbot, ctx: AppContext, world: World) -> None:
    window = open_record(qtbot, ctx, world.zebedee)
    window.summary.add_address_button.click()
    dialog = window.dialog
    assert isinstance(dialog, AddressDialog) and dialog.isVisible()
    type_into(qtbot, dialog, "line1", "12 Treacle Walk")
    type_into(qtbot, dialog, "town", "Northvale")
    type_into(qtbot, dialog, "postcode", "zz9 9zz")
    type_into(qtbot, dialog, "from_date", "01/06/2024")
    with qtbot.waitSignal(window.history_loaded, timeout=10_000):
        save(qtbot, dialog)
    assert window.dialog is None
    addresses = table_texts(window.summary.addresses)
    assert addresses[0][1].startswith("12 Treacle Walk") and addresses[0][5] == "Current"
    assert addresses[0][2] == "ZZ9 9ZZ"
    history = table_texts(window.history.table)
    saved = [row for row in history if row[2] == "Address saved"]
    assert saved and "12 Treacle Walk" in saved[0][3] and saved[0][1] == "ada"


def test_edit_the_current_address(qtbot, ctx: AppContext, world: World) -> None:
    window = open_record(qtbot, ctx, world.zebedee)
    window.summary.addresses.selectRow(0)
    window.summary.edit_address_button.click()
    dialog = window.dialog
    assert isinstance(dialog, AddressDialog)
    assert dialog.value("line1") == "7 Marmalade Lane"
    type_into(qtbot, dialog, "line2", "Flat 2")
    with qtbot.waitSignal(window.history_loaded, timeout=10_000):
        save(qtbot, dialog)
    assert table_texts(window.summary.addresses)[0][1].startswith("7 Marmalade Lane, Flat 2")
    assert any("Flat 2" in row[3] for row in table_texts(window.history.table))


def test_problems_are_shown_next_to_their_fields_and_typing_is_kept(
    qtbot, ctx: AppContext, world: World
) -> None:
    window = open_record(qtbot, ctx, world.zebedee)
    dialog = AddressDialog(ctx, window.record)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog, "line1", "")
    type_into(qtbot, dialog, "line2", "Card 4111 1111 1111 1111")
    type_into(qtbot, dialog, "town", "Northvale")
    type_into(qtbot, dialog, "postcode", "ZZ1")
    type_into(qtbot, dialog, "from_date", "31/02/2024")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.field_error("line1")
    assert "card" in dialog.field_error("line2").lower()
    assert "postcode" in dialog.field_error("postcode").lower()
    assert dialog.field_error("from_date")
    assert dialog.field_error("town") == ""
    assert dialog.message_text.startswith("Please correct the")
    assert dialog.value("postcode") == "ZZ1"
    assert dialog.value("line2") == "Card 4111 1111 1111 1111"
    assert dialog.inputs["line1"].hasFocus() or dialog.focusWidget() is dialog.inputs["line1"]


def test_identity_refuses_bank_details_in_notes(qtbot, ctx: AppContext, world: World) -> None:
    window = open_record(qtbot, ctx, world.zebedee)
    dialog = IdentityDialog(ctx, window.record)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog, "notes", "Bank: sort code 12-34-56 account 12345678")
    save(qtbot, dialog)
    assert dialog.isVisible() and dialog.field_error("notes")


def test_sergeant_sees_the_record_read_only_and_a_save_is_refused(
    qtbot, services: Services, make_ctx, world: World
) -> None:
    ctx = make_ctx(services, "cora")
    window = open_record(qtbot, ctx, world.zebedee)
    assert window.readonly_chip.isVisible() and window.readonly_chip.text() == "Read only"
    assert not window.summary.edit_identity_button.isEnabled()
    assert not window.summary.add_address_button.isEnabled()
    # The service decides, whatever the screen offers: a save is refused with its reason.
    dialog = HouseholdDialog(ctx, window.record)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog, "name", "Someone Fictional")
    type_into(qtbot, dialog, "relationship", "lodger")
    type_into(qtbot, dialog, "from_date", "01/06/2024")
    save(qtbot, dialog)
    assert dialog.isVisible()
    assert dialog.message_text  # the refusal, in the service's words
    assert dialog.value("name") == "Someone Fictional"
    assert len(services.records.open(ctx.officer, world.zebedee).household) == 2


@pytest.fixture
def second_services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_two_desktops_saving_the_same_record(
    qtbot,
    services: Services,
    second_services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
) -> None:
    first = make_ctx(services, "ada")
    second = make_ctx(second_services, "ada")
    window_one = open_record(qtbot, first, world.zebedee)
    window_two = open_record(qtbot, second, world.zebedee)
    one = IdentityDialog(first, window_one.record)
    two = IdentityDialog(second, window_two.record)
    for dialog in (one, two):
        qtbot.addWidget(dialog)
        dialog.show()
    assert two.reload_button.isHidden()  # offered only after a conflict
    type_into(qtbot, one, "notes", "Changed on the first desktop.")
    type_into(qtbot, two, "surname", "Plimsoll-Smythe")
    with qtbot.waitSignal(one.saved, timeout=10_000):
        qtbot.mouseClick(one.save_button, Qt.MouseButton.LeftButton)
    save(qtbot, two)

    assert two.isVisible()
    assert "Ada Quillfeather changed this record" in two.message_text
    assert two.reload_button.isVisible()
    assert two.value("surname") == "Plimsoll-Smythe"  # nothing typed is lost
    saved = services.records.open(first.officer, world.zebedee)
    assert saved.surname == "Plimsoll" and saved.notes == "Changed on the first desktop."

    with qtbot.waitSignal(two.refreshed, timeout=10_000):
        qtbot.mouseClick(two.reload_button, Qt.MouseButton.LeftButton)
    assert two.value("notes") == "Changed on the first desktop."
    assert "Surname: Plimsoll-Smythe" in two.yours.text()
    type_into(qtbot, two, "surname", "Plimsoll-Smythe")
    with qtbot.waitSignal(two.saved, timeout=10_000):
        qtbot.mouseClick(two.save_button, Qt.MouseButton.LeftButton)
    final = services.records.open(first.officer, world.zebedee)
    assert (final.surname, final.notes) == ("Plimsoll-Smythe", "Changed on the first desktop.")


def test_two_failed_visits_in_a_row_ask_for_an_s96b_warrant(
    qtbot, ctx: AppContext, world: World, db_url: str
) -> None:
    """Horatio's last visit found no one home; a refusal at the door after it makes two in a
    row, and the record says to consider a warrant to enter (s96B)."""
    today = world_clock().date()
    at = dt.datetime.combine(today - dt.timedelta(days=3), dt.time(19, 0), tzinfo=dt.UTC)
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            session.add(
                Visit(
                    offender_id=world.horatio,
                    planned_at=at,
                    occurred_at=at,
                    officer1_id=world.ada,
                    officer2_id=world.bram,
                    outcome=VisitOutcome.REFUSED_ENTRY,
                    notes="Refused entry at the door; fictional visit record.",
                )
            )
    finally:
        engine.dispose()

    window = open_record(qtbot, ctx, world.horatio)
    assert "CONSIDER AN s96B WARRANT: 2 failed visits in a row" in window.alerts.text()
    assert window.alerts.isVisible()
