"""The actions of one pillar as an editable table: description, owner, due date, status and the
risk factor the action answers.

`ActionsModel` holds each action as the text typed (`ActionRow`), never parsed: the services parse
and validate on save, and `services.plans.gaps_for` reads the same text for the live gaps. A due
date that has passed on an action not done or cancelled shows "OVERDUE" beside it, in the alert
colour. `ActionDelegate` gives each column its editor: a line for the description and the date, a
list of the team's officers that also takes another agency's name for the owner, and lists of the
statuses and of the present risk factors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ui.widgets import palette
from ui.widgets.dates import parse_typed_date
from ui.widgets.labels import ACTION_STATUS_LABELS

Index = QModelIndex | QPersistentModelIndex

OFFICER_PREFIX = "officer:"
CLOSED = ("done", "cancelled")

DESCRIPTION, OWNER, DUE, STATUS, FACTOR = range(5)
COLUMNS = (
    ("description", "Action"),
    ("owner", "Owner"),
    ("due_on", "Due"),
    ("status", "Status"),
    ("answers_factor", "Answers risk factor"),
)
FIELD_COLUMN = {name: i for i, (name, _title) in enumerate(COLUMNS)}
EDITOR_NAMES = (
    "Action description",
    "Owner: an officer of the team, or type another agency's name",
    "Due date, dd/mm/yyyy",
    "Status",
    "Risk factor this action answers",
)


@dataclass
class ActionRow:
    """One action as typed. `owner` is "officer:<id>" or another agency's name; `answers_factor`
    a present factor's code or "" for none."""

    action_id: int | None = None
    description: str = ""
    owner: str = ""
    due_on: str = ""
    status: str = "not_started"
    answers_factor: str = ""


@dataclass(frozen=True)
class Choices:
    """What the editors offer, shared by the four pillars' tables."""

    owners: tuple[tuple[str, str], ...] = ()  # ("officer:<id>", name)
    factors: tuple[tuple[str, str], ...] = ()  # (code, label) of present risk factors
    factor_labels: tuple[tuple[str, str], ...] = ()  # every known code -> label
    on: dt.date | None = None  # today, for "OVERDUE"

    known_owners: tuple[tuple[str, str], ...] = ()  # owners of saved actions, in or out of team

    def owner_name(self, owner: str) -> str:
        if not owner.startswith(OFFICER_PREFIX):
            return owner
        return (
            dict(self.owners).get(owner)
            or dict(self.known_owners).get(owner)
            or "An officer no longer in the team"
        )

    def factor_label(self, code: str) -> str:
        if not code:
            return ""
        label = dict(self.factors).get(code) or dict(self.factor_labels).get(code)
        return label or code.replace("_", " ")


