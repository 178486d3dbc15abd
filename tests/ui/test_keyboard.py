"""A person using only the keyboard: from the sign-in dialog to an open record, and back out."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.services.core import Services
from tests.desktop.factories import PASSWORD, World
from tests.ui.helpers import wait_idle
from ui.app import Shell
from ui.caseload.screen import CaseloadScreen
from ui.main_window import MainWindow


def press(qtbot, key: Qt.Key, text: str = "") -> None:
    """Type into whatever has the keyboard focus, as a person would."""
    target = QApplication.focusWidget()
    assert target is not None, "nothing has the keyboard focus"
    if text:
        qtbot.keyClicks(target, text)
    else:
        qtbot.keyClick(target, key)


def test_keyboard_only_from_sign_in_to_an_open_record(
    qtbot, services: Services, make_ctx, world: World
) -> None:
    ctx = make_ctx(services)
    shell = Shell(ctx)
    qtbot.addWidget(shell.dialog)
    shell.start()
    qtbot.waitExposed(shell.dialog)
    shell.dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is shell.dialog.username, timeout=3000)

    press(qtbot, Qt.Key.Key_unknown, "ada")
    press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_unknown, PASSWORD)
    press(qtbot, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.window is not None, timeout=10_000)
    window = shell.window
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    qtbot.waitExposed(window)
    window.activateWindow()
    screen = window.screens["caseload"]
    assert isinstance(screen, CaseloadScreen)
    qtbot.waitUntil(lambda: screen.model.total == 3, timeout=10_000)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is screen.filter_box, timeout=3000)

    press(qtbot, Qt.Key.Key_unknown, "fiddle")
    press(qtbot, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is screen.table
    with qtbot.waitSignal(window.record_opened, timeout=5000) as opened:
        press(qtbot, Qt.Key.Key_Return)
    record = opened.args[0]
    qtbot.waitUntil(lambda: record.record is not None, timeout=10_000)
    assert record.record.offender_id == world.horatio
    wait_idle(qtbot, ctx)

    # Ctrl+Tab moves through the record's tabs; Esc closes the record.
    record.activateWindow()
    record.tabs.setFocus()
    qtbot.keyClick(record.tabs, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert record.tabs.currentIndex() == 1
    qtbot.keyClick(record, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: world.horatio not in window.records, timeout=3000)
