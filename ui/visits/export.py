"""Export an officer's planned visits as an iCalendar file for their phone or mail calendar.

The calendar carries the offender's reference, the crew and the postcode district only, each
event marked confidential (see `desktop.services.visit_export`). The file is written in the
background, atomically: a failed export leaves no half-written file."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QWidget

if TYPE_CHECKING:
    from desktop.services.actor import Actor
    from desktop.services.core import Services

FILTER = "iCalendar files (*.ics)"


@dataclass(frozen=True)
class Exported:
    """What `export_job` saved, for the planner's message: the file, how many planned visits it
    holds, and whose they are."""

    path: Path
    visits: int
    officer: str  # username


def ask_path(parent: QWidget | None, username: str, folder: str = "") -> Path | None:
    """Where to save, from the save-file dialog; None when the person cancelled."""
    start = Path(folder or Path.home()) / f"pillars-visits-{username}.ics"
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, "Export planned visits as a calendar", str(start), FILTER
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == ".ics" else path.with_name(path.name + ".ics")


def export_job(services: Services, actor: Actor, username: str, path: Path) -> Exported:
    """Runs in the background: build the calendar (audited by the service), then write it."""
    export = services.visits.export(username, actor=actor)
    write_atomically(path, export.data)
    return Exported(path, export.visits, export.officer)


def write_atomically(path: Path, data: bytes) -> None:
    folder = path.parent
    handle, temporary = tempfile.mkstemp(prefix=".pillars-", suffix=".ics.part", dir=folder)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
