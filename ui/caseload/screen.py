"""The caseload screen: whose offenders (mine, my team, the force), a filter box that narrows as
you type, quick filters, the count against the benchmark, and the table. Enter or a double-click
opens a record."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QItemDelegate,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.caseload.model import COLUMN_INDEX, COLUMNS, QUICK_FILTERS, CaseloadModel, TableCells
from ui.context import AppContext
from ui.widgets.forms import set_tone
from ui.widgets.keys import screen_shortcuts, tab_chain
from ui.widgets.labels import plural
from ui.widgets.messages import error_text
from ui.widgets.tables import plain_table_view, unshaped_font

if TYPE_CHECKING:
    from desktop.services.actor import Actor
    from desktop.services.caseload import Caseload, Scope
    from desktop.services.core import Services

log = logging.getLogger("pillars.ui.caseload")

# The longest text each column shows, to size it from the font in use; name and manager get a
# fixed width and the last column takes what is left.
COLUMN_SAMPLES: dict[str, str | tuple[str, ...]] = {
    "reference": "ZZ/2026/000000",
    "risk": "Not assessed",
    "mappa": "C1 / L1",
    "status": ("Community", "In custody", "In hospital"),
    "last_seen": ("Never seen", "00/00/0000"),
    "next_visit": "OVERDUE 00/00/0000",
    "arms": "OVERDUE 00/00/0000",
    "tasks": "000",
    "breaches": "3 breaches",
    "quality": "100%",
}
FIXED_WIDTHS = {"name": 190, "manager": 170}
NAME_MIN_WIDTH = 180  # the name column takes the width left over, never less than this
ICON_ROOM = 24  # the warning icon beside an overdue date or a breach count
CELL_MARGINS = 10  # a cell's text margins (3 px each side) and grid line, with a little to spare
HEADER_MARGINS = 14  # a header section's padding (6 px each side in style.qss) and border
ALERT_COLUMNS = {"next_visit", "arms", "breaches", "quality"}
OPEN_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def scope_label(scope: Scope, actor: Actor) -> str:
    value = str(scope)
    if value == "mine":
        return "My caseload"
    if value == "team":
        return f"My team ({actor.team_name})" if actor.team_name else "My team"
    if value == "force":
        return "The whole force"
    return value.capitalize()


def first_load_job(services: Services, actor: Actor) -> tuple[list[Scope], Scope, Caseload]:
    """Runs in the background: the scopes this officer may choose, their default, and its rows."""
    scopes = list(services.caseload.allowed_scopes(actor))
    default = services.caseload.default_scope(actor)
    return scopes, default, services.caseload.load(actor, default)


class CaseloadScreen(QWidget):
    """Emits `open_record(offender_id)`."""

    open_record = Signal(int)
    loaded = Signal()

    title = "Caseload"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("caseloadScreen")
        self._scopes: list[Scope] = []
        self._benchmark = 50
        self._managers = 0
        self._scope: Scope | None = None
        self._token = 0
        self._started = False
        self._fitted_name: int | None = None  # the name column's width as last fitted

        self.heading = QLabel("Caseload")
        self.heading.setObjectName("screenHeading")

        self.scope_box = QComboBox()
        self.scope_box.setAccessibleName("Whose caseload")
        self.scope_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.scope_box.setMinimumContentsLength(16)
        self.scope_box.setEnabled(False)
        self.scope_box.currentIndexChanged.connect(self._scope_chosen)
        scope_label_widget = QLabel("&Show")
        scope_label_widget.setBuddy(self.scope_box)

        self.count_label = QLabel("")
        self.count_label.setObjectName("countLabel")
        self.count_label.setAccessibleName("Caseload count")
        self.count_label.setWordWrap(True)

        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh caseload")
        self.refresh_button.setToolTip("Load the caseload again (F5)")
        self.refresh_button.clicked.connect(self.reload)

        self.filter_box = QLineEdit()
        self.filter_box.setObjectName("filterBox")
        self.filter_box.setAccessibleName("Filter caseload")
        self.filter_box.setAccessibleDescription(
            "Type part of a name, alias, reference or postcode; the table narrows as you type. "
            "Press Down or Enter to move to the table."
        )
        self.filter_box.setPlaceholderText("Filter by name, alias, reference or postcode")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self._filter_changed)
        self.filter_box.installEventFilter(self)
        filter_label = QLabel("&Filter")
        filter_label.setBuddy(self.filter_box)

        title_row = QHBoxLayout()
        title_row.addWidget(self.heading)
        title_row.addSpacing(16)
        title_row.addWidget(self.count_label, 1)
        title_row.addWidget(self.refresh_button)

        top = QHBoxLayout()
        top.addWidget(scope_label_widget)
        top.addWidget(self.scope_box)
        top.addSpacing(12)
        top.addWidget(filter_label)
        top.addWidget(self.filter_box, 1)

        self.quick_buttons: dict[str, QPushButton] = {}
        quick = QHBoxLayout()
        quick_label = QLabel("Only:")
        quick_label.setObjectName("mutedText")
        quick.addWidget(quick_label)
        for q in QUICK_FILTERS:
            button = QPushButton(q.label)
            button.setObjectName("quickFilter")
            button.setCheckable(True)
            button.setAccessibleName(f"Quick filter: {q.label}")
            button.toggled.connect(self._quick_changed)
            self.quick_buttons[q.key] = button
            quick.addWidget(button)
        quick.addStretch(1)

        self.model = CaseloadModel(self)
        # Made by Qt, for speed (see plain_table_view): Enter and resizing reach `eventFilter`.
        self.table = plain_table_view(self, "caseloadTable")
        self.table.setAccessibleName("Caseload table")
        self.table.setAccessibleDescription("Press Enter to open the selected offender's record")
        self.cells = TableCells(self.model, self.table)  # what the table paints
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COLUMN_INDEX["name"], Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setFont(unshaped_font())
        # Qt's plain delegate paints a cell with one less text layout than the styled one, and
        # without asking the stylesheet style for the item's parts: the same pixels, a fifth
        # fewer instructions per repaint and 10-18% less CPU time (issue #10).
        self.table.setItemDelegate(QItemDelegate(self.table))
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self.table.installEventFilter(self)
        self.table.viewport().installEventFilter(self)
        header.setHighlightSections(False)
        self._size_columns()
        self.table.activated.connect(lambda _index: self._open_current())

        self.state_label = QLabel("Loading the caseload…")
        self.state_label.setObjectName("stateLabel")
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName("Caseload message")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(title_row)
        layout.addLayout(top)
        layout.addLayout(quick)
        layout.addWidget(self.state_label)
        layout.addWidget(self.table, 1)

        screen_shortcuts(
            self,
            [(QKeySequence.StandardKey.Find, self.focus_filter), (Qt.Key.Key_F5, self.reload)],
        )

        chain: list[QWidget] = [
            self.scope_box,
            self.filter_box,
            *self.quick_buttons.values(),
            self.table,
            self.refresh_button,
        ]
        tab_chain(self, chain)
        self.setFocusProxy(self.filter_box)

    def _size_columns(self) -> None:
        header = self.table.horizontalHeader()
        body = QFontMetrics(self.table.font())
        bold_font = QFont(self.table.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        for i, column in enumerate(COLUMNS):
            if column.key in FIXED_WIDTHS:
                width = FIXED_WIDTHS[column.key]
            else:
                samples = COLUMN_SAMPLES.get(column.key, column.title)
                if isinstance(samples, str):
                    samples = (samples,)
                # Alert cells are bold with the warning icon.
                metrics, room = (bold, ICON_ROOM) if column.key in ALERT_COLUMNS else (body, 0)
                text = max(metrics.horizontalAdvance(sample) for sample in samples) + room
                title = (
                    max(bold.horizontalAdvance(line) for line in column.heading.splitlines())
                    + 22  # the sort arrow
                )
                width = max(text + CELL_MARGINS, title + HEADER_MARGINS)
            header.resizeSection(i, width)

    def _fit_name_column(self) -> None:
        """Give the name the width the other columns leave, so that they all fit a laptop-sized
        window; below the minimum the table scrolls sideways instead of cutting names short."""
        header = self.table.horizontalHeader()
        name = COLUMN_INDEX["name"]
        others = sum(
            header.sectionSize(i)
            for i in range(len(COLUMNS))
            if i != name and not header.isSectionHidden(i)
        )
        header.resizeSection(name, max(NAME_MIN_WIDTH, self.table.viewport().width() - others))
        self._fitted_name = header.sectionSize(name)

    # -- loading -----------------------------------------------------------------------------

    def activate(self) -> None:
        """Called when the screen is shown: the first time, load the caseload."""
        if not self._started:
            self._started = True
            self._token += 1
            token = self._token
            self._set_loading(True)
            self.ctx.runner.run(
                first_load_job,
                self.ctx.svc,
                self.ctx.officer,
                on_result=lambda out: self._first_loaded(token, out),
                on_error=lambda exc: self._failed(token, exc),
                owner=self,
            )

    def _first_loaded(self, token: int, outcome: tuple[list[Scope], Scope, Caseload]) -> None:
        scopes, default, caseload = outcome
        self._scopes = scopes
        self.scope_box.blockSignals(True)
        self.scope_box.clear()
        for scope in scopes:
            self.scope_box.addItem(scope_label(scope, self.ctx.officer), str(scope))
        self.scope_box.setCurrentIndex(max(0, scopes.index(default)) if default in scopes else 0)
        self.scope_box.blockSignals(False)
        self.scope_box.setEnabled(len(scopes) > 1)
        self._loaded(token, caseload)

    def reload(self) -> None:
        if self._scope is None:
            if not self._started:
                self.activate()
            return
        self.load_scope(self._scope)

    def load_scope(self, scope: Scope) -> None:
        self._token += 1
        token = self._token
        self._set_loading(True)
        self.ctx.runner.run(
            self.ctx.svc.caseload.load,
            self.ctx.officer,
            scope,
            on_result=lambda caseload: self._loaded(token, caseload),
            on_error=lambda exc: self._failed(token, exc),
            owner=self,
        )

    def _scope_chosen(self, position: int) -> None:
        if 0 <= position < len(self._scopes):
            self.load_scope(self._scopes[position])

    def _loaded(self, token: int, caseload: Caseload) -> None:
        if token != self._token:
            return  # a later request is on its way
        self._set_loading(False)
        self._scope = caseload.scope
        self._benchmark = caseload.benchmark
        current = self._current_offender()
        self.model.set_rows(caseload.rows, caseload.on)
        self._managers = len({r.manager_id for r in caseload.rows if r.manager_id is not None})
        self.table.setColumnHidden(COLUMN_INDEX["manager"], str(caseload.scope) == "mine")
        self._fit_name_column()
        self._select_offender(current)
        self._update_count()
        self.loaded.emit()

    def _failed(self, token: int, exc: BaseException) -> None:
        if token != self._token:
            return
        self._set_loading(False)
        self.state_label.setText(error_text(exc))
        set_tone(self.state_label, "alert")
        self.state_label.show()
        # Show the choice as it was before the refused request.
        if self._scope is not None and self._scope in self._scopes:
            self.scope_box.blockSignals(True)
            self.scope_box.setCurrentIndex(self._scopes.index(self._scope))
            self.scope_box.blockSignals(False)

    def _set_loading(self, loading: bool) -> None:
        self.refresh_button.setEnabled(not loading)
        if loading:
            self.state_label.setText("Loading the caseload…")
            set_tone(self.state_label, "info")
            self.state_label.show()
        else:
            self.state_label.hide()

    # -- filtering ---------------------------------------------------------------------------

    def _filter_changed(self, text: str) -> None:
        self.model.set_filter_text(text)
        self._update_count()

    def _quick_changed(self) -> None:
        keys = [k for k, b in self.quick_buttons.items() if b.isChecked()]
        self.model.set_quick_filters(keys)
        self._update_count()

    def _update_count(self) -> None:
        total, shown = self.model.total, self.model.shown
        scope = str(self._scope) if self._scope is not None else "mine"
        if scope == "mine":
            text = f"{plural(total, 'offender')} on your caseload (benchmark {self._benchmark}"
            over = total - self._benchmark
            text += f", {over} over)" if over > 0 else ")"
        else:
            managers = self._managers
            text = plural(total, "offender")
            if managers:
                average = round(total / managers)
                text += (
                    f", {plural(managers, 'offender manager')}, average {average} "
                    f"each (benchmark {self._benchmark})"
                )
        if shown != total:
            text = f"Showing {shown} of {text}"
        self.count_label.setText(text)
        # Restyled only when the tone changes: restyling a label on every keystroke cost time.
        set_tone(self.count_label, "warn" if scope == "mine" and total > self._benchmark else "")

    # -- opening -----------------------------------------------------------------------------

    def focus_filter(self) -> None:
        self.filter_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_box.selectAll()

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount() > 0:
            self.table.selectRow(0)

    def _current_offender(self) -> int | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.row_at(index.row()).offender_id

    def _select_offender(self, offender_id: int | None) -> None:
        if offender_id is None:
            return
        row = self.model.row_of(offender_id)
        if row >= 0:
            self.table.selectRow(row)

    def _open_current(self) -> None:
        offender_id = self._current_offender()
        if offender_id is not None:
            self.open_record.emit(offender_id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Down or Enter in the filter box moves to the table; Enter in the table opens the current
        row (Qt's `activated` does not fire for Enter on every style); the name column takes the
        width the table's viewport gains or loses."""
        kind = event.type()
        if kind == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if watched is self.filter_box and key in OPEN_KEYS + (Qt.Key.Key_Down,):
                if self.model.rowCount() > 0:
                    self.focus_table()
                return True
            if watched is self.table and key in OPEN_KEYS and self.table.currentIndex().isValid():
                self._open_current()
                return True
        elif kind == QEvent.Type.Resize and watched is self.table.viewport():
            # The viewport also narrows when the vertical scroll bar appears as a filter widens
            # the rows: a name width the officer dragged stays put while they type.
            name = self.table.horizontalHeader().sectionSize(COLUMN_INDEX["name"])
            if self._fitted_name is None or name == self._fitted_name:
                self._fit_name_column()
        return super().eventFilter(watched, event)
