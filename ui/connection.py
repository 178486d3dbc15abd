"""Watching the database connection (issue #9 item 4): when a background job finds the server
gone, say so, ask the server every few seconds whether it is back, and once it answers run again
the work that was waiting for it (see ui/background.py for which work waits).

The main window makes one ConnectionWatcher and shows its `lost` and `reconnected` signals in a
ConnectionBanner (ui/widgets/connection.py)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from ui.context import AppContext

if TYPE_CHECKING:
    from desktop.services.core import Services

log = logging.getLogger("pillars.ui.connection")

FIRST_PROBE_MS = 2_000
LONGEST_PROBE_MS = 10_000


def ping(services: Services) -> None:
    """Ask the server for a connection, which costs one round trip: the engine's pre-ping
    replaces a pooled connection the server dropped. Raises the database layer's ServerGone
    while the server cannot be reached."""
    services.ping()


class ConnectionWatcher(QObject):
    """Probes the server from the first `connection_lost` of the runner until it answers: after
    `first_ms`, then twice as long each time up to `longest_ms`. `lost()` fires when the
    connection is found gone, `reconnected()` when the server answers again."""

    lost = Signal()
    reconnected = Signal()

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject | None = None,
        *,
        first_ms: int = FIRST_PROBE_MS,
        longest_ms: int = LONGEST_PROBE_MS,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.first_ms = first_ms
        self.longest_ms = longest_ms
        self.is_lost = False
        self.probes = 0  # probes since the connection was lost, answered or not
        self._delay = first_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._probe)
        ctx.runner.hold_for_reconnect = True
        ctx.runner.connection_lost.connect(self._connection_lost)

    def _connection_lost(self) -> None:
        if self.is_lost:
            return
        log.warning("lost the connection to the database server; probing until it answers")
        self.is_lost = True
        self.probes = 0
        self._delay = self.first_ms
        self._timer.start(self._delay)
        self.lost.emit()

    def _probe(self) -> None:
        if self.ctx.services is None:
            return
        self.probes += 1
        self.ctx.runner.run(
            ping,
            self.ctx.services,
            on_result=self._answered,
            on_error=self._not_yet,
            owner=self,
            rerun_when_reconnected=False,
        )

    def _not_yet(self, exc: BaseException) -> None:
        log.info("the database server does not answer yet: %s", exc)
        self._delay = min(self._delay * 2, self.longest_ms)
        self._timer.start(self._delay)

    def _answered(self, _value: object) -> None:
        self.is_lost = False
        waiting = self.ctx.runner.run_held()
        log.warning("reconnected to the database server; running %d waiting jobs again", waiting)
        self.reconnected.emit()
