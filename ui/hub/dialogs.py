"""The hub's two dialogs: entering a notification an offender made, and processing one.

`EnterNotificationDialog` asks for what every notification has (kind, offender, event date,
notified date, a note) and, on a page per kind, what that kind needs. The reference resolves to a
name as it is typed, in the background. Save runs `services.hub.enter` off the GUI thread; every
problem shows under its own field and nothing typed is lost.

`ProcessNotificationDialog` shows a hub task's notification in words and what processing it will
do to the record, with Process and Reject… (which asks for the reason). A refusal (claimed by
another officer, already processed, changed meanwhile) is shown in the service's words and the
notification is read again, so the dialog shows where it now stands.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.hub import (
    EVENT_LABELS,
    KIND_LABELS,
    MAPPA_CATEGORIES,
    RELEASED_FROM,
    SENTENCE_KINDS,
    NotificationEntry,
)
from desktop.services.problems import ValidationFailed
from ui.context import AppContext
from ui.hub.fields import CAPTION_WIDTH, Fields, date_box, text_box
from ui.widgets.banner import ClassificationBanner
from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.forms import set_tone
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.hub import NotificationView, ProcessResult, TripChoice

LOOKUP_DELAY_MS = 250
ADDRESS_KINDS = ("change_of_address", "other_address_stay", "release", "household_with_child")


class _HubDialog(QDialog):
    """The banner, an intro, a message line and the busy state both dialogs share."""

    def __init__(self, ctx: AppContext, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._busy = False
        self.intro = QLabel()
        self.intro.setObjectName("mutedText")
        self.intro.setWordWrap(True)
        self.intro.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Form message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.buttons = QDialogButtonBox()
        self.body = QVBoxLayout()
        self.body.setContentsMargins(16, 12, 16, 0)
        self.body.setSpacing(10)
        self.body.addWidget(self.intro)
        self.body.addWidget(self.message)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 12)
        outer.setSpacing(0)
        outer.addWidget(ClassificationBanner())
        outer.addLayout(self.body)

    def finish_layout(self) -> None:
        self.body.addStretch(1)
        self.body.addWidget(self.buttons)

    def button(self, text: str, name: str, role: QDialogButtonBox.ButtonRole) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setAutoDefault(False)
        self.buttons.addButton(button, role)
        return button

    def show_message(self, text: str, *, tone: str) -> None:
        self.message.setText(text)
        set_tone(self.message, tone)
        self.message.show()

    @property
    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    @property
    def busy(self) -> bool:
        return self._busy


# -- entering ------------------------------------------------------------------------------------


class EnterNotificationDialog(_HubDialog):
    """Enter a notification; emits `saved(task_id)`, then closes."""

    saved = Signal(int)
    looked_up = Signal()  # the reference was resolved (or not): for tests and screen readers

    def __init__(
        self, ctx: AppContext, parent: QWidget | None = None, *, offender_reference: str = ""
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("enterNotificationDialog")
        self.setWindowTitle("Enter a notification")
        self.setMinimumWidth(640)
        self.intro.setText(
            "What the offender notified, as they notified it. Bank, card and passport details "
            "are not kept: leave them out. Fields marked * are required."
        )
        self.trips: list[TripChoice] = []
        self._looked_up_for = ""

        self.common = Fields()
        self.kind_box = QComboBox()
        for kind, label in KIND_LABELS.items():
            self.kind_box.addItem(label, str(kind))
        self.common.add("kind", "&Kind of notification", self.kind_box, required=True)
        self.reference = QLineEdit(offender_reference)
        self.reference.setPlaceholderText("for example ZZ/2019/004512")
        self.common.add("reference", "Offender &reference", self.reference, required=True)
        self.offender_name = QLabel("Type the reference to find the offender.")
        self.offender_name.setObjectName("mutedText")
        self.offender_name.setAccessibleName("Offender found")
        self.offender_name.setWordWrap(True)
        offender_caption = QLabel("Offender")
        offender_caption.setMinimumWidth(CAPTION_WIDTH)
        self.common.form.addRow(offender_caption, self.offender_name)
        self.event_on = date_box()
        self.common.add("event_on", "Event &date", self.event_on, required=True)
        self.notified_on = date_box()
        self.notified_on.setText(fmt_date(ctx.svc.today()))
        self.common.add("notified_on", "&Notified on", self.notified_on, required=True)

        self.pages: dict[str, Fields] = {}
        self.stack = QStackedWidget()
        self.stack.setAccessibleName("Details of this kind of notification")
        for kind in KIND_LABELS:
            page = self._page(str(kind))
            self.pages[str(kind)] = page
            self.stack.addWidget(page)

        self.extra = Fields()
        self.note = text_box(56)
        self.extra.add("note", "N&ote", self.note, description="Anything else worth keeping")

        self.save_button = self.button("&Save", "Save", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.save_button.setAutoDefault(True)
        self.cancel_button = self.button(
            "Cancel", "Close without saving", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.reject)

        self.body.addWidget(self.common)
        self.body.addWidget(self.stack)
        self.body.addWidget(self.extra)
        self.finish_layout()

        self._lookup_timer = QTimer(self)
        self._lookup_timer.setSingleShot(True)
        self._lookup_timer.setInterval(LOOKUP_DELAY_MS)
        self._lookup_timer.timeout.connect(self._look_up)
        self.reference.textChanged.connect(lambda _text: self._lookup_timer.start())
        self.kind_box.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()
        ctx.runner.run(
            ctx.svc.hub.teams,
            ctx.officer,
            on_result=self._fill_teams,
            on_error=self._failed,
            owner=self,
        )
        if offender_reference:
            self._look_up()
        self.kind_box.setFocus()

    # -- the page of each kind -----------------------------------------------------------------

    def _page(self, kind: str) -> Fields:
        page = Fields()
        if kind == "change_of_name":
            page.add("forename", "New &forename", QLineEdit(), required=True)
            page.add("surname", "New &surname", QLineEdit(), required=True)
        elif kind in ADDRESS_KINDS:
            if kind == "release":
                released = QComboBox()
                for value, label in RELEASED_FROM.items():
                    released.addItem(label, value)
                page.add("released_from", "Released &from", released, required=True)
            self._address(page, home=kind in ("change_of_address", "release"))
            if kind == "other_address_stay":
                page.add(
                    "end_on",
                    "&Last day of the stay",
                    date_box(),
                    description="Empty if still staying",
                )
            elif kind == "household_with_child":
                page.add("end_on", "&Intended last day", date_box())
        elif kind == "advance_notice":
            page.add("expected_change", "&Change expected", QLineEdit(), required=True)
        elif kind == "no_fixed_abode":
            page.add("where", "&Where they can be found", QLineEdit(), required=True)
        elif kind in ("foreign_travel", "foreign_travel_change"):
            if kind == "foreign_travel_change":
                trip = QComboBox()
                trip.addItem("Type the reference to list the trips", None)
                page.add("trip_id", "&Trip that changed", trip, required=True)
            page.add("return_on", "&Return date", date_box(), required=kind == "foreign_travel")
            destinations = QLineEdit()
            destinations.setPlaceholderText("countries, separated by commas")
            page.add(
                "destinations",
                "Destina&tions",
                destinations,
                required=kind == "foreign_travel",
                description="Countries, separated by commas"
                + ("; empty keeps the trip's" if kind == "foreign_travel_change" else ""),
            )
            if kind == "foreign_travel":
                page.add(
                    "decided_on",
                    "Trip decided o&n",
                    date_box(),
                    description="Only when decided fewer than 7 days before departure",
                )
        elif kind == "transfer_in":
            self._identity(page)
        else:
            page.note("Nothing more to enter for this kind: the dates say it all.")
        return page

    def _address(self, page: Fields, *, home: bool) -> None:
        if home:
            nowhere = QCheckBox("No fixed abode")
            page.add("no_fixed_abode", "No fi&xed abode", nowhere)
            page.add("where", "&Where they can be found", QLineEdit())
            nowhere.toggled.connect(lambda on: self._nowhere(page, on))
        page.add("line1", "Address line &1", QLineEdit(), required=True)
        page.add("line2", "Address line &2", QLineEdit())
        page.add("town", "To&wn", QLineEdit(), required=True)
        postcode = QLineEdit()
        postcode.setMaximumWidth(140)
        page.add("postcode", "&Postcode", postcode, required=True)
        if home:
            self._nowhere(page, False)

    def _nowhere(self, page: Fields, on: bool) -> None:
        """No fixed abode: where they can be found instead of an address."""
        page.form.setRowVisible(page.inputs["where"].parentWidget(), on)
        for name in ("line1", "line2", "town", "postcode"):
            page.form.setRowVisible(page.inputs[name].parentWidget(), not on)

    def _identity(self, page: Fields) -> None:
        page.add("forename", "&Forename", QLineEdit(), required=True)
        page.add("surname", "&Surname", QLineEdit(), required=True)
        page.add("date_of_birth", "Date of &birth", date_box(), required=True)
        page.add("gender", "&Gender", QLineEdit())
        page.add("from_force", "Moving in from (&force)", QLineEdit(), required=True)
        page.add("previous_reference", "Their re&ference", QLineEdit())
        team = QComboBox()
        team.addItem("Loading the teams…", None)
        page.add("team_id", "Allocate to &team", team, required=True)
        category = QComboBox()
        for value, label in MAPPA_CATEGORIES.items():
            category.addItem(label, value)
        page.add("mappa_category", "&MAPPA category", category, required=True)
        self._address(page, home=False)
        page.add("offence", "&Offence", QLineEdit(), description="The conviction, if known")
        page.add("convicted_on", "&Convicted on", date_box())
        sentence = QComboBox()
        for value, label in SENTENCE_KINDS.items():
            sentence.addItem(label, value)
        page.add("sentence_kind", "Se&ntence", sentence)
        months = QLineEdit()
        months.setMaximumWidth(140)
        page.add("sentence_months", "Sentence length (mont&hs)", months)

    # -- reacting to what is typed ---------------------------------------------------------------

    @property
    def kind(self) -> str:
        return str(self.kind_box.currentData())

    def _kind_changed(self) -> None:
        kind = self.kind
        for name, page in self.pages.items():
            # the stack is as tall as the page shown, not as the tallest page
            ignored = QSizePolicy.Policy.Ignored
            page.setSizePolicy(
                QSizePolicy.Policy.Preferred if name == kind else ignored,
                QSizePolicy.Policy.Maximum if name == kind else ignored,
            )
        self.stack.setCurrentWidget(self.pages[kind])
        self.common.captions["event_on"].setText(
            "&" + EVENT_LABELS[kind].capitalize() + ("" if kind in _OPTIONAL_EVENT else " *")
        )
        self.event_on.setAccessibleName(EVENT_LABELS[kind].capitalize())
        transfer = kind == "transfer_in"
        self.common.form.setRowVisible(self.reference.parentWidget(), not transfer)
        self.common.form.setRowVisible(self.offender_name, not transfer)
        if kind == "foreign_travel_change" and self.reference.text().strip():
            self._look_up()
        self.stack.adjustSize()
        self._fit(shrink=True)

    def _look_up(self) -> None:
        typed = self.reference.text().strip()
        if not typed:
            self.offender_name.setText("Type the reference to find the offender.")
            return
        self._looked_up_for = typed
        hub, actor = self.ctx.svc.hub, self.ctx.officer

        def find() -> tuple[Any, list[TripChoice]]:
            found = hub.find_offender(actor, typed)
            trips = hub.trips(actor, typed) if found is not None else []
            return found, trips

        self.ctx.runner.run(
            find, on_result=lambda r: self._found(typed, r), owner=self, on_error=self._failed
        )

    def _found(self, typed: str, result: tuple[Any, list[TripChoice]]) -> None:
        if typed != self._looked_up_for:
            return  # a later lookup is on its way
        found, self.trips = result
        if found is None:
            self.offender_name.setText(f"No offender has the reference {typed.upper()}.")
            set_tone(self.offender_name, "alert")
        else:
            _offender_id, reference, name = found
            self.offender_name.setText(f"{name} ({reference})")
            set_tone(self.offender_name, "")
        trip_box = self.pages["foreign_travel_change"].inputs["trip_id"]
        assert isinstance(trip_box, QComboBox)
        trip_box.clear()
        if not self.trips:
            trip_box.addItem("No trip of this offender is still to come", None)
        for trip in self.trips:
            trip_box.addItem(trip.label, trip.notification_id)
        self.looked_up.emit()

    def _fill_teams(self, teams: list[tuple[int, str]]) -> None:
        box = self.pages["transfer_in"].inputs["team_id"]
        assert isinstance(box, QComboBox)
        box.clear()
        box.addItem("Choose the team", None)
        for team_id, name in teams:
            box.addItem(name, team_id)

    def _failed(self, exc: BaseException) -> None:
        self.show_message(error_text(exc), tone="alert")

    # -- saving ----------------------------------------------------------------------------------

    def entry(self) -> NotificationEntry:
        """What is typed, as the service takes it (only the current kind's page counts)."""
        page = self.pages[self.kind]
        typed: dict[str, Any] = {name: page.value(name) for name in page.inputs}
        typed["no_fixed_abode"] = bool(typed.get("no_fixed_abode"))
        typed["destinations"] = tuple(
            p.strip() for p in re.split(r"[,;\n]", typed.get("destinations", "")) if p.strip()
        )
        for name in ("trip_id", "team_id"):
            typed[name] = int(typed[name]) if typed.get(name) else None
        return NotificationEntry(
            kind=self.kind,
            reference=self.reference.text() if self.kind != "transfer_in" else "",
            event_on=self.event_on.text(),
            notified_on=self.notified_on.text(),
            note=self.note.toPlainText(),
            **typed,
        )

    def submit(self) -> None:
        if self._busy:
            return
        self._clear_errors()
        entry = self.entry()
        self._set_busy(True)
        self.show_message("Saving…", tone="info")
        self.ctx.runner.run(
            self.ctx.svc.hub.enter,
            self.ctx.officer,
            entry,
            on_result=self._saved,
            on_error=self._refused,
            owner=self,
        )

    def _saved(self, task_id: int) -> None:
        self._set_busy(False)
        self.saved.emit(task_id)
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        if not isinstance(exc, ValidationFailed):
            self.show_message(error_text(exc), tone="alert")
            return
        first: QWidget | None = None
        unplaced: list[str] = []
        for problem in exc.errors:
            widget = None
            for fields in (self.common, self.pages[self.kind], self.extra):
                widget = fields.show_error(problem.field, problem.message)
                if widget is not None:
                    break
            if widget is None:
                unplaced.append(problem.message)
            elif first is None:
                first = widget
        count = len(exc.errors)
        summary = (
            "Nothing was saved. Please correct the field marked below."
            if count == 1
            else f"Nothing was saved. Please correct the {count} problems marked below."
        )
        self.show_message(" ".join([summary, *unplaced]), tone="alert")
        self._fit()
        if first is not None:
            first.setFocus()

    def field_error(self, name: str) -> str:
        """The problem shown under a field of the current kind ("" when none)."""
        for fields in (self.common, self.pages[self.kind], self.extra):
            if name in fields.inputs:
                return fields.error(name)
        return ""

    def field(self, name: str) -> QWidget:
        """The input of the current kind called `name` (NotificationEntry's attribute)."""
        for fields in (self.common, self.pages[self.kind], self.extra):
            if name in fields.inputs:
                return fields.inputs[name]
        raise KeyError(name)

    def _clear_errors(self) -> None:
        self.message.hide()
        for fields in (self.common, *self.pages.values(), self.extra):
            fields.clear_errors()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.save_button.setEnabled(not busy)

    def _fit(self, *, shrink: bool = False) -> None:
        layout = self.layout()
        if layout is not None:
            layout.activate()
            wanted = layout.totalSizeHint().height()
            self.resize(self.width(), wanted if shrink else max(self.height(), wanted))


_OPTIONAL_EVENT = frozenset({"periodic", "no_fixed_abode"})


# -- processing ----------------------------------------------------------------------------------


class ProcessNotificationDialog(_HubDialog):
    """One hub task: its notification, what processing will do, Process and Reject…. Emits
    `done()` after either succeeded, then closes; `loaded()` each time the task was read."""

    done = Signal()
    loaded = Signal()

    def __init__(self, ctx: AppContext, task_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.task_id = task_id
        self.view: NotificationView | None = None
        self.setObjectName("processNotificationDialog")
        self.setWindowTitle("Process a notification")
        self.setMinimumWidth(760)
        self.intro.setObjectName("recordTitle")
        self.intro.setText("Loading the notification…")

        self.facts = QFormLayout()
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.facts.setVerticalSpacing(8)
        self.facts.setHorizontalSpacing(16)
        self.effects_heading = QLabel()
        self.effects_heading.setObjectName("factCaption")
        self.effects = QLabel()
        self.effects.setWordWrap(True)
        self.effects.setAccessibleName("What processing does")
        self.effects.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.choices = Fields()
        self.manager_box = QComboBox()
        self.choices.add("manager_id", "Allocate to &manager", self.manager_box, required=True)
        self.reason = text_box(64)
        self.reason.setPlaceholderText("Entered in error, a duplicate, …")
        self.choices.add("reason", "&Reason for rejecting", self.reason, required=True)

        self.process_button = self.button(
            "&Process", "Process the notification", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.process_button.setDefault(True)
        self.reject_button = self.button(
            "R&eject…", "Reject the notification", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.close_button = self.button(
            "Close", "Close without deciding", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.process_button.clicked.connect(self.process)
        self.reject_button.clicked.connect(self.reject_notification)
        self.close_button.clicked.connect(self.reject)

        self.body.addLayout(self.facts)
        self.body.addWidget(self.effects_heading)
        self.body.addWidget(self.effects)
        self.body.addWidget(self.choices)
        self.finish_layout()
        self._show_row("manager_id", False)
        self._show_row("reason", False)
        self._set_busy(True)
        self.load()

    def _show_row(self, name: str, visible: bool) -> None:
        self.choices.form.setRowVisible(self.choices.inputs[name].parentWidget(), visible)

    # -- reading ---------------------------------------------------------------------------------

    def load(self) -> None:
        self.ctx.runner.run(
            self.ctx.svc.hub.view,
            self.ctx.officer,
            self.task_id,
            on_result=self._show,
            on_error=self._load_failed,
            owner=self,
        )

    def _load_failed(self, exc: BaseException) -> None:
        self._busy = False
        self.intro.setText("The notification could not be shown.")
        self.show_message(error_text(exc), tone="alert")
        self.loaded.emit()

    def _show(self, view: NotificationView) -> None:
        self.view = view
        who = f"{view.reference} ({view.name})" if view.reference else f"{view.name} (new)"
        self.intro.setText(f"{view.kind_label}: {who}")
        self.setWindowTitle(f"{view.kind_label}: {who}")
        while self.facts.rowCount():
            self.facts.removeRow(0)
        due = fmt_date(view.due_on)
        notified = fmt_date(view.notified_on)
        if view.late:
            notified += f": late, it was due by {due}"
        rows = [
            (EVENT_LABELS[view.kind].capitalize(), fmt_date(view.event_on), ""),
            ("Notified on", notified, "alert" if view.late else ""),
            ("Statutory deadline", due, ""),
            ("Hub task due", fmt_date(view.task_due_on), ""),
            ("Team", view.team_name, ""),
            *[(label, value, "") for label, value in view.details],
            ("Note", view.note, ""),
            ("Received", f"{fmt_timestamp(view.received_at)} by {view.received_by}", ""),
            ("State", view.state_label, ""),
        ]
        if view.decided_by:
            rows.append(
                (view.state_label, f"{fmt_timestamp(view.decided_at)} by {view.decided_by}", "")
            )
        if view.comment:
            rows.append(("Reason", view.comment, ""))
        for caption, text, tone in rows:
            if text:
                self._fact(caption, text, tone)
        self.effects_heading.setText(
            "Processing will:" if view.state == "received" else "What processing did:"
        )
        self.effects.setText("\n".join(f"•  {e}" for e in view.effects))
        transfer = view.kind == "transfer_in" and view.state == "received"
        self.manager_box.clear()
        for manager in view.managers:
            self.manager_box.addItem(
                f"{manager.name} ({manager.caseload} on their caseload)", manager.officer_id
            )
        if view.default_manager_id is not None:
            self.manager_box.setCurrentIndex(self.manager_box.findData(view.default_manager_id))
        self._show_row("manager_id", transfer and bool(view.managers))
        self._set_busy(False)
        if not view.can_process and not self.message_text:
            self.show_message(view.why_not, tone="info")
        self._fit()
        self.loaded.emit()

    def _fact(self, caption: str, text: str, tone: str) -> None:
        value = QLabel(text)
        value.setWordWrap(True)
        value.setAccessibleName(caption)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if tone:
            set_tone(value, tone)
        label = QLabel(caption)
        label.setObjectName("factCaption")
        self.facts.addRow(label, value)

    def fact(self, caption: str) -> str:
        """The text shown for a fact ("" when not shown): for tests and screen readers."""
        for row in range(self.facts.rowCount()):
            label = self.facts.itemAt(row, QFormLayout.ItemRole.LabelRole)
            value = self.facts.itemAt(row, QFormLayout.ItemRole.FieldRole)
            if label is not None and value is not None:
                caption_widget, value_widget = label.widget(), value.widget()
                if isinstance(caption_widget, QLabel) and caption_widget.text() == caption:
                    assert isinstance(value_widget, QLabel)
                    return value_widget.text()
        return ""

    # -- deciding --------------------------------------------------------------------------------

    def process(self) -> None:
        view = self.view
        if self._busy or view is None:
            return
        manager = self.manager_box.currentData() if view.kind == "transfer_in" else None
        hub, actor = self.ctx.svc.hub, self.ctx.officer

        def job() -> ProcessResult:
            return hub.process(actor, view.task_id, view.version, manager_id=manager)

        self._run(job, "Processing…")

    def reject_notification(self) -> None:
        """The first press asks for the reason; the next rejects with it."""
        view = self.view
        if self._busy or view is None:
            return
        if self.reason.parentWidget().isHidden():
            self._show_row("reason", True)
            self.reject_button.setText("Confirm r&ejection")
            self.reject_button.setAccessibleName("Confirm the rejection")
            self.show_message(
                "Say why it is rejected, then press Confirm rejection. The record is not changed.",
                tone="info",
            )
            self._fit()
            self.reason.setFocus()
            return
        hub, actor, reason = self.ctx.svc.hub, self.ctx.officer, self.reason.toPlainText()

        def job() -> None:
            hub.reject(actor, view.task_id, view.version, reason)

        self._run(job, "Rejecting…")

    def _run(self, job: Any, text: str) -> None:
        self.choices.clear_errors()
        self._set_busy(True)
        self.show_message(text, tone="info")
        self.ctx.runner.run(job, on_result=self._decided, on_error=self._refused, owner=self)

    def _decided(self, _result: object) -> None:
        self._busy = False
        self.done.emit()
        self.accept()

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationFailed):
            unplaced = [
                p.message for p in exc.errors if self.choices.show_error(p.field, p.message) is None
            ]
            self.show_message(
                " ".join(["Nothing was saved: correct the field marked below.", *unplaced]),
                tone="alert",
            )
            self._fit()
            return
        self.show_message(error_text(exc), tone="alert")
        self._set_busy(True)
        self.load()  # show where the notification now stands; the message stays

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        can = not busy and self.view is not None and self.view.can_process
        self.process_button.setEnabled(can)
        self.reject_button.setEnabled(can)

    def _fit(self) -> None:
        layout = self.layout()
        if layout is not None:
            layout.activate()
            self.resize(self.width(), max(self.height(), layout.totalSizeHint().height()))
