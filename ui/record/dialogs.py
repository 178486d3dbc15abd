"""The edit dialogs of a record: identity, an address, a household member.

Each gathers the raw text typed (dates as dd/mm/yyyy) into the service's edit dataclass and saves
it in the background. The services validate: every problem is shown under its own field and what
was typed stays. When someone else saved the same record first, the dialog stays open, says who,
and offers to reload their version; what this person typed is kept on screen beside it, so nothing
is lost and nothing is overwritten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.problems import EditConflict, ValidationFailed
from ui.context import AppContext
from ui.widgets.dates import date_text_for_edit
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.records import OffenderRecord

log = logging.getLogger("pillars.ui.record")

DATE_HINT = "dd/mm/yyyy"


@dataclass(frozen=True)
class FieldSpec:
    """One field of an EditDialog: how it is typed and labelled (`kind`, dates dd/mm/yyyy), and its
    name, which a service's FieldError names to put a problem beside it."""

    name: str  # the edit dataclass's field name; services' FieldError.field matches it
    label: str
    kind: str = "line"  # line | date | text | choice
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    hint: str = ""


class EditDialog(QDialog):
    """A form over FieldSpecs. Subclasses say which fields, how to fill them from a record, and
    which service call saves them. Emits `saved(record)` after a successful save and
    `refreshed(record)` when the person reloaded after a conflict."""

    saved = Signal(object)
    refreshed = Signal(object)

    fields: tuple[FieldSpec, ...] = ()
    what = "record"

    def __init__(
        self, ctx: AppContext, record: OffenderRecord, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record = record
        self.offender_id = record.offender_id
        self.setObjectName("editDialog")
        self.setMinimumWidth(520)
        self._busy = False

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setObjectName("mutedText")

        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Form message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.yours = QLabel()
        self.yours.setObjectName("yoursLabel")
        self.yours.setWordWrap(True)
        self.yours.setAccessibleName("What you had typed")
        self.yours.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.yours.hide()

        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for spec in self.fields:
            widget = self._make_input(spec)
            self.inputs[spec.name] = widget
            error = QLabel()
            error.setObjectName("fieldError")
            error.setWordWrap(True)
            error.setAccessibleName(f"{spec.label} problem")
            error.hide()
            self.errors[spec.name] = error
            holder = QWidget()
            holder_layout = QVBoxLayout(holder)
            holder_layout.setContentsMargins(0, 0, 0, 0)
            holder_layout.setSpacing(2)
            holder_layout.addWidget(widget)
            holder_layout.addWidget(error)
            label = QLabel(
                ("&" if "&" not in spec.label else "")
                + spec.label
                + (" *" if spec.required else "")
            )
            label.setBuddy(widget)
            form.addRow(label, holder)

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton("&Save")
        self.save_button.setAccessibleName("Save")
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.reload_button = QPushButton("&Reload their version")
        self.reload_button.setAccessibleName("Reload the saved version")
        self.reload_button.hide()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.submit)
        self.reload_button.clicked.connect(self.reload_saved)
        self.cancel_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        layout.addWidget(self.intro)
        layout.addWidget(self.message)
        layout.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.yours)
        self.add_body(layout, form)
        layout.addWidget(self.buttons)

        self.fill(record)
        first = next(iter(self.inputs.values()), None)
        if first is not None:
            first.setFocus()

    def add_body(self, layout: QVBoxLayout, form: QFormLayout) -> None:
        """Place the form of `fields` in the dialog; a dialog with more than a form (the ARMS
        factors) places its other parts around it."""
        layout.addLayout(form)

    # -- inputs ----------------------------------------------------------------------------------

    def _make_input(self, spec: FieldSpec) -> QWidget:
        widget: QWidget
        if spec.kind == "text":
            text_edit = QPlainTextEdit()
            text_edit.setTabChangesFocus(True)
            text_edit.setFixedHeight(84)
            widget = text_edit
        elif spec.kind == "choice":
            combo = QComboBox()
            for value, label in spec.choices:
                combo.addItem(label, value)
            widget = combo
        else:
            line = QLineEdit()
            if spec.kind == "date":
                line.setPlaceholderText(DATE_HINT)
                line.setMaxLength(10)
            elif spec.hint:
                line.setPlaceholderText(spec.hint)
            widget = line
        widget.setAccessibleName(spec.label)
        description = spec.hint or (f"Date as {DATE_HINT}" if spec.kind == "date" else "")
        if spec.required:
            description = f"Required. {description}".strip()
        if description:
            widget.setAccessibleDescription(description)
        widget.setObjectName(f"field_{spec.name}")
        return widget

    def value(self, name: str) -> str:
        widget = self.inputs[name]
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QComboBox):
            return str(widget.currentData())
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def set_value(self, name: str, text: str) -> None:
        widget = self.inputs[name]
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText(text)
        elif isinstance(widget, QComboBox):
            position = widget.findData(text)
            widget.setCurrentIndex(max(0, position))
        elif isinstance(widget, QLineEdit):
            widget.setText(text)

    def typed(self) -> dict[str, str]:
        return {spec.name: self.value(spec.name) for spec in self.fields}

    def field_label(self, name: str) -> str:
        """The words for a field in messages (its label on the form)."""
        return next((spec.label for spec in self.fields if spec.name == name), name)

    # -- what subclasses provide -----------------------------------------------------------------

    def fill(self, record: OffenderRecord) -> None:
        """Put the saved values of `record` into the fields and remember its versions."""
        raise NotImplementedError

    def save_job(self) -> Callable[[], OffenderRecord]:
        """The call that saves what is typed (run in the background)."""
        raise NotImplementedError

    # -- saving ----------------------------------------------------------------------------------

    def submit(self) -> None:
        if self._busy:
            return
        self._clear_errors()
        job = self.save_job()
        self._set_busy(True, "Saving…")
        self.ctx.runner.run(job, on_result=self._saved, on_error=self._refused, owner=self)

    def _saved(self, record: OffenderRecord) -> None:
        self._set_busy(False)
        self.record = record
        log.info("saved %s of offender %s", self.what, self.offender_id)
        self.saved.emit(record)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationFailed):
            self._show_field_errors(exc)
        elif isinstance(exc, EditConflict):
            self._show_message(str(exc), tone="alert")
            self.reload_button.show()
            self.reload_button.setFocus()
        else:
            self._show_message(error_text(exc), tone="alert")

    def _show_field_errors(self, exc: ValidationFailed) -> None:
        unplaced = []
        first: QWidget | None = None
        for problem in exc.errors:
            label = self.errors.get(problem.field)
            if label is None:
                unplaced.append(problem.message)
                continue
            text = problem.message if not label.isVisible() else f"{label.text()} {problem.message}"
            label.setText(text)
            label.show()
            widget = self.inputs[problem.field]
            widget.setProperty("invalid", True)
            widget.style().unpolish(widget)
            widget.style().polish(widget)
            if first is None:
                first = widget
        count = len(exc.errors)
        summary = (
            "Please correct the field marked below."
            if count == 1
            else (f"Please correct the {count} problems marked below.")
        )
        if unplaced:
            summary += " " + " ".join(unplaced)
        self._show_message(summary, tone="alert")
        self._fit_height()
        if first is not None:
            first.setFocus()

    def _clear_errors(self) -> None:
        self.message.hide()
        for name, label in self.errors.items():
            label.clear()
            label.hide()
            widget = self.inputs[name]
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                widget.style().unpolish(widget)
                widget.style().polish(widget)

    def field_error(self, name: str) -> str:
        """The problem shown under a field ("" when none): for tests and screen readers."""
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""

    @property
    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    # -- after a conflict ------------------------------------------------------------------------

    def reload_saved(self) -> None:
        if self._busy:
            return
        self._set_busy(True, "Loading the saved version…")
        self.ctx.runner.run(
            self.ctx.svc.records.open,
            self.ctx.officer,
            self.offender_id,
            on_result=self._reloaded,
            on_error=self._refused,
            owner=self,
        )

    def _reloaded(self, record: OffenderRecord) -> None:
        self._set_busy(False)
        mine = self.typed()
        self.record = record
        self.fill(record)
        theirs = self.typed()
        differ = [
            f"{self.field_label(name)}: {mine[name].strip() or '(blank)'}"
            for name in mine
            if mine[name].strip() != theirs[name].strip()
        ]
        self.reload_button.hide()
        self._clear_errors()
        if differ:
            self.yours.setText(
                "What you had typed, to copy back in if still right:\n" + "\n".join(differ)
            )
            self.yours.show()
            self._show_message(
                "This is now the saved version, with the other change in it. Make your change "
                "again where it is still needed, then save.",
                tone="info",
            )
        else:
            self.yours.hide()
            self._show_message(
                "This is now the saved version. Save again to keep your change.", tone="info"
            )
        self.refreshed.emit(record)

    # -- state -----------------------------------------------------------------------------------

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)
        self.reload_button.setEnabled(not busy)
        if busy and text:
            self._show_message(text, tone="info")
        elif not busy and self.message.property("tone") == "info":
            self.message.hide()

    def _show_message(self, text: str, *, tone: str) -> None:
        self.message.setText(text)
        self.message.setProperty("tone", tone)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.show()
        self._fit_height()

    def _fit_height(self) -> None:
        """Grow to show every message whole: wrapped labels do not grow a shown dialog."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else (layout.totalSizeHint().height())
        )
        if wanted > self.height():
            self.resize(self.width(), wanted)


# -- identity ------------------------------------------------------------------------------------


class IdentityDialog(EditDialog):
    what = "identity"
    fields = (
        FieldSpec("forename", "Forename", required=True),
        FieldSpec("surname", "Surname", required=True),
        FieldSpec("date_of_birth", "Date of birth", kind="date", required=True),
        FieldSpec("gender", "Gender"),
        FieldSpec("aliases", "Aliases", kind="text", hint="One name per line"),
        FieldSpec("notes", "Notes", kind="text"),
    )

    def __init__(
        self, ctx: AppContext, record: OffenderRecord, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, record, parent)
        self.setWindowTitle(f"Edit identity: {record.name} ({record.reference})")
        self.intro.setText(
            "Names, date of birth and aliases as notified. Never enter bank, card "
            "or passport details."
        )

    def fill(self, record: OffenderRecord) -> None:
        self.version = record.version
        self.set_value("forename", record.forename)
        self.set_value("surname", record.surname)
        self.set_value("date_of_birth", date_text_for_edit(record.date_of_birth))
        self.set_value("gender", record.gender or "")
        self.set_value("aliases", "\n".join(record.aliases))
        self.set_value("notes", record.notes or "")

    def save_job(self) -> Callable[[], OffenderRecord]:
        from desktop.services.records import IdentityEdit

        edit = IdentityEdit(**self.typed())
        records, actor, offender_id, version = (
            self.ctx.svc.records,
            self.ctx.officer,
            self.offender_id,
            self.version,
        )
        return lambda: records.update_identity(actor, offender_id, version, edit)


# -- an address ----------------------------------------------------------------------------------


class AddressDialog(EditDialog):
    what = "address"
    fields = (
        FieldSpec(
            "kind",
            "Kind",
            kind="choice",
            choices=(("home", "Home address"), ("stay", "Staying at another address")),
        ),
        FieldSpec("line1", "Address line 1", required=True),
        FieldSpec("line2", "Address line 2"),
        FieldSpec("town", "Town", required=True),
        FieldSpec("postcode", "Postcode", required=True, hint="A full UK postcode, e.g. ZZ1 1AA"),
        FieldSpec("from_date", "Lives there from", kind="date", required=True),
        FieldSpec("to_date", "Until", kind="date", hint="Blank while it is the current address"),
    )

    def __init__(
        self,
        ctx: AppContext,
        record: OffenderRecord,
        address_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        self.address_id = address_id
        super().__init__(ctx, record, parent)
        adding = address_id is None
        self.setWindowTitle(
            ("Add an address" if adding else "Edit address")
            + f": {record.name} ({record.reference})"
        )
        self.intro.setText(
            "A new home address ends the previous one the day before it starts. "
            "Never enter bank, card or passport details."
            if adding
            else "Correct this address. Never enter bank, card or passport details."
        )

    def _address(self, record: OffenderRecord) -> Any:
        for address in record.addresses:
            if address.address_id == self.address_id:
                return address
        return None

    def fill(self, record: OffenderRecord) -> None:
        address = self._address(record) if self.address_id is not None else None
        self.version = address.version if address is not None else None
        if address is None:
            if self.address_id is None:
                self.set_value("kind", "home")
            return
        self.set_value("kind", str(address.kind))
        self.set_value("line1", address.line1 or "")
        self.set_value("line2", address.line2 or "")
        self.set_value("town", address.town or "")
        self.set_value("postcode", address.postcode or "")
        self.set_value("from_date", date_text_for_edit(address.from_date))
        self.set_value("to_date", date_text_for_edit(address.to_date))

    def save_job(self) -> Callable[[], OffenderRecord]:
        from desktop.services.records import AddressEdit

        edit = AddressEdit(
            address_id=self.address_id, expected_version=self.version, **self.typed()
        )
        records, actor, offender_id = self.ctx.svc.records, self.ctx.officer, self.offender_id
        return lambda: records.save_address(actor, offender_id, edit)


# -- a household member --------------------------------------------------------------------------


class HouseholdDialog(EditDialog):
    what = "household member"
    fields = (
        FieldSpec("name", "Name", required=True),
        FieldSpec(
            "relationship",
            "Relationship",
            required=True,
            hint="e.g. partner, partner's son, lodger",
        ),
        FieldSpec(
            "date_of_birth",
            "Date of birth",
            kind="date",
            hint="Needed to know whether they are a child",
        ),
        FieldSpec("from_date", "Lives there from", kind="date", required=True),
        FieldSpec("to_date", "Until", kind="date", hint="Blank while they live there"),
        FieldSpec("notes", "Notes", kind="text"),
    )

    def __init__(
        self,
        ctx: AppContext,
        record: OffenderRecord,
        member_id: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        self.member_id = member_id
        super().__init__(ctx, record, parent)
        adding = member_id is None
        self.setWindowTitle(
            ("Add a household member" if adding else "Edit household member")
            + f": {record.name} ({record.reference})"
        )
        self.intro.setText(
            "Everyone living at the offender's home, children included. Never "
            "enter bank, card or passport details."
        )

    def fill(self, record: OffenderRecord) -> None:
        member = next((m for m in record.household if m.member_id == self.member_id), None)
        self.version = member.version if member is not None else None
        if member is None:
            return
        self.set_value("name", member.name or "")
        self.set_value("relationship", member.relationship or "")
        self.set_value("date_of_birth", date_text_for_edit(member.date_of_birth))
        self.set_value("from_date", date_text_for_edit(member.from_date))
        self.set_value("to_date", date_text_for_edit(member.to_date))
        self.set_value("notes", member.notes or "")

    def save_job(self) -> Callable[[], OffenderRecord]:
        from desktop.services.records import HouseholdEdit

        edit = HouseholdEdit(
            member_id=self.member_id, expected_version=self.version, **self.typed()
        )
        records, actor, offender_id = self.ctx.svc.records, self.ctx.officer, self.offender_id
        return lambda: records.save_household_member(actor, offender_id, edit)
