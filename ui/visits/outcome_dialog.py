"""Record what happened at a visit: the outcome, when, the two officers present, the home
circumstances, whether children were present, and notes; then send the record to the sergeant.

"Children present: yes" is where safeguarding hooks in (issue #7, item 4): the dialog says that a
PPN may be needed and shows the Safeguarding section, where a PPN is raised from the visit or the
reason none is needed recorded once the outcome is saved. "Save and submit for approval" saves the
outcome and submits the record in one background job; it is disabled, saying why, while children
were present and no decision is made. If the outcome is saved but the submission is refused, the
dialog stays open and says so."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDialogButtonBox, QLabel, QLineEdit, QPushButton, QWidget

from desktop.rules.visit_closing import submission_refusal
from ui.context import AppContext
from ui.visits import texts
from ui.visits.crew import CrewLoader
from ui.visits.form import VisitForm, set_tone, text_box
from ui.visits.safeguarding import SafeguardingSection
from ui.widgets.dates import fmt_date
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.visits import VisitView

SUBMIT_TIP = "Save the outcome and send the visit record to the sergeant"
CHILDREN_WARNING = (
    "Children were present: decide whether a public protection notice (PPN) is needed, and raise "
    "it within 24 hours of the concern."
)


@dataclass(frozen=True)
class OutcomeSaved:
    """What the save job returns: the visit as saved, the approval task when it was submitted,
    and why not when the submission was refused after the outcome was saved."""

    view: VisitView
    task_id: int | None = None
    submit_error: BaseException | None = None


class OutcomeDialog(VisitForm):
    """Emits `saved(OutcomeSaved)`; `submitted(task_id)` when the record went to the sergeant."""

    submitted = Signal(int)
    save_text = "&Save outcome"
    save_name = "Save the outcome"

    def __init__(self, ctx: AppContext, visit: VisitView, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.visit = visit
        self._submit = False
        self.setObjectName("outcomeDialog")
        self.setWindowTitle(f"Record the visit to {visit.reference} {visit.name}")

        self.outcome = QComboBox()
        self.outcome.addItem("Choose what happened", "")
        for value in texts.RECORDED_OUTCOMES:
            self.outcome.addItem(texts.OUTCOME_LABELS[value], value)
        self.date_field = QLineEdit()
        self.date_field.setPlaceholderText(texts.DATE_HINT)
        self.date_field.setMaxLength(10)
        self.time_field = QLineEdit()
        self.time_field.setPlaceholderText(texts.TIME_HINT)
        self.time_field.setMaxLength(5)
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
        self.crew_note.setAccessibleName("Who was on duty")
        self.home = text_box(72)
        self.children = QComboBox()
        self.children.addItem("Choose yes or no", "")
        self.children.addItem("Yes", "yes")
        self.children.addItem("No", "no")
        self.children_note = QLabel(CHILDREN_WARNING)
        self.children_note.setWordWrap(True)
        self.children_note.setAccessibleName("Safeguarding")
        set_tone(self.children_note, "warn")
        self.safeguarding = SafeguardingSection(ctx, visit, self, note=self.children_note)
        self.safeguarding.changed.connect(self._decided)
        self.safeguarding.hide()
        self.notes = text_box(72)

        self.add_field("outcome", "&Outcome", self.outcome, required=True)
        self.add_field(
            "occurred_date",
            "&Date",
            self.date_field,
            required=True,
            description=f"The day of the visit, as {texts.DATE_HINT}",
        )
        self.add_field(
            "occurred_time",
            "&Time",
            self.time_field,
            required=True,
            description="When the officers arrived, as HH:MM",
        )
        self.add_field("officer1", "&First officer present", self.first, required=True)
        self.add_field("officer2", "S&econd officer present", self.second, required=True)
        self.form.addRow("", self.crew_note)
        self.add_field(
            "home_circumstances",
            "&Home circumstances",
            self.home,
            description="Required for a completed visit: who lives there, the state of the home",
        )
        self.add_field(
            "children_present",
            "C&hildren present",
            self.children,
            description="Required for a completed visit",
        )
        self.form.addRow("", self.safeguarding)
        self.add_field(
            "notes",
            "&Notes",
            self.notes,
            description="Required unless the visit was completed: say what happened",
        )

        self.submit_button = QPushButton("Save and s&ubmit for approval")
        self.submit_button.setAccessibleName("Save and submit the record for approval")
        self.submit_button.setToolTip(SUBMIT_TIP)
        self.submit_button.setAutoDefault(False)
        self.submit_button.clicked.connect(self.save_and_submit)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.ActionRole)

        self.crew = CrewLoader(
            ctx, visit.offender_id, self.date_field, (self.first, self.second), self.crew_note, self
        )
        self.crew.noted.connect(self.fit_height)
        self.children.currentIndexChanged.connect(self._children_changed)
        self.outcome.currentIndexChanged.connect(self._outcome_changed)
        self.refill(visit)
        self.outcome.setFocus()

    # -- filling ---------------------------------------------------------------------------------

    def refill(self, saved: Any) -> None:
        view: VisitView = saved
        self.visit = view
        self.crew.others = dict(zip(view.officers, view.officer_names, strict=True))
        now = self.ctx.svc.now()
        if view.occurred_at is not None:
            at = view.occurred_at
            self.set_value("outcome", view.outcome)
            self.date_field.setText(fmt_date(at.date()))
            self.time_field.setText(f"{at:%H:%M}")
        else:
            self.set_value("outcome", "")
            # The planned day and time when they have passed; else today, time left to type.
            if view.at <= now:
                self.date_field.setText(fmt_date(view.at.date()))
                self.time_field.setText(f"{view.at:%H:%M}")
            else:
                self.date_field.setText(fmt_date(self.ctx.svc.today()))
                self.time_field.clear()
        self.crew.select(*view.officers)
        self.home.setPlainText(view.home_circumstances)
        children = (
            "" if view.children_present is None else ("yes" if view.children_present else "no")
        )
        self.set_value("children_present", children)
        self.notes.setPlainText(view.notes if view.outcome != "planned" else "")
        intro = (
            f"{view.reference} {view.name}, planned for {texts.when_text(view)} with "
            f"{texts.crew_text(view)}. The record stays a draft until it is submitted for the "
            "sergeant's approval."
        )
        if view.record_state == "returned" and view.return_comment:
            intro += f"\n\nReturned by the sergeant: {view.return_comment}"
        self.intro.setText(intro)
        if not view.can_record:
            record = texts.RECORD_LABELS.get(view.record_state, view.record_state)
            self.show_message(
                "You cannot record this visit: "
                + (
                    f"its record is {record}."
                    if view.record_state not in ("draft", "returned")
                    else "only an officer on its crew or the offender's manager can."
                ),
                tone="alert",
            )
        self.save_button.setEnabled(self.can_save())
        self.safeguarding.show_visit(view)
        self._update_submit()
        self._outcome_changed()
        self._children_changed()
        self.crew.load_now()

    def can_save(self) -> bool:
        return self.visit.can_record

    def _children_changed(self) -> None:
        present = self.children.currentData() == "yes"
        self.safeguarding.setVisible(present)
        self._update_submit()
        self.fit_height()

    def submit_blocked(self) -> str:
        """Why the record cannot be submitted yet for want of a PPN decision, with children
        present as typed ("" when nothing stands in the way)."""
        view = self.visit
        return (
            submission_refusal(
                self.children.currentData() == "yes",
                view.ppn_decision,
                view.ppn_decision_reason,
                bool(view.ppns),
            )
            or ""
        )

    def _update_submit(self) -> None:
        blocked = self.submit_blocked()
        self.submit_button.setEnabled(not self.busy and self.can_save() and not blocked)
        self.submit_button.setToolTip(blocked or SUBMIT_TIP)

    def _decided(self, view: VisitView) -> None:
        """A PPN decision was saved: the visit's new version, what was typed kept."""
        self.visit = view
        self._update_submit()
        self.fit_height()

    def _outcome_changed(self) -> None:
        completed = self.outcome.currentData() == "completed"
        self.home.setPlaceholderText(
            "Required: who was there, the state of the home, any changes"
            if completed
            else "If seen: who was there, the state of the home"
        )
        self.notes.setPlaceholderText(
            "Anything else seen or said" if completed else "Required: say what happened"
        )

    # -- saving ----------------------------------------------------------------------------------

    def save_and_submit(self) -> None:
        self._submit = True
        try:
            self.submit()
        finally:
            self._submit = False

    def set_busy(self, busy: bool, text: str = "") -> None:
        super().set_busy(busy, text)
        if hasattr(self, "safeguarding"):
            self._update_submit()

    def edit(self) -> Any:
        from desktop.services.visits import OutcomeEdit

        first, second = self.crew.selected()
        return OutcomeEdit(
            expected_version=self.visit.version,
            outcome=str(self.outcome.currentData() or ""),
            occurred_date=self.date_field.text(),
            occurred_time=self.time_field.text(),
            officer1=first,
            officer2=second,
            home_circumstances=self.home.toPlainText(),
            children_present=str(self.children.currentData() or ""),
            notes=self.notes.toPlainText(),
        )

    def save_job(self) -> Callable[[], Any]:
        edit, submit = self.edit(), self._submit
        visits, actor, visit_id = self.ctx.svc.visits, self.ctx.officer, self.visit.visit_id

        def job() -> OutcomeSaved:
            visits.record_outcome(actor, visit_id, edit)
            view = visits.get(actor, visit_id)
            if not submit:
                return OutcomeSaved(view)
            try:
                task_id = visits.submit_record(actor, visit_id, view.version)
            except Exception as exc:  # the outcome is saved: say why it was not submitted
                return OutcomeSaved(view, None, exc)
            return OutcomeSaved(visits.get(actor, visit_id), task_id)

        return job

    def _saved(self, value: Any) -> None:
        result: OutcomeSaved = value
        if result.submit_error is None:
            if result.task_id is not None:
                self.submitted.emit(result.task_id)
            super()._saved(result)
            return
        self.visit = result.view
        self.set_busy(False)
        self.safeguarding.show_visit(result.view)
        self.saved.emit(result)
        self.show_message(
            "The outcome is saved, but the record was not sent for approval: "
            + error_text(result.submit_error),
            tone="alert",
        )

    def reload_job(self) -> Callable[[], Any] | None:
        visits, actor, visit_id = self.ctx.svc.visits, self.ctx.officer, self.visit.visit_id
        return lambda: visits.get(actor, visit_id)
