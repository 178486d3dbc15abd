"""The plan editor: the Plan tab of a record.

The offender manager works on the draft (or a returned version): four pillar sections of
actions, the contingency, the licence conditions or orders in force and the review date, with the
gaps worked out again on every change (`services.plans.gaps_for`, pure and fast, on the GUI
thread) so the list empties as the gaps are answered. Save draft (Ctrl+S) and Submit for approval
run in the background. Anyone else, and the manager when no draft exists, reads a version: the
one waiting for approval, else the approved one in force, which is never editable; "Start new
draft" copies the version in force. The Versions list opens a side-by-side comparison of any two.

Nothing typed is lost: a refused save keeps it on screen with each problem by its field or cell;
after someone else's save the editor says who, keeps this person's text beside the reloaded plan,
and closing the record with unsaved changes asks first.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.services.problems import EditConflict, ServiceError, ValidationFailed
from ui.context import AppContext
from ui.plan.actions import OFFICER_PREFIX, ActionRow, Choices
from ui.plan.compare import CompareDialog
from ui.plan.fields import PlanFields
from ui.plan.gaps import GapsPanel
from ui.plan.section import PillarSection
from ui.plan.texts import action_line, edit_as_text, version_status
from ui.plan.versions import VersionsPanel
from ui.widgets.dates import fmt_date, fmt_timestamp
from ui.widgets.forms import set_tone
from ui.widgets.labels import PILLAR_LABELS, plural
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.plans import PlanDraftView, PlanEdit, PlanEditorData
    from desktop.services.records import OffenderRecord

log = logging.getLogger("pillars.ui.plan")

ACTION_FIELD = re.compile(r"actions\[(\d+)\]\.(\w+)")


@dataclass(frozen=True)
class _NotSubmitted:
    """The changes were saved, but the submission was refused."""

    data: Any
    error: BaseException


class PlanEditor(QWidget):
    """Emits `loaded()` whenever a plan is shown, `saved()` after a draft is saved and
    `record_changed()` after work that changes the record (a submission)."""

    loaded = Signal()
    saved = Signal()
    record_changed = Signal()
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("planEditor")
        self.offender_id: int | None = None
        self.data: PlanEditorData | None = None
        self.shown: PlanDraftView | None = None
        self.editing = False
        self.dirty = False
        self._busy = False
        self._filling = False
        self._order: list[tuple[str, int]] = []  # actions[i] -> (pillar, row in its table)

        # -- which version, and the buttons ------------------------------------------------------
        self.status = QLabel("Open this tab to load the plan.")
        self.status.setObjectName("planStatus")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Plan version and state")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.shown_box = QComboBox()
        self.shown_box.setAccessibleName("Plan version shown")
        self.shown_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.shown_box.activated.connect(self._choose_version)
        shown_label = QLabel("Sho&wing")
        shown_label.setBuddy(self.shown_box)
        self.start_button = QPushButton("Start new dra&ft")
        self.start_button.setAccessibleName("Start a new draft from the plan in force")
        self.start_button.clicked.connect(self.start_draft)
        self.save_button = QPushButton("Save &draft")
        self.save_button.setAccessibleName("Save draft")
        self.save_button.setToolTip("Save the draft (Ctrl+S)")
        self.save_button.clicked.connect(self.save_draft)
        self.submit_button = QPushButton("Su&bmit for approval")
        self.submit_button.setAccessibleName("Submit for approval")
        self.submit_button.setToolTip("Save the draft and send it to the sergeant")
        self.submit_button.clicked.connect(self.submit)
        self.discard_button = QPushButton("Discard chan&ges")
        self.discard_button.setAccessibleName("Discard unsaved changes")
        self.discard_button.clicked.connect(self.discard)
        top = QHBoxLayout()
        top.addWidget(shown_label)
        top.addWidget(self.shown_box)
        top.addStretch(1)
        for button in (
            self.start_button,
            self.save_button,
            self.submit_button,
            self.discard_button,
        ):
            button.setAutoDefault(False)
            top.addWidget(button)

        self.returned = QLabel()
        self.returned.setObjectName("returnedComment")
        self.returned.setWordWrap(True)
        self.returned.setAccessibleName("Sergeant's comment")
        self.returned.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.returned.hide()
        self.message = QLabel()
        self.message.setObjectName("formMessage")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Plan message")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.reload_button = QPushButton("Reload the saved plan")
        self.reload_button.setAccessibleName("Reload the saved plan")
        self.reload_button.clicked.connect(self.reload_after_conflict)
        self.reload_button.hide()
        self.yours = QLabel()
        self.yours.setObjectName("yoursLabel")
        self.yours.setWordWrap(True)
        self.yours.setAccessibleName("What you had typed")
        self.yours.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.yours.hide()

        # -- the plan ----------------------------------------------------------------------------
        self.sections: dict[str, PillarSection] = {}
        inner = QWidget()
        inner.setObjectName("planSheet")
        column = QVBoxLayout(inner)
        column.setContentsMargins(0, 0, 8, 0)
        column.setSpacing(10)
        for pillar in PILLAR_LABELS:
            section = PillarSection(pillar)
            section.add_requested.connect(self.add_action)
            section.model.edited.connect(self._edited)
            self.sections[pillar] = section
            column.addWidget(section)

        self.fields = PlanFields()
        self.fields.edited.connect(self._edited)
        self.contingency = self.fields.contingency
        self.licence = self.fields.licence
        self.review = self.fields.review
        self.review_note = self.fields.review_note
        self.errors = self.fields.errors
        column.addWidget(self.fields)
        column.addStretch(1)
        self.sheet = QScrollArea()
        self.sheet.setWidgetResizable(True)
        self.sheet.setWidget(inner)
        self.sheet.setFrameShape(QScrollArea.Shape.NoFrame)

        # -- gaps and versions -------------------------------------------------------------------
        self.gaps = GapsPanel()
        self.versions_panel = VersionsPanel()
        self.versions_panel.compare_requested.connect(self.compare)
        self.versions = self.versions_panel.table
        self.compare_button = self.versions_panel.compare_button
        side = QSplitter(Qt.Orientation.Vertical)
        side.addWidget(self.gaps)
        side.addWidget(self.versions_panel)
        side.setStretchFactor(0, 1)
        side.setStretchFactor(1, 1)
        side.setMinimumWidth(340)

        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.sheet)
        body.addWidget(side)
        body.setStretchFactor(0, 3)
        body.setStretchFactor(1, 1)
        body.setChildrenCollapsible(False)
        self.body = body

        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(top)
        layout.addWidget(self.returned)
        layout.addWidget(self.message)
        layout.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.yours)
        layout.addWidget(body, 1)

        QShortcut(
            QKeySequence.StandardKey.Save,
            self,
            self.save_draft,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        chain: list[QWidget] = [
            self.shown_box,
            self.start_button,
            self.save_button,
            self.submit_button,
            self.discard_button,
        ]
        for section in self.sections.values():
            chain += [section.table, section.add_button, section.remove_button]
        chain += [
            self.contingency,
            self.licence,
            self.review,
            self.gaps.list,
            self.versions,
            self.compare_button,
        ]
        for before, after in zip(chain, chain[1:], strict=False):
            self.setTabOrder(before, after)
        self._show_nothing("Open this tab to load the plan.")

    # -- loading -----------------------------------------------------------------------------------

    def show_record(self, record: OffenderRecord) -> None:
        """The record arrived (or again): load the plan when this tab is on screen."""
        changed = record.offender_id != self.offender_id
        self.offender_id = record.offender_id
        if changed:
            self.data = None
        if self.isVisible() or self.data is not None:
            self.reload()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        if self.data is None and self.offender_id is not None and not self._busy:
            self.reload()

    def reload(self) -> None:
        if self.offender_id is None or self._busy:
            return
        if self.dirty:
            self._show_message(
                "The record was reloaded; your unsaved changes to the plan are kept. Save or "
                "discard them to see the plan as saved.",
                tone="info",
            )
            return
        self._set_busy(True, "Loading the plan…" if self.data is None else "")
        self.ctx.runner.run(
            self.ctx.svc.plans.editor,
            self.ctx.officer,
            self.offender_id,
            on_result=self._arrived,
            on_error=self._refused,
            owner=self,
        )

    def _arrived(self, data: PlanEditorData) -> None:
        self._set_busy(False)
        keep = self.shown.plan_id if self.shown is not None else None
        self.show_data(data, prefer=keep)

    def show_data(self, data: PlanEditorData, *, prefer: int | None = None) -> None:
        """Show the editor's data: the version `prefer` names when it is still offered, else the
        draft (to work on), else the version waiting for approval, else the one in force."""
        self.data = data
        offered = self._offered(data)
        ids = [view.plan_id for view, _ in offered]
        if prefer in ids:
            view = offered[ids.index(prefer)][0]
        elif data.draft is not None and data.can_edit:
            view = data.draft
        elif offered:
            view = offered[0][0]
        else:
            view = None
        self.shown_box.blockSignals(True)
        self.shown_box.clear()
        for option, label in offered:
            self.shown_box.addItem(label, option.plan_id)
        self.shown_box.setCurrentIndex(ids.index(view.plan_id) if view is not None else -1)
        self.shown_box.setEnabled(len(offered) > 1)
        self.shown_box.blockSignals(False)
        self.versions_panel.show_versions(data)
        if view is None:
            self._show_nothing(
                "There is no risk management plan yet."
                + (" Start the first draft to write one." if data.can_edit else "")
            )
        else:
            self._show_version(view, editing=view is data.draft and data.can_edit)
        self.loaded.emit()

    @staticmethod
    def _offered(data: PlanEditorData) -> list[tuple[PlanDraftView, str]]:
        """The versions the Showing list offers, in the order it offers them."""
        offered = []
        if data.submitted is not None:
            offered.append(
                (data.submitted, f"Version {data.submitted.plan_number}: awaiting approval")
            )
        if data.draft is not None:
            state = "returned" if data.draft.state == "returned" else "draft"
            offered.append((data.draft, f"Version {data.draft.plan_number}: {state}"))
        if data.current is not None:
            offered.append(
                (data.current, f"Version {data.current.plan_number}: approved, in force")
            )
        return offered

    def _choose_version(self, position: int) -> None:
        if self.data is None:
            return
        wanted = self.shown_box.itemData(position)
        if self.dirty and self.shown is not None and wanted != self.shown.plan_id:
            self.shown_box.setCurrentIndex(self.shown_box.findData(self.shown.plan_id))
            self._show_message("Save or discard your changes first.", tone="alert")
            return
        self.show_data(self.data, prefer=wanted)

    # -- showing a version -------------------------------------------------------------------------

    def _choices(self, data: PlanEditorData) -> Choices:
        known: dict[str, str] = {}
        labels: dict[str, str] = {}
        for view in (data.draft, data.current, data.submitted):
            for a in view.actions if view is not None else []:
                if a.owner_id is not None:
                    known[f"{OFFICER_PREFIX}{a.owner_id}"] = a.owner_name
                if a.answers_factor:
                    labels[a.answers_factor] = getattr(a, "answers_label", "") or a.answers_factor
        return Choices(
            owners=tuple((f"{OFFICER_PREFIX}{i}", name) for i, name in data.owners),
            factors=tuple((code, label) for code, label in data.present_factors),
            factor_labels=tuple(labels.items()),
            known_owners=tuple(known.items()),
            on=data.on,
        )

    def _show_version(self, view: PlanDraftView, *, editing: bool) -> None:
        assert self.data is not None
        self._filling = True
        self.shown = view
        self.editing = editing
        choices = self._choices(self.data)
        for pillar, section in self.sections.items():
            section.model.set_rows(
                [
                    ActionRow(
                        action_id=a.action_id,
                        description=a.description,
                        owner=a.owner,
                        due_on=fmt_date(a.due_on),
                        status=a.status,
                        answers_factor=a.answers_factor or "",
                    )
                    for a in view.actions
                    if a.pillar == pillar
                ],
                choices,
                read_only=not editing,
            )
            section.set_editable(editing)
        self.fields.fill(view, editing=editing)
        comment = view.return_comment if view.state == "returned" else ""
        self.returned.setText(f"The sergeant's comment: {comment}" if comment else "")
        set_tone(self.returned, "warn")
        self.returned.setVisible(bool(comment))
        self._clear_problems()
        self._filling = False
        self.dirty = False
        self._refresh()

    def _show_nothing(self, text: str) -> None:
        self._filling = True
        self.shown = None
        self.editing = False
        choices = self._choices(self.data) if self.data is not None else Choices()
        for section in self.sections.values():
            section.model.set_rows([], choices, read_only=True)
            section.set_editable(False)
        self.fields.fill(None, editing=False)
        self.returned.hide()
        self._filling = False
        self.dirty = False
        self.status.setText(text)
        set_tone(self.status, "warn" if self.data is not None else "")
        self.gaps.show_gaps(getattr(self.data, "gaps", []) if self.data is not None else [])
        self._update_buttons()

    # -- what is typed -----------------------------------------------------------------------------

    def current_edit(self) -> PlanEdit:
        """The plan as on screen, in the services' edit form (raw text)."""
        from desktop.services.plans import ActionEdit, PlanEdit

        assert self.shown is not None
        actions = []
        self._order = []
        for pillar, section in self.sections.items():
            for row, a in enumerate(section.model.rows()):
                self._order.append((pillar, row))
                actions.append(
                    ActionEdit(
                        action_id=a.action_id,
                        pillar=pillar,
                        description=a.description,
                        owner=a.owner,
                        due_on=a.due_on,
                        status=a.status,
                        answers_factor=a.answers_factor,
                    )
                )
        return PlanEdit(
            expected_version=self.shown.version,
            contingency=self.contingency.toPlainText(),
            licence_conditions=self.licence.toPlainText(),
            review_on=self.review.text(),
            actions=actions,
        )

    def current_gaps(self) -> list[Any]:
        if self.data is None or self.shown is None:
            return []
        return self.ctx.svc.plans.gaps_for(
            self.current_edit(), self.data.present_factors, self.data.on
        )

    def _edited(self) -> None:
        if self._filling or not self.editing:
            return
        self.dirty = True
        self._refresh()

    def _refresh(self) -> None:
        """The gaps, the review date's mark, the status line and the buttons, after any change."""
        if self.data is None or self.shown is None:
            return
        self.gaps.show_gaps(self.current_gaps())
        self.fields.show_review_state(self.data.on)
        text = version_status(self.shown, self.data, editing=self.editing)
        if self.dirty:
            text += " Unsaved changes."
        self.status.setText(text)
        set_tone(
            self.status,
            "warn" if self.dirty or self.shown.state in ("returned", "submitted") else "",
        )
        self._update_buttons()

    def _update_buttons(self) -> None:
        data = self.data
        can_edit = data is not None and data.can_edit
        waiting = data is not None and data.submitted is not None
        has_draft = data is not None and data.draft is not None
        self.start_button.setVisible(can_edit and not has_draft)
        self.start_button.setEnabled(not waiting and not self._busy)
        self.start_button.setToolTip(
            "A version is waiting for approval; start a new draft once it is decided"
            if waiting
            else "Copy the plan in force into a new draft to change it"
        )
        self.start_button.setText(
            "Start new dra&ft"
            if data is not None and data.current is not None
            else "Start the &first draft"
        )
        for button in (self.save_button, self.submit_button):
            button.setVisible(self.editing)
            button.setEnabled(self.editing and not self._busy)
        self.discard_button.setVisible(self.editing)
        self.discard_button.setEnabled(self.editing and self.dirty and not self._busy)

    # -- working on the draft ----------------------------------------------------------------------

    def add_action(self, pillar: str) -> None:
        if not self.editing or self.data is None:
            return
        me = f"{OFFICER_PREFIX}{self.ctx.officer.officer_id}"
        owner = me if me in {f"{OFFICER_PREFIX}{i}" for i, _ in self.data.owners} else ""
        self.sections[pillar].add(ActionRow(owner=owner))

    def _commit_cells(self) -> None:
        for section in self.sections.values():
            section.commit_editing()

    def save_draft(self) -> None:
        if not self.editing or self._busy or self.shown is None:
            return
        self._commit_cells()
        edit = self.current_edit()
        self._clear_problems()
        self._set_busy(True, "Saving the draft…")
        self.ctx.runner.run(
            self.ctx.svc.plans.save_draft,
            self.ctx.officer,
            self.shown.plan_id,
            edit,
            on_result=self._saved,
            on_error=self._refused,
            owner=self,
        )

    def _saved(self, data: PlanEditorData) -> None:
        self._set_busy(False)
        self.dirty = False
        self.yours.hide()
        self.show_data(data, prefer=self.shown.plan_id if self.shown is not None else None)
        when = fmt_timestamp(self.ctx.svc.now())[-5:]
        self._show_message(f"Draft saved at {when}.", tone="info")
        log.info("saved a plan draft of offender %s", self.offender_id)
        self.saved.emit()

    def submit(self) -> None:
        if not self.editing or self._busy or self.shown is None or self.data is None:
            return
        self._commit_cells()
        gaps = self.current_gaps()
        if gaps:
            listed = "\n".join(f"•  {g.text}" for g in gaps[:8])
            more = f"\n…and {len(gaps) - 8} more" if len(gaps) > 8 else ""
            answer = QMessageBox.question(
                self,
                "Submit with gaps?",
                f"This plan still has {plural(len(gaps), 'gap')}:\n{listed}{more}\n\nThe sergeant "
                "will see them. Submit it for approval anyway?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        edit = self.current_edit() if self.dirty else None
        plans, actor, offender_id = self.ctx.svc.plans, self.ctx.officer, self.offender_id
        plan_id, version = self.shown.plan_id, self.shown.version
        assert offender_id is not None

        def job() -> PlanEditorData | _NotSubmitted:
            expected = version
            saved = None
            if edit is not None:
                saved = plans.save_draft(actor, plan_id, edit)
                expected = saved.draft.version if saved.draft is not None else version
            try:
                plans.submit(actor, plan_id, expected)
            except ServiceError as exc:
                if saved is None:
                    raise
                return _NotSubmitted(saved, exc)
            return plans.editor(actor, offender_id)

        self._clear_problems()
        self._set_busy(True, "Submitting for approval…")
        self.ctx.runner.run(job, on_result=self._submitted, on_error=self._refused, owner=self)

    def _submitted(self, outcome: PlanEditorData | _NotSubmitted) -> None:
        self._set_busy(False)
        number = self.shown.plan_number if self.shown is not None else 0
        plan_id = self.shown.plan_id if self.shown is not None else None
        if isinstance(outcome, _NotSubmitted):
            self.dirty = False
            self.show_data(outcome.data, prefer=plan_id)
            self._refused(outcome.error, saved=True)
            return
        self.dirty = False
        self.show_data(outcome, prefer=plan_id)
        self._show_message(
            f"Version {number} was submitted to the sergeant for approval.", tone="info"
        )
        log.info("submitted plan version %s of offender %s", number, self.offender_id)
        self.record_changed.emit()

    def start_draft(self) -> None:
        if self._busy or self.offender_id is None or self.dirty:
            return
        plans, actor, offender_id = self.ctx.svc.plans, self.ctx.officer, self.offender_id

        def job() -> PlanEditorData:
            plans.start_draft(actor, offender_id)
            return plans.editor(actor, offender_id)

        self._set_busy(True, "Starting a new draft…")
        self.ctx.runner.run(job, on_result=self._started, on_error=self._refused, owner=self)

    def _started(self, data: PlanEditorData) -> None:
        self._set_busy(False)
        self.show_data(data)
        self._show_message(
            "A new draft, copied from the plan in force. The approved version stays as it was.",
            tone="info",
        )
        first = next(iter(self.sections.values()))
        first.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def discard(self) -> None:
        if self.data is None or not self.dirty:
            return
        self.dirty = False
        self.show_data(self.data, prefer=self.shown.plan_id if self.shown is not None else None)
        self._show_message("Your unsaved changes were discarded.", tone="info")

    def compare(self) -> None:
        if self.data is None or len(self.data.versions) < 2:
            return
        selected = self.versions.current_key()
        dialog = CompareDialog(self.ctx, self.data, chosen=selected, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.compare_dialog = dialog
        dialog.show()
        dialog.compare()

    # -- problems ----------------------------------------------------------------------------------

    def _refused(self, exc: BaseException, *, saved: bool = False) -> None:
        self._set_busy(False)
        prefix = "Your changes are saved, but the plan was not submitted. " if saved else ""
        if isinstance(exc, ValidationFailed):
            self._show_problems(exc, prefix)
        elif isinstance(exc, EditConflict) and self.editing:
            self._show_message(prefix + str(exc), tone="alert")
            self.reload_button.show()
            self.reload_button.setFocus()
        else:
            self._show_message(prefix + error_text(exc), tone="alert")
        self.failed.emit(self.message.text())

    def _show_problems(self, exc: ValidationFailed, prefix: str) -> None:
        lines = []
        first: QWidget | None = None
        for problem in exc.errors:
            match = ACTION_FIELD.fullmatch(problem.field)
            field = self.fields.show_error(problem.field, problem.message)
            if field is not None:
                first = first or field
            elif match is not None and int(match.group(1)) < len(self._order):
                pillar, row = self._order[int(match.group(1))]
                section = self.sections[pillar]
                section.model.set_error(row, match.group(2), problem.message)
                lines.append(f"{section.label}, action {row + 1}: {problem.message}")
                if first is None:
                    section.table.setCurrentIndex(section.model.index(row, 0))
                    first = section.table
            else:
                lines.append(problem.message)
        count = len(exc.errors)
        summary = (
            "Please correct the problem marked below."
            if count == 1
            else f"Please correct the {count} problems marked below."
        )
        self._show_message(
            prefix + summary + ("\n" + "\n".join(lines) if lines else ""), tone="alert"
        )
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)

    def _clear_problems(self) -> None:
        self.message.hide()
        self.reload_button.hide()
        self.fields.clear_errors()
        for section in self.sections.values():
            section.model.clear_errors()

    def reload_after_conflict(self) -> None:
        """Show the plan as someone else saved it, keeping this person's text beside it."""
        if self.shown is None or self.data is None:
            return
        choices = self._choices(self.data)
        mine = edit_as_text(self.current_edit(), choices.owner_name, choices.factor_label)
        self.yours.setText("What you had typed, to copy back in where still right:\n" + mine)
        self.yours.show()
        self.dirty = False
        self.reload_button.hide()
        self.reload()

    # -- state -------------------------------------------------------------------------------------

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        if busy and text:
            self._show_message(text, tone="info")
        elif not busy and self.message.property("tone") == "info":
            self.message.hide()
        self._update_buttons()

    def _show_message(self, text: str, *, tone: str) -> None:
        self.message.setText(text)
        set_tone(self.message, tone)
        self.message.show()

    @property
    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def action_texts(self, pillar: str) -> list[str]:
        """Each action of a pillar in one line, as shown: for tests and screen readers."""
        model = self.sections[pillar].model
        choices = model.choices
        return [
            action_line(a, choices.owner_name(a.owner), choices.factor_label(a.answers_factor))
            for a in model.rows()
        ]
