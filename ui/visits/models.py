"""Item models over what the visit service returns: the week (a column per day, a visit per cell),
one day's visits in detail, and the offenders due a visit. Thin adapters: every text and tone is
worked out once when the service's dataclasses arrive, so painting never calls back into the
services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from ui.visits import texts
from ui.widgets import icons
from ui.widgets.dates import fmt_date

if TYPE_CHECKING:
    from desktop.services.visits import DayPlan, DueVisit, VisitView, WeekPlan

Index = QModelIndex | QPersistentModelIndex

VISIT_ROLE = Qt.ItemDataRole.UserRole + 1  # the VisitView of a cell (None for an empty one)
DUE_ROLE = Qt.ItemDataRole.UserRole + 2  # the DueVisit of a row

_SELECTABLE = (
    Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
)
# An empty cell of the week can hold the keyboard's place (to move between days) but is never
# selected: nothing is there to act on.
_PLACE_ONLY = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
_TOP_LEFT = int(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)


@dataclass(frozen=True)
class Cell:
    """One table cell: its text, tone (its colours, from `texts`), tooltip, spoken text and icon,
    worked out once when the data arrives so painting never calls back into the services."""

    text: str
    tone: str = ""
    tip: str = ""
    spoken: str = ""  # what a screen reader says, when the text alone is not enough
    icon: str = ""


class _CellsModel(QAbstractTableModel):
    """Rows of Cells under fixed headers, with the roles every table here shares."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._cells: list[list[Cell]] = []
        self._fg = {k: QBrush(QColor(v)) for k, v in texts.FOREGROUND.items()}
        self._bg = {k: QBrush(QColor(v)) for k, v in texts.BACKGROUND.items()}
        self._bold = QFont()
        self._bold.setBold(True)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cells)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def cell(self, row: int, column: int) -> Cell | None:
        if 0 <= row < len(self._cells) and 0 <= column < len(self._cells[row]):
            return self._cells[row][column]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        cell = self.cell(index.row(), index.column())
        if cell is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return cell.text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return cell.spoken or cell.text
        if role == Qt.ItemDataRole.ToolTipRole:
            return cell.tip or None
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._fg.get(cell.tone) if cell.tone else None
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._bg.get(cell.tone) if cell.tone else None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if cell.tone == "alert" else None
        if role == Qt.ItemDataRole.DecorationRole:
            return icons.icon(cell.icon) if cell.icon else None
        return self.extra(index, role)

    def extra(self, index: Index, role: int) -> Any:
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.headers):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.headers[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _SELECTABLE if index.isValid() else Qt.ItemFlag.NoItemFlags


# -- the week ----------------------------------------------------------------------------------


def visit_card(view: VisitView, now: dt.datetime) -> Cell:
    """One visit as the week shows it: time and band, offender, crew, announcement, state."""
    state, tone = texts.visit_state(view, now)
    lines = [
        f"{view.at:%H:%M} · {view.band_label}",
        view.reference,
        view.name,
        *view.officer_names,
        f"{'Announced' if view.announced else 'Unannounced'} · {state}",
    ]
    outside = texts.outside_window_text(view)
    if outside:
        lines.append(outside)
    spoken = (
        f"{texts.long_day(view.at.date())} at {view.at:%H:%M}, {view.band}. {view.reference} "
        f"{view.name}. Crew {texts.crew_text(view)}. {texts.announced_text(view)}. {state}."
        + (f" {outside}." if outside else "")
    )
    tip = "\n".join(
        [
            f"{texts.when_text(view)}: {view.reference} {view.name}",
            f"Crew: {texts.crew_text(view)}",
            texts.announced_text(view),
            f"Visit window: {texts.window_text(view.window_start, view.window_end)}",
            *([outside] if outside else []),
            state,
            "Press Enter for the visit's details",
        ]
    )
    return Cell("\n".join(lines), tone, tip, spoken)


class WeekModel(_CellsModel):
    """Seven columns, Monday to Sunday; row n of a column is that day's nth visit. A day with no
    visit says so in its first cell. The headers carry the date, a bank holiday and who is off
    duty, in words."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._plan: WeekPlan | None = None
        self._visits: list[list[VisitView]] = []
        self._titles: list[str] = []
        self._header_tips: list[str] = []
        self.headers = ()

    def set_week(
        self, plan: WeekPlan | None, now: dt.datetime, officer_name: str | None = None
    ) -> None:
        """`officer_name`: whose week it is (their own absence is spelt out in the header);
        None for a team's week."""
        self.beginResetModel()
        self._plan = plan
        days = plan.days if plan is not None else []
        self._visits = [list(day.visits) for day in days]
        self.headers = tuple(texts.long_day(day.date) for day in days)
        self._titles = [_day_title(day, officer_name) for day in days]
        self._header_tips = [_day_tip(day) for day in days]
        rows = max((len(v) for v in self._visits), default=0)
        self._cells = []
        for row in range(max(rows, 1) if days else 0):
            line = []
            for day, visits in zip(days, self._visits, strict=True):
                if row < len(visits):
                    line.append(visit_card(visits[row], now))
                elif row == 0:
                    line.append(_empty_day(day))
                else:
                    line.append(Cell(""))
            self._cells.append(line)
        self.endResetModel()

    @property
    def plan(self) -> WeekPlan | None:
        return self._plan

    def day(self, column: int) -> DayPlan | None:
        if self._plan is None or not 0 <= column < len(self._plan.days):
            return None
        return self._plan.days[column]

    def visit_at(self, row: int, column: int) -> VisitView | None:
        if 0 <= column < len(self._visits) and 0 <= row < len(self._visits[column]):
            return self._visits[column][row]
        return None

    def position_of(self, visit_id: int) -> tuple[int, int] | None:
        for column, visits in enumerate(self._visits):
            for row, view in enumerate(visits):
                if view.visit_id == visit_id:
                    return row, column
        return None

    def column_of(self, day: dt.date) -> int:
        if self._plan is None:
            return -1
        return next((i for i, d in enumerate(self._plan.days) if d.date == day), -1)

    @property
    def visit_count(self) -> int:
        return sum(len(v) for v in self._visits)

    def extra(self, index: Index, role: int) -> Any:
        if role == VISIT_ROLE:
            return self.visit_at(index.row(), index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return _TOP_LEFT
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.visit_at(index.row(), index.column()) is not None:
            return _SELECTABLE
        return _PLACE_ONLY

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._titles):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._titles[section]
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._header_tips[section]
        return None


def _day_title(day: DayPlan, officer_name: str | None) -> str:
    lines = [f"{texts.weekday(day.date)}", fmt_date(day.date)]
    notes = []
    if day.bank_holiday:
        notes.append("Bank holiday")
    elif day.date.weekday() == 6:
        notes.append("No routine visits")
    if officer_name is not None:
        if officer_name in day.off_duty:
            notes.append("Off duty")
    elif day.off_duty:
        notes.append(f"{len(day.off_duty)} off duty")
    lines.append("\n".join(notes))
    return "\n".join(lines)


def _day_tip(day: DayPlan) -> str:
    parts = [texts.long_day(day.date)]
    if day.bank_holiday:
        parts.append("Bank holiday: visits are not normally made.")
    elif day.date.weekday() == 6:
        parts.append("Sunday: visits are not normally made.")
    if day.off_duty:
        parts.append("Off duty: " + ", ".join(day.off_duty) + ".")
    else:
        parts.append("Nobody in the team is recorded off duty.")
    parts.append(f"{len(day.visits)} visit{'s' if len(day.visits) != 1 else ''}.")
    return " ".join(parts)


def _empty_day(day: DayPlan) -> Cell:
    if day.bank_holiday:
        return Cell("No visits\n(bank holiday)", "muted")
    return Cell("No visits", "muted")


# -- one day in detail -------------------------------------------------------------------------


class DayModel(_CellsModel):
    """A row per visit of one day, one line each; the reasons recorded for an announced visit or
    for a day outside the window are in the tooltips (and in the week's cards and the visit's
    details)."""

    headers = ("Time", "Offender", "Crew", "Visit", "Window", "Outcome and record")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._views: list[VisitView] = []

    def set_visits(self, views: Sequence[VisitView], now: dt.datetime) -> None:
        self.beginResetModel()
        self._views = list(views)
        self._cells = [self._row(v, now) for v in self._views]
        self.endResetModel()

    def _row(self, v: VisitView, now: dt.datetime) -> list[Cell]:
        state, tone = texts.visit_state(v, now)
        outside = texts.outside_window_text(v)
        window = texts.window_text(v.window_start, v.window_end)
        kind = f"{texts.purpose_text(v.purpose)}, {'announced' if v.announced else 'unannounced'}"
        return [
            Cell(f"{v.at:%H:%M} {v.band}"),
            Cell(f"{v.reference} {v.name}"),
            Cell(texts.crew_text(v, ", ")),
            Cell(kind, tip=texts.announced_text(v) if v.announced else ""),
            Cell(
                f"{window} (outside)" if not v.inside_window else window,
                "warn" if not v.inside_window else "",
                tip=outside,
                spoken=f"{window}. {outside}" if outside else window,
            ),
            Cell(state, tone),
        ]

    def visit_at(self, row: int) -> VisitView | None:
        return self._views[row] if 0 <= row < len(self._views) else None

    def row_of(self, visit_id: int) -> int:
        return next((i for i, v in enumerate(self._views) if v.visit_id == visit_id), -1)

    def extra(self, index: Index, role: int) -> Any:
        if role == VISIT_ROLE:
            return self.visit_at(index.row())
        return None


# -- what is due -------------------------------------------------------------------------------


class DueModel(_CellsModel):
    headers = (
        "Reference",
        "Name",
        "Offender manager",
        "Why due",
        "Visit window",
        "Last seen",
        "Failed access",
        "Planned visit",
    )

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[DueVisit] = []

    def set_due(self, rows: Sequence[DueVisit]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._cells = [self._row(d) for d in self._rows]
        self.endResetModel()

    def _row(self, d: DueVisit) -> list[Cell]:
        if d.last_seen is None:
            seen = Cell("Never seen", "warn", "No completed home visit recorded")
        else:
            seen = Cell(fmt_date(d.last_seen))
        if d.warrant_consideration:
            failed = Cell(
                texts.WARRANT_TEXT,
                "alert",
                f"{texts.failed_text(d.failed_attempts)}. {texts.WARRANT_TIP}",
                f"{texts.WARRANT_TEXT}: {texts.failed_text(d.failed_attempts)}",
                icon="alert",
            )
        else:
            failed = Cell(texts.failed_text(d.failed_attempts), "warn" if d.failed_attempts else "")
        planned = d.planned_visit
        if planned is not None:
            at = planned.at
            plan_cell = Cell(
                f"{fmt_date(at.date())} {at:%H:%M}",
                tip=f"{texts.when_text(planned)} with {texts.crew_text(planned)}. "
                f"{texts.announced_text(planned)}.",
            )
        else:
            plan_cell = Cell("Not planned", "alert" if d.overdue else "warn")
        return [
            Cell(d.reference),
            Cell(d.name),
            Cell(d.manager or "Unallocated", "" if d.manager else "warn"),
            Cell(
                texts.due_reason_text(d),
                "alert" if d.overdue else "",
                texts.due_reason_tip(d),
                icon="alert" if d.overdue else "",
            ),
            Cell(texts.window_text(d.window_start, d.window_end)),
            seen,
            failed,
            plan_cell,
        ]

    def due_at(self, row: int) -> DueVisit | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, offender_id: int) -> int:
        return next((i for i, d in enumerate(self._rows) if d.offender_id == offender_id), -1)

    @property
    def rows(self) -> list[DueVisit]:
        return list(self._rows)

    def extra(self, index: Index, role: int) -> Any:
        if role == DUE_ROLE:
            return self.due_at(index.row())
        return None
