"""The offender record window: banner, a header with the facts that matter at a glance (risk,
status, breaches), and the tabs. Opening it is audited by services.records.open; its History tab is
that audit."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.plan.editor import PlanEditor
from ui.record.approvals import ApprovalsPanel, ReturnDialog
from ui.record.arms_dialog import ArmsDialog
from ui.record.dialogs import AddressDialog, EditDialog, HouseholdDialog, IdentityDialog
from ui.record.ppns import PpnsTab
from ui.record.risk import RiskTab, arms_in_force, arms_review_overdue
from ui.record.risk_dialogs import MappaDialog, Rm2000Dialog
from ui.record.tabs import HistoryTab, NotificationsTab, SummaryTab, TasksTab, VisitsTab
from ui.widgets.banner import ClassificationBanner
from ui.widgets.dates import fmt_date
from ui.widgets.forms import set_tone
from ui.widgets.icons import icon
from ui.widgets.labels import mappa_label, plural, risk_label, status_label
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.records import OffenderRecord

log = logging.getLogger("pillars.ui.record")

GEOMETRY_KEY = "record/geometry"


def _chip(name: str) -> QLabel:
    chip = QLabel()
    chip.setObjectName("chip")
    chip.setAccessibleName(name)
    return chip


class RecordWindow(QWidget):
    """Emits `loaded(record)` each time the record arrives (first open, reload, after a save) and
    `history_loaded()` when the History tab has its rows."""

    loaded = Signal(object)
    history_loaded = Signal()
    approvals_loaded = Signal()
    decided = Signal()  # an approval or return went through
    failed = Signal(str)

    def __init__(self, ctx: AppContext, offender_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.ctx = ctx
        self.offender_id = offender_id
        self.record: OffenderRecord | None = None
        self.dialog: EditDialog | None = None
        self.setObjectName("recordWindow")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle("Offender record")
        self.setWindowIcon(icon("pillars"))

        self.title = QLabel("Opening the record…")
        self.title.setObjectName("recordTitle")
        self.title.setAccessibleName("Offender")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.risk_chip = _chip("Risk level")
        self.status_chip = _chip("Status")
        self.mappa_chip = _chip("MAPPA")
        self.readonly_chip = _chip("Access")
        self.readonly_chip.setProperty("tone", "muted")
        self.readonly_chip.hide()
        self.close_button = QPushButton("&Close")
        self.close_button.setAccessibleName("Close record")
        self.close_button.setToolTip("Close this record (Esc)")
        self.close_button.clicked.connect(self.close)

        self.alerts = QLabel()
        self.alerts.setObjectName("alertStrip")
        self.alerts.setWordWrap(True)
        self.alerts.setAccessibleName("Breaches and alerts")
        self.alerts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.alerts.hide()

        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Record message")
        self.message.hide()

        self.approvals = ApprovalsPanel()
        self.approvals.approve_requested.connect(self.approve)
        self.approvals.return_requested.connect(self.return_work)

        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addSpacing(12)
        for chip in (self.risk_chip, self.status_chip, self.mappa_chip, self.readonly_chip):
            header.addWidget(chip)
        header.addStretch(1)
        header.addWidget(self.close_button)

        self.summary = SummaryTab()
        self.risk = RiskTab(ctx.officer)
        self.plan = PlanEditor(ctx)
        self.visits = VisitsTab()
        self.ppns = PpnsTab(ctx)
        self.notifications = NotificationsTab()
        self.tasks = TasksTab()
        self.history = HistoryTab()
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Record sections")
        self.tabs.tabBar().setAccessibleName("Record sections")
        self.tabs.setDocumentMode(True)
        for widget, title in (
            (self.summary, "&Summary"),
            (self.risk, "&Risk"),
            (self.plan, "&Plan"),
            (self.visits, "&Visits"),
            (self.ppns, "PP&Ns"),
            (self.notifications, "N&otifications"),
            (self.tasks, "&Tasks"),
            (self.history, "&History"),
        ):
            self.tabs.addTab(widget, title)
        self.tabs.setEnabled(False)

        self.summary.edit_identity.connect(self.edit_identity)
        self.summary.add_address.connect(lambda: self.edit_address(None))
        self.summary.edit_address.connect(self.edit_address)
        self.summary.add_member.connect(lambda: self.edit_member(None))
        self.summary.edit_member.connect(self.edit_member)
        self.risk.record_arms.connect(self.record_arms)
        self.risk.record_rm2000.connect(self.record_rm2000)
        self.risk.change_mappa.connect(self.change_mappa)
        self.plan.record_changed.connect(self.reload)
        self.ppns.changed.connect(self.reload)

        body = QVBoxLayout()
        body.setContentsMargins(16, 10, 16, 12)
        body.setSpacing(8)
        body.addLayout(header)
        body.addWidget(self.alerts)
        body.addWidget(self.approvals)
        body.addWidget(self.message)
        body.addWidget(self.tabs, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(ClassificationBanner())
        layout.addLayout(body)

        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.reload)
        geometry = ctx.settings.value(GEOMETRY_KEY)
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self._default_size()
        self.reload()

    def _default_size(self) -> None:
        """Wide enough for the plan editor's four columns beside the description and the gaps."""
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        if screen is None or screen.width() <= 0:
            self.resize(1280, 860)
            return
        self.resize(min(1480, screen.width() - 40), min(940, int(screen.height() * 0.94)))

    # -- loading -------------------------------------------------------------------------------

    def reload(self) -> None:
        self.ctx.runner.run(
            self.ctx.svc.records.open,
            self.ctx.officer,
            self.offender_id,
            on_result=self.show_record,
            on_error=self._failed,
            owner=self,
        )

    def show_record(self, record: OffenderRecord) -> None:
        self.record = record
        self.message.hide()
        self.setWindowTitle(f"{record.name} ({record.reference}) — Pillars")
        self.title.setText(f"{record.name}  ·  {record.reference}")
        self._set_chip(
            self.risk_chip,
            f"Risk: {risk_label(_risk_level(record))}",
            "alert" if _risk_level(record) == "very_high" else "",
        )
        status = status_label(str(record.status))
        self._set_chip(
            self.status_chip, status, "" if str(record.status) == "community" else "warn"
        )
        self._set_chip(
            self.mappa_chip, f"MAPPA {mappa_label(record.mappa_category, record.mappa_level)}", ""
        )
        if record.can_edit:
            self.readonly_chip.hide()
        else:
            self._set_chip(self.readonly_chip, "Read only", "muted")
            self.readonly_chip.setToolTip("You can read this record but not change it")
            self.readonly_chip.show()
        self._show_alerts(record)
        self.tabs.setEnabled(True)
        for tab in (
            self.summary,
            self.risk,
            self.plan,
            self.visits,
            self.ppns,
            self.notifications,
            self.tasks,
            self.history,
        ):
            tab.show_record(record)
        self._load_extras(record)
        self.loaded.emit(record)
        self._load_history()

    def _show_alerts(self, record: OffenderRecord) -> None:
        lines = []
        if record.breaches:
            lines.append(f"{plural(len(record.breaches), 'BREACH', 'BREACHES')}:")
            lines += [f"•  {b.text}" for b in record.breaches]
        today = record.on or self.ctx.svc.today()
        due = record.next_visit_due
        if due is not None and (record.visit_overdue or due < today):
            lines.append(f"Home visit OVERDUE since {fmt_date(due)}")
        if record.warrant_consideration:
            seen = fmt_date(record.last_seen) if record.last_seen else "never seen"
            lines.append(
                f"CONSIDER AN s96B WARRANT: {record.failed_attempts} failed visits in a row "
                f"(last seen: {seen})"
            )
        arms = arms_in_force(record)
        if arms_review_overdue(record) and arms is not None:
            lines.append(f"ARMS review OVERDUE since {fmt_date(arms.next_review_on)}")
        plan = record.plan
        if plan is not None and plan.review_on is not None and plan.review_on < today:
            lines.append(f"Plan review OVERDUE since {fmt_date(plan.review_on)}")
        if lines:
            self.alerts.setText("\n".join(lines))
            self.alerts.show()
        else:
            self.alerts.hide()

    def _load_extras(self, record: OffenderRecord) -> None:
        """Pending approvals and the MAPPA history come with the record."""
        self.risk.show_mappa_history(record.mappa_history)
        self._approvals_arrived(record.pending_approvals)

    def _approvals_arrived(self, pending: list) -> None:
        self.approvals.show_pending(pending)
        self.approvals_loaded.emit()

    def _load_history(self) -> None:
        self.ctx.runner.run(
            self.ctx.svc.records.history,
            self.ctx.officer,
            self.offender_id,
            on_result=self._history_arrived,
            on_error=lambda exc: self.history.show_problem(error_text(exc)),
            owner=self,
        )

    def _history_arrived(self, rows: list) -> None:
        self.history.show_history(rows)
        self.history_loaded.emit()

    def _failed(self, exc: BaseException) -> None:
        text = error_text(exc)
        self.show_message(text, "alert")
        if self.record is None:
            self.title.setText("The record could not be opened")
        self.failed.emit(text)

    def show_message(self, text: str, tone: str) -> None:
        self.message.setText(text)
        set_tone(self.message, tone)
        self.message.show()

    @staticmethod
    def _set_chip(chip: QLabel, text: str, tone: str) -> None:
        chip.setText(text)
        chip.setProperty("tone", tone)
        chip.style().unpolish(chip)
        chip.style().polish(chip)

    # -- editing -------------------------------------------------------------------------------

    def edit_identity(self) -> None:
        if self.record is not None:
            self._open_dialog(IdentityDialog(self.ctx, self.record, parent=self))

    def edit_address(self, address_id: int | None) -> None:
        if self.record is not None:
            self._open_dialog(AddressDialog(self.ctx, self.record, address_id, parent=self))

    def edit_member(self, member_id: int | None) -> None:
        if self.record is not None:
            self._open_dialog(HouseholdDialog(self.ctx, self.record, member_id, parent=self))

    def record_arms(self) -> None:
        """Load the factor list and the form (a draft to continue, or a new one), then open the
        ARMS dialog."""
        if self.record is None or self._dialog_open():
            return
        svc, actor, offender_id = self.ctx.svc, self.ctx.officer, self.offender_id
        self.show_message("Opening the ARMS form…", "info")
        self.ctx.runner.run(
            lambda: (
                svc.assessments.factor_list(),
                svc.assessments.new_arms_form(actor, offender_id),
            ),
            on_result=self._arms_form_arrived,
            on_error=self._failed,
            owner=self,
        )

    def _arms_form_arrived(self, outcome: tuple) -> None:
        self.message.hide()
        if self.record is not None:
            factor_list, form = outcome
            self._open_dialog(ArmsDialog(self.ctx, self.record, factor_list, form, parent=self))

    def record_rm2000(self) -> None:
        if self.record is not None and not self._dialog_open():
            self._open_dialog(Rm2000Dialog(self.ctx, self.record, parent=self))

    def change_mappa(self) -> None:
        if self.record is not None and not self._dialog_open():
            self._open_dialog(MappaDialog(self.ctx, self.record, parent=self))

    # -- approvals -----------------------------------------------------------------------------

    def approve(self, task_id: int) -> None:
        pending = self.approvals.pending_item(task_id)
        if pending is None or self.record is None:
            return
        answer = QMessageBox.question(
            self,
            "Approve",
            f"Approve this for {self.record.name} ({self.record.reference})?\n\n"
            + (pending.title or "The submitted work"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        svc, actor, offender_id = self.ctx.svc, self.ctx.officer, self.offender_id

        def job() -> OffenderRecord:
            svc.approvals.approve(actor, task_id)
            return svc.records.open(actor, offender_id)

        self.show_message("Approving…", "info")
        self.ctx.runner.run(job, on_result=self._decided, on_error=self._failed, owner=self)

    def _decided(self, record: OffenderRecord) -> None:
        self.show_record(record)
        self.show_message("Approved. The offender manager can see the decision.", "info")
        self.decided.emit()

    def return_work(self, task_id: int) -> None:
        pending = self.approvals.pending_item(task_id)
        if pending is None or self.record is None or self._dialog_open():
            return
        dialog = ReturnDialog(self.ctx, self.record, pending, parent=self)
        dialog.saved.connect(lambda _r: self.decided.emit())
        self._open_dialog(dialog)

    def _dialog_open(self) -> bool:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return True
        return False

    def _open_dialog(self, dialog: EditDialog) -> None:
        if self._dialog_open():
            dialog.deleteLater()
            return
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.saved.connect(self.show_record)
        dialog.refreshed.connect(self.show_record)
        dialog.finished.connect(self._dialog_closed)
        dialog.open()

    def _dialog_closed(self) -> None:
        self.dialog = None

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if self.plan.dirty:
            answer = QMessageBox.question(
                self,
                "Unsaved plan changes",
                "The plan has changes that are not saved. Close the record and lose them?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                return
        self.ctx.settings.setValue(GEOMETRY_KEY, self.saveGeometry())
        super().closeEvent(event)


def _risk_level(record: OffenderRecord) -> str | None:
    """The latest approved ARMS level (the services say it; older records may not)."""
    level = getattr(record, "risk_level", None)
    if level:
        return level
    for assessment in record.assessments:
        if str(assessment.kind) == "arms" and str(assessment.state) == "approved":
            return assessment.level
    return None
