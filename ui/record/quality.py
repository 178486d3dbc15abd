"""The record-quality section of a record's Summary: the score ("Quality 78% — 7 of 9 checks
passed") and each finding with its severity in words and colour, from the services' automatic
checks (`desktop.rules.quality`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from ui.widgets.forms import set_tone
from ui.widgets.labels import SEVERITY, humanise
from ui.widgets.tables import Cell, RowsTable

if TYPE_CHECKING:
    from desktop.services.records import OffenderRecord

AREAS = {
    "risk": "Risk",
    "plan": "Plan",
    "visits": "Visits",
    "address": "Address",
    "notifications": "Notifications",
    "ppn": "PPNs",
}


def score_tone(score: int) -> str:
    return "alert" if score < 50 else "warn" if score < 80 else "ok"


def score_text(report: Any) -> str:
    return (
        f"Quality {report.score}% — {report.passed} of {report.checks} checks passed"
        if report.checks
        else "Quality: no check applies to this record"
    )


class QualitySection(QGroupBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Record quality", parent)
        self.score = QLabel()
        self.score.setObjectName("qualityScore")
        self.score.setAccessibleName("Record quality score")
        self.score.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.findings = RowsTable(
            ["Severity", "Area", "Finding"],
            "Record quality findings",
            fit_rows=(1, 12),
            wrap=True,
        )
        layout = QVBoxLayout(self)
        layout.addWidget(self.score)
        layout.addWidget(self.findings)

    def show_record(self, r: OffenderRecord) -> None:
        report = getattr(r, "quality", None)
        self.setVisible(report is not None)
        if report is None:
            return
        self.score.setText(score_text(report) + ".")
        set_tone(self.score, score_tone(report.score) if report.checks else "")
        order = {"high": 0, "medium": 1, "low": 2}
        findings = sorted(report.findings, key=lambda f: order.get(f.severity, 3))
        self.findings.set_rows(
            [
                [
                    Cell(*SEVERITY.get(f.severity, (humanise(f.severity), ""))),
                    AREAS.get(f.area, humanise(f.area)),
                    f.text,
                ]
                for f in findings
            ]
            or [[Cell("None", "ok"), "", "Every check passed."]]
        )
