"""A visit's Safeguarding section: no silent closing (issue #7, item 4). When children were present,
the record is not submitted until the officer raises a PPN from the visit or records why none is
needed; the section shows the decision and offers both.

- "Raise PPN…" opens the safeguarding screens' Raise PPN dialog for the visit, the concern dated
  at the visit; the PPN service makes the decision "PPN raised".
- "No PPN needed…" asks for the reason (`NoPpnDialog`) and saves it through the visit service.
After either, the visit is fetched again in the background and `changed(VisitView)` says so, so
that its dialog and the Submit action follow. The services check who may; the buttons only say
in advance what they would refuse."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.visits import texts
from ui.visits.form import VisitForm, set_tone, text_box
from ui.widgets.dates import fmt_date
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.problems import ValidationFailed
    from desktop.services.visits import VisitView

NOTHING_SAVED = "Nothing was saved."
SAVE_OUTCOME_FIRST = (
    "Save the outcome first; then raise a PPN or record why none is needed, here or from the "
    "visit's details."
)
NOT_YOURS = (
    "Only an officer on the visit's crew or the offender's manager can decide, while the record "
    "is a draft or returned."
)


def outcome_recorded(view: VisitView) -> bool:
    return view.occurred_at is not None and view.outcome not in ("planned", "cancelled")


class SafeguardingSection(QWidget):
    """The decision and the two buttons. Emits `changed(view)` with the visit as saved after a
    decision, and `dialog_opened(dialog)` when it opens one. `note`, a warning the owner shows
    about children present, goes under the heading; the decision then needs no tone of its own
    while it is still to be made (one warning, not two)."""

    changed = Signal(object)
    dialog_opened = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        visit: VisitView,
        parent: QWidget | None = None,
        *,
        note: QLabel | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.visit = visit
        self.note = note
        self.dialog: QDialog | None = None
        self._hint = ""
        self.setObjectName("safeguardingSection")
        self.setAccessibleName("Safeguarding")

        self.heading = QLabel("Safeguarding")
        self.heading.setObjectName("dayTitle")
        self.status = QLabel()
        self.status.setObjectName("ppnDecision")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("PPN decision")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint = QLabel()
        self.hint.setObjectName("mutedText")
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("About the PPN decision")
        self.hint.hide()
        self.raise_button = QPushButton("Raise &PPN…")
        self.raise_button.setAccessibleName("Raise a PPN from this visit")
        self.no_ppn_button = QPushButton("No PPN needed…")
        self.no_ppn_button.setAccessibleName("Record that no PPN is needed, with the reason")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.raise_button, self.no_ppn_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.raise_button.clicked.connect(self.raise_ppn)
        self.no_ppn_button.clicked.connect(self.no_ppn_needed)

        column = QVBoxLayout(self)
        column.setContentsMargins(0, 4, 0, 0)
        column.setSpacing(6)
        column.addWidget(self.heading)
        if note is not None:
            column.addWidget(note)
        column.addWidget(self.status)
        column.addWidget(self.hint)
        column.addLayout(buttons)
        self.show_visit(visit)

    # -- showing -----------------------------------------------------------------------------------

    def show_visit(self, visit: VisitView) -> None:
        """Show `visit`'s decision; the buttons work once its outcome is recorded and while the
        asking officer may record it."""
        self.visit = visit
        text, tone = texts.ppn_decision_text(visit)
        self.status.setText(text)
        set_tone(self.status, "" if tone == "warn" and self.note is not None else tone)
        why = ""
        if not visit.can_record:
            why = NOT_YOURS
        elif not outcome_recorded(visit):
            why = SAVE_OUTCOME_FIRST
        self._hint = why
        set_tone(self.hint, "")
        self.hint.setText(why)
        self.hint.setVisible(bool(why))
        self._update_buttons()

    def _update_buttons(self) -> None:
        enabled = not self._hint and self.dialog is None
        for button in (self.raise_button, self.no_ppn_button):
            button.setEnabled(enabled)
            button.setToolTip(self._hint)
        self.no_ppn_button.setText(
            "Change the reason…" if self.visit.ppn_decision == "no_ppn_needed" else "No PPN needed…"
        )

    # -- deciding ----------------------------------------------------------------------------------

    def raise_ppn(self) -> None:
        if self.dialog is not None:
            return
        from ui.safeguarding.dialogs import RaisePpnDialog  # the safeguarding screens' dialog

        dialog = RaisePpnDialog(
            self.ctx,
            self.visit.offender_id,
            visit_id=self.visit.visit_id,
            concern_at=self.visit.occurred_at,
            parent=self.window(),
        )
        dialog.saved.connect(lambda _ppn_id: self._reload())
        self._open(dialog)

    def no_ppn_needed(self) -> None:
        if self.dialog is not None:
            return
        dialog = NoPpnDialog(self.ctx, self.visit, parent=self.window())
        dialog.saved.connect(self._decided)
        self._open(dialog)

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda _result, d=dialog: self._closed(d))
        self._update_buttons()
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
            self._update_buttons()

    def _reload(self) -> None:
        self.ctx.runner.run(
            self.ctx.svc.visits.get,
            self.ctx.officer,
            self.visit.visit_id,
            on_result=self._decided,
            on_error=self._reload_failed,
            owner=self,
        )

    def _decided(self, view: VisitView) -> None:
        self.show_visit(view)
        self.changed.emit(view)

    def _reload_failed(self, exc: BaseException) -> None:
        self.hint.setText(
            f"The PPN is saved, but the visit could not be shown again: {error_text(exc)} "
            "Close this and open the visit again."
        )
        set_tone(self.hint, "alert")
        self.hint.show()


class NoPpnDialog(VisitForm):
    """Why no PPN is needed: a reason of a few words at least. Emits `saved(VisitView)` with the
    visit as saved."""

    save_text = "&Record: no PPN needed"
    save_name = "Record that no PPN is needed"

    def __init__(self, ctx: AppContext, visit: VisitView, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.visit = visit
        self.setObjectName("noPpnDialog")
        self.setMinimumWidth(620)
        self.setWindowTitle(f"No PPN needed: {visit.reference} {visit.name}")
        self.reason = text_box(110)
        self.reason.setPlaceholderText(
            "Who the children were with, what was seen and said, and why no child or vulnerable "
            "person is at risk"
        )
        self.add_field(
            "reason",
            "&Reason",
            self.reason,
            required=True,
            description="A few words at least. Never enter bank, card or passport details",
        )
        when = fmt_date(visit.occurred_at.date()) if visit.occurred_at is not None else ""
        self.intro.setText(
            f"Children were present at the visit to {visit.reference} {visit.name}"
            f"{' on ' + when if when else ''}. Say why no public protection notice (PPN) is "
            "needed; the record can then be submitted. If one is needed after all, close this "
            "and raise the PPN instead."
        )
        self.reason.setPlainText(visit.ppn_decision_reason)
        self.reason.setFocus()

    def save_job(self) -> Callable[[], Any]:
        visits, actor = self.ctx.svc.visits, self.ctx.officer
        visit_id, version, reason = (
            self.visit.visit_id,
            self.visit.version,
            self.reason.toPlainText(),
        )

        def job() -> VisitView:
            visits.record_no_ppn_needed(actor, visit_id, version, reason)
            return visits.get(actor, visit_id)

        return job

    def show_field_errors(self, exc: ValidationFailed) -> None:
        super().show_field_errors(exc)
        self.show_message(f"{self.message.text()} {NOTHING_SAVED}", tone="alert")

    def refused(self, exc: BaseException) -> None:
        super().refused(exc)
        text = self.message.text()
        if "nothing" not in text.lower():
            self.show_message(f"{text} {NOTHING_SAVED}", tone="alert")

    def reload_job(self) -> Callable[[], Any] | None:
        visits, actor, visit_id = self.ctx.svc.visits, self.ctx.officer, self.visit.visit_id
        return lambda: visits.get(actor, visit_id)

    def refill(self, saved: Any) -> None:
        view: VisitView = saved
        self.visit = view
        if view.ppn_decision_reason:
            self.reason.setPlainText(view.ppn_decision_reason)
