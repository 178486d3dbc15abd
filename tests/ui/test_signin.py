"""Signing in: success, a wrong password, the lockout after five, a database that cannot be
opened, and the "Connecting…" state while it opens."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt

from desktop.services.core import Services
from tests.desktop.factories import PASSWORD, World
from tests.ui.helpers import unnamed, wait_idle
from ui.context import AppContext
from ui.signin.dialog import SignInDialog


@pytest.fixture
def fresh_ctx(services: Services, make_ctx: Callable[..., AppContext]) -> AppContext:
    """The database is open; nobody is signed in."""
    return make_ctx(services)


def make_dialog(qtbot, ctx: AppContext, **kwargs) -> SignInDialog:
    dialog = SignInDialog(ctx, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def attempt(qtbot, dialog: SignInDialog, username: str, password: str) -> None:
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, username)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, dialog.ctx)


def test_sign_in_succeeds(qtbot, fresh_ctx: AppContext, world: World) -> None:
    dialog = make_dialog(qtbot, fresh_ctx)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000) as signal:
        attempt(qtbot, dialog, "ada", PASSWORD)
    actor = signal.args[0]
    assert actor.username == "ada" and actor.team_name == "Alder"
    assert fresh_ctx.actor == actor
    assert fresh_ctx.idle_lock_ms == 15 * 60_000
    assert dialog.result() == SignInDialog.DialogCode.Accepted
    assert dialog.password.text() == ""  # the clear password is not kept


def test_wrong_password_is_refused_and_nothing_else_is_said(
    qtbot, fresh_ctx: AppContext, world: World
) -> None:
    dialog = make_dialog(qtbot, fresh_ctx)
    attempt(qtbot, dialog, "ada", "not-the-password")
    assert dialog.message.text() == "Wrong username or password."
    assert dialog.isVisible() and fresh_ctx.actor is None
    assert dialog.username.text() == "ada"
    assert dialog.password.text() == ""
    attempt(qtbot, dialog, "nobody", "whatever")
    assert dialog.message.text() == "Wrong username or password."


def test_five_failures_lock_the_account(qtbot, fresh_ctx: AppContext, world: World) -> None:
    dialog = make_dialog(qtbot, fresh_ctx)
    for _ in range(4):
        attempt(qtbot, dialog, "bram", "wrong")
        assert dialog.message.text() == "Wrong username or password."
    attempt(qtbot, dialog, "bram", "wrong")
    assert "locked after too many failed sign-ins" in dialog.message.text()
    attempt(qtbot, dialog, "bram", PASSWORD)  # the right password does not open a locked account
    assert "locked" in dialog.message.text()
    assert fresh_ctx.actor is None


def test_empty_fields_are_asked_for_without_a_database_call(
    qtbot, fresh_ctx: AppContext, world: World
) -> None:
    dialog = make_dialog(qtbot, fresh_ctx)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert not fresh_ctx.runner.busy
    assert dialog.message.text() == "Enter your username and your password."


def test_database_that_cannot_be_opened_is_explained(qtbot, make_ctx, tmp_path) -> None:
    missing = f"sqlite:///{tmp_path / 'nowhere.sqlite3'}"
    ctx = make_ctx()
    ctx.url = missing
    dialog = make_dialog(qtbot, ctx, open_database=lambda: Services(missing))
    wait_idle(qtbot, ctx)
    text = dialog.message.text()
    assert text.startswith("Pillars cannot open its database: no Pillars database at")
    assert "nowhere.sqlite3" in text
    assert not dialog.sign_in_button.isEnabled()
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == SignInDialog.DialogCode.Rejected


def test_connecting_state_then_ready(qtbot, services: Services, make_ctx, world: World) -> None:
    gate = threading.Event()
    ctx = make_ctx()

    def slow_open() -> Services:
        gate.wait(5)
        return services

    dialog = make_dialog(qtbot, ctx, open_database=slow_open)
    assert dialog.message.text().startswith("Connecting to")
    assert not dialog.sign_in_button.isEnabled()
    qtbot.keyClicks(dialog.username, "ada")  # typing is not blocked while it connects
    with qtbot.waitSignal(dialog.database_ready, timeout=5000):
        gate.set()
    assert dialog.sign_in_button.isEnabled()
    assert ctx.services is services
    assert dialog.location.text() == f"Database: {services.location}"
    assert dialog.username.text() == "ada"


def test_keyboard_only_sign_in(qtbot, fresh_ctx: AppContext, world: World) -> None:
    dialog = make_dialog(qtbot, fresh_ctx)
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    dialog.username.setFocus()
    qtbot.keyClicks(dialog.username, "ada")
    qtbot.keyClick(dialog.username, Qt.Key.Key_Tab)
    assert dialog.focusWidget() is dialog.password
    qtbot.keyClicks(dialog.password, PASSWORD)
    with qtbot.waitSignal(dialog.signed_in, timeout=10_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_every_control_has_an_accessible_name(qtbot, fresh_ctx: AppContext, world: World) -> None:
    dialog = make_dialog(qtbot, fresh_ctx)
    assert unnamed(dialog) == []
