"""The inbox's detail pane: the selected task in full, whether this desktop holds its claim, the
work to decide (ui/inbox/subject.py) and the buttons for what can be done with it. The pane only
asks: its signals say which button was pressed and the screen does it in the background."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.inbox import texts
from ui.inbox.subject import SubjectView, caption_label, text_label
from ui.widgets.dates import fmt_timestamp
from ui.widgets.forms import set_tone

if TYPE_CHECKING:
    from desktop.services.inbox import InboxItem

SHORTCUTS = {
    "approve": "Ctrl+Shift+A",
    "return": "Ctrl+Shift+R",
    "process": "Ctrl+Shift+P",
    "decision": "Ctrl+Shift+D",
    "acknowledge": "Ctrl+Shift+K",
    "open": "Ctrl+O",
    "new": "Ctrl+N",
}
DECISIONS = ("approve", "return", "process", "decision", "acknowledge")


class DetailPane(QWidget):
    approve_requested = Signal()
    return_requested = Signal()
    process_requested = Signal()
    decision_requested = Signal()  # a PPN follow-up: record social care's decision
    acknowledge_requested = Signal()  # a PPN escalation
    open_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxDetail")
        self.item: InboxItem | None = None
        self._claimed = False
        self._busy = False

        self.title = text_label("Task")
        self.title.setObjectName("dayTitle")
        self.facts: dict[str, QLabel] = {}
        left, right = QFormLayout(), QFormLayout()
        for form, captions in (
            (left, ("Offender", "Kind", "Raised", "Age")),
            (right, ("Owner", "On behalf of", "Due", "State")),
        ):
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for caption in captions:
                value = text_label(caption)
                form.addRow(caption_label(caption), value)
                self.facts[caption] = value
        facts = QHBoxLayout()
        facts.addLayout(left, 1)
        facts.addSpacing(24)
        facts.addLayout(right, 1)

        self.claim_label = QLabel()
        self.claim_label.setObjectName("stateLabel")
        self.claim_label.setWordWrap(True)
        self.claim_label.setAccessibleName("Who is working on this task")
        self.claim_label.hide()

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, text, name, signal in (
            ("approve", "Appro&ve", "Approve the work", self.approve_requested),
            ("return", "Ret&urn…", "Return the work with a comment", self.return_requested),
            ("process", "&Process…", "Process the notification", self.process_requested),
            (
                "decision",
                "Record social care's &decision…",
                "Record children's social care's decision on the PPN",
                self.decision_requested,
            ),
            (
                "acknowledge",
                "Ac&knowledge…",
                "Acknowledge the PPN escalation with what you decided",
                self.acknowledge_requested,
            ),
            ("open", "&Open record", "Open the offender's record", self.open_requested),
        ):
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.setToolTip(f"{name} ({SHORTCUTS[key]})")
            button.clicked.connect(signal)
            row.addWidget(button)
            self.buttons[key] = button
        row.addStretch(1)

        self.subject = SubjectView()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        layout.addLayout(facts)
        layout.addWidget(self.claim_label)
        layout.addLayout(row)
        layout.addWidget(self.subject, 1)
        self.show_nothing("Choose a task in the list to see it here.")

    # -- what is shown ----------------------------------------------------------------------------

    def show_nothing(self, text: str) -> None:
        self.item = None
        self._claimed = False
        self.title.setText("No task chosen")
        for value in self.facts.values():
            value.setText("")
        self.claim_label.hide()
        self.subject.show_words(text)
        self._update_buttons()

    def show_item(self, item: InboxItem, today: dt.date) -> None:
        self.item = item
        self._claimed = item.claimed_by_me
        self.title.setText(item.title)
        due, due_tone = texts.due_text(item, today)
        raised = fmt_timestamp(item.created_at)
        state, state_tone = texts.state_text(item)
        for caption, text, tone in (
            ("Offender", texts.offender_text(item), ""),
            ("Kind", item.kind_label, ""),
            ("Raised", f"{raised} by {item.submitted_by}" if item.submitted_by else raised, ""),
            ("Age", texts.age_text(item.age_days), ""),
            ("Owner", item.owner, ""),
            ("On behalf of", item.cover_reason or item.covering_for or "—", ""),
            ("Due", due, due_tone),
            ("State", state, state_tone),
        ):
            self.facts[caption].setText(text)
            set_tone(self.facts[caption], tone)
        if item.claimed_by_other:
            self.set_claim_text(texts.claimed_text(item.claimed_by, item.claimed_at) + ".", "alert")
        elif not item.can_act:
            self.set_claim_text(item.why_not or "You cannot act on this task.", "warn")
        else:
            self.claim_label.hide()
        self._update_buttons()

    def set_claim_text(self, text: str, tone: str) -> None:
        self.claim_label.setText(text)
        set_tone(self.claim_label, tone)
        self.claim_label.show()

    def set_claimed(self, claimed: bool) -> None:
        """Whether this desktop holds the task's claim: the decisions need it."""
        self._claimed = claimed
        if self.item is not None:
            state, tone = ("Claimed by you", "ok") if claimed else texts.state_text(self.item)
            self.facts["State"].setText(state)
            set_tone(self.facts["State"], tone)
        self._update_buttons()

    def set_state(self, text: str, tone: str) -> None:
        self.facts["State"].setText(text)
        set_tone(self.facts["State"], tone)

    def set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        item = self.item
        group = item.group if item is not None else ""
        self.buttons["approve"].setVisible(group == texts.APPROVAL)
        self.buttons["return"].setVisible(group == texts.APPROVAL)
        self.buttons["process"].setVisible(group == texts.HUB)
        kind = item.kind if item is not None else ""
        about_ppn = item is not None and item.subject_id is not None
        self.buttons["decision"].setVisible(kind == "ppn_follow_up" and about_ppn)
        self.buttons["acknowledge"].setVisible(kind == "ppn_escalation")
        self.buttons["open"].setVisible(item is not None and item.offender_id is not None)
        may = item is not None and item.can_act and self._claimed and not self._busy
        why = ""
        if item is not None and not item.can_act:
            why = item.why_not or "You cannot act on this task."
        elif item is not None and not self._claimed:
            why = "Waiting for the claim: only the officer working on a task decides it."
        for key in DECISIONS:
            button = self.buttons[key]
            button.setEnabled(may)
            name = button.accessibleName()
            button.setToolTip(f"{name} ({SHORTCUTS[key]})" if may else why)
        self.buttons["open"].setEnabled(item is not None and not self._busy)

    @property
    def claimed(self) -> bool:
        return self._claimed
