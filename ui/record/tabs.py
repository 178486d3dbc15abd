"""The tabs of an offender record, each a small widget with `show_record(record)`.

Summary edits identity, addresses and household members (through the dialogs) and shows the
record-quality findings; Risk (ui.record.risk), Plan (ui.plan.editor) and PPNs (ui.record.ppns)
live in their own modules; the other tabs show their data read-only until the issues that add
their editing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.record.quality import QualitySection
from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.labels import humanise, mappa_label, plural, status_label
from ui.widgets.tables import Cell, RowsTable

if TYPE_CHECKING:
    from desktop.services.records import OffenderRecord


def _join(values: Any) -> str:
    if values is None:
        return ""
    if isinstance(values, str):
        return values
    if isinstance(values, Iterable):
        return ", ".join(str(v) for v in values)
    return str(values)


def _yes_no(value: object) -> str:
    if value is None:
        return ""
    return "Yes" if value else "No"


def _value_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    label.setAccessibleName(name)
    return label


def _scrolling(inner: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(inner)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


class Facts(QWidget):
    """Read-only facts as caption and value, in one or more side-by-side columns (one grid, so
    wrapped values get the height they need and rows stay close together)."""

    def __init__(
        self,
        names: Iterable[str] | None = None,
        parent: QWidget | None = None,
        *,
        columns: list[list[str]] | None = None,
    ) -> None:
        super().__init__(parent)
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(6)
        groups = columns if columns is not None else [list(names or [])]
        for g, group in enumerate(groups):
            for r, name in enumerate(group):
                value = _value_label(name)
                self.values[name] = value
                caption = QLabel(name)
                caption.setObjectName("factCaption")
                grid.addWidget(caption, r, 2 * g, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(value, r, 2 * g + 1, Qt.AlignmentFlag.AlignTop)
            grid.setColumnStretch(2 * g + 1, 1)
            if g:
                grid.setColumnMinimumWidth(2 * g, 150)
        grid.setRowStretch(max(len(g) for g in groups), 1)

    def set(self, name: str, text: str, tone: str = "") -> None:
        label = self.values[name]
        label.setText(text or "—")
        if label.property("tone") != tone:
            label.setProperty("tone", tone)
            label.style().unpolish(label)
            label.style().polish(label)


class SummaryTab(QWidget):
    """Identity, aliases, addresses with history, household, convictions and status."""

    edit_identity = Signal()
    add_address = Signal()
    edit_address = Signal(int)
    add_member = Signal()
    edit_member = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setSpacing(14)

        identity = QGroupBox("Identity and status")
        self.identity_facts = Facts(
            columns=[
                [
                    "Reference",
                    "Name",
                    "Date of birth",
                    "Gender",
                    "Aliases",
                    "Team",
                    "Offender manager",
                    "Notes",
                ],
                [
                    "Status",
                    "Expected release",
                    "MAPPA",
                    "Registered from",
                    "Notification ends",
                    "Reactive management",
                    "No fixed abode",
                ],
            ]
        )
        self.edit_identity_button = QPushButton("Edit &identity…")
        self.edit_identity_button.setAccessibleName("Edit identity")
        self.edit_identity_button.clicked.connect(self.edit_identity)
        box = QVBoxLayout(identity)
        box.addWidget(self.identity_facts)
        box.addWidget(self.edit_identity_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(identity)

        self.quality = QualitySection()
        column.addWidget(self.quality)

        addresses = QGroupBox("Addresses (current first, then history)")
        self.addresses = RowsTable(
            ["Kind", "Address", "Postcode", "From", "To", "Current"],
            "Addresses",
            stretch=1,
            fit_rows=(2, 8),
        )
        self.addresses.activated.connect(lambda _i: self._edit_address())
        self.add_address_button = QPushButton("&Add address…")
        self.add_address_button.setAccessibleName("Add address")
        self.add_address_button.clicked.connect(self.add_address)
        self.edit_address_button = QPushButton("&Edit address…")
        self.edit_address_button.setAccessibleName("Edit selected address")
        self.edit_address_button.clicked.connect(self._edit_address)
        column.addWidget(
            self._group(
                addresses, self.addresses, [self.add_address_button, self.edit_address_button]
            )
        )

        household = QGroupBox("Household members")
        self.household = RowsTable(
            ["Name", "Relationship", "Date of birth", "Age", "Child", "From", "To", "Notes"],
            "Household members",
            stretch=7,
            fit_rows=(1, 8),
        )
        self.household.activated.connect(lambda _i: self._edit_member())
        self.add_member_button = QPushButton("Add household &member…")
        self.add_member_button.setAccessibleName("Add household member")
        self.add_member_button.clicked.connect(self.add_member)
        self.edit_member_button = QPushButton("Edit household mem&ber…")
        self.edit_member_button.setAccessibleName("Edit selected household member")
        self.edit_member_button.clicked.connect(self._edit_member)
        column.addWidget(
            self._group(
                household, self.household, [self.add_member_button, self.edit_member_button]
            )
        )

        convictions = QGroupBox("Convictions and notification period (s82)")
        self.convictions = RowsTable(
            [
                "Offence",
                "Court",
                "Convicted",
                "Sentenced",
                "Sentence",
                "Notification period",
                "Notification ends",
            ],
            "Convictions",
            stretch=5,
            fit_rows=(1, 6),
            widest=260,
            wrap=True,
        )
        column.addWidget(self._group(convictions, self.convictions, []))
        column.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_scrolling(inner))
        self.edit_buttons = [
            self.edit_identity_button,
            self.add_address_button,
            self.edit_address_button,
            self.add_member_button,
            self.edit_member_button,
        ]

    @staticmethod
    def _group(box: QGroupBox, table: RowsTable, buttons: list[QPushButton]) -> QGroupBox:
        layout = QVBoxLayout(box)
        layout.addWidget(table)
        if buttons:
            row = QHBoxLayout()
            for button in buttons:
                row.addWidget(button)
            row.addStretch(1)
            layout.addLayout(row)
        return box

    def _edit_address(self) -> None:
        key = self.addresses.current_key()
        if key is not None:
            self.edit_address.emit(int(key))

    def _edit_member(self) -> None:
        key = self.household.current_key()
        if key is not None:
            self.edit_member.emit(int(key))

    def show_record(self, r: OffenderRecord) -> None:
        self.quality.show_record(r)
        f = self.identity_facts
        f.set("Reference", r.reference)
        f.set("Name", r.name)
        dob = fmt_date(r.date_of_birth)
        f.set("Date of birth", f"{dob} (age {r.age})" if dob and r.age is not None else dob)
        f.set("Gender", humanise(r.gender))
        f.set("Aliases", ", ".join(r.aliases) if r.aliases else "None recorded")
        since = f" since {fmt_date(r.status_since)}" if r.status_since else ""
        f.set("Status", status_label(str(r.status)) + since)
        f.set("Expected release", fmt_date(r.expected_release_on))
        f.set("Team", _join(r.team))
        f.set("Offender manager", _join(r.manager) or "Unallocated", "" if r.manager else "warn")
        f.set("MAPPA", mappa_label(r.mappa_category, r.mappa_level))
        f.set("Registered from", fmt_date(r.registration_start))
        if r.notification_indefinite:
            f.set("Notification ends", "Indefinite (review possible after 15 years; 8 if juvenile)")
        else:
            f.set("Notification ends", fmt_date(r.notification_end))
        f.set("Reactive management", _yes_no(r.reactive_management))
        f.set("No fixed abode", _yes_no(r.no_fixed_abode))
        f.set("Notes", r.notes or "")

        addresses = sorted(
            r.addresses, key=lambda a: (not a.current, a.from_date is None, _neg_date(a.from_date))
        )
        self.addresses.set_rows(
            [
                [
                    ("Home" if str(a.kind) == "home" else "Stay"),
                    ", ".join(p for p in (a.line1, a.line2, a.town) if p),
                    a.postcode or "",
                    fmt_date(a.from_date),
                    fmt_date(a.to_date),
                    Cell("Current", "ok") if a.current else Cell("Previous", "muted"),
                ]
                for a in addresses
            ],
            [a.address_id for a in addresses],
        )
        self.household.set_rows(
            [
                [
                    m.name,
                    m.relationship,
                    fmt_date(m.date_of_birth),
                    "" if m.age is None else str(m.age),
                    Cell("CHILD", "warn") if m.is_child else "No",
                    fmt_date(m.from_date),
                    fmt_date(m.to_date),
                    m.notes or "",
                ]
                for m in r.household
            ],
            [m.member_id for m in r.household],
        )
        self.convictions.set_rows(
            [
                [
                    c.offence,
                    c.court or "",
                    fmt_date(c.convicted_on),
                    fmt_date(c.sentenced_on),
                    _sentence(c),
                    c.period_text or "",
                    "Indefinite" if c.indefinite else fmt_date(c.notification_ends),
                ]
                for c in r.convictions
            ]
        )
        for button in self.edit_buttons:
            button.setEnabled(r.can_edit)
            button.setToolTip("" if r.can_edit else "You can read this record but not change it")


def _utc_key(value: Any) -> float:
    if value is None:
        return 0.0
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def _neg_date(value: Any) -> int:
    return -value.toordinal() if value is not None else 0


def _sentence(c: Any) -> str:
    kind = humanise(c.sentence_kind)
    if c.sentence_months:
        return f"{kind}, {plural(int(c.sentence_months), 'month')}"
    return kind


class ListTab(QWidget):
    """One read-only table and a line saying how many."""

    def __init__(
        self, headers: list[str], name: str, parent: QWidget | None = None, *, stretch: int = -1
    ) -> None:
        super().__init__(parent)
        self.caption = _value_label(f"{name} summary")
        self.table = RowsTable(headers, name, stretch=stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)

    def set_rows(self, rows: list[list[str | Cell]], caption: str) -> None:
        self.caption.setText(caption)
        self.table.set_rows(rows)


class VisitsTab(ListTab):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            [
                "Planned",
                "Took place",
                "Outcome",
                "Officers",
                "Announced",
                "Children present",
                "Record",
                "Notes",
            ],
            "Visits",
            parent,
        )

    def show_record(self, r: OffenderRecord) -> None:
        seen = fmt_date(r.last_seen) if r.last_seen else "never"
        due = fmt_date(r.next_visit_due) if r.next_visit_due else "none planned"
        if r.next_visit_due is not None and r.on is not None and r.next_visit_due < r.on:
            due += " (OVERDUE)"
        self.set_rows(
            [
                [
                    fmt_timestamp(v.planned_at),
                    fmt_timestamp(v.occurred_at),
                    humanise(v.outcome),
                    _join(v.officers),
                    _yes_no(v.announced),
                    _yes_no(v.children_present),
                    humanise(v.record_state),
                    v.notes or "",
                ]
                for v in r.visits
            ],
            f"{plural(len(r.visits), 'visit')}. Last seen {seen}; next visit due {due}.",
        )


class NotificationsTab(ListTab):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            ["Notification", "Event", "Notified", "Due", "State", "Summary"],
            "Notifications",
            parent,
        )

    def show_record(self, r: OffenderRecord) -> None:
        self.set_rows(
            [
                [
                    humanise(n.kind),
                    fmt_date(n.event_on),
                    fmt_date(n.notified_on),
                    fmt_date(n.due_on),
                    humanise(n.state),
                    n.summary or "",
                ]
                for n in r.notifications
            ],
            plural(len(r.notifications), "statutory notification"),
        )


class TasksTab(ListTab):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(["Task", "Title", "Owner", "Due", "State"], "Tasks", parent, stretch=1)

    def show_record(self, r: OffenderRecord) -> None:
        rows: list[list[str | Cell]] = []
        for t in r.tasks:
            due = fmt_date(t.due_on)
            rows.append(
                [
                    humanise(t.kind),
                    t.title,
                    t.owner or "",
                    Cell(f"OVERDUE {due}", "alert") if t.overdue else due,
                    humanise(t.state),
                ]
            )
        open_count = sum(1 for t in r.tasks if str(t.state) == "open")
        self.set_rows(rows, f"{plural(len(r.tasks), 'task')}, {open_count} open.")


class HistoryTab(ListTab):
    """The audit of this record: who did what, when (Europe/London)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(["When", "Who", "What", "Detail"], "History", parent)
        self.caption.setText("Loading the history…")

    def show_record(self, r: OffenderRecord) -> None:
        """The history comes from its own call: see `show_history`."""

    def show_history(self, rows: list[Any]) -> None:
        rows = sorted(rows, key=lambda h: _utc_key(h.at), reverse=True)
        self.set_rows(
            [
                [fmt_timestamp(h.at), h.username or "", humanise(h.action), h.detail_text or ""]
                for h in rows
            ],
            f"{plural(len(rows), 'entry', 'entries')} in the audit log for this record, newest "
            "first. Times are UK time.",
        )

    def show_problem(self, text: str) -> None:
        self.caption.setText(text)
