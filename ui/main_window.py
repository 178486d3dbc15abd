"""The main window wires the screens together: banner, who is signed in, navigation, the screen
stack, the status bar, record windows and the idle lock. Screens do the work.

A screen is built the first time it is shown, not at sign-in, and the lock screen the first time
the window locks: start-up pays for the one screen on view (issue #10), and a screen the officer
never opens costs nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.connection import ConnectionWatcher
from ui.context import AppContext
from ui.idle import IdleWatcher
from ui.lock import LockScreen
from ui.screens import SCREENS, ScreenSpec
from ui.widgets.banner import ClassificationBanner
from ui.widgets.connection import ConnectionBanner
from ui.widgets.icons import icon
from ui.widgets.labels import role_label

if TYPE_CHECKING:
    from ui.record.window import RecordWindow

log = logging.getLogger("pillars.ui")

GEOMETRY_KEY = "main/geometry"
SCREEN_KEY = "main/screen"


class Screens(dict[str, QWidget]):
    """The screens built so far, by key. Asking for one not yet built builds it (`build`), so
    `screens["inbox"]` always answers; iterating gives only the built ones, which is what a
    screen telling the others to reload wants."""

    def __init__(self, build: Callable[[str], QWidget]) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, key: str) -> QWidget:
        screen = self._build(key)
        self[key] = screen
        return screen


class MainWindow(QMainWindow):
    locked_changed = Signal(bool)
    record_opened = Signal(object)  # the RecordWindow, once it is on screen

    def __init__(
        self, ctx: AppContext, *, idle_lock_ms: int | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("mainWindow")
        self.setWindowTitle("Pillars")
        self.setWindowIcon(icon("pillars"))
        self.records: dict[int, RecordWindow] = {}
        self._hidden_for_lock: list[QWidget] = []
        self._focus_before_lock: QWidget | None = None
        self.locked = False

        # -- who is signed in ----------------------------------------------------------------
        actor = ctx.officer
        team = f" · {actor.team_name}" if actor.team_name else ""
        self.officer_label = QLabel(f"{actor.display_name} · {role_label(actor.role)}{team}")
        self.officer_label.setObjectName("officerLabel")
        self.officer_label.setAccessibleName("Signed in as")
        self.lock_button = QPushButton("&Lock")
        self.lock_button.setIcon(icon("lock"))
        self.lock_button.setAccessibleName("Lock Pillars now")
        self.lock_button.setToolTip("Lock the window now (Ctrl+L)")
        self.lock_button.clicked.connect(self.lock)
        header = QWidget()
        header.setObjectName("headerBar")
        header_row = QHBoxLayout(header)
        header_row.setContentsMargins(16, 6, 12, 6)
        title = QLabel("Pillars")
        title.setObjectName("appTitle")
        header_row.addWidget(title)
        header_row.addStretch(1)
        header_row.addWidget(self.officer_label)
        header_row.addWidget(self.lock_button)

        # -- navigation and screens ----------------------------------------------------------
        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Screens")
        self.nav.setFixedWidth(170)  # "Safeguarding" with its icon, without a scroll bar
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.stack = QStackedWidget()
        self._specs: list[ScreenSpec] = [s for s in SCREENS if s.shown_to(ctx.officer.role)]
        self.screens = Screens(self._build_screen)
        for spec in self._specs:
            item = QListWidgetItem(icon(spec.icon), spec.title)
            item.setToolTip(f"{spec.title} ({spec.shortcut})")
            self.nav.addItem(item)
        self.nav.currentRowChanged.connect(self._show_screen)

        content = QWidget()
        body = QHBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self.nav)
        body.addWidget(self.stack, 1)

        self.lock_screen: LockScreen | None = None  # built the first time the window locks
        self.pages = QStackedWidget()
        self.pages.addWidget(content)
        self._content = content

        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(ClassificationBanner())
        column.addWidget(header)
        # Says when the database server has gone and when it is back (issue #9 item 4).
        self.connection_banner = ConnectionBanner()
        column.addWidget(self.connection_banner)
        self.connection = ConnectionWatcher(ctx, self)
        self.connection.lost.connect(self.connection_banner.show_lost)
        self.connection.reconnected.connect(self.connection_banner.show_reconnected)
        column.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.location_label = QLabel(f"Database: {ctx.location}")
        self.location_label.setObjectName("locationLabel")
        self.location_label.setAccessibleName("Database location")
        self.statusBar().addPermanentWidget(self.location_label)

        self._build_menus()

        # -- settings and the idle lock ------------------------------------------------------
        geometry = ctx.settings.value(GEOMETRY_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._default_size()
        first = self._specs[0].key
        last = str(ctx.settings.value(SCREEN_KEY, first) or first)
        keys = [s.key for s in self._specs]
        self.nav.setCurrentRow(keys.index(last) if last in keys else 0)
        current = self.stack.currentWidget()
        if current is not None:
            current.setFocus(Qt.FocusReason.OtherFocusReason)  # the screen, not the navigation

        self.idle = IdleWatcher(
            idle_lock_ms if idle_lock_ms is not None else ctx.idle_lock_ms, self
        )
        self.idle.idle.connect(self.lock)
        self.idle.start()

    def _default_size(self) -> None:
        """Most of the screen on first run: the caseload has many columns."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is None or screen.width() <= 0:
            self.resize(1480, 900)
            return
        # The whole width of a screen up to 1,760 pixels (less room for the window's frame):
        # every caseload column fits a 1,600-pixel screen.
        self.resize(min(1760, screen.width() - 8), min(1000, int(screen.height() * 0.9)))
        self.move(screen.center() - self.rect().center())

    # -- menus and shortcuts --------------------------------------------------------------------

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        self.lock_action = QAction("&Lock now", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        file_menu.addAction(self.lock_action)
        file_menu.addSeparator()
        quit_action = QAction("Sign out and &quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        go_menu = menu.addMenu("&Go")
        self.screen_actions: dict[str, QAction] = {}
        for row, spec in enumerate(self._specs):
            action = QAction(spec.title, self)
            action.setShortcut(QKeySequence(spec.shortcut))
            action.triggered.connect(lambda _checked=False, r=row: self.show_screen_at(r))
            go_menu.addAction(action)
            self.addAction(action)
            self.screen_actions[spec.key] = action

        help_menu = menu.addMenu("&Help")
        keys_action = QAction("&Keyboard shortcuts", self)
        keys_action.setShortcut(QKeySequence(Qt.Key.Key_F1))
        keys_action.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys_action)
        for action in (self.lock_action, quit_action, keys_action):
            self.addAction(action)

    def shortcuts_text(self) -> str:
        lines = [f"{spec.shortcut}\t{spec.title}" for spec in self._specs]
        lines += [
            "Ctrl+F\tFilter the caseload",
            "Enter\tOpen the selected record",
            "F5\tRefresh",
            "Ctrl+Tab\tNext tab of a record",
            "Ctrl+S\tSave the plan draft (a record's Plan tab)",
            "Ctrl+N\tPlan a visit (Visits)",
            "Ctrl+M\tMove the selected visit (Visits)",
            "Ctrl+Delete\tCancel the selected visit (Visits)",
            "Ctrl+R\tRecord the selected visit's outcome (Visits)",
            "Ctrl+Shift+S\tSubmit the visit record for approval (Visits)",
            "Ctrl+O\tOpen the visited offender's record (Visits)",
            "Ctrl+E\tExport my visits to a calendar file (Visits)",
            "Alt+Left / Alt+Right / Alt+Home\tPrevious, next, this week (Visits)",
            "Ctrl+Shift+A\tApprove the chosen task (Inbox)",
            "Ctrl+Shift+R\tReturn the chosen task with a comment (Inbox)",
            "Ctrl+Shift+P\tProcess the chosen notification (Inbox)",
            "Ctrl+O\tOpen the chosen task's record (Inbox)",
            "Ctrl+N\tEnter a new notification (Inbox, hub officers)",
            "Ctrl+Shift+D\tRecord social care's decision on a PPN follow-up (Inbox)",
            "Ctrl+Shift+K\tAcknowledge a PPN escalation (Inbox)",
            "Alt+Left / Alt+Right / Alt+Home\tPrevious, next day, today (Team)",
            "Ctrl+E\tEdit the chosen draft PPN (Safeguarding)",
            "Ctrl+Shift+S\tSubmit the chosen PPN (Safeguarding)",
            "Ctrl+M\tRecord the MASH review (Safeguarding)",
            "Ctrl+D\tRecord children's social care's decision (Safeguarding)",
            "Ctrl+O\tOpen the PPN's offender record (Safeguarding)",
            "Ctrl+D\tDraw the sample again (Scrutiny)",
            "Ctrl+Delete / Ctrl+N\tRemove a record from / add one to the sample (Scrutiny)",
            "Ctrl+G\tGenerate the pack (Scrutiny)",
            "Ctrl+E / Ctrl+S\tEnter / save a record's findings (Scrutiny)",
            "Ctrl+P\tReprint a past pack (Scrutiny); the PDF (Dashboard, Daily sheet)",
            "Alt+Left / Alt+Right / Alt+Home\tPrevious, next, this month (Dashboard)",
            "Enter\tThe records behind a figure (Dashboard)",
            "Alt+Left / Alt+Right / Alt+Home\tDay before, day after, today (Daily sheet)",
            "Ctrl+L\tLock Pillars",
            "Esc\tClose a dialog or a record window",
            "Ctrl+Q\tSign out and quit",
        ]
        return "\n".join(lines)

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", self.shortcuts_text())

    # -- screens --------------------------------------------------------------------------------

    def show_screen_at(self, row: int) -> None:
        if self.locked:
            return
        self.nav.setCurrentRow(row)
        screen = self.stack.currentWidget()
        if screen is not None:
            screen.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_screen(self, key: str) -> None:
        self.show_screen_at([s.key for s in self._specs].index(key))

    def _build_screen(self, key: str) -> QWidget:
        """Builds the screen `key` of this officer's screens into the stack (see `Screens`)."""
        spec = next((s for s in self._specs if s.key == key), None)
        if spec is None:
            raise KeyError(key)
        screen = spec.build(self.ctx)
        self.stack.addWidget(screen)
        if hasattr(screen, "open_record"):
            screen.open_record.connect(self.open_record)
        return screen

    def _show_screen(self, row: int) -> None:
        if not 0 <= row < len(self._specs):
            return
        spec = self._specs[row]
        screen = self.screens[spec.key]
        self.stack.setCurrentWidget(screen)
        self.ctx.settings.setValue(SCREEN_KEY, spec.key)
        activate = getattr(screen, "activate", None)
        if callable(activate):
            activate()

    @property
    def current_screen_key(self) -> str:
        return self._specs[self.nav.currentRow()].key

    # -- records --------------------------------------------------------------------------------

    def open_record(self, offender_id: int) -> RecordWindow:
        window = self.records.get(offender_id)
        if window is None:
            from ui.record.window import RecordWindow  # on first use: start-up does not need it

            window = RecordWindow(self.ctx, offender_id, parent=self)
            window.destroyed.connect(lambda _obj=None, oid=offender_id: self.records.pop(oid, None))
            self.records[offender_id] = window
            window.show()
        else:
            window.showNormal()
            window.reload()
        window.raise_()
        window.activateWindow()
        self.record_opened.emit(window)
        return window

    # -- the idle lock --------------------------------------------------------------------------

    def lock(self) -> None:
        if self.locked:
            return
        self.locked = True
        self.idle.stop()
        self._focus_before_lock = QApplication.focusWidget()
        self._hidden_for_lock = [
            w
            for w in QApplication.topLevelWidgets()
            if w is not self and w.isVisible() and w.isWindow()
        ]
        for window in self._hidden_for_lock:
            window.hide()
        if self.lock_screen is None:
            self.lock_screen = LockScreen(self.ctx)
            self.lock_screen.unlocked.connect(self.unlock)
            self.lock_screen.quit_requested.connect(self.close)
            self.pages.addWidget(self.lock_screen)
        self.lock_screen.prepare()
        self.pages.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.lock_button.setEnabled(False)
        for action in self.actions():
            action.setEnabled(False)
        self.lock_screen.setFocus()
        log.info("locked after inactivity or on request")
        self.locked_changed.emit(True)

    def unlock(self) -> None:
        if not self.locked:
            return
        self.locked = False
        self.pages.setCurrentWidget(self._content)
        self.menuBar().setEnabled(True)
        self.lock_button.setEnabled(True)
        for action in self.actions():
            action.setEnabled(True)
        for window in self._hidden_for_lock:
            window.show()
        self._hidden_for_lock = []
        focus = self._focus_before_lock
        self._focus_before_lock = None
        if focus is not None:
            focus.window().activateWindow()
            focus.setFocus(Qt.FocusReason.OtherFocusReason)
        self.idle.start()
        self.locked_changed.emit(False)

    # -- closing --------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.ctx.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        self.ctx.settings.sync()
        self.idle.uninstall()
        for window in list(self.records.values()):
            window.close()
        super().closeEvent(event)
