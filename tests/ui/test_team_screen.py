"""The Team screen on the synthetic world (Wednesday 12/06/2024): a sergeant records an absence
for a colleague sergeant and names cover, and the tables and the cover sentence follow; a refused
save keeps what was typed; cancelling an absence; who may open the screen at all.

Alder team gets a second sergeant here, Cyril, so that Cora has a colleague to record away."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from db.engine import make_engine, session_factory
from db.enums import Role
from db.models import Officer
from desktop.services.core import Services
from desktop.services.team import AbsenceEntry
from tests.desktop.factories import PASSWORD, World
from tests.ui.helpers import unnamed, wait_idle
from ui.context import AppContext
from ui.team.dialogs import AbsenceDialog, CoverDialog
from ui.team.screen import TeamScreen


def add_sergeant(db_url: str, world: World) -> int:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            cora = session.get(Officer, world.cora)
            assert cora is not None
            cyril = Officer(
                username="cyril",
                forename="Cyril",
                surname="Wobblethorpe",
                role=Role.SERGEANT,
                team_id=world.alder,
                password_hash=cora.password_hash,
            )
            session.add(cyril)
            session.flush()
            return cyril.id
    finally:
        engine.dispose()


def open_screen(qtbot, ctx: AppContext) -> TeamScreen:
    screen = TeamScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1300, 800)
    screen.show()
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.activate()
    return screen


def table_rows(table) -> list[list[str]]:
    model = table.model()
    return [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def row_of(table, name: str) -> list[str]:
    return next(row for row in table_rows(table) if name in row)


def choose_absence(screen: TeamScreen, name: str) -> None:
    rows = table_rows(screen.absences)
    position = next(i for i, row in enumerate(rows) if row[1] == name)
    screen.absences.setCurrentIndex(screen.absences.model().index(position, 0))


def set_day(field, day: dt.date) -> None:
    field.set_day(day)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_sergeant_records_a_colleagues_absence_and_names_cover(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World, db_url: str
) -> None:
    add_sergeant(db_url, world)
    ctx = make_ctx(services, "cora")
    screen = open_screen(qtbot, ctx)
    assert screen.team_box.isHidden()  # one team: nothing to choose
    assert screen.summary.text() == (
        "Alder team on Wednesday 12/06/2024 (today): 5 officers on duty, 0 away."
    )
    assert row_of(screen.officers, "Cyril Wobblethorpe")[:4] == [
        "Cyril Wobblethorpe",
        "Sergeant",
        "On duty",
        "",
    ]
    assert unnamed(screen) == []

    with qtbot.waitSignal(screen.dialog_opened) as opened:
        qtbot.mouseClick(screen.add_button, Qt.MouseButton.LeftButton)
    dialog = opened.args[0]
    assert isinstance(dialog, AbsenceDialog)
    assert unnamed(dialog) == []
    dialog.officer_box.setCurrentIndex(dialog.officer_box.findText("Cyril Wobblethorpe (Sergeant)"))
    dialog.kind_box.setCurrentIndex(dialog.kind_box.findData("sickness"))
    set_day(dialog.first_day, dt.date(2024, 6, 14))
    set_day(dialog.last_day, dt.date(2024, 6, 12))
    dialog.note_box.setPlainText("Fictional flu; back Monday.")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    # Refused: the problem beside the field, nothing typed lost, nothing saved.
    assert dialog.isVisible()
    assert dialog.field_error("ends_on") == (
        "The last day 12/06/2024 is before the first day 14/06/2024."
    )
    assert dialog.note_box.toPlainText() == "Fictional flu; back Monday."
    assert dialog.kind_box.currentData() == "sickness"

    set_day(dialog.first_day, dt.date(2024, 6, 12))
    set_day(dialog.last_day, dt.date(2024, 6, 14))
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert (
        screen.state_text
        == "Sickness recorded for Cyril Wobblethorpe from 12/06/2024 to 14/06/2024."
    )
    assert row_of(screen.absences, "Cyril Wobblethorpe") == [
        "Now",
        "Cyril Wobblethorpe",
        "Sickness",
        "12/06/2024",
        "14/06/2024",
        "Fictional flu; back Monday.",
        "None named: the cover chain decides",
    ]
    cyril = row_of(screen.officers, "Cyril Wobblethorpe")
    assert cyril[2:4] == [
        "Absent: Sickness until 14/06/2024",
        "Cover: Sgt Cora Pennywhistle, another sergeant of the team",
    ]
    assert row_of(screen.officers, "Cora Pennywhistle")[3] == "Covering for Cyril Wobblethorpe"

    choose_absence(screen, "Cyril Wobblethorpe")
    assert screen.cover_button.isEnabled() and not screen.uncover_button.isEnabled()
    with qtbot.waitSignal(screen.dialog_opened, timeout=10_000) as opened:
        qtbot.mouseClick(screen.cover_button, Qt.MouseButton.LeftButton)
    cover = opened.args[0]
    assert isinstance(cover, CoverDialog)
    assert unnamed(cover) == []
    choices = [cover.cover_box.itemText(i) for i in range(cover.cover_box.count())]
    assert choices == [
        "Sgt Cora Pennywhistle, Alder team",
        "Dorian Mothersole (team manager), Alder team",
        "Sgt Hattie Bumblesworth, Birch team",
    ]
    cover.cover_box.setCurrentIndex(2)
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        qtbot.mouseClick(cover.save_button, Qt.MouseButton.LeftButton)
    assert screen.state_text == (
        "Sgt Hattie Bumblesworth named as cover for Cyril Wobblethorpe from "
        "12/06/2024 to 14/06/2024."
    )
    assert row_of(screen.absences, "Cyril Wobblethorpe")[6] == (
        "Sgt Hattie Bumblesworth, 12/06/2024 to 14/06/2024"
    )
    cyril_index = table_rows(screen.officers).index(row_of(screen.officers, "Cyril Wobblethorpe"))
    cell = screen.officers.model().index(cyril_index, 3)
    assert cell.data() == "Cover: Sgt Hattie Bumblesworth (named)"
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == (
        "Cyril Wobblethorpe is absent on 12/06/2024: Hattie Bumblesworth covers, named for this "
        "absence."
    )
    assert screen.current_absence() is not None  # the changed absence stays chosen
    assert screen.uncover_button.isEnabled()

    # The day after the absence, Cyril is back and sees his own approvals.
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.set_day(dt.date(2024, 6, 15))
    assert row_of(screen.officers, "Cyril Wobblethorpe")[2:4] == ["On duty", ""]


def test_cancelling_an_absence_asks_first_and_puts_the_officer_back_on_duty(
    qtbot, services: Services, make_ctx, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = make_ctx(services, "dorian")
    screen = open_screen(qtbot, ctx)
    with qtbot.waitSignal(screen.dialog_opened) as opened:
        screen.act("add")
    dialog = opened.args[0]
    dialog.officer_box.setCurrentIndex(dialog.officer_box.findData(world.bram))
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert row_of(screen.officers, "Bramwell Tiddlecombe")[2] == "Absent: Leave until 12/06/2024"
    choose_absence(screen, "Bramwell Tiddlecombe")
    assert not screen.cover_button.isEnabled()  # an offender manager's absence needs no cover

    asked: list[str] = []

    def answer(reply: QMessageBox.StandardButton):
        def question(_parent, _title, text, *args, **kwargs):
            asked.append(text)
            return reply

        return question

    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.No))
    screen.act("cancel")
    assert asked[-1].startswith(
        "Cancel Bramwell Tiddlecombe's leave from 12/06/2024 to 12/06/2024?"
    )
    assert not ctx.runner.busy and screen.absences.model().rowCount() == 1
    monkeypatch.setattr(QMessageBox, "question", answer(QMessageBox.StandardButton.Yes))
    # Another desktop changes it first: the refusal is shown in words and the saved one shown.
    shown = screen.current_absence()
    assert shown is not None
    services.team.change_absence(
        services.auth.sign_in("cora", PASSWORD),
        shown.absence_id,
        shown.version,
        AbsenceEntry(world.bram, "training", "12/06/2024", "13/06/2024"),
    )
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.act("cancel")
    assert screen.state_text.startswith("Cora Pennywhistle changed this absence at 11:00")
    assert "Nothing of yours was saved" in screen.state_text
    assert row_of(screen.absences, "Bramwell Tiddlecombe")[2:5] == [
        "Training",
        "12/06/2024",
        "13/06/2024",
    ]
    choose_absence(screen, "Bramwell Tiddlecombe")
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.act("cancel")
    assert screen.absences.model().rowCount() == 0
    assert row_of(screen.officers, "Bramwell Tiddlecombe")[2] == "On duty"
    assert "was cancelled" in screen.state_text


def test_an_offender_manager_is_told_the_screen_is_not_for_them(qtbot, ctx: AppContext) -> None:
    screen = TeamScreen(ctx)
    qtbot.addWidget(screen)
    with qtbot.waitSignal(screen.failed, timeout=10_000):
        screen.activate()
    assert screen.state_text.startswith("You manage no team")
    assert screen.officers.model().rowCount() == 0
    assert not screen.add_button.isEnabled()


def test_an_administrator_chooses_the_team(
    qtbot, services: Services, make_ctx, world: World
) -> None:
    screen = open_screen(qtbot, make_ctx(services, "fenn"))
    box = screen.team_box
    assert not box.isHidden()
    assert [box.itemText(i) for i in range(box.count())] == ["Alder", "Birch"]
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        box.setCurrentIndex(1)
    assert [row[0] for row in table_rows(screen.officers)] == [
        "Hattie Bumblesworth",
        "Gulliver Snodgrass",
    ]
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        qtbot.mouseClick(screen.next_button, Qt.MouseButton.LeftButton)
    assert screen.summary.text().startswith("Birch team on Thursday 13/06/2024:")
