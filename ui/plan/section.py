"""One pillar of the plan: its actions table and the buttons to add and remove an action. The
table is as tall as its rows (the editor scrolls, not each table), and Tab leaves it for the next
control: arrows move between cells, F2 or typing edits one, Enter keeps the edit."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.plan.actions import (
    DESCRIPTION,
    DUE,
    FACTOR,
    OWNER,
    STATUS,
    ActionDelegate,
    ActionRow,
    ActionsModel,
)
from ui.widgets.labels import pillar_label, plural

# Owner and factor wrap onto a second line rather than take the description's width; the due
# column is as wide as "OVERDUE dd/mm/yyyy" in bold (see PillarSection).
COLUMN_WIDTHS = {OWNER: 170, DUE: 160, STATUS: 110, FACTOR: 210}
FEWEST_ROWS = 2


class ActionsTable(QTableView):
    """Delete removes the selected action when no cell is being edited."""

    remove_requested = Signal()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        if (
            event.key() == Qt.Key.Key_Delete
            and self.state() != QAbstractItemView.State.EditingState
            and self.currentIndex().isValid()
            and self.editTriggers() != QAbstractItemView.EditTrigger.NoEditTriggers
        ):
            self.remove_requested.emit()
            return
        super().keyPressEvent(event)


class PillarSection(QGroupBox):
    """Emits `add_requested(pillar)`; the editor decides what a new action starts with."""

    add_requested = Signal(str)

    def __init__(self, pillar: str, parent: QWidget | None = None) -> None:
        super().__init__(pillar_label(pillar), parent)
        self.pillar = pillar
        self.label = pillar_label(pillar)
        self.setObjectName("pillarSection")
        self.model = ActionsModel(pillar, self)
        self.table = ActionsTable()
        self.table.setObjectName(f"actions_{pillar}")
        self.table.setModel(self.model)
        self.table.setItemDelegate(ActionDelegate(self.table))
        self.table.setAccessibleName(f"{self.label} actions")
        self.table.setAccessibleDescription(
            "Arrow keys move between cells; F2 or typing edits a cell; Delete removes the action"
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        header.setHighlightSections(False)
        header.setSectionResizeMode(DESCRIPTION, QHeaderView.ResizeMode.Stretch)
        bold = QFont(self.table.font())
        bold.setBold(True)
        widths = dict(COLUMN_WIDTHS)
        widths[DUE] = QFontMetrics(bold).horizontalAdvance("OVERDUE 00/00/0000") + 16
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.table.remove_requested.connect(self.remove_current)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset):
            signal.connect(self._fit)
        self.model.dataChanged.connect(lambda *_a: self._fit())

        self.add_button = QPushButton("Add action")
        self.add_button.setAccessibleName(f"Add an action under {self.label}")
        self.add_button.clicked.connect(lambda: self.add_requested.emit(self.pillar))
        self.remove_button = QPushButton("Remove action")
        self.remove_button.setAccessibleName(f"Remove the selected action under {self.label}")
        self.remove_button.clicked.connect(self.remove_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.set_editable(False)
        self._fit()

    def set_editable(self, editable: bool) -> None:
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
            if editable
            else QAbstractItemView.EditTrigger.NoEditTriggers
        )
        self.add_button.setVisible(editable)
        self.remove_button.setVisible(editable)

    def add(self, action: ActionRow) -> QModelIndex:
        """Add an action and start typing its description."""
        row = self.model.add_row(action)
        index = self.model.index(row, DESCRIPTION)
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)
        self.table.setCurrentIndex(index)
        self.table.edit(index)
        return index

    def remove_current(self) -> None:
        index = self.table.currentIndex()
        if not index.isValid() or self.model.read_only:
            return
        self.model.remove_row(index.row())
        if self.model.rowCount():
            self.table.setCurrentIndex(
                self.model.index(min(index.row(), self.model.rowCount() - 1), DESCRIPTION)
            )

    def commit_editing(self) -> None:
        """Keep what is being typed in a cell (before a save reads the model: Ctrl+S does not
        move the focus out of the cell)."""
        if self.table.state() != QAbstractItemView.State.EditingState:
            return
        editor = QApplication.focusWidget()
        while editor is not None and editor.parentWidget() is not self.table.viewport():
            editor = editor.parentWidget()
        if editor is not None:
            self.table.commitData(editor)
            self.table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.NoHint)

    def _fit(self) -> None:
        self.table.resizeRowsToContents()
        count = self.model.rowCount()
        rows = sum(self.table.rowHeight(r) for r in range(count))
        rows += max(0, FEWEST_ROWS - count) * self.table.verticalHeader().defaultSectionSize()
        frame = 2 * self.table.frameWidth()
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height() + rows + frame)
        self.setTitle(f"{self.label} ({plural(count, 'action')})" if count else self.label)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._fit()
