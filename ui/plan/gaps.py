"""The gaps of a plan, as a list that follows every edit: a pillar with no action, a present risk
factor no action answers, no contingency, the review date passed or missing, an action overdue.
Each gap is a sentence in the alert colour; when none is left the list says so in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.widgets import palette
from ui.widgets.forms import set_tone
from ui.widgets.icons import icon
from ui.widgets.labels import plural

NO_GAPS = (
    "No gaps: every pillar has an action, every present risk factor is answered, there is a "
    "contingency and the review date is still to come."
)


class GapsPanel(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Gaps", parent)
        self.setObjectName("gapsPanel")
        self.count = QLabel()
        self.count.setObjectName("gapsCount")
        self.count.setAccessibleName("How many gaps")
        self.count.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("gapsList")
        self.list.setAccessibleName("Plan gaps")
        self.list.setWordWrap(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count)
        layout.addWidget(self.list, 1)
        self._texts: list[str] = []
        self.show_gaps([])

    def show_gaps(self, gaps: Sequence[Any]) -> None:
        texts = [g.text for g in gaps]
        if texts == self._texts and self.list.count():
            return
        self._texts = texts
        self.list.clear()
        if texts:
            alert = QBrush(QColor(palette.FOREGROUND["alert"]))
            warning = icon("alert")
            for text in texts:
                item = QListWidgetItem(warning, text)
                item.setForeground(alert)
                self.list.addItem(item)
            self.count.setText(plural(len(texts), "gap") + " to answer before this plan is whole.")
            set_tone(self.count, "alert")
        else:
            item = QListWidgetItem(NO_GAPS)
            item.setForeground(QBrush(QColor(palette.FOREGROUND["ok"])))
            self.list.addItem(item)
            self.count.setText("No gaps.")
            set_tone(self.count, "ok")

    def texts(self) -> list[str]:
        """The gaps shown (empty when there are none): for tests and screen readers."""
        return list(self._texts)
