"""The caseload screen on the synthetic world: whose caseload each role sees, filtering as you
type, quick filters, the count against the benchmark, and opening a record."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from desktop.services.core import Services
from tests.desktop.factories import World
from tests.ui.helpers import unnamed, wait_idle
from ui.caseload.model import COLUMN_INDEX, OFFENDER_ID_ROLE
from ui.caseload.screen import CaseloadScreen
from ui.context import AppContext


def open_screen(qtbot, ctx: AppContext) -> CaseloadScreen:
    screen = CaseloadScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1400, 700)
    screen.show()
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.activate()
    return screen


def shown_ids(screen: CaseloadScreen) -> set[int]:
    m = screen.model
    return {m.index(r, 0).data(OFFENDER_ID_ROLE) for r in range(m.rowCount())}


def test_offender_manager_sees_own_caseload_then_the_team(
    qtbot, ctx: AppContext, world: World
) -> None:
    screen = open_screen(qtbot, ctx)
    assert shown_ids(screen) == {world.zebedee, world.quentin, world.horatio}
    assert [screen.scope_box.itemText(i) for i in range(screen.scope_box.count())] == [
        "My caseload",
        "My team (Alder)",
    ]
    assert screen.scope_box.isEnabled()
    assert screen.table.isColumnHidden(COLUMN_INDEX["manager"])
    assert screen.count_label.text() == "3 offenders on your caseload (benchmark 50)"

    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.scope_box.setCurrentIndex(1)
    assert shown_ids(screen) == set(world.alder_offenders)
    assert not screen.table.isColumnHidden(COLUMN_INDEX["manager"])
    assert screen.count_label.text().startswith("6 offenders, 2 offender managers")


def test_filter_narrows_as_you_type(qtbot, ctx: AppContext, world: World) -> None:
    screen = open_screen(qtbot, ctx)
    qtbot.keyClicks(screen.filter_box, "plim")
    assert shown_ids(screen) == {world.zebedee}
    assert screen.count_label.text().startswith("Showing 1 of 3 offenders")
    screen.filter_box.clear()
    qtbot.keyClicks(screen.filter_box, "zz3 4q")  # the current postcode, part typed
    assert shown_ids(screen) == {world.zebedee}
    screen.filter_box.clear()
    qtbot.keyClicks(screen.filter_box, world.references["horatio"].lower())
    assert shown_ids(screen) == {world.horatio}
    screen.filter_box.clear()
    assert len(shown_ids(screen)) == 3


def test_quick_filters(qtbot, ctx: AppContext, world: World) -> None:
    screen = open_screen(qtbot, ctx)
    button = screen.quick_buttons["visit_overdue"]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert button.isChecked()
    assert shown_ids(screen) == {world.horatio}
    row = screen.model.row_of(world.horatio)
    text = screen.model.index(row, COLUMN_INDEX["next_visit"]).data()
    assert text.startswith("OVERDUE ")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(screen.quick_buttons["high_risk"], Qt.MouseButton.LeftButton)
    assert shown_ids(screen) == {world.zebedee, world.horatio}
    qtbot.mouseClick(screen.quick_buttons["custody"], Qt.MouseButton.LeftButton)
    assert shown_ids(screen) == set()
    assert screen.count_label.text().startswith("Showing 0 of 3")


def test_released_recently_on_the_force_view(qtbot, services: Services, make_ctx, world: World):
    screen = open_screen(qtbot, make_ctx(services, "dorian"))  # team manager
    assert [screen.scope_box.itemText(i) for i in range(screen.scope_box.count())] == [
        "My team (Alder)",
        "The whole force",
    ]
    with qtbot.waitSignal(screen.loaded, timeout=10_000):
        screen.scope_box.setCurrentIndex(1)
    assert shown_ids(screen) == set(world.alder_offenders + world.birch_offenders)
    qtbot.mouseClick(screen.quick_buttons["released"], Qt.MouseButton.LeftButton)
    assert world.cuthbert in shown_ids(screen)


def test_sergeant_sees_the_team_only(qtbot, services: Services, make_ctx, world: World) -> None:
    screen = open_screen(qtbot, make_ctx(services, "cora"))
    assert screen.scope_box.count() == 1 and not screen.scope_box.isEnabled()
    assert shown_ids(screen) == set(world.alder_offenders)


def test_administrator_is_told_why_there_is_no_caseload(
    qtbot, services: Services, make_ctx, world: World
) -> None:
    ctx = make_ctx(services, "fenn")
    screen = CaseloadScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    screen.activate()
    wait_idle(qtbot, ctx)
    assert "administrator" in screen.state_label.text()
    assert screen.state_label.isVisible()
    assert screen.model.rowCount() == 0


def test_refused_scope_is_explained(qtbot, ctx: AppContext, world: World) -> None:
    screen = open_screen(qtbot, ctx)
    screen.load_scope("force")  # not offered to an offender manager; the service says no
    wait_idle(qtbot, ctx)
    assert "whole force" in screen.state_label.text()
    assert screen.scope_box.currentText() == "My caseload"
    assert len(shown_ids(screen)) == 3


@pytest.mark.parametrize("how", ["double-click", "enter"])
def test_double_click_or_enter_opens_a_record(
    qtbot, ctx: AppContext, world: World, how: str
) -> None:
    screen = open_screen(qtbot, ctx)
    row = screen.model.row_of(world.zebedee)
    index = screen.table.model().index(row, COLUMN_INDEX["name"])  # the table's row for the model's
    with qtbot.waitSignal(screen.open_record, timeout=2000) as signal:
        if how == "enter":
            screen.table.setFocus()
            screen.table.setCurrentIndex(index)
            qtbot.keyClick(screen.table, Qt.Key.Key_Return)
        else:
            rect = screen.table.visualRect(index)
            # A real double-click starts with a press, which the view needs to see.
            qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
            qtbot.mouseDClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert signal.args == [world.zebedee]


def test_filter_box_hands_over_to_the_table(qtbot, ctx: AppContext, world: World) -> None:
    screen = open_screen(qtbot, ctx)
    screen.filter_box.setFocus()
    qtbot.keyClicks(screen.filter_box, "fiddle")
    qtbot.keyClick(screen.filter_box, Qt.Key.Key_Down)
    assert screen.table.currentIndex().row() == 0
    with qtbot.waitSignal(screen.open_record, timeout=2000) as signal:
        qtbot.keyClick(screen.table, Qt.Key.Key_Return)
    assert signal.args == [world.horatio]


def test_every_control_has_an_accessible_name(qtbot, ctx: AppContext, world: World) -> None:
    screen = open_screen(qtbot, ctx)
    assert unnamed(screen) == []


def test_model_of_the_live_screen_passes_the_model_tester(
    qtbot, qtmodeltester, ctx, world: World
) -> None:
    screen = open_screen(qtbot, ctx)
    qtmodeltester.check(screen.model, force_py=True)


def test_quality_column_shows_each_record_score_and_sorts(
    qtbot, ctx: AppContext, world: World
) -> None:
    screen = open_screen(qtbot, ctx)
    column = COLUMN_INDEX["quality"]
    assert screen.model.headerData(column, Qt.Orientation.Horizontal) == "Quality"
    assert not screen.table.isColumnHidden(column)
    scores = {
        screen.model.index(r, 0).data(OFFENDER_ID_ROLE): screen.model.index(r, column).data()
        for r in range(screen.model.rowCount())
    }
    assert all(text.endswith("%") for text in scores.values())
    record = ctx.svc.records.open(ctx.officer, world.horatio)
    assert scores[world.horatio] == f"{record.quality.score}%"
    assert record.quality.score < 100  # the ARMS review is overdue, and more

    # Clicking the header sorts by the score, worst first on the second click.
    header = screen.table.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(column) + 10, 10),
    )
    values = [
        int(screen.model.index(r, column).data().rstrip("%"))
        for r in range(screen.model.rowCount())
    ]
    assert values in (sorted(values), sorted(values, reverse=True))
    screen.table.sortByColumn(column, Qt.SortOrder.AscendingOrder)
    first = screen.model.index(0, column).data()
    assert int(first.rstrip("%")) == min(values)


def test_the_name_column_takes_the_width_left_over(qtbot, ctx: AppContext, world: World) -> None:
    screen = open_screen(qtbot, ctx)
    header = screen.table.horizontalHeader()
    name = COLUMN_INDEX["name"]

    def columns_fill_the_table() -> bool:
        shown = [i for i in range(header.count()) if not header.isSectionHidden(i)]
        return sum(header.sectionSize(i) for i in shown) == screen.table.viewport().width()

    widths = []
    for width in (1800, 1500):
        screen.resize(width, 700)
        qtbot.waitUntil(columns_fill_the_table)
        widths.append(header.sectionSize(name))
    assert widths[0] - widths[1] == 300  # the name column took all of the change


def test_a_name_width_the_officer_dragged_stays_while_the_rows_change(
    qtbot, ctx: AppContext, world: World
) -> None:
    """The viewport narrows and widens as the vertical scroll bar comes and goes with the rows
    a filter shows; the name column refits to it only while it has the width last fitted."""
    screen = open_screen(qtbot, ctx)
    screen.resize(1500, 160)  # a few rows fill it: the scroll bar shows while every row does
    header = screen.table.horizontalHeader()
    name = COLUMN_INDEX["name"]
    bar = screen.table.verticalScrollBar()
    qtbot.waitUntil(bar.isVisible)
    fitted = header.sectionSize(name)
    screen.filter_box.setText("no such offender")  # no rows: the scroll bar goes
    qtbot.waitUntil(lambda: not bar.isVisible())
    assert header.sectionSize(name) > fitted  # not dragged: it takes the bar's width
    screen.filter_box.clear()
    qtbot.waitUntil(bar.isVisible)
    assert header.sectionSize(name) == fitted

    header.resizeSection(name, fitted - 40)  # the officer drags it narrower
    screen.filter_box.setText("no such offender")
    qtbot.waitUntil(lambda: not bar.isVisible())
    assert header.sectionSize(name) == fitted - 40
