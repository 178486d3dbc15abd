"""The two crew pickers of a visit dialog, fed by `services.visits.crew_choices` for the day typed.

Each officer of the offender's team is listed with whether they are on duty and how many visits
they already have that day. An officer off duty stays in the list, marked OFF DUTY in words, red
and with the warning icon, so that a person sees why the service will refuse them rather than
wonder where they went. The lists follow the date: when a whole date has been typed, the day's
choices are fetched in the background and what was chosen is kept."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from ui.context import AppContext
from ui.visits import texts
from ui.widgets import icons
from ui.widgets.dates import fmt_date
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.visits import CrewChoice

NOBODY = ""  # the data of "Choose an officer"
DEBOUNCE_MS = 250


def choice_text(choice: CrewChoice, not_counted: int = 0) -> str:
    """'Ada Quillfeather, offender's manager: on duty, 1 visit that day'. `not_counted`: visits
    of theirs not to count (the one being moved, when it is on the same day)."""
    role = "offender's manager" if choice.is_manager else texts.role_words(choice.role)
    if not choice.on_duty:
        return f"{choice.name}, {role}: OFF DUTY, {texts.absence_words(choice.absence)}"
    visits = max(0, choice.visits_that_day - not_counted)
    other = "other " if not_counted else ""
    load = f"no {other}visits" if visits == 0 else f"{visits} {other}visit{'s' * (visits != 1)}"
    return f"{choice.name}, {role}: on duty, {load} that day"


def fill_crew(
    combo: QComboBox,
    choices: list[CrewChoice],
    selected: str,
    others: dict[str, str] | None = None,
    not_counted: Collection[str] = (),
) -> None:
    """Put the choices in `combo`, keep `selected` (a username) chosen. `others` (username ->
    name) are officers outside the list who are already on the visit's crew (another team's);
    `not_counted` the crew of the visit being moved, whose count that day includes it."""
    combo.blockSignals(True)
    combo.clear()
    combo.addItem("Choose an officer", NOBODY)
    alert = QBrush(QColor(texts.FOREGROUND["alert"]))
    for choice in choices:
        combo.addItem(
            choice_text(choice, 1 if choice.username in not_counted else 0), choice.username
        )
        if not choice.on_duty:
            row = combo.count() - 1
            combo.setItemData(row, alert, Qt.ItemDataRole.ForegroundRole)
            combo.setItemIcon(row, icons.icon("alert"))
    listed = {c.username for c in choices}
    for username, name in (others or {}).items():
        if username and username not in listed:
            combo.addItem(f"{name} (not in this team's list)", username)
    combo.setCurrentIndex(max(0, combo.findData(selected)))
    combo.blockSignals(False)
    describe(combo)


def describe(combo: QComboBox) -> None:
    """The chosen officer, spoken: a screen reader hears OFF DUTY as well as the name."""
    combo.setAccessibleDescription(combo.currentText() if combo.currentData() else "Nobody chosen")
    off = bool(combo.currentData()) and "OFF DUTY" in combo.currentText()
    combo.setToolTip(combo.currentText() if off else "")
    if bool(combo.property("offDuty")) != off:
        combo.setProperty("offDuty", off)
        combo.style().unpolish(combo)
        combo.style().polish(combo)


class CrewLoader(QObject):
    """Keeps two crew combos in step with a date field. Emits `loaded(day)` once the choices for
    a day are in the combos (tests wait on it)."""

    loaded = Signal(object)
    noted = Signal()  # the note under the pickers changed: the dialog may need to grow

    def __init__(
        self,
        ctx: AppContext,
        offender_id: int,
        date_field: QLineEdit,
        combos: tuple[QComboBox, QComboBox],
        note: QLabel,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.offender_id = offender_id
        self.date_field = date_field
        self.combos = combos
        self.note = note
        self.others: dict[str, str] = {}
        # The visit being moved: (its day, its crew), not counted among their visits that day.
        self.moving: tuple[dt.date, tuple[str, str]] | None = None
        self.choices: list[CrewChoice] = []
        self.day: dt.date | None = None
        self._wanted: dt.date | None = None
        self._token = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._fetch)
        date_field.textChanged.connect(self._date_typed)
        for combo in combos:
            combo.currentIndexChanged.connect(lambda _i, c=combo: describe(c))

    def selected(self) -> tuple[str, str]:
        return (
            str(self.combos[0].currentData() or ""),
            str(self.combos[1].currentData() or ""),
        )

    def select(self, first: str, second: str) -> None:
        """Choose these usernames, adding anyone not in the list yet (kept when it reloads)."""
        for combo, username in zip(self.combos, (first, second), strict=True):
            position = combo.findData(username)
            if position < 0 and username:
                combo.addItem(self.others.get(username, username), username)
                position = combo.count() - 1
            combo.setCurrentIndex(max(0, position))
            describe(combo)

    def load_now(self) -> None:
        """Fetch the choices for the date in the field at once (when the dialog opens)."""
        self._timer.stop()
        self._wanted = texts.parse_day(self.date_field.text())
        if self._wanted is None:
            self._show_placeholder()
            return
        self._fetch()

    def _date_typed(self, text: str) -> None:
        day = texts.parse_day(text)
        if day is None or day == self.day:
            self._timer.stop()
            return
        self._wanted = day
        self._timer.start()

    def _show_placeholder(self) -> None:
        if not self.choices:
            for combo in self.combos:
                fill_crew(combo, [], "", self.others)
            self._note("Type the date of the visit to see who is on duty that day.")

    def _fetch(self) -> None:
        day = self._wanted
        if day is None:
            return
        self._token += 1
        token = self._token
        self._note(f"Finding who is on duty on {fmt_date(day)}…")
        self.ctx.runner.run(
            self.ctx.svc.visits.crew_choices,
            self.ctx.officer,
            self.offender_id,
            day,
            on_result=lambda choices: self._arrived(token, day, choices),
            on_error=lambda exc: self._failed(token, exc),
            owner=self,
        )

    def _arrived(self, token: int, day: dt.date, choices: list[CrewChoice]) -> None:
        if token != self._token:
            return
        keep = self.selected()
        self.choices = list(choices)
        self.day = day
        crew = self.moving[1] if self.moving is not None and self.moving[0] == day else ()
        for combo, username in zip(self.combos, keep, strict=True):
            fill_crew(combo, self.choices, username, self.others, crew)
        off = [c.name for c in self.choices if not c.on_duty]
        text = f"Officers on {texts.long_day(day)}, with their other visits that day."
        if off:
            text += f" Off duty: {', '.join(off)}."
        self._note(text)
        self.loaded.emit(day)

    def _failed(self, token: int, exc: BaseException) -> None:
        if token != self._token:
            return
        self._note(f"Could not list the officers: {error_text(exc)}")

    def _note(self, text: str) -> None:
        self.note.setText(text)
        self.noted.emit()
