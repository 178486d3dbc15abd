"""The idle lock's clock: an application-wide event filter notes each key press, click, wheel
turn or mouse move, and a timer checks how long it has been. After the policy's idle minutes
(15 by default) `idle` fires and the main window locks itself."""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.ShortcutOverride,
    }
)


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, interval_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = max(1, int(interval_ms))
        self._last = time.monotonic()
        self._timer = QTimer(self)
        # Check often enough to lock within about a fortieth of the interval, at most every 5 s.
        self._timer.setInterval(max(20, min(5000, self.interval_ms // 40)))
        self._timer.timeout.connect(self._check)
        self._app: QCoreApplication | None = None

    def start(self) -> None:
        app = QCoreApplication.instance()
        if app is not None and self._app is None:
            app.installEventFilter(self)
            self._app = app
        self.touch()
        self._timer.start()

    def stop(self) -> None:
        """While locked the clock does not run; `start` again after unlocking."""
        self._timer.stop()

    def uninstall(self) -> None:
        self._timer.stop()
        if self._app is not None:
            self._app.removeEventFilter(self)
            self._app = None

    def touch(self) -> None:
        self._last = time.monotonic()

    @property
    def idle_for_ms(self) -> int:
        return int((time.monotonic() - self._last) * 1000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in _INPUT_EVENTS:
            self._last = time.monotonic()
        return False

    def _check(self) -> None:
        if self.idle_for_ms >= self.interval_ms:
            self._timer.stop()
            self.idle.emit()
