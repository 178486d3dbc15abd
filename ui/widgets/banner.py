"""The protective marking shown at the top of every window that shows a record."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

MARKING = "OFFICIAL-SENSITIVE"


class ClassificationBanner(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(MARKING, parent)
        self.setObjectName("classificationBanner")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        # One line high wherever it sits: a dialog taller than its contents must not grow it.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Protective marking")
        self.setAccessibleDescription(f"This window shows {MARKING} information")
