"""The week planner: a column per day from Monday to Sunday, a visit per cell, and under it the
chosen day in detail (every visit of that day in a row, and who is off duty).

The week and the day follow each other: moving through the week (mouse or arrow keys) shows that
day below and selects the same visit there; choosing a visit in the day selects it in the week.
Enter or a double-click on a visit asks for its details (`open_requested`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.visits import texts
from ui.visits.models import DayModel, WeekModel

if TYPE_CHECKING:
    from desktop.services.visits import VisitView, WeekPlan

DAY_MIN_WIDTH = 150
MAX_DAY_COLUMN = 360  # no column of the day's table but the last grows wider than this
EMPTY_DAY_COLUMN = 180


class VisitTable(QTableView):
    """A read-only table whose Enter asks to open the current row's visit (Qt's `activated` does
    not fire for Enter on every style)."""

    open_requested = Signal()
    resized = Signal()

    def __init__(self, accessible_name: str, description: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setAccessibleDescription(description)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setTabKeyNavigation(False)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        self.doubleClicked.connect(lambda _index: self.open_requested.emit())

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit()
            return
        super().keyPressEvent(event)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.resized.emit()


class WeekPane(QWidget):
    """Emits `current_changed()` when the chosen visit or day changes."""

    open_requested = Signal()
    current_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = WeekModel(self)
        self.table = VisitTable(
            "Week planner",
            "A column for each day from Monday to Sunday, a visit in each cell. Arrow keys move "
            "between visits and days; Enter shows the visit's details.",
        )
        self.table.setObjectName("weekTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.table.setShowGrid(True)
        self.table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Always there, so that its coming and going never narrows the days after the cards'
        # heights were worked out (the last line would then be cut short).
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.table.resized.connect(self.table.resizeRowsToContents)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(DAY_MIN_WIDTH)
        self.table.selectionModel().currentChanged.connect(self._week_moved)

        self.day_title = QLabel()
        self.day_title.setObjectName("dayTitle")
        self.day_title.setAccessibleName("Chosen day")
        self.day_notes = QLabel()
        self.day_notes.setObjectName("mutedText")
        self.day_notes.setWordWrap(True)
        self.day_notes.setAccessibleName("Bank holiday and officers off duty that day")
        self.day_notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.day_model = DayModel(self)
        self.day_table = VisitTable(
            "Visits of the chosen day",
            "Every visit of the day chosen in the week; Enter shows the visit's details.",
        )
        self.day_table.setObjectName("dayTable")
        self.day_table.setModel(self.day_model)
        self.day_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.day_table.setAlternatingRowColors(True)
        self.day_table.setWordWrap(False)
        day_header = self.day_table.horizontalHeader()
        day_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        day_header.setStretchLastSection(True)
        self.day_table.selectionModel().currentChanged.connect(self._day_moved)

        day_box = QWidget()
        day_layout = QVBoxLayout(day_box)
        day_layout.setContentsMargins(0, 6, 0, 0)
        day_layout.setSpacing(4)
        day_layout.addWidget(self.day_title)
        day_layout.addWidget(self.day_notes)
        day_layout.addWidget(self.day_table, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(day_box)
        self.splitter.setStretchFactor(0, 2)  # the week first; the divider can be dragged
        self.splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.splitter)

        self.table.open_requested.connect(self._open_from_week)
        self.day_table.open_requested.connect(self.open_requested)
        self._day: dt.date | None = None
        self._day_shown_for: WeekPlan | None = None
        self._visit: VisitView | None = None
        self._now = dt.datetime.now(dt.UTC)
        self._syncing = False

    # -- feeding ---------------------------------------------------------------------------------

    def set_week(
        self,
        plan: WeekPlan | None,
        now: dt.datetime,
        officer_name: str | None,
        *,
        keep_visit: int | None = None,
        day: dt.date | None = None,
    ) -> None:
        """Show `plan`; choose the visit `keep_visit` if it is in the week, else `day`, else the
        day already chosen if it is in the week, else Monday."""
        self._now = now
        self.model.set_week(plan, now, officer_name)
        self.table.resizeRowsToContents()
        self._visit = None
        place = self.model.position_of(keep_visit) if keep_visit is not None else None
        if place is None:
            wanted = day or self._day
            column = self.model.column_of(wanted) if wanted is not None else -1
            place = (0, max(column, 0))
        if self.model.rowCount() and self.model.columnCount():
            self.table.setCurrentIndex(self.model.index(*place))
        else:
            self._show_day(None)
        self._week_moved(self.table.currentIndex())

    def current_visit(self) -> VisitView | None:
        return self._visit

    @property
    def day(self) -> dt.date | None:
        return self._day

    def select_visit(self, visit_id: int) -> bool:
        place = self.model.position_of(visit_id)
        if place is None:
            return False
        self.table.setCurrentIndex(self.model.index(*place))
        return True

    # -- following the week and the day ----------------------------------------------------------

    def _week_moved(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if self._syncing:
            return
        if not current.isValid():
            return
        day = self.model.day(current.column())
        self._show_day(day.date if day is not None else None)
        view = self.model.visit_at(current.row(), current.column())
        self._visit = view
        self._syncing = True
        try:
            row = self.day_model.row_of(view.visit_id) if view is not None else -1
            if row >= 0:
                self.day_table.setCurrentIndex(self.day_model.index(row, 0))
                self.day_table.selectRow(row)
            else:
                self.day_table.clearSelection()
                self.day_table.setCurrentIndex(QModelIndex())
        finally:
            self._syncing = False
        self.current_changed.emit()

    def _day_moved(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if self._syncing or not current.isValid():
            return
        view = self.day_model.visit_at(current.row())
        if view is None:
            return
        self._syncing = True
        try:
            place = self.model.position_of(view.visit_id)
            if place is not None:
                self.table.setCurrentIndex(self.model.index(*place))
        finally:
            self._syncing = False
        self._visit = view
        self.current_changed.emit()

    def _show_day(self, day: dt.date | None) -> None:
        if day == self._day and self._day_shown_for is self.model.plan:
            return  # already showing this day of this week
        self._day = day
        self._day_shown_for = self.model.plan
        plan = self.model.day(self.model.column_of(day)) if day is not None else None
        if plan is None:
            self.day_title.setText("")
            self.day_notes.setText("")
            self.day_model.set_visits([], self._now)
            return
        count = len(plan.visits)
        self.day_title.setText(
            f"{texts.long_day(plan.date)}: "
            + ("no visits" if count == 0 else f"{count} visit{'s' if count != 1 else ''}")
        )
        notes = []
        if plan.bank_holiday:
            notes.append("Bank holiday: visits are not normally made.")
        elif plan.date.weekday() == 6:
            notes.append("Sunday: visits are not normally made.")
        notes.append(
            ("Off duty: " + ", ".join(plan.off_duty) + ".")
            if plan.off_duty
            else "Nobody in the team is recorded off duty."
        )
        self.day_notes.setText(" ".join(notes))
        self.day_model.set_visits(plan.visits, self._now)
        self._size_day_columns()

    def _size_day_columns(self) -> None:
        """To their text, none wider than MAX_DAY_COLUMN but the last; an empty day keeps
        readable widths rather than shrinking to its headers."""
        header = self.day_table.horizontalHeader()
        if self.day_model.rowCount() == 0:
            for column in range(self.day_model.columnCount() - 1):
                header.resizeSection(column, EMPTY_DAY_COLUMN)
            return
        self.day_table.resizeColumnsToContents()
        for column in range(self.day_model.columnCount() - 1):
            header.resizeSection(column, min(header.sectionSize(column), MAX_DAY_COLUMN))

    def _open_from_week(self) -> None:
        if self._visit is not None:
            self.open_requested.emit()
