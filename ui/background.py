"""The one way a screen runs work that touches the database (or builds a PDF): on a worker thread,
with the result or the error handed back on the GUI thread, so the window never freezes.

    ctx.runner.run(services.records.open, actor, offender_id,
                   on_result=self._show, on_error=self._failed, owner=self)

`owner` is the widget the answer is for: when it has been deleted by the time the answer arrives,
the answer is dropped instead of reaching a dead widget.

When the database server goes away (issue #9 item 4), the runner says so once for every screen
(`connection_lost`, which the main window's ConnectionWatcher turns into a banner and probes) and,
once a watcher has switched on `hold_for_reconnect`, decides what becomes of the job:
- nothing the job did can have been saved (it could not connect, or its connection broke before
  it sent a COMMIT of a change: PostgreSQL throws away the uncommitted work of a lost
  connection): the job waits, with no answer yet, and runs again by itself once the watcher
  reports the server back (`run_held`), so screens refresh by themselves;
- except in a dialog, which is a form a person types into: they may type on or cancel while
  waiting, so a later save would save stale text or something cancelled. The form is told at
  once that nothing was saved and that what was typed is kept (`ConnectionLost`);
- a COMMIT of a change was sent and no answer came: it may or may not have been saved, so it is
  never run again blindly; the screen is told so (`ConnectionLost`).
"""

from __future__ import annotations

import contextvars
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QDialog, QWidget

from desktop.services.problems import DatabaseProblem, ServiceError
from ui import collector

log = logging.getLogger("pillars.ui.background")

ResultCallback = Callable[[Any], None]
ErrorCallback = Callable[[BaseException], None]


NOTHING_SAVED = (
    "Lost the connection to the database server, so this was not done and nothing was saved. "
    "What you typed is kept: try again once Pillars says it has reconnected."
)
MAYBE_SAVED = (
    "Lost the connection to the database server just as this was being saved, so it may or may "
    "not have been saved. What you typed is kept: once Pillars says it has reconnected, check "
    "whether it was saved before saving again."
)


class ConnectionLost(DatabaseProblem):
    """What a screen is told when the server went away under its job and the job is not run
    again by itself (see the module's docstring); the database layer's error is its cause."""


def server_gone(exc: BaseException) -> bool:
    """The database server could not be reached or the connection to it broke: the database
    layer's ServerGone, known here by its `nothing_saved` flag (ui does not import db)."""
    return isinstance(exc, DatabaseProblem) and isinstance(
        getattr(exc, "nothing_saved", None), bool
    )


def _in_a_dialog(owner: QObject | None) -> bool:
    while owner is not None and not isinstance(owner, QWidget):
        owner = owner.parent()
    return owner is not None and isinstance(owner.window(), QDialog)


# Every runner not yet shut down or deleted (see BackgroundRunner).
_live: set[BackgroundRunner] = set()


@dataclass
class _Job:
    """One call `run` started: the callable, where its answer goes and whom it is for (`owner`);
    kept while it runs and while it waits for a reconnection (`rerun` is
    `rerun_when_reconnected`)."""

    job_id: int
    name: str
    on_result: ResultCallback | None
    on_error: ErrorCallback | None
    owner: QObject | None
    call: Callable[[], Any]
    rerun: bool | None
    on_dropped: ResultCallback | None = None  # the result, when `owner` has gone by then


def _drop_tracebacks(exc: BaseException) -> None:
    """Drop the traceback of `exc` and of every exception it was raised from or during."""
    seen: set[int] = set()
    pending: list[BaseException | None] = [exc]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.__traceback__ = None
        pending += [current.__cause__, current.__context__]


