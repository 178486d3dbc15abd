"""The sign-in dialog. It opens the database in the background ("Connecting…"), then checks a
username and password with services.auth. A database that cannot be opened is shown as one clear
sentence, and the dialog can still be closed.

On a shared PostgreSQL database whose URL names no user (desktop.services.sign_in), the database
is opened only when the officer signs in, as their own login role with the name and password
typed: the server checks them first, then Pillars does."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.problems import SignInRefused
from desktop.services.sign_in import open_as_officer, signs_in_as_officer
from ui.context import AppContext
from ui.widgets.banner import ClassificationBanner
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.actor import Actor
    from desktop.services.core import Services

log = logging.getLogger("pillars.ui.signin")


def sign_in_job(services: Services, username: str, password: str) -> tuple[Actor, int]:
    """Runs in the background: the officer, and the idle minutes before the window locks."""
    actor = services.auth.sign_in(username, password)
    return actor, services.auth.idle_lock_minutes()


def officer_sign_in_job(
    url: str, username: str, password: str
) -> tuple[Services, tuple[Actor, int]]:
    """Runs in the background: open the shared database as the officer's own role, then sign in
    as above; the connection is closed again when either refuses."""
    services = open_as_officer(url, username, password)
    try:
        return services, sign_in_job(services, username, password)
    except BaseException:
        services.close()
        raise


def shared_database(url: str) -> str:
    """`pillars on db.example.invalid` for a shared database's URL: what an officer recognises."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "pillars"
    return f"{name} on {parts.hostname}" if parts.hostname else name


def close_services(outcome: tuple[Services, tuple[Actor, int]]) -> None:
    outcome[0].close()


