"""A read-only table for the short lists of a record (addresses, visits, tasks...).

`RowsModel` holds rows already turned into text, with optional per-cell emphasis, so painting never
calls back into the services."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableView, QWidget

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

    def set_headers(self, headers: Sequence[str]) -> None:
        """New column titles (the same number of columns)."""
        self._headers = list(headers)
        if self._headers:
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self._headers) - 1)

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
            # Long text may be cut short on screen: the tooltip always has all of it.
            return cell.tooltip or (cell.text if len(cell.text) > 40 else None)
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
        stretch: int = -1,
        fit_rows: tuple[int, int] | None = None,
        widest: int = 360,
        wrap: bool = False,
    ) -> None:
        """`stretch`: the column (default the last) that takes the width left over, for the
        longest text. `fit_rows=(fewest, most)`: the table's height follows its row count
        between those bounds, for short lists stacked on one page. `widest`: no other column
        grows beyond it. `wrap`: long text wraps onto more lines instead of being cut short."""
        super().__init__(parent)
        self.rows = RowsModel(headers, self)
        self.setModel(self.rows)
        self.setAccessibleName(accessible_name)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self._widest = widest
        self._wrap = wrap
        self.setWordWrap(wrap)
        if wrap:
            self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        header.setHighlightSections(False)
        self._stretch = stretch if stretch >= 0 else len(headers) - 1
        header.setSectionResizeMode(self._stretch, QHeaderView.ResizeMode.Stretch)
        self._fit_rows = fit_rows
        self.setTabKeyNavigation(False)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        if fit_rows is not None:
            self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            self._fit_height()

    def set_rows(
        self, rows: Sequence[Sequence[str | Cell]], keys: Sequence[Any] | None = None
    ) -> None:
        self.rows.set_rows(rows, keys)
        header = self.horizontalHeader()
        for col in range(self.rows.columnCount()):
            if col != self._stretch:
                self.resizeColumnToContents(col)
                header.resizeSection(col, min(max(header.sectionSize(col), 60), self._widest))
        if self._wrap:
            self.resizeRowsToContents()
        if self._fit_rows is not None:
            self._fit_height()

    def refit(self) -> None:
        """Row heights (and the table's, with `fit_rows`) again after its columns were resized."""
        if self._wrap:
            self.resizeRowsToContents()
        if self._fit_rows is not None:
            self._fit_height()

    def _fit_height(self) -> None:
        assert self._fit_rows is not None
        fewest, most = self._fit_rows
        count = self.rows.rowCount()
        default = self.verticalHeader().defaultSectionSize()
        rows = sum(self.rowHeight(r) for r in range(min(count, most)))
        rows += max(0, fewest - count) * default
        frame = 2 * self.frameWidth()
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + rows + frame)

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self._wrap and self.rows.rowCount():
            # Column widths changed with the window: wrapped rows need new heights.
            self.resizeRowsToContents()
            if self._fit_rows is not None:
                self._fit_height()

    def current_key(self) -> Any:
        index = self.currentIndex()
        if not index.isValid():
            rows = self.selectionModel().selectedRows()
            if not rows:
                return None
            index = rows[0]
        return self.rows.key(index.row())


def plain_table_view(parent: QWidget, name: str) -> QTableView:
    """A QTableView made by Qt (Designer's form builder), not by Python, for a table repainted
    often (the caseload: every filter keystroke).

    A widget made in Python is PySide's subclass of it, whose `metaObject()` calls into Python.
    With a stylesheet, Qt asks the view for its meta-object dozens of times per painted cell
    (rule lookups, `qobject_cast`): measured on the caseload (issue #10), a Python-made view took
    15-30% more CPU time to repaint than this one (14% more instructions), pixel for pixel the
    same. Such a view cannot have Python overrides: its owner handles its events with an event
    filter instead. Designer's module loads on first use (about 3 ms, 2 MB)."""
    from PySide6.QtDesigner import QFormBuilder

    view = QFormBuilder().createWidget("QTableView", parent, name)
    assert isinstance(view, QTableView)
    return view


def unshaped_font() -> QFont:
    """The font the table inherits, drawn without shaping where the script needs none (Latin
    names, dates, references: no kerning or ligatures). Shaping each cell's text was about a
    third of a repaint of the table, which every filter keystroke does (issue #10); it looks the
    same. Only the strategy is set, so everything else still comes from the window's font."""
    font = QFont()
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)
    return font
