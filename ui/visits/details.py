"""One visit in full, with what can be done next: record the outcome, move, cancel, submit the
record, open the offender's record. The failed-access flag (s96B) of the offender is fetched in
the background and shown here too. When children were present, the Safeguarding section shows the
PPN decision and offers to make it (issue #7, item 4): Submit stays disabled, saying why, until
it is made.

The dialog only asks: `requested(action)` says which button was pressed ("record", "move",
"cancel", "submit", "plan", "open") and the screen does it, on `visit` as it now stands (a PPN
decision saves the visit: `visit_changed(view)`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.visits import texts
from ui.visits.form import set_tone
from ui.visits.safeguarding import SafeguardingSection
from ui.widgets.banner import ClassificationBanner
from ui.widgets.dates import fmt_date
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.visit_facts import VisitFlags
    from desktop.services.visits import VisitView


SUBMIT_WHY = "Record the outcome first; a submitted record waits for the sergeant"


class VisitDetailsDialog(QDialog):
    requested = Signal(str)
    flags_loaded = Signal()
    visit_changed = Signal(object)  # the visit as saved after a PPN decision made here

    def __init__(self, ctx: AppContext, visit: VisitView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.visit = visit
        self.setObjectName("visitDetailsDialog")
        self.setWindowTitle(f"Visit to {visit.reference} {visit.name}")
        self.setMinimumWidth(560)
        now = ctx.svc.now()
        state, tone = texts.visit_state(visit, now)

        self.facts: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        def fact(caption: str, text: str, fact_tone: str = "") -> QLabel:
            value = QLabel(text or "—")
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setAccessibleName(caption)
            if fact_tone:
                set_tone(value, fact_tone)
            label = QLabel(caption)
            label.setObjectName("factCaption")
            form.addRow(label, value)
            self.facts[caption] = value
            return value

        fact("Offender", f"{visit.reference} {visit.name}")
        fact("When", texts.when_text(visit))
        fact("Purpose", texts.purpose_text(visit.purpose))
        fact("Crew", texts.crew_text(visit))
        fact("Announced", texts.announced_text(visit))
        window = texts.window_text(visit.window_start, visit.window_end)
        outside = texts.outside_window_text(visit)
        fact(
            "Visit window", f"{window}. {outside}" if outside else window, "warn" if outside else ""
        )
        fact("Outcome and record", state, tone)
        if visit.occurred_at is not None:
            fact("Took place", f"{fmt_date(visit.occurred_at.date())} {visit.occurred_at:%H:%M}")
            fact("Home circumstances", visit.home_circumstances)
            children = {None: "Not recorded", True: "Yes", False: "No"}[visit.children_present]
            fact("Children present", children, "warn" if visit.children_present else "")
        if visit.notes:
            fact("Notes" if visit.outcome != "cancelled" else "Why cancelled", visit.notes)
        if visit.return_comment:
            fact("Sergeant's comment", visit.return_comment, "alert")
        self.flags = fact("Failed access", "Checking…")
        self.flags.setAccessibleName("Failed access and warrant consideration")
        self.last_seen = fact("Last seen", "Checking…")

        self.buttons = QDialogButtonBox()
        self.action_buttons: dict[str, QPushButton] = {}
        for key, text, name, enabled, why in (
            (
                "record",
                "&Record outcome…",
                "Record the outcome",
                visit.can_record,
                "Only an officer on the crew or the offender's manager can record an open visit",
            ),
            (
                "submit",
                "&Submit for approval",
                "Submit the record for approval",
                visit.can_submit,
                visit.submit_blocked or SUBMIT_WHY,
            ),
            (
                "move",
                "&Move…",
                "Move the visit",
                visit.can_change,
                "Only a planned visit can be moved, by the manager or the team's sergeant",
            ),
            (
                "cancel",
                "&Cancel visit…",
                "Cancel the visit",
                visit.can_change,
                "Only a planned visit can be cancelled, by the manager or the team's sergeant",
            ),
            ("open", "&Open record", "Open the offender's record", True, ""),
        ):
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.setEnabled(enabled)
            button.setAutoDefault(False)
            if not enabled and why:
                button.setToolTip(why)
            button.clicked.connect(lambda _checked=False, k=key: self._request(k))
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
            self.action_buttons[key] = button
        self.close_button = QPushButton("Close")
        self.close_button.setAccessibleName("Close the visit's details")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.reject)
        self.buttons.addButton(self.close_button, QDialogButtonBox.ButtonRole.RejectRole)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 12)
        layout.setSpacing(0)
        layout.addWidget(ClassificationBanner())
        body = QVBoxLayout()
        body.setContentsMargins(16, 12, 16, 0)
        body.setSpacing(12)
        body.addLayout(form)
        self.safeguarding: SafeguardingSection | None = None
        if visit.children_present:
            self.safeguarding = SafeguardingSection(ctx, visit, self)
            self.safeguarding.changed.connect(self._decided)
            body.addWidget(self.safeguarding)
        body.addWidget(self.buttons)
        layout.addLayout(body)
        # wide enough for every action's whole label: the button box alone squeezes them
        self.setMinimumWidth(max(560, self.buttons.sizeHint().width() + 32))

        first = next((b for b in self.action_buttons.values() if b.isEnabled()), None)
        (first or self.close_button).setFocus()
        ctx.runner.run(
            ctx.svc.visits.flags,
            ctx.officer,
            visit.offender_id,
            on_result=self._show_flags,
            on_error=self._no_flags,
            owner=self,
        )

    def _decided(self, view: VisitView) -> None:
        self.visit = view
        submit = self.action_buttons["submit"]
        submit.setEnabled(view.can_submit)
        submit.setToolTip("" if view.can_submit else view.submit_blocked or SUBMIT_WHY)
        self.visit_changed.emit(view)

    def _request(self, action: str) -> None:
        self.accept()
        self.requested.emit(action)

    def _show_flags(self, flags: VisitFlags) -> None:
        if flags.warrant_consideration:
            text = f"{texts.WARRANT_TEXT}: {texts.failed_text(flags.failed_attempts)}"
            tone = "alert"
        else:
            text = texts.failed_text(flags.failed_attempts)
            tone = "warn" if flags.failed_attempts else ""
        self.flags.setText(text)
        self.flags.setToolTip(texts.WARRANT_TIP if flags.warrant_consideration else "")
        set_tone(self.flags, tone)
        if flags.last_seen is None:
            self.last_seen.setText("Never seen")
            set_tone(self.last_seen, "warn")
        else:
            self.last_seen.setText(fmt_date(flags.last_seen))
        self.flags_loaded.emit()

    def _no_flags(self, exc: BaseException) -> None:
        self.flags.setText(f"Not shown: {error_text(exc)}")
        self.last_seen.setText("—")
        self.flags_loaded.emit()
