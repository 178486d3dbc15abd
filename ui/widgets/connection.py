"""The strip under the header that says the database connection was lost and is coming back."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from ui.widgets.forms import set_tone

LOST = "Lost the connection to the database server. Reconnecting… (what you were typing is kept)"
RECONNECTED = "Reconnected"
RECONNECTED_SHOWN_MS = 3_000


class ConnectionBanner(QLabel):
    """Hidden while all is well. `show_lost()` shows LOST until `show_reconnected()`, which shows
    RECONNECTED for `reconnected_ms` and then hides."""

    def __init__(
        self, parent: QWidget | None = None, *, reconnected_ms: int = RECONNECTED_SHOWN_MS
    ) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBanner")
        self.setAccessibleName("Database connection")
        self.setWordWrap(True)
        self.setMargin(6)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._hide_later = QTimer(self)
        self._hide_later.setSingleShot(True)
        self._hide_later.setInterval(reconnected_ms)
        self._hide_later.timeout.connect(self.hide)
        self.hide()

    def show_lost(self) -> None:
        self._hide_later.stop()
        self._say(LOST, "warn")

    def show_reconnected(self) -> None:
        self._say(RECONNECTED, "ok")
        self._hide_later.start()

    def _say(self, text: str, tone: str) -> None:
        self.setText(text)
        self.setAccessibleDescription(text)
        set_tone(self, tone)
        self.show()
