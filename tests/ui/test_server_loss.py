"""Server loss (issue #9 item 4), as a person sees it: the PostgreSQL server stops under a signed-in
main window; the window says it is reconnecting, what was typed stays, a save tried meanwhile is
refused saying nothing was saved, and once the server is back the screens load again by
themselves and the save goes through.

The server is a throwaway one of these tests' own (tests/pg_server.py), never the shared one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QPlainTextEdit, QWidget
from sqlalchemy import select, update

from db.engine import make_engine
from db.models import Offender
from desktop.services.core import Services
from desktop.services.records import IdentityEdit
from tests.desktop.factories import PASSWORD, world_clock
from tests.pg_server import ServerDatabase, lost_server_db, pg_server  # noqa: F401 (fixtures)
from tests.ui.helpers import unnamed, wait_idle
from ui.background import MAYBE_SAVED, NOTHING_SAVED, BackgroundRunner, ConnectionLost
from ui.caseload.screen import CaseloadScreen
from ui.connection import ConnectionWatcher
from ui.context import AppContext
from ui.main_window import MainWindow
from ui.record.dialogs import IdentityDialog
from ui.widgets.connection import LOST, RECONNECTED

# Probing as often as a person would not need, so that the tests are quick.
FIRST_PROBE_MS, LONGEST_PROBE_MS = 200, 1_000


@pytest.fixture
def ctx(
    qtbot,
    lost_server_db: ServerDatabase,  # noqa: F811
    settings: QSettings,
) -> Iterator[AppContext]:
    """Ada signed in, on the throwaway server."""
    services = Services(lost_server_db.url, clock=world_clock)
    context = AppContext(
        settings=settings, runner=BackgroundRunner(), url=lost_server_db.url, services=services
    )
    context.actor = services.auth.sign_in("ada", PASSWORD)
    yield context
    context.runner.shutdown()
    services.close()


def column(url: str, offender_id: int, name: str) -> str:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            value = conn.scalar(select(getattr(Offender, name)).where(Offender.id == offender_id))
    finally:
        engine.dispose()
    return str(value)


def rename(url: str, offender_id: int, surname: str) -> None:
    """Another desktop's change, made while this one shows the old name."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(update(Offender).where(Offender.id == offender_id).values(surname=surname))
    finally:
        engine.dispose()


def test_the_window_reconnects_keeps_the_typing_and_carries_on(
    qtbot,
    ctx: AppContext,
    lost_server_db: ServerDatabase,  # noqa: F811
) -> None:
    db = lost_server_db
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.connection.first_ms, window.connection.longest_ms = FIRST_PROBE_MS, LONGEST_PROBE_MS
    window.show()
    qtbot.waitExposed(window)
    caseload = window.screens["caseload"]
    assert isinstance(caseload, CaseloadScreen)
    wait_idle(qtbot, ctx)
    banner = window.connection_banner
    assert banner.isHidden() and unnamed(window) == []

    record_window = window.open_record(db.world.zebedee)
    qtbot.waitUntil(lambda: record_window.record is not None, timeout=10_000)
    wait_idle(qtbot, ctx)
    record_window.edit_identity()
    dialog = record_window.dialog
    assert isinstance(dialog, IdentityDialog)
    notes = dialog.inputs["notes"]
    assert isinstance(notes, QPlainTextEdit)
    typed = "Seen at the allotment; says he moves to Northvale in June (synthetic)."
    notes.clear()
    qtbot.keyClicks(notes, typed)

    other = next(r for r in caseload.model.all_rows() if r.offender_id != db.world.zebedee)
    rename(db.url, other.offender_id, "Marchbank")
    db.server.stop()

    # A refresh finds the server gone: the banner says so and the refresh waits.
    caseload.reload()
    qtbot.waitUntil(banner.isVisible, timeout=10_000)
    assert banner.text() == LOST and "Reconnecting" in banner.text()
    assert ctx.runner.held == 1

    # A save meanwhile is refused, saying nothing was saved; the form keeps what was typed.
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.message.isVisible() and dialog.save_button.isEnabled())
    assert dialog.message.text() == NOTHING_SAVED
    assert dialog.isVisible() and notes.toPlainText() == typed

    # The server comes back: the banner says so and goes, the caseload loads by itself.
    with qtbot.waitSignal(caseload.loaded, timeout=20_000):
        db.server.start()
    assert banner.text() == RECONNECTED and ctx.runner.held == 0
    names = {r.offender_id: r.name for r in caseload.model.all_rows()}
    assert names[other.offender_id].endswith(" Marchbank")
    qtbot.waitUntil(banner.isHidden, timeout=10_000)

    # Saving again works, and the text is in the database.
    assert notes.toPlainText() == typed
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save_button.click()
    assert column(db.url, db.world.zebedee, "notes") == typed


