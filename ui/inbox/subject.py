"""What an approval asks the sergeant to decide, in the inbox's detail pane: a plan version with
its changes against the last approved version (the plan comparison of ui/plan/compare.py), an ARMS
or RM2000 with its factors beside those of the ARMS in force (as the record's Risk tab shows them),
or a visit record (as the Visits screen's details show it). For a PPN follow-up, the PPN whose
social care decision is awaited; for a PPN escalation, the PPNs behind it (issue #7).

`load_subject` runs in the background through the services; `SubjectView` only shows its answer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ui.plan.compare import CHANGE_CELLS, FIELD_NAMES, _action_text
from ui.record.risk import arms_in_force
from ui.safeguarding import texts as ppn_texts
from ui.safeguarding.model import GradeChipDelegate
from ui.visits import texts as visit_texts
from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.forms import set_tone
from ui.widgets.labels import approval_state_label, pillar_label, plural, risk_label
from ui.widgets.tables import Cell, RowsTable

if TYPE_CHECKING:
    from desktop.services.actor import Actor
    from desktop.services.core import Services
    from desktop.services.hub import NotificationView
    from desktop.services.inbox import InboxItem
    from desktop.services.plans import PlanComparison, PlanDraftView
    from desktop.services.ppns import PpnSummary
    from desktop.services.records import AssessmentView
    from desktop.services.visits import VisitView

PLAN, ASSESSMENT, VISIT = "risk_management_plan", "risk_assessment", "visit"
NOTIFICATION = "notification"
PPN_FOLLOW_UP, PPN_ESCALATION = "ppn_follow_up", "ppn_escalation"  # task kinds


@dataclass(frozen=True)
class Subject:
    """The work behind an approval task, as loaded for showing."""

    kind: str  # PLAN | ASSESSMENT | VISIT | NOTIFICATION | PPN_FOLLOW_UP | PPN_ESCALATION
    comparison: PlanComparison | None = None  # a plan against the last approved version
    plan: PlanDraftView | None = None  # a first plan: nothing approved to compare with
    assessment: AssessmentView | None = None
    in_force: AssessmentView | None = None  # the ARMS in force, when another one
    visit: VisitView | None = None
    notification: NotificationView | None = None
    ppn: PpnSummary | None = None  # the PPN a follow-up is about
    ppns: tuple[PpnSummary, ...] = ()  # the PPNs behind an escalation


def shows_subject(item: InboxItem) -> bool:
    if item.kind == PPN_ESCALATION:
        return True
    if item.kind == PPN_FOLLOW_UP:
        return item.subject_id is not None
    return item.subject_id is not None and item.subject_type in (
        PLAN,
        ASSESSMENT,
        VISIT,
        NOTIFICATION,
    )


def load_subject(services: Services, actor: Actor, item: InboxItem) -> Subject:
    """Runs in the background: the plan, assessment, visit record, notification or PPNs the task
    asks about."""
    if item.kind == PPN_ESCALATION:
        return Subject(PPN_ESCALATION, ppns=tuple(services.ppns.escalated(actor, item.task_id)))
    subject_id, offender_id = item.subject_id, item.offender_id
    assert subject_id is not None
    if item.subject_type == PLAN:
        assert offender_id is not None
        current = services.plans.editor(actor, offender_id).current
        if current is not None and current.plan_id != subject_id:
            return Subject(
                PLAN, comparison=services.plans.compare(actor, current.plan_id, subject_id)
            )
        return Subject(PLAN, plan=services.plans.version(actor, subject_id))
    if item.subject_type == ASSESSMENT:
        assert offender_id is not None
        record = services.records.open(actor, offender_id)
        assessment = next((a for a in record.assessments if a.assessment_id == subject_id), None)
        if assessment is None:
            raise LookupError(f"assessment {subject_id} is not on the record")
        in_force = arms_in_force(record)
        if in_force is not None and in_force.assessment_id == subject_id:
            in_force = None
        return Subject(ASSESSMENT, assessment=assessment, in_force=in_force)
    if item.kind == PPN_FOLLOW_UP:
        return Subject(PPN_FOLLOW_UP, ppn=services.ppns.get(actor, subject_id))
    if item.subject_type == NOTIFICATION:
        return Subject(NOTIFICATION, notification=services.hub.view(actor, item.task_id))
    return Subject(VISIT, visit=services.visits.get(actor, subject_id))


def caption_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("factCaption")
    return label


def text_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    return label


class SubjectView(QStackedWidget):
    """One page per kind of work, and a page of words (loading, a refusal, a hub task)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("What is to be decided")
        # -- words ---------------------------------------------------------------------------
        self.words = text_label("About this task")
        self.words.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.addWidget(self.words)
        # -- a plan --------------------------------------------------------------------------
        self.plan_summary = text_label("What changed in the plan")
        self.plan_fields = RowsTable(
            ["Field", "Before", "After", "Change"],
            "Plan fields compared",
            stretch=2,
            fit_rows=(3, 3),
            widest=220,
            wrap=True,
        )
        self.plan_actions = RowsTable(
            ["Pillar", "Change", "Before", "After"],
            "Plan actions compared",
            stretch=3,
            widest=150,
            wrap=True,
        )
        self.plan_actions.setMinimumHeight(180)
        plan_page = QWidget()
        plan_layout = QVBoxLayout(plan_page)
        plan_layout.setContentsMargins(0, 0, 0, 0)
        plan_layout.addWidget(self.plan_summary)
        plan_layout.addWidget(self.plan_fields)
        plan_layout.addWidget(self.plan_actions, 1)
        self.addWidget(plan_page)
        # -- an assessment -------------------------------------------------------------------
        self.assessment_summary = text_label("The assessment")
        self.factors = RowsTable(
            ["Kind", "Factor", "In this one", "In the ARMS in force", "Evidence"],
            "Factors of the assessment",
            wrap=True,
            widest=220,
        )
        self.factors.setMinimumHeight(220)
        assessment_page = QWidget()
        assessment_layout = QVBoxLayout(assessment_page)
        assessment_layout.setContentsMargins(0, 0, 0, 0)
        assessment_layout.addWidget(self.assessment_summary)
        assessment_layout.addWidget(self.factors, 1)
        self.addWidget(assessment_page)
        # -- a visit record ------------------------------------------------------------------
        self.visit_page = QWidget()
        self.visit_form = QFormLayout(self.visit_page)
        self.visit_form.setContentsMargins(0, 0, 0, 0)
        self.visit_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.visit_form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.visit_facts: dict[str, QLabel] = {}
        self.addWidget(self.visit_page)
        # -- the PPNs behind an escalation -------------------------------------------------
        self.escalation_summary = text_label("The escalation")
        self.escalated = RowsTable(
            ["Reference", "Offender", "Grade", "Concern noticed", "Stage", "Concern", "Raised by"],
            "PPNs behind the escalation",
            stretch=5,
            widest=240,
            fit_rows=(3, 8),
        )
        self.escalated.setItemDelegateForColumn(2, GradeChipDelegate(self.escalated))
        self.escalation_page = QWidget()
        escalation_layout = QVBoxLayout(self.escalation_page)
        escalation_layout.setContentsMargins(0, 0, 0, 0)
        escalation_layout.addWidget(self.escalation_summary)
        escalation_layout.addWidget(self.escalated)
        escalation_layout.addStretch(1)
        self.addWidget(self.escalation_page)

    def _balance(self) -> None:
        """The two plan versions get the same width side by side, as in the comparison dialog."""
        for table, before in ((self.plan_fields, 1), (self.plan_actions, 2)):
            if table.isColumnHidden(before):
                continue  # a first plan: only the version to decide
            header = table.horizontalHeader()
            others = sum(
                header.sectionSize(i)
                for i in range(header.count())
                if i not in (before, before + 1)
            )
            header.resizeSection(before, max(160, (table.viewport().width() - others) // 2))
            table.refit()

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        if self.currentIndex() == 1:
            self._balance()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """The page on show decides: words need no room kept for a plan's tables."""
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def _page(self, page: QWidget) -> None:
        self.setCurrentWidget(page)
        self.updateGeometry()

    def show_words(self, text: str, tone: str = "") -> None:
        self.words.setText(text)
        set_tone(self.words, tone)
        self._page(self.words)

    def show_subject(self, subject: Subject, now: dt.datetime) -> None:
        if subject.kind == PLAN:
            self._show_plan(subject)
        elif subject.kind == ASSESSMENT and subject.assessment is not None:
            self._show_assessment(subject.assessment, subject.in_force)
        elif subject.visit is not None:
            self._show_visit(subject.visit, now)
        elif subject.notification is not None:
            self._show_notification(subject.notification)
        elif subject.kind == PPN_FOLLOW_UP and subject.ppn is not None:
            self._show_ppn(subject.ppn)
        elif subject.kind == PPN_ESCALATION:
            self._show_escalation(subject.ppns)

    # -- a plan -----------------------------------------------------------------------------------

    def _show_plan(self, subject: Subject) -> None:
        self._page(self.widget(1))
        if subject.comparison is not None:
            c = subject.comparison
            before, after = c.a, c.b
            fields = [(FIELD_NAMES.get(f.name, f.name), f.before, f.after) for f in c.fields]
            actions = [(x.pillar, x.change, x.before, x.after) for x in c.actions]
        else:
            assert subject.plan is not None
            before, after = None, subject.plan
            fields = [
                (FIELD_NAMES["contingency"], "", after.contingency),
                (FIELD_NAMES["licence_conditions"], "", after.licence_conditions),
                (FIELD_NAMES["review_on"], "", fmt_date(after.review_on)),
            ]
            actions = [(a.pillar, "added", None, a) for a in after.actions]
        after_name = f"Version {after.plan_number} ({approval_state_label(after.state).lower()})"
        before_name = (
            f"Version {before.plan_number} ({approval_state_label(before.state).lower()})"
            if before is not None
            else "No approved version"
        )
        self.plan_fields.rows.set_headers(
            ["Field", f"Before: {before_name}", f"After: {after_name}", ""]
        )
        self.plan_actions.rows.set_headers(
            ["Pillar", "Change", f"Before: {before_name}", f"After: {after_name}"]
        )
        self.plan_fields.setColumnHidden(1, before is None)
        self.plan_actions.setColumnHidden(2, before is None)
        self.plan_fields.set_rows(
            [
                [
                    name,
                    old or "—",
                    new or "—",
                    Cell("New", "ok")
                    if before is None
                    else Cell("Changed", "warn")
                    if old != new
                    else Cell("Same", "muted"),
                ]
                for name, old, new in fields
            ]
        )
        self.plan_actions.set_rows(
            [
                [
                    pillar_label(pillar),
                    Cell(*CHANGE_CELLS.get(change, (change, ""))),
                    _action_text(old),
                    _action_text(new),
                ]
                for pillar, change, old, new in actions
            ]
            or [["", Cell("None", "muted"), "The plan has no actions.", ""]]
        )
        self._balance()
        if before is None:
            self.plan_summary.setText(
                f"{after_name}, written by {after.author or 'an unknown officer'}: the first plan, "
                f"with nothing approved to compare it with; {plural(len(actions), 'action')}."
            )
            return
        counts = {k: sum(1 for a in actions if a[1] == k) for k in CHANGE_CELLS}
        changed = sum(1 for _n, old, new in fields if old != new)
        self.plan_summary.setText(
            f"{after_name}, written by {after.author or 'an unknown officer'}, against "
            f"{before_name.lower()}, the plan in force. Actions: {counts['added']} added, "
            f"{counts['removed']} removed, {counts['changed']} changed, {counts['same']} the same; "
            f"{changed} of {len(fields)} other fields changed."
        )

    # -- an assessment ---------------------------------------------------------------------------

    def _show_assessment(self, a: AssessmentView, in_force: AssessmentView | None) -> None:
        self._page(self.widget(2))
        name = str(a.kind).upper()
        lines = [
            f"{name} of {fmt_date(a.assessed_on)} by {a.assessor or 'an unknown assessor'}: "
            f"{risk_label(a.level)}."
        ]
        if a.rm2000_combined is not None:
            lines.append(
                f"Scores: sexual {a.rm2000_sexual}, violent {a.rm2000_violent}, combined "
                f"{a.rm2000_combined}."
            )
        if a.next_review_on is not None:
            lines.append(f"Next review by {fmt_date(a.next_review_on)}.")
        if in_force is not None:
            lines.append(
                f"In force now: ARMS of {fmt_date(in_force.assessed_on)}, "
                f"{risk_label(in_force.level)}."
            )
        elif a.kind == "arms":
            lines.append("No other ARMS is in force: this one will be the first.")
        self.assessment_summary.setText(" ".join(lines))
        before = {f.code or f.label: f.present for f in in_force.factors} if in_force else {}

        def presence(present: bool | None, kind: str) -> Cell:
            if present is None:
                return Cell("—", "muted")
            if present:
                return Cell("Present", "warn" if kind == "risk" else "ok")
            return Cell("Absent", "muted")

        self.factors.set_rows(
            [
                [
                    "Risk" if f.kind == "risk" else "Protective",
                    f.label,
                    presence(f.present, f.kind),
                    presence(before.get(f.code or f.label), f.kind),
                    f.evidence or "",
                ]
                for f in a.factors
            ]
            or [["", Cell(f"The {name} has no factors.", "muted"), "", "", ""]]
        )

    # -- a visit record --------------------------------------------------------------------------

    def _show_facts(self, facts: list[tuple[str, str, str]]) -> None:
        """Caption, text and tone, one per row (a visit record, a notification)."""
        self._page(self.visit_page)
        while self.visit_form.rowCount():
            self.visit_form.removeRow(0)
        self.visit_facts.clear()
        for caption, text, fact_tone in facts:
            value = text_label(caption)
            value.setText(text)
            set_tone(value, fact_tone)
            self.visit_form.addRow(caption_label(caption), value)
            self.visit_facts[caption] = value

    def _show_notification(self, n: NotificationView) -> None:
        due = fmt_date(n.due_on, "no statutory deadline")
        facts: list[tuple[str, str, str]] = [
            ("Notification", n.kind_label, ""),
            (n.event_label.capitalize(), fmt_date(n.event_on), ""),
            ("Notified", fmt_date(n.notified_on), ""),
            (
                "Statutory deadline",
                f"{due}: notified LATE" if n.late else due,
                "alert" if n.late else "",
            ),
            *((label, value, "") for label, value in n.details),
        ]
        if n.note:
            facts.append(("Note", n.note, ""))
        facts.append(("Received", f"{fmt_date(n.received_at)} by {n.received_by}", ""))
        if n.effects:
            facts.append(("Processing will", "\n".join(f"• {e}" for e in n.effects), ""))
        if n.why_not:
            facts.append(("Not now", n.why_not, "warn"))
        self._show_facts(facts)

    def _show_visit(self, v: VisitView, now: dt.datetime) -> None:
        state, tone = visit_texts.visit_state(v, now)
        facts: list[tuple[str, str, str]] = [
            ("When planned", visit_texts.when_text(v), ""),
            ("Purpose", visit_texts.purpose_text(v.purpose), ""),
            ("Crew", visit_texts.crew_text(v), ""),
            ("Announced", visit_texts.announced_text(v), ""),
            ("Outcome and record", state, tone),
        ]
        if v.occurred_at is not None:
            took = f"{fmt_date(v.occurred_at.date())} {v.occurred_at:%H:%M}"
            children = {None: "Not recorded", True: "Yes", False: "No"}[v.children_present]
            facts += [
                ("Took place", took, ""),
                ("Home circumstances", v.home_circumstances or "—", ""),
                ("Children present", children, "warn" if v.children_present else ""),
            ]
        if v.notes:
            facts.append(("Notes", v.notes, ""))
        self._show_facts(facts)

    # -- PPNs -------------------------------------------------------------------------------------

    def _show_ppn(self, p: PpnSummary) -> None:
        facts: list[tuple[str, str, str]] = [
            ("PPN", f"{ppn_texts.grade_label(p.grade)} PPN {p.reference} {p.offender_name}", ""),
            (
                "Stage",
                f"{p.stage_label} · LATE" if p.late else p.stage_label,
                "alert" if p.late else "",
            ),
            ("Next step", p.next_step, "alert" if p.late else ""),
            ("Concern", f"{fmt_timestamp(p.concern_at)}: {p.concern}", ""),
            ("People concerned", ppn_texts.subjects_text(p), ""),
            ("Raised by", p.raised_by, ""),
        ]
        if p.submitted_at is not None:
            ref = f", reference {p.submission_reference}" if p.submission_reference else ""
            facts.append(("Submitted", f"{fmt_timestamp(p.submitted_at)}{ref}", ""))
        if p.mash_reviewed_at is not None:
            facts.append(("MASH review", f"{fmt_date(p.mash_reviewed_at)}: {p.mash_outcome}", ""))
        if p.social_care_decided_on is not None:
            facts.append(
                (
                    "Social care's decision",
                    f"{fmt_date(p.social_care_decided_on)}: {p.social_care_decision} "
                    f"(source: {p.social_care_source})",
                    "",
                )
            )
        self._show_facts(facts)

    def _show_escalation(self, ppns: tuple[PpnSummary, ...]) -> None:
        self._page(self.escalation_page)
        offenders = sorted({f"{p.reference} {p.offender_name}" for p in ppns})
        self.escalation_summary.setText(
            f"{plural(len(ppns), 'PPN')} within three months for "
            f"{', '.join(offenders) or 'one offender or household'}: decide what to do (a "
            "strategy discussion, a MAPPA referral, a review of the plan), then press "
            "Acknowledge… and say what you decided."
        )
        self.escalated.set_rows(
            [
                [
                    p.reference,
                    p.offender_name,
                    Cell(ppn_texts.grade_label(p.grade)),
                    fmt_timestamp(p.concern_at),
                    ppn_texts.stage_cell(p),
                    Cell(ppn_texts.one_line(p.concern), tooltip=p.concern),
                    p.raised_by,
                ]
                for p in ppns
            ]
        )

    def fact(self, caption: str) -> str:
        label = self.visit_facts.get(caption)
        return label.text() if label is not None else ""


def describe_subject(item: InboxItem) -> str:
    """What to do with a task that has no plan, assessment or visit record to show."""
    due = fmt_date(item.due_on)
    if item.group == "hub":
        return (
            f"A notification for the hub: {item.title}. It is due by {due}, the statutory "
            "deadline. Press Process… to check it and update the record."
        )
    if item.kind == PPN_FOLLOW_UP and item.subject_id is not None:
        return (
            f"A PPN follow-up: {item.title}, due by {due}. Press Record social care's decision… "
            "once children's social care has decided."
        )
    if item.kind == PPN_ESCALATION:
        return f"A PPN escalation: {item.title}, due by {due}. Press Acknowledge… when decided."
    if item.group == "follow_up":
        return f"A follow-up for you: {item.title}, due by {due}. Open the record to do it."
    return f"{item.title}, due by {due}. Open the record to see the work."
