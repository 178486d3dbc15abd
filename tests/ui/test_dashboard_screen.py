"""The Dashboard screen (issue #8 item 4, the app part).

First with dashboards built here (the tables' figures, marks and sorting; the charts), then end
to end on the synthetic world (Wednesday 12/06/2024) with the real dashboard service: a team
manager's dashboard, month navigation that refuses the future, a figure traced to its records,
a record opened from them, the PDF previewed, a sergeant's own team only, and a refusal shown
in words."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from desktop.services.dashboard import Dashboard, DashboardRow, FindingsMonth, Metric
from ui.dashboard import texts
from ui.dashboard.charts import CaseloadChart, GroupedBarChart, LinesChart
from ui.dashboard.model import VALUE_ROLE, FiguresModel

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


def test_figures_carry_their_unit_and_the_worse_ones_a_sign_and_bold_type(qapp) -> None:
    model = FiguresModel("Offender manager", team_column=True)
    QAbstractItemModelTester(model, QAbstractItemModelTester.FailureReportingMode.Fatal)
    model.set_rows(MANAGERS, METRICS, BENCHMARK, {1: "Alder", 2: "Birch"})

    assert column(model, "caseload") == ["▲ 54", "3", "50"]  # 50 is the benchmark, not over
    assert column(model, "arms_current") == ["▼ 50%", "—", "100%"]
    assert column(model, "approval_age") == ["▲ 4 days", "0 days", "▲ 1.5 days"]
    assert column(model, "visits_due") == ["5", "4", "0"]  # neither good nor bad: never marked
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
    assert model.headerData(col, Qt.Orientation.Horizontal) == "Approval\nbacklog age"
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
    assert [over.at(i) for i in range(3)] == [0, 0, 54] and within.at(0) == 50
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
