"""The PDF preview the pack, dashboard and daily sheet share: pages shown, saved whole, opened
in the viewer as a file only its owner can read, and printed page by page."""

from __future__ import annotations

import io
import stat
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QPageSize, QPdfWriter
from reportlab.pdfgen import canvas

from ui.widgets.pdf_view import PdfPreview, remove_viewer_copies, safe_file_name, viewer_folder


def _pdf(pages: int) -> bytes:
    out = io.BytesIO()
    drawing = canvas.Canvas(out)
    for number in range(1, pages + 1):
        drawing.drawString(72, 720, f"Synthetic page {number} of {pages}")
        drawing.showPage()
    drawing.save()
    return out.getvalue()


def test_shows_the_pages_and_saves_the_bytes_whole(qtbot, tmp_path: Path) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    assert not preview.save_button.isEnabled()
    assert all(b.accessibleName() for b in (preview.open_button, preview.save_button))
    data = _pdf(3)
    preview.show_pdf(data, "Scrutiny pack / Alder 20/11/2026.pdf")
    assert preview.page_count == 3
    assert "3 pages" in preview.status.text()
    assert preview.print_button.isEnabled() and preview.open_button.isEnabled()
    target = tmp_path / "copy.pdf"
    assert preview.save_to(str(target))
    assert target.read_bytes() == data
    assert not (tmp_path / "copy.pdf.part").exists()


def test_open_in_viewer_writes_an_owner_only_copy(qtbot, monkeypatch) -> None:
    asked: list[QUrl] = []
    # The desktop's own viewer is outside the app: record the request instead of launching one.
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: asked.append(url) or True)
    preview = PdfPreview()
    qtbot.addWidget(preview)
    data = _pdf(1)
    preview.show_pdf(data, "daily sheet 22/11/2026.pdf")
    with qtbot.waitSignal(preview.opened) as opened:
        preview.open_in_viewer()
    path = Path(opened.args[0])
    assert path.name == "daily-sheet-22-11-2026.pdf" and path.parent == viewer_folder()
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert asked and asked[0].toLocalFile() == str(path)
    assert remove_viewer_copies() == 1 and not path.exists()  # what the app does at start


def test_prints_every_page(qtbot, tmp_path: Path) -> None:
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.show_pdf(_pdf(4), "pack.pdf")
    target = tmp_path / "printed.pdf"
    printer = QPdfWriter(str(target))
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setResolution(1200)  # rendered at 300 dpi at most, then scaled onto the page
    assert preview.print_to(printer) == 4
    del printer
    assert len(PdfReader(target).pages) == 4


def test_file_names_are_safe_everywhere() -> None:
    assert safe_file_name("Pack: Alder / 20/11/2026.pdf") == "Pack-Alder-20-11-2026.pdf"
    assert safe_file_name("///") == "pillars.pdf"


def test_build_makes_the_pdf_in_the_background_and_says_why_when_it_cannot(qtbot) -> None:
    from desktop.services.errors import ServiceError
    from ui.background import BackgroundRunner

    runner = BackgroundRunner()
    preview = PdfPreview()
    qtbot.addWidget(preview)
    try:
        with qtbot.waitSignal(preview.built, timeout=10_000):
            preview.build(runner, _pdf, 2, file_name="sheet.pdf", waiting="Building…")
            assert preview.status.text() == "Building…"
        assert preview.page_count == 2 and "sheet.pdf" in preview.status.text()

        def refuse() -> bytes:
            raise ServiceError("Only team managers may print it; nothing was printed.")

        with qtbot.waitSignal(preview.build_failed, timeout=10_000) as failed:
            preview.build(runner, refuse, file_name="x.pdf", waiting="Building…")
        assert failed.args[0].endswith("Only team managers may print it; nothing was printed.")
        assert preview.page_count == 0 and not preview.save_button.isEnabled()

        # an answer that arrives after clear() is dropped
        preview.build(runner, _pdf, 1, file_name="late.pdf", waiting="Building…")
        preview.clear("Moved on.")
        qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
        assert preview.page_count == 0 and preview.status.text() == "Moved on."
    finally:
        runner.shutdown()
