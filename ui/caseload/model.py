"""The caseload table model: a thin adapter over the rows the caseload service returned.

Every cell's text, colour and sort key is worked out once when the rows arrive. Filtering tests
each row's precomputed lowercase `search_key` in C loops (`map`, `compress`: no Python bytecode
per row), narrowing the rows already shown when the filter only got stricter (a letter typed),
then the ticked quick filters, followed by one model reset.

The table does not paint from this model: `TableCells` mirrors its visible rows as Qt's own C++
items, so that a repaint calls no Python. Measured on the team caseload (issue #10), a Python
model's per-cell `multiData` was about 40% of a filter keystroke.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import contains
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QTableView

from ui.widgets import icons, palette
from ui.widgets.dates import fmt_date
from ui.widgets.labels import RISK_ORDER, mappa_label, plural, risk_label, status_label

if TYPE_CHECKING:
    from desktop.services.caseload import CaseloadRow

Index = QModelIndex | QPersistentModelIndex

# Roles beyond Qt's: the row's offender id, and the row object itself.
OFFENDER_ID_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True)
class Column:
    """One column of the caseload table: its stable key (sorting, saved widths), its title for
    tooltips and accessible names, and whether numbers in it line up on the right."""

    key: str
    title: str
    align_right: bool = False
    header: str = ""  # the title as the header shows it, on two lines where that saves width

    @property
    def heading(self) -> str:
        return self.header or self.title


COLUMNS: tuple[Column, ...] = (
    Column("reference", "Reference"),
    Column("name", "Name"),
    Column("risk", "Risk level", header="Risk\nlevel"),
    Column("mappa", "MAPPA"),
    Column("status", "Status"),
    Column("manager", "Offender manager", header="Offender\nmanager"),
    Column("last_seen", "Last seen", header="Last\nseen"),
    Column("next_visit", "Next visit due", header="Next visit\ndue"),
    Column("arms", "ARMS review due", header="ARMS review\ndue"),
    Column("tasks", "Tasks", align_right=True),
    Column("breaches", "Breaches"),
    Column("quality", "Quality", align_right=True),
)
COLUMN_INDEX = {c.key: i for i, c in enumerate(COLUMNS)}

RELEASED_WINDOW_DAYS = 30

# Roles as plain ints, compared on every cell of every repaint.
_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ACCESSIBLE_TEXT = int(Qt.ItemDataRole.AccessibleTextRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_DECORATION = int(Qt.ItemDataRole.DecorationRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole)
_OFFENDER_ID = int(OFFENDER_ID_ROLE)
_ROW = int(ROW_ROLE)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_ROW_FLAGS = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
# The roles a cell's tone sets (see `_value`).
_TONE_ROLES = (_FOREGROUND, _BACKGROUND, _FONT, _DECORATION)


@dataclass(frozen=True)
class QuickFilter:
    """One of the "Only:" buttons above the caseload: keeps the rows for which `test(row, today)`
    holds, on top of the typed filter."""

    key: str
    label: str
    test: Callable[[CaseloadRow, dt.date], bool]


def _released_recently(row: CaseloadRow, on: dt.date) -> bool:
    return row.released_on is not None and 0 <= (on - row.released_on).days <= RELEASED_WINDOW_DAYS


QUICK_FILTERS: tuple[QuickFilter, ...] = (
    QuickFilter("visit_overdue", "Visit overdue", lambda r, on: r.visit_overdue),
    QuickFilter("breach", "Any breach", lambda r, on: r.breaches > 0),
    QuickFilter(
        "high_risk", "Very high and high", lambda r, on: r.risk_level in ("very_high", "high")
    ),
    QuickFilter("custody", "In custody", lambda r, on: r.status == "custody"),
    QuickFilter("released", "Released in the last 30 days", _released_recently),
    QuickFilter("warrant", "Consider s96B warrant", lambda r, on: r.warrant_consideration),
)
QUICK_FILTER_BY_KEY = {q.key: q for q in QUICK_FILTERS}

# A filter: the words of the filter text, and the keys of the ticked quick filters.
FilterState = tuple[tuple[str, ...], frozenset[str]]
# How many filters' rows the model keeps (see CaseloadModel._filtered): enough for a word of up to
# 15 letters typed and deleted again without searching every row on the way back. Each holds two
# lists of references to rows already in memory: at most 16 x 1.6 MB on a 100,000-row caseload.
RECENT_FILTERS = 16


class _Entry:
    """One row as the table shows it: texts, tones and sort keys per column."""

    __slots__ = ("row", "texts", "tones", "tips", "keys", "search_key", "cells")

    def __init__(self, row: CaseloadRow) -> None:
        self.row = row
        self.cells: tuple[dict[int, Any], ...] | None = None  # see CaseloadModel.row_cells
        self.search_key = row.search_key
        cells = [_cell(column.key, row) for column in COLUMNS]
        self.texts = tuple(c[0] for c in cells)
        self.tones = tuple(c[1] for c in cells)
        self.tips = tuple(c[2] for c in cells)
        self.keys = tuple(c[3] for c in cells)


_NO_DATE = (1, dt.date.max)


def _date_key(value: dt.date | None) -> tuple[int, dt.date]:
    return _NO_DATE if value is None else (0, value)


def _cell(key: str, r: CaseloadRow) -> tuple[str, str, str, Any]:
    """(text, tone, tooltip, sort key) of one cell."""
    if key == "reference":
        return r.reference, "", "", r.reference
    if key == "name":
        aliases = r.aliases if isinstance(r.aliases, str) else "; ".join(r.aliases)
        tip = f"Also known as: {aliases}" if aliases else ""
        surname = (getattr(r, "surname", "") or r.name.rsplit(" ", 1)[-1]).lower()
        return r.name, "", tip, (surname, r.name.lower())
    if key == "risk":
        text = risk_label(r.risk_level)
        return text, "" if r.risk_level else "muted", "", RISK_ORDER.get(r.risk_level or "", 0)
    if key == "mappa":
        tip = mappa_label(r.mappa_category, r.mappa_level, long=True)
        return (
            mappa_label(r.mappa_category, r.mappa_level, short=True),
            "",
            tip,
            (r.mappa_category or 9, r.mappa_level or 9),
        )
    if key == "status":
        return status_label(r.status), "", "", r.status
    if key == "manager":
        return r.manager or "", "", "", (r.manager or "").lower()
    if key == "last_seen":
        if r.warrant_consideration:
            seen = fmt_date(r.last_seen) if r.last_seen else "never"
            tip = (
                f"Not seen since {seen}: {r.failed_attempts} failed visits in a row. Consider "
                "a warrant to enter for a risk assessment (s96B)."
            )
            return "s96B", "alert", tip, _date_key(r.last_seen)
        if r.last_seen is None:
            return "Never seen", "warn", "No successful home visit recorded", _NO_DATE
        return fmt_date(r.last_seen), "", "", _date_key(r.last_seen)
    if key == "next_visit":
        due = r.next_visit_due
        if r.visit_overdue and due is not None:
            return (
                f"OVERDUE {fmt_date(due)}",
                "alert",
                "The home visit is overdue",
                _date_key(due),
            )
        if r.visit_overdue:
            return "OVERDUE", "alert", "The home visit is overdue", (0, dt.date.min)
        if due is None:
            if r.reactive_management:
                return "Reactive", "muted", "Reactive management: no routine visits", _NO_DATE
            if r.status != "community":
                return f"Not due ({status_label(r.status).lower()})", "muted", "", _NO_DATE
            return "Not planned", "warn", "", _NO_DATE
        return fmt_date(due), "", "", _date_key(due)
    if key == "arms":
        due = r.arms_review_due
        if due is None:
            return "No ARMS", "warn", "No approved ARMS assessment", (0, dt.date.min)
        if r.arms_overdue:
            return f"OVERDUE {fmt_date(due)}", "alert", "The ARMS review is overdue", _date_key(due)
        return fmt_date(due), "", "", _date_key(due)
    if key == "tasks":
        tip = f"{plural(r.open_tasks, 'open task')}" if r.open_tasks else ""
        return str(r.open_tasks), "" if r.open_tasks else "muted", tip, r.open_tasks
    if key == "breaches":
        if r.breaches:
            text = plural(r.breaches, "breach", "breaches")
            return text, "alert", "Missed statutory notification deadlines", r.breaches
        return "None", "muted", "", 0
    if key == "quality":
        score = r.quality_score
        findings = getattr(r, "quality_findings", 0)
        tip = (
            f"Record quality {score}%: {plural(findings, 'finding')} (see the record's summary)"
            if findings
            else f"Record quality {score}%: every check passed"
        )
        tone = "alert" if score < 50 else "warn" if score < 80 else ""
        return f"{score}%", tone, tip, score
    raise KeyError(key)


class CaseloadModel(QAbstractTableModel):
    """Rows in the current sort order, narrowed by the filter text and the quick filters."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all: list[_Entry] = []
        self._all_keys: list[str] = []  # each entry's search key, in the order of `_all`
        self._visible: list[_Entry] = []
        self._visible_keys: list[str] = []
        self._recent: dict[FilterState, tuple[list[_Entry], list[str]]] = {}  # see `_filter`
        self._on = dt.date.today()
        self._needles: tuple[str, ...] = ()
        self._quick: tuple[QuickFilter, ...] = ()
        self._sort_column = COLUMN_INDEX["name"]
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._fg = {tone: QBrush(QColor(c)) for tone, c in palette.FOREGROUND.items()}
        self._bg = {tone: QBrush(QColor(c)) for tone, c in palette.BACKGROUND.items()}
        self._bold = QFont()
        self._bold.setBold(True)
        self._alert_icon: QIcon | None = None

    # -- feeding -----------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[CaseloadRow], on: dt.date) -> None:
        self.beginResetModel()
        self._on = on
        self._all = [_Entry(r) for r in rows]
        self._sort_entries()
        self._filter()
        self.endResetModel()

    def set_filter_text(self, text: str) -> None:
        needles = tuple(text.lower().split())
        if needles == self._needles:
            return
        self._needles = needles
        self._refilter()

    def set_quick_filters(self, keys: Sequence[str]) -> None:
        quick = tuple(QUICK_FILTER_BY_KEY[k] for k in keys)
        if quick == self._quick:
            return
        self._quick = quick
        self._refilter()

    def _refilter(self) -> None:
        """Shows the rows of the filter now set, with one reset; none when they are the rows
        already shown (a space typed, a letter every shown row has): the table is not repainted
        for nothing (issue #10)."""
        visible, keys = self._filtered()
        if visible == self._visible:  # the same entries in the same order: compared by identity
            return
        self.beginResetModel()
        self._visible, self._visible_keys = visible, keys
        self.endResetModel()

    def _filter(self) -> None:
        self._visible, self._visible_keys = self._filtered()

    def _filtered(self) -> tuple[list[_Entry], list[str]]:
        """The rows to show: those whose search key holds every word of the filter text and that
        pass every ticked quick filter, with their search keys.

        The last few filters' rows are kept (`RECENT_FILTERS`, until the rows or their order
        change): a filter seen moments ago (a letter typed, then deleted) is not searched again,
        and a stricter one (a letter added, a quick filter ticked) searches only the rows of the
        narrowest filter it refines, not every row."""
        needles, quick, on = self._needles, self._quick, self._on
        wanted = (needles, frozenset(q.key for q in quick))
        held = self._recent.pop(wanted, None)
        if held is None:
            entries, keys = self._all, self._all_keys
            for state, (some, their_keys) in self._recent.items():
                if len(some) < len(entries) and _narrows(wanted, state):
                    entries, keys = some, their_keys
            for needle in needles:
                hits = list(map(contains, keys, repeat(needle)))  # `needle in key`, a C loop
                entries, keys = list(compress(entries, hits)), list(compress(keys, hits))
            for q in quick:
                hits = [q.test(e.row, on) for e in entries]
                entries, keys = list(compress(entries, hits)), list(compress(keys, hits))
            held = (list(entries), list(keys)) if entries is self._all else (entries, keys)
        self._recent[wanted] = held  # the newest last
        while len(self._recent) > RECENT_FILTERS:
            del self._recent[next(iter(self._recent))]
        return held

    # -- reading -----------------------------------------------------------------------------

    @property
    def total(self) -> int:
        return len(self._all)

    @property
    def shown(self) -> int:
        return len(self._visible)

    def row_at(self, row: int) -> CaseloadRow:
        return self._visible[row].row

    def row_cells(self, row: int) -> tuple[dict[int, Any], ...]:
        """The roles of each cell of visible row `row`, as `data` gives them (for `TableCells`).
        Kept with the row once worked out: a row shown again as the filter changes is filled
        without working them out again (a fifth of filling a screenful, issue #10)."""
        entry = self._visible[row]
        if entry.cells is not None:
            return entry.cells
        cells = []
        for col, (text, tone, tip) in enumerate(
            zip(entry.texts, entry.tones, entry.tips, strict=True)
        ):
            roles: dict[int, Any] = {_DISPLAY: text}
            if tone:
                for role in _TONE_ROLES:
                    value = self._value(entry, col, role)
                    if value is not None:
                        roles[role] = value
            if tip:
                roles[_TOOLTIP] = tip
            if COLUMNS[col].align_right:
                roles[_ALIGNMENT] = _RIGHT
            cells.append(roles)
        entry.cells = tuple(cells)
        return entry.cells

    def all_rows(self) -> list[CaseloadRow]:
        return [e.row for e in self._all]

    def row_of(self, offender_id: int) -> int:
        for i, e in enumerate(self._visible):
            if e.row.offender_id == offender_id:
                return i
        return -1

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if row >= len(self._visible) or col >= len(COLUMNS):
            return None
        return self._value(self._visible[row], col, int(role))

    def multiData(self, index: Index, roleDataSpan: Any) -> None:  # noqa: N802, N803 (Qt's names)
        """Every role of a cell in one call: the view asks for seven roles per cell when it
        paints, and one Python call per cell instead of seven keeps a repaint well inside a
        frame on the force caseload."""
        row, col = index.row(), index.column()
        entry = (
            self._visible[row]
            if index.isValid() and row < len(self._visible) and col < len(COLUMNS)
            else None
        )
        for role_data in roleDataSpan:
            value = None if entry is None else self._value(entry, col, role_data.role())
            if value is None:
                role_data.clearData()
            else:
                role_data.setData(value)

    def _value(self, entry: _Entry, col: int, role: int) -> Any:
        if role in (_DISPLAY, _ACCESSIBLE_TEXT):
            return entry.texts[col]
        tone = entry.tones[col]
        if role == _FOREGROUND:
            return self._fg.get(tone) if tone else None
        if role == _BACKGROUND:
            return self._bg.get(tone) if tone else None
        if role == _FONT:
            return self._bold if tone == "alert" else None
        if role == _DECORATION:
            return self._icon() if tone == "alert" else None
        if role == _TOOLTIP:
            return entry.tips[col] or None
        if role == _ALIGNMENT:
            return _RIGHT if COLUMNS[col].align_right else None
        if role == _OFFENDER_ID:
            return entry.row.offender_id
        if role == _ROW:
            return entry.row
        return None

    def _icon(self) -> QIcon:
        if self._alert_icon is None:
            self._alert_icon = icons.icon("alert")
        return self._alert_icon

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].heading
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _ROW_FLAGS if index.isValid() else _NO_FLAGS

    # -- sorting -----------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        before = self._visible
        self._sort_column, self._sort_order = column, order
        self._sort_entries()
        self._filter()
        position = {id(e): i for i, e in enumerate(self._visible)}
        moved = []
        for p in persistent:
            i = position.get(id(before[p.row()])) if 0 <= p.row() < len(before) else None
            moved.append(self.index(i, p.column()) if i is not None else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _sort_entries(self) -> None:
        col = self._sort_column
        reverse = self._sort_order == Qt.SortOrder.DescendingOrder
        ref = COLUMN_INDEX["reference"]
        # Stable two-pass sort: reference breaks ties, always ascending.
        self._all.sort(key=lambda e: e.keys[ref])
        if col != ref or reverse:
            self._all.sort(key=lambda e: e.keys[col], reverse=reverse)
        self._all_keys = [e.search_key for e in self._all]
        self._recent.clear()  # their rows are in the old order, or other rows


def _narrows(wanted: FilterState, shown: FilterState) -> bool:
    """Whether every row `wanted` lets through is also let through by `shown`: each word shown
    is part of a word wanted (a key holding "bram" holds "bra"), and each quick filter shown is
    still ticked."""
    needles, quick = wanted
    shown_needles, shown_quick = shown
    return shown_quick <= quick and all(any(old in new for new in needles) for old in shown_needles)


class TableCells(QStandardItemModel):
    """What the caseload table paints: `model`'s visible rows, row for row, as Qt's own items,
    so that a repaint runs no Python (issue #10: a Python model answers each painted cell in a
    Python call, about 40% of a filter keystroke on the team caseload).

    Only the rows being painted, and the current row (what a screen reader reads), are filled in:
    a keystroke on a 100,000-row caseload builds one screenful of items, not 100,000 rows' worth.
    Sorting the table sorts `model`; every change of `model` starts the rows again.

    The items are made by Qt, as copies of one prototype, and filled with `setItemData`: an item
    made in Python is a Python object too, and Qt asked it for a Python override on every call
    it made while painting (issue #10: a tenth of a repaint went on that)."""

    def __init__(self, model: CaseloadModel, view: QTableView) -> None:
        super().__init__(0, len(COLUMNS), view)
        self.model = model
        self.view = view
        self._filled = bytearray()
        self._prototype = QStandardItem()  # kept: the model owns it, Python must not free it
        self._prototype.setFlags(_ROW_FLAGS)
        self.setItemPrototype(self._prototype)
        self._current: int | None = None  # the offender of the current row while `model` sorts
        for i, column in enumerate(COLUMNS):
            item = QStandardItem(column.heading)
            item.setToolTip(column.title)
            item.setData(column.title, Qt.ItemDataRole.AccessibleTextRole)
            item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            self.setHorizontalHeaderItem(i, item)
        model.modelReset.connect(self._restart)
        model.layoutAboutToBeChanged.connect(self._remember_current)
        model.layoutChanged.connect(self._sorted)
        view.setModel(self)
        view.viewport().installEventFilter(self)
        view.selectionModel().currentChanged.connect(lambda index, _old: self.fill(index.row()))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.model.sort(column, order)

    def _restart(self) -> None:
        self.setRowCount(0)
        self.setRowCount(self.model.rowCount())
        self._filled = bytearray(self.model.rowCount())
        self.view.viewport().update()  # rows of no items yet: nothing else says they changed

    def _remember_current(self) -> None:
        row = self.view.currentIndex().row()
        self._current = self.model.row_at(row).offender_id if 0 <= row < self.model.shown else None

    def _sorted(self) -> None:
        current, self._current = self._current, None
        self._restart()
        row = self.model.row_of(current) if current is not None else -1
        if row >= 0:
            self.view.selectRow(row)
            self.view.scrollTo(self.index(row, 0))

    def fill(self, first: int, last: int | None = None) -> None:
        """Makes the items of rows `first` to `last` (inclusive; default `first`) that have none
        yet. Quietly: the view is about to paint them, or reads them now."""
        last = first if last is None else last
        first, last = max(first, 0), min(last, len(self._filled) - 1)
        if first > last or all(self._filled[first : last + 1]):
            return
        blocked = self.blockSignals(True)
        try:
            model, index, set_cell = self.model, self.index, self.setItemData
            for row in range(first, last + 1):
                if self._filled[row]:
                    continue
                self._filled[row] = 1
                for col, roles in enumerate(model.row_cells(row)):
                    set_cell(index(row, col), roles)  # makes the item from the prototype
        finally:
            self.blockSignals(blocked)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            view, rect = self.view, event.rect()  # type: ignore[attr-defined]
            first = view.rowAt(rect.top())
            if first >= 0:
                last = view.rowAt(rect.bottom())
                self.fill(first, last if last >= 0 else len(self._filled) - 1)
        return False
