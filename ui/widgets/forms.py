"""Small helpers for widgets whose look follows a dynamic property (tone, invalid)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def repolish(widget: QWidget) -> None:
    """Apply the stylesheet again after a property the stylesheet reads has changed."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


def set_tone(widget: QWidget, tone: str) -> None:
    """`tone` is "alert", "warn", "ok", "info", "muted" or "" (see resources/style.qss)."""
    if widget.property("tone") != tone:
        widget.setProperty("tone", tone)
        repolish(widget)


def set_invalid(widget: QWidget, invalid: bool) -> None:
    if bool(widget.property("invalid")) != invalid:
        widget.setProperty("invalid", invalid)
        repolish(widget)
