"""The Team screen, for sergeants, team managers and administrators: a team on a day (today by
default; the day before or after a keystroke away), who is on duty or away, who sees each absent
sergeant's or team manager's approvals and why, and the team's absences (current, the next 60
days, the last 14) with their named cover: record, change or cancel an absence, name or remove
cover.

Slots gather what was chosen and call the team service through the background runner; the
dialogs save the same way, and the screen loads the team again after every change."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.team import texts
from ui.team.dialogs import AbsenceDialog, CoverDialog, DayField
from ui.widgets.dates import fmt_date
from ui.widgets.forms import set_tone
from ui.widgets.keys import screen_shortcuts, tab_chain
from ui.widgets.labels import humanise, plural, role_label
from ui.widgets.messages import error_text
from ui.widgets.tables import Cell, RowsTable

if TYPE_CHECKING:
    from desktop.services.team import AbsenceView, CoverChoice, TeamChoice, TeamRoster

log = logging.getLogger("pillars.ui.team")

OFFICER_COLUMNS = ("Officer", "Role", "On duty", "Approvals seen by", "Open approvals")
ABSENCE_COLUMNS = ("When", "Officer", "Kind", "First day", "Last day", "Note", "Named cover")
SHORTCUTS = {
    "add": "Ctrl+N",
    "change": "Ctrl+E",
    "cancel": "Ctrl+Delete",
    "cover": "Ctrl+K",
    "uncover": "Ctrl+Shift+K",
    "previous": "Alt+Left",
    "today": "Alt+Home",
    "next": "Alt+Right",
}


class TeamScreen(QWidget):
    """Emits `loaded` when a roster arrives, `failed(text)` when loading is refused, `changed`
    after a change made here, and `dialog_opened(dialog)` with each dialog it opens."""

    loaded = Signal()
    failed = Signal(str)
    changed = Signal()
    dialog_opened = Signal(object)

    title = "Team"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("teamScreen")
        self._started = False
        self._token = 0
        self._load_failed = False
        self.roster: TeamRoster | None = None
        self.dialog: QDialog | None = None

        heading = QLabel("Team")
        heading.setObjectName("screenHeading")
        self.summary = QLabel("Loading…")
        self.summary.setObjectName("countLabel")
        self.summary.setAccessibleName("Team summary")
        self.summary.setWordWrap(True)
        self.refresh_button = self._button("Refresh", "Load the team again", "F5")
        self.refresh_button.clicked.connect(self.reload)
        title_row = QHBoxLayout()
        title_row.addWidget(heading)
        title_row.addSpacing(16)
        title_row.addWidget(self.summary, 1)
        title_row.addWidget(self.refresh_button)

        self.team_box = QComboBox()
        self.team_box.setAccessibleName("Team")
        self.team_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.team_box.currentIndexChanged.connect(lambda _i: self.load())
        self.team_label = QLabel("T&eam")
        self.team_label.setBuddy(self.team_box)
        self.day_field = DayField(ctx.svc.today() if ctx.services is not None else dt.date.today())
        self.day_field.setAccessibleName("Day shown")
        self.day_field.setKeyboardTracking(False)  # load the day once it is typed whole
        self.day_field.dateChanged.connect(lambda _d: self.load())
        day_label = QLabel("&Day")
        day_label.setBuddy(self.day_field)
        self.previous_button = self._button("Pre&vious day", "Show the day before", "Alt+Left")
        self.today_button = self._button("&Today", "Show today", "Alt+Home")
        self.next_button = self._button("Ne&xt day", "Show the day after", "Alt+Right")
        self.previous_button.clicked.connect(lambda: self.step_day(-1))
        self.today_button.clicked.connect(lambda: self.step_day(0))
        self.next_button.clicked.connect(lambda: self.step_day(1))
        top = QHBoxLayout()
        for label in (self.team_label, day_label):
            label.setMinimumWidth(label.sizeHint().width() + 4)  # never clipped by the field
        top.addWidget(self.team_label)
        top.addWidget(self.team_box)
        top.addSpacing(16)
        top.addWidget(day_label)
        top.addWidget(self.day_field)
        for button in (self.previous_button, self.today_button, self.next_button):
            top.addWidget(button)
        top.addStretch(1)

        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName("Team message")
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label.hide()

        self.officers_title = QLabel("Officers")
        self.officers_title.setObjectName("dayTitle")
        self.officers = RowsTable(OFFICER_COLUMNS, "Officers of the team", stretch=3, widest=300)
        self.officers.setMinimumHeight(180)

        absences_title = QLabel(
            "Absences: now, in the next 60 days and in the last 14, with named cover"
        )
        absences_title.setObjectName("dayTitle")
        self.add_button = self._button(
            "&Add absence…", "Record an absence of an officer of the team", SHORTCUTS["add"]
        )
        self.change_button = self._button(
            "C&hange…", "Change the chosen absence's kind, days or note", SHORTCUTS["change"]
        )
        self.cancel_button = self._button(
            "&Cancel absence", "Remove the chosen absence: it will not happen", SHORTCUTS["cancel"]
        )
        self.cover_button = self._button(
            "&Name cover…",
            "Name who sees the chosen absent sergeant's approvals",
            SHORTCUTS["cover"],
        )
        self.uncover_button = self._button(
            "&Remove cover…", "Withdraw a cover named for the chosen absence", SHORTCUTS["uncover"]
        )
        self.action_buttons = {
            "add": self.add_button,
            "change": self.change_button,
            "cancel": self.cancel_button,
            "cover": self.cover_button,
            "uncover": self.uncover_button,
        }
        actions = QHBoxLayout()
        for key, button in self.action_buttons.items():
            button.clicked.connect(lambda _checked=False, k=key: self.act(k))
            actions.addWidget(button)
        actions.addStretch(1)
        self.absences = RowsTable(ABSENCE_COLUMNS, "Absences of the team", widest=260)
        self.absences.setMinimumHeight(140)
        self.absences.selectionModel().currentRowChanged.connect(lambda *_: self.update_actions())
        self.absences.doubleClicked.connect(lambda _i: self.act("change"))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(title_row)
        layout.addLayout(top)
        layout.addWidget(self.state_label)
        layout.addWidget(self.officers_title)
        layout.addWidget(self.officers, 3)
        layout.addWidget(absences_title)
        layout.addLayout(actions)
        layout.addWidget(self.absences, 2)

        handlers = {
            "previous": lambda: self.step_day(-1),
            "today": lambda: self.step_day(0),
            "next": lambda: self.step_day(1),
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
            self.team_box,
            self.day_field,
            self.previous_button,
            self.today_button,
            self.next_button,
            self.officers,
            *self.action_buttons.values(),
            self.absences,
            self.refresh_button,
        ]
        tab_chain(self, chain)
        self.setFocusProxy(self.officers)
        self._show_teams([])
        self.update_actions()

    def _button(self, text: str, tip: str, shortcut: str) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.setToolTip(f"{tip} ({shortcut})")
        return button

    # -- loading -----------------------------------------------------------------------------------

    def activate(self) -> None:
        """Called when the screen is shown: the first time, find the teams and load the first."""
        if self._started:
            return
        self._started = True
        self.ctx.runner.run(
            self.ctx.svc.team.teams,
            self.ctx.officer,
            on_result=self._teams_arrived,
            on_error=self._failed_token(self._token),
            owner=self,
        )

    def reload(self) -> None:
        if not self._started:
            self.activate()
        else:
            self.load()

    def _teams_arrived(self, teams: list[TeamChoice]) -> None:
        self._show_teams(teams)
        if not teams:
            self._show_failure(
                "You manage no team: the Team screen is for sergeants and team managers (their "
                "own team) and administrators."
            )
            return
        self.load()

    def _show_teams(self, teams: list[TeamChoice]) -> None:
        self.team_box.blockSignals(True)
        self.team_box.clear()
        for team in teams:
            self.team_box.addItem(team.name, team.team_id)
        own = self.team_box.findData(self.ctx.actor.team_id) if self.ctx.actor else -1
        self.team_box.setCurrentIndex(max(0, own))
        self.team_box.blockSignals(False)
        several = len(teams) > 1
        self.team_box.setVisible(several)
        self.team_label.setVisible(several)

    @property
    def team_id(self) -> int | None:
        data = self.team_box.currentData()
        return int(data) if data is not None else None

    @property
    def day(self) -> dt.date:
        return self.day_field.day()

    def step_day(self, step: int) -> None:
        """-1 the day before, +1 the day after, 0 today."""
        target = self.ctx.svc.today() if step == 0 else self.day + dt.timedelta(days=step)
        if target != self.day:
            self.day_field.set_day(target)  # loads through dateChanged
        elif step == 0:
            self.load()

    def load(self, *, keep_absence: int | None = None) -> None:
        team_id = self.team_id
        if team_id is None or not self._started:
            return
        self._token += 1
        token = self._token
        if keep_absence is None:
            current = self.current_absence()
            keep_absence = current.absence_id if current is not None else None
        self.summary.setText(f"Loading {fmt_date(self.day)}…")
        self.ctx.runner.run(
            self.ctx.svc.team.roster,
            self.ctx.officer,
            team_id,
            self.day,
            on_result=lambda roster: self._arrived(token, roster, keep_absence),
            on_error=self._failed_token(token),
            owner=self,
        )

    def _arrived(self, token: int, roster: TeamRoster, keep_absence: int | None) -> None:
        if token != self._token:
            return
        self.roster = roster
        self._fill_officers(roster)
        self._fill_absences(roster, keep_absence)
        away = [m for m in roster.members if not m.on_duty]
        uncovered = [m for m in away if m.cover_link == "nobody"]
        today = " (today)" if roster.day == self.ctx.svc.today() else ""
        text = (
            f"{roster.team} team on {roster.day:%A} {fmt_date(roster.day)}{today}: "
            f"{plural(len(roster.members) - len(away), 'officer')} on duty, {len(away)} away"
        )
        if uncovered:
            text += f"; {plural(len(uncovered), 'absence')} with nobody to cover approvals"
        self.summary.setText(text + ".")
        set_tone(self.summary, "warn" if uncovered else "")
        self.officers_title.setText(f"Officers on {fmt_date(roster.day)}")
        if self._load_failed:
            self._load_failed = False
            self.state_label.hide()
        self.update_actions()
        self.loaded.emit()

    def _failed_token(self, token: int) -> Any:
        def failed(exc: BaseException) -> None:
            if token != self._token:
                return
            self._show_failure(error_text(exc))

        return failed

    def _show_failure(self, text: str) -> None:
        self._load_failed = True
        self.roster = None
        self.officers.set_rows([])
        self.absences.set_rows([])
        self.summary.setText("Nothing to show.")
        self.show_state(text, "alert")
        self.update_actions()
        self.failed.emit(text)

    def _fill_officers(self, roster: TeamRoster) -> None:
        rows = []
        for member in roster.members:
            count = member.open_approvals
            tone = "alert" if count and member.cover_link == "nobody" else ""
            rows.append(
                [
                    Cell(member.name),
                    Cell(role_label(member.role)),
                    texts.duty_cell(member),
                    texts.cover_cell(member),
                    Cell(str(count) if member.role in texts.APPROVERS or count else "", tone),
                ]
            )
        self.officers.set_rows(rows, [m.officer_id for m in roster.members])

    def _fill_absences(self, roster: TeamRoster, keep: int | None) -> None:
        rows = [texts.absence_row(a) for a in roster.absences]
        self.absences.set_rows(rows, [a.absence_id for a in roster.absences])
        ids = [a.absence_id for a in roster.absences]
        if keep in ids:
            self.absences.selectRow(ids.index(keep))

    # -- the state line ----------------------------------------------------------------------------

    def show_state(self, text: str, tone: str) -> None:
        self.state_label.setText(text)
        set_tone(self.state_label, tone)
        self.state_label.show()

    @property
    def state_text(self) -> str:
        return self.state_label.text() if not self.state_label.isHidden() else ""

    def announce(self, text: str) -> None:
        self.show_state(text, "ok")
        window = self.window()
        if isinstance(window, QMainWindow):
            window.statusBar().showMessage(text, 15_000)

    # -- acting ------------------------------------------------------------------------------------

    def current_absence(self) -> AbsenceView | None:
        if self.roster is None:
            return None
        key = self.absences.current_key()
        return next((a for a in self.roster.absences if a.absence_id == key), None)

    def update_actions(self) -> None:
        absence = self.current_absence()
        free = self.dialog is None
        enabled = {
            "add": self.roster is not None and bool(self.roster.members),
            "change": absence is not None,
            "cancel": absence is not None,
            "cover": absence is not None and absence.role in texts.APPROVERS,
            "uncover": absence is not None and bool(absence.covers),
        }
        for key, button in self.action_buttons.items():
            button.setEnabled(enabled[key] and free)
        for button in (self.previous_button, self.today_button, self.next_button):
            button.setEnabled(free)

    def act(self, action: str) -> None:
        """Do `action` ("add", "change", "cancel", "cover", "uncover") on the chosen absence."""
        if self.dialog is not None or self.roster is None:
            return
        if not self.action_buttons[action].isEnabled():
            return
        roster, absence = self.roster, self.current_absence()
        if action == "add":
            self._open(AbsenceDialog(self.ctx, roster.members, roster.day, parent=self))
        elif absence is None:
            return
        elif action == "change":
            self._open(AbsenceDialog(self.ctx, roster.members, roster.day, absence, parent=self))
        elif action == "cancel":
            self._cancel(absence)
        elif action == "cover":
            self.cover_button.setEnabled(False)
            self.ctx.runner.run(
                self.ctx.svc.team.cover_choices,
                self.ctx.officer,
                absence.absence_id,
                on_result=lambda choices: self._choices_arrived(absence, choices),
                on_error=self._action_failed,
                owner=self,
            )
        elif action == "uncover":
            self._uncover(absence)

    def _choices_arrived(self, absence: AbsenceView, choices: list[CoverChoice]) -> None:
        if self.dialog is not None:
            return
        if not choices:
            self.show_state(
                "There is no other active sergeant or team manager to name as cover.", "alert"
            )
            self.update_actions()
            return
        self._open(CoverDialog(self.ctx, absence, choices, parent=self))

    def _open(self, dialog: AbsenceDialog | CoverDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result, d=dialog: self._closed(d))
        dialog.saved.connect(lambda value, d=dialog: self._saved(d, value))
        dialog.conflicted.connect(self.load)
        self.update_actions()
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
            self.update_actions()

    def _saved(self, dialog: QDialog, value: Any) -> None:
        if isinstance(dialog, CoverDialog):
            self.announce(
                f"{dialog.chosen_name()} named as cover for {dialog.absence.name} from "
                f"{dialog.value('starts_on')} to {dialog.value('ends_on')}."
            )
            self._after_change(dialog.absence.absence_id)
        elif isinstance(dialog, AbsenceDialog):
            entry = dialog.entry()
            who = dialog.officer_box.currentText().split(" (")[0]
            verb = "recorded" if dialog.absence is None else "changed"
            self.announce(
                f"{humanise(entry.kind)} {verb} for {who} from {entry.starts_on} to "
                f"{entry.ends_on}."
            )
            self._after_change(int(value) if dialog.absence is None else dialog.absence.absence_id)

    def _after_change(self, absence_id: int | None) -> None:
        self.load(keep_absence=absence_id)
        self.changed.emit()

    def _cancel(self, absence: AbsenceView) -> None:
        covers = " Its named cover goes too." if absence.covers else ""
        answer = QMessageBox.question(
            self,
            "Cancel absence",
            f"Cancel {absence.name}'s {humanise(absence.kind).lower()} from "
            f"{fmt_date(absence.starts_on)} to {fmt_date(absence.ends_on)}? They will count as "
            f"on duty on those days.{covers}",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.cancel_button.setEnabled(False)
        self.ctx.runner.run(
            self.ctx.svc.team.cancel_absence,
            self.ctx.officer,
            absence.absence_id,
            absence.version,
            on_result=lambda _none: self._done(
                f"{absence.name}'s {humanise(absence.kind).lower()} from "
                f"{fmt_date(absence.starts_on)} to {fmt_date(absence.ends_on)} was cancelled.",
                None,
            ),
            on_error=self._action_failed,
            owner=self,
        )

    def _uncover(self, absence: AbsenceView) -> None:
        spans = [texts.cover_span(c) for c in absence.covers]
        if len(spans) == 1:
            answer = QMessageBox.question(
                self,
                "Remove cover",
                f"Remove {spans[0]} as named cover for {absence.name}? On those days the cover "
                "chain decides who sees their approvals.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
            chosen = 0
        else:
            span, ok = QInputDialog.getItem(
                self, "Remove cover", f"Which named cover of {absence.name}?", spans, 0, False
            )
            if not ok or span not in spans:
                return
            chosen = spans.index(span)
        cover = absence.covers[chosen]
        self.uncover_button.setEnabled(False)
        self.ctx.runner.run(
            self.ctx.svc.team.remove_cover,
            self.ctx.officer,
            cover.arrangement_id,
            cover.version,
            on_result=lambda _none: self._done(
                f"{spans[chosen]} is no longer named as cover for {absence.name}.",
                absence.absence_id,
            ),
            on_error=self._action_failed,
            owner=self,
        )

    def _done(self, text: str, absence_id: int | None) -> None:
        self.announce(text)
        self._after_change(absence_id)

    def _action_failed(self, exc: BaseException) -> None:
        self.show_state(error_text(exc) + " The team is shown again as saved.", "alert")
        self.load()
        self.update_actions()

    def set_day(self, day: dt.date) -> None:
        """Show `day` (for the main window and tests)."""
        self.day_field.setDate(QDate(day.year, day.month, day.day))
