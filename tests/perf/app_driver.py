"""Run the real desktop app in this process and drive it like a person, reporting on stdout.

    python tests/perf/app_driver.py startup URL USERNAME
    python tests/perf/app_driver.py memory URL USERNAME

It is started as a script (not `-m`), exactly as `floor_window.py` is, so that both pay the same
interpreter start-up. It runs the start-up path of `pillars gui --db URL` unchanged: it imports
`desktop.cli` first, as the `pillars` console script does, and calls its `main`, which calls
`ui.app.run_gui`. The one thing done earlier than in the app is creating the QApplication (after
PySide6 is imported, as in the app), which `ui.app.make_application` then adopts as its own and
names and styles as usual: the driver needs it to hook its timers and signals in before `run_gui`
enters the event loop. Nothing in `ui/` knows it is being driven; the driver reaches the widgets
through their public attributes.

The driver types the username and the demo password and presses Sign in as soon as the dialog's
Sign in button is enabled (the database is open), so no human typing time is included.

startup: when the caseload table's viewport has painted with rows in it, reports one line:

    painted <t> dialog=<t> database=<t> window=<t> rows=<t> cpu=<s> heavy=<modules>

<t> are `time.monotonic()` readings: the first paint with rows (read in a zero-timer posted from
that Paint event, so the paint has finished), the dialog on screen (the event loop's first turn),
the database open (Sign in enabled), the main window shown after sign-in, the rows loaded. On
Linux `time.monotonic` reads CLOCK_MONOTONIC, the same clock in every process, so the parent
subtracts the reading it took just before starting this process. `cpu` is the process's CPU
seconds so far (all threads); `heavy` the slow-to-import modules of `HEAVY` loaded by then. Then
the window is closed and the app shuts down as it would (signing out).

memory: after that first paint, switches the caseload to the whole force (when the officer may),
opens the first few records one after another, visits every screen in `ui.screens.SCREENS`, lets
every background job finish, and reports `peak <megabytes>`: the peak resident set of this
process, see `peak_rss_kb`.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Callable

# isort: off
# The `pillars` console script imports desktop.cli first, so SQLAlchemy loads before PySide6; keep
# that order: a module imported after PySide6 costs more (PySide6 inspects every later import).
from desktop.cli import main as pillars
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

# isort: on

PASSWORD = "pillars-demo"
RECORDS_TO_OPEN = 5
# Modules the start-up should not need (reportlab, psycopg: the issue; the others: slow imports).
HEAVY = ("reportlab", "psycopg", "alembic", "holidays", "icalendar")
GIVE_UP_MS = 120_000


def cpu_seconds() -> float:
    """CPU time of the whole process so far, every thread, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def peak_rss_kb() -> int:
    """The peak resident set of this process image, in KB: VmHWM from /proc/self/status.

    Not `getrusage(RUSAGE_SELF).ru_maxrss`: Linux carries that figure across exec, and Python
    starts children with vfork, so a child's ru_maxrss starts at its parent's peak (the benchmark's
    parent holds a 100,000-row caseload and reached ~490 MB; the app itself ~240 MB)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux, bytes on macOS


def report(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def top_level(kind_name: str) -> QObject | None:
    for widget in QApplication.topLevelWidgets():
        if type(widget).__name__ == kind_name and widget.isVisible():
            return widget
    return None


class FirstPaintWithRows(QObject):
    """Calls `then()` once, after the first Paint of the table's viewport that showed rows."""

    def __init__(self, screen: QObject, then: Callable[[], None]) -> None:
        super().__init__(screen)
        self.screen = screen
        self.then = then
        self.fired = False
        screen.table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if (
            not self.fired
            and event.type() == QEvent.Type.Paint
            and self.screen.model.rowCount() > 0
        ):
            self.fired = True
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.then)  # runs once this Paint event has been handled
        return False


