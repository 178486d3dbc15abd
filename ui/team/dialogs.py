"""The Team screen's dialogs: record or change an absence, and name cover for one.

They are the visit dialogs' form (`ui.visits.form.VisitForm`: a problem under each field, what was
typed kept when the service says no) with day pickers: a date field showing dd/mm/yyyy, with a
calendar to pick from. Saving runs in the background; the screen reloads when one is saved."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QPlainTextEdit, QWidget

from desktop.services.problems import EditConflict
from desktop.services.team import KIND_CHOICES, AbsenceEntry
from ui.context import AppContext
from ui.team import texts
from ui.visits.form import VisitForm, text_box
from ui.widgets.dates import fmt_date
from ui.widgets.labels import humanise, role_label

if TYPE_CHECKING:
    from desktop.services.team import AbsenceView, CoverChoice, TeamMember


class DayField(QDateEdit):
    """A day, shown and typed as dd/mm/yyyy, with a calendar to pick from (Alt+Down opens it)."""

    def __init__(self, day: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDisplayFormat("dd/MM/yyyy")
        self.setCalendarPopup(True)
        self.setMinimumDate(QDate(2000, 1, 1))
        self.set_day(day)

    def day(self) -> dt.date:
        return self.date().toPython()  # type: ignore[no-any-return]

    def set_day(self, day: dt.date) -> None:
        self.setDate(QDate(day.year, day.month, day.day))


class TeamForm(VisitForm):
    """A VisitForm whose day fields are `DayField`s, and whose conflicts say to reload the team.
    Emits `conflicted` when someone else changed the absence first."""

    conflicted = Signal()

    def value(self, name: str) -> str:
        widget = self.inputs[name]
        if isinstance(widget, DayField):
            return fmt_date(widget.day())
        return super().value(name)

    def set_value(self, name: str, text: str) -> None:
        widget = self.inputs[name]
        if isinstance(widget, DayField):
            day = dt.datetime.strptime(text, "%d/%m/%Y").date() if text else None
            if day is not None:
                widget.set_day(day)
            return
        super().set_value(name, text)

    def refused(self, exc: BaseException) -> None:
        super().refused(exc)
        if isinstance(exc, EditConflict):
            # The screen shows the saved absences again behind the dialog; nothing to reload here.
            self.reload_button.hide()
            self.show_message(
                f"{exc} Close this, then open the absence again from the refreshed list.",
                tone="alert",
            )
            self.conflicted.emit()


class AbsenceDialog(TeamForm):
    """Record an absence for an officer of the team, or change one (`absence` given)."""

    save_text = "&Save absence"
    save_name = "Save absence"

    def __init__(
        self,
        ctx: AppContext,
        members: Sequence[TeamMember],
        day: dt.date,
        absence: AbsenceView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("absenceDialog")
        self.setMinimumWidth(640)
        self.absence = absence
        self.officer_box = QComboBox()
        for member in members:
            self.officer_box.addItem(
                f"{member.name} ({role_label(member.role)})", member.officer_id
            )
        self.kind_box = QComboBox()
        for value, label in KIND_CHOICES.items():
            self.kind_box.addItem(label, value)
        self.first_day = DayField(day)
        self.last_day = DayField(day)
        self.note_box: QPlainTextEdit = text_box(72)
        self.note_box.setPlaceholderText(
            "Optional: what the team needs to know (no personal detail)"
        )
        self.add_field("officer_id", "&Officer", self.officer_box, required=True)
        self.add_field("kind", "&Kind", self.kind_box, required=True)
        self.add_field(
            "starts_on", "&First day", self.first_day, required=True, description="dd/mm/yyyy"
        )
        self.add_field(
            "ends_on", "&Last day", self.last_day, required=True, description="dd/mm/yyyy"
        )
        self.add_field("note", "&Note", self.note_box)
        if absence is None:
            self.setWindowTitle("Record an absence")
            self.intro.setText(
                "Who is away, and when (both days included). A sergeant's or team manager's "
                "approvals go to cover on those days; name cover afterwards if you want someone "
                "in particular."
            )
            self.officer_box.setFocus()
        else:
            self.setWindowTitle(f"Change {absence.name}'s absence")
            position = self.officer_box.findData(absence.officer_id)
            if position < 0:
                self.officer_box.addItem(absence.name, absence.officer_id)
                position = self.officer_box.count() - 1
            self.officer_box.setCurrentIndex(position)
            self.officer_box.setEnabled(False)
            self.kind_box.setCurrentIndex(max(0, self.kind_box.findData(absence.kind)))
            self.first_day.set_day(absence.starts_on)
            self.last_day.set_day(absence.ends_on)
            self.note_box.setPlainText(absence.note)
            covers = "; ".join(texts.cover_span(c) for c in absence.covers)
            self.intro.setText(
                f"{absence.name}: {humanise(absence.kind)} from "
                f"{fmt_date(absence.starts_on)} to {fmt_date(absence.ends_on)}."
                + (
                    f" Named cover: {covers}. Shorter dates shorten the cover to match."
                    if covers
                    else ""
                )
            )
            self.kind_box.setFocus()
        self.first_day.dateChanged.connect(self._follow_first_day)

    def _follow_first_day(self, _date: QDate) -> None:
        """A last day before the new first day moves with it (it can still be changed)."""
        if self.last_day.day() < self.first_day.day():
            self.last_day.set_day(self.first_day.day())

    def entry(self) -> AbsenceEntry:
        officer = self.officer_box.currentData()
        return AbsenceEntry(
            officer_id=int(officer) if officer is not None else None,
            kind=self.value("kind"),
            starts_on=self.value("starts_on"),
            ends_on=self.value("ends_on"),
            note=self.value("note"),
        )

    def save_job(self) -> Callable[[], Any]:
        team, actor, entry = self.ctx.svc.team, self.ctx.officer, self.entry()
        if self.absence is None:
            return lambda: team.record_absence(actor, entry)
        absence = self.absence
        return lambda: team.change_absence(actor, absence.absence_id, absence.version, entry)


class CoverDialog(TeamForm):
    """Name who covers an absent sergeant's or team manager's approvals, for days of the
    absence. The choices come loaded, those away on some of the days marked."""

    save_text = "&Name cover"
    save_name = "Name cover"

    def __init__(
        self,
        ctx: AppContext,
        absence: AbsenceView,
        choices: Sequence[CoverChoice],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("coverDialog")
        self.setMinimumWidth(720)
        self.absence = absence
        self.choices = list(choices)
        self.setWindowTitle(f"Name cover for {absence.name}")
        self.cover_box = QComboBox()
        for choice in choices:
            self.cover_box.addItem(texts.choice_text(choice), choice.officer_id)
        free = next((i for i, c in enumerate(choices) if not c.away), 0)
        self.cover_box.setCurrentIndex(free)
        self.first_day = DayField(absence.starts_on)
        self.last_day = DayField(absence.ends_on)
        for field in (self.first_day, self.last_day):
            field.setDateRange(_qdate(absence.starts_on), _qdate(absence.ends_on))
        self.add_field(
            "cover_officer_id",
            "&Cover",
            self.cover_box,
            required=True,
            description="A sergeant or team manager of any team, on duty on those days",
        )
        self.add_field("starts_on", "&First day", self.first_day, required=True)
        self.add_field("ends_on", "&Last day", self.last_day, required=True)
        taken = "; ".join(texts.cover_span(c) for c in absence.covers)
        self.intro.setText(
            f"{absence.name} is away ({humanise(absence.kind).lower()}) from "
            f"{fmt_date(absence.starts_on)} to {fmt_date(absence.ends_on)}. The cover you name "
            "sees their approvals on the days you choose; on other days the cover chain decides "
            "(another sergeant of the team on duty, then a sergeant of another team, then the "
            "team manager)." + (f" Already named: {taken}." if taken else "")
        )
        self.cover_box.setFocus()

    def chosen_name(self) -> str:
        """The chosen cover as the confirmation names them: "Sgt Hattie Bumblesworth"."""
        chosen = self.cover_box.currentData()
        choice = next((c for c in self.choices if c.officer_id == chosen), None)
        return texts.titled(choice.name, choice.role) if choice is not None else ""

    def save_job(self) -> Callable[[], Any]:
        team, actor = self.ctx.svc.team, self.ctx.officer
        absence_id = self.absence.absence_id
        officer = self.cover_box.currentData()
        cover = int(officer) if officer is not None else None
        first, last = self.value("starts_on"), self.value("ends_on")
        return lambda: team.name_cover(actor, absence_id, cover, first, last)


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)
