"""The protective marking shown at the top of every window that shows a record."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

MARKING = "OFFICIAL-SENSITIVE"


class ClassificationBanner(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(MARKING, parent)
        self.setObjectName("classificationBanner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setAccessibleName("Protective marking")
        self.setAccessibleDescription(f"This window shows {MARKING} information")
