"""The Dashboard screen's tables: the figures (sortable, each cell chosen with Enter or a
double-click for the records behind it) and the pane listing those records (each chosen to open
the offender's record)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.dashboard import texts
from ui.dashboard.model import FiguresModel
from ui.widgets.forms import set_tone
from ui.widgets.tables import RowsTable

if TYPE_CHECKING:
    from desktop.services.dashboard import Metric, TraceLine

OPEN_KEYS = "Ctrl+O"


class _Chooses:
    """Enter or a double-click on a cell emits `chosen(index)` (Qt's `activated` does not fire
    for Enter on every style, and fires for a single click on some)."""

    chosen: Signal

    def _choosing(self, view: QAbstractItemView) -> None:
        view.doubleClicked.connect(lambda index: self.chosen.emit(index))

    def _enter(self, view: QAbstractItemView, event: QKeyEvent) -> bool:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and view.currentIndex().isValid():
            self.chosen.emit(view.currentIndex())
            return True
        return False


class FiguresTable(_Chooses, QTableView):
    """Figures with sortable columns; each cell can be chosen for the records behind it."""

    chosen = Signal(QModelIndex)

    def __init__(self, model: FiguresModel, accessible_name: str) -> None:
        super().__init__()
        self._choosing(self)
        self.figures = model
        self.setModel(model)
        self.setAccessibleName(accessible_name)
        self.setAccessibleDescription(
            "Double-click a figure or press Enter on it to list the records behind it"
        )
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setTabKeyNavigation(False)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.setSortingEnabled(True)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._enter(self, event):
            super().keyPressEvent(event)


class TraceTable(_Chooses, RowsTable):
    """The records behind a figure; Enter or a double-click opens the chosen one's record."""

    chosen = Signal(QModelIndex)

    def __init__(self, columns: tuple[str, ...]) -> None:
        super().__init__(columns, "Records behind the figure", stretch=5, widest=240)
        self._choosing(self)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._enter(self, event):
            super().keyPressEvent(event)


class TracePane(QWidget):
    """The records behind the figure last activated."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.metric: Metric | None = None
        self.lines: list[TraceLine] = []
        self.title = QLabel("Records behind a figure")
        self.title.setObjectName("factCaption")
        self.title.setAccessibleName("Figure traced")
        self.summary = QLabel(
            "Double-click a figure, or choose it and press Enter, to see the records behind it."
        )
        self.summary.setObjectName("mutedText")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Records summary")
        columns = (*texts.TRACE_COLUMNS, texts.COUNTED_COLUMN)
        self.table = TraceTable(columns)
        self.table.setAccessibleDescription("Press Enter to open the offender's record")
        self.table.setColumnHidden(len(columns) - 1, True)
        self.open_button = QPushButton("&Open record")
        self.open_button.setAccessibleName("Open record")
        self.open_button.setToolTip(f"Open the chosen offender's record ({OPEN_KEYS})")
        self.open_button.setEnabled(False)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(head)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def loading(self, title: str) -> None:
        self.title.setText(title)
        self.summary.setText("Loading the records…")
        set_tone(self.summary, "")
        self.show_lines(None, [])

    def show_lines(self, metric: Metric | None, lines: list[TraceLine]) -> None:
        self.metric, self.lines = metric, lines
        percentage = metric is not None and metric.unit == "%"
        self.table.setColumnHidden(len(texts.TRACE_COLUMNS), not percentage)
        rows = [texts.trace_row(metric, line) for line in lines] if metric is not None else []
        self.table.set_rows(rows)
        if metric is not None:
            self.summary.setText(texts.trace_summary(metric, lines))
        self.open_button.setEnabled(bool(lines))

    def failed(self, text: str) -> None:
        self.show_lines(None, [])
        self.summary.setText(text)
        set_tone(self.summary, "alert")

    def clear(self) -> None:
        self.title.setText("Records behind a figure")
        self.summary.setText(
            "Double-click a figure, or choose it and press Enter, to see the records behind it."
        )
        set_tone(self.summary, "")
        self.show_lines(None, [])

    def current(self) -> TraceLine | None:
        key = self.table.current_key() if self.lines else None
        return self.lines[key] if isinstance(key, int) and key < len(self.lines) else None
