"""Offenders due a home visit: the window, why (routine, before sentence, after release,
overdue), when last seen, failed attempts and the s96B warrant flag, and the visit planned for
them if there is one.

Overdue visits come first, longest overdue at the top; then the rest as the service orders them,
soonest window end first. Columns are sized from the font; the name takes the width left over,
so that every column fits a 1600-pixel screen, the offender manager's column included."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QVBoxLayout, QWidget

from ui.visits.models import DueModel
from ui.visits.week import VisitTable
from ui.widgets.labels import plural

if TYPE_CHECKING:
    from desktop.services.visits import DueVisit

# The longest text each column shows (and whether it is bold with the warning icon), to size it
# from the font in use; the name (None here) takes what is left.
SAMPLES: tuple[tuple[str, bool] | None, ...] = (
    ("ZZ/2026/000000", False),
    None,
    ("Geoffrey Buttonspindle", False),
    ("Overdue since 00/00/0000", True),
    ("00/00/0000 to 00/00/0000", False),
    ("Never seen", False),
    ("Consider s96B warrant", True),
    ("00/00/0000 00:00", False),
)
ICON_ROOM = 24
NAME_COLUMN = 1
NAME_MIN_WIDTH = 150


class DuePane(QWidget):
    open_requested = Signal()
    current_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel()
        self.summary.setObjectName("countLabel")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Visits due")
        self.model = DueModel(self)
        self.table = VisitTable(
            "Offenders due a visit",
            "Offenders whose visit window is open, opens in the next four weeks, or has passed. "
            "Enter plans a visit, or shows the one planned.",
        )
        self.table.setObjectName("dueTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        self._size_columns()
        self.table.resized.connect(self._fit_name_column)
        self.table.selectionModel().currentChanged.connect(
            lambda _current, _previous: self.current_changed.emit()
        )
        self.table.open_requested.connect(self.open_requested)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)

    def _size_columns(self) -> None:
        body = QFontMetrics(self.table.font())
        bold_font = QFont(self.table.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        header = self.table.horizontalHeader()
        for column, spec in enumerate(SAMPLES):
            if spec is None:
                continue
            sample, alert = spec
            title = bold.horizontalAdvance(DueModel.headers[column]) + 16
            text = (
                bold.horizontalAdvance(sample) + ICON_ROOM
                if alert
                else body.horizontalAdvance(sample)
            )
            header.resizeSection(column, max(text, title) + 14)

    def _fit_name_column(self) -> None:
        header = self.table.horizontalHeader()
        others = sum(
            header.sectionSize(i)
            for i in range(self.model.columnCount())
            if i != NAME_COLUMN and not header.isSectionHidden(i)
        )
        width = self.table.viewport().width() - others
        header.resizeSection(NAME_COLUMN, max(NAME_MIN_WIDTH, width))

    def set_due(self, rows: list[DueVisit], *, show_manager: bool) -> None:
        keep = self.current_due()
        rows = sorted(
            rows,
            key=lambda d: (not d.overdue, (d.due or d.window_end) if d.overdue else d.window_end),
        )
        self.model.set_due(rows)
        self.table.setColumnHidden(2, not show_manager)
        self._fit_name_column()
        kept = keep is not None and self.select_offender(keep.offender_id)
        if not kept and rows:
            self.table.setCurrentIndex(self.model.index(0, 0))
            self.table.selectRow(0)
        overdue = sum(1 for d in rows if d.overdue)
        warrants = sum(1 for d in rows if d.warrant_consideration)
        unplanned = sum(1 for d in rows if d.planned_visit is None)
        text = (
            f"{plural(len(rows), 'offender')} due a visit now or in the next four weeks: "
            f"{overdue} overdue, {unplanned} not planned"
        )
        if warrants:
            text += f", {plural(warrants, 'case')} for warrant consideration (s96B)"
        self.summary.setText(text + ".")

    def current_due(self) -> DueVisit | None:
        index = self.table.currentIndex()
        if not index.isValid():
            rows = self.table.selectionModel().selectedRows()
            if not rows:
                return None
            index = rows[0]
        return self.model.due_at(index.row())

    def select_offender(self, offender_id: int) -> bool:
        row = self.model.row_of(offender_id)
        if row < 0:
            return False
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.selectRow(row)
        return True

    def clear(self) -> None:
        self.model.set_due([])
        self.table.setCurrentIndex(QModelIndex())
        self.summary.setText("")