class BackgroundRunner(QObject):
    """Runs callables on its own thread pool and delivers each outcome on the GUI thread.

    `busy_changed(bool)` says when the first job starts and the last one ends; `finished(job_id)`
    fires after a job's callback ran (tests wait on it). `connection_lost()` fires each time a job
    finds the database server gone; jobs held for the reconnection (`held`) do not make it busy.

    From its making until it is shut down (or deleted), Python's garbage collector runs on the GUI
    thread only (ui.collector): a pass on one of its threads would delete the Qt objects of any
    garbage cycle there, not on the thread they belong to. For the same reason the runner itself
    is kept alive until then (a worker's task holds it while it runs; were that the last hold,
    the runner and its thread pool would be deleted on the pool's own thread): shut it down, or
    give it a parent, when done with it."""

    busy_changed = Signal(bool)
    finished = Signal(int)
    connection_lost = Signal()
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
        self._held: list[_Job] = []
        self.default_error = default_error
        # Switched on by a ConnectionWatcher, which probes the server and calls run_held().
        self.hold_for_reconnect = False
        self._outcome.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        collector.hold()
        holding = [True]
        _live.add(self)  # see _live: let go of in shutdown or when deleted, on the GUI thread

        def let_go(*_args: object) -> None:  # once, whether shut down or deleted first
            if holding[0]:
                holding[0] = False
                _live.discard(self)
                collector.release()

        self._let_go_of_collector = let_go
        # Direct: a queued call would never come if the runner were deleted on another thread.
        self.destroyed.connect(let_go, Qt.ConnectionType.DirectConnection)

    @property
    def busy(self) -> bool:
        return bool(self._jobs)

    @property
    def held(self) -> int:
        """How many jobs wait for the database server to come back."""
        return len(self._held)

    def run(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_result: ResultCallback | None = None,
        on_error: ErrorCallback | None = None,
        owner: QObject | None = None,
        rerun_when_reconnected: bool | None = None,
        on_dropped: ResultCallback | None = None,
        **kwargs: Any,
    ) -> int:
        """Start `fn(*args, **kwargs)` on a worker thread; returns the job's id.

        `rerun_when_reconnected` overrides the choice described in the module's docstring for a
        job that found the server gone having saved nothing: True waits and runs it again once
        reconnected, False tells `on_error` at once; None (the default) waits unless the job is
        a dialog's. `on_dropped` is given the result instead of `on_result` when `owner` has
        gone by then (to close what the job opened)."""
        if self._closed:
            raise RuntimeError("the background runner has been shut down")
        job_id = next(self._ids)
        name = getattr(fn, "__qualname__", repr(fn))

        def call() -> Any:
            return fn(*args, **kwargs)

        self._start(
            _Job(job_id, name, on_result, on_error, owner, call, rerun_when_reconnected, on_dropped)
        )
        return job_id

    def _start(self, job: _Job) -> None:
        self._jobs[job.job_id] = job
        if len(self._jobs) == 1:
            self.busy_changed.emit(True)
        job_id, name = job.job_id, job.name
        self._pool.start(lambda: self._work(job_id, name))

    def _work(self, job_id: int, name: str) -> None:
        # The job is let go of on the GUI thread only (`_deliver`): what it holds may be the last
        # hold on a widget (its owner, its callbacks, a dialog's closure as its call), and a Qt
        # object freed here would be deleted on the wrong thread. So the worker's task holds the
        # id alone, and the call is dropped before the outcome is sent.
        call = self._jobs[job_id].call
        try:
            # A context of its own: the database layer counts the commits a job sends in it.
            value = contextvars.Context().run(call)
        except Exception as exc:  # delivered to the GUI thread, which decides what to show
            del call
            if not isinstance(exc, ServiceError | DatabaseProblem):
                log.exception("background job %s failed", name)
            # Its traceback's frames hold the call's arguments and locals (a dialog): dropped
            # here, so that the GUI thread, which still holds the job, lets go of them last.
            # Nothing shows a job's traceback; the log above has it.
            _drop_tracebacks(exc)
            self._outcome.emit(job_id, False, exc)
        else:
            del call
            self._outcome.emit(job_id, True, value)

    @Slot(int, bool, object)
    def _deliver(self, job_id: int, ok: bool, value: Any) -> None:
        job = self._jobs.pop(job_id, None)
        held = False
        try:
            if job is None:
                return
            if job.owner is not None and not shiboken6.isValid(job.owner):
                log.debug("dropped the answer of %s: its window has gone", job.name)
                if ok and job.on_dropped is not None:
                    job.on_dropped(value)
                return
            if not ok and server_gone(value):
                self.connection_lost.emit()
                if self.hold_for_reconnect:
                    held = self._held_for_reconnect(job, value)
                    if held:
                        return
                    value = self._explained(value)
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
                if not held:
                    self.finished.emit(job_id)
                if not self._jobs:
                    self.busy_changed.emit(False)

    def _held_for_reconnect(self, job: _Job, exc: Any) -> bool:
        """Keep `job` to run again once reconnected when that is safe and wanted (see above)."""
        rerun = job.rerun if job.rerun is not None else not _in_a_dialog(job.owner)
        if not (exc.nothing_saved and rerun):
            return False
        log.info("%s waits for the database server to come back", job.name)
        self._held.append(job)
        return True

    @staticmethod
    def _explained(exc: Any) -> ConnectionLost:
        told = ConnectionLost(NOTHING_SAVED if exc.nothing_saved else MAYBE_SAVED)
        told.__cause__ = exc
        return told

    def run_held(self) -> int:
        """Run again every job held for the reconnection whose window is still there (the
        ConnectionWatcher calls this once the server answers); how many were started."""
        held, self._held = self._held, []
        started = 0
        for job in held:
            if job.owner is not None and not shiboken6.isValid(job.owner):
                log.debug("dropped %s, held for the reconnection: its window has gone", job.name)
                self.finished.emit(job.job_id)
                continue
            if not self._closed:
                self._start(job)
                started += 1
        return started

    def wait_for_done(self, msecs: int = -1) -> bool:
        """Block until every started job has run (not until its answer was delivered). For shutdown
        and tests only: the GUI never waits on a job."""
        return self._pool.waitForDone(msecs)

    def shutdown(self) -> None:
        """Drop jobs not yet started, wait for those running, and refuse new ones."""
        self._closed = True
        self._held.clear()
        self._pool.clear()
        self._pool.waitForDone()
        self._jobs.clear()
        self._let_go_of_collector()
