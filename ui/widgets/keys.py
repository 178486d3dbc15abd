"""A screen's keyboard: its shortcuts, live only while focus is inside the screen (so two screens
may use the same keys), and its Tab order."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

Keys = QKeySequence | QKeySequence.StandardKey | Qt.Key | str


def screen_shortcuts(owner: QWidget, bindings: Iterable[tuple[Keys, Callable[[], object]]]) -> None:
    """One shortcut per (keys, slot), scoped to `owner` and its children."""
    for keys, slot in bindings:
        sequence = keys if isinstance(keys, QKeySequence) else QKeySequence(keys)
        QShortcut(sequence, owner, slot, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)


def tab_chain(owner: QWidget, widgets: Sequence[QWidget]) -> None:
    """Tab goes through `widgets` in this order."""
    for before, after in zip(widgets, widgets[1:], strict=False):
        owner.setTabOrder(before, after)
