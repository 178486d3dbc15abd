"""Two versions of a plan side by side: the contingency, licence conditions and review date, then
the actions pillar by pillar, each marked Added, Removed, Changed or Same in words and colour
(`services.plans.compare` matches the actions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.plan.texts import action_line
from ui.widgets.banner import ClassificationBanner
from ui.widgets.dates import fmt_date
from ui.widgets.forms import set_tone
from ui.widgets.labels import approval_state_label, pillar_label
from ui.widgets.messages import error_text
from ui.widgets.tables import Cell, RowsTable

if TYPE_CHECKING:
    from desktop.services.plans import PlanComparison, PlanEditorData

FIELD_NAMES = {
    "contingency": "Contingency",
    "licence_conditions": "Licence conditions and orders",
    "review_on": "Review by",
}
CHANGE_CELLS = {
    "added": ("Added", "ok"),
    "removed": ("Removed", "alert"),
    "changed": ("Changed", "warn"),
    "same": ("Same", "muted"),
}


def _action_text(action: Any) -> str:
    if action is None:
        return "—"
    factor = getattr(action, "answers_label", "") or (action.answers_factor or "")
    return action_line(action, action.owner_name, factor)


class CompareDialog(QDialog):
    """Emits `compared()` when a comparison is on screen."""

    compared = Signal()

    def __init__(
        self,
        ctx: AppContext,
        data: PlanEditorData,
        *,
        chosen: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data = data
        self.comparison: PlanComparison | None = None
        self.setObjectName("compareDialog")
        self.setWindowTitle(f"Compare plan versions: {data.name} ({data.reference})")
        self.setWindowFlag(Qt.WindowType.Window, True)

        self.before = QComboBox()
        self.before.setAccessibleName("Before: the older version")
        self.after = QComboBox()
        self.after.setAccessibleName("After: the newer version")
        versions = sorted(data.versions, key=lambda v: v.plan_number)
        for box in (self.before, self.after):
            for v in versions:
                box.addItem(
                    f"Version {v.plan_number} ({approval_state_label(v.state).lower()})",
                    v.plan_id,
                )
        ids = [v.plan_id for v in versions]
        after = ids.index(chosen) if chosen in ids else len(ids) - 1
        after = max(after, 1) if len(ids) > 1 else 0
        self.after.setCurrentIndex(after)
        self.before.setCurrentIndex(max(0, after - 1))
        before_label = QLabel("&Before")
        before_label.setBuddy(self.before)
        after_label = QLabel("&After")
        after_label.setBuddy(self.after)
        self.compare_button = QPushButton("&Compare")
        self.compare_button.setAccessibleName("Compare the two versions")
        self.compare_button.setDefault(True)
        self.compare_button.clicked.connect(self.compare)
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close the comparison")
        self.close_button.setAutoDefault(False)
        self.close_button.clicked.connect(self.close)
        choose = QHBoxLayout()
        choose.addWidget(before_label)
        choose.addWidget(self.before)
        choose.addSpacing(12)
        choose.addWidget(after_label)
        choose.addWidget(self.after)
        choose.addWidget(self.compare_button)
        choose.addStretch(1)
        choose.addWidget(self.close_button)

        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Comparison message")
        self.message.hide()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("What changed")

        self.fields = RowsTable(
            ["Field", "Before", "After", "Change"],
            "Plan fields compared",
            stretch=2,
            fit_rows=(3, 3),
            widest=150,
            wrap=True,
        )
        self.actions = RowsTable(
            ["Pillar", "Change", "Before", "After"],
            "Plan actions compared",
            stretch=3,
            widest=150,
            wrap=True,
        )
        self.only_changes = QCheckBox("&Hide actions that are the same")
        self.only_changes.setAccessibleName("Hide actions that are the same in both versions")
        self.only_changes.toggled.connect(self._show_actions)

        body = QVBoxLayout()
        body.setContentsMargins(16, 10, 16, 12)
        body.addLayout(choose)
        body.addWidget(self.message)
        body.addWidget(self.summary)
        body.addWidget(self.fields)
        body.addWidget(self.only_changes)
        body.addWidget(self.actions, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(ClassificationBanner())
        layout.addLayout(body, 1)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        self.resize(1240, 760)

    def compare(self) -> None:
        a, b = self.before.currentData(), self.after.currentData()
        if a is None or b is None:
            return
        if a == b:
            self._show_message("Choose two different versions to compare.", "alert")
            return
        self._show_message("Comparing…", "info")
        self.compare_button.setEnabled(False)
        self.ctx.runner.run(
            self.ctx.svc.plans.compare,
            self.ctx.officer,
            a,
            b,
            on_result=self.show_comparison,
            on_error=self._failed,
            owner=self,
        )

    def show_comparison(self, comparison: PlanComparison) -> None:
        self.comparison = comparison
        self.compare_button.setEnabled(True)
        self.message.hide()
        a, b = comparison.a, comparison.b
        names = (f"Version {a.plan_number}", f"Version {b.plan_number}")
        self.fields.rows.set_headers(["Field", f"Before: {names[0]}", f"After: {names[1]}", ""])
        self.actions.rows.set_headers(
            ["Pillar", "Change", f"Before: {names[0]}", f"After: {names[1]}"]
        )
        self.fields.set_rows(
            [
                [
                    FIELD_NAMES.get(f.name, f.name),
                    f.before or "—",
                    f.after or "—",
                    Cell("Changed", "warn") if f.before != f.after else Cell("Same", "muted"),
                ]
                for f in comparison.fields
            ]
        )
        self._show_actions()
        counts = {k: sum(1 for c in comparison.actions if c.change == k) for k in CHANGE_CELLS}
        fields_changed = sum(1 for f in comparison.fields if f.before != f.after)
        self.summary.setText(
            f"{names[0]} ({approval_state_label(a.state).lower()}"
            f"{', review ' + fmt_date(a.review_on) if a.review_on else ''}) against "
            f"{names[1]} ({approval_state_label(b.state).lower()}"
            f"{', review ' + fmt_date(b.review_on) if b.review_on else ''}): "
            f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed, "
            f"{counts['same']} the same; {fields_changed} of {len(comparison.fields)} other "
            "fields changed."
        )
        self.compared.emit()

    def _show_actions(self) -> None:
        if self.comparison is None:
            return
        hide_same = self.only_changes.isChecked()
        self.actions.set_rows(
            [
                [
                    pillar_label(c.pillar),
                    Cell(*CHANGE_CELLS.get(c.change, (c.change, ""))),
                    _action_text(c.before),
                    _action_text(c.after),
                ]
                for c in self.comparison.actions
                if not (hide_same and c.change == "same")
            ]
            or [["", Cell("None", "muted"), "Every action is the same in both versions.", ""]]
        )
        self._balance()

    def _balance(self) -> None:
        """The two versions get the same width, side by side (the "after" column stretches)."""
        for table, before in ((self.fields, 1), (self.actions, 2)):
            header = table.horizontalHeader()
            after = before + 1  # stretches into what is left
            others = sum(
                header.sectionSize(i) for i in range(header.count()) if i not in (before, after)
            )
            header.resizeSection(before, max(160, (table.viewport().width() - others) // 2))
            table.refit()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._balance()

    def _failed(self, exc: BaseException) -> None:
        self.compare_button.setEnabled(True)
        self._show_message(error_text(exc), "alert")

    def _show_message(self, text: str, tone: str) -> None:
        self.message.setText(text)
        set_tone(self.message, tone)
        self.message.show()
