"""Python's garbage collector runs on the GUI thread while a background runner exists: a pass on a
runner's thread would delete the Qt objects of a garbage cycle there (ui.collector, whose probe
found windows, timers and a thread pool freed on the runner's threads before this)."""

from __future__ import annotations

import gc
import threading
import time
import weakref

import pytest
from PySide6.QtCore import QTimer

from desktop.services.problems import ServiceError
from ui import collector
from ui.background import BackgroundRunner

# These tests watch the runners' own hold: not the one tests/conftest.py gives every Qt test.
pytestmark = pytest.mark.own_collector


class Holder:
    """A window-like object in a cycle with itself, holding a Qt object of its own (`qt`)."""

    def __init__(self, qt: bool) -> None:
        self.me = self
        self.timer = QTimer() if qt else None


def make_garbage_cycle(freed_on: list[str], qt: bool = True) -> None:
    holder = Holder(qt)
    weakref.finalize(holder, lambda: freed_on.append(threading.current_thread().name))


def allocate() -> int:
    """Garbage cycles made on the runner's thread (as a database job leaves them), far past the
    young generation's threshold: an automatic collector would make its pass here."""
    for _ in range(100_000):
        node: list[object] = []
        node.append(node)
    return 0


def no_runner_left(qtbot) -> None:  # noqa: ANN001
    """Runners of earlier tests that nobody shut down are deleted (releasing the collector)."""
    gc.collect()
    qtbot.wait(1)
    assert collector.holders() == 0 and gc.isenabled()


def test_a_qt_object_in_a_garbage_cycle_is_freed_on_the_gui_thread(qtbot) -> None:
    no_runner_left(qtbot)
    # The hazard itself (shown without a Qt object, which would be deleted on the wrong thread):
    # with the collector automatic, a thread that allocates frees the cycle.
    freed_on: list[str] = []
    gc.collect()  # the young generation's count starts from nothing
    make_garbage_cycle(freed_on, qt=False)
    worker = threading.Thread(target=allocate, name="allocating thread")
    worker.start()
    worker.join()
    assert freed_on == ["allocating thread"]

    runner = BackgroundRunner()
    try:
        assert not gc.isenabled()
        freed_on.clear()
        make_garbage_cycle(freed_on)
        with qtbot.waitSignal(runner.finished, timeout=10_000):
            runner.run(allocate)
        # The runner's thread made no pass; the GUI thread's timer does, within its interval.
        qtbot.waitUntil(lambda: bool(freed_on), timeout=5_000)
        assert freed_on == [threading.main_thread().name]
    finally:
        runner.shutdown()
    assert gc.isenabled()


def test_the_automatic_collector_returns_when_the_last_runner_stops(qtbot) -> None:
    no_runner_left(qtbot)
    first, second = BackgroundRunner(), BackgroundRunner()
    assert collector.holders() == 2 and not gc.isenabled()
    first.shutdown()
    first.shutdown()  # twice: released once
    assert collector.holders() == 1 and not gc.isenabled()
    second.deleteLater()  # deleted without a shutdown: released too
    qtbot.waitUntil(lambda: collector.holders() == 0, timeout=5_000)
    assert gc.isenabled()


def test_a_collector_turned_off_elsewhere_stays_off(qtbot) -> None:
    no_runner_left(qtbot)
    gc.disable()
    try:
        runner = BackgroundRunner()
        runner.shutdown()
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize(
    ("counts", "thresholds", "due"),
    [
        ((700, 5, 5), (700, 10, 10), None),  # CPython passes only once a count exceeds it
        ((701, 10, 5), (700, 10, 10), 0),
        ((701, 11, 5), (700, 10, 10), 1),
        ((5_000, 0, 0), (0, 10, 10), None),  # gc.set_threshold(0): collection off
    ],
)
def test_the_generation_due_follows_cpythons_rule(
    monkeypatch: pytest.MonkeyPatch,
    counts: tuple[int, int, int],
    thresholds: tuple[int, int, int],
    due: int | None,
) -> None:
    monkeypatch.setattr(gc, "get_count", lambda: counts)
    monkeypatch.setattr(gc, "get_threshold", lambda: thresholds)
    assert collector.due_generation() == due


