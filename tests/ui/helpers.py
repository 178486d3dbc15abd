"""Small helpers shared by the UI tests."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from ui.context import AppContext

INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractItemView,
    QPlainTextEdit,
    QTextEdit,
    QAbstractSpinBox,
    QTabBar,
)
# Parts Qt builds inside another widget (a combo box's list, a line edit's clear button, a
# table's corner button): the screen reader announces their owner.
_INTERNAL_OWNERS = (QComboBox, QLineEdit, QAbstractSpinBox, QTabBar, QAbstractItemView)


def wait_idle(qtbot, ctx: AppContext, timeout: int = 10_000) -> None:
    """Wait until every background job of `ctx` has delivered its answer."""
    qtbot.waitUntil(lambda: not ctx.runner.busy, timeout=timeout)


def interactive_widgets(root: QWidget) -> list[QWidget]:
    """Every widget under `root` a person can focus or operate, Qt's internal parts excepted."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or isinstance(widget, QHeaderView):
            continue
        if widget.objectName().startswith("qt_"):
            continue
        parent = widget.parentWidget()
        internal = False
        while parent is not None and parent is not root.parentWidget():
            if isinstance(parent, _INTERNAL_OWNERS):
                internal = True
                break
            parent = parent.parentWidget()
        if not internal:
            found.append(widget)
    return found


def unnamed(root: QWidget) -> list[str]:
    """Interactive widgets with no accessible name, described for the failure message."""
    return [
        f"{type(w).__name__}({w.objectName()!r}, {getattr(w, 'text', lambda: '')()!r})"
        for w in interactive_widgets(root)
        if not w.accessibleName().strip()
    ]
