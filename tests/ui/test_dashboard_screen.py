"""The Dashboard screen (issue #8 item 4, the app part).

First with dashboards built here (the tables' figures, marks and sorting; the charts), then end
to end on the synthetic world (Wednesday 12/06/2024) with the real dashboard service: a team
manager's dashboard, month navigation that refuses the future, a figure traced to its records,
a record opened from them, the PDF previewed, a sergeant's own team only, and a refusal shown
in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QAbstractItemView

from desktop.services.core import Services
from desktop.services.dashboard import Dashboard, DashboardRow, FindingsMonth, Metric
from tests.desktop.factories import World
from tests.ui.helpers import unnamed, wait_idle
from ui.context import AppContext
from ui.dashboard import texts
from ui.dashboard.charts import CaseloadChart, GroupedBarChart, LinesChart
from ui.dashboard.model import VALUE_ROLE, FiguresModel
from ui.dashboard.screen import DashboardScreen
from ui.dashboard.tables import FiguresTable
from ui.widgets.dates import fmt_date

BENCHMARK = 50
METRICS = (
    Metric("caseload", "Caseload", "", "Offenders managed on the month's last day."),
    Metric("visits_due", "Visits due", "", "Home visits due in the month."),
    Metric("visits_overdue", "Visits overdue", "", "Visits due but not done.", True),
    Metric("arms_current", "ARMS in date", "%", "Offenders whose ARMS is in date."),
    Metric("approval_age", "Approval backlog age", "days", "Oldest open approval.", True),
)


def officer_row(team: int, officer: int, name: str, *figures: float | None) -> DashboardRow:
    return DashboardRow(
        team, officer, name, dict(zip([m.key for m in METRICS], figures, strict=True))
    )


FORCE = DashboardRow(
    None, None, "Force", dict(zip([m.key for m in METRICS], (120, 9, 0, 75, 3), strict=True))
)
MANAGERS = (
    officer_row(1, 11, "Fictional Ada", 54, 5, 2, 50.0, 4),
    officer_row(1, 12, "Fictional Bram", 3, 4, 0, None, 0),
    officer_row(2, 21, "Fictional Gus", 50, 0, 1, 100.0, 1.5),
)


def made_up_dashboard(month: dt.date = dt.date(2024, 6, 1)) -> Dashboard:
    months = [texts.add_months(month, -i) for i in range(11, -1, -1)]
    findings = tuple(
        FindingsMonth(m, None, i, {"yes": 3, "no": i % 3}, i % 2, 0) for i, m in enumerate(months)
    )
    return Dashboard(
        month,
        dt.date(2024, 6, 12),
        BENCHMARK,
        METRICS,
        FORCE,
        (),
        MANAGERS,
        findings,
        dt.datetime(2024, 6, 12, 9, tzinfo=dt.UTC),
        "Fictional Dorian",
    )


def column(model: FiguresModel, key: str, role: int = Qt.ItemDataRole.DisplayRole) -> list:
    col = model.column_of(key)
    return [model.index(r, col).data(role) for r in range(model.rowCount())]


# -- figures and their marks ------------------------------------------------------------------


def test_figures_carry_their_unit_and_the_marked_ones_a_sign_and_bold_type(qapp) -> None:
    model = FiguresModel("Offender manager", team_column=True)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_rows(MANAGERS, METRICS, BENCHMARK, {1: "Alder", 2: "Birch"})

    assert column(model, "caseload") == ["▲ 54", "3", "50"]  # 50 is the benchmark, not over
    assert column(model, "visits_overdue") == ["▲ 2", "0", "▲ 1"]  # overdue: above none
    # not marked: a share, an age and a count that are neither over a benchmark nor late
    assert column(model, "arms_current") == ["50%", "—", "100%"]
    assert column(model, "approval_age") == ["4 days", "0 days", "1.5 days"]
    assert column(model, "visits_due") == ["5", "4", "0"]
    assert [model.index(r, 1).data() for r in range(3)] == ["Alder", "Alder", "Birch"]
    bold = column(model, "caseload", Qt.ItemDataRole.FontRole)
    assert bold[0].bold() and bold[1] is None
    spoken = column(model, "caseload", Qt.ItemDataRole.AccessibleTextRole)
    assert spoken[0] == "54, over the benchmark of 50" and spoken[1] == "3"
    align = column(model, "caseload", Qt.ItemDataRole.TextAlignmentRole)
    assert all(int(a) & int(Qt.AlignmentFlag.AlignRight) for a in align)
    tip = model.index(0, model.column_of("caseload")).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Over the benchmark of 50. Offenders managed")
    col = model.column_of("approval_age")
    assert model.headerData(col, Qt.Orientation.Horizontal) == "Approval\nbacklog\nage"
    assert model.headerData(col, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "Oldest open approval."
    )


def test_sorting_by_a_figure_keeps_the_force_on_top_and_nothing_measured_last(qapp) -> None:
    model = FiguresModel("Team")
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_rows([FORCE, *MANAGERS], METRICS, BENCHMARK)
    # the benchmark is per offender manager: a team's or the force's caseload is a total
    assert column(model, "caseload")[0] == "120"
    arms = model.column_of("arms_current")
    model.sort(arms, Qt.SortOrder.DescendingOrder)
    assert [model.row_at(r).name for r in range(4)] == [
        "Force",
        "Fictional Gus",
        "Fictional Ada",
        "Fictional Bram",
    ]
    model.sort(arms, Qt.SortOrder.AscendingOrder)
    assert column(model, "arms_current", VALUE_ROLE) == [75, 50.0, 100.0, None]
    model.sort(0, Qt.SortOrder.DescendingOrder)
    assert [model.row_at(r).name for r in range(4)][1:] == [
        "Fictional Gus",
        "Fictional Bram",
        "Fictional Ada",
    ]
    # new rows arrive in the order last chosen
    model.set_rows([FORCE, *reversed(MANAGERS)], METRICS, BENCHMARK)
    assert model.row_at(1).name == "Fictional Gus"
    assert model.row_of(2, 21) == 1 and model.metric_at(0) is None


def test_months_step_across_years() -> None:
    assert texts.add_months(dt.date(2024, 1, 31), -1) == dt.date(2023, 12, 1)
    assert texts.add_months(dt.date(2023, 12, 5), 1) == dt.date(2024, 1, 1)
    assert texts.add_months(dt.date(2024, 6, 1), -12) == dt.date(2023, 6, 1)
    assert texts.month_label(dt.date(2026, 11, 1)) == "November 2026"


# -- charts -----------------------------------------------------------------------------------


def test_charts_show_the_figures_they_are_given(qtbot) -> None:
    caseload = CaseloadChart()
    qtbot.addWidget(caseload)
    caseload.show_caseloads([(r.name, float(r.values["caseload"] or 0)) for r in MANAGERS], 50)
    bars, line = caseload.chart().series()
    within, over = bars.barSets()
    # the first manager at the top: the bars run from the bottom
    assert [over.at(i) for i in range(3)] == [0, 0, 4]  # Ada's 54 is 4 over
    assert [within.at(i) for i in range(3)] == [50, 3, 50]
    assert [line.at(i).x() for i in range(2)] == [50, 50]
    assert caseload.summary.endswith("Over it: Fictional Ada 54.")
    assert caseload.chart().axes(Qt.Orientation.Horizontal)[0].titleText() == "Offenders managed"

    visits = GroupedBarChart("Visits", "Visits")
    qtbot.addWidget(visits)
    visits.show_bars(["Alder", "Birch"], [("Due", [5, 4]), ("Overdue", [2, 0])], ["#000", "#111"])
    assert [s.label() for s in visits.chart().series()[0].barSets()] == ["Due", "Overdue"]
    assert "Alder: due 5, overdue 2. Birch: due 4, overdue 0." in visits.summary

    findings = LinesChart("Findings", "Count")
    qtbot.addWidget(findings)
    d = made_up_dashboard()
    findings.show_lines(
        [texts.short_month(f.month) for f in d.findings],
        [("Reviewed", [float(f.reviewed) for f in d.findings])],
        ["#000"],
        "July 2023 to June 2024",
    )
    (reviewed,) = findings.chart().series()
    assert reviewed.count() == 12 and reviewed.at(11).y() == 11
    axis = findings.chart().axes(Qt.Orientation.Horizontal)[0]
    assert axis.categories()[0] == "Jul" and axis.titleText() == "July 2023 to June 2024"


# -- end to end on the synthetic world ----------------------------------------------------------

both_databases = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
JUNE = dt.date(2024, 6, 1)


def open_screen(qtbot, ctx: AppContext) -> DashboardScreen:
    screen = DashboardScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1400, 900)
    screen.show()
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        screen.activate()
    wait_idle(qtbot, ctx)
    return screen


def cell(table: FiguresTable, row: int, key: str) -> QModelIndex:
    return table.figures.index(row, table.figures.column_of(key))


def press_enter_on(qtbot, table: QAbstractItemView, index: QModelIndex) -> None:
    """Choose a cell and press Enter on it, as a keyboard user does."""
    table.setFocus()
    table.setCurrentIndex(index)
    qtbot.keyClick(table, Qt.Key.Key_Return)


def double_click(qtbot, table: QAbstractItemView, index: QModelIndex) -> None:
    table.scrollTo(index)
    centre = table.visualRect(index).center()
    # A real double-click starts with a press, which the view needs to see.
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def names(model: FiguresModel) -> list[str]:
    return [model.row_at(r).name for r in range(model.rowCount())]


@both_databases
def test_a_team_manager_sees_the_force_each_team_and_each_offender_manager(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    ctx = make_ctx(services, "dorian")
    screen = open_screen(qtbot, ctx)
    assert not unnamed(screen)
    assert screen.month == JUNE and screen.month_field.text() == "June 2024"
    assert screen.summary.text().startswith("June 2024 so far (to 12/06/2024).")
    teams = [screen.team_box.itemText(i) for i in range(screen.team_box.count())]
    assert teams == ["All teams", "Alder", "Birch"] and screen.team_box.isEnabled()

    expected = services.dashboard.build(ctx.officer, JUNE)
    assert expected.force is not None
    assert names(screen.teams_model) == ["Force", "Alder", "Birch"]
    qtbot.waitUntil(lambda: screen.teams_table.verticalScrollBar().maximum() == 0)  # all rows
    managers = screen.managers_model
    assert [managers.row_at(r).officer_id for r in range(managers.rowCount())] == [
        m.officer_id for m in expected.managers
    ]
    assert {world.ada, world.bram, world.gus} <= {m.officer_id for m in expected.managers}
    headings = [
        str(screen.teams_model.headerData(c, Qt.Orientation.Horizontal)).replace("\n", " ")
        for c in range(1, screen.teams_model.columnCount())
    ]
    assert headings == [m.label for m in expected.metrics]
    caseload = next(m for m in expected.metrics if m.key == "caseload")
    assert column(screen.teams_model, "caseload") == [
        texts.figure(caseload, r.values["caseload"]) for r in (expected.force, *expected.teams)
    ]
    # the charts draw the same figures
    within, over = screen.caseload_chart.chart().series()[0].barSets()
    assert within.sum() + over.sum() == sum(m.values["caseload"] or 0 for m in expected.managers)
    visits = screen.visits_chart.chart().series()[0].barSets()
    assert [b.label() for b in visits] == ["Due", "Done on time", "Overdue"]
    assert [visits[2].at(i) for i in range(2)] == [
        t.values["visits_overdue"] for t in expected.teams
    ]
    assert len(screen.findings_chart.chart().series()) == 3

    # the screen marks the figures the printed dashboard marks
    from desktop.reports.dashboard import is_marked

    for model in (screen.teams_model, screen.managers_model):
        for r in range(model.rowCount()):
            row = model.row_at(r)
            for metric in expected.metrics:
                shown = str(model.index(r, model.column_of(metric.key)).data())
                assert shown.startswith(texts.WORSE) == is_marked(metric, row, BENCHMARK), (
                    row.name,
                    metric.key,
                )

    # one team: its row under the force's, for comparison, and its managers only
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        assert screen.choose_team(world.birch)
    wait_idle(qtbot, ctx)
    assert names(screen.teams_model) == ["Force", "Birch"]
    rows = [managers.row_at(r) for r in range(managers.rowCount())]
    assert rows and {r.team_id for r in rows} == {world.birch}
    assert screen.team_box.count() == 3  # the other teams are still offered


@both_databases
def test_month_navigation_goes_back_and_refuses_the_future(
    qtbot, services: Services, make_ctx: Callable[..., AppContext]
) -> None:
    ctx = make_ctx(services, "dorian")
    screen = open_screen(qtbot, ctx)
    assert not screen.next_button.isEnabled() and not screen.this_button.isEnabled()
    assert screen.month_field.maximumDate().toPython() == dt.date(2024, 6, 12)

    assert not screen.step_month(1)
    assert screen.month == JUNE and screen.month_field.text() == "June 2024"
    assert screen.state_text.startswith("July 2024 has not started yet")
    assert not ctx.runner.busy  # nothing was asked of the services

    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        qtbot.keyClick(screen.teams_table, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    wait_idle(qtbot, ctx)
    assert screen.month == dt.date(2024, 5, 1) and screen.dashboard is not None
    assert screen.dashboard.month == dt.date(2024, 5, 1)
    assert screen.summary.text().startswith("May 2024. ")
    assert screen.next_button.isEnabled() and screen.month_field.text() == "May 2024"

    # the month picker: any day of a month shows that month
    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        screen.month_field.setDate(QDate(2024, 3, 15))
    wait_idle(qtbot, ctx)
    assert screen.month == dt.date(2024, 3, 1) and screen.summary.text().startswith("March 2024.")

    with qtbot.waitSignal(screen.loaded, timeout=20_000):
        qtbot.keyClick(screen.teams_table, Qt.Key.Key_Home, Qt.KeyboardModifier.AltModifier)
    wait_idle(qtbot, ctx)
    assert screen.month == JUNE and not screen.next_button.isEnabled()


@both_databases
def test_a_figure_is_traced_to_its_records_and_a_record_opens(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    ctx = make_ctx(services, "dorian")
    screen = open_screen(qtbot, ctx)
    pane = screen.trace_pane

    # a count: as many records as the figure says
    table = screen.managers_table
    ada = table.figures.row_of(world.alder, world.ada)
    ada_row = table.figures.row_at(ada)
    caseload = ada_row.values["caseload"]
    assert caseload
    with qtbot.waitSignal(screen.traced, timeout=20_000):
        press_enter_on(qtbot, table, cell(table, ada, "caseload"))
    assert pane.table.rows.rowCount() == caseload == len(pane.lines)
    assert pane.title.text() == f"Caseload, {ada_row.name}, June 2024: {caseload}"
    assert {line.offender_id for line in pane.lines} <= {
        world.zebedee,
        world.quentin,
        world.horatio,
    }
    dates = [pane.table.rows.index(r, 4).data() for r in range(len(pane.lines))]
    assert dates == [fmt_date(line.when, texts.NOTHING) for line in pane.lines]
    assert pane.table.isColumnHidden(len(texts.TRACE_COLUMNS))  # no "counted" for a count

    # a percentage: the records counted over all of them make the figure
    teams = screen.teams_table
    alder = teams.figures.row_of(world.alder, None)
    share = teams.figures.row_at(alder).values["arms_current_pct"]
    assert share is not None
    with qtbot.waitSignal(screen.traced, timeout=20_000):
        double_click(qtbot, teams, cell(teams, alder, "arms_current_pct"))
    counted = sum(1 for line in pane.lines if line.counted)
    assert pane.lines and 100 * counted / len(pane.lines) == pytest.approx(share)
    assert not pane.table.isColumnHidden(len(texts.TRACE_COLUMNS))
    assert pane.summary.text().startswith(f"{counted} of {len(pane.lines)} record")

    # activating a line opens that offender's record
    last = len(pane.lines) - 1
    with qtbot.waitSignal(screen.open_record, timeout=5_000) as opened:
        press_enter_on(qtbot, pane.table, pane.table.rows.index(last, 0))
    assert opened.args == [pane.lines[last].offender_id]
    assert opened.args[0] in world.alder_offenders
    with qtbot.waitSignal(screen.open_record, timeout=5_000) as opened:
        double_click(qtbot, pane.table, pane.table.rows.index(0, 1))
    assert opened.args == [pane.lines[0].offender_id]


@both_databases
def test_the_pdf_is_previewed_with_its_pages(
    qtbot, services: Services, make_ctx: Callable[..., AppContext]
) -> None:
    ctx = make_ctx(services, "dorian")
    screen = open_screen(qtbot, ctx)
    with qtbot.waitSignal(screen.pdf_ready, timeout=60_000):
        qtbot.keyClick(screen.teams_table, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, ctx)
    assert screen.tabs.currentIndex() == screen.pdf_page
    assert screen.preview.page_count >= 1 and screen.preview.data.startswith(b"%PDF")
    assert screen.preview.status.text().startswith("dashboard-force-2024-06.pdf")
    assert screen.preview.save_button.isEnabled() and screen.pdf_button.isEnabled()


@both_databases
def test_a_sergeant_sees_their_own_team_only(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    ctx = make_ctx(services, "cora")
    screen = open_screen(qtbot, ctx)
    assert not screen.team_box.isEnabled() and screen.team_box.currentText() == "Alder"
    assert screen.team_id == world.alder
    assert names(screen.teams_model) == ["Alder"]  # no force row
    managers = screen.managers_model
    rows = [managers.row_at(r) for r in range(managers.rowCount())]
    assert {r.officer_id for r in rows} >= {world.ada, world.bram}
    assert {r.team_id for r in rows} == {world.alder}
    assert not screen.choose_team(None)


def test_a_refusal_is_shown_in_words_not_raised(
    qtbot, services: Services, make_ctx: Callable[..., AppContext]
) -> None:
    ctx = make_ctx(services, "ada")  # an offender manager: the dashboard is not hers
    screen = DashboardScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(screen.failed, timeout=20_000) as failed:
        screen.activate()
    wait_idle(qtbot, ctx)
    text = failed.args[0]
    assert text.startswith("The dashboard could not be loaded. ")
    assert "Something went wrong" not in text  # the service's own words
    assert screen.state_text == text and screen.summary.text() == "Nothing to show."
    assert screen.teams_model.rowCount() == 0 and not screen.pdf_button.isEnabled()
    assert not screen.caseload_chart.chart().series()  # no chart of figures not shown
