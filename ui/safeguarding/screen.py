"""The Safeguarding screen: the PPNs an officer follows, from the concern to children's social
care's decision (DESIGN section 3, "PPNs"; issue #7). "My PPNs" (raised by me, or of offenders I
manage) or the team's; by stage (draft, due, submitted, awaiting social care, closed; the open
ones by default), by grade and by words; late ones in red. The chosen PPN is shown in full below
with the actions its stage allows: edit the draft, submit it, record the MASH review, record
social care's decision, open the record.

The list is loaded once per scope in the background and filtered here as the officer types;
every action opens its dialog, which saves in the background, and the list loads again after,
keeping the chosen PPN."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.context import AppContext
from ui.safeguarding import model, texts
from ui.safeguarding.dialogs import PpnForm, action_dialog
from ui.safeguarding.model import GradeChipDelegate, PpnFilter, grade_chip
from ui.widgets.dates import fmt_date
from ui.widgets.forms import set_tone
from ui.widgets.keys import screen_shortcuts, tab_chain
from ui.widgets.labels import plural
from ui.widgets.messages import error_text
from ui.widgets.tables import RowsTable

if TYPE_CHECKING:
    from desktop.services.ppns import PpnList, PpnSummary

log = logging.getLogger("pillars.ui.safeguarding")

COLUMNS = ("Reference", "Offender", "Grade", "Stage", "Concern", "Raised by", "Next step")
GRADE_COLUMN = COLUMNS.index("Grade")
TEAM_FIRST = ("sergeant", "team_manager")
SHORTCUTS = {
    "edit": "Ctrl+E",
    "submit": "Ctrl+Shift+S",
    "mash": "Ctrl+M",
    "decision": "Ctrl+D",
    "open": "Ctrl+O",
    "find": "Ctrl+F",
}
ACTION_TEXTS = {
    "edit": ("&Edit…", "Edit the chosen draft PPN"),
    "submit": ("&Submit…", "Record the chosen PPN as submitted"),
    "mash": ("Record MAS&H review…", "Record what the MASH decided"),
    "decision": ("Record social care's &decision…", "Record the decision; the PPN closes"),
    "open": ("&Open record", "Open the offender's record"),
}


class PpnDetail(QWidget):
    """The chosen PPN in full: its facts, the people concerned, the timeline, and the buttons for
    what its stage allows (disabled with the reason otherwise). Its signal says which button was
    pressed; the screen does it."""

    requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ppnDetail")
        self.ppn: PpnSummary | None = None
        self.title = _value("PPN")
        self.title.setObjectName("dayTitle")
        self.title.setWordWrap(False)
        self.grade = QLabel()
        self.grade.setAccessibleName("Grade")
        self.stage = _value("Stage")
        head = QHBoxLayout()
        head.addWidget(self.title)
        head.addSpacing(12)
        head.addWidget(self.grade)
        head.addWidget(self.stage)
        head.addStretch(1)

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, (text, tip) in ACTION_TEXTS.items():
            button = QPushButton(text)
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            button.setToolTip(f"{tip} ({SHORTCUTS[key]})")
            button.clicked.connect(lambda _checked=False, k=key: self.requested.emit(k))
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.why = _value("Why some actions are not available")
        self.why.setObjectName("mutedText")

        self.facts: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        columns = (
            ("Offender", "Offender manager", "Raised by", "Submission reference"),
            ("Next step", "Concern", "People concerned"),
        )
        for c, captions in enumerate(columns):
            for r, caption in enumerate(captions):
                value = _value(caption)
                cap = QLabel(caption)
                cap.setObjectName("factCaption")
                grid.addWidget(cap, r, 2 * c, Qt.AlignmentFlag.AlignTop)
                grid.addWidget(value, r, 2 * c + 1, Qt.AlignmentFlag.AlignTop)
                self.facts[caption] = value
            grid.setColumnStretch(2 * c + 1, 1 + c)

        timeline_title = QLabel("Timeline")
        timeline_title.setObjectName("factCaption")
        self.timeline = RowsTable(
            ("Step", "When", "Detail"), "Timeline of the PPN", fit_rows=(3, 7), wrap=True
        )
        self.empty = _value("No PPN chosen")
        self.empty.setObjectName("mutedText")

        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(8)
        body.addLayout(head)
        body.addLayout(row)
        body.addWidget(self.why)
        body.addLayout(grid)
        body.addWidget(timeline_title)
        body.addWidget(self.timeline)
        body.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.body)
        self.show_ppn(None)

    def show_ppn(self, p: PpnSummary | None, empty: str = "Choose a PPN to see it here.") -> None:
        self.ppn = p
        self.body.setVisible(p is not None)
        self.empty.setVisible(p is None)
        self.empty.setText(empty)
        reasons: list[str] = []
        for key in texts.ACTIONS:
            ok, why = texts.available(p, key)
            button = self.buttons[key]
            button.setEnabled(ok)
            name = button.accessibleName()
            button.setToolTip(f"{name} ({SHORTCUTS[key]})" if ok else why)
            if not ok and why not in reasons and p is not None:
                reasons.append(why)
        self.buttons["open"].setEnabled(p is not None)
        if p is None:
            return
        self.title.setText(f"{p.reference} {p.offender_name}")
        grade_chip(self.grade, p.grade)
        self.stage.setText(f"{p.stage_label} · LATE" if p.late else p.stage_label)
        set_tone(self.stage, "alert" if p.late else "")
        manager = p.manager_name or "Unallocated"
        facts = {
            "Offender": f"{p.reference} {p.offender_name}",
            "Offender manager": f"{manager}, {p.team_name} team",
            "Raised by": p.raised_by + (" from a visit" if p.visit_id else ""),
            "Submission reference": p.submission_reference or "—",
            "Next step": p.next_step,
            "Concern": p.concern,
            "People concerned": texts.subjects_text(p),
        }
        for caption, text in facts.items():
            self.facts[caption].setText(text)
        set_tone(self.facts["Next step"], "alert" if p.late else "")
        self.timeline.set_rows(texts.timeline(p))
        enabled = [k for k in texts.ACTIONS if self.buttons[k].isEnabled()]
        self.why.setText("" if enabled else " ".join(reasons))
        self.why.setVisible(not enabled and bool(reasons))

    def fact(self, caption: str) -> str:
        return self.facts[caption].text()


def _value(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    return label


class SafeguardingScreen(QWidget):
    """Emits `open_record(offender_id)`; `loaded` when a list arrives; `failed(text)`;
    `changed` after an action saved here; `dialog_opened(dialog)` with each dialog it opens."""

    open_record = Signal(int)
    loaded = Signal()
    failed = Signal(str)
    changed = Signal()
    dialog_opened = Signal(object)

    title = "Safeguarding"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("safeguardingScreen")
        self._started = False
        self._token = 0
        self.items: list[PpnSummary] = []
        self.keys: list[str] = []
        self.shown: list[PpnSummary] = []
        self.dialog: QDialog | None = None
        self._keep: int | None = None
        self._follow = False

        heading = QLabel("Safeguarding")
        heading.setObjectName("screenHeading")
        self.summary = QLabel("Loading…")
        self.summary.setObjectName("countLabel")
        self.summary.setAccessibleName("PPNs summary")
        self.summary.setWordWrap(True)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAccessibleName("Refresh the PPNs")
        self.refresh_button.setToolTip("Load the PPNs again (F5)")
        self.refresh_button.clicked.connect(self.reload)
        title_row = QHBoxLayout()
        title_row.addWidget(heading)
        title_row.addSpacing(16)
        title_row.addWidget(self.summary, 1)
        title_row.addWidget(self.refresh_button)

        self.scope_group = QButtonGroup(self)
        self.mine_button = self._toggle("&My PPNs", "PPNs I raised or of offenders I manage")
        self.team_button = self._toggle("&Team's PPNs", "Every PPN of my team's offenders")
        for button in (self.mine_button, self.team_button):
            self.scope_group.addButton(button)
        team_first = ctx.actor is not None and ctx.actor.role in TEAM_FIRST
        (self.team_button if team_first else self.mine_button).setChecked(True)
        self.scope_group.buttonToggled.connect(self._scope_toggled)
        self.grade_box = QComboBox()
        self.grade_box.setAccessibleName("Grade shown")
        self.grade_box.addItem("Any grade", "")
        for grade in texts.GRADES:
            self.grade_box.addItem(texts.grade_label(grade), grade)
        self.grade_box.currentIndexChanged.connect(lambda _i: self.refilter())
        grade_label = QLabel("&Grade")
        grade_label.setBuddy(self.grade_box)
        self.find_box = QLineEdit()
        self.find_box.setAccessibleName("Find PPNs")
        self.find_box.setPlaceholderText("Reference, offender, concern or a person's name")
        self.find_box.setClearButtonEnabled(True)
        self.find_box.setMinimumWidth(280)
        self.find_box.textChanged.connect(lambda _t: self.refilter())
        find_label = QLabel("&Find")
        find_label.setBuddy(self.find_box)
        top = QHBoxLayout()
        top.addWidget(self.mine_button)
        top.addWidget(self.team_button)
        top.addSpacing(20)
        top.addWidget(grade_label)
        top.addWidget(self.grade_box)
        top.addSpacing(16)
        top.addWidget(find_label)
        top.addWidget(self.find_box, 1)

        self.stage_group = QButtonGroup(self)
        self.stage_buttons: dict[str, QPushButton] = {}
        stages = QHBoxLayout()
        shown_label = QLabel("Stage:")
        shown_label.setObjectName("mutedText")
        stages.addWidget(shown_label)
        for stage in (*texts.STAGE_FILTERS, ""):
            button = self._toggle(texts.FILTER_LABELS.get(stage, "All"), "")
            button.setAccessibleName(f"Stage: {texts.FILTER_LABELS.get(stage, 'All')}")
            self.stage_group.addButton(button)
            self.stage_buttons[stage] = button
            stages.addWidget(button)
        stages.addStretch(1)
        self.stage_buttons[texts.OPEN].setChecked(True)
        self.stage_group.buttonToggled.connect(lambda _b, on: on and self.refilter())

        self.state_label = QLabel()
        self.state_label.setObjectName("stateLabel")
        self.state_label.setWordWrap(True)
        self.state_label.setAccessibleName("Safeguarding message")
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state_label.hide()

        self.table = RowsTable(COLUMNS, "PPNs", widest=260)  # the next step takes what is left
        self.table.setObjectName("ppnTable")
        self.table.setAccessibleDescription("Press Enter to open the offender's record")
        self.table.setItemDelegateForColumn(GRADE_COLUMN, GradeChipDelegate(self.table))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._chosen())
        self.table.activated.connect(lambda _i: self.act("open"))
        self.empty_label = QLabel()
        self.empty_label.setObjectName("mutedText")
        self.empty_label.setAccessibleName("No PPNs")
        self.empty_label.hide()
        list_box = QWidget()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_layout.addWidget(self.empty_label)
        list_layout.addWidget(self.table, 1)

        self.detail = PpnDetail()
        self.detail.requested.connect(self.act)
        detail_scroll = QScrollArea()
        detail_scroll.setWidget(self.detail)
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setAccessibleName("The chosen PPN")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(list_box)
        split.addWidget(detail_scroll)
        split.setChildrenCollapsible(False)
        split.setSizes([360, 440])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(title_row)
        layout.addLayout(top)
        layout.addLayout(stages)
        layout.addWidget(self.state_label)
        layout.addWidget(split, 1)

        screen_shortcuts(
            self,
            [
                *(
                    (sequence, self._focus_find if key == "find" else (lambda k=key: self.act(k)))
                    for key, sequence in SHORTCUTS.items()
                ),
                (Qt.Key.Key_F5, self.reload),
            ],
        )
        chain: list[QWidget] = [
            self.mine_button,
            self.team_button,
            self.grade_box,
            self.find_box,
            *self.stage_buttons.values(),
            self.table,
            *self.detail.buttons.values(),
            self.refresh_button,
        ]
        tab_chain(self, chain)
        self.setFocusProxy(self.table)

    def _toggle(self, text: str, tip: str) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName("quickFilter")
        button.setCheckable(True)
        button.setAccessibleName(text.replace("&", ""))
        if tip:
            button.setToolTip(tip)
        return button

    def _focus_find(self) -> None:
        self.find_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.find_box.selectAll()

    # -- loading ----------------------------------------------------------------------------------

    @property
    def scope(self) -> str:
        return "team" if self.team_button.isChecked() else "mine"

    def activate(self) -> None:
        """Called when the screen is shown: the first time, load the PPNs."""
        if not self._started:
            self._started = True
            self.load()

    def reload(self) -> None:
        current = self.current()
        self.load(keep=current.ppn_id if current is not None else None)

    def _scope_toggled(self, _button: Any, checked: bool) -> None:
        if checked:
            self.load()

    def load(self, *, keep: int | None = None, quiet: bool = False, follow: bool = False) -> None:
        """Load the scope's PPNs (every stage: the buttons count them); keep `keep` chosen, and
        with `follow` show its stage when the filter chosen no longer shows it."""
        self._started = True
        self._token += 1
        token = self._token
        self._keep = keep
        self._follow = follow
        self.refresh_button.setEnabled(False)
        if not quiet:
            self.summary.setText("Loading…")
        self.ctx.runner.run(
            self.ctx.svc.ppns.list,
            self.ctx.officer,
            scope=self.scope,
            on_result=lambda ppns: self._arrived(token, ppns),
            on_error=lambda exc: self._failed(token, exc),
            owner=self,
        )

    def _arrived(self, token: int, ppns: PpnList) -> None:
        if token != self._token:
            return
        self.refresh_button.setEnabled(True)
        self.items = list(ppns.items)
        self.keys = [model.search_key(p) for p in self.items]
        if self.state_label.property("tone") == "alert":
            self.state_label.hide()
        keep = self._keep
        follow = next((p for p in self.items if p.ppn_id == keep), None) if self._follow else None
        if follow is not None and not self.current_filter().stage_matches(follow):
            # The PPN just acted on moved stage: show it where it now is.
            self.stage_group.blockSignals(True)
            self.stage_buttons[follow.stage].setChecked(True)
            self.stage_group.blockSignals(False)
        self.refilter(keep=keep)
        self.loaded.emit()

    def _failed(self, token: int, exc: BaseException) -> None:
        if token != self._token:
            return
        self.refresh_button.setEnabled(True)
        self.items, self.keys = [], []
        self.refilter()
        text = f"The PPNs could not be loaded. {error_text(exc)}"
        self.summary.setText("Nothing to show.")
        self.show_state(text, "alert")
        self.failed.emit(text)

    # -- filtering --------------------------------------------------------------------------------

    def current_filter(self) -> PpnFilter:
        stage = next((s for s, b in self.stage_buttons.items() if b.isChecked()), texts.OPEN)
        return PpnFilter(
            stage=stage, grade=str(self.grade_box.currentData() or ""), text=self.find_box.text()
        )

    def set_stage(self, stage: str) -> None:
        """Show one stage filter ("open", a stage, or "" for all)."""
        self.stage_buttons[stage].setChecked(True)

    def refilter(self, keep: int | None = None) -> None:
        if keep is None:
            current = self.current()
            keep = current.ppn_id if current is not None else None
        f = self.current_filter()
        self.shown = model.apply(self.items, self.keys, f)
        counts = model.counts(self.items, self.keys, f)
        for stage, button in self.stage_buttons.items():
            label = texts.FILTER_LABELS.get(stage, "All")
            button.setText(f"{label} ({counts[stage]})")
        self.table.set_rows(
            [texts.table_row(p) for p in self.shown], [p.ppn_id for p in self.shown]
        )
        self.table.setVisible(bool(self.shown))
        self.empty_label.setVisible(not self.shown)
        self.empty_label.setText(self._empty_text(f))
        ids = [p.ppn_id for p in self.shown]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        elif self.shown:
            self.table.selectRow(0)
        self._chosen()
        self._show_summary()

    def _empty_text(self, f: PpnFilter) -> str:
        whose = "your" if self.scope == "mine" else "your team's"
        if not self.items:
            return f"None of {whose} PPNs to show."
        return f"None of {whose} PPNs match the stage, grade and words chosen."

    def _show_summary(self) -> None:
        late = sum(1 for p in self.items if p.late)
        open_ = sum(1 for p in self.items if p.stage != "closed")
        team = self.ctx.officer.team_name
        whose = "Your" if self.scope == "mine" else f"{team} team's" if team else "The team's"
        text = f"{whose} PPNs: {open_} open"
        if late:
            text += f", {late} LATE"
        self.summary.setText(
            text + f"; {plural(len(self.shown), 'PPN')} shown on {fmt_date(self.ctx.svc.today())}."
        )
        set_tone(self.summary, "warn" if late else "")

    # -- the chosen PPN ---------------------------------------------------------------------------

    def current(self) -> PpnSummary | None:
        key = self.table.current_key() if self.shown else None
        return next((p for p in self.shown if p.ppn_id == key), None)

    def _chosen(self) -> None:
        p = self.current()
        self.detail.show_ppn(
            p, "Choose a PPN to see it here." if self.shown else "Nothing to show."
        )
        if self.dialog is not None:
            for button in self.detail.buttons.values():
                button.setEnabled(False)

    def choose(self, ppn_id: int) -> bool:
        """Choose a PPN by id (for the main window and tests); False when it is not shown."""
        ids = [p.ppn_id for p in self.shown]
        if ppn_id not in ids:
            return False
        self.table.selectRow(ids.index(ppn_id))
        return True

    # -- acting -----------------------------------------------------------------------------------

    def act(self, action: str) -> None:
        """Do `action` ("edit", "submit", "mash", "decision", "open") on the chosen PPN."""
        p = self.current()
        if p is None or self.dialog is not None or not self.detail.buttons[action].isEnabled():
            return
        if action == "open":
            self.open_record.emit(p.offender_id)
            return
        dialog = action_dialog(self.ctx, action, p, parent=self)
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda _r, d=dialog: self._closed(d))
        dialog.saved.connect(lambda _v, a=action, q=p: self._saved(a, q))
        dialog.conflicted.connect(lambda q=p: self.load(keep=q.ppn_id))
        self._chosen()
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _closed(self, dialog: PpnForm) -> None:
        if self.dialog is dialog:
            self.dialog = None
            self._chosen()

    def _saved(self, action: str, p: PpnSummary) -> None:
        self.announce(f"{texts.DONE[action]}: {p.reference} {p.offender_name}.")
        self.load(keep=p.ppn_id, quiet=True, follow=True)
        self.changed.emit()

    # -- messages ---------------------------------------------------------------------------------

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
