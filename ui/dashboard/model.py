"""The dashboard's tables: a thin adapter over the rows the dashboard service built (STYLE: item
models ask the core for rows and cache them). One column per metric, headed by its label with
what it counts as the tooltip; numbers right-aligned; a figure worse than its target in bold with
a sign before it. Sorting is by the figure itself, the force row staying on top."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ui.dashboard import texts
from ui.widgets import palette

if TYPE_CHECKING:
    from desktop.services.dashboard import DashboardRow, Metric

Index = QModelIndex | QPersistentModelIndex

# The figure as a number (None: nothing to measure), for tests and sorting.
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class FiguresModel(QAbstractTableModel):
    """Rows of figures under leading text columns (the name; for managers also the team).

    `team_names` maps a team id to its name for the "Team" column."""

    def __init__(self, name_heading: str, *, team_column: bool = False, parent: Any = None) -> None:
        super().__init__(parent)
        self._name_heading = name_heading
        self._team_column = team_column
        self._metrics: tuple[Metric, ...] = ()
        self._rows: list[DashboardRow] = []
        self._team_names: dict[int, str] = {}
        self._benchmark = 0
        self._sorted: tuple[int, Qt.SortOrder] | None = None
        self._bold = QFont()
        self._bold.setBold(True)
        self._alert = QBrush(QColor(palette.FOREGROUND["alert"]))
        self._muted = QBrush(QColor(palette.FOREGROUND["muted"]))

    # -- what it holds -----------------------------------------------------------------------------

    def set_rows(
        self,
        rows: Sequence[DashboardRow],
        metrics: Sequence[Metric],
        benchmark: int,
        team_names: dict[int, str] | None = None,
    ) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._metrics = tuple(metrics)
        self._benchmark = benchmark
        self._team_names = dict(team_names or {})
        if self._sorted is not None:
            self._sort_rows(*self._sorted)
        self.endResetModel()

    @property
    def leading(self) -> int:
        """How many text columns come before the figures."""
        return 2 if self._team_column else 1

    def row_at(self, row: int) -> DashboardRow:
        return self._rows[row]

    def metric_at(self, column: int) -> Metric | None:
        """The metric of a figure column; None for a text column."""
        index = column - self.leading
        return self._metrics[index] if 0 <= index < len(self._metrics) else None

    def column_of(self, key: str) -> int:
        return self.leading + [m.key for m in self._metrics].index(key)

    def row_of(self, team_id: int | None, officer_id: int | None) -> int:
        for i, row in enumerate(self._rows):
            if row.team_id == team_id and row.officer_id == officer_id:
                return i
        raise LookupError(f"no row for team {team_id}, officer {officer_id}")

    # -- Qt's questions ----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self.leading + len(self._metrics)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        metric = self.metric_at(index.column())
        if metric is None:
            return self._text_data(row, index.column(), role)
        value = row.values.get(metric.key)
        manager = row.officer_id is not None
        why = texts.worse(metric, value, self._benchmark, manager=manager)
        if role == Qt.ItemDataRole.DisplayRole:
            return texts.marked(metric, value, self._benchmark, manager=manager)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{texts.figure(metric, value)}{', ' + why.lower() if why else ''}"
        if role == Qt.ItemDataRole.ToolTipRole:
            nothing = "Nothing to measure. " if value is None else ""
            tail = "Double-click or press Enter for the records behind it."
            return f"{why + '. ' if why else ''}{nothing}{metric.explains} {tail}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_RIGHT)
        if role == Qt.ItemDataRole.FontRole and why:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and (why or value is None):
            return self._alert if why else self._muted
        if role == VALUE_ROLE:
            return value
        return None

    def _text_data(self, row: DashboardRow, column: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            if column == 0:
                return row.name
            return self._team_names.get(row.team_id, "") if row.team_id is not None else ""
        if role == Qt.ItemDataRole.FontRole and _is_force(row):
            return self._bold  # the force row
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(_LEFT)
        return None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        metric = self.metric_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if metric is not None:
                return texts.heading(metric.label)
            return self._name_heading if section == 0 else "Team"
        if role == Qt.ItemDataRole.ToolTipRole and metric is not None:
            return metric.explains
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return metric.label if metric is not None else self.headerData(section, orientation)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < self.columnCount():
            return
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        rows = [(i.row(), i.column()) for i in before]
        old = list(self._rows)
        self._sorted = (column, order)
        self._sort_rows(column, order)
        where = {id(r): n for n, r in enumerate(self._rows)}
        self.changePersistentIndexList(before, [self.index(where[id(old[r])], c) for r, c in rows])
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order: Qt.SortOrder) -> None:
        metric = self.metric_at(column)
        reverse = order == Qt.SortOrder.DescendingOrder

        def key(row: DashboardRow) -> Any:
            if metric is not None:
                return texts.sort_key(row.values.get(metric.key))
            if column == 0:
                return row.name.lower()
            return self._team_names.get(row.team_id or 0, "").lower()

        force = [r for r in self._rows if _is_force(r)]
        rest = [r for r in self._rows if not _is_force(r)]
        if metric is not None:
            # nothing-to-measure stays last either way
            measured = sorted(
                (r for r in rest if r.values.get(metric.key) is not None), key=key, reverse=reverse
            )
            rest = measured + [r for r in rest if r.values.get(metric.key) is None]
        else:
            rest.sort(key=key, reverse=reverse)
        self._rows = force + rest


def _is_force(row: DashboardRow) -> bool:
    return row.team_id is None and row.officer_id is None
