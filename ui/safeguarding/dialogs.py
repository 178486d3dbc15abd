"""The PPN dialogs: raise one (from a visit or the record) or edit a draft; submit it; record the
MASH review; record children's social care's decision; acknowledge an escalation.

They are the visit dialogs' form (`ui.visits.form.VisitForm`): a problem under each field, what
was typed kept when the service says no, every save in the background. DESIGN section 3, "PPNs":
raised when a child or vulnerable person may be at risk, graded red, amber or green; submitted
within 24 hours of the concern; reviewed by the MASH; followed up with children's social care,
whose decision, its date and its source are recorded. The services check who may do what."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.errors import FieldError
from desktop.services.ppns import DECISION_CHOICES, PpnEntry, SubjectEntry, SubjectView
from desktop.services.problems import EditConflict, ValidationFailed
from ui.context import AppContext
from ui.safeguarding import texts
from ui.visits.form import VisitForm, text_box
from ui.widgets.dates import fmt_date, fmt_timestamp, parse_typed_date, to_london
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.ppns import PpnSummary

DATE_HINT = "dd/mm/yyyy"
TIME_HINT = "HH:MM"
NOTHING_SAVED = "Nothing was saved."


def line_box(hint: str, length: int) -> QLineEdit:
    box = QLineEdit()
    box.setPlaceholderText(hint)
    box.setMaxLength(length)
    return box


class PpnForm(VisitForm):
    """What every PPN dialog shares: problems placed under the field they are about (a problem
    with one of the people concerned goes under the list), "Nothing was saved" said with every
    refusal, and a conflict that asks to open the PPN again. Emits `conflicted` when someone else
    changed the PPN first, so that the list behind shows it as saved."""

    conflicted = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("ppnDialog")
        self.intro.setAccessibleName("About this PPN")

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        """Tall enough for its wrapped words: Qt sizes a new dialog before they wrap."""
        super().showEvent(event)
        self.fit_height()

    def place(self, field: str) -> str:
        """The form field a service's FieldError is about."""
        if field in self.inputs:
            return field
        if field.startswith("subject") and "subjects" in self.inputs:
            return "subjects"
        return field

    def show_field_errors(self, exc: ValidationFailed) -> None:
        placed = ValidationFailed([FieldError(self.place(e.field), e.message) for e in exc.errors])
        super().show_field_errors(placed)
        self.show_message(f"{self.message.text()} {NOTHING_SAVED}", tone="alert")

    def refused(self, exc: BaseException) -> None:
        if isinstance(exc, EditConflict):
            self.set_busy(False)
            self.show_message(
                f"{exc} Close this, then open the PPN again from the refreshed list.",
                tone="alert",
            )
            self.conflicted.emit()
            return
        super().refused(exc)
        text = error_text(exc)
        if not isinstance(exc, ValidationFailed) and "nothing" not in text.lower():
            self.show_message(f"{text} {NOTHING_SAVED}", tone="alert")


def ppn_intro(ppn: PpnSummary) -> str:
    """Which PPN, in one sentence: reference, offender, grade, concern and next step."""
    concern = texts.one_line(ppn.concern)
    if len(concern) > 160:
        concern = concern[:157] + "…"
    return (
        f"{texts.grade_label(ppn.grade)} PPN for {ppn.reference} {ppn.offender_name}, concern of "
        f"{fmt_timestamp(ppn.concern_at)}: {concern} {ppn.next_step}"
    )


# -- raising and editing --------------------------------------------------------------------------


