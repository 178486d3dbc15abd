"""How an error from the background reaches a person: its own words, never a traceback."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.services.problems import DatabaseProblem, ServiceError

log = logging.getLogger("pillars.ui")


def error_text(exc: BaseException) -> str:
    """The sentence to show for an error: services' own message, or a plain one for a bug."""
    if isinstance(exc, ServiceError | DatabaseProblem):
        return str(exc)
    return (
        "Something went wrong and nothing was changed. The details are in the Pillars log. "
        f"({type(exc).__name__}: {exc})"
    )


def show_error(parent: QWidget | None, exc: BaseException, title: str = "Pillars") -> None:
    QMessageBox.warning(parent, title, error_text(exc))