class Driver(QObject):
    def __init__(self, mode: str, username: str) -> None:
        super().__init__()
        self.mode = mode
        self.username = username
        self.window: QObject | None = None
        self.watch: FirstPaintWithRows | None = None
        self.steps: list[Callable[[], bool]] = []
        self.stages: list[tuple[str, float]] = []  # (what, time.monotonic()) along the way
        self.poll = QTimer(self)
        self.poll.setInterval(20)
        self.poll.timeout.connect(self._tick)

    # -- signing in --------------------------------------------------------------------------

    def stage(self, what: str) -> None:
        self.stages.append((what, time.monotonic()))

    def find_dialog(self) -> None:
        dialog = top_level("SignInDialog")
        if dialog is None:
            QTimer.singleShot(1, self.find_dialog)
            return
        self.stage("dialog")
        dialog.signed_in.connect(self._signed_in)  # after the Shell's: the window exists
        if dialog.sign_in_button.isEnabled():
            self._sign_in(dialog)
        else:
            dialog.database_ready.connect(lambda: self._sign_in(dialog))

    def _sign_in(self, dialog: QObject) -> None:
        self.stage("database")
        dialog.username.setText(self.username)
        dialog.password.setText(PASSWORD)
        dialog.sign_in_button.click()

    def _signed_in(self, _actor: object) -> None:
        self.stage("window")
        window = top_level("MainWindow")
        if window is None:
            fail("signed in, but no main window is on screen")
            return
        self.window = window
        self.watch = FirstPaintWithRows(window.screens["caseload"], self._painted)
        window.screens["caseload"].loaded.connect(lambda: self.stage("rows"))

    # -- after the first paint ---------------------------------------------------------------

    def _painted(self) -> None:
        if self.mode == "startup":
            painted = time.monotonic()
            stages = " ".join(f"{what}={at:.6f}" for what, at in self.stages)
            heavy = ",".join(m for m in HEAVY if m in sys.modules) or "none"
            report(f"painted {painted:.6f} {stages} cpu={cpu_seconds():.6f} heavy={heavy}")
            self.window.close()
            return
        self.steps = self._memory_steps()
        self.poll.start()

    def _tick(self) -> None:
        while self.steps and self.steps[0]():
            self.steps.pop(0)
        if not self.steps:
            self.poll.stop()

    def _memory_steps(self) -> list[Callable[[], bool]]:
        window = self.window
        ctx = window.ctx
        screen = window.screens["caseload"]
        opened: list[QObject] = []

        def idle() -> bool:
            return not ctx.runner.busy

        def whole_force() -> bool:
            box = screen.scope_box
            for i in range(box.count()):
                if box.itemData(i) == "force" and box.currentIndex() != i:
                    box.setCurrentIndex(i)  # loads in the background
            return True

        def open_records() -> bool:
            if not idle():
                return False
            if len(opened) >= min(RECORDS_TO_OPEN, screen.model.rowCount()):
                return True
            record = window.open_record(screen.model.row_at(len(opened) * 7).offender_id)
            opened.append(record)
            return False

        def visit_screens() -> bool:
            for row in range(window.nav.count()):
                window.show_screen_at(row)
                QApplication.processEvents()
            window.show_screen_at(0)
            return True

        def finish() -> bool:
            if not idle():
                return False
            QApplication.processEvents()
            report(f"peak {peak_rss_kb() / 1024:.1f} rows {screen.model.total}")
            window.close()
            return True

        return [idle, whole_force, idle, open_records, visit_screens, idle, finish]


def fail(message: str) -> None:
    report(f"failed {message}")
    for widget in QApplication.topLevelWidgets():
        widget.close()
    QApplication.exit(3)


def main(argv: list[str]) -> int:
    mode, url, username = argv
    app = QApplication(sys.argv[:1])  # adopted by ui.app.make_application
    driver = Driver(mode, username)
    QTimer.singleShot(0, driver.find_dialog)
    QTimer.singleShot(GIVE_UP_MS, lambda: fail("gave up waiting"))
    code = pillars(["gui", "--db", url])
    del app
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
