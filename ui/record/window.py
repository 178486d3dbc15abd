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
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.record.dialogs import AddressDialog, EditDialog, HouseholdDialog, IdentityDialog
from ui.record.tabs import (
    HistoryTab,
    NotificationsTab,
    PlanTab,
    PpnsTab,
    RiskTab,
    SummaryTab,
    TasksTab,
    VisitsTab,
)
from ui.widgets.banner import ClassificationBanner
from ui.widgets.dates import fmt_date
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

        header = QHBoxLayout()
        header.addWidget(self.title)
        header.addSpacing(12)
        for chip in (self.risk_chip, self.status_chip, self.mappa_chip, self.readonly_chip):
            header.addWidget(chip)
        header.addStretch(1)
        header.addWidget(self.close_button)

        self.summary = SummaryTab()
        self.risk = RiskTab()
        self.plan = PlanTab()
        self.visits = VisitsTab()
        self.ppns = PpnsTab()
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

        body = QVBoxLayout()
        body.setContentsMargins(16, 10, 16, 12)
        body.setSpacing(8)
        body.addLayout(header)
        body.addWidget(self.alerts)
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
            self.resize(1150, 800)
        self.reload()

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
        self.loaded.emit(record)
        self._load_history()

    def _show_alerts(self, record: OffenderRecord) -> None:
        lines = []
        if record.breaches:
            lines.append(f"{plural(len(record.breaches), 'BREACH', 'BREACHES')}:")
            lines += [f"•  {b.text}" for b in record.breaches]
        due = record.next_visit_due
        if due is not None and due < self.ctx.svc.today():
            lines.append(f"Home visit OVERDUE since {fmt_date(due)}")
        if lines:
            self.alerts.setText("\n".join(lines))
            self.alerts.show()
        else:
            self.alerts.hide()

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
        self.message.setText(text)
        self.message.setProperty("tone", "alert")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.show()
        if self.record is None:
            self.title.setText("The record could not be opened")
        self.failed.emit(text)

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

    def _open_dialog(self, dialog: EditDialog) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
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