class ActionsModel(QAbstractTableModel):
    """Emits `edited()` after any change a person made (a cell, a row added or removed)."""

    edited = Signal()

    def __init__(self, pillar: str, parent: Any = None) -> None:
        super().__init__(parent)
        self.pillar = pillar
        self._rows: list[ActionRow] = []
        self._errors: dict[tuple[int, int], str] = {}
        self.choices = Choices()
        self.read_only = True
        self._fg = {tone: QBrush(QColor(c)) for tone, c in palette.FOREGROUND.items()}
        self._bg = {tone: QBrush(QColor(c)) for tone, c in palette.BACKGROUND.items()}
        self._bold = QFont()
        self._bold.setBold(True)

    # -- feeding -----------------------------------------------------------------------------------

    def set_rows(self, rows: Sequence[ActionRow], choices: Choices, *, read_only: bool) -> None:
        self.beginResetModel()
        self._rows = [replace(r) for r in rows]
        self.choices = choices
        self.read_only = read_only
        self._errors = {}
        self.endResetModel()

    def rows(self) -> list[ActionRow]:
        return [replace(r) for r in self._rows]

    def row(self, row: int) -> ActionRow:
        return self._rows[row]

    def add_row(self, action: ActionRow) -> int:
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(action)
        self.endInsertRows()
        self.edited.emit()
        return position

    def remove_row(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()
        self._errors = {
            (r if r < row else r - 1, c): m for (r, c), m in self._errors.items() if r != row
        }
        self.edited.emit()

    # -- problems from a save ----------------------------------------------------------------------

    def set_error(self, row: int, field: str, message: str) -> None:
        column = FIELD_COLUMN.get(field, DESCRIPTION)
        key = (row, column)
        self._errors[key] = f"{self._errors[key]} {message}" if key in self._errors else message
        index = self.index(row, column)
        self.dataChanged.emit(index, index)

    def clear_errors(self) -> None:
        if not self._errors:
            return
        self._errors = {}
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(COLUMNS) - 1)
            )

    def error(self, row: int, column: int) -> str:
        return self._errors.get((row, column), "")

    # -- Qt's model interface ----------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )
        if not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def overdue(self, row: int) -> bool:
        action = self._rows[row]
        due = parse_typed_date(action.due_on)
        on = self.choices.on
        return (
            due is not None
            and on is not None
            and due < on
            and action.status not in CLOSED
            and bool(action.description.strip())
        )

    def display(self, row: int, column: int) -> str:
        action = self._rows[row]
        if column == DESCRIPTION:
            return action.description
        if column == OWNER:
            return self.choices.owner_name(action.owner)
        if column == DUE:
            return f"OVERDUE {action.due_on}" if self.overdue(row) else action.due_on
        if column == STATUS:
            return ACTION_STATUS_LABELS.get(action.status, action.status)
        if column == FACTOR:
            return self.choices.factor_label(action.answers_factor) or "None"
        return ""

    def tone(self, row: int, column: int) -> str:
        if (row, column) in self._errors:
            return "alert"
        action = self._rows[row]
        if column == DUE and self.overdue(row):
            return "alert"
        if column == FACTOR and not action.answers_factor:
            return "muted"
        if column == FACTOR and action.answers_factor not in dict(self.choices.factors):
            return "warn"  # a factor no longer present in the ARMS in force
        if column == STATUS and action.status in CLOSED:
            return "muted"
        return ""

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, column = index.row(), index.column()
        if not 0 <= column < len(COLUMNS):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.display(row, column)
        if role == Qt.ItemDataRole.EditRole:
            return getattr(self._rows[row], COLUMNS[column][0])
        if role == Qt.ItemDataRole.ToolTipRole:
            problem = self._errors.get((row, column))
            if problem:
                return problem
            if column == DUE and self.overdue(row):
                return "The due date has passed and the action is not done"
            if column == FACTOR and self.tone(row, column) == "warn":
                return "This factor is not present in the ARMS in force"
            text = self.display(row, column)
            return text if len(text) > 40 else None
        tone = self.tone(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._fg.get(tone) if tone else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._bg.get(tone) if tone else None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if tone == "alert" else None
        return None

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if (
            self.read_only
            or role != Qt.ItemDataRole.EditRole
            or not index.isValid()
            or index.row() >= len(self._rows)
            or not 0 <= index.column() < len(COLUMNS)
        ):
            return False
        name = COLUMNS[index.column()][0]
        text = "" if value is None else str(value)
        action = self._rows[index.row()]
        if getattr(action, name) == text:
            return True
        setattr(action, name, text)
        self._errors.pop((index.row(), index.column()), None)
        # The due date's mark depends on the status, and the other way round.
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
        self.edited.emit()
        return True


class ActionDelegate(QStyledItemDelegate):
    """Each column's editor, named for screen readers; a choice is committed as soon as a person
    makes it (`activated`, never a change Qt makes while it tears a list down), so the gaps
    follow without leaving the cell."""

    def createEditor(  # noqa: N802 (Qt's name)
        self, parent: QWidget, option: QStyleOptionViewItem, index: Index
    ) -> QWidget:
        model = index.model()
        choices: Choices = getattr(model, "choices", Choices())
        column = index.column()
        editor: QWidget
        if column == OWNER:
            combo = QComboBox(parent)
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            for value, name in choices.owners:
                combo.addItem(name, value)
            combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
            editor = combo
        elif column in (STATUS, FACTOR):
            combo = QComboBox(parent)
            options = (
                tuple(ACTION_STATUS_LABELS.items())
                if column == STATUS
                else (("", "None"), *choices.factors)
            )
            for value, label in options:
                combo.addItem(label, value)
            combo.activated.connect(lambda _i, c=combo: self.commitData.emit(c))
            editor = combo
        else:
            line = QLineEdit(parent)
            if column == DUE:
                line.setPlaceholderText("dd/mm/yyyy")
                line.setMaxLength(10)
            editor = line
        editor.setAccessibleName(EDITOR_NAMES[column])
        editor.setObjectName(f"actionEditor_{COLUMNS[column][0]}")
        return editor

    def setEditorData(self, editor: QWidget, index: Index) -> None:  # noqa: N802 (Qt's name)
        value = str(index.data(Qt.ItemDataRole.EditRole) or "")
        if isinstance(editor, QComboBox):
            editor.blockSignals(True)
            position = editor.findData(value)
            if position >= 0:
                editor.setCurrentIndex(position)
            elif editor.isEditable():
                editor.setCurrentIndex(-1)
                editor.setEditText(value)
            else:
                editor.setCurrentIndex(0)
            editor.blockSignals(False)
        elif isinstance(editor, QLineEdit):
            editor.setText(value)

    def setModelData(  # noqa: N802 (Qt's name)
        self, editor: QWidget, model: QAbstractTableModel, index: Index
    ) -> None:
        if isinstance(editor, QComboBox):
            if editor.isEditable():
                text = editor.currentText().strip()
                position = editor.findText(text, Qt.MatchFlag.MatchFixedString)
                value = editor.itemData(position) if position >= 0 else text
            else:
                value = editor.currentData()
            model.setData(index, value or "", Qt.ItemDataRole.EditRole)
        elif isinstance(editor, QLineEdit):
            model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)