class GradeChoice(QWidget):
    """Red, amber or green, each with what it means beside it; arrow keys move between them."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.buttons: dict[str, QRadioButton] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(4)
        for row, grade in enumerate(texts.GRADES):
            button = QRadioButton(texts.grade_label(grade))
            button.setAccessibleName(f"Grade {texts.grade_label(grade)}")
            button.setAccessibleDescription(texts.GRADE_MEANINGS[grade])
            meaning = QLabel(texts.GRADE_MEANINGS[grade])
            meaning.setObjectName("mutedText")
            meaning.setWordWrap(True)
            self.group.addButton(button)
            self.buttons[grade] = button
            grid.addWidget(button, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(meaning, row, 1, Qt.AlignmentFlag.AlignTop)
        grid.setColumnStretch(1, 1)
        self.setFocusProxy(self.buttons["red"])

    def grade(self) -> str:
        return next((g for g, b in self.buttons.items() if b.isChecked()), "")

    def set_grade(self, grade: str) -> None:
        button = self.buttons.get(grade)
        if button is not None:
            button.setChecked(True)
            self.setFocusProxy(button)


class PeopleList(QListWidget):
    """The people the PPN concerns: the household (ticked or not) and anyone added by hand.
    Space ticks the chosen person."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumHeight(110)
        self.setMaximumHeight(150)
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def add_person(self, text: str, entry: SubjectEntry, ticked: bool) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
        )
        item.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        item.setData(Qt.ItemDataRole.UserRole, entry)
        self.addItem(item)
        return item

    def people(self) -> list[tuple[str, bool]]:
        """(text, ticked) of every row: for tests and "what you typed"."""
        return [
            (self.item(r).text(), self.item(r).checkState() == Qt.CheckState.Checked)
            for r in range(self.count())
        ]

    def ticked(self) -> tuple[SubjectEntry, ...]:
        return tuple(
            self.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(self.count())
            if self.item(r).checkState() == Qt.CheckState.Checked
            and self.item(r).data(Qt.ItemDataRole.UserRole) is not None
        )

    def set_ticked(self, text: str, ticked: bool) -> None:
        for r in range(self.count()):
            if self.item(r).text() == text:
                self.item(r).setCheckState(
                    Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked
                )


