"""The findings of one record of a printed pack: an answer to every checklist question, comments,
and actions, one a line, each of which becomes a task for the offender manager
(`ScrutinyService.record_findings`; DESIGN section 3: "Findings and actions from the review are
entered back into Pillars").

Saving runs in the background. A refusal keeps what was typed: each problem under its question
or field; a conflict (someone saved this record's findings first) offers to load theirs, and
then shows what had been typed here to put back."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.errors import EditConflict, ValidationFailed
from desktop.services.scrutiny import ANSWERS, CHECKLIST
from ui.context import AppContext
from ui.scrutiny import texts
from ui.widgets.dates import fmt_timestamp
from ui.widgets.forms import set_invalid, set_tone
from ui.widgets.labels import plural
from ui.widgets.messages import error_text

if TYPE_CHECKING:
    from desktop.services.scrutiny import ItemView, PackView

NOTHING_SAVED = "Nothing was saved."


def _label(text: str = "", name: str = "", object_name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setAccessibleName(name)
    if object_name:
        label.setObjectName(object_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class FindingsForm(QWidget):
    """Emits `saved(item)` with the item as saved, `open_requested(offender_id)`."""

    saved = Signal(object)
    open_requested = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("findingsForm")
        self.item: ItemView | None = None
        self.pack_id: int | None = None
        self.busy = False

        self.title = _label(name="Record reviewed", object_name="dayTitle")
        self.facts = _label(name="About the record's review", object_name="mutedText")
        self.message = _label(name="Findings message", object_name="formMessage")
        self.message.hide()
        self.reload_button = QPushButton("&Load the saved findings")
        self.reload_button.setAccessibleName("Load the saved findings")
        self.reload_button.clicked.connect(self.reload_saved)
        self.reload_button.hide()
        self.yours = _label(name="What you had typed", object_name="yoursLabel")
        self.yours.hide()

        self.groups: dict[str, QButtonGroup] = {}
        self.errors: dict[str, QLabel] = {}
        self.rows: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        for n, (key, question) in enumerate(CHECKLIST):
            caption = _label(f"{n + 1}. {question}")
            grid.addWidget(caption, 2 * n, 0)
            group = QButtonGroup(self)
            for col, (answer, word) in enumerate(ANSWERS.items()):
                radio = QRadioButton(word)
                radio.setObjectName(f"answer_{key}_{answer}")
                radio.setAccessibleName(f"{word}: {question}")
                group.addButton(radio, col)
                grid.addWidget(radio, 2 * n, col + 1)
            self.groups[key] = group
            self.rows[key] = caption
            self.errors[key] = self._error(f"Problem with question {n + 1}")
            grid.addWidget(self.errors[key], 2 * n + 1, 0, 1, len(ANSWERS) + 1)
        grid.setColumnStretch(0, 1)

        self.comments_box = QPlainTextEdit()
        self.comments_box.setTabChangesFocus(True)
        self.comments_box.setAccessibleName("Comments")
        self.comments_box.setAccessibleDescription("What the review found, in words.")
        self.comments_box.setFixedHeight(90)
        self.actions_box = QPlainTextEdit()
        self.actions_box.setTabChangesFocus(True)
        self.actions_box.setAccessibleName("Actions")
        self.actions_box.setAccessibleDescription(
            "One action a line: each new one becomes a task for the offender manager."
        )
        self.actions_box.setFixedHeight(80)
        self.errors["comments"] = self._error("Problem with the comments")
        self.errors["actions"] = self._error("Problem with the actions")
        comments_label = QLabel("&Comments")
        comments_label.setBuddy(self.comments_box)
        actions_label = QLabel("&Actions, one a line: each becomes a task for the offender manager")
        actions_label.setBuddy(self.actions_box)
        self.tasks = _label(name="Tasks raised", object_name="countLabel")

        self.save_button = QPushButton("&Save findings")
        self.save_button.setAccessibleName("Save findings")
        self.save_button.setToolTip("Save this record's findings (Ctrl+S)")
        self.save_button.clicked.connect(self.submit)
        self.open_button = QPushButton("&Open record")
        self.open_button.setAccessibleName("Open record")
        self.open_button.setToolTip("Open the offender's record (Ctrl+O)")
        self.open_button.clicked.connect(self._open)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(6)
        body.addWidget(self.title)
        body.addWidget(self.facts)
        body.addWidget(self.message)
        body.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignLeft)
        body.addWidget(self.yours)
        body.addLayout(grid)
        body.addWidget(comments_label)
        body.addWidget(self.comments_box)
        body.addWidget(self.errors["comments"])
        body.addWidget(actions_label)
        body.addWidget(self.actions_box)
        body.addWidget(self.errors["actions"])
        body.addWidget(self.tasks)
        body.addLayout(buttons)
        body.addStretch(1)
        self.empty = _label("Choose a record of the pack to enter its findings.", "No record")
        self.empty.setObjectName("mutedText")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.empty)
        layout.addWidget(self.body)
        self.show_item(None)

    def _error(self, name: str) -> QLabel:
        label = _label(name=name, object_name="fieldError")
        label.hide()
        return label

    def focus_chain(self) -> list[QWidget]:
        """The form's controls in Tab order: the first answer of each question (arrow keys move
        between a question's answers), comments, actions, the buttons."""
        return [
            *(group.buttons()[0] for group in self.groups.values()),
            self.comments_box,
            self.actions_box,
            self.save_button,
            self.open_button,
        ]

    # -- showing ----------------------------------------------------------------------------------

    def show_item(self, item: ItemView | None, pack_id: int | None = None) -> None:
        """Show a record's saved findings (blank answers until findings are entered)."""
        self.item = item
        self.pack_id = pack_id if item is not None else None
        self.body.setVisible(item is not None)
        self.empty.setVisible(item is None)
        self.clear_problems()
        self.yours.hide()
        if item is None:
            return
        self.fill(item)

    def fill(self, item: ItemView) -> None:
        self.item = item
        self.title.setText(f"{texts.number(item)}. {item.reference} {item.name}")
        reviewed = (
            f"Reviewed {fmt_timestamp(item.reviewed_at)} by {item.reviewer}."
            if item.reviewed_at is not None
            else "Not reviewed yet."
        )
        self.facts.setText(
            f"Offender manager: {texts.manager_text(item.manager)}. In the pack because: "
            f"{item.reason}. {reviewed}"
        )
        for key, group in self.groups.items():
            wanted = list(ANSWERS).index(item.checklist[key]) if key in item.checklist else -1
            group.setExclusive(False)
            for col, button in enumerate(group.buttons()):
                button.setChecked(col == wanted)
            group.setExclusive(True)
        self.comments_box.setPlainText(item.comments)
        self.actions_box.setPlainText("\n".join(item.actions))
        self.tasks.setText(texts.tasks_text(item) + ".")
        self._enable()

    def answers(self) -> dict[str, str]:
        keys = list(ANSWERS)
        return {
            key: keys[group.checkedId()]
            for key, group in self.groups.items()
            if group.checkedId() >= 0
        }

    def typed_actions(self) -> list[str]:
        return [line for line in self.actions_box.toPlainText().split("\n") if line.strip()]

    def set_answer(self, key: str, answer: str) -> None:
        self.groups[key].button(list(ANSWERS).index(answer)).setChecked(True)

    @property
    def dirty(self) -> bool:
        """True when what is shown differs from the item as saved."""
        item = self.item
        if item is None:
            return False
        return (
            self.answers() != item.checklist
            or self.comments_box.toPlainText().strip() != item.comments.strip()
            or [a.strip() for a in self.typed_actions()] != list(item.actions)
        )

    # -- saving -----------------------------------------------------------------------------------

    def submit(self) -> None:
        item = self.item
        if item is None or self.busy:
            return
        self.clear_problems()
        self.yours.hide()
        self._set_busy(True)
        self.show_message("Saving the findings…", "info")
        self.ctx.runner.run(
            self.ctx.svc.scrutiny.record_findings,
            self.ctx.officer,
            item.item_id,
            item.version,
            self.answers(),
            self.comments_box.toPlainText(),
            self.typed_actions(),
            on_result=lambda saved, before=item: self._saved(before, saved),
            on_error=self._refused,
            owner=self,
        )

    def _saved(self, before: ItemView, saved: ItemView) -> None:
        self._set_busy(False)
        self.fill(saved)
        raised = len(saved.action_task_ids) - len(before.action_task_ids)
        who = saved.manager or "whoever approves the record's work"
        news = f" {plural(raised, 'task')} raised for {who}." if raised > 0 else " No new task."
        self.show_message(f"Findings saved for {saved.reference} {saved.name}.{news}", "ok")
        self.saved.emit(saved)

    def _refused(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, ValidationFailed):
            unplaced = []
            first: QWidget | None = None
            for problem in exc.errors:
                label = self.errors.get(problem.field)
                if label is None:
                    unplaced.append(problem.message)
                    continue
                label.setText(problem.message)
                label.show()
                if problem.field in self.rows:
                    set_tone(self.rows[problem.field], "alert")
                    widget: QWidget = self.groups[problem.field].buttons()[0]
                else:
                    widget = self.comments_box if problem.field == "comments" else self.actions_box
                    set_invalid(widget, True)
                first = first or widget
            count = len(exc.errors)
            head = (
                "Please correct the problem marked below."
                if count == 1
                else (f"Please correct the {count} problems marked below.")
            )
            self.show_message(" ".join([head, *unplaced, NOTHING_SAVED]), "alert")
            if first is not None:
                first.setFocus()
            return
        text = error_text(exc)
        if isinstance(exc, EditConflict):
            self.reload_button.show()
            self.reload_button.setFocus()
        elif "nothing" not in text.lower():
            text = f"{text} {NOTHING_SAVED}"
        self.show_message(text, "alert")

    def reload_saved(self) -> None:
        """After a conflict: show the findings as saved, and what had been typed here."""
        if self.item is None or self.pack_id is None or self.busy:
            return
        self._set_busy(True)
        self.ctx.runner.run(
            self.ctx.svc.scrutiny.pack,
            self.ctx.officer,
            self.pack_id,
            on_result=self._reloaded,
            on_error=self._refused,
            owner=self,
        )

    def _reloaded(self, view: PackView) -> None:
        self._set_busy(False)
        assert self.item is not None
        saved = next((i for i in view.items if i.item_id == self.item.item_id), None)
        if saved is None:
            return
        words = dict(ANSWERS)
        mine = self.answers()
        typed = [
            f"Question {n + 1}: {words[mine[key]]}"
            for n, (key, _q) in enumerate(CHECKLIST)
            if key in mine and mine[key] != saved.checklist.get(key)
        ]
        if self.comments_box.toPlainText().strip() != saved.comments.strip():
            typed.append(f"Comments: {self.comments_box.toPlainText().strip() or '(blank)'}")
        if [a.strip() for a in self.typed_actions()] != list(saved.actions):
            typed.append("Actions: " + ("; ".join(self.typed_actions()) or "(none)"))
        self.clear_problems()
        self.fill(saved)
        self.saved.emit(saved)
        if typed:
            self.yours.setText(
                "What you had typed, to put back where it is still right:\n" + "\n".join(typed)
            )
            self.yours.show()
        self.show_message(
            f"These are the findings as saved by {saved.reviewer or 'someone else'}. Make your "
            "changes again where they are still needed, then save.",
            "info",
        )

    # -- state ------------------------------------------------------------------------------------

    def clear_problems(self) -> None:
        self.message.hide()
        self.reload_button.hide()
        for key, label in self.errors.items():
            label.clear()
            label.hide()
            if key in self.rows:
                set_tone(self.rows[key], "")
        set_invalid(self.comments_box, False)
        set_invalid(self.actions_box, False)

    def show_message(self, text: str, tone: str) -> None:
        self.message.setText(text)
        set_tone(self.message, tone)
        self.message.show()

    @property
    def message_text(self) -> str:
        return self.message.text() if not self.message.isHidden() else ""

    def field_error(self, key: str) -> str:
        label = self.errors[key]
        return label.text() if not label.isHidden() else ""

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._enable()

    def _enable(self) -> None:
        self.save_button.setEnabled(self.item is not None and not self.busy)
        self.open_button.setEnabled(self.item is not None)
        self.reload_button.setEnabled(not self.busy)

    def _open(self) -> None:
        if self.item is not None:
            self.open_requested.emit(self.item.offender_id)
