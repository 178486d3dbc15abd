"""The versions of a plan, newest first, each with its state and who wrote and decided it; Enter
or the button opens the comparison of two of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QPushButton, QVBoxLayout, QWidget

from ui.widgets.dates import fmt_timestamp
from ui.widgets.labels import approval_state_label
from ui.widgets.tables import Cell, RowsTable

if TYPE_CHECKING:
    from desktop.services.plans import PlanEditorData

TONES = {"approved": "ok", "submitted": "warn", "returned": "warn", "superseded": "muted"}


def who(v: Any) -> str:
    """Who wrote a version and who decided it, when."""
    parts = [f"by {v.author}" if v.author else ""]
    if v.decided_by:
        verb = "approved" if v.state in ("approved", "superseded") else "returned"
        parts.append(f"{verb} by {v.decided_by}, {fmt_timestamp(v.decided_at)}")
    return "; ".join(p for p in parts if p)


class VersionsPanel(QGroupBox):
    """Emits `compare_requested()`."""

    compare_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Versions", parent)
        self.table = RowsTable(["Version, state, by whom"], "Plan versions", wrap=True)
        self.compare_button = QPushButton("Co&mpare versions…")
        self.compare_button.setAccessibleName("Compare two versions side by side")
        self.compare_button.clicked.connect(self.compare_requested)
        self.table.activated.connect(lambda _i: self.compare_requested.emit())
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.compare_button, 0, Qt.AlignmentFlag.AlignLeft)

    def show_versions(self, data: PlanEditorData) -> None:
        in_force = data.current.plan_id if data.current is not None else None
        self.table.set_rows(
            [
                [
                    Cell(
                        f"Version {v.plan_number}: {approval_state_label(v.state).lower()}"
                        + (", in force" if v.plan_id == in_force else "")
                        + (f"\n{who(v)}" if who(v) else ""),
                        TONES.get(v.state, ""),
                    )
                ]
                for v in data.versions
            ],
            [v.plan_id for v in data.versions],
        )
        enough = len(data.versions) >= 2
        self.compare_button.setEnabled(enough)
        self.compare_button.setToolTip("" if enough else "There is only one version so far")
