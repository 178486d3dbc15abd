"""Plan a visit to an offender, or move a planned one: day, time, the two officers, announced or
not, and the reason for a day outside the visit window.

The service checks everything (both officers different and on duty, no clash, inside the window
or a reason, an announced visit's reason, never the previous visit's weekday and time band); the
dialog shows the window, the weekday and time band of what is typed, and who is on duty that day,
so that most refusals are seen coming."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QWidget

from ui.context import AppContext
from ui.visits import texts
from ui.visits.crew import CrewLoader
from ui.visits.form import VisitForm, set_tone, text_box
from ui.widgets.dates import fmt_date

if TYPE_CHECKING:
    from desktop.services.visits import DueVisit, VisitView


@dataclass(frozen=True)
class PlanTarget:
    """Whom a new visit is for, and the window it should fall in."""

    offender_id: int
    reference: str
    name: str
    window_start: dt.date | None
    window_end: dt.date | None
    why: str  # "Overdue since 12/04/2024: the routine visit was due then."
    manager_username: str = ""
    manager_name: str = ""

    @classmethod
    def from_due(cls, due: DueVisit) -> PlanTarget:
        return cls(
            due.offender_id,
            due.reference,
            due.name,
            due.window_start,
            due.window_end,
            texts.due_reason_tip(due) or texts.due_reason_text(due) + ".",
            due.manager_username,
            due.manager,
        )

    @classmethod
    def from_visit(cls, view: VisitView) -> PlanTarget:
        """A new visit to the offender of `view` (after a failed attempt, say): the service
        works out the new window; the old one is shown only as a guide."""
        return cls(
            view.offender_id,
            view.reference,
            view.name,
            None,
            None,
            "A new visit after the one on " + texts.when_text(view) + ".",
            view.manager,
        )


class PlanVisitDialog(VisitForm):
    """`visit` None: plan a new visit for `target`; else move that planned visit."""

    def __init__(
        self,
        ctx: AppContext,
        target: PlanTarget,
        visit: VisitView | None = None,
        parent: QWidget | None = None,
    ) -> None:
        self.save_text = "&Move visit" if visit is not None else "&Plan visit"
        self.save_name = "Move the visit" if visit is not None else "Plan the visit"
        super().__init__(ctx, parent)
        self.target = target
        self.visit = visit
        self.moving = visit is not None
        verb = "Move the visit to" if self.moving else "Plan a visit to"
        self.setWindowTitle(f"{verb} {target.reference} {target.name}")
        self.setObjectName("planVisitDialog")

        self.date_field = QLineEdit()
        self.date_field.setPlaceholderText(texts.DATE_HINT)
        self.date_field.setMaxLength(10)
        self.day_word = QLabel()
        self.day_word.setObjectName("mutedText")
        self.day_word.setMinimumWidth(90)
        self.time_field = QLineEdit()
        self.time_field.setPlaceholderText(texts.TIME_HINT)
        self.time_field.setMaxLength(5)
        self.band_word = QLabel()
        self.band_word.setObjectName("mutedText")
        self.band_word.setMinimumWidth(90)
        self.first = QComboBox()
        self.second = QComboBox()
        for combo in (self.first, self.second):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(44)
        self.crew_note = QLabel()
        self.crew_note.setObjectName("mutedText")
        self.crew_note.setWordWrap(True)
        self.crew_note.setAccessibleName("Who is on duty")
        self.announced = QCheckBox("Announced: the offender is told of the visit beforehand")
        self.announced_reason = text_box(56)
        self.window_label = QLabel()
        self.window_label.setWordWrap(True)
        self.window_label.setAccessibleName("Visit window")
        self.outside_reason = text_box(56)
        self.outside_hint = QLabel()
        self.outside_hint.setWordWrap(True)
        self.outside_hint.setAccessibleName("Outside the window")
        self.outside_hint.hide()

        self.add_field(
            "date",
            "&Date",
            self.date_field,
            required=True,
            description=f"Date as {texts.DATE_HINT}",
            extra=self.day_word,
        )
        self.add_field(
            "time",
            "&Time",
            self.time_field,
            required=True,
            description="24-hour time as HH:MM, from 07:00 to 21:59",
            extra=self.band_word,
        )
        self.add_field("officer1", "&First officer", self.first, required=True)
        self.add_field(
            "officer2",
            "S&econd officer",
            self.second,
            required=True,
            description="Every visit is double crewed by two different officers on duty",
        )
        self.form.addRow("", self.crew_note)
        self.add_field("announced", "&Announced", self.announced)
        self.add_field(
            "announced_reason",
            "&Why announced",
            self.announced_reason,
            description="Visits are unannounced unless a reason is recorded here",
        )
        self.form.addRow("Visit window", self.window_label)
        self.add_field(
            "outside_window_reason",
            "&Reason for the day",
            self.outside_reason,
            description=(
                "Needed only for a day outside the visit window, a Sunday or a bank holiday"
            ),
        )
        self.form.addRow("", self.outside_hint)

        self.crew = CrewLoader(
            ctx,
            target.offender_id,
            self.date_field,
            (self.first, self.second),
            self.crew_note,
            self,
        )
        self.crew.noted.connect(self.fit_height)
        self.date_field.textChanged.connect(self._hints)
        self.time_field.textChanged.connect(self._hints)
        self.announced.toggled.connect(self._announced_toggled)

        self._fill_start()
        self._announced_toggled(self.announced.isChecked())
        self._hints()
        self.crew.load_now()
        self.date_field.setFocus()
        self.date_field.selectAll()

    # -- filling ---------------------------------------------------------------------------------

    def _fill_start(self) -> None:
        today = self.ctx.svc.today()
        visit = self.visit
        if visit is None:
            start = self.target.window_start
            first_day = max(start, today) if start is not None else today
            self.date_field.setText(fmt_date(first_day))
            actor = self.ctx.officer
            manager = self.target.manager_username or actor.username
            self.crew.others = {actor.username: actor.display_name}
            if self.target.manager_username and self.target.manager_name:
                self.crew.others[self.target.manager_username] = self.target.manager_name
            self.crew.select(manager, "")
            self.intro.setText(
                f"{self.target.reference} {self.target.name}. {self.target.why} Visits are "
                "double crewed and unannounced unless a reason is recorded; vary the day and "
                "time from the previous visit."
            )
        else:
            self.refill(visit)
        self._show_window()

    def refill(self, saved: Any) -> None:
        """Put a (re)loaded visit into the fields (moving)."""
        view: VisitView = saved
        self.visit = view
        self.crew.others = dict(zip(view.officers, view.officer_names, strict=True))
        if view.outcome == "planned":
            self.crew.moving = (view.at.date(), view.officers)
        self.date_field.setText(fmt_date(view.at.date()))
        self.time_field.setText(f"{view.at:%H:%M}")
        self.crew.select(*view.officers)
        self.announced.setChecked(view.announced)
        self.announced_reason.setPlainText(view.announced_reason)
        self.outside_reason.setPlainText(view.outside_window_reason)
        self.intro.setText(
            f"{view.reference} {view.name}: planned for {texts.when_text(view)} with "
            f"{texts.crew_text(view)}. Change the day, time, crew or announcement."
        )
        if view.outcome != "planned":
            self.show_message(
                f"This visit is now {texts.OUTCOME_LABELS.get(view.outcome, view.outcome)}: "
                "it can no longer be moved.",
                tone="alert",
            )
        self.save_button.setEnabled(self.can_save())
        self._show_window()
        self.crew.load_now()

    def can_save(self) -> bool:
        return self.visit is None or self.visit.outcome == "planned"

    def window(self) -> tuple[dt.date | None, dt.date | None]:
        if self.visit is not None:
            return self.visit.window_start, self.visit.window_end
        return self.target.window_start, self.target.window_end

    def _show_window(self) -> None:
        start, end = self.window()
        if start is None and end is None:
            self.window_label.setText(
                "Worked out by Pillars when the visit is saved, from the offender's risk level "
                "and last visit."
            )
        else:
            self.window_label.setText(
                f"{texts.window_text(start, end)}. A day outside it, a Sunday or a bank holiday "
                "needs a reason below."
            )

    # -- live hints ------------------------------------------------------------------------------

    def _announced_toggled(self, on: bool) -> None:
        self.announced_reason.setEnabled(on)
        self.announced_reason.setPlaceholderText(
            "Required: why the offender is told beforehand" if on else "Only for an announced visit"
        )

    def _hints(self) -> None:
        day = texts.parse_day(self.date_field.text())
        time = texts.parse_clock(self.time_field.text())
        self.day_word.setText(texts.weekday(day) if day is not None else "")
        self.band_word.setText(texts.band_word(time) if time is not None else "")
        warning = ""
        if day is not None:
            start, end = self.window()
            if (start is not None and day < start) or (end is not None and day > end):
                warning = (
                    f"{fmt_date(day)} is outside the visit window "
                    f"({texts.window_text(start, end)}): give the reason for the day."
                )
            elif day.weekday() == 6:
                warning = f"{fmt_date(day)} is a Sunday: give the reason for the day."
        self.outside_hint.setText(warning)
        set_tone(self.outside_hint, "warn" if warning else "")
        self.outside_hint.setVisible(bool(warning))

    # -- saving ----------------------------------------------------------------------------------

    def edit(self) -> Any:
        from desktop.services.visits import VisitEdit

        first, second = self.crew.selected()
        announced = self.announced.isChecked()
        return VisitEdit(
            date=self.date_field.text(),
            time=self.time_field.text(),
            officer1=first,
            officer2=second,
            announced=announced,
            announced_reason=self.announced_reason.toPlainText() if announced else "",
            outside_window_reason=self.outside_reason.toPlainText(),
            visit_id=self.visit.visit_id if self.visit is not None else None,
            expected_version=self.visit.version if self.visit is not None else None,
        )

    def save_job(self) -> Callable[[], Any]:
        edit = self.edit()
        visits, actor = self.ctx.svc.visits, self.ctx.officer
        if self.visit is None:
            offender_id = self.target.offender_id
            return lambda: visits.plan(actor, offender_id, edit)
        visit_id = self.visit.visit_id

        def move() -> int:
            visits.move(actor, edit)
            return visit_id

        return move

    def reload_job(self) -> Callable[[], Any] | None:
        if self.visit is None:
            return None
        visits, actor, visit_id = self.ctx.svc.visits, self.ctx.officer, self.visit.visit_id
        return lambda: visits.get(actor, visit_id)
