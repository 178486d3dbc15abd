"""The Daily sheet screen: the team management meeting's sheet for one day (issue #8 item 5;
DESIGN section 3, "Management views"), for sergeants (their team) and team managers (any team,
or all teams).

A day chooser (today by default; the day before and after; a date typed or picked) and, for a team
manager, the team; then the six sections of `desktop.services.daily`, each a table under a
heading that counts its lines and its late ones. Late lines come first and say LATE in words as
well as in colour. Enter or a double-click on a line opens the offender's record. "Print / PDF…"
builds the same sheet as a PDF in the background and shows it in the PDF tab, to open, save or
print. Everything is loaded in the background; a refusal or failure is said in words."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.daily import SECTIONS, WHEN_LABELS
from ui.context import AppContext
from ui.team.dialogs import DayField
from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.forms import set_tone
from ui.widgets.keys import screen_shortcuts, tab_chain
from ui.widgets.labels import plural
from ui.widgets.messages import error_text
from ui.widgets.pdf_view import PdfPreview
from ui.widgets.tables import Cell, RowsTable

if TYPE_CHECKING:
    from desktop.services.actor import Actor
    from desktop.services.core import Services
    from desktop.services.daily import DailyLine, DailySection, DailySheet

log = logging.getLogger("pillars.ui.daily")

COLUMNS = ("", "Date", "Reference", "Offender", "Team", "Manager", "What to know")
TEAM_COLUMN = COLUMNS.index("Team")
ALL_TEAMS = "All teams"
WRAP_UP_TO = 40  # lines of a section whose text wraps (see SectionView.show_section)
SHORTCUTS = {
    "previous": "Alt+Left",
    "today": "Alt+Home",
    "next": "Alt+Right",
    "pdf": "Ctrl+P",
}


def line_row(line: DailyLine) -> list[str | Cell]:
    """One line of a section as the table shows it."""
    when = line.when
    shown = fmt_timestamp(when) if isinstance(when, dt.datetime) else fmt_date(when)
    return [
        Cell("LATE", "alert", "Past its date") if line.late else "",
        Cell(shown, "alert") if line.late else shown,
        line.reference,
        line.name,
        line.team,
        line.manager or "Unallocated",
        line.detail,
    ]


SectionRows = dict[str, list[list[str | Cell]]]


def sheet_and_rows(
    services: Services, actor: Actor, day: dt.date, team_id: int | None
) -> tuple[DailySheet, SectionRows]:
    """The sheet, and each section's rows for its table: run in the background, so a force's
    thousand lines are turned into text off the GUI thread."""
    sheet = services.daily.sheet(actor, day, team_id=team_id)
    return sheet, {s.key: [line_row(line) for line in s.lines] for s in sheet.sections}


def section_heading(section: DailySection) -> str:
    """ "Releases (3, 1 LATE)", "Departures abroad (0)"."""
    late = sum(1 for line in section.lines if line.late)
    counted = f"{len(section.lines)}, {late} LATE" if late else f"{len(section.lines)}"
    return f"{section.title} ({counted})"


class SectionView(QWidget):
    """One section: its heading with the counts, and its lines or its empty text."""

    activated = Signal(int)  # the offender id of the line activated

    def __init__(self, key: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.key = key
        self.lines: list[DailyLine] = []
        self.heading = QLabel(title)
        self.heading.setObjectName("dayTitle")
        self.heading.setAccessibleName(f"{title} heading")
        headers = list(COLUMNS)
        headers[1] = WHEN_LABELS.get(key, "Date")
        self.table = RowsTable(headers, title, fit_rows=(1, 12), widest=240)
        self.table.setAccessibleDescription("Press Enter to open the offender's record")
        self.table.activated.connect(lambda index: self._activated(index.row()))
        self.empty = QLabel()
        self.empty.setObjectName("mutedText")
        self.empty.setAccessibleName(f"{title}: none")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 6)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)

    def show_section(
        self, section: DailySection, rows: list[list[str | Cell]], *, force: bool
    ) -> None:
        """`rows` are the section's lines as `line_row` makes them (built off the GUI thread)."""
        self.lines = list(section.lines)
        self.heading.setText(section_heading(section))
        set_tone(self.heading, "alert" if any(line.late for line in self.lines) else "")
        self.table.setColumnHidden(TEAM_COLUMN, not force)
        # Long text wraps in a short list. A long one (a force's overdue visits) keeps a line a
        # row, the tooltip holding all of it, and its columns are sized to its first lines:
        # measuring hundreds of rows would hold the window up.
        wrap = len(rows) <= WRAP_UP_TO
        self.table.setWordWrap(wrap)
        self.table.setTextElideMode(
            Qt.TextElideMode.ElideNone if wrap else Qt.TextElideMode.ElideRight
        )
        self.table.set_rows(rows[:WRAP_UP_TO])
        if wrap:
            self.table.resizeRowsToContents()
        else:
            self.table.rows.set_rows(rows)
        self.table.refit()
        self.table.setVisible(bool(self.lines))
        self.empty.setText(section.empty_text)
        self.empty.setVisible(not self.lines)

    def _activated(self, row: int) -> None:
        if 0 <= row < len(self.lines) and self.lines[row].offender_id is not None:
            self.activated.emit(self.lines[row].offender_id)


