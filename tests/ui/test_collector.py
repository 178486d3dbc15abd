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

from ui import collector
from ui.background import BackgroundRunner


class Holder:
    """A window-like object in a cycle with itself, holding a Qt object of its own."""

    def __init__(self) -> None:
        self.me = self
        self.timer = QTimer()


def make_garbage_cycle(freed_on: list[str]) -> None:
    holder = Holder()
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
    # The hazard itself: with the collector automatic, a thread that allocates frees the cycle.
    freed_on: list[str] = []
    gc.collect()  # the young generation's count starts from nothing
    make_garbage_cycle(freed_on)
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
        ((699, 5, 5), (700, 10, 10), None),
        ((700, 5, 5), (700, 10, 10), 0),
        ((700, 10, 5), (700, 10, 10), 1),
        ((700, 10, 10), (700, 10, 10), 2),
        ((5_000, 0, 0), (0, 10, 10), None),  # gc.set_threshold(0): collection off
    ],
)
def test_the_generation_due_follows_pythons_rule(
    monkeypatch: pytest.MonkeyPatch,
    counts: tuple[int, int, int],
    thresholds: tuple[int, int, int],
    due: int | None,
) -> None:
    monkeypatch.setattr(gc, "get_count", lambda: counts)
    monkeypatch.setattr(gc, "get_threshold", lambda: thresholds)
    assert collector.due_generation() == due


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
