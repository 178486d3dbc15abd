"""The inbox table's model: rows of tasks, sorted by due date as the service gives them, with
section rows (the escalation's age bands) between them.

A thin adapter: it keeps the service's tasks as they come (a `TaskList` makes each `InboxItem`
only when read) and works out the text of a row's cells only when Qt first asks for them, which it
does for the rows in view. Filling it with ten thousand tasks is one reset, and neither makes nor
formats them (issue #10: the inbox opens in 150 ms); sizing the columns reads one task per
distinct text. A claim taken or refused on this desktop changes only the State cell of its row."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate, count
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics

from desktop.services.inbox import TaskList
from ui.inbox import texts
from ui.widgets import palette

if TYPE_CHECKING:
    from desktop.services.inbox import InboxItem

Index = QModelIndex | QPersistentModelIndex
Part = str | Sequence["InboxItem"]  # a heading's text, or tasks
COLUMNS = ("Kind", "Offender", "Owner", "On behalf of", "Age", "Due", "State")
STATE = COLUMNS.index("State")
BEHALF = COLUMNS.index("On behalf of")
Cells = tuple[tuple[str, str], ...]  # (text, tone) per column


# The (text, tone) of each column for a task on a day.
CELLS: tuple[Callable[[InboxItem, dt.date], tuple[str, str]], ...] = (
    lambda item, _today: (item.kind_label, ""),
    lambda item, _today: (texts.offender_text(item), ""),
    lambda item, _today: (item.owner, ""),
    lambda item, _today: (item.covering_for or "—", ""),
    lambda item, _today: (texts.age_text(item.age_days), ""),
    texts.due_text,
    lambda item, _today: texts.state_text(item),
)
# The field each column's text follows, so that tasks alike in it read alike in the column: a
# reference names one offender, the due date gives the words "overdue by …" on a day, and who
# holds the claim gives the state. Sizing a column measures one task per value (`widest_rows`).
TEXT_FIELDS = (
    "kind_label",
    "reference",
    "owner",
    "covering_for",
    "age_days",
    "due_on",
    "claimed_by",
)
BOLD_TONES = ("alert", "section")
DISPLAY = Qt.ItemDataRole.DisplayRole
ACCESSIBLE_TEXT = Qt.ItemDataRole.AccessibleTextRole
FONT = Qt.ItemDataRole.FontRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
SERVED = frozenset((DISPLAY, ACCESSIBLE_TEXT, FONT, TOOLTIP, FOREGROUND, BACKGROUND))


def task_cells(item: InboxItem, today: dt.date) -> Cells:
    return tuple(cell(item, today) for cell in CELLS)


def section_cells(text: str) -> Cells:
    return ((text, "section"),) + (("", ""),) * (len(COLUMNS) - 1)


def _index_of(tasks: Sequence[InboxItem], task_id: int) -> int:
    if isinstance(tasks, TaskList):
        return tasks.index_of(task_id)
    return next((i for i, item in enumerate(tasks) if item.task_id == task_id), -1)


def _glance(tasks: Sequence[InboxItem], index: int) -> Any:
    """What a column's text reads of a task: a TaskList's glance, without making the task."""
    return tasks.glance(index) if isinstance(tasks, TaskList) else tasks[index]


def _firsts(tasks: Sequence[InboxItem], field: str) -> list[int]:
    """One index for each distinct value of `field` among `tasks` (perhaps more)."""
    if isinstance(tasks, TaskList):
        return tasks.firsts(field)
    return list(dict(zip(map(attrgetter(field), tasks), count())).values())


class InboxModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._parts: list[Part] = []  # headings and runs of tasks, in order
        self._starts: list[int] = []  # the first row of each part
        self._count = 0
        self._sections: list[int] = []  # the rows that are section headings
        self._today = dt.date.min
        self._cells: dict[int, Cells] = {}  # row -> its cells, once Qt has asked for them
        self._states: dict[int, tuple[str, str]] = {}  # task id -> State cell after a claim
        self._bold = QFont()
        self._bold.setBold(True)
        self._brushes = {
            (role, tone): QBrush(QColor(colour))
            for role, colours in (
                (FOREGROUND, palette.FOREGROUND),
                (BACKGROUND, palette.BACKGROUND),
            )
            for tone, colour in colours.items()
        }

    def set_rows(self, rows: Sequence[InboxItem | str], today: dt.date) -> None:
        """Show `rows`: tasks, and section headings given as their text. `today` is the day the
        due dates are read against ("Due today", "Overdue by …")."""
        parts: list[Part] = []
        run: list[InboxItem] = []
        for row in rows:
            if isinstance(row, str):
                parts += [run, row] if run else [row]
                run = []
            else:
                run.append(row)
        self.set_parts([*parts, run], today)

    def set_parts(self, parts: Sequence[Part], today: dt.date) -> None:
        """Show `parts` in turn: a heading (its text), or tasks, which are read only as Qt asks
        for their rows."""
        self.beginResetModel()
        self._parts = [part for part in parts if isinstance(part, str) or len(part)]
        sizes = [1 if isinstance(part, str) else len(part) for part in self._parts]
        self._starts = list(accumulate(sizes, initial=0))
        self._count = self._starts.pop()
        self._sections = [
            start
            for start, part in zip(self._starts, self._parts, strict=True)
            if isinstance(part, str)
        ]
        self._today = today
        self._cells.clear()
        self._states.clear()
        self.endResetModel()

    def _runs(self) -> list[tuple[int, Sequence[InboxItem]]]:
        """The runs of tasks, each with its first row."""
        return [
            (start, part)
            for start, part in zip(self._starts, self._parts, strict=True)
            if not isinstance(part, str)
        ]

    def _entry(self, row: int) -> InboxItem | str:
        """The task or heading of a row (0 <= row < rowCount)."""
        part = bisect_right(self._starts, row) - 1
        entry = self._parts[part]
        return entry if isinstance(entry, str) else entry[row - self._starts[part]]

    @property
    def sections(self) -> list[int]:
        """The rows that are section headings."""
        return list(self._sections)

    def item_at(self, row: int) -> InboxItem | None:
        if not 0 <= row < self._count:
            return None
        entry = self._entry(row)
        return None if isinstance(entry, str) else entry

    def row_of(self, task_id: int) -> int:
        for start, tasks in self._runs():
            index = _index_of(tasks, task_id)
            if index >= 0:
                return start + index
        return -1

    def task_count(self) -> int:
        return self._count - len(self._sections)

    def set_state(self, task_id: int, text: str, tone: str) -> None:
        """What this desktop learnt about the task's claim since the list was loaded."""
        row = self.row_of(task_id)
        if row < 0:
            return
        self._states[task_id] = (text, tone)
        index = self.index(row, STATE)
        self.dataChanged.emit(index, index)

    def widest_rows(self, column: int, font: QFont, candidates: int = 1) -> list[int]:
        """The task rows whose text in `column` is widest in `font` (bold where the model says
        so), widest first: the row the table measures to size the column (a column's cells differ
        only in their text and its weight, so the widest text makes the widest cell; Qt's measure
        of a cell costs about 0.2 ms with the app's style sheet). One task of each
        distinct value of the column's field (`TEXT_FIELDS`) is measured, from its glance (the
        facts the columns show, without making the task), and every claim learnt since the load.
        Headings span the table and are not sized as a column."""
        field = TEXT_FIELDS[column]
        plain, bold = QFontMetrics(font), QFontMetrics(self._bold.resolve(font))
        cell, today = CELLS[column], self._today
        widths: dict[int, int] = {}
        for start, tasks in self._runs():
            for index in _firsts(tasks, field):
                text, tone = cell(_glance(tasks, index), today)
                widths[start + index] = (bold if tone in BOLD_TONES else plain).horizontalAdvance(
                    text
                )
        if column == STATE:  # a claim learnt since the load stands in the cell
            for row in map(self.row_of, self._states):
                text, tone = self._cell(row, column)
                widths[row] = (bold if tone in BOLD_TONES else plain).horizontalAdvance(text)
        return sorted(widths, key=widths.__getitem__, reverse=True)[:candidates]

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def _cell(self, row: int, col: int) -> tuple[str, str]:
        """The (text, tone) of a cell; a row's cells are worked out together when it is shown."""
        entry = self._entry(row)
        if isinstance(entry, str):
            return section_cells(entry)[col]
        if col == STATE and entry.task_id in self._states:
            return self._states[entry.task_id]
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = task_cells(entry, self._today)
        return cells[col]

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        if role not in SERVED:  # most of what a view asks for: answered before reading the index
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < self._count and 0 <= col < len(COLUMNS)) or not index.isValid():
            return None
        text, tone = self._cell(row, col)
        if role in (DISPLAY, ACCESSIBLE_TEXT):
            return text
        if role == FONT:
            return self._bold if tone in BOLD_TONES else None
        if role == TOOLTIP:
            item = self.item_at(row)
            if item is not None and col == BEHALF:
                return item.cover_reason or None
            return text if len(text) > 30 else None
        return self._brushes.get((role, tone))  # the foreground or background colour

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