class DailyScreen(QWidget):
    """Emits `open_record(offender_id)`; `loaded` when a sheet arrives; `failed(text)`;
    `pdf_ready` when the PDF is shown."""

    open_record = Signal(int)
    loaded = Signal()
    failed = Signal(str)
    pdf_ready = Signal()

    title = "Daily sheet"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("dailyScreen")
        self._started = False
        self._tokens = {"sheet": 0}
        self.sheet: DailySheet | None = None

        heading = QLabel("Daily meeting sheet")
        heading.setObjectName("screenHeading")
        self.summary = QLabel("Loading…")
        self.summary.setObjectName("countLabel")
        self.summary.setAccessibleName("Daily sheet summary")
        self.summary.setWordWrap(True)
        self.refresh_button = self._button("&Refresh", "Load the sheet again", "F5")
        self.refresh_button.clicked.connect(self.reload)
        title_row = QHBoxLayout()
        title_row.addWidget(heading)
        title_row.addSpacing(16)
        title_row.addWidget(self.summary, 1)
        title_row.addWidget(self.refresh_button)

        self.team_box = QComboBox()
        self.team_box.setAccessibleName("Team")
        self.team_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.team_box.currentIndexChanged.connect(lambda _i: self.load())
        team_label = QLabel("T&eam")
        team_label.setBuddy(self.team_box)
        today = ctx.svc.today() if ctx.services is not None else dt.date.today()
        self.day_field = DayField(today)
        self.day_field.setAccessibleName("Day of the sheet")
        self.day_field.setKeyboardTracking(False)  # load the day once it is typed whole
        self.day_field.dateChanged.connect(lambda _d: self.load())
        day_label = QLabel("&Day")
        day_label.setBuddy(self.day_field)
        self.previous_button = self._button(
            "Pre&vious day", "Show the day before", SHORTCUTS["previous"]
        )
        self.today_button = self._button("&Today", "Show today", SHORTCUTS["today"])
        self.next_button = self._button("Ne&xt day", "Show the day after", SHORTCUTS["next"])
        self.previous_button.clicked.connect(lambda: self.step_day(-1))
        self.today_button.clicked.connect(lambda: self.step_day(0))
        self.next_button.clicked.connect(lambda: self.step_day(1))
        self.pdf_button = self._button(
            "&Print / PDF…", "Build the sheet as a PDF to view, save or print", SHORTCUTS["pdf"]
        )
        self.pdf_button.clicked.connect(self.build_pdf)
        controls = QHBoxLayout()
        for label in (team_label, day_label):
            label.setMinimumWidth(label.sizeHint().width() + 4)
        controls.addWidget(team_label)
        controls.addWidget(self.team_box)
        controls.addSpacing(16)
        controls.addWidget(day_label)
        controls.addWidget(self.day_field)
        for button in (self.previous_button, self.today_button, self.next_button):
            controls.addWidget(button)
        controls.addStretch(1)
        controls.addWidget(self.pdf_button)

        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName("Daily sheet message")
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label.hide()

        self.sections: dict[str, SectionView] = {}
        body = QWidget()
        body.setObjectName("dailySections")
        stack = QVBoxLayout(body)
        stack.setContentsMargins(0, 0, 8, 0)
        for key, title, _empty in SECTIONS:
            view = SectionView(key, title)
            view.activated.connect(self.open_record)
            self.sections[key] = view
            stack.addWidget(view)
        stack.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName("The sheet's sections")

        self.preview = PdfPreview()
        self.preview.clear("Press Print / PDF… to build the sheet as a PDF.")
        self.preview.built.connect(self._pdf_shown)
        self.preview.build_failed.connect(self._pdf_failed)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Daily sheet views")
        self.sheet_page = self.tabs.addTab(scroll, "&Sheet")
        self.pdf_page = self.tabs.addTab(self.preview, "PD&F")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(title_row)
        layout.addLayout(controls)
        layout.addWidget(self.state_label)
        layout.addWidget(self.tabs, 1)

        handlers = {
            "previous": lambda: self.step_day(-1),
            "today": lambda: self.step_day(0),
            "next": lambda: self.step_day(1),
            "pdf": self.build_pdf,
        }
        screen_shortcuts(
            self,
            [
                *((SHORTCUTS[key], handler) for key, handler in handlers.items()),
                (Qt.Key.Key_F5, self.reload),
            ],
        )
        tables = [view.table for view in self.sections.values()]
        tab_chain(
            self,
            [
                self.team_box,
                self.day_field,
                self.previous_button,
                self.today_button,
                self.next_button,
                self.pdf_button,
                self.tabs,
                *tables,
                self.preview.open_button,
                self.preview.save_button,
                self.preview.print_button,
                self.refresh_button,
            ],
        )
        self.setFocusProxy(self.day_field)
        self.pdf_button.setEnabled(False)

    def _button(self, text: str, tip: str, shortcut: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setToolTip(f"{tip} ({shortcut})")
        return button

    # -- choosing ---------------------------------------------------------------------------------

    @property
    def day(self) -> dt.date:
        return self.day_field.day()

    @property
    def team_id(self) -> int | None:
        data = self.team_box.currentData()
        return int(data) if data is not None else None

    def step_day(self, step: int) -> None:
        """-1 the day before, +1 the day after, 0 today."""
        target = self.ctx.svc.today() if step == 0 else self.day + dt.timedelta(days=step)
        if target != self.day:
            self.day_field.set_day(target)  # loads through dateChanged
        elif step == 0:
            self.load()

    def choose_team(self, team_id: int | None) -> None:
        """Show one team's sheet (None: all teams), as the team box does."""
        index = self.team_box.findData(team_id)
        if index >= 0:
            self.team_box.setCurrentIndex(index)

    # -- loading ----------------------------------------------------------------------------------

    def activate(self) -> None:
        """Called when the screen is shown: the first time, find the teams, then the sheet."""
        if self._started:
            return
        self._started = True
        token = self._next("sheet")
        self.ctx.runner.run(
            self.ctx.svc.daily.teams,
            self.ctx.officer,
            on_result=self._teams_arrived,
            on_error=lambda exc: self._failed(token, exc),
            owner=self,
        )

    def reload(self) -> None:
        if self.team_box.count():
            self.load()
        else:
            self._started = False
            self.activate()

    def _teams_arrived(self, teams: list[tuple[int, str]]) -> None:
        actor = self.ctx.officer
        self.team_box.blockSignals(True)
        self.team_box.clear()
        if actor.role == "team_manager":
            self.team_box.addItem(ALL_TEAMS, None)
        for team_id, name in teams:
            self.team_box.addItem(name, team_id)
        # The meeting is the team's: a team manager starts on their own team (All teams is there).
        self.team_box.setCurrentIndex(max(0, self.team_box.findData(actor.team_id)))
        self.team_box.setEnabled(self.team_box.count() > 1)
        self.team_box.blockSignals(False)
        self.load()

    def load(self) -> None:
        if not self._started or not self.team_box.count():
            return
        token = self._next("sheet")
        day, team_id = self.day, self.team_id
        self.refresh_button.setEnabled(False)
        self.pdf_button.setEnabled(False)
        self.summary.setText(f"Loading {day:%A} {fmt_date(day)}…")
        set_tone(self.summary, "")
        self.preview.clear("Press Print / PDF… to build the sheet as a PDF.")
        self.ctx.runner.run(
            sheet_and_rows,
            self.ctx.svc,
            self.ctx.officer,
            day,
            team_id,
            on_result=lambda found: self._arrived(token, *found),
            on_error=lambda exc: self._failed(token, exc),
            owner=self,
        )

    def _next(self, what: str) -> int:
        self._tokens[what] += 1
        return self._tokens[what]

    def _arrived(self, token: int, sheet: DailySheet, rows: SectionRows) -> None:
        if token != self._tokens["sheet"]:
            return
        self.sheet = sheet
        self.refresh_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        force = sheet.team_id is None
        for section in sheet.sections:
            self.sections[section.key].show_section(section, rows[section.key], force=force)
        total = sum(len(s.lines) for s in sheet.sections)
        late = sum(1 for s in sheet.sections for line in s.lines if line.late)
        today = " (today)" if sheet.on == self.ctx.svc.today() else ""
        text = f"{sheet.team_name} on {sheet.on:%A} {fmt_date(sheet.on)}{today}: "
        text += plural(total, "line") + (f", {late} LATE" if late else "") + "."
        self.summary.setText(text)
        set_tone(self.summary, "warn" if late else "")
        self.state_label.hide()
        self.loaded.emit()

    def _failed(self, token: int, exc: BaseException) -> None:
        if token != self._tokens["sheet"]:
            return
        self.sheet = None
        self.refresh_button.setEnabled(True)
        self.pdf_button.setEnabled(False)
        text = f"The daily sheet could not be shown. {error_text(exc)}"
        self.summary.setText("Nothing to show.")
        self.show_state(text, "alert")
        self.failed.emit(text)

    # -- the PDF ----------------------------------------------------------------------------------

    def build_pdf(self) -> None:
        """Build the sheet shown as a PDF, in the background, and show it in the PDF tab."""
        sheet = self.sheet
        if sheet is None or not self.pdf_button.isEnabled():
            return
        self.pdf_button.setEnabled(False)
        self.tabs.setCurrentIndex(self.pdf_page)
        self.preview.build(
            self.ctx.runner,
            self.ctx.svc.daily.pdf,
            self.ctx.officer,
            sheet.on,
            team_id=sheet.team_id,
            file_name=f"daily-sheet-{sheet.team_name}-{sheet.on:%Y-%m-%d}.pdf",
            waiting=f"Building the sheet for {fmt_date(sheet.on)} as a PDF…",
        )

    def _pdf_shown(self) -> None:
        self.pdf_button.setEnabled(self.sheet is not None)
        self.pdf_ready.emit()

    def _pdf_failed(self, text: str) -> None:
        self.pdf_button.setEnabled(self.sheet is not None)
        self.show_state(text, "alert")
        self.failed.emit(text)

    # -- messages ---------------------------------------------------------------------------------

    def show_state(self, text: str, tone: str) -> None:
        self.state_label.setText(text)
        set_tone(self.state_label, tone)
        self.state_label.show()

    @property
    def state_text(self) -> str:
        return self.state_label.text() if not self.state_label.isHidden() else ""

    def section_rows(self, key: str) -> list[list[str]]:
        """The text of a section's table, row by row (for tests and screen readers alike)."""
        table = self.sections[key].table
        model = table.model()
        return [
            [str(model.index(r, c).data() or "") for c in range(model.columnCount())]
            for r in range(model.rowCount())
        ]
