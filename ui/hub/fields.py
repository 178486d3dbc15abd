"""Labelled fields, each with a place under it for its problem, for the hub's dialogs.

A dialog may hold several `Fields` (the rows every notification has, and one page per kind): the
service's FieldError names an attribute of NotificationEntry, and the dialog asks the fields on
show which one holds it.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.forms import set_invalid

DATE_HINT = "dd/mm/yyyy"
CAPTION_WIDTH = 240  # every Fields of a dialog lines its inputs up on one edge


def date_box() -> QLineEdit:
    """A date typed as people write it; the service reads and checks it."""
    box = QLineEdit()
    box.setPlaceholderText(DATE_HINT)
    box.setMaxLength(10)
    box.setMaximumWidth(140)
    return box


def text_box(height: int = 60) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


class Fields(QWidget):
    """A form whose rows each show their own problem under the input."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.captions: dict[str, QLabel] = {}

    def add(
        self,
        name: str,
        label: str,
        widget: QWidget,
        *,
        required: bool = False,
        description: str = "",
    ) -> QWidget:
        plain = label.replace("&", "")
        widget.setObjectName(f"field_{name}")
        widget.setAccessibleName(plain)
        if isinstance(widget, QLineEdit) and widget.placeholderText() == DATE_HINT:
            description = f"Date as {DATE_HINT}. {description}".strip()
        if required:
            description = f"Required. {description}".strip()
        if description:
            widget.setAccessibleDescription(description)
        error = QLabel()
        error.setObjectName("fieldError")
        error.setWordWrap(True)
        error.setAccessibleName(f"{plain} problem")
        error.hide()
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        column.addWidget(error)
        caption = QLabel(("&" if "&" not in label else "") + label + (" *" if required else ""))
        caption.setBuddy(widget)
        caption.setMinimumWidth(CAPTION_WIDTH)
        self.form.addRow(caption, holder)
        self.inputs[name] = widget
        self.errors[name] = error
        self.captions[name] = caption
        return widget

    def note(self, text: str) -> QLabel:
        """A sentence across the form (what this kind needs, or that it needs nothing more)."""
        label = QLabel(text)
        label.setObjectName("mutedText")
        label.setWordWrap(True)
        self.form.addRow(label)
        return label

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

    def show_error(self, name: str, message: str) -> QWidget | None:
        """Show `message` under the field `name`; the field's widget, or None if not here."""
        label = self.errors.get(name)
        if label is None:
            return None
        shown = label.text() if not label.isHidden() else ""
        label.setText(f"{shown} {message}".strip())
        label.show()
        set_invalid(self.inputs[name], True)
        return self.inputs[name]

    def clear_errors(self) -> None:
        for name, label in self.errors.items():
            label.clear()
            label.hide()
            set_invalid(self.inputs[name], False)

    def error(self, name: str) -> str:
        label = self.errors.get(name)
        return label.text() if label is not None and not label.isHidden() else ""
