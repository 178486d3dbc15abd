"""The Daily sheet screen offscreen on the synthetic world (Wednesday 12/06/2024, 11:00 in England):
a sergeant's team sheet with the unrecorded release first and marked LATE, the day moved back and
forth, a line opening the record, the PDF built in the background and previewed; a team manager's
team chooser; an offender manager refused in words; names and keys for every control."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt

from db.engine import make_engine, session_factory
from db.enums import TASK_GROUP, TaskKind, TaskState
from db.models import Task
from desktop.services.core import Services
from tests.desktop.factories import WORLD_TODAY, World
from tests.ui.helpers import unnamed, wait_idle
from ui.context import AppContext
from ui.daily.screen import COLUMNS, WRAP_UP_TO, DailyScreen
from ui.widgets import palette

LATE, WHEN, OFFENDER = COLUMNS.index(""), COLUMNS.index("Date"), COLUMNS.index("Offender")


def open_screen(qtbot, ctx: AppContext) -> DailyScreen:
    screen = DailyScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1300, 900)
    screen.show()
    with qtbot.waitSignal(screen.loaded, timeout=15_000):
        screen.activate()
    wait_idle(qtbot, ctx)
    return screen


def show_day(qtbot, screen: DailyScreen, press: Callable[[], object]) -> None:
    with qtbot.waitSignal(screen.loaded, timeout=15_000):
        press()
    wait_idle(qtbot, screen.ctx)


def test_a_sergeants_sheet_loads_with_the_late_release_first(
    qtbot, services: Services, world: World, make_ctx: Callable[..., AppContext]
) -> None:
    ctx = make_ctx(services, "cora")
    screen = open_screen(qtbot, ctx)
    assert screen.day == WORLD_TODAY
    assert not screen.team_box.isEnabled() and screen.team_box.currentText() == "Alder"
    assert screen.summary.text() == "Alder on Wednesday 12/06/2024 (today): 5 lines, 5 LATE."
    releases = screen.sections["releases"]
    assert releases.heading.text() == "Releases (1, 1 LATE)"
    (row,) = screen.section_rows("releases")
    assert row[LATE] == "LATE" and row[WHEN] == "07/06/2024" and row[OFFENDER] == "Barnaby Custard"
    assert "release not recorded" in row[-1]
    # late in words and in colour; a team's sheet has no team column
    index = releases.table.model().index(0, LATE)
    assert index.data(Qt.ItemDataRole.ForegroundRole).color().name() == palette.FOREGROUND["alert"]
    assert releases.table.isColumnHidden(COLUMNS.index("Team"))
    departures = screen.sections["departures"]
    assert departures.heading.text() == "Departures abroad (0)"
    assert (
        departures.table.isHidden() and departures.empty.text() == "No departures abroad notified."
    )
    assert [r[OFFENDER] for r in screen.section_rows("overdue_visits")] == [
        "Horatio Fiddlesticks",
        "Mortimer Wobblebottom",
    ]
    assert unnamed(screen) == []


def test_the_day_moves_back_and_forth_and_can_be_typed(
    qtbot, services: Services, world: World, make_ctx: Callable[..., AppContext]
) -> None:
    ctx = make_ctx(services, "cora")
    screen = open_screen(qtbot, ctx)
    show_day(qtbot, screen, lambda: qtbot.mouseClick(screen.next_button, Qt.MouseButton.LeftButton))
    assert screen.sheet is not None and screen.sheet.on == WORLD_TODAY + dt.timedelta(days=1)
    assert screen.summary.text().startswith("Alder on Thursday 13/06/2024: ")
    screen.previous_button.setFocus()
    show_day(
        qtbot,
        screen,
        lambda: qtbot.keyClick(screen, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier),
    )
    show_day(qtbot, screen, lambda: screen.step_day(-1))
    assert screen.sheet is not None and screen.sheet.on == dt.date(2024, 6, 11)
    assert "(today)" not in screen.summary.text()
    show_day(qtbot, screen, lambda: screen.day_field.set_day(dt.date(2024, 6, 1)))
    # Barnaby was not due out yet on 01/06: his release is a week ahead, not late
    (row,) = screen.section_rows("releases")
    assert row[LATE] == "" and row[WHEN] == "07/06/2024"
    assert "expected on Friday 07/06/2024 (in 6 days)" in row[-1]
    show_day(
        qtbot, screen, lambda: qtbot.mouseClick(screen.today_button, Qt.MouseButton.LeftButton)
    )
    assert screen.day == WORLD_TODAY


def test_activating_a_line_opens_the_record(
    qtbot, services: Services, world: World, make_ctx: Callable[..., AppContext]
) -> None:
    ctx = make_ctx(services, "cora")
    screen = open_screen(qtbot, ctx)
    table = screen.sections["overdue_approvals"].table
    table.setFocus()
    table.selectRow(0)
    with qtbot.waitSignal(screen.open_record, timeout=5_000) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened.args == [world.horatio]


def test_print_builds_the_pdf_in_the_background_and_previews_it(
    qtbot, services: Services, world: World, make_ctx: Callable[..., AppContext]
) -> None:
    ctx = make_ctx(services, "cora")
    screen = open_screen(qtbot, ctx)
    with qtbot.waitSignal(screen.pdf_ready, timeout=30_000):
        qtbot.mouseClick(screen.pdf_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, ctx)
    assert screen.tabs.currentIndex() == screen.pdf_page
    assert screen.preview.page_count >= 1
    assert "daily-sheet-Alder-2024-06-12.pdf" in screen.preview.status.text()
    text = PdfReader(io.BytesIO(screen.preview.data)).pages[0].extract_text()
    assert "Daily meeting sheet: Wednesday 12/06/2024" in text
    assert "OFFICIAL-SENSITIVE" in text and "printed by Cora Pennywhistle" in text
    # moving to another day puts the old PDF away
    show_day(qtbot, screen, lambda: screen.step_day(1))
    assert screen.preview.page_count == 0 and screen.preview.data == b""


def test_a_team_manager_starts_on_their_team_and_chooses_all_teams_or_another(
    qtbot, services: Services, world: World, make_ctx: Callable[..., AppContext]
) -> None:
    ctx = make_ctx(services, "dorian")
    screen = open_screen(qtbot, ctx)
    items = [screen.team_box.itemText(i) for i in range(screen.team_box.count())]
    assert items == ["All teams", "Alder", "Birch"] and screen.team_box.isEnabled()
    assert screen.team_box.currentText() == "Alder"  # the meeting is the team's
    assert screen.summary.text().startswith("Alder on Wednesday 12/06/2024 (today): ")
    show_day(qtbot, screen, lambda: screen.choose_team(None))
    assert screen.summary.text().startswith("All teams on Wednesday 12/06/2024 (today): ")
    visits = screen.sections["overdue_visits"]
    assert not visits.table.isColumnHidden(COLUMNS.index("Team"))
    assert {r[COLUMNS.index("Team")] for r in screen.section_rows("overdue_visits")} == {
        "Alder",
        "Birch",
    }
    show_day(qtbot, screen, lambda: screen.choose_team(world.birch))
    assert [r[OFFENDER] for r in screen.section_rows("overdue_visits")] == ["Cuthbert Pumpernickel"]
    assert screen.section_rows("releases") == []


@pytest.mark.parametrize("username", ["ada", "elsie"])
def test_others_are_told_in_words(
    qtbot, services: Services, world: World, make_ctx: Callable[..., AppContext], username: str
) -> None:
    ctx = make_ctx(services, username)
    screen = DailyScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(screen.failed, timeout=10_000) as failed:
        screen.activate()
    wait_idle(qtbot, ctx)
    assert "for sergeants and team managers" in failed.args[0]
    assert screen.state_text == failed.args[0]
    assert not screen.pdf_button.isEnabled()
    assert all(view.table.model().rowCount() == 0 for view in screen.sections.values())


def test_a_long_section_keeps_a_line_a_row_with_the_whole_text_in_the_tooltip(
    qtbot, db_url: str, services: Services, world: World, make_ctx: Callable[..., AppContext]
) -> None:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            session.add_all(
                Task(
                    kind=TaskKind.PLAN_APPROVAL,
                    group=TASK_GROUP[TaskKind.PLAN_APPROVAL],
                    offender_id=world.zebedee,
                    owner_id=world.cora,
                    team_id=world.alder,
                    title=f"Approve plan {i}",
                    due_on=WORLD_TODAY - dt.timedelta(days=i % 9 + 1),
                    state=TaskState.OPEN,
                )
                for i in range(WRAP_UP_TO + 5)
            )
    finally:
        engine.dispose()
    ctx = make_ctx(services, "cora")
    screen = open_screen(qtbot, ctx)
    view = screen.sections["overdue_approvals"]
    rows = screen.section_rows("overdue_approvals")
    assert len(rows) == WRAP_UP_TO + 6 and view.heading.text().endswith(
        f"({len(rows)}, {len(rows)} LATE)"
    )
    assert not view.table.wordWrap()
    detail = view.table.model().index(len(rows) - 1, COLUMNS.index("What to know"))
    assert detail.data(Qt.ItemDataRole.ToolTipRole) == rows[-1][-1]
    assert rows[-1][-1].startswith("Plan approval was due by ")
    # a short section still wraps its text
    assert screen.sections["releases"].table.wordWrap()
