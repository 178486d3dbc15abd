"""The Dashboard screen: the monthly performance dashboard for team managers and sergeants
(DESIGN section 3, "Management views"; issue #8 item 4). A month (the current one to begin with,
never a later one) and a team (a team manager: all teams or one; a sergeant: their own); the
force and team figures, the offender managers' figures, charts, and the same dashboard as a PDF.

Every figure can be traced: activating a cell (double-click or Enter) loads the records behind
it into the pane below, and activating one of those opens the offender's record. Everything the
services do runs in the background (ui/background.py); the screen only shows answers."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QLocale, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.dashboard import texts
from ui.dashboard.charts import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    RED,
    CaseloadChart,
    GroupedBarChart,
    LinesChart,
)
from ui.dashboard.model import FiguresModel
from ui.dashboard.tables import OPEN_KEYS, FiguresTable, TracePane
from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.forms import set_tone
from ui.widgets.keys import screen_shortcuts, tab_chain
from ui.widgets.messages import error_text
from ui.widgets.pdf_view import PdfPreview

if TYPE_CHECKING:
    from desktop.services.dashboard import Dashboard, DashboardRow, Metric, TraceLine

log = logging.getLogger("pillars.ui.dashboard")

SHORTCUTS = {
    "previous": "Alt+Left",
    "next": "Alt+Right",
    "this": "Alt+Home",
    "pdf": "Ctrl+P",
    "open": OPEN_KEYS,
}
# The visits chart's bars: (metric key, legend label, colour).
VISIT_BARS = (
    ("visits_due", "Due", BLUE),
    ("visits_on_time", "Done on time", GREEN),
    ("visits_overdue", "Overdue", RED),
)
FINDINGS_COLOURS = (BLUE, ORANGE, GREY)
FINDINGS_TITLE = "Scrutiny findings, last 12 months"
LEGEND = (
    f"{texts.WORSE} marks an offender manager's caseload over the benchmark, or something "
    "overdue or late. Hover over a heading for what it counts; double-click a figure, or choose "
    "it and press Enter, for the records behind it."
)
NOT_FUTURE = (
    "{month} has not started yet: the dashboard shows the current month ({current}) "
    "or an earlier one."
)


class DashboardScreen(QWidget):
    """Emits `open_record(offender_id)`; `loaded` when a dashboard arrives; `failed(text)`;
    `traced` when the records behind a figure arrive; `pdf_ready` when the PDF is shown."""

    open_record = Signal(int)
    loaded = Signal()
    failed = Signal(str)
    traced = Signal()
    pdf_ready = Signal()

    title = "Dashboard"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("dashboardScreen")
        self.dashboard: Dashboard | None = None
        self.month = texts.first_of_month(self._today())
        self._started = False
        self._tokens = {"build": 0, "trace": 0}
        self._teams_known = False

        heading = QLabel("Dashboard")
        heading.setObjectName("screenHeading")
        self.summary = QLabel("Loading…")
        self.summary.setObjectName("countLabel")
        self.summary.setAccessibleName("Dashboard summary")
        self.summary.setWordWrap(True)
        self.refresh_button = self._button("&Refresh", "Build the dashboard again", "F5")
        self.refresh_button.clicked.connect(self.load)
        title_row = QHBoxLayout()
        title_row.addWidget(heading)
        title_row.addSpacing(16)
        title_row.addWidget(self.summary, 1)
        title_row.addWidget(self.refresh_button)

        self.previous_button = self._button(
            "Pre&vious month", "Show the month before", SHORTCUTS["previous"]
        )
        self.month_field = QDateEdit()
        self.month_field.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
        self.month_field.setDisplayFormat("MMMM yyyy")
        self.month_field.setCalendarPopup(True)
        self.month_field.setKeyboardTracking(False)
        self.month_field.setMinimumDate(QDate(2000, 1, 1))
        self.month_field.setAccessibleName("Month shown")
        self.month_field.setToolTip("The month shown; not later than the current month")
        self.month_field.setMinimumWidth(150)
        month_label = QLabel("Mont&h")
        month_label.setBuddy(self.month_field)
        self.this_button = self._button("T&his month", "Show the current month", SHORTCUTS["this"])
        self.next_button = self._button("Ne&xt month", "Show the month after", SHORTCUTS["next"])
        self.previous_button.clicked.connect(lambda: self.step_month(-1))
        self.next_button.clicked.connect(lambda: self.step_month(1))
        self.this_button.clicked.connect(lambda: self.set_month(self._today()))
        self._month_timer = QTimer(self)
        self._month_timer.setSingleShot(True)
        self._month_timer.setInterval(300)
        self._month_timer.timeout.connect(self._month_picked)
        self.month_field.dateChanged.connect(lambda _d: self._month_timer.start())

        self.team_box = QComboBox()
        self.team_box.setAccessibleName("Team shown")
        self.team_box.setMinimumWidth(160)
        self._fill_teams([])
        self.team_box.currentIndexChanged.connect(lambda _i: self.load())
        team_label = QLabel("&Team")
        team_label.setBuddy(self.team_box)
        self.pdf_button = self._button(
            "&Print / PDF…", "Build the dashboard as a PDF to view, save or print", SHORTCUTS["pdf"]
        )
        self.pdf_button.clicked.connect(self.build_pdf)
        controls = QHBoxLayout()
        controls.addWidget(self.previous_button)
        controls.addWidget(month_label)
        controls.addWidget(self.month_field)
        controls.addWidget(self.next_button)
        controls.addWidget(self.this_button)
        controls.addSpacing(20)
        controls.addWidget(team_label)
        controls.addWidget(self.team_box)
        controls.addStretch(1)
        controls.addWidget(self.pdf_button)

        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName("Dashboard message")
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label.hide()

        # -- figures -------------------------------------------------------------------------------
        self.teams_model = FiguresModel("Team", parent=self)
        self.teams_table = FiguresTable(self.teams_model, "Force and team figures")
        self.managers_model = FiguresModel("Offender manager", team_column=True, parent=self)
        self.managers_table = FiguresTable(self.managers_model, "Offender managers' figures")
        for table in (self.teams_table, self.managers_table):
            table.chosen.connect(lambda index, t=table: self.trace(t, index))
        self.trace_pane = TracePane()
        self.trace_pane.table.chosen.connect(lambda _i: self.open_chosen())
        self.trace_pane.open_button.clicked.connect(self.open_chosen)
        self.teams_table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(_titled("Offender managers", self.managers_table))
        split.addWidget(self.trace_pane)
        split.setChildrenCollapsible(False)
        split.setSizes([420, 260])
        figures = QWidget()
        figures_layout = QVBoxLayout(figures)
        figures_layout.setContentsMargins(0, 0, 0, 0)
        self.legend = QLabel(LEGEND)
        self.legend.setObjectName("mutedText")
        self.legend.setWordWrap(True)
        self.legend.setAccessibleName("How to read the figures")
        self.legend.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        figures_layout.addWidget(self.legend)
        teams_box = _titled("Force and teams", self.teams_table)
        self.teams_box = teams_box
        self.teams_caption = teams_box.findChild(QLabel)
        figures_layout.addWidget(teams_box)
        figures_layout.addWidget(split, 1)

        # -- charts --------------------------------------------------------------------------------
        self.visits_chart = GroupedBarChart("Visits in the month, per team", "Visits")
        self.findings_chart = LinesChart(FINDINGS_TITLE, "Count")
        self.caseload_chart = CaseloadChart()
        charts = QWidget()
        charts.setObjectName("dashboardCharts")
        grid = QVBoxLayout(charts)
        pair = QHBoxLayout()
        pair.addWidget(self.visits_chart)
        pair.addWidget(self.findings_chart)
        grid.addLayout(pair)
        grid.addWidget(self.caseload_chart)
        grid.addStretch(1)
        charts_scroll = QScrollArea()
        charts_scroll.setWidget(charts)
        charts_scroll.setWidgetResizable(True)
        charts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        charts_scroll.setAccessibleName("Charts")

        # -- the PDF -------------------------------------------------------------------------------
        self.preview = PdfPreview()
        self.preview.clear("Press Print / PDF… to build the dashboard as a PDF.")
        self.preview.built.connect(self._pdf_shown)
        self.preview.build_failed.connect(self._pdf_failed)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Dashboard views")
        self.figures_page = self.tabs.addTab(figures, "&Figures")
        self.charts_page = self.tabs.addTab(charts_scroll, "&Charts")
        self.pdf_page = self.tabs.addTab(self.preview, "PD&F")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(title_row)
        layout.addLayout(controls)
        layout.addWidget(self.state_label)
        layout.addWidget(self.tabs, 1)

        screen_shortcuts(
            self,
            [
                (SHORTCUTS["previous"], lambda: self.step_month(-1)),
                (SHORTCUTS["next"], lambda: self.step_month(1)),
                (SHORTCUTS["this"], lambda: self.set_month(self._today())),
                (SHORTCUTS["pdf"], self.build_pdf),
                (SHORTCUTS["open"], self.open_chosen),
                (Qt.Key.Key_F5, self.load),
            ],
        )
        tab_chain(
            self,
            [
                self.previous_button,
                self.month_field,
                self.next_button,
                self.this_button,
                self.team_box,
                self.pdf_button,
                self.refresh_button,
                self.tabs.tabBar(),
                self.teams_table,
                self.managers_table,
                self.trace_pane.open_button,
                self.trace_pane.table,
                self.visits_chart,
                self.findings_chart,
                self.caseload_chart,
                self.preview.open_button,
                self.preview.save_button,
                self.preview.print_button,
                self.preview.view,
            ],
        )
        self.setFocusProxy(self.teams_table)
        self._show_month()

    def _button(self, text: str, tip: str, keys: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setToolTip(f"{tip} ({keys})")
        return button

    def _today(self) -> dt.date:
        return self.ctx.svc.today() if self.ctx.services is not None else dt.date.today()

    # -- month and team ----------------------------------------------------------------------------

    @property
    def current_month(self) -> dt.date:
        return texts.first_of_month(self._today())

    def set_month(self, day: dt.date) -> bool:
        """Show the month holding `day`; refused (False, said in words) for a later month than
        the current one: its figures do not exist yet."""
        month = texts.first_of_month(day)
        if month > self.current_month:
            self.show_state(
                NOT_FUTURE.format(
                    month=texts.month_label(month), current=texts.month_label(self.current_month)
                ),
                "alert",
            )
            self._show_month()
            return False
        changed = month != self.month
        self.month = month
        self._show_month()
        if changed or not self._started:
            self.load()
        return True

    def step_month(self, months: int) -> bool:
        return self.set_month(texts.add_months(self.month, months))

    def _month_picked(self) -> None:
        picked: dt.date = self.month_field.date().toPython()  # type: ignore[assignment]
        if texts.first_of_month(picked) != self.month:
            self.set_month(picked)

    def _show_month(self) -> None:
        self._month_timer.stop()
        today = self._today()
        self.month_field.blockSignals(True)
        self.month_field.setMaximumDate(QDate(today.year, today.month, today.day))
        self.month_field.setDate(QDate(self.month.year, self.month.month, 1))
        self.month_field.blockSignals(False)
        self.next_button.setEnabled(self.month < self.current_month)
        self.this_button.setEnabled(self.month != self.current_month)

    @property
    def team_id(self) -> int | None:
        data = self.team_box.currentData()
        return int(data) if data is not None else None

    def _fill_teams(self, teams: list[tuple[int, str]]) -> None:
        """A team manager chooses all teams or one; a sergeant sees their own team only."""
        officer = self.ctx.actor
        keep = self.team_box.currentData()
        self.team_box.blockSignals(True)
        self.team_box.clear()
        if officer is not None and officer.role == "sergeant" and officer.team_id is not None:
            self.team_box.addItem(officer.team_name, officer.team_id)
            self.team_box.setEnabled(False)
            self.team_box.setToolTip("A sergeant's dashboard is their own team's")
        else:
            self.team_box.addItem("All teams", None)
            for team_id, name in teams:
                self.team_box.addItem(name, team_id)
            at = self.team_box.findData(keep) if keep is not None else 0
            self.team_box.setCurrentIndex(max(at, 0))
        self.team_box.blockSignals(False)

    def choose_team(self, team_id: int | None) -> bool:
        """Show one team (None: all teams); False when it is not offered."""
        at = self.team_box.findData(team_id) if team_id is not None else 0
        if at < 0 or not self.team_box.isEnabled():
            return False
        self.team_box.setCurrentIndex(at)
        return True

    # -- loading -----------------------------------------------------------------------------------

    def activate(self) -> None:
        """Called when the screen is shown: the first time, build the current month."""
        if not self._started:
            self.load()

    def _next(self, job: str) -> int:
        self._tokens[job] += 1
        return self._tokens[job]

    def load(self) -> None:
        self._started = True
        token = self._next("build")
        self._next("trace")  # a trace on its way is for the dashboard being replaced
        self.refresh_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        self.summary.setText(f"Loading {texts.month_label(self.month)}…")
        set_tone(self.summary, "")
        self.ctx.runner.run(
            self.ctx.svc.dashboard.build,
            self.ctx.officer,
            self.month,
            team_id=self.team_id,
            on_result=lambda d: self._arrived(token, d),
            on_error=lambda exc: self._failed(token, exc),
            owner=self,
        )

    def _arrived(self, token: int, dashboard: Dashboard) -> None:
        if token != self._tokens["build"]:
            return
        self.dashboard = dashboard
        self.refresh_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        if self.state_label.property("tone") == "alert":
            self.state_label.hide()
        if dashboard.force is not None and not self._teams_known and self.team_id is None:
            self._teams_known = True
            self._fill_teams([(r.team_id, r.name) for r in dashboard.teams if r.team_id])
        team_names = {r.team_id: r.name for r in dashboard.teams if r.team_id is not None}
        top = ([dashboard.force] if dashboard.force is not None else []) + list(dashboard.teams)
        self.teams_model.set_rows(top, dashboard.metrics, dashboard.benchmark, team_names)
        self.managers_model.set_rows(
            dashboard.managers, dashboard.metrics, dashboard.benchmark, team_names
        )
        self._fit(self.teams_table)
        self._fit(self.managers_table)
        self._fit_teams_height()
        self.teams_caption.setText("Force and teams" if dashboard.force is not None else "Team")
        self.trace_pane.clear()
        self._show_charts(dashboard)
        self.preview.clear(
            f"Press Print / PDF… to build {texts.month_label(dashboard.month)} as a PDF."
        )
        self.summary.setText(self._summary(dashboard))
        self.loaded.emit()

    def _failed(self, token: int, exc: BaseException) -> None:
        if token != self._tokens["build"]:
            return
        self.dashboard = None
        self.refresh_button.setEnabled(True)
        self.teams_model.set_rows([], [], 0)
        self.managers_model.set_rows([], [], 0)
        for chart in (self.visits_chart, self.findings_chart, self.caseload_chart):
            chart.reset()
            chart.describe("Nothing to show.")
        self.trace_pane.clear()
        text = f"The dashboard could not be loaded. {error_text(exc)}"
        self.summary.setText("Nothing to show.")
        self.show_state(text, "alert")
        self.failed.emit(text)

    def _summary(self, d: Dashboard) -> str:
        running = d.as_of < texts.add_months(d.month, 1) - dt.timedelta(days=1)
        period = (
            f"{texts.month_label(d.month)} so far (to {fmt_date(d.as_of)})"
            if running
            else texts.month_label(d.month)
        )
        return (
            f"{period}. Caseload benchmark {d.benchmark}. "
            f"Made {fmt_timestamp(d.made_at)} for {d.made_by}."
        )

    def _fit(self, table: FiguresTable) -> None:
        """Columns as wide as their figures, the name column no wider than a long name."""
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        table.resizeColumnsToContents()
        for column in range(table.figures.leading):
            header.resizeSection(column, min(max(header.sectionSize(column), 90), 220))

    def _fit_teams_height(self) -> None:
        """The team table shows every row (the force and a handful of teams) without scrolling."""
        table = self.teams_table
        rows = sum(table.rowHeight(r) for r in range(table.figures.rowCount()))
        bar = table.horizontalScrollBar().sizeHint().height()
        header = table.horizontalHeader().sizeHint().height()
        height = header + rows + bar + 2 * table.frameWidth() + 2
        table.setFixedHeight(height)
        box = self.teams_box.layout()
        top = box.contentsMargins().top() + box.contentsMargins().bottom()
        caption = self.teams_caption.sizeHint().height()
        self.teams_box.setFixedHeight(top + caption + box.spacing() + height)

    # -- charts ------------------------------------------------------------------------------------

    def _show_charts(self, d: Dashboard) -> None:
        caseloads = [(m.name, float(m.values.get(texts.CASELOAD) or 0)) for m in d.managers]
        self.caseload_chart.show_caseloads(caseloads, d.benchmark)
        keys = {m.key for m in d.metrics}
        bars = [b for b in VISIT_BARS if b[0] in keys]
        self.visits_chart.show_bars(
            [t.name for t in d.teams],
            [(label, [float(t.values.get(key) or 0) for t in d.teams]) for key, label, _c in bars],
            [colour for _k, _l, colour in bars],
        )
        scope = (
            self.team_id
            if self.team_id is not None
            else (d.teams[0].team_id if d.force is None and len(d.teams) == 1 else None)
        )
        months = [f for f in d.findings if f.team_id == scope]
        entered = any(f.reviewed or f.actions_raised for f in months)
        self.findings_chart.chart().setTitle(
            FINDINGS_TITLE if entered else f"{FINDINGS_TITLE}: none entered"
        )
        self.findings_chart.show_lines(
            [texts.short_month(f.month) for f in months],
            [
                ("Records reviewed", [float(f.reviewed) for f in months]),
                ('"No" answers', [float(f.answers.get("no", 0)) for f in months]),
                ("Actions raised", [float(f.actions_raised) for f in months]),
            ],
            FINDINGS_COLOURS,
            f"{texts.month_label(months[0].month)} to {texts.month_label(months[-1].month)}"
            if months
            else "",
        )

    # -- tracing a figure --------------------------------------------------------------------------

    def trace(self, table: FiguresTable, index: QModelIndex) -> None:
        """Load the records behind the figure at `index` into the records pane."""
        if self.dashboard is None or not index.isValid():
            return
        metric = table.figures.metric_at(index.column())
        if metric is None:
            self.trace_pane.clear()
            return
        row = table.figures.row_at(index.row())
        self.trace_figure(metric, row)

    def trace_figure(self, metric: Metric, row: DashboardRow) -> None:
        assert self.dashboard is not None
        token = self._next("trace")
        value = row.values.get(metric.key)
        self.trace_pane.loading(texts.trace_title(metric, row, self.dashboard.month, value))
        self.ctx.runner.run(
            self.ctx.svc.dashboard.trace,
            self.ctx.officer,
            self.dashboard.month,
            metric.key,
            team_id=row.team_id,
            officer_id=row.officer_id,
            on_result=lambda lines: self._traced(token, metric, lines),
            on_error=lambda exc: self._trace_failed(token, exc),
            owner=self,
        )

    def _traced(self, token: int, metric: Metric, lines: list[TraceLine]) -> None:
        if token != self._tokens["trace"]:
            return
        self.trace_pane.show_lines(metric, list(lines))
        if lines:
            self.trace_pane.table.selectRow(0)
        self.traced.emit()

    def _trace_failed(self, token: int, exc: BaseException) -> None:
        if token != self._tokens["trace"]:
            return
        self.trace_pane.failed(f"The records could not be loaded. {error_text(exc)}")
        self.traced.emit()

    def open_chosen(self) -> None:
        """Open the record of the chosen line in the records pane."""
        line = self.trace_pane.current()
        if line is None:
            return
        if line.offender_id is None:
            self.show_state(f"{line.reference or line.name} has no offender's record.", "")
            return
        self.open_record.emit(line.offender_id)

    # -- the PDF -----------------------------------------------------------------------------------

    def build_pdf(self) -> None:
        """Build the dashboard shown as a PDF in the background and show it in the PDF tab."""
        if self.dashboard is None or not self.pdf_button.isEnabled():
            return
        month = self.dashboard.month
        team = self.team_box.currentText() if self.team_id is not None else "force"
        self.pdf_button.setEnabled(False)
        self.tabs.setCurrentIndex(self.pdf_page)
        self.preview.build(
            self.ctx.runner,
            self.ctx.svc.dashboard.pdf,
            self.ctx.officer,
            month,
            team_id=self.team_id,
            file_name=f"dashboard-{team}-{month:%Y-%m}.pdf",
            waiting=f"Building {texts.month_label(month)} as a PDF…",
        )

    def _pdf_shown(self) -> None:
        self.pdf_button.setEnabled(self.dashboard is not None)
        self.pdf_ready.emit()

    def _pdf_failed(self, text: str) -> None:
        self.pdf_button.setEnabled(self.dashboard is not None)
        self.show_state(text, "alert")
        self.failed.emit(text)

    # -- messages ----------------------------------------------------------------------------------

    def show_state(self, text: str, tone: str) -> None:
        self.state_label.setText(text)
        set_tone(self.state_label, tone)
        self.state_label.show()

    @property
    def state_text(self) -> str:
        return self.state_label.text() if not self.state_label.isHidden() else ""


def _titled(title: str, table: QWidget) -> QWidget:
    box = QWidget()
    caption = QLabel(title)
    caption.setObjectName("factCaption")
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 4, 0, 0)
    layout.setSpacing(4)
    layout.addWidget(caption)
    layout.addWidget(table, 1)
    return box
