"""The Risk tab of a record: what is in force (the latest approved ARMS, its review overdue in
words and colour), any newer assessment still waiting or being written, every ARMS and RM2000 with
the factors of the one selected, and the MAPPA category and level with their history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.forms import set_tone
from ui.widgets.labels import (
    approval_state_label,
    mappa_label,
    risk_label,
)
from ui.widgets.tables import Cell, RowsTable

if TYPE_CHECKING:
    from desktop.services.actor import Actor
    from desktop.services.records import AssessmentView, OffenderRecord

WORKING = ("draft", "returned")
DECIDERS = ("sergeant", "team_manager")


def _line(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    return label


def arms_in_force(record: OffenderRecord) -> AssessmentView | None:
    """The newest approved ARMS (assessments come newest first)."""
    return next((a for a in record.assessments if a.kind == "arms" and a.state == "approved"), None)


def arms_review_overdue(record: OffenderRecord) -> bool:
    arms = arms_in_force(record)
    return (
        arms is not None
        and arms.next_review_on is not None
        and record.on is not None
        and arms.next_review_on < record.on
    )


class RiskTab(QWidget):
    record_arms = Signal()
    record_rm2000 = Signal()
    change_mappa = Signal()

    def __init__(self, actor: Actor | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.actor = actor
        self.in_force = _line("ARMS in force")
        self.in_force.setObjectName("riskInForce")
        self.pending = _line("Assessments not yet in force")
        self.pending.setObjectName("riskPending")
        self.rm2000 = _line("RM2000")

        self.arms_button = QPushButton("Record &ARMS…")
        self.arms_button.setAccessibleName("Record an ARMS assessment")
        self.arms_button.clicked.connect(self.record_arms)
        self.rm2000_button = QPushButton("Record R&M2000…")
        self.rm2000_button.setAccessibleName("Record an RM2000 assessment")
        self.rm2000_button.clicked.connect(self.record_rm2000)
        buttons = QHBoxLayout()
        buttons.addWidget(self.arms_button)
        buttons.addWidget(self.rm2000_button)
        buttons.addStretch(1)

        self.assessments = RowsTable(
            ["Assessment", "Assessed", "Assessor", "Level", "Next review", "State", "RM2000"],
            "Risk assessments",
        )
        self.factors = RowsTable(
            ["Kind", "Factor", "Present", "Evidence"], "Risk factors", wrap=True
        )
        self.factors.setMinimumHeight(160)
        self.assessments.clicked.connect(lambda _i: self._show_factors())
        self.assessments.activated.connect(lambda _i: self._show_factors())
        self.assessments.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._show_factors()
        )
        assessments_box = QWidget()
        assessments_layout = QVBoxLayout(assessments_box)
        assessments_layout.setContentsMargins(0, 0, 0, 0)
        assessments_layout.addWidget(self.assessments)
        self.factors_caption = QLabel("Factors of the selected assessment")
        self.factors_caption.setObjectName("factCaption")
        factors_box = QWidget()
        factors_layout = QVBoxLayout(factors_box)
        factors_layout.setContentsMargins(0, 0, 0, 0)
        factors_layout.addWidget(self.factors_caption)
        factors_layout.addWidget(self.factors)

        # -- MAPPA ---------------------------------------------------------------------------------
        self.mappa_now = _line("MAPPA now")
        self.mappa_button = QPushButton("Chan&ge MAPPA…")
        self.mappa_button.setAccessibleName("Change the MAPPA category or level")
        self.mappa_button.clicked.connect(self.change_mappa)
        self.mappa_history = RowsTable(
            ["When, by whom", "Changed to, and why"],
            "MAPPA history",
            wrap=True,
            widest=170,
        )
        mappa = QGroupBox("MAPPA")
        mappa_layout = QVBoxLayout(mappa)
        mappa_top = QHBoxLayout()
        mappa_top.addWidget(self.mappa_now, 1)
        mappa_top.addWidget(self.mappa_button)
        mappa_layout.addLayout(mappa_top)
        mappa_layout.addWidget(self.mappa_history)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(assessments_box)
        split.addWidget(factors_box)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        mappa_layout.addStretch(1)
        mappa.setMinimumWidth(400)
        sides = QSplitter(Qt.Orientation.Horizontal)
        sides.addWidget(split)
        sides.addWidget(mappa)
        sides.setStretchFactor(0, 3)
        sides.setStretchFactor(1, 1)
        sides.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.in_force)
        layout.addWidget(self.pending)
        layout.addWidget(self.rm2000)
        layout.addLayout(buttons)
        layout.addWidget(sides, 1)
        self._assessments: list[Any] = []

    # -- showing -----------------------------------------------------------------------------------

    def show_record(self, r: OffenderRecord) -> None:
        self._assessments = list(r.assessments)
        in_force = arms_in_force(r)
        self._show_in_force(r)
        self._show_buttons(r)
        rows = []
        for a in self._assessments:
            rm = ""
            if a.rm2000_combined is not None:
                rm = (
                    f"sexual {a.rm2000_sexual}, violent {a.rm2000_violent}, "
                    f"combined {a.rm2000_combined}"
                )
            review = fmt_date(a.next_review_on)
            # Only the review of the ARMS in force can be overdue: a later one replaced the rest.
            overdue = a is in_force and arms_review_overdue(r)
            state_tone = {"submitted": "warn", "returned": "warn", "superseded": "muted"}
            state = approval_state_label(a.state) + (" (in force)" if a is in_force else "")
            rows.append(
                [
                    str(a.kind).upper(),
                    fmt_date(a.assessed_on),
                    a.assessor or "",
                    risk_label(a.level) if a.level else "",
                    Cell(f"OVERDUE {review}", "alert") if overdue else review,
                    Cell(state, "ok" if a is in_force else state_tone.get(a.state, "")),
                    rm,
                ]
            )
        self.assessments.set_rows(rows, list(range(len(rows))))
        if self._assessments:
            self.assessments.selectRow(0)
        self._show_factors()
        self._show_mappa(r)

    def _show_in_force(self, r: OffenderRecord) -> None:
        arms = arms_in_force(r)
        if arms is None:
            self.in_force.setText("No approved ARMS assessment is in force.")
            set_tone(self.in_force, "warn")
        else:
            who = f", assessed by {arms.assessor}" if arms.assessor else ""
            text = f"In force: ARMS of {fmt_date(arms.assessed_on)}, {risk_label(arms.level)}{who}."
            if arms_review_overdue(r):
                text += f" Review OVERDUE: it was due on {fmt_date(arms.next_review_on)}."
                set_tone(self.in_force, "alert")
            else:
                text += f" Next review by {fmt_date(arms.next_review_on)}."
                set_tone(self.in_force, "")
            self.in_force.setText(text)

        waiting = []
        newer = [
            a
            for a in r.assessments
            if a.state in ("submitted", *WORKING)
            and (
                arms is None
                or a.kind != "arms"
                or (a.assessed_on, a.assessment_id) > (arms.assessed_on, arms.assessment_id)
            )
        ]
        for a in newer:
            name = "ARMS" if a.kind == "arms" else "RM2000"
            level = f" ({risk_label(a.level)})" if a.level else ""
            when = fmt_date(a.assessed_on)
            if a.state == "submitted":
                waiting.append(
                    f"A newer {name} of {when}{level} awaits a sergeant's approval; it is not in "
                    "force until approved."
                )
            elif a.state == "returned":
                waiting.append(
                    f"The {name} of {when}{level} was RETURNED by the sergeant: change it and "
                    "submit it again."
                )
            else:
                waiting.append(f"An {name} of {when}{level} is a draft, not yet submitted.")
        self.pending.setText("\n".join(waiting))
        self.pending.setVisible(bool(waiting))
        set_tone(self.pending, "warn")

        rm = next((a for a in r.assessments if a.kind == "rm2000" and a.state == "approved"), None)
        if rm is None:
            self.rm2000.setText("RM2000: no approved RM2000 recorded.")
        else:
            self.rm2000.setText(
                f"RM2000 of {fmt_date(rm.assessed_on)}: {risk_label(rm.level)} (sexual "
                f"{rm.rm2000_sexual}, violent {rm.rm2000_violent}, combined "
                f"{rm.rm2000_combined})."
            )

    def _show_buttons(self, r: OffenderRecord) -> None:
        arms_states = {a.state for a in r.assessments if a.kind == "arms"}
        rm_states = {a.state for a in r.assessments if a.kind == "rm2000"}
        not_yours = "Only the offender's manager records assessments"
        self.arms_button.setText(
            "Continue the ARMS dr&aft…" if arms_states & set(WORKING) else "Record &ARMS…"
        )
        arms_waiting = "submitted" in arms_states
        self.arms_button.setEnabled(r.can_edit and not arms_waiting)
        self.arms_button.setToolTip(
            not_yours
            if not r.can_edit
            else "An ARMS is waiting for approval; record a new one once it is decided"
            if arms_waiting
            else ""
        )
        rm_open = bool(rm_states & {"submitted", *WORKING})
        self.rm2000_button.setEnabled(r.can_edit and not rm_open)
        self.rm2000_button.setToolTip(
            not_yours if not r.can_edit else "An RM2000 is waiting for approval" if rm_open else ""
        )

    def _show_factors(self) -> None:
        index = self.assessments.currentIndex()
        row = index.row() if index.isValid() else 0
        if not self._assessments or row >= len(self._assessments):
            self.factors.set_rows([])
            self.factors_caption.setText("Factors of the selected assessment")
            return
        a = self._assessments[row]
        self.factors_caption.setText(
            f"Factors of the {str(a.kind).upper()} of {fmt_date(a.assessed_on)}"
            if a.factors
            else f"The {str(a.kind).upper()} of {fmt_date(a.assessed_on)} has no factors."
        )
        self.factors.set_rows(
            [
                [
                    "Risk" if f.kind == "risk" else "Protective",
                    f.label,
                    Cell("Present", "warn" if f.kind == "risk" else "ok")
                    if f.present
                    else Cell("Absent", "muted"),
                    f.evidence or "",
                ]
                for f in a.factors
            ]
        )

    def _show_mappa(self, r: OffenderRecord) -> None:
        self.mappa_now.setText(mappa_label(r.mappa_category, r.mappa_level, long=True) + ".")
        allowed = r.can_edit or (
            self.actor is not None
            and self.actor.role in DECIDERS
            and self.actor.team_id == getattr(r, "team_id", None)
        )
        self.mappa_button.setEnabled(allowed)
        self.mappa_button.setToolTip(
            ""
            if allowed
            else "The offender's manager, or a sergeant or team manager of the team, changes MAPPA"
        )

    def show_mappa_history(self, changes: list[Any]) -> None:
        self.mappa_history.set_rows(
            [
                [
                    f"{fmt_timestamp(c.changed_at)}\n{c.changed_by or 'Unknown officer'}",
                    f"Category {c.category}, level {c.level}. {c.reason or ''}".strip(),
                ]
                for c in changes
            ]
            or [["", Cell("No change recorded since registration.", "muted")]]
        )
