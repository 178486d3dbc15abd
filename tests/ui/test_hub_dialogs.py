"""The hub's dialogs, through real widgets: a hub officer enters a foreign travel notification,
processes it, and the offender's record shows the trip; refusals are shown in words and nothing
typed is lost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QComboBox, QWidget

from db.engine import make_engine, session_factory
from db.enums import Role
from db.models import Officer
from desktop.services.core import Services
from desktop.services.hub import NotificationEntry
from tests.desktop.factories import World, password_hash
from tests.ui.helpers import unnamed, wait_idle
from tests.ui.test_visits_helpers import click, type_into
from ui.context import AppContext
from ui.hub.dialogs import EnterNotificationDialog, ProcessNotificationDialog

TODAY = dt.date(2024, 6, 12)
CARD = "4539 1488 0343 6467"
BOTH = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _pick(combo: QWidget, data: object) -> None:
    assert isinstance(combo, QComboBox)
    index = combo.findData(data)
    assert index >= 0, f"{combo.accessibleName()} has no {data!r}"
    combo.setCurrentIndex(index)


def _open_enter(qtbot, ctx: AppContext, kind: str, reference: str = "") -> EnterNotificationDialog:
    dialog = EnterNotificationDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle(qtbot, ctx)
    _pick(dialog.kind_box, kind)
    if reference:
        with qtbot.waitSignal(dialog.looked_up, timeout=10_000):
            type_into(qtbot, dialog.reference, reference)
        wait_idle(qtbot, ctx)
    return dialog


def _open_process(qtbot, ctx: AppContext, task_id: int) -> ProcessNotificationDialog:
    dialog = ProcessNotificationDialog(ctx, task_id)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        dialog.show()
    wait_idle(qtbot, ctx)
    return dialog


@pytest.fixture
def hub(services: Services, make_ctx: Callable[..., AppContext]) -> AppContext:
    return make_ctx(services, "elsie")


@BOTH
def test_enter_and_process_foreign_travel_then_the_record_shows_the_trip(
    qtbot, services: Services, hub: AppContext, world: World
) -> None:
    departure, back = TODAY + dt.timedelta(days=20), TODAY + dt.timedelta(days=27)
    enter = _open_enter(qtbot, hub, "foreign_travel", "zz/2019/004512")
    assert enter.offender_name.text() == "Zebedee Plimsoll (ZZ/2019/004512)"
    assert unnamed(enter) == []
    type_into(qtbot, enter.event_on, _dmy(departure))
    type_into(qtbot, enter.field("return_on"), _dmy(back))
    type_into(qtbot, enter.field("destinations"), "Ruritania, Freedonia")
    with qtbot.waitSignal(enter.saved, timeout=10_000) as saved:
        click(qtbot, enter.save_button)
    wait_idle(qtbot, hub)
    task_id = saved.args[0]
    assert not enter.isVisible()

    process = _open_process(qtbot, hub, task_id)
    assert process.intro.text() == "Foreign travel: ZZ/2019/004512 (Zebedee Plimsoll)"
    assert process.fact("Departure date") == _dmy(departure)
    assert process.fact("Destinations") == "Ruritania, Freedonia"
    assert process.fact("Hub task due") == _dmy(departure - dt.timedelta(days=1))
    trip = f"departing {_dmy(departure)}, returning {_dmy(back)}, to Ruritania, Freedonia"
    assert trip in process.effects.text()
    assert unnamed(process) == []
    with qtbot.waitSignal(process.done, timeout=10_000):
        click(qtbot, process.process_button)
    wait_idle(qtbot, hub)
    assert not process.isVisible()

    record = services.records.open(hub.officer, world.zebedee)
    [shown] = [n for n in record.notifications if n.kind == "foreign_travel"]
    assert shown.state == "processed" and shown.event_on == departure
    # The record's summary still shows what records.py makes of the details (see the report):
    # the return date, as stored.
    assert back.isoformat() in shown.summary or _dmy(back) in shown.summary


def test_problems_show_under_their_fields_and_nothing_typed_is_lost(
    qtbot, services: Services, hub: AppContext, world: World
) -> None:
    enter = _open_enter(qtbot, hub, "change_of_address", "ZZ/2019/004512")
    type_into(qtbot, enter.event_on, _dmy(TODAY))
    type_into(qtbot, enter.field("line1"), "2 Treacle Street")
    type_into(qtbot, enter.field("postcode"), "ZZ")
    type_into(qtbot, enter.note, f"Paid the deposit by card {CARD}")
    click(qtbot, enter.save_button)
    wait_idle(qtbot, hub)
    assert enter.isVisible()
    assert enter.message_text.startswith("Nothing was saved. Please correct the 3 problems")
    assert "not a full UK postcode" in enter.field_error("postcode")
    assert enter.field_error("town") == "Enter the town."
    assert "must not be stored" in enter.field_error("note")
    assert enter.field("line1").text() == "2 Treacle Street"  # type: ignore[attr-defined]
    assert enter.note.toPlainText() == f"Paid the deposit by card {CARD}"
    assert enter.event_on.text() == _dmy(TODAY)


def test_an_unknown_reference_is_said_as_it_is_typed(
    qtbot, services: Services, hub: AppContext
) -> None:
    enter = _open_enter(qtbot, hub, "periodic", "ZZ/1999/999999")
    assert enter.offender_name.text() == "No offender has the reference ZZ/1999/999999."


def test_a_transfer_in_is_allocated_to_the_manager_chosen(
    qtbot, services: Services, hub: AppContext, world: World
) -> None:
    enter = _open_enter(qtbot, hub, "transfer_in")
    assert not enter.reference.isVisible()
    type_into(qtbot, enter.event_on, _dmy(TODAY))
    for name, text in [
        ("forename", "Ozymandias"),
        ("surname", "Puddleby"),
        ("date_of_birth", "03/04/1977"),
        ("from_force", "Fictional Shire Constabulary"),
        ("line1", "2 Treacle Street"),
        ("town", "Northvale"),
        ("postcode", "ZZ3 5QQ"),
    ]:
        type_into(qtbot, enter.field(name), text)
    _pick(enter.field("team_id"), world.alder)
    with qtbot.waitSignal(enter.saved, timeout=10_000) as saved:
        click(qtbot, enter.save_button)
    wait_idle(qtbot, hub)

    process = _open_process(qtbot, hub, saved.args[0])
    assert process.intro.text() == "Transfer in from another force: Ozymandias Puddleby (new)"
    assert process.manager_box.currentData() == world.bram  # the least loaded
    _pick(process.manager_box, world.ada)
    with qtbot.waitSignal(process.done, timeout=10_000):
        click(qtbot, process.process_button)
    wait_idle(qtbot, hub)
    offender = services.hub.find_offender(hub.officer, "ZZ/2024/000002")
    assert offender is not None and offender[2] == "Ozymandias Puddleby"
    assert services.records.open(hub.officer, offender[0]).manager == "Ada Quillfeather"


def test_reject_asks_for_the_reason_first(
    qtbot, services: Services, hub: AppContext, world: World
) -> None:
    task_id = services.hub.enter(
        hub.officer, NotificationEntry(kind="periodic", reference="ZZ/2019/004512")
    )
    process = _open_process(qtbot, hub, task_id)
    click(qtbot, process.reject_button)
    assert process.reason.isVisible() and "Say why it is rejected" in process.message_text
    click(qtbot, process.reject_button)
    wait_idle(qtbot, hub)
    assert process.isVisible()
    assert process.choices.error("reason").startswith("Enter the reason")
    type_into(qtbot, process.reason, "Entered twice by mistake.")
    with qtbot.waitSignal(process.done, timeout=10_000):
        click(qtbot, process.reject_button)
    wait_idle(qtbot, hub)
    assert services.hub.view(hub.officer, task_id).state == "rejected"


@BOTH
def test_a_notification_processed_on_another_desktop_is_said_in_words(
    qtbot, services: Services, hub: AppContext, world: World, db_url: str
) -> None:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            session.add(
                Officer(
                    username="ivor",
                    forename="Ivor",
                    surname="Inkwell",
                    role=Role.HUB_OFFICER,
                    password_hash=password_hash(),
                )
            )
    finally:
        engine.dispose()
    task_id = services.hub.enter(
        hub.officer, NotificationEntry(kind="periodic", reference="ZZ/2019/004512")
    )
    process = _open_process(qtbot, hub, task_id)
    other = Services(db_url, clock=services.clock)
    try:
        ivor = other.auth.sign_in("ivor", "pillars-demo")
        other.hub.process(ivor, task_id, other.hub.view(ivor, task_id).version)
    finally:
        other.close()
    with qtbot.waitSignal(process.loaded, timeout=10_000):
        click(qtbot, process.process_button)
    wait_idle(qtbot, hub)
    assert process.isVisible()
    assert process.message_text == (
        "Ivor Inkwell already processed this notification at 11:00 on 12/06/2024. "
        "Nothing was changed."
    )
    assert not process.process_button.isEnabled() and not process.reject_button.isEnabled()
    assert process.fact("State") == "Processed"
