"""The monthly performance dashboard as a PDF (issue #8 item 4; DESIGN section 3, "Management
views").

Landscape A4, so that seven figures and a name fit a table at the readable size. The title page
holds the force's and the teams' figures; then each team's offender managers with a chart of
their caseloads against the benchmark line; then charts of visits on time against overdue per team
and of scrutiny findings over the twelve months; last, notes saying what each figure counts.

Figures over the benchmark or late are marked with an asterisk and set in bold on a tinted cell,
so they stand out on a black-and-white print and to a reader who cannot tell colours apart. Chart
series differ by shade and by outline or dash, and carry their values.

The caller (`DashboardService.pdf`) has checked the actor's permission and audits the print.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from dateutil.relativedelta import relativedelta
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, PageBreak, Spacer, Table, TableStyle

from desktop.reports.base import (
    BOLD,
    FONT,
    INK,
    MARGIN_X,
    RULE,
    WARNING_FILL,
    WARNING_INK,
    Bookmark,
    Fixed,
    PrintInfo,
    Report,
    data_table,
    day,
    headed,
    para,
    widths,
)
from desktop.services.dashboard import Dashboard, DashboardRow, Metric, Value, mark, team_of

TITLE = "Monthly dashboard"
PAGE = landscape(A4)
WIDTH = PAGE[0] - 2 * MARGIN_X
# The tables' column groups, in the order printed; a metric in none of them goes in a last one.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Caseload, visits and currency",
        (
            "caseload",
            "over_benchmark",
            "visits_due",
            "visits_on_time",
            "visits_overdue",
            "arms_current_pct",
            "plan_current_pct",
        ),
    ),
    (
        "Backlogs, PPNs and notifications",
        (
            "approvals_open",
            "approvals_oldest_days",
            "hub_open",
            "hub_oldest_days",
            "ppn_on_time_pct",
            "ppn_follow_up_late",
            "notification_breaches",
        ),
    ),
    ("Peer scrutiny", ("findings_reviewed", "findings_no", "actions_raised", "actions_open")),
)
# Figures marked when above nothing: a caseload over the benchmark, things overdue or late.
MARK = "*"
SHADES = (colors.HexColor("#4d6f8f"), colors.HexColor("#d9a441"), colors.HexColor("#9b9b9b"))
CHART_HEIGHT = 62 * mm


class DashboardReport(Report):
    pagesize = PAGE


def build_dashboard_pdf(dashboard: Dashboard) -> bytes:
    """The dashboard as PDF bytes: every page marked OFFICIAL-SENSITIVE with "Page x of y", the
    team (or "All teams"), the month, and who made it when."""
    month = f"{dashboard.month:%B %Y}"
    info = PrintInfo(
        title=f"{TITLE}: {month}",
        team=team_of(dashboard),
        period=month,
        printed_by=dashboard.made_by,
        printed_at=dashboard.made_at,
    )
    story: list[Flowable] = [
        Bookmark("Force and teams", "summary"),
        para(info.title, "title"),
        para(_as_of_text(dashboard)),
        Spacer(0, 3 * mm),
        para(
            f"{MARK} marks a figure over the benchmark ({dashboard.benchmark} offenders for an "
            "offender manager), overdue or late. A dash: nothing to measure. Ages are in working "
            "days. The notes at the end say what each figure counts.",
            "note",
        ),
    ]
    summary = ([dashboard.force] if dashboard.force else []) + list(dashboard.teams)
    story += _tables(dashboard, "Force and teams" if dashboard.force else "Team", summary)
    for team in dashboard.teams:
        managers = [r for r in dashboard.managers if r.team_id == team.team_id]
        story += [PageBreak(), Bookmark(f"Offender managers: {team.name}", f"team-{team.team_id}")]
        story += _tables(dashboard, f"Offender managers: {team.name}", managers)
        if managers:
            story.append(
                headed(
                    para(f"Caseload against the benchmark: {team.name}", "h2"),
                    _caseload_chart(managers, dashboard.benchmark),
                    min_room=CHART_HEIGHT + 20 * mm,
                )
            )
    story += [PageBreak(), Bookmark("Charts", "charts")]
    story.append(
        headed(
            para("Visits due in the month: on time, and overdue on the last day", "h2"),
            _visits_chart(summary),
            min_room=CHART_HEIGHT + 20 * mm,
        )
    )
    story.append(
        headed(
            para(f"Peer-scrutiny findings over the twelve months to {month}", "h2"),
            _findings_chart(dashboard),
            min_room=CHART_HEIGHT + 20 * mm,
        )
    )
    story += [PageBreak(), Bookmark("Notes", "notes"), para("What each figure counts", "h1")]
    story.append(
        data_table(
            ["Figure", "Unit", "What is counted, as of when"],
            [[m.label, _unit_words(m), m.explains] for m in dashboard.metrics],
            widths(Fixed(48 * mm), Fixed(28 * mm), 1, total=WIDTH),
        )
    )
    return DashboardReport(info).render(story)


# -- words ------------------------------------------------------------------------------------


def _as_of_text(dashboard: Dashboard) -> str:
    last = dashboard.month + relativedelta(months=1, days=-1)
    when = "today: the month is still running" if dashboard.as_of < last else "the month's last day"
    return (
        f"As of {day(dashboard.as_of)} ({when}). Made by {dashboard.made_by}; "
        f"caseload benchmark {dashboard.benchmark}."
    )


def _unit_words(metric: Metric) -> str:
    return {"": "count", "%": "per cent", "days": "working days"}.get(metric.unit, metric.unit)


def shown(metric: Metric, value: Value) -> str:
    """A figure as printed: a whole number, a percentage to one place, or a dash for nothing."""
    if value is None:
        return "\u2013"
    if metric.unit == "%":
        return f"{value:.1f}%"
    return str(int(value))


def is_marked(metric: Metric, row: DashboardRow, benchmark: int) -> bool:
    """Over the benchmark (an offender manager's caseload) or something overdue or late:
    `desktop.services.dashboard.mark`, the rule the screen uses too."""
    value = row.values.get(metric.key)
    return bool(mark(metric.key, value, benchmark, manager=row.officer_id is not None))


# -- tables -----------------------------------------------------------------------------------


def _groups(metrics: Sequence[Metric]) -> list[tuple[str, list[Metric]]]:
    by_key = {m.key: m for m in metrics}
    placed = {key for _, keys in GROUPS for key in keys}
    groups = [(title, [by_key[k] for k in keys if k in by_key]) for title, keys in GROUPS]
    rest = [m for m in metrics if m.key not in placed]
    if rest:
        groups.append(("Other figures", rest))
    return [(title, found) for title, found in groups if found]


def _tables(dashboard: Dashboard, heading: str, rows: Sequence[DashboardRow]) -> list[Flowable]:
    story: list[Flowable] = [para(heading, "h1")]
    if not rows:
        story.append(para("No offender managers in this team.", "note"))
        return story
    for title, metrics in _groups(dashboard.metrics):
        story.append(headed(para(title, "h3"), _table(dashboard, rows, metrics)))
    return story


def _table(dashboard: Dashboard, rows: Sequence[DashboardRow], metrics: list[Metric]) -> Table:
    body: list[list[str | Flowable]] = []
    marks: list[tuple[int, int]] = []
    for r, row in enumerate(rows, start=1):
        cells: list[str | Flowable] = [row.name]
        for c, metric in enumerate(metrics, start=1):
            text = shown(metric, row.values.get(metric.key))
            if is_marked(metric, row, dashboard.benchmark):
                text = f"{text} {MARK}"
                marks.append((c, r))
            cells.append(text)
        body.append(cells)
    names = max(50 * mm, WIDTH - 30 * mm * max(len(metrics), 7))
    table = data_table(
        ["Name"] + [m.label for m in metrics],
        body,
        widths(Fixed(names), *([1] * len(metrics)), total=WIDTH),
        centre=range(1, len(metrics) + 1),
    )
    style: list[tuple[object, ...]] = []
    for c, r in marks:
        style += [
            ("BACKGROUND", (c, r), (c, r), WARNING_FILL),
            ("FONT", (c, r), (c, r), BOLD, 9.5),
            ("TEXTCOLOR", (c, r), (c, r), WARNING_INK),
        ]
    if rows and rows[0].team_id is None and rows[0].officer_id is None:
        style.append(("FONT", (0, 1), (-1, 1), BOLD, 9.5))  # the force row
    table.setStyle(TableStyle(style))
    return table


# -- charts -----------------------------------------------------------------------------------


def _bar_chart(
    labels: Sequence[str], series: Sequence[Sequence[float]], names: Sequence[str]
) -> tuple[Drawing, VerticalBarChart]:
    drawing = Drawing(WIDTH, CHART_HEIGHT)
    chart = VerticalBarChart()
    chart.x, chart.y = 14 * mm, 22 * mm
    chart.width, chart.height = WIDTH - 60 * mm, CHART_HEIGHT - 28 * mm
    chart.data = [list(s) for s in series]
    chart.categoryAxis.categoryNames = list(labels)
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    chart.categoryAxis.labels.angle = 30 if len(labels) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(labels) > 6 else "n"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.strokeColor = RULE
    chart.categoryAxis.strokeColor = RULE
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 7.5
    chart.barLabels.nudge = 6
    for i in range(len(series)):
        chart.bars[i].fillColor = SHADES[i % len(SHADES)]
        chart.bars[i].strokeColor = INK
        chart.bars[i].strokeWidth = 0.4 if i == 0 else 1.2
    drawing.add(chart)
    if len(names) > 1:
        legend = Legend()
        legend.x, legend.y = WIDTH - 42 * mm, CHART_HEIGHT - 8 * mm
        legend.fontName, legend.fontSize = FONT, 8.5
        legend.alignment = "right"
        legend.colorNamePairs = [(SHADES[i % len(SHADES)], n) for i, n in enumerate(names)]
        drawing.add(legend)
    return drawing, chart


def _caseload_chart(managers: Sequence[DashboardRow], benchmark: int) -> Drawing:
    """Each offender manager's caseload as a bar, with the benchmark as a dashed line."""
    values = [float(m.values.get("caseload") or 0) for m in managers]
    top = max([*values, float(benchmark)]) * 1.15
    drawing, chart = _bar_chart([_short(m.name) for m in managers], [values], ["Caseload"])
    chart.valueAxis.valueMax = top
    y = chart.y + chart.height * benchmark / top
    drawing.add(
        Line(
            chart.x,
            y,
            chart.x + chart.width,
            y,
            strokeColor=INK,
            strokeWidth=1,
            strokeDashArray=[4, 3],
        )
    )
    drawing.add(
        String(
            chart.x + chart.width + 3,
            y - 3,
            f"Benchmark {benchmark}",
            fontName=BOLD,
            fontSize=8.5,
            fillColor=INK,
        )
    )
    return drawing


def _visits_chart(rows: Sequence[DashboardRow]) -> Drawing:
    drawing, _ = _bar_chart(
        [r.name for r in rows],
        [
            [float(r.values.get("visits_on_time") or 0) for r in rows],
            [float(r.values.get("visits_overdue") or 0) for r in rows],
        ],
        ["Done on time", "Overdue on the last day"],
    )
    return drawing


def _findings_chart(dashboard: Dashboard) -> Drawing:
    """The force's findings month by month (a sergeant's print: their team's)."""
    wanted = None if dashboard.force is not None else next(iter(dashboard.teams), None)
    team_id = wanted.team_id if wanted is not None else None
    months = sorted((f for f in dashboard.findings if f.team_id == team_id), key=lambda f: f.month)
    drawing = Drawing(WIDTH, CHART_HEIGHT)
    if not months:
        drawing.add(String(0, CHART_HEIGHT / 2, "No findings to show.", fontName=FONT))
        return drawing
    series = [
        [float(f.reviewed) for f in months],
        [float(f.answers.get("no", 0)) for f in months],
        [float(f.actions_raised) for f in months],
    ]
    names = ["Records scrutinised", "Answers \u201cno\u201d", "Actions raised"]
    chart = HorizontalLineChart()
    chart.x, chart.y = 14 * mm, 14 * mm
    chart.width, chart.height = WIDTH - 60 * mm, CHART_HEIGHT - 20 * mm
    chart.data = series
    chart.categoryAxis.categoryNames = [f"{f.month:%b %y}" for f in months]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 8
    top = max(1.0, *(v for s in series for v in s))
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = top * 1.2
    chart.valueAxis.valueStep = max(1, math.ceil(top / 5))  # whole numbers: these are counts
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 8
    chart.lineLabelFormat = "%d"
    chart.lineLabels.fontName = FONT
    chart.lineLabels.fontSize = 7.5
    markers = ("FilledSquare", "FilledCircle", "FilledTriangle")
    dashes = (None, [4, 2], [1, 2])
    for i in range(len(series)):
        chart.lines[i].strokeColor = SHADES[i]
        chart.lines[i].strokeWidth = 1.6
        chart.lines[i].symbol = makeMarker(markers[i], fillColor=SHADES[i], size=5)
        if dashes[i] is not None:
            chart.lines[i].strokeDashArray = dashes[i]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = WIDTH - 42 * mm, CHART_HEIGHT - 8 * mm
    legend.fontName, legend.fontSize = FONT, 8.5
    legend.alignment = "right"
    legend.colorNamePairs = list(zip(SHADES, names, strict=True))
    drawing.add(legend)
    return drawing


def _short(name: str) -> str:
    """ "Ada Quillfeather" -> "A. Quillfeather": a chart's label under a narrow bar."""
    first, _, rest = name.partition(" ")
    return f"{first[:1]}. {rest}" if rest else name
