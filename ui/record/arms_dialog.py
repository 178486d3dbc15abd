"""Recording an ARMS assessment: the date, each dynamic risk factor and protective factor of the
force's factor list (present or not, with evidence), the priority level, the next review and a
summary; saved as a draft or submitted to the sergeant.

The factor list is policy data: the dialog shows its label ("Default factor list: replace with
your force's ARMS form wording") above the factors. The form comes from
`services.assessments.new_arms_form`, which continues a draft or returned ARMS when there is one.
Evidence is required for a present factor; the services check it and the dialog shows each
problem under its factor, keeping what was typed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.rules.risk import DEFAULT_REVIEW_MONTHS, LEVEL_LABELS, arms_default_review
from desktop.services.problems import ServiceError
from ui.context import AppContext
from ui.record.dialogs import EditDialog, FieldSpec
from ui.widgets.banner import ClassificationBanner
from ui.widgets.dates import fmt_date, parse_typed_date
from ui.widgets.forms import set_tone
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.assessments import ArmsEdit, FactorList
    from desktop.services.records import OffenderRecord

log = logging.getLogger("pillars.ui.record")


@dataclass
class FactorRow:
    """The widgets of one ARMS factor in the form: the present box, the evidence and the label that
    shows a problem the service found with it (by `index`)."""

    index: int  # position in the form's factor list: services name problems factors[<index>]
    code: str
    label: str
    kind: str  # "risk" | "protective"
    present: QCheckBox
    evidence: QPlainTextEdit
    error: QLabel


@dataclass(frozen=True)
class _NotSubmitted:
    """Saved as a draft, but the submission was refused."""

    form: Any
    error: BaseException


class ArmsDialog(EditDialog):
    what = "ARMS assessment"
    fields = (
        FieldSpec("assessed_on", "Assessed on", kind="date", required=True),
        FieldSpec(
            "level",
            "Priority level",
            kind="choice",
            required=True,
            choices=(("", "Choose the level…"), *LEVEL_LABELS.items()),
        ),
        FieldSpec(
            "next_review_on",
            "Next review",
            kind="date",
            hint="Blank for the default; a date brings the review forward",
        ),
        FieldSpec("summary", "Summary", kind="text"),
    )

    def __init__(
        self,
        ctx: AppContext,
        record: OffenderRecord,
        factor_list: FactorList,
        form: ArmsEdit,
        parent: QWidget | None = None,
    ) -> None:
        self.factor_list = factor_list
        self.form = form
        self.factor_rows: list[FactorRow] = []
        self.assessment_id: int | None = form.assessment_id
        self.version: int | None = form.expected_version
        super().__init__(ctx, record, parent)
        self.setWindowTitle(f"ARMS assessment: {record.name} ({record.reference})")
        self.intro.setText(
            "Mark each factor present or not and give the evidence for every present one. "
            "Never enter bank, card or passport details."
        )
        self.save_button.setText("Save &draft")
        self.save_button.setAccessibleName("Save draft")
        self.save_button.setToolTip("Save the assessment as a draft and close")
        self.submit_button = QPushButton("S&ubmit for approval")
        self.submit_button.setAccessibleName("Submit for approval")
        self.submit_button.setToolTip("Save the assessment and send it to the sergeant")
        self.submit_button.setAutoDefault(False)
        self.submit_button.clicked.connect(self.submit_for_approval)
        self.buttons.addButton(self.submit_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.inputs["assessed_on"].textChanged.connect(self._show_default_review)  # type: ignore[attr-defined]
        self._show_default_review()
        layout = self.layout()
        if isinstance(layout, QVBoxLayout):
            layout.insertWidget(0, ClassificationBanner())
        self.setMinimumWidth(820)
        self.resize(940, 880)

    # -- building ------------------------------------------------------------------------------

    def add_body(self, layout: QVBoxLayout, form: QFormLayout) -> None:
        self.returned = QLabel()
        self.returned.setObjectName("returnedComment")
        self.returned.setWordWrap(True)
        self.returned.setAccessibleName("Sergeant's comment")
        self.returned.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.returned.hide()
        layout.addWidget(self.returned)
        layout.addLayout(form)

        self.default_review = QLabel()
        self.default_review.setObjectName("mutedText")
        self.default_review.setWordWrap(True)
        self.default_review.setAccessibleName("Default next review")
        holder = self.inputs["next_review_on"].parentWidget()
        holder_layout = holder.layout() if holder is not None else None
        if holder_layout is not None:
            holder_layout.addWidget(self.default_review)

        self.list_label = QLabel(self.factor_list.label)
        self.list_label.setObjectName("factorListLabel")
        self.list_label.setWordWrap(True)
        self.list_label.setAccessibleName("Factor list in use")
        layout.addWidget(self.list_label)

        # One width for the factor column of both groups, so the evidence boxes line up.
        metrics = QFontMetrics(self.font())
        self._factor_width = 32 + max(
            (metrics.horizontalAdvance(f.label or f.code) for f in self.form.factors), default=200
        )
        inner = QWidget()
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 6, 0)
        for kind, title in (("risk", "Dynamic risk factors"), ("protective", "Protective factors")):
            rows = [(i, f) for i, f in enumerate(self.form.factors) if f.kind == kind]
            if rows:
                column.addWidget(self._factor_group(title, rows))
        column.addStretch(1)
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(inner)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        layout.addWidget(area, 1)

    def _factor_group(self, title: str, rows: list[tuple[int, Any]]) -> QGroupBox:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        heading_present = QLabel("Factor (tick when present)")
        heading_present.setObjectName("factCaption")
        heading_evidence = QLabel("Evidence (required when present)")
        heading_evidence.setObjectName("factCaption")
        grid.addWidget(heading_present, 0, 0)
        grid.addWidget(heading_evidence, 0, 1)
        for r, (index, factor) in enumerate(rows, start=1):
            label = factor.label or factor.code
            present = QCheckBox(label)
            present.setAccessibleName(f"{label}: present")
            present.setObjectName(f"present_{factor.code}")
            evidence = QPlainTextEdit()
            evidence.setTabChangesFocus(True)
            evidence.setFixedHeight(52)
            evidence.setAccessibleName(f"Evidence for {label}")
            evidence.setAccessibleDescription("Required when the factor is present")
            evidence.setObjectName(f"evidence_{factor.code}")
            error = QLabel()
            error.setObjectName("fieldError")
            error.setWordWrap(True)
            error.setAccessibleName(f"Evidence for {label} problem")
            error.hide()
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.setSpacing(2)
            cell_layout.addWidget(evidence)
            cell_layout.addWidget(error)
            grid.addWidget(present, r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(cell, r, 1)
            row = FactorRow(index, factor.code, label, factor.kind, present, evidence, error)
            present.toggled.connect(lambda _on, row=row: self._mark_required(row))
            self.factor_rows.append(row)
            name = f"factors[{index}].evidence"
            self.inputs[name] = evidence
            self.errors[name] = error
        grid.setColumnStretch(1, 1)
        grid.setColumnMinimumWidth(0, self._factor_width)
        return box

    def _mark_required(self, row: FactorRow) -> None:
        row.evidence.setPlaceholderText(
            "Required: what shows this factor is present" if row.present.isChecked() else ""
        )

    def _show_default_review(self) -> None:
        assessed = parse_typed_date(self.value("assessed_on"))
        if assessed is None:
            self.default_review.setText(
                f"Blank means {DEFAULT_REVIEW_MONTHS} months after the assessment. The review "
                "can be brought forward, not put off."
            )
            return
        default = arms_default_review(assessed, months=DEFAULT_REVIEW_MONTHS)
        self.default_review.setText(
            f"Blank means {fmt_date(default)}, {DEFAULT_REVIEW_MONTHS} months after the "
            "assessment. The review can be brought forward, not put off."
        )

    # -- the form ------------------------------------------------------------------------------

    def fill(self, record: OffenderRecord) -> None:
        form = self.form
        self.assessment_id = form.assessment_id
        self.version = form.expected_version
        self.set_value("assessed_on", form.assessed_on)
        self.set_value("level", form.level or "")
        self.set_value("next_review_on", form.next_review_on)
        self.set_value("summary", form.summary)
        by_code = {f.code: f for f in form.factors}
        for row in self.factor_rows:
            factor = by_code.get(row.code)
            row.present.setChecked(bool(factor.present) if factor is not None else False)
            row.evidence.setPlainText(factor.evidence if factor is not None else "")
            self._mark_required(row)
        state = getattr(form, "state", "new")
        comment = getattr(form, "return_comment", "")
        if state == "returned":
            self.returned.setText(
                "RETURNED by the sergeant: "
                + (comment or "no comment given")
                + "\nChange what is needed, then submit it again."
            )
            set_tone(self.returned, "warn")
            self.returned.show()
        else:
            self.returned.hide()

    def typed(self) -> dict[str, str]:
        values = super().typed()
        for row in self.factor_rows:
            values[f"factors[{row.index}].present"] = (
                "Present" if row.present.isChecked() else "Absent"
            )
            values[f"factors[{row.index}].evidence"] = row.evidence.toPlainText()
        return values

    def field_label(self, name: str) -> str:
        for row in self.factor_rows:
            if name == f"factors[{row.index}].present":
                return row.label
            if name == f"factors[{row.index}].evidence":
                return f"Evidence for {row.label}"
        return super().field_label(name)

    def edit(self) -> ArmsEdit:
        from desktop.services.assessments import ArmsEdit, FactorEdit

        return ArmsEdit(
            assessment_id=self.assessment_id,
            expected_version=self.version,
            assessed_on=self.value("assessed_on"),
            level=self.value("level"),
            next_review_on=self.value("next_review_on"),
            summary=self.value("summary"),
            factors=[
                FactorEdit(row.code, row.present.isChecked(), row.evidence.toPlainText())
                for row in sorted(self.factor_rows, key=lambda r: r.index)
            ],
        )

    # -- saving --------------------------------------------------------------------------------

    def save_job(self) -> Callable[[], OffenderRecord]:
        svc, actor, offender_id, edit = (
            self.ctx.svc,
            self.ctx.officer,
            self.offender_id,
            self.edit(),
        )

        def job() -> OffenderRecord:
            svc.assessments.save_arms(actor, offender_id, edit)
            return svc.records.open(actor, offender_id)

        return job

    def submit_for_approval(self) -> None:
        if self._busy:
            return
        self._clear_errors()
        svc, actor, offender_id, edit = (
            self.ctx.svc,
            self.ctx.officer,
            self.offender_id,
            self.edit(),
        )

        def job() -> OffenderRecord | _NotSubmitted:
            assessment_id = svc.assessments.save_arms(actor, offender_id, edit)
            saved = svc.assessments.arms_form(actor, assessment_id)
            try:
                svc.assessments.submit_arms(actor, assessment_id, saved.expected_version)
            except ServiceError as exc:
                return _NotSubmitted(saved, exc)
            return svc.records.open(actor, offender_id)

        self._set_busy(True, "Saving and submitting…")
        self.submit_button.setEnabled(False)
        self.ctx.runner.run(job, on_result=self._submitted, on_error=self._refused, owner=self)

    def _submitted(self, outcome: OffenderRecord | _NotSubmitted) -> None:
        if isinstance(outcome, _NotSubmitted):
            self._set_busy(False)
            # The draft is saved: later saves and submissions are of that draft.
            self.assessment_id = outcome.form.assessment_id
            self.version = outcome.form.expected_version
            self._show_message(
                "Your assessment is saved as a draft but was not submitted: "
                + error_text(outcome.error),
                tone="alert",
            )
            return
        log.info("submitted an ARMS for offender %s", self.offender_id)
        self._saved(outcome)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        super()._set_busy(busy, text)
        if hasattr(self, "submit_button"):
            self.submit_button.setEnabled(not busy)

    # -- after a conflict ----------------------------------------------------------------------

    def reload_saved(self) -> None:
        if self._busy or self.assessment_id is None:
            return
        self._set_busy(True, "Loading the saved version…")
        svc, actor, assessment_id = self.ctx.svc, self.ctx.officer, self.assessment_id
        self.ctx.runner.run(
            lambda: svc.assessments.arms_form(actor, assessment_id),
            on_result=self._form_reloaded,
            on_error=self._refused,
            owner=self,
        )

    def _form_reloaded(self, form: ArmsEdit) -> None:
        self.form = form
        self._reloaded(self.record)
