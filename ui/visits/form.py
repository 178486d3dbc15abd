"""What the visit dialogs share: labelled fields each with a place for its problem, a message
line, the busy state while the service works in the background, and what happens when the service
says no.

- ValidationFailed: every problem is shown under its own field (FieldError.field names it); what
  was typed stays.
- EditConflict: the message names who changed the visit; "Reload the saved visit" fetches it.
- PermissionRefused and any other refusal: the service's own sentence, at the top.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.problems import EditConflict, ValidationFailed
from ui.context import AppContext
from ui.widgets.banner import ClassificationBanner
from ui.widgets.messages import error_text

log = logging.getLogger("pillars.ui.visits")


def repolish(widget: QWidget) -> None:
    """Apply the stylesheet again after a property it reads (tone, invalid) has changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def set_tone(widget: QWidget, tone: str) -> None:
    if widget.property("tone") != tone:
        widget.setProperty("tone", tone)
        repolish(widget)


def text_box(height: int = 64) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


class VisitForm(QDialog):
    """Subclasses add their fields with `add_field` and call `run` with the job that saves.
    Emits `saved(value)` with what the job returned, before the dialog closes."""

    saved = Signal(object)
    refreshed = Signal(object)  # the saved visit, after "Reload" following a conflict
    busy_changed = Signal(bool)

    save_text = "&Save"
    save_name = "Save"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("visitDialog")
        self.setMinimumWidth(780)
        self._busy = False
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, str] = {}

        self.intro = QLabel()
        self.intro.setObjectName("dialogIntro")
        self.intro.setWordWrap(True)
        self.intro.setAccessibleName("About this visit")
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

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
        self.reload_button = QPushButton("&Reload the saved visit")
        self.reload_button.setAccessibleName("Reload the saved visit")
        self.reload_button.setAutoDefault(False)
        self.reload_button.clicked.connect(self.reload_saved)
        self.reload_button.hide()

        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton(self.save_text)
        self.save_button.setAccessibleName(self.save_name)
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.close_button = QPushButton("Cancel")
        self.close_button.setAccessibleName("Close without saving")
        self.close_button.setAutoDefault(False)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.submit)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 12)
        layout.setSpacing(0)
        layout.addWidget(ClassificationBanner())
        body = QVBoxLayout()
        body.setContentsMargins(16, 12, 16, 0)
        body.setSpacing(10)
        body.addWidget(self.intro)
        body.addWidget(self.message)
        body.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.yours)
        body.addLayout(self.form)
        body.addStretch(1)  # room the dialog has to spare goes under the form, not between rows
        body.addWidget(self.buttons)
        layout.addLayout(body)

    # -- fields ----------------------------------------------------------------------------------

    def add_field(
        self,
        name: str,
        label: str,
        widget: QWidget,
        *,
        required: bool = False,
        description: str = "",
        extra: QWidget | None = None,
    ) -> QWidget:
        """A row: the label (with a mnemonic unless it has one), the widget, and under it the
        field's problem; `extra` sits beside the widget (a weekday, a time band)."""
        widget.setObjectName(f"field_{name}")
        widget.setAccessibleName(label.replace("&", ""))
        if required:
            description = f"Required. {description}".strip()
        if description:
            widget.setAccessibleDescription(description)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.setAccessibleName(f"{label.replace('&', '')} problem")
        error.hide()
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        if extra is not None:
            row = QHBoxLayout()
            row.setSpacing(8)
            row.addWidget(widget, 1)
            row.addWidget(extra)
            column.addLayout(row)
        else:
            column.addWidget(widget)
        column.addWidget(error)
        caption = QLabel(("&" if "&" not in label else "") + label + (" *" if required else ""))
        caption.setBuddy(widget)
        self.form.addRow(caption, holder)
        self.inputs[name] = widget
        self.errors[name] = error
        self.labels[name] = label.replace("&", "")
        return widget

    def value(self, name: str) -> str:
        widget = self.inputs[name]
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText()
        if isinstance(widget, QComboBox):
            data = widget.currentData()
            return "" if data is None else str(data)
        if isinstance(widget, QCheckBox):
            return "yes" if widget.isChecked() else ""
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def set_value(self, name: str, text: str) -> None:
        widget = self.inputs[name]
        if isinstance(widget, QPlainTextEdit):
            widget.setPlainText(text)
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(0, widget.findData(text)))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(text))
        elif isinstance(widget, QLineEdit):
            widget.setText(text)

    def typed(self) -> dict[str, str]:
        return {name: self.value(name) for name in self.inputs}

    def shown_value(self, name: str) -> str:
        """The value as the person sees it (a combo's text, not its data): for "what you typed"."""
        widget = self.inputs[name]
        if isinstance(widget, QComboBox):
            return widget.currentText() if widget.currentData() else ""
        if isinstance(widget, QCheckBox):
            return "Yes" if widget.isChecked() else "No"
        return self.value(name)

    # -- saving ----------------------------------------------------------------------------------

    def save_job(self) -> Callable[[], Any]:
        raise NotImplementedError

    def submit(self) -> None:
        if self._busy:
            return
        self.clear_errors()
        self.yours.hide()
        job = self.save_job()
        self.set_busy(True, "Saving…")
        self.ctx.runner.run(job, on_result=self._saved, on_error=self.refused, owner=self)

    def _saved(self, value: Any) -> None:
        self.set_busy(False)
        self.saved.emit(value)
        self.accept()

    def refused(self, exc: BaseException) -> None:
        self.set_busy(False)
        if isinstance(exc, ValidationFailed):
            self.show_field_errors(exc)
        elif isinstance(exc, EditConflict):
            self.show_message(str(exc), tone="alert")
            self.reload_button.show()
            self.reload_button.setFocus()
        else:
            self.show_message(error_text(exc), tone="alert")

    def show_field_errors(self, exc: ValidationFailed) -> None:
        unplaced: list[str] = []
        first: QWidget | None = None
        for problem in exc.errors:
            label = self.errors.get(problem.field)
            if label is None:
                unplaced.append(problem.message)
                continue
            shown = label.text() if not label.isHidden() else ""
            label.setText(f"{shown} {problem.message}".strip())
            label.show()
            widget = self.inputs[problem.field]
            widget.setProperty("invalid", True)
            repolish(widget)
            if first is None:
                first = widget
        count = len(exc.errors)
        summary = (
            "Please correct the field marked below."
            if count == 1
            else f"Please correct the {count} problems marked below."
        )
        if unplaced:
            summary = " ".join(unplaced) if first is None else f"{summary} {' '.join(unplaced)}"
        self.show_message(summary, tone="alert")
        if first is not None:
            first.setFocus()

    def clear_errors(self) -> None:
        self.message.hide()
        for name, label in self.errors.items():
            label.clear()
            label.hide()
            widget = self.inputs[name]
            if widget.property("invalid"):
                widget.setProperty("invalid", False)
                repolish(widget)

    def field_error(self, name: str) -> str:
        """The problem shown under a field ("" when none): for tests and screen readers."""
        label = self.errors[name]
        return label.text() if not label.isHidden() else ""

    @property
    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    # -- after a conflict ------------------------------------------------------------------------

    def reload_job(self) -> Callable[[], Any] | None:
        """The call that fetches the saved visit; None when there is nothing to reload."""
        return None

    def refill(self, saved: Any) -> None:
        """Put the saved visit into the fields."""

    def reload_saved(self) -> None:
        job = self.reload_job()
        if self._busy or job is None:
            return
        self.set_busy(True, "Loading the saved visit…")
        self.ctx.runner.run(job, on_result=self._reloaded, on_error=self.refused, owner=self)

    def _reloaded(self, saved: Any) -> None:
        self.set_busy(False)
        mine = {name: self.shown_value(name) for name in self.inputs}
        self.refill(saved)
        theirs = {name: self.shown_value(name) for name in self.inputs}
        differ = [
            f"{self.labels[name]}: {mine[name].strip() or '(blank)'}"
            for name in mine
            if mine[name].strip() != theirs[name].strip()
        ]
        self.reload_button.hide()
        self.clear_errors()
        if differ:
            self.yours.setText(
                "What you had typed, to put back where it is still right:\n" + "\n".join(differ)
            )
            self.yours.show()
        self.show_message(
            "This is now the saved visit, with the other change in it. Make your change again "
            "where it is still needed, then save.",
            tone="info",
        )
        self.refreshed.emit(saved)

    # -- state -----------------------------------------------------------------------------------

    def set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy and self.can_save())
        self.reload_button.setEnabled(not busy)
        if busy and text:
            self.show_message(text, tone="info")
        elif (
            not busy
            and self.message.property("tone") == "info"
            and self.message.text().endswith("…")
        ):
            self.message.hide()
        self.busy_changed.emit(busy)

    @property
    def busy(self) -> bool:
        return self._busy

    def can_save(self) -> bool:
        return True

    def show_message(self, text: str, *, tone: str) -> None:
        self.message.setText(text)
        if self.message.property("tone") != tone:
            self.message.setProperty("tone", tone)
            repolish(self.message)
        self.message.show()
        self.fit_height()

    def fit_height(self) -> None:
        """Grow to show every message whole: wrapped labels do not grow a shown dialog."""
        layout = self.layout()
        if layout is None:
            return
        layout.activate()
        wanted = (
            layout.totalHeightForWidth(self.width())
            if layout.hasHeightForWidth()
            else layout.totalSizeHint().height()
        )
        if wanted > self.height():
            self.resize(self.width(), wanted)
