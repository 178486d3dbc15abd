"""The lock screen that covers the main window after the idle minutes. It asks the signed-in
officer's password again (checked in the background by services.auth.unlock). Nothing under it is
destroyed: a half-typed edit is still there after unlocking."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.problems import AccountLocked
from ui.context import AppContext
from ui.widgets.icons import icon
from ui.widgets.messages import error_text


class LockScreen(QWidget):
    unlocked = Signal()
    quit_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("lockScreen")
        self._busy = False

        picture = QLabel()
        picture.setPixmap(icon("lock").pixmap(48, 48))
        picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.heading = QLabel("Pillars is locked")
        self.heading.setObjectName("screenHeading")
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.explain.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password to unlock")
        self.password.setPlaceholderText("Your password")
        self.password.returnPressed.connect(self.submit)
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.unlock_button.clicked.connect(self.submit)
        self.quit_button = QPushButton("Sign out and &close")
        self.quit_button.setAccessibleName("Sign out and close Pillars")
        self.quit_button.clicked.connect(self.quit_requested)

        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setProperty("tone", "alert")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setAccessibleName("Unlock message")
        self.message.hide()

        row = QHBoxLayout()
        row.addWidget(self.password, 1)
        row.addWidget(self.unlock_button)

        panel = QWidget()
        panel.setObjectName("lockPanel")
        panel.setMaximumWidth(480)
        inner = QVBoxLayout(panel)
        inner.setContentsMargins(28, 24, 28, 24)
        inner.setSpacing(12)
        inner.addWidget(picture)
        inner.addWidget(self.heading)
        inner.addWidget(self.explain)
        inner.addLayout(row)
        inner.addWidget(self.message)
        inner.addWidget(self.quit_button, 0, Qt.AlignmentFlag.AlignCenter)

        outer = QVBoxLayout(self)
        outer.addStretch(1)
        centre = QHBoxLayout()
        centre.addStretch(1)
        centre.addWidget(panel, 2)
        centre.addStretch(1)
        outer.addLayout(centre)
        outer.addStretch(2)
        self.setFocusProxy(self.password)

    def prepare(self) -> None:
        actor = self.ctx.officer
        self.explain.setText(
            f"Locked after {self.ctx.idle_lock_ms // 60_000 or 1} idle minutes. Signed in as "
            f"{actor.display_name} ({actor.username}). Enter your password to carry on: "
            "nothing you had typed has been lost."
        )
        self.password.clear()
        self.message.hide()
        self._set_busy(False)

    def submit(self) -> None:
        if self._busy:
            return
        password = self.password.text()
        if not password:
            self._show("Enter your password.")
            return
        self._set_busy(True)
        self.ctx.runner.run(
            self.ctx.svc.auth.unlock,
            self.ctx.officer,
            password,
            on_result=lambda _none: self._done(),
            on_error=self._refused,
            owner=self,
        )

    def _done(self) -> None:
        self._set_busy(False)
        self.password.clear()
        self.message.hide()
        self.unlocked.emit()

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.password.clear()
        self._show(error_text(exc))
        # Locked out by repeated failures: signing out is the way on (or waiting out the lock).
        (self.quit_button if isinstance(exc, AccountLocked) else self.password).setFocus()

    def _show(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.unlock_button.setEnabled(not busy)
        self.password.setReadOnly(busy)