class SignInDialog(QDialog):
    """Emits `signed_in(actor)` and accepts when the password is right. `ctx.services` is set
    once the database is open; `ctx.actor` and `ctx.idle_lock_ms` once someone signs in."""

    signed_in = Signal(object)
    database_ready = Signal()

    def __init__(
        self,
        ctx: AppContext,
        open_database: Callable[[], Services] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Sign in to Pillars")
        self.setObjectName("signInDialog")
        self.setMinimumWidth(460)

        self.heading = QLabel("Pillars")
        self.heading.setObjectName("signInHeading")
        self.intro = QLabel("Sign in with your Pillars username and password.")
        self.intro.setWordWrap(True)

        self.username = QLineEdit()
        self.username.setAccessibleName("Username")
        self.password = QLineEdit()
        self.password.setAccessibleName("Password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)

        form = QFormLayout()
        form.addRow("&Username", self.username)
        form.addRow("&Password", self.password)
        for label, field in (
            (form.labelForField(self.username), self.username),
            (form.labelForField(self.password), self.password),
        ):
            if isinstance(label, QLabel):
                label.setBuddy(field)

        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Sign-in message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()

        self.location = QLabel()
        self.location.setObjectName("mutedText")
        self.location.setWordWrap(True)

        self.buttons = QDialogButtonBox()
        self.sign_in_button = QPushButton("&Sign in")
        self.sign_in_button.setAccessibleName("Sign in")
        self.sign_in_button.setDefault(True)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close Pillars")
        self.buttons.addButton(self.sign_in_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.sign_in_button.clicked.connect(self.submit)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(ClassificationBanner())
        body = QVBoxLayout()
        body.setContentsMargins(24, 16, 24, 20)
        body.setSpacing(12)
        body.addWidget(self.heading)
        body.addWidget(self.intro)
        body.addLayout(form)
        body.addWidget(self.message)
        body.addWidget(self.location)
        body.addWidget(self.buttons)
        layout.addLayout(body)

        self.setTabOrder(self.username, self.password)
        self.setTabOrder(self.password, self.sign_in_button)
        self.setTabOrder(self.sign_in_button, self.close_button)
        self.username.setFocus()

        self._ready = False
        self._busy = False
        # The shared database opens with the officer's own name and password (module docstring).
        self._as_officer = ctx.services is None and signs_in_as_officer(ctx.url)
        if ctx.services is not None:
            self._database_opened(ctx.services)
        elif self._as_officer:
            self._ready = True
            self.location.setText(
                f"Database: {shared_database(ctx.url)} (shared: your username and password open it)"
            )
        elif open_database is not None:
            self._connect(open_database)

    # -- the database ----------------------------------------------------------------------------

    def _connect(self, open_database: Callable[[], Services]) -> None:
        self._show_message(f"Connecting to {self.ctx.url or 'the database'}…", tone="info")
        self.sign_in_button.setEnabled(False)
        self.ctx.runner.run(
            open_database,
            on_result=self._database_opened,
            on_error=self._database_failed,
            owner=self,
        )

    def _database_opened(self, services: Services) -> None:
        self.ctx.services = services
        self._ready = True
        self.location.setText(f"Database: {services.location}")
        self._hide_message()
        self.sign_in_button.setEnabled(True)
        self.database_ready.emit()

    def _database_failed(self, exc: BaseException) -> None:
        log.warning("cannot open the database: %s", exc)
        self._show_message(f"Pillars cannot open its database: {error_text(exc)}", tone="alert")
        self.sign_in_button.setEnabled(False)
        self.close_button.setFocus()

    # -- signing in ------------------------------------------------------------------------------

    def submit(self) -> None:
        if not self._ready or self._busy:
            return
        username = self.username.text().strip()
        password = self.password.text()
        if not username or not password:
            self._show_message("Enter your username and your password.", tone="alert")
            (self.username if not username else self.password).setFocus()
            return
        self._set_busy(True)
        self._show_message("Checking…", tone="info")
        if self._as_officer and self.ctx.services is None:
            self.ctx.runner.run(
                officer_sign_in_job,
                self.ctx.url,
                username,
                password,
                on_result=self._accepted_as_officer,
                on_error=self._refused,
                owner=self,
                on_dropped=close_services,  # the dialog went: do not leave the connection open
            )
            return
        self.ctx.runner.run(
            sign_in_job,
            self.ctx.svc,
            username,
            password,
            on_result=self._accepted,
            on_error=self._refused,
            owner=self,
        )

    def _accepted(self, outcome: tuple[Actor, int]) -> None:
        actor, idle_minutes = outcome
        self.ctx.actor = actor
        self.ctx.idle_lock_ms = max(1, int(idle_minutes)) * 60_000
        self.password.clear()
        self._set_busy(False)
        log.info("signed in as %s", actor.username)
        self.signed_in.emit(actor)
        self.accept()

    def _accepted_as_officer(self, outcome: tuple[Services, tuple[Actor, int]]) -> None:
        services, signed_in = outcome
        self.ctx.services = services
        self._accepted(signed_in)

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.password.clear()
        self._show_message(error_text(exc), tone="alert")
        if isinstance(exc, SignInRefused):
            self.password.setFocus()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.sign_in_button.setEnabled(not busy and self._ready)
        self.username.setReadOnly(busy)
        self.password.setReadOnly(busy)

    # -- messages --------------------------------------------------------------------------------

    def _show_message(self, text: str, *, tone: str) -> None:
        self.message.setText(text)
        self.message.setProperty("tone", tone)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setAccessibleDescription(text)
        self.message.show()
        self._fit()

    def _hide_message(self) -> None:
        self.message.clear()
        self.message.hide()
        self._fit()

    def _fit(self) -> None:
        """Grow (or shrink back) to the message's wrapped height: a long one, such as a database
        that cannot be opened, was squeezed into the room a short one had, clipping it and the
        fields above it."""
        self.layout().activate()
        self.resize(
            self.width(),
            self.heightForWidth(self.width())
            if self.hasHeightForWidth()
            else self.sizeHint().height(),
        )