class RaisePpnDialog(PpnForm):
    """Raise a PPN for an offender: from a visit (`visit_id`, the visit's time as `concern_at`;
    the household's children ticked) or from the record. With `ppn` (a draft): edit it instead,
    against its version. After it is accepted, `ppn_id` is the PPN's id; `saved(ppn_id)` too."""

    save_text = "&Raise PPN"
    save_name = "Raise the PPN"
    household_loaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        offender_id: int,
        *,
        visit_id: int | None = None,
        concern_at: dt.datetime | None = None,
        ppn: PpnSummary | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("raisePpnDialog")
        self.offender_id = offender_id
        self.visit_id = visit_id if ppn is None else ppn.visit_id
        self.ppn = ppn
        self.ppn_id: int | None = ppn.ppn_id if ppn is not None else None
        self._household_ready = False
        self.person_dialog: AddPersonDialog | None = None

        self.grade_choice = GradeChoice()
        self.concern_box = text_box(110)
        self.concern_box.setPlaceholderText(
            "What was seen or heard, and why a child or vulnerable person may be at risk"
        )
        self.date_box = line_box(DATE_HINT, 10)
        self.time_box = line_box(TIME_HINT, 5)
        self.people = PeopleList()
        self.add_button = QPushButton("&Add someone…")
        self.add_button.setAccessibleName("Add someone not in the household")
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(self.add_someone)
        side = QWidget()
        side_column = QVBoxLayout(side)
        side_column.setContentsMargins(0, 0, 0, 0)
        side_column.addWidget(self.add_button)
        side_column.addStretch(1)

        self.add_field("grade", "&Grade", self.grade_choice, required=True)
        self.add_field(
            "concern",
            "&Concern",
            self.concern_box,
            required=True,
            description="Never enter bank, card or passport details",
        )
        self.add_field(
            "concern_date",
            "Concern &date",
            self.date_box,
            required=True,
            description=f"The day the concern was noticed, as {DATE_HINT}",
        )
        self.add_field(
            "concern_time",
            "&Time",
            self.time_box,
            required=True,
            description=f"When the concern was noticed (UK time), as {TIME_HINT}",
        )
        self.add_field(
            "subjects",
            "&People concerned",
            self.people,
            required=True,
            description="Tick everyone the concern is about; Space ticks the chosen person",
            extra=side,
        )
        self.people.addItem("Loading the household…")

        if ppn is None:
            when = to_london(concern_at if concern_at is not None else ctx.svc.now())
            self.date_box.setText(fmt_date(when.date()))
            self.time_box.setText(when.strftime("%H:%M"))
            self.setWindowTitle("Raise a PPN")
            source = "this visit" if visit_id is not None else "the record"
            self.intro.setText(
                f"Raise a public protection notice from {source}. It must be submitted within "
                "24 hours of the concern; it is saved as a draft until you submit it."
            )
        else:
            self.save_button.setText("&Save draft")
            self.save_button.setAccessibleName("Save the draft PPN")
            self.setWindowTitle(f"Edit draft PPN: {ppn.reference} {ppn.offender_name}")
            self.grade_choice.set_grade(ppn.grade)
            self.concern_box.setPlainText(ppn.concern)
            when = to_london(ppn.concern_at)
            self.date_box.setText(fmt_date(when.date()))
            self.time_box.setText(when.strftime("%H:%M"))
            self.intro.setText(
                f"A draft PPN for {ppn.reference} {ppn.offender_name}. {ppn.next_step}"
            )
        self.grade_choice.setFocus()
        self.set_busy(False)
        self.ctx.runner.run(
            ctx.svc.ppns.household_choices,
            ctx.officer,
            offender_id,
            on_result=self._household_arrived,
            on_error=self._household_failed,
            owner=self,
        )

    def _household_arrived(self, members: list[SubjectView]) -> None:
        self.people.clear()
        chosen = {s.household_member_id for s in self.ppn.subjects} if self.ppn else set()
        for member in members:
            entry = SubjectEntry(household_member_id=member.household_member_id)
            if self.ppn is not None:
                ticked = member.household_member_id in chosen
            else:
                ticked = self.visit_id is not None and member.is_child
            self.people.add_person(texts.subject_text(member), entry, ticked)
        if self.ppn is not None:
            for s in self.ppn.subjects:
                if s.household_member_id is None:
                    self.people.add_person(texts.subject_text(s), _hand_entry(s), True)
        self._household_ready = True
        self.set_busy(self.busy)
        self.household_loaded.emit()

    def _household_failed(self, exc: BaseException) -> None:
        self.people.clear()
        self._household_ready = True
        self.set_busy(self.busy)
        self.show_message(
            f"The household could not be loaded: {error_text(exc)} Add the people concerned "
            "by hand.",
            tone="alert",
        )
        self.household_loaded.emit()

    def can_save(self) -> bool:
        return self._household_ready

    def add_someone(self) -> None:
        dialog = AddPersonDialog(self.ctx, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.added.connect(self._person_added)
        self.person_dialog = dialog
        dialog.open()

    def _person_added(self, entry: SubjectEntry, text: str) -> None:
        item = self.people.add_person(text, entry, True)
        self.people.setCurrentItem(item)

    def value(self, name: str) -> str:
        if name == "grade":
            return self.grade_choice.grade()
        if name == "subjects":
            return "; ".join(text for text, ticked in self.people.people() if ticked)
        return super().value(name)

    def set_value(self, name: str, text: str) -> None:
        if name == "grade":
            self.grade_choice.set_grade(text)
        elif name != "subjects":
            super().set_value(name, text)

    def entry(self) -> PpnEntry:
        return PpnEntry(
            grade=self.grade_choice.grade(),
            concern=self.concern_box.toPlainText(),
            concern_date=self.date_box.text(),
            concern_time=self.time_box.text(),
            subjects=self.people.ticked(),
        )

    def save_job(self) -> Callable[[], Any]:
        ppns, actor, entry = self.ctx.svc.ppns, self.ctx.officer, self.entry()
        if self.ppn is not None:
            ppn_id, version = self.ppn.ppn_id, self.ppn.version

            def edit() -> int:
                ppns.edit(actor, ppn_id, version, entry)
                return ppn_id

            return edit
        offender_id, visit_id = self.offender_id, self.visit_id
        return lambda: ppns.raise_(actor, offender_id, entry, visit_id=visit_id)

    def _saved(self, value: Any) -> None:
        self.ppn_id = int(value)
        super()._saved(value)


def EditPpnDialog(  # noqa: N802 (reads as the dialog it builds)
    ctx: AppContext, ppn: PpnSummary, parent: QWidget | None = None
) -> RaisePpnDialog:
    """The raise dialog over a draft, saving changes against its version."""
    return RaisePpnDialog(ctx, ppn.offender_id, ppn=ppn, parent=parent)


def _hand_entry(s: SubjectView) -> SubjectEntry:
    return SubjectEntry(
        name=s.name,
        date_of_birth=fmt_date(s.date_of_birth),
        relationship=s.relationship,
        is_child=s.is_child,
    )


class AddPersonDialog(PpnForm):
    """Someone the PPN concerns who is not in the household: their name, date of birth when
    known, how they relate to the offender, and whether a child. Nothing is saved here: the
    person joins the list, ticked, and is saved with the PPN. Emits `added(entry, text)`."""

    added = Signal(object, str)
    save_text = "&Add"
    save_name = "Add this person"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("addPersonDialog")
        self.setMinimumWidth(520)
        self.setWindowTitle("Add someone the PPN concerns")
        self.intro.setText(
            "Someone who does not live with the offender: a visiting child, a neighbour's child, "
            "a vulnerable adult."
        )
        self.name_box = line_box("", 160)
        self.dob_box = line_box(DATE_HINT, 10)
        self.relationship_box = line_box("e.g. neighbour's child, partner's niece", 200)
        self.child_box = QComboBox()
        self.child_box.addItem("A child (under 18)", "child")
        self.child_box.addItem("An adult", "adult")
        self.add_field("name", "&Name", self.name_box, required=True)
        self.add_field(
            "date_of_birth",
            "Date of &birth",
            self.dob_box,
            description=f"As {DATE_HINT}; blank when not known",
        )
        self.add_field("relationship", "&Relationship", self.relationship_box)
        self.add_field("is_child", "&Child or adult", self.child_box, required=True)
        self.dob_box.textChanged.connect(self._follow_birth)
        self.name_box.setFocus()

    def _follow_birth(self, text: str) -> None:
        born = parse_typed_date(text)
        if born is None:
            return
        today = self.ctx.svc.today()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        self.child_box.setCurrentIndex(0 if age < 18 else 1)

    def submit(self) -> None:
        """Check what can be checked here; the service checks it all again with the PPN."""
        self.clear_errors()
        problems = []
        if not self.name_box.text().strip():
            problems.append(FieldError("name", "Enter the person's name."))
        dob = self.dob_box.text().strip()
        born = parse_typed_date(dob) if dob else None
        if dob and born is None:
            problems.append(FieldError("date_of_birth", f"Enter the date as {DATE_HINT}."))
        elif born is not None and born > self.ctx.svc.today():
            problems.append(FieldError("date_of_birth", "The date of birth is in the future."))
        if problems:
            PpnForm.show_field_errors(self, ValidationFailed(problems))
            self.show_message(
                self.message.text().replace(NOTHING_SAVED, "Nobody was added."), tone="alert"
            )
            return
        entry = SubjectEntry(
            name=self.name_box.text().strip(),
            date_of_birth=dob,
            relationship=self.relationship_box.text().strip(),
            is_child=self.child_box.currentData() == "child",
        )
        shown = texts.subject_text(
            SubjectView(entry.name, born, entry.relationship, entry.is_child, None)
        )
        self.added.emit(entry, shown)
        self.accept()


# -- the steps after raising -----------------------------------------------------------------------


class SubmitPpnDialog(PpnForm):
    """Record that the PPN was submitted, now, with the submission's reference if there is one.
    The follow-up with children's social care is then due (7 days by default)."""

    save_text = "&Submit PPN"
    save_name = "Record the PPN as submitted"

    def __init__(self, ctx: AppContext, ppn: PpnSummary, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("submitPpnDialog")
        self.ppn = ppn
        self.setWindowTitle(f"Submit PPN: {ppn.reference} {ppn.offender_name}")
        self.intro.setText(
            ppn_intro(ppn) + " Submitting records it as sent now; it cannot be edited afterwards."
        )
        self.reference_box = line_box("Optional: the reference the MASH gave it", 80)
        self.add_field("reference", "Submission &reference", self.reference_box)
        self.reference_box.setFocus()

    def save_job(self) -> Callable[[], Any]:
        ppns, actor, ppn = self.ctx.svc.ppns, self.ctx.officer, self.ppn
        reference = self.reference_box.text()
        return lambda: ppns.submit(actor, ppn.ppn_id, ppn.version, reference=reference)


class MashReviewDialog(PpnForm):
    """Record the MASH's review: the day and what it decided. The follow-up task then reaches the
    inbox of the officer who raised the PPN."""

    save_text = "&Record review"
    save_name = "Record the MASH review"

    def __init__(self, ctx: AppContext, ppn: PpnSummary, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("mashReviewDialog")
        self.ppn = ppn
        self.setWindowTitle(f"MASH review: {ppn.reference} {ppn.offender_name}")
        self.intro.setText(ppn_intro(ppn))
        self.date_box = line_box(DATE_HINT, 10)
        self.date_box.setText(fmt_date(ctx.svc.today()))
        self.outcome_box = text_box(90)
        self.add_field(
            "reviewed_date",
            "Reviewed &on",
            self.date_box,
            required=True,
            description=f"The day the MASH reviewed it, as {DATE_HINT}",
        )
        self.add_field(
            "outcome",
            "&What the MASH decided",
            self.outcome_box,
            required=True,
            description="Never enter bank, card or passport details",
        )
        self.outcome_box.setFocus()

    def save_job(self) -> Callable[[], Any]:
        ppns, actor, ppn = self.ctx.svc.ppns, self.ctx.officer, self.ppn
        day, outcome = self.date_box.text(), self.outcome_box.toPlainText()
        return lambda: ppns.record_mash_review(
            actor, ppn.ppn_id, ppn.version, reviewed_date=day, outcome=outcome
        )


class DecisionDialog(PpnForm):
    """Record children's social care's decision, its date and who gave it: the PPN closes and
    its follow-up task is done."""

    save_text = "&Record decision"
    save_name = "Record social care's decision"

    def __init__(self, ctx: AppContext, ppn: PpnSummary, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("decisionDialog")
        self.ppn = ppn
        self.setWindowTitle(f"Social care's decision: {ppn.reference} {ppn.offender_name}")
        self.intro.setText(ppn_intro(ppn) + " Recording the decision closes the PPN.")
        self.decision_box = QComboBox()
        self.decision_box.setEditable(True)
        self.decision_box.addItems(list(DECISION_CHOICES))
        self.decision_box.setCurrentIndex(-1)
        self.decision_box.lineEdit().setPlaceholderText("Choose, or type the decision in words")
        self.decision_box.lineEdit().setAccessibleName("Decision")
        self.date_box = line_box(DATE_HINT, 10)
        self.date_box.setText(fmt_date(ctx.svc.today()))
        self.source_box = line_box("Who said so: e.g. duty social worker, Fictionton CSC", 200)
        self.add_field("decision", "&Decision", self.decision_box, required=True)
        self.add_field(
            "decided_date",
            "Decided &on",
            self.date_box,
            required=True,
            description=f"The day social care decided, as {DATE_HINT}",
        )
        self.add_field("source", "&Source", self.source_box, required=True)
        self.decision_box.setFocus()

    def value(self, name: str) -> str:
        if name == "decision":
            return self.decision_box.currentText()
        return super().value(name)

    def set_value(self, name: str, text: str) -> None:
        if name == "decision":
            self.decision_box.setEditText(text)
        else:
            super().set_value(name, text)

    def save_job(self) -> Callable[[], Any]:
        ppns, actor, ppn = self.ctx.svc.ppns, self.ctx.officer, self.ppn
        decision, day, source = self.value("decision"), self.date_box.text(), self.source_box.text()
        return lambda: ppns.record_decision(
            actor, ppn.ppn_id, ppn.version, decision=decision, decided_date=day, source=source
        )


class AcknowledgeEscalationDialog(PpnForm):
    """The sergeant (or their cover) says what was decided about an escalation: three PPNs within
    three months for one offender or household. The note is required; the task is then done."""

    save_text = "&Acknowledge"
    save_name = "Acknowledge the escalation"

    def __init__(
        self,
        ctx: AppContext,
        task_id: int,
        ppns: list[PpnSummary],
        title: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("acknowledgeDialog")
        self.task_id = task_id
        self.setWindowTitle("Acknowledge a PPN escalation")
        several = len({p.reference for p in ppns}) > 1
        listed = ", ".join(
            f"{texts.grade_label(p.grade).lower()} of {fmt_date(p.concern_at)}"
            + (f" ({p.reference})" if several else "")
            for p in ppns
        )
        self.intro.setText(
            f"{title or 'Three PPNs within three months'}. "
            + (f"The PPNs: {listed}. " if listed else "")
            + "Say what you decided (a strategy discussion, a MAPPA referral, a plan review…)."
        )
        self.note_box = text_box(110)
        self.add_field(
            "note",
            "&What you decided",
            self.note_box,
            required=True,
            description="Recorded with the escalation; never enter bank, card or passport details",
        )
        self.note_box.setFocus()

    def submit(self) -> None:
        if not self.note_box.toPlainText().strip() and not self.busy:
            self.clear_errors()
            self.show_field_errors(
                ValidationFailed([FieldError("note", "Say what you decided: a note is required.")])
            )
            return
        super().submit()

    def save_job(self) -> Callable[[], Any]:
        ppns, actor, task_id = self.ctx.svc.ppns, self.ctx.officer, self.task_id
        note = self.note_box.toPlainText()
        return lambda: ppns.acknowledge_escalation(actor, task_id, note)


__all__ = [
    "AcknowledgeEscalationDialog",
    "AddPersonDialog",
    "DecisionDialog",
    "EditPpnDialog",
    "MashReviewDialog",
    "PpnForm",
    "RaisePpnDialog",
    "SubmitPpnDialog",
]


def action_dialog(
    ctx: AppContext, action: str, ppn: PpnSummary, parent: QWidget | None = None
) -> PpnForm:
    """The dialog for one of `texts.ACTIONS` on a PPN."""
    if action == "edit":
        return EditPpnDialog(ctx, ppn, parent=parent)
    kinds: dict[str, type[SubmitPpnDialog | MashReviewDialog | DecisionDialog]] = {
        "submit": SubmitPpnDialog,
        "mash": MashReviewDialog,
        "decision": DecisionDialog,
    }
    return kinds[action](ctx, ppn, parent=parent)
