"""The parts of a plan beside its actions: the contingency, the licence conditions or orders in
force and the review date, each with the problem a save found under it, and the review date's
state in words ("OVERDUE: the review was due on …", "No review date")."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.dates import fmt_date, parse_typed_date
from ui.widgets.forms import set_invalid, set_tone

if TYPE_CHECKING:
    from desktop.services.plans import PlanDraftView


def _text_area(name: str) -> QPlainTextEdit:
    area = QPlainTextEdit()
    area.setTabChangesFocus(True)
    area.setFixedHeight(78)
    area.setAccessibleName(name)
    return area


def _error_label(name: str) -> QLabel:
    label = QLabel()
    label.setObjectName("fieldError")
    label.setWordWrap(True)
    label.setAccessibleName(f"{name} problem")
    label.hide()
    return label


class PlanFields(QGroupBox):
    """Emits `edited()` when any of the three changes."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Contingency, licence conditions and review", parent)
        self.contingency = _text_area("Contingency plan")
        self.licence = _text_area("Licence conditions and orders in force")
        self.review = QLineEdit()
        self.review.setAccessibleName("Review by")
        self.review.setAccessibleDescription("The plan's review date, as dd/mm/yyyy")
        self.review.setPlaceholderText("dd/mm/yyyy")
        self.review.setMaxLength(10)
        self.review.setMaximumWidth(160)
        self.review_note = QLabel()
        self.review_note.setAccessibleName("Review date state")
        # Keyed by the services' field names (PlanEdit's).
        self.inputs: dict[str, QWidget] = {
            "contingency": self.contingency,
            "licence_conditions": self.licence,
            "review_on": self.review,
        }
        self.errors = {
            "contingency": _error_label("Contingency"),
            "licence_conditions": _error_label("Licence conditions"),
            "review_on": _error_label("Review date"),
        }
        layout = QVBoxLayout(self)
        for caption, name in (
            ("Cont&ingency: what happens if the plan breaks down", "contingency"),
            ("&Licence conditions and orders in force", "licence_conditions"),
        ):
            label = QLabel(caption)
            label.setBuddy(self.inputs[name])
            layout.addWidget(label)
            layout.addWidget(self.inputs[name])
            layout.addWidget(self.errors[name])
        review_row = QHBoxLayout()
        review_label = QLabel("Revi&ew by")
        review_label.setBuddy(self.review)
        review_row.addWidget(review_label)
        review_row.addWidget(self.review)
        review_row.addWidget(self.review_note, 1)
        layout.addLayout(review_row)
        layout.addWidget(self.errors["review_on"])
        for signal in (
            self.contingency.textChanged,
            self.licence.textChanged,
            self.review.textChanged,
        ):
            signal.connect(self.edited)

    def fill(self, view: PlanDraftView | None, *, editing: bool) -> None:
        self.contingency.setPlainText(view.contingency if view is not None else "")
        self.licence.setPlainText(view.licence_conditions if view is not None else "")
        self.review.setText(fmt_date(view.review_on) if view is not None else "")
        for widget in (self.contingency, self.licence, self.review):
            widget.setReadOnly(not editing)

    def show_review_state(self, on: dt.date | None) -> None:
        review = parse_typed_date(self.review.text())
        if not self.review.text().strip():
            text, tone = "No review date", "warn"
        elif review is not None and on is not None and review < on:
            text, tone = f"OVERDUE: the review was due on {fmt_date(review)}", "alert"
        else:
            text, tone = "", ""
        self.review_note.setText(text)
        set_tone(self.review_note, tone)

    def show_error(self, field: str, message: str) -> QWidget | None:
        """Show a problem under its field; the field, or None when it is not one of these."""
        label = self.errors.get(field)
        if label is None:
            return None
        label.setText(f"{label.text()} {message}".strip())
        label.show()
        set_invalid(self.inputs[field], True)
        return self.inputs[field]

    def clear_errors(self) -> None:
        for name, label in self.errors.items():
            label.clear()
            label.hide()
            set_invalid(self.inputs[name], False)
