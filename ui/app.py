"""Starting the desktop app, in stages: logging, then the QApplication with its names and
stylesheet, then the sign-in dialog (which opens the database in the background), then the main
window. `run_gui(url)` is what `pillars gui` calls."""

from __future__ import annotations

import gc
import logging
import logging.handlers
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from desktop.lasting import lasting
from resources import RESOURCES
from ui.background import BackgroundRunner
from ui.context import AppContext
from ui.signin.dialog import SignInDialog
from ui.widgets.icons import icon
from ui.widgets.messages import show_error

if TYPE_CHECKING:
    from desktop.services.core import Services

log = logging.getLogger("pillars.ui")

ORGANISATION = "Pillars"
APPLICATION = "Pillars"


def log_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_log_dir(APPLICATION, appauthor=False)) / "pillars.log"


def setup_logging() -> None:
    """A rotating log file in the user's log directory (never a password: nothing logs one)."""
    root = logging.getLogger("pillars")
    if any(getattr(h, "_pillars", False) for h in root.handlers):
        return
    try:
        path = log_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._pillars = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    if root.level == logging.NOTSET:
        root.setLevel(logging.INFO)


def make_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (or the one already running, in tests), named and styled."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName(APPLICATION)
    app.setWindowIcon(icon("pillars"))
    apply_style(app)
    return app


def apply_style(app: QApplication) -> None:
    font = QFont(app.font())
    if font.pointSizeF() < 10.5:
        font.setPointSizeF(10.5)
    app.setFont(font)
    app.setStyleSheet(stylesheet())


def stylesheet() -> str:
    """resources/style.qss with `{icons}` made absolute: Qt reads url() paths from the working
    directory, not from the stylesheet's own folder."""
    text = (RESOURCES / "style.qss").read_text(encoding="utf-8")
    return text.replace("{icons}", (RESOURCES / "icons").as_posix())


def open_services(url: str) -> Services:
    """Runs in the background: opening the database imports SQLAlchemy and touches the file, so
    the sign-in dialog is on screen before either happens."""
    with lasting():
        from desktop.services.core import Services

    return Services(url)


def prepare_services(services: Services) -> None:
    """Runs in the background once the database is open, while the officer types: loads what
    signing in and the first screen need (the models and their mappers, the caseload's rules),
    about a quarter of a second that signing in would otherwise wait for (issue #10)."""
    with lasting():
        services.auth.prepare()
        _ = services.caseload  # building the service imports its modules


def import_main_window() -> None:
    """On the GUI thread while the dialog waits: the main window's modules and its first
    screen's, which signing in would otherwise wait for."""
    with lasting():
        import PySide6.QtDesigner  # noqa: F401 (the caseload's table: tables.plain_table_view)

        import ui.caseload.screen  # noqa: F401
        import ui.main_window  # noqa: F401


class Shell:
    """Moves from the sign-in dialog to the main window."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self.window: QWidget | None = None
        self._viewer_copies_removed = False
        self.dialog = SignInDialog(ctx, open_database=lambda: open_services(ctx.url))
        self.dialog.signed_in.connect(self._signed_in)
        self.dialog.database_ready.connect(self._prepare)

    def start(self) -> None:
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def _prepare(self) -> None:
        services = self.ctx.services
        if services is not None:
            self.ctx.runner.run(prepare_services, services, on_error=_not_prepared)
        QTimer.singleShot(0, import_main_window)

    def _signed_in(self, _actor: object) -> None:
        from ui.main_window import MainWindow  # after sign-in: the dialog shows sooner

        window = MainWindow(self.ctx)
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.window = window
        window.show()
        settle_memory()
        QTimer.singleShot(VIEWER_COPIES_AFTER_MS, self.remove_viewer_copies)

    def remove_viewer_copies(self) -> None:
        """Delete the PDFs earlier sessions opened in the viewer: a few seconds after sign-in, or
        when the app closes if that comes first. Not at start: the module loads QtPdf, which the
        start-up to the caseload does not need (issue #10)."""
        if self._viewer_copies_removed:
            return
        self._viewer_copies_removed = True
        from ui.widgets.pdf_view import remove_viewer_copies

        removed = remove_viewer_copies()
        if removed:
            log.info("removed %d PDF copies left from earlier sessions", removed)

    def sign_out(self) -> None:
        """After the event loop: audit the sign-out, then wait for it (no window is left)."""
        services, actor = self.ctx.services, self.ctx.actor
        if services is None or actor is None:
            return
        try:
            services.auth.sign_out(actor)
        except Exception:  # the sign-out record is best effort once the window has gone
            log.exception("could not record the sign-out")
        self.ctx.actor = None


def _not_prepared(exc: BaseException) -> None:
    """Preparing is only a head start: signing in meets and reports any problem itself."""
    log.debug("could not prepare the services before sign-in: %s", exc)


def settle_memory() -> None:
    """Once signed in: what start-up made (Qt's bindings, SQLAlchemy's mappers, the screens'
    classes) lives as long as the app, so freeze it out of the garbage collector's passes, and
    let young objects pile up further before a pass. Reference counting still frees nearly
    everything at once; only cycles wait. Without this, a screen that builds thousands of rows
    (an inbox of 9,000 tasks) spent a third of its time in collections that found nothing
    (issue #10)."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 20)


GC_YOUNG_THRESHOLD = 20_000  # allocations between passes over the young objects (Python: 700)
VIEWER_COPIES_AFTER_MS = 5_000  # the caseload is on screen by then


def run_gui(url: str) -> int:
    # What start-up makes lives as long as the app: collect the young less often from the start
    # (issue #10); `settle_memory` then freezes it all once signed in.
    gc.set_threshold(GC_YOUNG_THRESHOLD, 20, 20)
    setup_logging()
    app = make_application()
    settings = QSettings()
    runner = BackgroundRunner(app, default_error=lambda exc: show_error(None, exc))
    ctx = AppContext(settings=settings, runner=runner, url=url)
    log.info("starting")
    shell = Shell(ctx)
    shell.start()
    code = app.exec()
    runner.wait_for_done()
    shell.remove_viewer_copies()  # when the app closed before the timer came round
    shell.sign_out()
    ctx.close()
    settings.sync()
    return int(code)