def test_a_full_pass_waits_until_the_oldest_generation_grew_by_a_quarter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    oldest = [object()] * 1_000
    monkeypatch.setattr(collector._Oldest, "total", 1_000)
    monkeypatch.setattr(collector._Oldest, "checked_at", -1)
    monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 10))
    monkeypatch.setattr(gc, "get_objects", lambda generation=None: oldest)
    monkeypatch.setattr(gc, "get_count", lambda: (701, 11, 11))
    assert collector.due_generation() == 1  # not grown: the middle generation instead
    oldest += [object()] * 250
    monkeypatch.setattr(gc, "get_count", lambda: (701, 11, 12))  # after another middle pass
    assert collector.due_generation() == 2


class Dialog:
    """A dialog-like object holding a Qt object, in no cycle: its last reference frees it."""

    def __init__(self) -> None:
        self.timer = QTimer()


class SlowToLetGo(BackgroundRunner):
    """A runner whose worker's task lingers after sending the outcome: the GUI thread has
    delivered it (and let go of the job) by the time the task ends."""

    def _work(self, *args: object) -> None:
        super()._work(*args)  # type: ignore[arg-type]
        time.sleep(0.3)


def start_saving(runner: BackgroundRunner, freed_on: list[str]) -> None:
    """A dialog's save: the job's call and its callback are all that hold the dialog."""
    dialog = Dialog()
    weakref.finalize(dialog, lambda: freed_on.append(threading.current_thread().name))

    def save(d: Dialog = dialog) -> str:
        return "saved"

    def saved(_value: str, d: Dialog = dialog) -> None:
        pass

    runner.run(save, on_result=saved)


def test_what_a_job_holds_is_let_go_of_on_the_gui_thread(qtbot) -> None:
    runner = SlowToLetGo()
    try:
        freed_on: list[str] = []
        with qtbot.waitSignal(runner.finished, timeout=5_000):
            start_saving(runner, freed_on)
        runner.wait_for_done()  # the worker's task has ended too
        qtbot.waitUntil(lambda: bool(freed_on), timeout=5_000)
        assert freed_on == [threading.main_thread().name]
    finally:
        runner.shutdown()


def start_failing(runner: BackgroundRunner, freed_on: list[str], errors: list[str]) -> None:
    """A dialog's save that fails: its traceback's frames held the dialog."""
    dialog = Dialog()
    weakref.finalize(dialog, lambda: freed_on.append(threading.current_thread().name))

    def save(d: Dialog = dialog) -> str:
        try:
            raise ValueError("the form is stale")
        except ValueError as exc:  # a chain, as a service's refusal often has
            raise ServiceError("refused") from exc

    def refused(exc: BaseException, d: Dialog = dialog) -> None:
        errors.append(str(exc))
        # Its frames (and the dialog in them) stayed behind, its cause's too.
        assert exc.__traceback__ is None and exc.__cause__ is not None
        assert exc.__cause__.__traceback__ is None

    runner.run(save, on_error=refused)


def test_what_a_failed_job_holds_is_let_go_of_on_the_gui_thread(qtbot) -> None:
    runner = SlowToLetGo()
    try:
        freed_on: list[str] = []
        errors: list[str] = []
        with qtbot.waitSignal(runner.finished, timeout=5_000):
            start_failing(runner, freed_on, errors)
        runner.wait_for_done()
        qtbot.waitUntil(lambda: bool(freed_on), timeout=5_000)
        assert errors == ["refused"]
        assert freed_on == [threading.main_thread().name]
    finally:
        runner.shutdown()
