"""A read-only table for the short lists of a record (addresses, visits, tasks...).

`RowsModel` holds rows already turned into text, with optional per-cell emphasis, so painting never
calls back into the services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from ui.widgets import palette

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Cell:
    """A cell with a meaning beyond its text: `tone` is "alert", "warn" or "muted"."""

    text: str
    tone: str = ""
    tooltip: str = ""

    def __str__(self) -> str:
        return self.text


class RowsModel(QAbstractTableModel):
    def __init__(self, headers: Sequence[str], parent: Any = None) -> None:
        super().__init__(parent)
        self._headers = list(headers)
        self._rows: list[list[Cell]] = []
        self._keys: list[Any] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_rows(
        self, rows: Sequence[Sequence[str | Cell]], keys: Sequence[Any] | None = None
    ) -> None:
        self.beginResetModel()
        self._rows = [[c if isinstance(c, Cell) else Cell(str(c)) for c in row] for row in rows]
        self._keys = list(keys) if keys is not None else list(range(len(rows)))
        self.endResetModel()

    def key(self, row: int) -> Any:
        return self._keys[row]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._headers)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if row >= len(self._rows) or col >= len(self._headers):
            return None
        cell = self._rows[row][col] if col < len(self._rows[row]) else Cell("")
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return cell.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.tooltip or None
        if role == Qt.ItemDataRole.ForegroundRole and cell.tone:
            return QBrush(QColor(palette.FOREGROUND[cell.tone]))
        if role == Qt.ItemDataRole.BackgroundRole and cell.tone in palette.BACKGROUND:
            return QBrush(QColor(palette.BACKGROUND[cell.tone]))
        if role == Qt.ItemDataRole.FontRole and cell.tone == "alert":
            return self._bold
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._headers)
        ):
            return self._headers[section]
        return None


class RowsTable(QTableView):
    """A read-only table with its model, sized to its text, selectable by row."""

    def __init__(
        self,
        headers: Sequence[str],
        accessible_name: str,
        parent: QWidget | None = None,
        *,
        stretch_last: bool = True,
    ) -> None:
        super().__init__(parent)
        self.rows = RowsModel(headers, self)
        self.setModel(self.rows)
        self.setAccessibleName(accessible_name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(stretch_last)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.setTabKeyNavigation(False)

    def set_rows(
        self, rows: Sequence[Sequence[str | Cell]], keys: Sequence[Any] | None = None
    ) -> None:
        self.rows.set_rows(rows, keys)
        self.resizeColumnsToContents()
        header = self.horizontalHeader()
        for col in range(self.rows.columnCount()):
            header.resizeSection(col, min(max(header.sectionSize(col), 70), 420))

    def current_key(self) -> Any:
        index = self.currentIndex()
        if not index.isValid():
            rows = self.selectionModel().selectedRows()
            if not rows:
                return None
            index = rows[0]
        return self.rows.key(index.row())
