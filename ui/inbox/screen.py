"""The Inbox screen: the tasks the signed-in officer sees today (their own, and those they hold
as cover "on behalf of" an absent sergeant), grouped into approvals, hub and follow-ups, sorted by
due date, overdue in words and colour; for team managers the escalation's age bands too.

Choosing a task claims it (DESIGN section 3: a task being worked is claimed, so two desktops never
process it twice): another desktop sees "Being worked on by …" and cannot decide it. The claim is
renewed every 5 minutes while the task stays chosen and Pillars is unlocked (a claim lapses after
30 idle minutes), and given up when the officer chooses another task or leaves the screen.

Slots only gather the choice and call `services.inbox` in the background; the detail pane shows
the work to decide (ui/inbox/subject.py). A PPN follow-up is done by recording children's social
care's decision, a PPN escalation by acknowledging it, each in its dialog (ui/safeguarding)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.services.inbox import TaskClaimed
from ui.context import AppContext
from ui.inbox import texts
from ui.inbox.detail import SHORTCUTS, DetailPane
from ui.inbox.dialogs import ReturnDialog
from ui.inbox.model import InboxModel
from ui.inbox.subject import describe_subject, load_subject, shows_subject
from ui.widgets.dates import fmt_date
from ui.widgets.forms import set_tone
from ui.widgets.keys import screen_shortcuts, tab_chain
from ui.widgets.labels import plural
from ui.widgets.messages import error_text
from ui.widgets.tables import unshaped_font

if TYPE_CHECKING:
    from desktop.services.inbox import Claim, Inbox, InboxItem

log = logging.getLogger("pillars.ui.inbox")

RENEW_MS = 5 * 60_000  # the claim lapses after 30 minutes without renewal (policy)
GROUP_ORDER = (texts.APPROVAL, texts.HUB, texts.FOLLOW_UP, texts.ESCALATION)
DECIDERS = ("sergeant", "team_manager")


class InboxTable(QTableView):
    """Enter opens the chosen task's record (Qt's `activated` does not fire for Enter on every
    style). Columns are sized to their widest text over every task, measuring only the rows the
    model names (`InboxModel.widest_rows`): Qt's own way asks the model for the text, font and
    colours of up to a thousand rows a column, half a second for a sergeant's ten thousand tasks
    (issue #10)."""

    open_requested = Signal()

    def sizeHintForColumn(self, column: int) -> int:  # noqa: N802 (Qt's name)
        model = self.model()
        self.ensurePolished()
        # Two: text measured within a pixel of another may lay out wider in the cell than it.
        rows = model.widest_rows(column, self.font(), 2) if isinstance(model, InboxModel) else []
        if not rows:
            return super().sizeHintForColumn(column)
        hint = max(self.sizeHintForIndex(model.index(row, column)).width() for row in rows)
        return hint + 1 if self.showGrid() else hint

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit()
            return
        super().keyPressEvent(event)


class InboxScreen(QWidget):
    """Emits `open_record(offender_id)`; `loaded` when the tasks arrive; `claim_settled(task_id)`
    once a claim was taken or refused; `subject_loaded` when the work to decide is shown;
    `decided(str)` ("approved", "returned", "processed", "decided", "acknowledged") before the list
    reloads; `dialog_opened(dialog)` with each dialog it opens."""

    open_record = Signal(int)
    loaded = Signal()
    claim_settled = Signal(int)
    subject_loaded = Signal()
    decided = Signal(str)
    dialog_opened = Signal(object)

    title = "Inbox"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("inboxScreen")
        self.inbox: Inbox | None = None
        self.group = ""
        self.groups: list[str] = []
        self.current: InboxItem | None = None
        self.claimed: int | None = None  # the task whose claim this desktop holds
        self._started = False
        self._load_token = 0
        self._claim_token = 0
        self._subject_token = 0
        self.subject: Any = None  # the work behind the chosen task, once loaded

        heading = QLabel("Inbox")
        heading.setObjectName("screenHeading")
        self.count_label = QLabel("")
        self.count_label.setObjectName("countLabel")
        self.count_label.setAccessibleName("Tasks today")
        self.count_label.setWordWrap(True)
        self.new_button = QPushButton("&New notification…")
        self.new_button.setAccessibleName("Enter a new notification")
        self.new_button.setToolTip(f"Enter a notification the hub received ({SHORTCUTS['new']})")
        self.new_button.clicked.connect(self.new_notification)
        self.new_button.setVisible(self._role == "hub_officer")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh the inbox")
        self.refresh_button.setToolTip("Load the tasks again (F5)")
        self.refresh_button.clicked.connect(self.reload)
        title_row = QHBoxLayout()
        title_row.addWidget(heading)
        title_row.addSpacing(16)
        title_row.addWidget(self.count_label, 1)
        title_row.addWidget(self.new_button)
        title_row.addWidget(self.refresh_button)

        self.cover_label = QLabel()
        self.cover_label.setObjectName("stateLabel")
        self.cover_label.setProperty("tone", "info")
        self.cover_label.setWordWrap(True)
        self.cover_label.setAccessibleName("Whose cover you are")
        self.cover_label.hide()
        self.backlog_label = QLabel()
        self.backlog_label.setObjectName("mutedText")
        self.backlog_label.setWordWrap(True)
        self.backlog_label.setAccessibleName("Approvals backlog")
        self.backlog_label.hide()
        self.state_label = QLabel("Loading your tasks…")
        self.state_label.setObjectName("stateLabel")
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName("Inbox message")

        self.group_bar = QTabBar()
        self.group_bar.setAccessibleName("Groups of tasks")
        self.group_bar.setExpanding(False)
        self.group_bar.setDrawBase(False)
        self.group_bar.currentChanged.connect(self._group_chosen)

        self.model = InboxModel(self)
        self.table = InboxTable()
        self.table.setObjectName("inboxTable")
        self.table.setFont(unshaped_font())  # measuring and drawing the cells a third as long
        self.table.setAccessibleName("Tasks")
        self.table.setAccessibleDescription(
            "Choosing a task claims it; press Enter to open the offender's record"
        )
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)  # the state: "Being worked on by …" is the longest
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.open_requested.connect(self.open_current)
        self.table.doubleClicked.connect(lambda _index: self.open_current())
        self.empty_label = QLabel()
        self.empty_label.setObjectName("mutedText")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAccessibleName("No tasks")
        self.empty_label.hide()
        list_box = QWidget()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.setSpacing(4)
        list_layout.addWidget(self.group_bar)
        list_layout.addWidget(self.empty_label)
        list_layout.addWidget(self.table, 1)

        self.detail = DetailPane()
        self.detail.approve_requested.connect(self.approve)
        self.detail.return_requested.connect(self.return_work)
        self.detail.process_requested.connect(self.process)
        self.detail.decision_requested.connect(self.record_decision)
        self.detail.acknowledge_requested.connect(self.acknowledge)
        self.detail.open_requested.connect(self.open_current)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(list_box)
        # The detail scrolls rather than squeezing the work to decide when the window is small.
        detail_scroll = QScrollArea()
        detail_scroll.setWidget(self.detail)
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setAccessibleName("The chosen task")
        split.addWidget(detail_scroll)
        split.setChildrenCollapsible(False)
        split.setSizes([420, 480])  # scaled to the screen's height: about ten tasks in view

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(title_row)
        layout.addWidget(self.cover_label)
        layout.addWidget(self.backlog_label)
        layout.addWidget(self.state_label)
        layout.addWidget(split, 1)

        self.renew_timer = QTimer(self)
        self.renew_timer.setInterval(RENEW_MS)
        self.renew_timer.timeout.connect(self._renew)

        screen_shortcuts(
            self,
            [
                (QKeySequence(Qt.Key.Key_F5), self.reload),
                (QKeySequence(SHORTCUTS["approve"]), lambda: self._press("approve")),
                (QKeySequence(SHORTCUTS["return"]), lambda: self._press("return")),
                (QKeySequence(SHORTCUTS["process"]), lambda: self._press("process")),
                (QKeySequence(SHORTCUTS["decision"]), lambda: self._press("decision")),
                (QKeySequence(SHORTCUTS["acknowledge"]), lambda: self._press("acknowledge")),
                (QKeySequence(SHORTCUTS["open"]), self.open_current),
                (QKeySequence(SHORTCUTS["new"]), self._new_shortcut),
            ],
        )
        chain: list[QWidget] = [
            self.group_bar,
            self.table,
            *self.detail.buttons.values(),
            self.new_button,
            self.refresh_button,
        ]
        tab_chain(self, chain)
        self.setFocusProxy(self.table)

    @property
    def _role(self) -> str:
        return self.ctx.officer.role

    # -- loading ----------------------------------------------------------------------------------

    def activate(self) -> None:
        """Called when the screen is shown: the first time, load the tasks."""
        if not self._started:
            self._started = True
            self.load()

    def reload(self) -> None:
        """Load again, keeping the chosen task when it is still there."""
        self.load(keep=self.current.task_id if self.current is not None else None)

    def load(
        self, *, keep: int | None = None, row_hint: int | None = None, quiet: bool = False
    ) -> None:
        """`quiet`: keep the message on show (what was just decided) while loading."""
        self._started = True
        self._load_token += 1
        token = self._load_token
        self.refresh_button.setEnabled(False)
        if not quiet:
            self.show_state("Loading your tasks…", "info")
        self.ctx.runner.run(
            self.ctx.svc.inbox.tasks,
            self.ctx.officer,
            on_result=lambda inbox: self._loaded(token, inbox, keep, row_hint),
            on_error=lambda exc: self._load_failed(token, exc),
            owner=self,
        )

    def _loaded(self, token: int, inbox: Inbox, keep: int | None, row_hint: int | None) -> None:
        if token != self._load_token:
            return
        self.refresh_button.setEnabled(True)
        self.inbox = inbox
        if self.state_label.property("tone") == "info":
            self.state_label.hide()
        counts = {group: len(tasks) for group, tasks in inbox.groups.items()}
        counts[texts.ESCALATION] = sum(len(band.items) for band in inbox.escalation) + len(
            inbox.unrouted
        )
        self._show_top(inbox, counts[texts.ESCALATION])
        wanted = texts.ROLE_GROUPS.get(self._role, ())
        self.groups = [g for g in GROUP_ORDER if g in wanted or counts.get(g)]
        self.group_bar.blockSignals(True)
        while self.group_bar.count():
            self.group_bar.removeTab(0)
        for g in self.groups:
            self.group_bar.addTab(texts.group_title(g, counts.get(g, 0)))
            self.group_bar.setTabToolTip(self.group_bar.count() - 1, texts.EMPTY_GROUP[g])
        if self.group not in self.groups:
            self.group = next(
                (g for g in self.groups if counts.get(g)), self.groups[0] if self.groups else ""
            )
        if self.group:
            self.group_bar.setCurrentIndex(self.groups.index(self.group))
        self.group_bar.blockSignals(False)
        self.group_bar.setVisible(bool(self.groups))
        if not self.groups:
            self.show_state(
                "The inbox holds approvals, hub notifications and follow-ups; your role has none.",
                "info",
            )
        self._fill(keep=keep, row_hint=row_hint)
        self.loaded.emit()

    def _load_failed(self, token: int, exc: BaseException) -> None:
        if token != self._load_token:
            return
        self.refresh_button.setEnabled(True)
        self.show_state(f"The tasks could not be loaded. {error_text(exc)}", "alert")

    def _show_top(self, inbox: Inbox, escalated: int) -> None:
        tasks, overdue = len(inbox.items), inbox.overdue
        text = f"{plural(tasks, 'task')} for you on {fmt_date(inbox.day)}"
        if overdue:
            text += f", {overdue} overdue"
        if escalated:
            text += f"; {plural(escalated, 'approval')} in your teams' escalation"
        self.count_label.setText(text)
        set_tone(self.count_label, "warn" if overdue else "")
        self.cover_label.setText("\n".join(inbox.covering))
        self.cover_label.setVisible(bool(inbox.covering))
        decider = self._role in DECIDERS
        self.backlog_label.setText(
            texts.backlog_text(inbox.backlog)
            or "Approvals backlog: nothing open in the teams you look after."
        )
        self.backlog_label.setVisible(decider)

    def _parts(self, group: str) -> list[str | Sequence[InboxItem]]:
        """The group's tasks; for the escalation, a heading and its tasks per age band, then those
        nobody can cover. The model reads the tasks only for the rows it shows."""
        if self.inbox is None:
            return []
        if group != texts.ESCALATION:
            return [self.inbox.in_group(group)]
        parts: list[str | Sequence[InboxItem]] = []
        for band in self.inbox.escalation:
            count = plural(len(band.items), "approval") if band.items else "none"
            parts += [f"Overdue {band.label}: {count}", band.items]
        if self.inbox.unrouted:
            parts += [
                f"{texts.UNROUTED}: {plural(len(self.inbox.unrouted), 'approval')}",
                self.inbox.unrouted,
            ]
        return parts

    def _fill(self, *, keep: int | None = None, row_hint: int | None = None) -> None:
        self.model.set_parts(self._parts(self.group) if self.group else [], self._day)
        self.table.clearSpans()
        for r in self.model.sections:  # a heading across the table, not sized as a column
            self.table.setSpan(r, 0, 1, self.model.columnCount())
        self.table.resizeColumnsToContents()
        empty = self.model.task_count() == 0
        self.empty_label.setText(texts.EMPTY_GROUP.get(self.group, ""))
        self.empty_label.setVisible(empty and bool(self.group))
        self.table.setVisible(self.model.rowCount() > 0)
        target = self.model.row_of(keep) if keep is not None else -1
        if target < 0 and row_hint is not None:
            target = self._task_row_near(row_hint)
        if target >= 0:
            self.table.selectRow(target)
        else:
            self._choose(None)

    def _task_row_near(self, row: int) -> int:
        """The first task row at or after `row`, else the last one before it: the next task."""
        count = self.model.rowCount()
        for r in [*range(max(row, 0), count), *range(min(row, count) - 1, -1, -1)]:
            if self.model.item_at(r) is not None:
                return r
        return -1

    def _group_chosen(self, position: int) -> None:
        if 0 <= position < len(self.groups):
            self.group = self.groups[position]
            self._fill()

    # -- choosing and claiming ------------------------------------------------------------------

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._choose(self.model.item_at(current.row()) if current.isValid() else None)

    def _choose(self, item: InboxItem | None) -> None:
        if item is not None and self.current is not None and item.task_id == self.current.task_id:
            # The same task after a reload: keep the claim, show what is new.
            self.current = item
            self.detail.show_item(item, self._day)
            self.detail.set_claimed(self.claimed == item.task_id)
            return
        self._release_held()
        self.current = item
        if item is None:
            self.detail.show_nothing(
                "Choose a task in the list to see it here."
                if self.model.task_count()
                else "Nothing to show: there are no tasks in this group."
            )
            return
        self.detail.show_item(item, self._day)
        self._load_subject(item)
        if item.can_act or item.claimed_by_me:
            self._claim(item.task_id)

    @property
    def _day(self) -> Any:
        return self.inbox.day if self.inbox is not None else self.ctx.svc.today()

    def _claim(self, task_id: int) -> None:
        self._claim_token += 1
        token = self._claim_token
        self.detail.set_claim_text("Claiming the task…", "info")
        self.ctx.runner.run(
            self.ctx.svc.inbox.claim,
            self.ctx.officer,
            task_id,
            on_result=lambda claim: self._claim_taken(token, task_id, claim),
            on_error=lambda exc: self._claim_refused(token, task_id, exc),
            owner=self,
        )

    def _claim_taken(self, token: int, task_id: int, claim: Claim) -> None:
        if token != self._claim_token or self.current is None or self.current.task_id != task_id:
            # The officer moved on before the answer came: give the claim straight back.
            self._release(task_id)
        else:
            self.claimed = task_id
            self.detail.set_claimed(True)
            self.detail.set_claim_text(
                f"You are working on this task (claimed at {texts.clock(claim.claimed_at)}): "
                "other desktops show it as being worked on by you until you choose another "
                "task or leave the inbox.",
                "ok",
            )
            self.model.set_state(task_id, "Claimed by you", "ok")
            if self.isVisible() and not self._locked():
                self.renew_timer.start()
        self.claim_settled.emit(task_id)

    def _claim_refused(self, token: int, task_id: int, exc: BaseException) -> None:
        if token == self._claim_token and self.current is not None:
            self._lost_claim(task_id, exc)
        self.claim_settled.emit(task_id)

    def _lost_claim(self, task_id: int, exc: BaseException) -> None:
        if self.claimed == task_id:
            self.claimed = None
            self.renew_timer.stop()
        self.detail.set_claimed(False)
        if isinstance(exc, TaskClaimed):
            state = texts.claimed_text(exc.claimed_by, exc.claimed_at)
            self.model.set_state(task_id, f"Being worked on by {exc.claimed_by}", "warn")
            self.detail.set_state(f"Being worked on by {exc.claimed_by}", "warn")
            self.detail.set_claim_text(
                f"{state}. You cannot decide it while they are working on it: leave it to "
                "them, or ask them to release it.",
                "alert",
            )
        else:
            self.detail.set_claim_text(error_text(exc), "alert")

    def _renew(self) -> None:
        task_id = self.claimed
        if task_id is None:
            self.renew_timer.stop()
            return
        self.ctx.runner.run(
            self.ctx.svc.inbox.claim,
            self.ctx.officer,
            task_id,
            on_error=lambda exc: self._renew_failed(task_id, exc),
            owner=self,
        )

    def _renew_failed(self, task_id: int, exc: BaseException) -> None:
        if self.current is not None and self.current.task_id == task_id:
            self._lost_claim(task_id, exc)

    def _release_held(self) -> None:
        self.renew_timer.stop()
        task_id, self.claimed = self.claimed, None
        if task_id is not None:
            self.model.set_state(task_id, "Open", "")
            self._release(task_id)

    def _release(self, task_id: int) -> None:
        try:
            self.ctx.runner.run(
                self.ctx.svc.inbox.release,
                self.ctx.officer,
                task_id,
                on_error=lambda exc: log.warning("could not release task %s: %s", task_id, exc),
            )
        except RuntimeError:  # shutting down: the claim lapses by itself
            log.info("task %s not released: Pillars is closing", task_id)

    def _locked(self) -> bool:
        return bool(getattr(self.window(), "locked", False))

    def showEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        item = self.current
        if event.spontaneous() or item is None or self._locked():
            return
        if self.claimed == item.task_id:
            self._renew()  # back after the lock: the claim may have lapsed meanwhile
            self.renew_timer.start()
        elif item.can_act:
            self._claim(item.task_id)

    def hideEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().hideEvent(event)
        if event.spontaneous():
            return
        self.renew_timer.stop()
        if not self._locked():
            self._release_held()  # the officer left the screen; locked, the claim is kept

    # -- the work to decide ---------------------------------------------------------------------

    def _load_subject(self, item: InboxItem) -> None:
        self._subject_token += 1
        token = self._subject_token
        self.subject = None
        if not shows_subject(item):
            self.detail.subject.show_words(describe_subject(item))
            return
        self.detail.subject.show_words("Loading the work to decide…")
        self.ctx.runner.run(
            load_subject,
            self.ctx.svc,
            self.ctx.officer,
            item,
            on_result=lambda subject: self._subject_arrived(token, subject),
            on_error=lambda exc: self._subject_failed(token, exc),
            owner=self,
        )

    def _subject_arrived(self, token: int, subject: Any) -> None:
        if token == self._subject_token:
            self.subject = subject
            self.detail.subject.show_subject(subject, self.ctx.svc.now())
            self.subject_loaded.emit()

    def _subject_failed(self, token: int, exc: BaseException) -> None:
        if token == self._subject_token:
            self.detail.subject.show_words(
                f"The work could not be shown here. {error_text(exc)}", "alert"
            )
            self.subject_loaded.emit()

    # -- decisions ------------------------------------------------------------------------------

    def _press(self, key: str) -> None:
        button = self.detail.buttons[key]
        if button.isVisible() and button.isEnabled():
            button.click()

    def approve(self) -> None:
        item = self.current
        if item is None or not self.detail.buttons["approve"].isEnabled():
            return
        answer = QMessageBox.question(
            self,
            "Approve",
            f"Approve this for {texts.offender_text(item)}?\n\n{item.title}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.detail.set_busy(True)
        self.show_state("Approving…", "info")
        self.ctx.runner.run(
            self.ctx.svc.inbox.approve,
            self.ctx.officer,
            item.task_id,
            on_result=lambda _none: self._decided("approved", item),
            on_error=self._decision_failed,
            owner=self,
        )

    def return_work(self) -> None:
        item = self.current
        if item is None or not self.detail.buttons["return"].isEnabled():
            return
        dialog = ReturnDialog(self.ctx, item, parent=self)
        dialog.returned.connect(lambda: self._decided("returned", item))
        self._open_dialog(dialog)

    def _decided(self, what: str, item: InboxItem) -> None:
        self.detail.set_busy(False)
        if self.claimed == item.task_id:  # the decision closed the task and its claim
            self.claimed = None
            self.renew_timer.stop()
        by = f"{item.submitted_by} can see" if item.submitted_by else "The author can see"
        words = {"approved": "Approved", "returned": "Returned with your comment"}
        done = {
            "processed": "Processed",
            "decided": "Social care's decision recorded and the PPN closed",
            "acknowledged": "Escalation acknowledged",
        }
        self.show_state(
            f"{words[what]}: {item.title}. {by} the decision."
            if what in words
            else f"{done.get(what, 'Done')}: {item.title}.",
            "ok",
        )
        row = self.model.row_of(item.task_id)
        self.current = None
        self.decided.emit(what)
        self.load(row_hint=row, quiet=True)

    def _decision_failed(self, exc: BaseException) -> None:
        self.detail.set_busy(False)
        self.show_state(error_text(exc), "alert")
        if self.current is not None and isinstance(exc, TaskClaimed):
            self._lost_claim(self.current.task_id, exc)

    def process(self) -> None:
        item = self.current
        if item is None or not self.detail.buttons["process"].isEnabled():
            return
        try:
            from ui.hub.dialogs import ProcessNotificationDialog
        except ImportError:
            self.show_state(
                "Processing notifications is not available yet. Nothing was changed.", "alert"
            )
            return
        dialog = ProcessNotificationDialog(self.ctx, item.task_id, parent=self)
        dialog.done.connect(lambda *_args: self._decided("processed", item))
        self._open_dialog(dialog)

    def record_decision(self) -> None:
        """A PPN follow-up: record children's social care's decision (the PPN closes and the
        service completes the task)."""
        item = self.current
        if item is None or not self.detail.buttons["decision"].isEnabled():
            return
        ppn = getattr(self.subject, "ppn", None)
        if ppn is None:
            self.show_state("The PPN is still loading: try again in a moment.", "info")
            return
        from ui.safeguarding.dialogs import DecisionDialog

        dialog = DecisionDialog(self.ctx, ppn, parent=self)
        dialog.saved.connect(lambda _none: self._decided("decided", item))
        dialog.conflicted.connect(self.reload)
        self._open_dialog(dialog)

    def acknowledge(self) -> None:
        """A PPN escalation: the sergeant says what was decided; the task is then done."""
        item = self.current
        if item is None or not self.detail.buttons["acknowledge"].isEnabled():
            return
        from ui.safeguarding.dialogs import AcknowledgeEscalationDialog

        ppns = list(getattr(self.subject, "ppns", ()))
        dialog = AcknowledgeEscalationDialog(
            self.ctx, item.task_id, ppns, title=item.title, parent=self
        )
        dialog.saved.connect(lambda _none: self._decided("acknowledged", item))
        self._open_dialog(dialog)

    def new_notification(self) -> None:
        try:
            from ui.hub.dialogs import EnterNotificationDialog
        except ImportError:
            self.show_state(
                "Entering notifications is not available yet. Nothing was saved.", "alert"
            )
            return
        reference = self.current.reference if self.current is not None else ""
        dialog = EnterNotificationDialog(self.ctx, parent=self, offender_reference=reference)
        dialog.saved.connect(lambda _task_id: self.reload())
        self._open_dialog(dialog)

    def _new_shortcut(self) -> None:
        if self.new_button.isVisible() and self.new_button.isEnabled():
            self.new_notification()

    def _open_dialog(self, dialog: Any) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog_opened.emit(dialog)
        dialog.open()

    def open_current(self) -> None:
        if self.current is not None and self.current.offender_id is not None:
            self.open_record.emit(self.current.offender_id)

    # -- messages -------------------------------------------------------------------------------

    def show_state(self, text: str, tone: str) -> None:
        self.state_label.setText(text)
        set_tone(self.state_label, tone)
        self.state_label.show()
