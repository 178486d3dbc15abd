"""The background-operation helper: work runs off the GUI thread, answers come back on it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QObject

from desktop.services.problems import PermissionRefused
from ui.background import BackgroundRunner


@pytest.fixture
def runner() -> Iterator[BackgroundRunner]:
    r = BackgroundRunner()
    yield r
    r.shutdown()


def test_result_arrives_on_the_gui_thread(qtbot, runner: BackgroundRunner) -> None:
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def work(a: int, b: int) -> int:
        seen["worker"] = threading.get_ident()
        return a + b

    def got(value: int) -> None:
        seen["value"] = value
        seen["callback"] = threading.get_ident()

    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.run(work, 2, b=3, on_result=got)
    assert seen["value"] == 5
    assert seen["worker"] != gui
    assert seen["callback"] == gui
    assert not runner.busy


def test_error_is_delivered_not_raised(qtbot, runner: BackgroundRunner) -> None:
    errors: list[BaseException] = []

    def refuse() -> None:
        raise PermissionRefused("A sergeant cannot change this record.")

    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.run(
            refuse, on_result=lambda _v: pytest.fail("no result expected"), on_error=errors.append
        )
    assert [str(e) for e in errors] == ["A sergeant cannot change this record."]


def test_default_error_handler_is_used(qtbot) -> None:
    errors: list[BaseException] = []
    runner = BackgroundRunner(default_error=errors.append)
    try:
        with qtbot.waitSignal(runner.finished, timeout=5000):
            runner.run(lambda: 1 / 0)
    finally:
        runner.shutdown()
    assert isinstance(errors[0], ZeroDivisionError)


def test_answer_for_a_deleted_owner_is_dropped(qtbot, runner: BackgroundRunner) -> None:
    owner = QObject()
    gate = threading.Event()
    called: list[object] = []
    with qtbot.waitSignal(runner.finished, timeout=5000):
        runner.run(lambda: gate.wait(5) and "done", on_result=called.append, owner=owner)
        owner.deleteLater()
        qtbot.waitUntil(lambda: not __import__("shiboken6").isValid(owner), timeout=2000)
        gate.set()
    assert called == []


def test_busy_changes_once_for_overlapping_jobs(qtbot, runner: BackgroundRunner) -> None:
    states: list[bool] = []
    runner.busy_changed.connect(states.append)
    gate = threading.Event()
    runner.run(gate.wait, 5)
    runner.run(gate.wait, 5)
    gate.set()
    qtbot.waitUntil(lambda: not runner.busy, timeout=5000)
    assert states == [True, False]


def test_shut_down_runner_refuses_work(runner: BackgroundRunner) -> None:
    runner.shutdown()
    with pytest.raises(RuntimeError):
        runner.run(lambda: None)
