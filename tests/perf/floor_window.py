"""The start-up floor: a bare PySide6 window with a filled table, timed as the app is.

    python tests/perf/floor_window.py ROWS

Started as a script, like `app_driver.py`. A QApplication, a QMainWindow holding a QTableWidget of
ROWS rows and eleven columns of short text (the caseload's shape), sized as the app's main window
sizes itself on first run, shown; reports `painted <monotonic seconds>` from a zero-timer posted by
the table viewport's first Paint event, exactly as the driver does for the caseload, with the
process's CPU seconds so far (`cpu=`).
"""

from __future__ import annotations

import resource
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableWidget, QTableWidgetItem

COLUMNS = 11


class FirstPaint(QObject):
    def __init__(self, window: QMainWindow, table: QTableWidget) -> None:
        super().__init__(window)
        self.window = window
        self.fired = False
        table.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if not self.fired and event.type() == QEvent.Type.Paint:
            self.fired = True
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self.done)
        return False

    def done(self) -> None:
        painted = time.monotonic()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        sys.stdout.write(f"painted {painted:.6f} cpu={usage.ru_utime + usage.ru_stime:.6f}\n")
        sys.stdout.flush()
        self.window.close()


def main(argv: list[str]) -> int:
    rows = int(argv[0]) if argv else 60
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("Floor")
    table = QTableWidget(rows, COLUMNS)
    table.setHorizontalHeaderLabels([f"Column {c + 1}" for c in range(COLUMNS)])
    for r in range(rows):
        for c in range(COLUMNS):
            table.setItem(r, c, QTableWidgetItem(f"Cell {r + 1}.{c + 1}"))
    window.setCentralWidget(table)
    screen = window.screen().availableGeometry()
    window.resize(min(1760, int(screen.width() * 0.96)), min(1000, int(screen.height() * 0.9)))
    FirstPaint(window, table)
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
