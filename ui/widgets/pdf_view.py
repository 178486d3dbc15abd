"""One way to show a PDF the app has made (a scrutiny pack, the dashboard, the daily sheet): a
page preview in the window, with Open in viewer, Save as and Print.

    preview = PdfPreview(parent)
    preview.show_pdf(data, "scrutiny-pack-Alder-2026-11-20.pdf")

The bytes are built on a worker thread by the caller (ui/background.py); this widget only shows
them. "Open in viewer" writes a copy readable by its owner only into the user's cache folder
and asks the desktop to open it. Printing draws each page at the printer's resolution.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from ui.background import BackgroundRunner

PRINT_DPI = 300  # pages are rendered for the printer at most this sharp


def viewer_folder() -> Path:
    """Where "Open in viewer" puts its copies: the user's own cache folder (not the shared temp
    folder), emptied of earlier copies by `remove_viewer_copies`."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("Pillars", appauthor=False)) / "viewer"


def remove_viewer_copies() -> int:
    """Delete the PDFs earlier sessions opened in the viewer (they hold OFFICIAL-SENSITIVE
    pages); returns how many. Called when the app starts."""
    removed = 0
    folder = viewer_folder()
    if folder.is_dir():
        for old in folder.glob("*.pdf"):
            try:
                old.unlink()
                removed += 1
            except OSError:
                continue
    return removed


def safe_file_name(text: str) -> str:
    """`text` as a file name on every desktop: letters, digits, dot, dash and underscore."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return name or "pillars.pdf"


class PdfPreview(QWidget):
    """Pages of one PDF, fitted to the width, with the actions a reader needs."""

    opened = Signal(str)  # the path handed to the system viewer (tests read it)
    built = Signal()  # a PDF asked for with `build` arrived and is shown
    build_failed = Signal(str)  # it could not be made: the sentence shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data = b""
        self._name = "pillars.pdf"
        self._buffer: QBuffer | None = None
        self._build_token = 0  # a newer build, or clear(), drops an older build's answer
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setAccessibleName("Preview")
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

        self.status = QLabel("Nothing to show yet.")
        self.status.setObjectName("muted")
        self.open_button = QPushButton("&Open in viewer")
        self.open_button.setToolTip("Open the PDF in the computer's own PDF viewer")
        self.save_button = QPushButton("Sa&ve as…")
        self.print_button = QPushButton("&Print…")
        for button, name in (
            (self.open_button, "Open the PDF in the computer's viewer"),
            (self.save_button, "Save the PDF as a file"),
            (self.print_button, "Print the PDF"),
        ):
            button.setAccessibleName(name)
            button.setEnabled(False)
        self.status.setAccessibleName("About the PDF")
        self.open_button.clicked.connect(self.open_in_viewer)
        self.save_button.clicked.connect(self.save_as)
        self.print_button.clicked.connect(self.print_pdf)

        actions = QHBoxLayout()
        actions.addWidget(self.status, 1)
        actions.addWidget(self.open_button)
        actions.addWidget(self.save_button)
        actions.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(actions)
        layout.addWidget(self.view, 1)

    # -- showing ---------------------------------------------------------------------------------

    def show_pdf(self, data: bytes, file_name: str) -> None:
        """Show `data`; `file_name` is what Save as and Open in viewer call it."""
        self.document.close()
        self._data = data
        self._name = safe_file_name(file_name)
        self._drop_buffer()
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        pages = self.document.pageCount()
        self.status.setText(f"{self._name} · {pages} page{'' if pages == 1 else 's'}")
        for button in (self.open_button, self.save_button, self.print_button):
            button.setEnabled(pages > 0)

    def clear(self, text: str = "Nothing to show yet.") -> None:
        self._build_token += 1
        self.document.close()
        self._drop_buffer()
        self._data = b""
        self.status.setText(text)
        for button in (self.open_button, self.save_button, self.print_button):
            button.setEnabled(False)

    def build(
        self,
        runner: BackgroundRunner,
        make: Callable[..., bytes],
        *args: Any,
        file_name: str,
        waiting: str,
        **kwargs: Any,
    ) -> None:
        """Make a PDF with `make(*args, **kwargs)` on a worker thread (the GUI never waits on a
        PDF) and show it, saying `waiting` meanwhile; emits `built`, or `build_failed(text)`
        with the reason shown in words."""
        self.clear(waiting)
        token = self._build_token
        runner.run(
            make,
            *args,
            on_result=lambda data: self._built(token, data, file_name),
            on_error=lambda exc: self._not_built(token, exc),
            owner=self,
            **kwargs,
        )

    def _built(self, token: int, data: bytes, file_name: str) -> None:
        if token == self._build_token:
            self.show_pdf(data, file_name)
            self.built.emit()

    def _not_built(self, token: int, exc: BaseException) -> None:
        if token == self._build_token:
            text = f"The PDF was not made. {error_text(exc)}"
            self.clear(text)
            self.build_failed.emit(text)

    def _drop_buffer(self) -> None:
        """Let go of the last PDF's bytes (the document is closed first)."""
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None

    @property
    def data(self) -> bytes:
        return self._data

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    # -- actions ---------------------------------------------------------------------------------

    def open_in_viewer(self) -> None:
        if not self._data:
            return
        try:
            folder = viewer_folder()
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            path = folder / self._name
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(self._data)
        except OSError as problem:
            QMessageBox.warning(
                self, "Could not open the PDF", f"{problem.strerror}: {problem.filename}."
            )
            return
        self.opened.emit(str(path))
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def save_as(self) -> None:
        if not self._data:
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save the PDF", self._name, "PDF (*.pdf)")
        if path:
            self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Write the PDF to `path` whole or not at all; says what went wrong."""
        target = Path(path)
        partial = target.with_name(target.name + ".part")
        try:
            partial.write_bytes(self._data)
            partial.replace(target)
        except OSError as problem:
            partial.unlink(missing_ok=True)
            QMessageBox.warning(
                self,
                "The PDF was not saved",
                f"{problem.strerror}: {problem.filename}. Choose another folder and try again.",
            )
            return False
        self.status.setText(f"Saved to {target}")
        return True

    def print_pdf(self) -> None:
        if not self._data:
            return
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self._name)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: object) -> int:
        """Draw every page onto `printer` (a QPrinter or any QPagedPaintDevice); returns pages."""
        painter = QPainter()
        if not painter.begin(printer):  # type: ignore[arg-type]
            QMessageBox.warning(
                self, "Could not print", "The printer could not be started; try again."
            )
            return 0
        pages = self.document.pageCount()
        try:
            for page in range(pages):
                if page:
                    printer.newPage()  # type: ignore[attr-defined]
                area = painter.viewport()
                points = self.document.pagePointSize(page)
                size = points.toSize().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
                # Rendered at no more than PRINT_DPI, then scaled onto the page: an A4 page at a
                # printer's 1,200 dpi would be a 560 MB image.
                scale = min(PRINT_DPI / 72, size.width() / max(points.width(), 1.0))
                image = self.document.render(
                    page, QSize(round(points.width() * scale), round(points.height() * scale))
                )
                painter.drawImage(QRect(area.topLeft(), size), image)
        finally:
            painter.end()
        return pages
