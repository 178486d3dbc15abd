"""The Visits screen: whose week (an offender manager's own by default; a sergeant's or team
manager's whole team, or one officer of it), the week planner with the chosen day below, the
offenders due a visit, and the actions: plan, move, cancel, record the outcome, submit the record
for approval, open the record, export the calendar.

Slots only gather what was chosen and call an operation in the background; the dialogs save
through the services and the screen reloads what changed. Enter on a visit shows its details."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.visits import texts
from ui.visits.actions import VisitActions
from ui.visits.due import DuePane
from ui.visits.form import set_tone
from ui.visits.plan_dialog import PlanTarget
from ui.visits.week import WeekPane
from ui.widgets.keys import screen_shortcuts, tab_chain
from ui.widgets.labels import plural
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.actor import Actor
    from desktop.services.core import Services
    from desktop.services.visits import DueVisit, VisitView, WeekPlan

log = logging.getLogger("pillars.ui.visits")

PLANNERS = ("sergeant", "team_manager")
CREW_ROLES = ("offender_manager", "sergeant", "team_manager")
TEAM = ""  # the officer box's data for "the whole team"

SHORTCUTS = {
    "plan": "Ctrl+N",
    "move": "Ctrl+M",
    "cancel": "Ctrl+Delete",
    "record": "Ctrl+R",
    "submit": "Ctrl+Shift+S",
    "open": "Ctrl+O",
    "export": "Ctrl+E",
    "previous": "Alt+Left",
    "next": "Alt+Right",
    "this": "Alt+Home",
}


def team_officers(services: Services, actor: Actor) -> list[tuple[str, str, str]]:
    """Runs in the background: (username, name, role) of the officers of the actor's team who
    crew visits, for the "whose visits" choice. The week itself is refused by the service to
    anyone who may not see it."""
    if not actor.team_name:
        return []
    return [
        (o.username, o.name, o.role)
        for o in services.users.officers()
        if o.team == actor.team_name and o.role in CREW_ROLES
    ]


class VisitsScreen(VisitActions, QWidget):
    """Emits `open_record(offender_id)`; `week_loaded`, `due_loaded` when rows arrive; `changed`
    after a visit was planned, moved, cancelled, recorded or submitted here; `dialog_opened`
    with each dialog it opens; `exported(Exported)` after a calendar was written."""

    open_record = Signal(int)
    week_loaded = Signal()
    due_loaded = Signal()
    officers_loaded = Signal()
    changed = Signal()
    dialog_opened = Signal(object)
    exported = Signal(object)
    failed = Signal(str)

    title = "Visits"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("visitsScreen")
        self._started = False
        self._load_failed = False
        self._week_token = 0
        self._due_token = 0
        self._week_start: dt.date | None = None
        self.names: dict[str, str] = {}
        self.dialog: QDialog | None = None
        self.week: WeekPlan | None = None

        heading = QLabel("Visits")
        heading.setObjectName("screenHeading")
        self.week_label = QLabel()
        self.week_label.setObjectName("countLabel")
        self.week_label.setAccessibleName("Week shown")
        self.week_label.setWordWrap(True)
        self.refresh_button = self._button("Refresh", "Load the visits again", "F5")
        self.refresh_button.clicked.connect(self.reload)
        title_row = QHBoxLayout()
        title_row.addWidget(heading)
        title_row.addSpacing(16)
        title_row.addWidget(self.week_label, 1)
        title_row.addWidget(self.refresh_button)

        self.officer_box = QComboBox()
        self.officer_box.setAccessibleName("Whose visits")
        self.officer_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.officer_box.setMinimumContentsLength(22)
        self.officer_box.currentIndexChanged.connect(self._officer_chosen)
        officer_label = QLabel("Sho&w visits of")
        officer_label.setBuddy(self.officer_box)
        self.previous_button = self._button(
            "Pre&vious week", "Show the week before", SHORTCUTS["previous"]
        )
        self.this_button = self._button("&This week", "Show this week", SHORTCUTS["this"])
        self.next_button = self._button("&Next week", "Show the week after", SHORTCUTS["next"])
        self.previous_button.clicked.connect(lambda: self.show_week(-1))
        self.this_button.clicked.connect(lambda: self.show_week(0))
        self.next_button.clicked.connect(lambda: self.show_week(1))
        self.export_button = self._button(
            "&Export calendar…",
            "Save the planned visits as a calendar file (reference, crew and postcode district "
            "only)",
            SHORTCUTS["export"],
            name="Export planned visits as a calendar",
        )
        self.export_button.clicked.connect(self.export_calendar)
        top = QHBoxLayout()
        top.addWidget(officer_label)
        top.addWidget(self.officer_box)
        top.addSpacing(16)
        for button in (self.previous_button, self.this_button, self.next_button):
            top.addWidget(button)
        top.addStretch(1)
        top.addWidget(self.export_button)

        self.plan_button = self._button(
            "&Plan visit…", "Plan a visit to the chosen offender", SHORTCUTS["plan"]
        )
        self.move_button = self._button(
            "&Move visit…", "Change the chosen visit's day, time or crew", SHORTCUTS["move"]
        )
        self.cancel_button = self._button(
            "&Cancel visit…", "Cancel the chosen visit, with the reason", SHORTCUTS["cancel"]
        )
        self.record_button = self._button(
            "&Record outcome…", "Record what happened at the chosen visit", SHORTCUTS["record"]
        )
        self.submit_button = self._button(
            "&Submit for approval",
            "Send the chosen visit's record to the sergeant",
            SHORTCUTS["submit"],
        )
        self._submit_tip = self.submit_button.toolTip()
        self.open_button = self._button(
            "&Open record", "Open the chosen offender's record", SHORTCUTS["open"]
        )
        self.action_buttons = {
            "plan": self.plan_button,
            "move": self.move_button,
            "cancel": self.cancel_button,
            "record": self.record_button,
            "submit": self.submit_button,
            "open": self.open_button,
        }
        actions = QHBoxLayout()
        for key, button in self.action_buttons.items():
            button.clicked.connect(lambda _checked=False, k=key: self.act(k))
            actions.addWidget(button)
        actions.addStretch(1)

        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName("Visits message")
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label.hide()

        self.week_pane = WeekPane()
        self.due_pane = DuePane()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("visitTabs")
        self.tabs.setAccessibleName("Week or visits due")
        self.tabs.tabBar().setAccessibleName("Week or visits due")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.week_pane, "Wee&k")
        self.tabs.addTab(self.due_pane, "&Due visits")
        self.tabs.currentChanged.connect(lambda _i: self.update_actions())
        self.week_pane.current_changed.connect(self.update_actions)
        self.due_pane.current_changed.connect(self.update_actions)
        self.week_pane.open_requested.connect(self.open_current)
        self.due_pane.open_requested.connect(self.open_current)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(title_row)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.state_label)
        layout.addWidget(self.tabs, 1)

        handlers = {
            "previous": lambda: self.show_week(-1),
            "next": lambda: self.show_week(1),
            "this": lambda: self.show_week(0),
            "export": self.export_calendar,
        }
        screen_shortcuts(
            self,
            [
                *(
                    (sequence, handlers.get(key) or (lambda k=key: self.act(k)))
                    for key, sequence in SHORTCUTS.items()
                ),
                (Qt.Key.Key_F5, self.reload),
            ],
        )

        chain: list[QWidget] = [
            self.officer_box,
            self.previous_button,
            self.this_button,
            self.next_button,
            self.export_button,
            *self.action_buttons.values(),
            self.tabs.tabBar(),
            self.week_pane.table,
            self.week_pane.day_table,
            self.due_pane.table,
            self.refresh_button,
        ]
        tab_chain(self, chain)
        self.setFocusProxy(self.week_pane.table)
        self._fill_officer_box([])
        self.update_actions()

    def _button(self, text: str, tip: str, shortcut: str, *, name: str = "") -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name or text.replace("&", "").rstrip("…"))
        button.setToolTip(f"{tip} ({shortcut})")
        return button

    # -- whose week --------------------------------------------------------------------------------

    @property
    def is_planner(self) -> bool:
        return self.ctx.officer.role in PLANNERS

    def _fill_officer_box(self, officers: list[tuple[str, str, str]]) -> None:
        actor = self.ctx.officer
        keep = self.officer_box.currentData()
        self.names = {username: name for username, name, _role in officers}
        self.names[actor.username] = actor.display_name
        self.officer_box.blockSignals(True)
        self.officer_box.clear()
        if self.is_planner:
            self.officer_box.addItem(f"Whole team ({actor.team_name})", TEAM)
        self.officer_box.addItem(f"Me: {actor.display_name}", actor.username)
        for username, name, role in officers:
            if username != actor.username:
                self.officer_box.addItem(f"{name} ({texts.role_words(role)})", username)
        default = TEAM if self.is_planner else actor.username
        position = self.officer_box.findData(keep if keep is not None else default)
        self.officer_box.setCurrentIndex(max(0, position))
        self.officer_box.blockSignals(False)

    @property
    def chosen_officer(self) -> str | None:
        """The username whose week is shown; None for the whole team."""
        data = self.officer_box.currentData()
        return str(data) if data else None

    def _officer_chosen(self, _position: int) -> None:
        self.load_week()

    # -- loading -------------------------------------------------------------------------------

    def activate(self) -> None:
        """Called when the screen is shown: the first time, load the week and what is due."""
        if self._started:
            return
        self._started = True
        self._week_start = texts.monday_of(self.ctx.svc.today())
        self.ctx.runner.run(
            team_officers,
            self.ctx.svc,
            self.ctx.officer,
            on_result=self._officers_arrived,
            on_error=lambda exc: log.warning("could not list the team's officers: %s", exc),
            owner=self,
        )
        self.load_week()
        self.load_due()

    def reload(self, *, keep_visit: int | None = None) -> None:
        if not self._started:
            self.activate()
            return
        self.load_week(keep_visit=keep_visit)
        self.load_due()

    def _officers_arrived(self, officers: list[tuple[str, str, str]]) -> None:
        self._fill_officer_box(officers)
        self.officers_loaded.emit()

    def show_week(self, step: int) -> None:
        """-1 the week before, +1 the week after, 0 this week."""
        if self._week_start is None:
            return
        if step == 0:
            self._week_start = texts.monday_of(self.ctx.svc.today())
        else:
            self._week_start += dt.timedelta(weeks=step)
        self.load_week()

    def go_to_day(self, day: dt.date, keep_visit: int | None = None) -> None:
        self._week_start = texts.monday_of(day)
        self.load_week(keep_visit=keep_visit, day=day)

    def load_week(self, *, keep_visit: int | None = None, day: dt.date | None = None) -> None:
        if self._week_start is None:
            return
        self._week_token += 1
        token = self._week_token
        start = self._week_start
        if keep_visit is None and day is None:
            current = self.week_pane.current_visit()
            keep_visit = current.visit_id if current is not None else None
        self._show_week_label(start, None)
        self.ctx.runner.run(
            self.ctx.svc.visits.week,
            self.ctx.officer,
            self.chosen_officer,
            start,
            on_result=lambda plan: self._week_arrived(token, plan, keep_visit, day),
            on_error=lambda exc: self._week_failed(token, exc),
            owner=self,
        )

    def _week_arrived(
        self, token: int, plan: WeekPlan, keep_visit: int | None, day: dt.date | None
    ) -> None:
        if token != self._week_token:
            return
        self.week = plan
        name = self.names.get(plan.officer or "", plan.officer) if plan.officer else None
        self.week_pane.set_week(
            plan, self.ctx.svc.now(), name, keep_visit=keep_visit, day=day or self._today_in(plan)
        )
        self._show_week_label(plan.week_start, plan)
        if self._load_failed:
            self._load_failed = False
            self.state_label.hide()
        self.update_actions()
        self.week_loaded.emit()

    def _today_in(self, plan: WeekPlan) -> dt.date | None:
        today = self.ctx.svc.today()
        return today if plan.week_start <= today < plan.week_start + dt.timedelta(days=7) else None

    def _week_failed(self, token: int, exc: BaseException) -> None:
        if token != self._week_token:
            return
        self.week = None
        self.week_pane.set_week(None, self.ctx.svc.now(), None)
        self.show_state(error_text(exc), "alert")
        self._load_failed = True
        self.update_actions()
        self.failed.emit(error_text(exc))

    def _show_week_label(self, start: dt.date, plan: WeekPlan | None) -> None:
        end = start + dt.timedelta(days=6)
        text = f"Week of {texts.long_day(start)} to {texts.long_day(end)}"
        if start == texts.monday_of(self.ctx.svc.today()):
            text += " (this week)"
        if plan is not None:
            whose = (
                self.names.get(plan.officer, plan.officer) if plan.officer else f"{plan.team} team"
            )
            count = sum(len(d.visits) for d in plan.days)
            text += f": {plural(count, 'visit')} for {whose}"
        else:
            text += ": loading…"
        self.week_label.setText(text)

    def load_due(self) -> None:
        self._due_token += 1
        token = self._due_token
        self.ctx.runner.run(
            self.ctx.svc.visits.due,
            self.ctx.officer,
            on_result=lambda rows: self._due_arrived(token, rows),
            on_error=lambda exc: self._due_failed(token, exc),
            owner=self,
        )

    def _due_arrived(self, token: int, rows: list[DueVisit]) -> None:
        if token != self._due_token:
            return
        self.due_pane.set_due(rows, show_manager=self.is_planner)
        self.tabs.setTabText(1, f"&Due visits ({len(rows)})")
        self.update_actions()
        self.due_loaded.emit()

    def _due_failed(self, token: int, exc: BaseException) -> None:
        if token != self._due_token:
            return
        self.due_pane.clear()
        self.due_pane.summary.setText(error_text(exc))
        self.tabs.setTabText(1, "&Due visits")
        self.update_actions()

    # -- the state line ------------------------------------------------------------------------

    def show_state(self, text: str, tone: str) -> None:
        self.state_label.setText(text)
        set_tone(self.state_label, tone)
        self.state_label.show()

    @property
    def state_text(self) -> str:
        return self.state_label.text() if not self.state_label.isHidden() else ""

    def announce(self, text: str) -> None:
        """A confirmation, on the screen and in the main window's status bar."""
        self.show_state(text, "ok")
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 15_000)

    # -- what is chosen --------------------------------------------------------------------------

    @property
    def showing_due(self) -> bool:
        return self.tabs.currentWidget() is self.due_pane

    def current_visit(self) -> VisitView | None:
        """The visit the actions apply to: the one chosen in the week or the day, or on the due
        list the visit planned for the chosen offender."""
        if self.showing_due:
            due = self.due_pane.current_due()
            return due.planned_visit if due is not None else None
        return self.week_pane.current_visit()

    def current_offender(self) -> int | None:
        if self.showing_due:
            due = self.due_pane.current_due()
            return due.offender_id if due is not None else None
        visit = self.week_pane.current_visit()
        return visit.offender_id if visit is not None else None

    def plan_target(self) -> PlanTarget | None:
        if self.showing_due:
            due = self.due_pane.current_due()
            if due is None or due.planned_visit is not None:
                return None
            return PlanTarget.from_due(due)
        visit = self.week_pane.current_visit()
        if visit is None or visit.outcome == "planned":
            return None
        due = next(
            (d for d in self.due_pane.model.rows if d.offender_id == visit.offender_id), None
        )
        if due is not None:
            return PlanTarget.from_due(due) if due.planned_visit is None else None
        return PlanTarget.from_visit(visit)

    def update_actions(self) -> None:
        visit = self.current_visit()
        enabled = {
            "plan": self.plan_target() is not None,
            "move": visit is not None and visit.can_change,
            "cancel": visit is not None and visit.can_change,
            "record": visit is not None and visit.can_record,
            "submit": visit is not None and visit.can_submit,
            "open": self.current_offender() is not None,
        }
        for key, button in self.action_buttons.items():
            button.setEnabled(enabled[key] and self.dialog is None)
        blocked = visit.submit_blocked if visit is not None and visit.can_record else ""
        self.submit_button.setToolTip(blocked or self._submit_tip)
        ready = self.week is not None
        for button in (self.previous_button, self.this_button, self.next_button):
            button.setEnabled(self._week_start is not None)
        self.export_button.setEnabled(ready)