def test_work_that_may_have_saved_is_not_run_again_by_itself(
    qtbot,
    ctx: AppContext,
    lost_server_db: ServerDatabase,  # noqa: F811
) -> None:
    """A job that saved and then lost the server reading the record back: running it again
    could save twice, so the screen is told instead, and the watcher's reconnection leaves it."""
    db = lost_server_db
    owner = QWidget()
    qtbot.addWidget(owner)
    watcher = ConnectionWatcher(ctx, owner, first_ms=FIRST_PROBE_MS, longest_ms=LONGEST_PROBE_MS)
    svc, actor = ctx.svc, ctx.officer
    record = svc.records.open(actor, db.world.horatio)
    edit = IdentityEdit(
        forename=record.forename,
        surname=record.surname,
        date_of_birth=record.date_of_birth.strftime("%d/%m/%Y"),
        gender=record.gender or "",
        aliases="\n".join(record.aliases),
        notes="Saved as the server went (synthetic).",
    )
    runs: list[int] = []

    def save_then_read() -> object:
        runs.append(len(runs) + 1)
        svc.records.update_identity(actor, db.world.horatio, record.version, edit)
        db.server.stop()
        return svc.records.open(actor, db.world.horatio)

    told: list[BaseException] = []
    with qtbot.waitSignal(watcher.lost, timeout=20_000):
        ctx.runner.run(save_then_read, on_error=told.append, owner=owner)
    qtbot.waitUntil(lambda: bool(told))
    assert isinstance(told[0], ConnectionLost) and str(told[0]) == MAYBE_SAVED
    assert ctx.runner.held == 0

    with qtbot.waitSignal(watcher.reconnected, timeout=20_000):
        db.server.start()
    wait_idle(qtbot, ctx)
    assert runs == [1]
    assert column(db.url, db.world.horatio, "notes") == edit.notes


def test_work_held_for_a_window_that_has_gone_is_dropped(
    qtbot,
    ctx: AppContext,
    lost_server_db: ServerDatabase,  # noqa: F811
) -> None:
    """A read waiting for the server belongs to a window closed meanwhile: once reconnected it
    is not run, and the window's callbacks are never called."""
    db = lost_server_db
    owner = QWidget()
    watcher = ConnectionWatcher(ctx, first_ms=FIRST_PROBE_MS, longest_ms=LONGEST_PROBE_MS)
    svc, actor = ctx.svc, ctx.officer
    runs: list[str] = []

    def read() -> object:
        runs.append("read")
        return svc.records.open(actor, db.world.zebedee)

    answers: list[object] = []
    db.server.stop()
    with qtbot.waitSignal(watcher.lost, timeout=20_000):
        ctx.runner.run(read, on_result=answers.append, on_error=answers.append, owner=owner)
    qtbot.waitUntil(lambda: ctx.runner.held == 1)
    owner.deleteLater()
    qtbot.waitUntil(lambda: not shiboken6.isValid(owner))

    with qtbot.waitSignal(watcher.reconnected, timeout=20_000):
        db.server.start()
    wait_idle(qtbot, ctx)
    assert runs == ["read"] and answers == [] and ctx.runner.held == 0
