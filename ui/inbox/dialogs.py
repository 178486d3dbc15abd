"""Returning work from the inbox: the comment saying what to change is required (DESIGN section 3:
a plan, assessment or visit record is approved or returned with a comment). The dialog runs the
return in the background; a refusal is shown in words and what was typed stays."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.problems import ValidationFailed
from ui.context import AppContext
from ui.inbox import texts
from ui.widgets.banner import ClassificationBanner
from ui.widgets.forms import set_invalid, set_tone
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.inbox import InboxItem

COMMENT_REQUIRED = (
    "Write what the officer should change: a comment is required to return work. "
    "Nothing was returned."
)


class ReturnDialog(QDialog):
    """Emits `returned()` once the service has returned the work."""

    returned = Signal()

    def __init__(self, ctx: AppContext, item: InboxItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.item = item
        self._busy = False
        self.setObjectName("returnDialog")
        self.setWindowTitle(f"Return: {texts.offender_text(item)}")
        self.setMinimumWidth(520)

        intro = QLabel(
            f"{item.title}. The comment goes back to "
            f"{item.submitted_by or 'the officer who submitted it'} with the work."
        )
        intro.setWordWrap(True)
        caption = QLabel("&What to change *")
        self.comment = QPlainTextEdit()
        self.comment.setObjectName("field_comment")
        self.comment.setAccessibleName("What to change")
        self.comment.setAccessibleDescription("Required. The officer sees this with the work.")
        self.comment.setTabChangesFocus(True)
        self.comment.setFixedHeight(110)
        caption.setBuddy(self.comment)
        self.error = QLabel()
        self.error.setObjectName("fieldError")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("What to change problem")
        self.error.hide()
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Form message")
        self.message.hide()

        self.return_button = QPushButton("&Return")
        self.return_button.setAccessibleName("Return with this comment")
        self.return_button.setDefault(True)
        self.return_button.clicked.connect(self.submit)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setAccessibleName("Cancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QDialogButtonBox()
        buttons.addButton(self.return_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 12)
        layout.addWidget(ClassificationBanner())
        body = QVBoxLayout()
        body.setContentsMargins(16, 8, 16, 0)
        body.setSpacing(8)
        for widget in (intro, self.message, caption, self.comment, self.error, buttons):
            body.addWidget(widget)
        layout.addLayout(body)
        self.comment.setFocus()

    def submit(self) -> None:
        if self._busy:
            return
        comment = self.comment.toPlainText()
        if not comment.strip():
            self._field_error(COMMENT_REQUIRED)
            return
        self._set_busy(True)
        self.message.hide()
        self.ctx.runner.run(
            self.ctx.svc.inbox.return_,
            self.ctx.officer,
            self.item.task_id,
            comment,
            on_result=self._done,
            on_error=self._refused,
            owner=self,
        )

    def _done(self, _none: object) -> None:
        self._set_busy(False)
        self.returned.emit()
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationFailed):
            own = [e.message for e in exc.errors if e.field == "comment"]
            if own:
                self._field_error(" ".join(own) + " Nothing was returned.")
            others = [e.message for e in exc.errors if e.field != "comment"]
            if others or not own:
                self._show_message(" ".join(others) or str(exc))
        else:
            self._show_message(error_text(exc))

    def _field_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        set_invalid(self.comment, True)
        self.comment.setFocus()

    def _show_message(self, text: str) -> None:
        self.message.setText(text)
        set_tone(self.message, "alert")
        self.message.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.return_button.setEnabled(not busy)
        self.comment.setReadOnly(busy)
        if not busy:
            return
        self.error.hide()
        set_invalid(self.comment, False)
