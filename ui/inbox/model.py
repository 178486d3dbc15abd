"""The inbox table's model: rows of tasks, sorted by due date as the service gives them, with
section rows (the escalation's age bands) between them. A thin adapter: the text of every cell
is worked out once when rows arrive, and a claim taken or refused on this desktop changes only the
State cell of its row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ui.inbox import texts
from ui.widgets import palette

if TYPE_CHECKING:
    from desktop.services.inbox import InboxItem

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Kind", "Offender", "Owner", "On behalf of", "Age", "Due", "State")
STATE = COLUMNS.index("State")


@dataclass(frozen=True)
class Row:
    """A task, or a section heading (`item` None) such as an escalation age band."""

    item: InboxItem | None
    cells: tuple[tuple[str, str], ...]  # (text, tone) per column


def task_row(item: InboxItem, today: dt.date) -> Row:
    due, due_tone = texts.due_text(item, today)
    return Row(
        item,
        (
            (item.kind_label, ""),
            (texts.offender_text(item), ""),
            (item.owner, ""),
            (item.covering_for or "—", ""),
            (texts.age_text(item.age_days), ""),
            (due, due_tone),
            texts.state_text(item),
        ),
    )


def section_row(text: str) -> Row:
    return Row(None, ((text, "section"),) + (("", ""),) * (len(COLUMNS) - 1))


class InboxModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []
        self._states: dict[int, tuple[str, str]] = {}  # task id -> State cell after a claim
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._states.clear()
        self.endResetModel()

    def item_at(self, row: int) -> InboxItem | None:
        return self._rows[row].item if 0 <= row < len(self._rows) else None

    def row_of(self, task_id: int) -> int:
        return next(
            (
                i
                for i, r in enumerate(self._rows)
                if r.item is not None and r.item.task_id == task_id
            ),
            -1,
        )

    def task_count(self) -> int:
        return sum(1 for r in self._rows if r.item is not None)

    def set_state(self, task_id: int, text: str, tone: str) -> None:
        """What this desktop learnt about the task's claim since the list was loaded."""
        row = self.row_of(task_id)
        if row < 0:
            return
        self._states[task_id] = (text, tone)
        index = self.index(row, STATE)
        self.dataChanged.emit(index, index)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def _cell(self, row: int, col: int) -> tuple[str, str]:
        r = self._rows[row]
        if col == STATE and r.item is not None and r.item.task_id in self._states:
            return self._states[r.item.task_id]
        return r.cells[col]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        if not 0 <= index.column() < len(COLUMNS):
            return None
        text, tone = self._cell(index.row(), index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return text
        if role == Qt.ItemDataRole.ToolTipRole:
            item = self._rows[index.row()].item
            if item is not None and index.column() == COLUMNS.index("On behalf of"):
                return item.cover_reason or None
            return text if len(text) > 30 else None
        if role == Qt.ItemDataRole.ForegroundRole and tone in palette.FOREGROUND:
            return QBrush(QColor(palette.FOREGROUND[tone]))
        if role == Qt.ItemDataRole.BackgroundRole and tone in palette.BACKGROUND:
            return QBrush(QColor(palette.BACKGROUND[tone]))
        if role == Qt.ItemDataRole.FontRole and tone in ("alert", "section"):
            return self._bold
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(COLUMNS)
        ):
            return COLUMNS[section]
        return None
