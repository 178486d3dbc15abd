"""Approvals on a record: the strip listing the work on this record waiting for a sergeant, with
Approve and Return… for an officer who may decide it, and the reason in words for one who may not
(nobody approves their own work; only the team's sergeants and team manager decide).

The strip only gathers the decision; the record window runs it in the background."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.record.dialogs import EditDialog, FieldSpec
from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.forms import set_tone

if TYPE_CHECKING:
    from desktop.services.records import OffenderRecord

KIND_WORDS = {
    "plan_approval": "Risk management plan",
    "assessment_approval": "Assessment",
    "visit_approval": "Visit record",
}


def what_is_waiting(p: Any) -> str:
    """The work in words ("Risk management plan version 2", "ARMS assessment"), without the
    offender's name and reference the record already shows."""
    title = p.title or ""
    if p.kind == "plan_approval":
        number = re.search(r"\bv(\d+)\b", title)
        return "Risk management plan" + (f" version {number[1]}" if number else "")
    if p.kind == "assessment_approval":
        if "RM2000" in title:
            return "RM2000 assessment"
        return "ARMS assessment" if "ARMS" in title else "Assessment"
    return KIND_WORDS.get(p.kind, title or "Work")


def describe(p: Any) -> str:
    """One line for a pending approval: what, who submitted it when, who has it, when due."""
    by = f" by {p.submitted_by}" if p.submitted_by else ""
    owner = getattr(p, "owner", "")
    due = fmt_date(p.due_on)
    when = f"approval OVERDUE since {due}" if getattr(p, "overdue", False) else f"due by {due}"
    return f"{what_is_waiting(p)}: submitted{by} on {fmt_timestamp(p.submitted_at)}; " + (
        f"with {owner}, {when}." if owner else f"{when}."
    )


class ApprovalsPanel(QFrame):
    """Emits `approve_requested(task_id)` and `return_requested(task_id)`."""

    approve_requested = Signal(int)
    return_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("approvalsPanel")
        self.heading = QLabel("Waiting for a sergeant's approval")
        self.heading.setObjectName("factCaption")
        self.rows = QVBoxLayout()
        self.rows.setSpacing(4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addLayout(self.rows)
        self.approve_buttons: dict[int, QPushButton] = {}
        self.return_buttons: dict[int, QPushButton] = {}
        self.reasons: dict[int, QLabel] = {}
        self.pending: list[Any] = []
        self.hide()

    def show_pending(self, pending: list[Any]) -> None:
        self.pending = list(pending)
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.approve_buttons.clear()
        self.return_buttons.clear()
        self.reasons.clear()
        single = len(self.pending) == 1
        for p in self.pending:
            self.rows.addWidget(self._row(p, mnemonic=single))
        self.heading.setText(
            "Waiting for a sergeant's approval"
            if self.pending
            else "Nothing on this record is waiting for approval"
        )
        self.setVisible(bool(self.pending))

    def _row(self, p: Any, *, mnemonic: bool) -> QWidget:
        row = QWidget()
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        text = QLabel(describe(p))
        text.setWordWrap(True)
        text.setAccessibleName("Waiting for approval")
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        set_tone(text, "alert" if getattr(p, "overdue", False) else "")
        line.addWidget(text, 1)
        what = what_is_waiting(p).lower()
        if p.can_decide:
            approve = QPushButton("&Approve" if mnemonic else "Approve")
            approve.setAccessibleName(f"Approve the {what}")
            approve.clicked.connect(lambda _c=False, t=p.task_id: self.approve_requested.emit(t))
            back = QPushButton("Ret&urn…" if mnemonic else "Return…")
            back.setAccessibleName(f"Return the {what} with a comment")
            back.clicked.connect(lambda _c=False, t=p.task_id: self.return_requested.emit(t))
            line.addWidget(approve)
            line.addWidget(back)
            self.approve_buttons[p.task_id] = approve
            self.return_buttons[p.task_id] = back
        else:
            why = QLabel(p.why_not or "You cannot decide this.")
            why.setObjectName("mutedText")
            why.setWordWrap(True)
            why.setAccessibleName("Why you cannot decide this")
            why.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            line.addWidget(why, 1)
            self.reasons[p.task_id] = why
        return row

    def pending_item(self, task_id: int) -> Any:
        return next((p for p in self.pending if p.task_id == task_id), None)


class ReturnDialog(EditDialog):
    """Returning work to its author: the comment saying what to change is required."""

    what = "decision"
    fields = (
        FieldSpec(
            "comment",
            "What to change",
            kind="text",
            required=True,
            hint="The offender manager sees this with the returned work",
        ),
    )

    def __init__(
        self,
        ctx: AppContext,
        record: OffenderRecord,
        pending: Any,
        parent: QWidget | None = None,
    ) -> None:
        self.pending = pending
        super().__init__(ctx, record, parent)
        self.setWindowTitle(f"Return: {record.name} ({record.reference})")
        self.intro.setText(describe(pending))
        self.save_button.setText("&Return")
        self.save_button.setAccessibleName("Return with this comment")

    def fill(self, record: OffenderRecord) -> None:
        pass

    def save_job(self) -> Callable[[], OffenderRecord]:
        comment = self.value("comment")
        svc, actor, offender_id, task_id = (
            self.ctx.svc,
            self.ctx.officer,
            self.offender_id,
            self.pending.task_id,
        )

        def job() -> OffenderRecord:
            svc.approvals.return_(actor, task_id, comment)
            return svc.records.open(actor, offender_id)

        return job
