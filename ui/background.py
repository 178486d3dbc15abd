"""The one way a screen runs work that touches the database (or builds a PDF): on a worker thread,
with the result or the error handed back on the GUI thread, so the window never freezes.

    ctx.runner.run(services.records.open, actor, offender_id,
                   on_result=self._show, on_error=self._failed, owner=self)

`owner` is the widget the answer is for: when it has been deleted by the time the answer arrives,
the answer is dropped instead of reaching a dead widget.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot

from desktop.services.problems import DatabaseProblem, ServiceError

log = logging.getLogger("pillars.ui.background")

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


@dataclass
class _Job:
    job_id: int
    name: str
    on_result: ResultCallback | None
    on_error: ErrorCallback | None
    owner: QObject | None


class BackgroundRunner(QObject):
    """Runs callables on its own thread pool and delivers each outcome on the GUI thread.

    `busy_changed(bool)` says when the first job starts and the last one ends; `finished(job_id)`
    fires after a job's callback ran (tests wait on it)."""

    busy_changed = Signal(bool)
    finished = Signal(int)
    # Emitted on a worker thread; queued to the GUI thread, where this object lives.
    _outcome = Signal(int, bool, object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_threads: int = 2,
        default_error: ErrorCallback | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._pool.setExpiryTimeout(30_000)
        self._jobs: dict[int, _Job] = {}
        self._ids = itertools.count(1)
        self._closed = False
        self.default_error = default_error
        self._outcome.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
        owner: QObject | None = None,
        **kwargs: Any,
    ) -> int:
        """Start `fn(*args, **kwargs)` on a worker thread; returns the job's id."""
        if self._closed:
            raise RuntimeError("the background runner has been shut down")
        job_id = next(self._ids)
        name = getattr(fn, "__qualname__", repr(fn))
        self._jobs[job_id] = _Job(job_id, name, on_result, on_error, owner)
        if len(self._jobs) == 1:
            self.busy_changed.emit(True)
        self._pool.start(lambda: self._work(job_id, name, fn, args, kwargs))
        return job_id

    def _work(
        self, job_id: int, name: str, fn: Callable[..., Any], args: tuple, kwargs: dict
    ) -> None:
        try:
            value = fn(*args, **kwargs)
        except Exception as exc:  # delivered to the GUI thread, which decides what to show
            if not isinstance(exc, ServiceError | DatabaseProblem):
                log.exception("background job %s failed", name)
            self._outcome.emit(job_id, False, exc)
        else:
            self._outcome.emit(job_id, True, value)

    @Slot(int, bool, object)
    def _deliver(self, job_id: int, ok: bool, value: Any) -> None:
        job = self._jobs.pop(job_id, None)
        try:
            if job is None:
                return
            if job.owner is not None and not shiboken6.isValid(job.owner):
                log.debug("dropped the answer of %s: its window has gone", job.name)
                return
            if ok:
                if job.on_result is not None:
                    job.on_result(value)
            elif job.on_error is not None:
                job.on_error(value)
            elif self.default_error is not None:
                self.default_error(value)
            else:
                log.error("background job %s failed with nobody to tell: %s", job.name, value)
        finally:
            if job is not None:
                self.finished.emit(job_id)
                if not self._jobs:
                    self.busy_changed.emit(False)

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until every started job has run (not until its answer was delivered). For shutdown
        and tests only: the GUI never waits on a job."""
        return self._pool.waitForDone(msecs)

    def shutdown(self) -> None:
        """Drop jobs not yet started, wait for those running, and refuse new ones."""
        self._closed = True
        self._pool.clear()
        self._pool.waitForDone()
        self._jobs.clear()
