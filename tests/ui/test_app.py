"""`run_gui(url)`: the whole start-up, driven from a timer inside its own event loop."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtWidgets import QApplication

from tests.desktop.factories import PASSWORD, World
from ui.app import GC_YOUNG_THRESHOLD, run_gui
from ui.main_window import MainWindow
from ui.signin.dialog import SignInDialog
from ui.widgets.pdf_view import viewer_folder


def drive(steps: list[Callable[[], bool]], give_up_ms: int = 20_000) -> list[str]:
    """Run each step from a timer until it returns True, then the next; quit when stuck. Both
    timers stop when the app's event loop ends, so a later test's windows are never closed by
    this one's give-up."""
    done: list[str] = []
    timer = QTimer()
    timer.setInterval(30)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.setInterval(give_up_ms)

    def tick() -> None:
        if not steps:
            timer.stop()
            return
        if steps[0]():
            done.append(steps.pop(0).__name__)

    def give_up() -> None:
        timer.stop()
        for widget in QApplication.topLevelWidgets():
            widget.close()
        QCoreApplication.exit(99)

    def stop() -> None:
        timer.stop()
        deadline.stop()

    timer.timeout.connect(tick)
    deadline.timeout.connect(give_up)
    app = QCoreApplication.instance()
    assert app is not None
    app.aboutToQuit.connect(stop, Qt.ConnectionType.SingleShotConnection)
    _running[:] = [timer, deadline]
    timer.start()
    deadline.start()
    return done


_running: list[QTimer] = []  # the timers of the run in progress, kept alive until it ends


def top(kind: type):
    return next(
        (w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()), None
    )


def test_missing_database_is_explained_and_the_app_closes(qapp, tmp_path: Path) -> None:
    seen: dict[str, str] = {}

    def message_shown() -> bool:
        dialog = top(SignInDialog)
        if dialog is None or "cannot open" not in dialog.message.text():
            return False
        seen["text"] = dialog.message.text()
        seen["sign_in_enabled"] = str(dialog.sign_in_button.isEnabled())
        dialog.close_button.click()
        return True

    done = drive([message_shown])
    thresholds = gc.get_threshold()
    try:
        code = run_gui(f"sqlite:///{tmp_path / 'absent.sqlite3'}")
    finally:
        # run_gui sets the app's collector thresholds and start-up freezes what it made: give
        # the next tests in this process the collector as they had it.
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    assert done == ["message_shown"] and code == 0
    assert "no Pillars database at" in seen["text"]
    assert seen["sign_in_enabled"] == "False"


def test_sign_in_to_the_caseload_and_close(qapp, db_url: str, world: World) -> None:
    seen: dict[str, object] = {}

    def signed_in() -> bool:
        dialog = top(SignInDialog)
        if dialog is None or not dialog.sign_in_button.isEnabled():
            return False
        dialog.username.setText("ada")
        dialog.password.setText(PASSWORD)
        dialog.sign_in_button.click()
        return True

    def caseload_loaded() -> bool:
        window = top(MainWindow)
        if window is None or window.screens["caseload"].model.total == 0:
            return False
        seen["count"] = window.screens["caseload"].model.total
        seen["status"] = window.location_label.text()
        seen["title"] = window.windowTitle()
        seen["gc"] = (gc.get_threshold()[0], gc.get_freeze_count())
        window.close()
        return True

    done = drive([signed_in, caseload_loaded])
    thresholds = gc.get_threshold()
    viewer_folder().mkdir(parents=True, exist_ok=True)
    left_over = viewer_folder() / "daily-sheet-21-11-2026.pdf"  # a copy an earlier session left
    left_over.write_bytes(b"%PDF-1.4 fictional")
    try:
        code = run_gui(db_url)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    assert done == ["signed_in", "caseload_loaded"] and code == 0
    assert seen["count"] == 3
    assert not left_over.exists()  # removed once signed in, or at the latest on closing
    # Signed in, start-up's objects are frozen out of the collector's passes (issue #10).
    young, frozen = seen["gc"]  # type: ignore[misc]
    assert young == GC_YOUNG_THRESHOLD and frozen > 10_000
    assert str(seen["status"]).startswith("Database: ") and "pillars.sqlite3" in str(seen["status"])


def test_a_module_imported_after_pyside6_is_not_read_from_disk(tmp_path, monkeypatch) -> None:
    """Start-up (issue #10): PySide6's import hook would read the whole source of every module
    imported after it; `ui` answers its question without reading, and the module still gets the
    default feature selection (0), as one that mentions PySide6 would."""
    import inspect
    import sys

    (tmp_path / "pillars_probe_module.py").write_text("ANSWER = 42\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    read: list[str] = []
    real = inspect.getsource
    monkeypatch.setattr(
        inspect, "getsource", lambda obj: read.append(getattr(obj, "__name__", "?")) or real(obj)
    )
    try:
        module = __import__("pillars_probe_module")
        assert module.ANSWER == 42
        assert "pillars_probe_module" not in read
        feature = sys.modules["shibokensupport.feature"]
        assert feature.pyside_feature_dict["pillars_probe_module"] == 0
    finally:
        sys.modules.pop("pillars_probe_module", None)
