"""The main window: banner, who is signed in, the database location, remembered geometry and
screen, keyboard shortcuts, and the idle lock that keeps what was typed."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QApplication

from tests.desktop.factories import PASSWORD, World
from tests.ui.helpers import unnamed, wait_idle
from ui.caseload.screen import CaseloadScreen
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.screens import SCREENS


def open_window(qtbot, ctx: AppContext, **kwargs) -> MainWindow:
    window = MainWindow(ctx, **kwargs)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    caseload = window.screens["caseload"]
    assert isinstance(caseload, CaseloadScreen)
    wait_idle(qtbot, ctx)
    return window


def test_banner_officer_and_database_location(qtbot, ctx: AppContext, world: World) -> None:
    window = open_window(qtbot, ctx)
    banner = window.centralWidget().findChild(type(window.officer_label), "classificationBanner")
    assert banner is not None and banner.text() == "OFFICIAL-SENSITIVE"
    assert window.officer_label.text() == "Ada Quillfeather · Offender manager · Alder"
    assert window.location_label.text() == f"Database: {ctx.svc.location}"
    assert window.current_screen_key == "caseload"
    assert window.screens["caseload"].model.total == 3


def test_remembers_size_and_last_screen(qtbot, ctx: AppContext, world: World) -> None:
    window = open_window(qtbot, ctx)
    # The offscreen test screen is 800 x 800: a size that fits it comes back exactly.
    window.resize(700, 640)
    width = window.width()  # no narrower than the window's minimum
    window.close()
    assert ctx.settings.value("main/screen") == "caseload"
    assert not ctx.settings.value("main/geometry").isEmpty()
    again = open_window(qtbot, ctx)
    assert again.size() == QSize(width, 640)
    assert again.current_screen_key == "caseload"


def test_every_screen_has_a_shortcut(qtbot, ctx: AppContext, world: World) -> None:
    window = open_window(qtbot, ctx)
    for spec in (s for s in SCREENS if s.shown_to(ctx.officer.role)):
        action = window.screen_actions[spec.key]
        assert action.shortcut().toString() == spec.shortcut
        window.nav.setFocus()
        action.trigger()
        assert window.current_screen_key == spec.key
        assert window.screens[spec.key].isAncestorOf(QApplication.focusWidget())
    assert "Ctrl+1\tCaseload" in window.shortcuts_text()


def test_lock_now_and_unlock(qtbot, ctx: AppContext, world: World) -> None:
    window = open_window(qtbot, ctx)
    screen = window.screens["caseload"]
    qtbot.keyClicks(screen.filter_box, "plim")
    with qtbot.waitSignal(window.locked_changed, timeout=2000):
        window.lock_action.trigger()
    assert window.locked and window.pages.currentWidget() is window.lock_screen
    assert not window.menuBar().isEnabled()
    assert "Ada Quillfeather (ada)" in window.lock_screen.explain.text()

    lock = window.lock_screen
    qtbot.keyClicks(lock.password, "wrong")
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    wait_idle(qtbot, ctx)
    assert window.locked
    assert lock.message.text() == "Wrong username or password."

    qtbot.keyClicks(lock.password, PASSWORD)
    with qtbot.waitSignal(window.locked_changed, timeout=10_000) as signal:
        qtbot.mouseClick(lock.unlock_button, Qt.MouseButton.LeftButton)
    assert signal.args == [False]
    assert window.pages.currentWidget() is not window.lock_screen
    assert screen.filter_box.text() == "plim"
    assert screen.model.shown == 1


def test_idle_minutes_lock_the_window(qtbot, ctx: AppContext, world: World) -> None:
    window = open_window(qtbot, ctx, idle_lock_ms=300)
    screen = window.screens["caseload"]
    qtbot.keyClicks(screen.filter_box, "fiddle")
    with qtbot.waitSignal(window.locked_changed, timeout=5000) as signal:
        pass  # no input: the idle clock runs out
    assert signal.args == [True]
    assert window.lock_screen.isVisible() and not screen.isVisible()
    qtbot.keyClicks(window.lock_screen.password, PASSWORD)
    with qtbot.waitSignal(window.locked_changed, timeout=10_000):
        qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    assert screen.isVisible() and screen.filter_box.text() == "fiddle"


def test_input_keeps_the_window_unlocked(qtbot, ctx: AppContext, world: World) -> None:
    # Keys a few times within the idle time, for longer than it: a busy machine (CI) may take a
    # while over each key without the window going idle.
    window = open_window(qtbot, ctx, idle_lock_ms=1500)
    screen = window.screens["caseload"]
    for _ in range(6):
        qtbot.keyClick(screen.filter_box, Qt.Key.Key_A)
        qtbot.wait(400)
    assert not window.locked


def test_every_control_has_an_accessible_name(qtbot, ctx: AppContext, world: World) -> None:
    window = open_window(qtbot, ctx)
    assert unnamed(window) == []
    window.lock()
    assert unnamed(window.lock_screen) == []


def test_idle_lock_hides_an_open_edit_and_keeps_what_was_typed(
    qtbot, ctx: AppContext, world: World
) -> None:
    window = open_window(qtbot, ctx, idle_lock_ms=60_000)
    with qtbot.waitSignal(window.record_opened, timeout=5000) as opened:
        window.open_record(world.zebedee)
    record = opened.args[0]
    qtbot.waitUntil(lambda: record.record is not None, timeout=10_000)
    wait_idle(qtbot, ctx)
    record.summary.add_address_button.click()
    dialog = record.dialog
    qtbot.keyClicks(dialog.inputs["line1"], "99 Half-typed Street")

    window.idle.interval_ms = 200  # as if the idle minutes had passed
    with qtbot.waitSignal(window.locked_changed, timeout=5000):
        pass
    assert not record.isVisible() and not dialog.isVisible()
    qtbot.keyClicks(window.lock_screen.password, PASSWORD)
    window.idle.interval_ms = 60_000
    with qtbot.waitSignal(window.locked_changed, timeout=10_000):
        qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    assert record.isVisible() and dialog.isVisible()
    assert dialog.value("line1") == "99 Half-typed Street"


def test_screens_follow_the_role(qtbot, services, make_ctx) -> None:  # noqa: ANN001
    """An offender manager has no Team screen; a sergeant has, after the Inbox (Ctrl+3)."""
    manager = open_window(qtbot, make_ctx(services, "ada"))
    assert "team" not in manager.screen_actions and "inbox" in manager.screen_actions
    assert manager.nav.count() == len(manager.screen_actions)
    sergeant = open_window(qtbot, make_ctx(services, "cora"))
    assert list(sergeant.screen_actions) == [
        "caseload",
        "visits",
        "inbox",
        "team",
        "safeguarding",
        "dashboard",
        "daily",
    ]
    assert [sergeant.nav.item(i).text() for i in range(sergeant.nav.count())] == [
        "Caseload",
        "Visits",
        "Inbox",
        "Team",
        "Safeguarding",
        "Dashboard",
        "Daily sheet",
    ]
    team_manager = open_window(qtbot, make_ctx(services, "dorian"))
    assert "scrutiny" in team_manager.screen_actions and "scrutiny" not in sergeant.screen_actions
    sergeant.screen_actions["inbox"].trigger()
    assert sergeant.current_screen_key == "inbox"


def test_a_screen_is_built_when_first_shown(qtbot, ctx: AppContext, world: World) -> None:
    """Signing in builds only the screen on view; the others are built the first time they are
    shown, and are wired to open records like the first (issue #10: start-up)."""
    window = open_window(qtbot, ctx)
    assert list(window.screens) == ["caseload"]
    assert window.stack.count() == 1
    window.screen_actions["visits"].trigger()
    assert list(window.screens) == ["caseload", "visits"]
    visits = window.screens["visits"]
    assert window.stack.currentWidget() is visits and visits.isVisible()
    wait_idle(qtbot, ctx)
    window.screen_actions["caseload"].trigger()
    window.screen_actions["visits"].trigger()
    assert window.screens["visits"] is visits and window.stack.count() == 2
    wait_idle(qtbot, ctx)
    with qtbot.waitSignal(window.record_opened, timeout=5000) as opened:
        visits.open_record.emit(world.zebedee)
    record = opened.args[0]
    qtbot.waitUntil(lambda: record.record is not None, timeout=10_000)
    assert record.record.offender_id == world.zebedee
    wait_idle(qtbot, ctx)


def test_the_remembered_screen_is_the_one_built(qtbot, ctx: AppContext, world: World) -> None:
    window = open_window(qtbot, ctx)
    window.screen_actions["inbox"].trigger()
    wait_idle(qtbot, ctx)
    window.close()
    again = MainWindow(ctx)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    wait_idle(qtbot, ctx)
    assert again.current_screen_key == "inbox"
    assert list(again.screens) == ["inbox"]
    assert again.screens["inbox"].isVisible()
