"""What the Visits screen does with the chosen visit or offender: open its details, plan, move,
cancel, record the outcome, submit the record for approval, open the record, and export the
calendar; then reload what changed and say so.

`VisitActions` is mixed into `VisitsScreen`, whose widgets, signals and loading it uses: `ctx`,
`dialog`, `week`, `current_visit()`, `current_offender()`, `plan_target()`, `chosen_officer`,
`load_week()`, `load_due()`, `go_to_day()`, `show_state()`, `announce()`, `update_actions()`,
the `names` of officers, the `submit_button` and `export_button`, and the signals `open_record`,
`dialog_opened`, `changed` and `exported`."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from ui.visits import texts
from ui.visits.cancel_dialog import CancelVisitDialog
from ui.visits.details import VisitDetailsDialog
from ui.visits.export import Exported, ask_path, export_job
from ui.visits.outcome_dialog import OutcomeDialog, OutcomeSaved
from ui.visits.plan_dialog import PlanTarget, PlanVisitDialog
from ui.widgets.dates import fmt_date
from ui.widgets.labels import plural
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.visits import VisitView

log = logging.getLogger("pillars.ui.visits")

EXPORT_FOLDER_KEY = "visits/export_folder"


class VisitActions:
    # -- acting ------------------------------------------------------------------------------------

    def act(self, action: str, visit: VisitView | None = None) -> None:
        """Do `action` ("plan", "move", "cancel", "record", "submit", "open") on the chosen visit
        or offender (or on `visit`, from its details)."""
        if self.dialog is not None:
            return
        visit = visit or self.current_visit()
        if action == "open":
            offender = visit.offender_id if visit is not None else self.current_offender()
            if offender is not None:
                self.open_record.emit(offender)
            return
        if action == "plan":
            target = self.plan_target()
            if target is not None:
                self._open_dialog(PlanVisitDialog(self.ctx, target, parent=self))
            return
        if visit is None:
            return
        if action == "move" and visit.can_change:
            target = PlanTarget.from_visit(visit)
            self._open_dialog(PlanVisitDialog(self.ctx, target, visit, parent=self))
        elif action == "cancel" and visit.can_change:
            self._open_dialog(CancelVisitDialog(self.ctx, visit, parent=self))
        elif action == "record" and visit.can_record:
            dialog = OutcomeDialog(self.ctx, visit, parent=self)
            dialog.safeguarding.changed.connect(self._ppn_decided)
            self._open_dialog(dialog)
        elif action == "submit" and visit.can_submit:
            self._submit(visit)

    def open_current(self) -> None:
        """Enter on a visit: its details. On the due list with nothing planned: plan a visit."""
        visit = self.current_visit()
        if visit is None:
            if self.showing_due:
                self.act("plan")
            return
        dialog = VisitDetailsDialog(self.ctx, visit, parent=self)
        # the visit as it stands when a button is pressed: a PPN decision made there saves it
        dialog.requested.connect(lambda action, d=dialog: self._after_details(action, d.visit))
        dialog.visit_changed.connect(self._ppn_decided)
        self._open_dialog(dialog)

    def _after_details(self, action: str, visit: VisitView) -> None:
        self._forget_dialog()
        self.act(action, visit)

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result, d=dialog: self._dialog_closed(d))
        saved = getattr(dialog, "saved", None)
        if saved is not None:
            saved.connect(lambda value, d=dialog: self._saved(d, value))
        self.update_actions()
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self._forget_dialog()

    def _forget_dialog(self) -> None:
        self.dialog = None
        self.update_actions()

    # -- after a change ----------------------------------------------------------------------------

    def _saved(self, dialog: QDialog, value: Any) -> None:
        if isinstance(dialog, PlanVisitDialog):
            visit_id = int(value)
            day = texts.parse_day(dialog.date_field.text())
            at = f"{fmt_date(day)} at {dialog.time_field.text().strip()}" if day else ""
            verb = "moved to" if dialog.moving else "planned for"
            self.announce(f"Visit to {dialog.target.reference} {verb} {at}.")
            self._changed(visit_id, day)
        elif isinstance(dialog, CancelVisitDialog):
            self.announce(
                f"Visit to {dialog.visit.reference} cancelled: they are due a visit again."
            )
            self._changed(dialog.visit.visit_id, None)
        elif isinstance(dialog, OutcomeDialog):
            result: OutcomeSaved = value
            view = result.view
            outcome = texts.OUTCOME_LABELS.get(view.outcome, view.outcome)
            text = f"Outcome recorded for the visit to {view.reference}: {outcome}."
            if result.task_id is not None:
                text += " The record is with the sergeant for approval."
            elif result.submit_error is None:
                text += " The record stays a draft until it is submitted for approval."
                if view.submit_blocked:
                    text += (
                        " Children were present: open the visit to raise a PPN or record why "
                        "none is needed."
                    )
            self.announce(text)
            self._changed(view.visit_id, None)

    def _ppn_decided(self, view: VisitView) -> None:
        """A PPN was raised from the visit, or "no PPN needed" recorded: the week shows the
        visit's new version, so Submit works on it."""
        decision, _tone = texts.ppn_decision_text(view)
        self.announce(f"Visit to {view.reference}: {decision.splitlines()[0]}.")
        self._changed(view.visit_id, None)

    def _changed(self, visit_id: int | None, day: dt.date | None) -> None:
        if day is not None:
            self.go_to_day(day, keep_visit=visit_id)
        else:
            self.load_week(keep_visit=visit_id)
        self.load_due()
        self._tell_caseload()
        self.changed.emit()

    def _tell_caseload(self) -> None:
        """The caseload shows "last seen" and the visit flags: load it again so that they
        follow. The main window keeps its screens in `screens`."""
        screens = getattr(self.window(), "screens", None)
        if not isinstance(screens, dict):
            return
        for key, screen in screens.items():
            if key != "visits" and screen is not self and callable(getattr(screen, "reload", None)):
                screen.reload()

    def _submit(self, visit: VisitView) -> None:
        visits, actor = self.ctx.svc.visits, self.ctx.officer
        self.submit_button.setEnabled(False)
        self.show_state(f"Sending the record of the visit to {visit.reference}…", "info")
        self.ctx.runner.run(
            visits.submit_record,
            actor,
            visit.visit_id,
            visit.version,
            on_result=lambda _task: self._submitted(visit),
            on_error=self._submit_failed,
            owner=self,
        )

    def _submitted(self, visit: VisitView) -> None:
        self.announce(
            f"The record of the visit to {visit.reference} is with the sergeant for approval."
        )
        self._changed(visit.visit_id, None)

    def _submit_failed(self, exc: BaseException) -> None:
        self.show_state(error_text(exc) + " Refresh (F5) to see the visit as saved.", "alert")
        self.update_actions()

    # -- the calendar ----------------------------------------------------------------------------

    def export_calendar(self) -> None:
        if self.week is None:
            return
        actor = self.ctx.officer
        username = self.chosen_officer or actor.username
        folder = str(self.ctx.settings.value(EXPORT_FOLDER_KEY, "") or "")
        path = ask_path(self, username, folder)
        if path is None:
            return
        self.ctx.settings.setValue(EXPORT_FOLDER_KEY, str(path.parent))
        self.export_button.setEnabled(False)
        self.show_state(f"Exporting the planned visits to {path}…", "info")
        self.ctx.runner.run(
            export_job,
            self.ctx.svc,
            actor,
            username,
            path,
            on_result=self._exported,
            on_error=self._export_failed,
            owner=self,
        )

    def _exported(self, done: Exported) -> None:
        self.export_button.setEnabled(True)
        whose = self.names.get(done.officer, done.officer)
        self.announce(
            f"Exported {plural(done.visits, 'planned visit')} of {whose} to {done.path}. "
            "The file is OFFICIAL-SENSITIVE: keep it on a force device."
        )
        self.exported.emit(done)

    def _export_failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        text = error_text(exc)
        if isinstance(exc, OSError):
            text = f"The calendar could not be written: {exc.strerror or exc}."
        self.show_state(text, "alert")
