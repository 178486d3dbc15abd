"""Offenders due a home visit: the window, why (routine, before sentence, after release,
overdue), when last seen, failed attempts and the s96B warrant flag, and the visit planned for
them if there is one. Soonest window end first, as the service orders them."""

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

# The longest text each column shows, to size it from the font in use; the last column (the
# planned visit) takes what is left.
SAMPLES = (
    "ZZ/2026/000000",
    "Forename Longersurname",
    "Forename Longersurname",
    "Overdue since 00/00/0000 (before sentence)",
    "00/00/0000 to 00/00/0000",
    "Never seen",
    "2 failed attempts in a row",
    "Consider s96B warrant",
)
ICON_ROOM = 24


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
        header.setStretchLastSection(True)
        self._size_columns()
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
        bold_font = QFont(self.table.font())
        bold_font.setBold(True)
        bold = QFontMetrics(bold_font)
        header = self.table.horizontalHeader()
        for column, sample in enumerate(SAMPLES):
            title = bold.horizontalAdvance(DueModel.headers[column]) + 16
            header.resizeSection(
                column, max(bold.horizontalAdvance(sample) + ICON_ROOM, title) + 14
            )

    def set_due(self, rows: list[DueVisit], *, show_manager: bool) -> None:
        keep = self.current_due()
        self.model.set_due(rows)
        self.table.setColumnHidden(2, not show_manager)
        if keep is not None:
            self.select_offender(keep.offender_id)
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
