"""The Scrutiny screen, for team managers: a team's fortnightly peer-scrutiny pack from the sample
to the findings (DESIGN section 3, "Peer scrutiny"; issue #8 item 3).

- Sample: the team and the fortnight chosen (fortnights end on alternate Fridays, see
  `texts.latest_fortnight_ending`), the sample drawn with its seed (changeable: "Draw again"),
  why each record is in, the method, and how many records it was drawn from. A line can be
  removed and an offender of the team added, each with a reason; the changes are listed with
  their reasons until the pack is generated.
- Generate pack: the pack is saved and printed in the background (`ScrutinyService.create_pack`
  then `print_pack`) with a progress bar; the PDF is then shown in the preview (open in the
  system viewer, save, print). A fortnight whose pack is printed says so and offers it instead.
- Findings: the records of a printed pack, reviewed or not; the chosen one's checklist, comments
  and actions, saved in the background; each action becomes a task for the offender manager.
- Past packs: the team's packs; "Reprint" shows the exact PDF kept at the first print.

The service decides who may (the team's own team manager): anyone else sees its refusal here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.services.errors import ValidationFailed
from desktop.services.scrutiny import Adjustment
from ui.context import AppContext
from ui.scrutiny import texts
from ui.scrutiny.dialogs import AddDialog, RemoveDialog
from ui.scrutiny.findings import FindingsForm
from ui.widgets.dates import fmt_date
from ui.widgets.forms import set_tone
from ui.widgets.keys import screen_shortcuts, tab_chain
from ui.widgets.labels import plural
from ui.widgets.messages import error_text
from ui.widgets.pdf_view import PdfPreview
from ui.widgets.tables import RowsTable

if TYPE_CHECKING:
    from desktop.services.actor import Actor
    from desktop.services.caseload import CaseloadRow
    from desktop.services.core import Services
    from desktop.services.scrutiny import ItemView, PackSummary, PackView, Sample, SampleLine

log = logging.getLogger("pillars.ui.scrutiny")

PAGES = ("sample", "pack", "findings", "packs")
PAGE_TITLES = {
    "sample": "Sample",
    "pack": "Pack",
    "findings": "Findings",
    "packs": "Past packs",
}
SHORTCUTS = {
    "draw": "Ctrl+D",
    "remove": "Ctrl+Delete",
    "add": "Ctrl+N",
    "undo": "Ctrl+U",
    "generate": "Ctrl+G",
    "reprint": "Ctrl+P",
    "findings": "Ctrl+E",
    "save": "Ctrl+S",
    "open": "Ctrl+O",
}
NO_PACK = "No pack shown yet: generate the fortnight's pack, or reprint one from Past packs."


class ProgressRelay(QObject):
    """Lives on the GUI thread: `progressed(done, total)` emitted on the worker thread arrives
    here queued, so the bar moves while the pack is drawn."""

    progressed = Signal(int, int)


def generate_pack(
    services: Services,
    actor: Actor,
    team_id: int,
    ending: dt.date,
    seed: int,
    remove: list[Adjustment],
    add: list[Adjustment],
    progress: Callable[[int, int], None],
) -> tuple[int, bytes]:
    """Save the fortnight's pack and print it (on the worker thread): (pack id, PDF)."""
    pack_id = services.scrutiny.create_pack(actor, team_id, ending, seed, remove=remove, add=add)
    return pack_id, services.scrutiny.print_pack(actor, pack_id, progress)


def _label(name: str, object_name: str = "", text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAccessibleName(name)
    if object_name:
        label.setObjectName(object_name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _button(text: str, name: str, tip: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.setToolTip(tip)
    button.clicked.connect(lambda _checked=False: slot())
    return button


class ScrutinyScreen(QWidget):
    """Emits `open_record(offender_id)`; `drawn` when a sample arrives; `packs_loaded`;
    `pack_loaded` when a pack's records arrive for the findings; `pdf_shown` when a PDF is in
    the preview; `failed(text)`; `dialog_opened(dialog)` with each dialog it opens."""

    open_record = Signal(int)
    drawn = Signal()
    packs_loaded = Signal()
    pack_loaded = Signal()
    pdf_shown = Signal()
    failed = Signal(str)
    dialog_opened = Signal(object)

    title = "Scrutiny"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("scrutinyScreen")
        self._started = False
        self._draw_token = 0
        self.sample: Sample | None = None
        self.removed: dict[int, str] = {}
        self.added: dict[int, tuple[CaseloadRow, str]] = {}
        self.problems: dict[str, str] = {}
        self.offenders: list[CaseloadRow] | None = None
        self.packs: list[PackSummary] = []
        self.pack_view: PackView | None = None
        self.working = False
        self.dialog: QDialog | None = None
        self._draw_refused = False  # the message shown is why the last draw failed
        self._choosing = False  # the items table is being filled: not a person's choice
        self.relay = ProgressRelay(self)
        self.relay.progressed.connect(self._progressed)

        heading = QLabel("Scrutiny")
        heading.setObjectName("screenHeading")
        self.summary = _label("Scrutiny summary", "countLabel")
        self.refresh_button = _button(
            "&Refresh", "Refresh", "Draw the sample and load the packs again (F5)", self.reload
        )
        title_row = QHBoxLayout()
        title_row.addWidget(heading)
        title_row.addSpacing(16)
        title_row.addWidget(self.summary, 1)
        title_row.addWidget(self.refresh_button)

        # -- team, fortnight, seed
        self.team_box = QComboBox()
        self.team_box.setAccessibleName("Team")
        actor = ctx.actor
        if actor is not None and actor.team_id is not None:
            self.team_box.addItem(actor.team_name, actor.team_id)
        self.team_box.setEnabled(self.team_box.count() > 1)
        self.endings = texts.fortnight_endings(ctx.svc.today())
        self.fortnight_box = QComboBox()
        self.fortnight_box.setAccessibleName("Fortnight")
        self.fortnight_box.setAccessibleDescription(
            "The fortnight's last day; fortnights end on alternate Fridays."
        )
        for ending in self.endings:
            self.fortnight_box.addItem(texts.period(ending).capitalize())
        self.seed_box = QSpinBox()
        self.seed_box.setRange(0, 2_147_483_647)
        self.seed_box.setAccessibleName("Seed")
        self.seed_box.setAccessibleDescription(
            "The same seed draws the same sample from the same records. Change it and press "
            "Draw again for another sample."
        )
        self.seed_box.setMinimumWidth(120)
        self.draw_button = _button(
            "&Draw again",
            "Draw again",
            f"Draw the sample again with the seed shown ({SHORTCUTS['draw']})",
            self.draw_again,
        )
        choose = QHBoxLayout()
        for caption, widget in (
            ("&Team", self.team_box),
            ("&Fortnight", self.fortnight_box),
            ("S&eed", self.seed_box),
        ):
            label = QLabel(caption)
            label.setBuddy(widget)
            label.setMinimumWidth(label.sizeHint().width() + 4)  # the style measures it short
            choose.addWidget(label)
            choose.addSpacing(4)
            choose.addWidget(widget)
            choose.addSpacing(12)
        choose.addWidget(self.draw_button)
        choose.addStretch(1)
        self.team_box.currentIndexChanged.connect(lambda _i: self._chooser_changed())
        self.fortnight_box.currentIndexChanged.connect(lambda _i: self._chooser_changed())

        self.state_label = _label("Scrutiny message", "stateLabel")
        self.state_label.hide()
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress of the pack")
        self.progress.setTextVisible(False)
        self.progress_label = _label("What is being done", "countLabel")
        self.progress_row = QWidget()
        progress_row = QHBoxLayout(self.progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.progress, 1)
        self.progress_row.hide()

        self.tabs = QTabWidget()
        self.tabs.tabBar().setAccessibleName("Scrutiny pages")
        self.tabs.addTab(self._sample_page(), PAGE_TITLES["sample"])
        self.preview = PdfPreview()
        self.preview.clear(NO_PACK)
        self.tabs.addTab(self.preview, PAGE_TITLES["pack"])
        self.tabs.addTab(self._findings_page(), PAGE_TITLES["findings"])
        self.tabs.addTab(self._packs_page(), PAGE_TITLES["packs"])
        for n, page in enumerate(PAGES):
            self.tabs.setTabToolTip(n, f"{PAGE_TITLES[page]} (Alt+{n + 1})")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.setSpacing(8)
        layout.addLayout(title_row)
        layout.addLayout(choose)
        layout.addWidget(self.state_label)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.tabs, 1)

        screen_shortcuts(
            self,
            [
                (SHORTCUTS["draw"], self.draw_again),
                (SHORTCUTS["remove"], self.remove_line),
                (SHORTCUTS["add"], self.add_offender),
                (SHORTCUTS["undo"], self.undo_change),
                (SHORTCUTS["generate"], self.generate),
                (SHORTCUTS["reprint"], self.reprint_chosen),
                (SHORTCUTS["findings"], self.findings_for_chosen),
                (SHORTCUTS["save"], self.form.submit),
                (SHORTCUTS["open"], self.open_chosen),
                (Qt.Key.Key_F5, self.reload),
                *((f"Alt+{n + 1}", lambda n=n: self.show_page(PAGES[n])) for n in range(4)),
            ],
        )
        tab_chain(
            self,
            [
                self.team_box,
                self.fortnight_box,
                self.seed_box,
                self.draw_button,
                self.tabs.tabBar(),
                self.show_printed_button,
                self.printed_findings_button,
                self.sample_table,
                self.remove_button,
                self.add_button,
                self.changes_table,
                self.undo_button,
                self.generate_button,
                self.preview.open_button,
                self.preview.save_button,
                self.preview.print_button,
                self.items_table,
                *self.form.focus_chain(),
                self.packs_table,
                self.reprint_button,
                self.packs_findings_button,
                self.refresh_button,
            ],
        )
        self.setFocusProxy(self.sample_table)
        self._enable()

    # -- pages ------------------------------------------------------------------------------------

    def _sample_page(self) -> QWidget:
        self.drawn_label = _label("About the sample", "countLabel")
        self.method_label = _label("How the sample is drawn", "mutedText")
        self.printed_label = _label("The fortnight's printed pack", "formMessage")
        self.show_printed_button = _button(
            "&Show the printed pack",
            "Show the printed pack",
            "Show the pack as printed, to read or print again",
            self.show_printed,
        )
        self.printed_findings_button = _button(
            "Enter &findings",
            "Enter findings for the printed pack",
            "Enter the findings of the printed pack's records",
            lambda: (
                self.sample is not None
                and self.sample.printed is not None
                and self.open_findings(self.sample.printed.pack_id)
            ),
        )
        printed_row = QHBoxLayout()
        printed_row.addWidget(self.printed_label, 1)
        printed_row.addWidget(self.show_printed_button)
        printed_row.addWidget(self.printed_findings_button)
        self.printed_box = QWidget()
        self.printed_box.setLayout(printed_row)
        printed_row.setContentsMargins(0, 0, 0, 0)
        self.printed_box.hide()

        self.sample_table = RowsTable(texts.SAMPLE_COLUMNS, "Sample")
        self.sample_table.setAccessibleDescription(
            "The records of the pack. Ctrl+Delete removes the chosen one, Enter opens it."
        )
        self.sample_table.activated.connect(lambda _i: self.open_chosen())
        self.remove_button = _button(
            "&Remove from the sample…",
            "Remove from the sample",
            f"Remove the chosen record from the sample, with a reason ({SHORTCUTS['remove']})",
            self.remove_line,
        )
        self.add_button = _button(
            "&Add an offender…",
            "Add an offender",
            f"Add an offender of the team to the sample, with a reason ({SHORTCUTS['add']})",
            self.add_offender,
        )
        self.generate_button = _button(
            "&Generate pack",
            "Generate pack",
            f"Save the pack and print it to PDF ({SHORTCUTS['generate']})",
            self.generate,
        )
        self.generate_button.setObjectName("primaryButton")
        sample_buttons = QHBoxLayout()
        sample_buttons.addWidget(self.remove_button)
        sample_buttons.addWidget(self.add_button)
        sample_buttons.addStretch(1)
        sample_buttons.addWidget(self.generate_button)

        changes_title = QLabel("Your changes to the sample, with their reasons")
        changes_title.setObjectName("factCaption")
        self.changes_table = RowsTable(
            texts.CHANGE_COLUMNS, "Changes to the sample", fit_rows=(1, 5)
        )
        self.no_changes = _label("No changes", "mutedText", "None: the pack is the sample drawn.")
        self.undo_button = _button(
            "&Undo change",
            "Undo change",
            f"Put the chosen change back as drawn ({SHORTCUTS['undo']})",
            self.undo_change,
        )
        changes_row = QHBoxLayout()
        changes_row.addWidget(self.no_changes, 1)
        changes_row.addStretch(1)
        changes_row.addWidget(self.undo_button)

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.printed_box)
        layout.addWidget(self.drawn_label)
        layout.addWidget(self.sample_table, 1)
        layout.addLayout(sample_buttons)
        layout.addWidget(changes_title)
        layout.addWidget(self.changes_table)
        layout.addLayout(changes_row)
        layout.addWidget(self.method_label)
        return page

    def _findings_page(self) -> QWidget:
        self.pack_label = _label("The pack reviewed", "countLabel", "No pack chosen.")
        self.items_table = RowsTable(
            texts.ITEM_COLUMNS, "Records of the pack", stretch=texts.ITEM_COLUMNS.index("Offender")
        )
        self.items_table.setAccessibleDescription("Enter opens the chosen record")
        self.items_table.selectionModel().currentRowChanged.connect(
            lambda current, previous: self._item_chosen(current.row(), previous.row())
        )
        self.items_table.activated.connect(lambda _i: self.open_chosen())
        self.form = FindingsForm(self.ctx)
        self.form.saved.connect(self._finding_saved)
        self.form.open_requested.connect(self.open_record)
        scroll = QScrollArea()
        scroll.setWidget(self.form)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setAccessibleName("Findings of the chosen record")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.items_table)
        split.addWidget(scroll)
        split.setChildrenCollapsible(False)
        split.setStretchFactor(1, 1)
        split.setSizes([580, 620])
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.pack_label)
        layout.addWidget(split, 1)
        return page

    def _packs_page(self) -> QWidget:
        self.packs_table = RowsTable(texts.PACK_COLUMNS, "Past packs", stretch=1)
        self.packs_table.setAccessibleDescription("Enter shows the chosen pack as printed")
        self.packs_table.activated.connect(lambda _i: self.reprint_chosen())
        self.packs_table.selectionModel().currentRowChanged.connect(lambda *_: self._enable())
        self.no_packs = _label("No packs", "mutedText", "No packs yet for this team.")
        self.reprint_button = _button(
            "Re&print",
            "Reprint",
            f"Show the chosen pack exactly as it was printed ({SHORTCUTS['reprint']})",
            self.reprint_chosen,
        )
        self.packs_findings_button = _button(
            "Enter f&indings",
            "Enter findings for the chosen pack",
            f"Enter the findings of the chosen pack's records ({SHORTCUTS['findings']})",
            self.findings_for_chosen,
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.no_packs, 1)
        buttons.addStretch(1)
        buttons.addWidget(self.reprint_button)
        buttons.addWidget(self.packs_findings_button)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.packs_table, 1)
        layout.addLayout(buttons)
        return page

    def show_page(self, page: str) -> None:
        self.tabs.setCurrentIndex(PAGES.index(page))

    @property
    def page(self) -> str:
        return PAGES[self.tabs.currentIndex()]

    # -- loading ----------------------------------------------------------------------------------

    @property
    def team_id(self) -> int | None:
        data = self.team_box.currentData()
        return int(data) if data is not None else None

    @property
    def ending(self) -> dt.date:
        return self.endings[max(0, self.fortnight_box.currentIndex())]

    def choose_fortnight(self, ending: dt.date) -> None:
        """Choose the fortnight ending on `ending` (one of those offered)."""
        self.fortnight_box.setCurrentIndex(self.endings.index(ending))

    def activate(self) -> None:
        """Called when the screen is shown: the first time, draw the sample and load the packs."""
        if not self._started:
            self._started = True
            self.reload()

    def reload(self) -> None:
        self._started = True
        self.draw(keep_seed=True)
        self.load_packs()

    def _chooser_changed(self) -> None:
        if self._started:
            self.draw()
            self.load_packs()

    def draw_again(self) -> None:
        if self.working:
            return
        self.draw(keep_seed=True)

    def draw(self, *, keep_seed: bool = False) -> None:
        """Draw the sample of the team and fortnight chosen; with `keep_seed`, with the seed in
        the box (else the fortnight's own)."""
        team_id = self.team_id
        if team_id is None:
            self._no_team()
            return
        self._draw_token += 1
        token = self._draw_token
        seed = self.seed_box.value() if keep_seed and self.sample is not None else None
        self.drawn_label.setText("Drawing the sample…")
        self.ctx.runner.run(
            self.ctx.svc.scrutiny.draw,
            self.ctx.officer,
            team_id,
            self.ending,
            seed,
            on_result=lambda sample: self._drawn(token, sample),
            on_error=lambda exc: self._draw_failed(token, exc),
            owner=self,
        )

    def _no_team(self) -> None:
        self.show_state(
            "Peer-scrutiny packs are drawn, printed and reviewed by a team's own team manager, "
            "and you are not in a team. Nothing was changed.",
            "alert",
        )
        self.drawn_label.setText("Nothing to show.")

    def _drawn(self, token: int, sample: Sample) -> None:
        if token != self._draw_token:
            return
        changed_fortnight = self.sample is None or (
            (self.sample.team_id, self.sample.fortnight_ending)
            != (sample.team_id, sample.fortnight_ending)
        )
        in_sample = {line.offender_id for line in sample.lines}
        dropped = [i for i in self.removed if i not in in_sample]
        dropped += [i for i in self.added if i in in_sample]
        if changed_fortnight or sample.printed is not None:
            dropped = [*self.removed, *self.added]
        for offender_id in dropped:
            self.removed.pop(offender_id, None)
            self.added.pop(offender_id, None)
        self.problems = {}
        self.sample = sample
        self.seed_box.setValue(sample.seed)
        if self._draw_refused:
            self.state_label.hide()
            self._draw_refused = False
        if dropped and not changed_fortnight and sample.printed is None:
            self.show_state(
                f"{plural(len(dropped), 'change')} no longer applied to the sample drawn again "
                "and went; the others are kept.",
                "info",
            )
        self.render_sample()
        self.drawn.emit()

    def _draw_failed(self, token: int, exc: BaseException) -> None:
        if token != self._draw_token:
            return
        self.sample = None
        self.render_sample()
        text = error_text(exc)
        self.drawn_label.setText("Nothing to show.")
        self.show_state(text, "alert")
        self._draw_refused = True
        self.failed.emit(text)

    def load_packs(self) -> None:
        team_id = self.team_id
        if team_id is None:
            return
        self.ctx.runner.run(
            self.ctx.svc.scrutiny.packs,
            self.ctx.officer,
            team_id,
            on_result=self._packs_arrived,
            on_error=self._packs_failed,
            owner=self,
        )

    def _packs_arrived(self, packs: list[PackSummary]) -> None:
        chosen = self.chosen_pack()
        self.packs = list(packs)
        self.packs_table.set_rows(
            [texts.pack_row(p) for p in self.packs], [p.pack_id for p in self.packs]
        )
        ids = [p.pack_id for p in self.packs]
        if chosen is not None and chosen.pack_id in ids:
            self.packs_table.selectRow(ids.index(chosen.pack_id))
        elif self.packs:
            self.packs_table.selectRow(0)
        self.no_packs.setVisible(not self.packs)
        self._enable()
        self.packs_loaded.emit()

    def _packs_failed(self, exc: BaseException) -> None:
        self.packs = []
        self.packs_table.set_rows([])
        self.no_packs.setText(f"The packs could not be loaded. {error_text(exc)}")
        self.no_packs.show()
        self._enable()

    # -- the sample -------------------------------------------------------------------------------

    def render_sample(self) -> None:
        sample = self.sample
        rows: list[list[Any]] = []
        keys: list[int] = []
        chosen = self.sample_table.current_key() if self.sample_table.rows.rowCount() else None
        if sample is not None:
            for line in sample.lines:
                if line.offender_id not in self.removed:
                    rows.append(texts.sample_row(line))
                    keys.append(line.offender_id)
            for row, reason in self.added.values():
                rows.append(
                    texts.added_row(row.reference, row.name, row.manager, row.risk_level, reason)
                )
                keys.append(row.offender_id)
        self.sample_table.set_rows(rows, keys)
        if chosen in keys:
            self.sample_table.selectRow(keys.index(chosen))
        elif keys:
            self.sample_table.selectRow(0)
        self._render_changes()
        if sample is None:
            self.summary.setText("")
            self.method_label.setText("")
            self.printed_box.hide()
            self._enable()
            return
        self.summary.setText(
            f"{sample.team_name} team, {texts.period(sample.fortnight_ending)}: "
            f"{plural(len(keys), 'record')} in the pack."
        )
        drawn = (
            f"{plural(len(sample.lines), 'record')} drawn from "
            f"{plural(sample.candidates, 'record')} of {sample.team_name} team in the community "
            f"on {fmt_date(sample.fortnight_ending)}, with seed {sample.seed}."
        )
        if sample.printed is not None:
            drawn = f"The sample as drawn now (the printed pack is what was reviewed): {drawn}"
        self.drawn_label.setText(drawn)
        self.method_label.setText(f"How the sample is drawn: {sample.method_text}")
        printed = sample.printed
        self.printed_box.setVisible(printed is not None)
        if printed is not None:
            self.printed_label.setText(
                f"The {printed.team_name} team pack for this fortnight was printed "
                f"{texts.printed_text(printed)}; a printed pack is never changed. Show it to "
                "read or print it again, or enter its findings."
            )
        self._enable()

    def _render_changes(self) -> None:
        sample = self.sample
        lines = {line.offender_id: line for line in sample.lines} if sample else {}
        rows = []
        keys: list[tuple[str, int]] = []
        for offender_id, reason in self.removed.items():
            line = lines.get(offender_id)
            reference, name = (line.reference, line.name) if line else ("", "")
            problem = self.problems.get(f"remove:{offender_id}", "")
            rows.append(texts.change_row("Removed", reference, name, reason, problem))
            keys.append(("remove", offender_id))
        for offender_id, (row, reason) in self.added.items():
            problem = self.problems.get(f"add:{offender_id}", "")
            rows.append(texts.change_row("Added", row.reference, row.name, reason, problem))
            keys.append(("add", offender_id))
        self.changes_table.set_rows(rows, keys)
        if keys:
            self.changes_table.selectRow(len(keys) - 1)
        self.changes_table.setVisible(bool(keys))
        self.no_changes.setVisible(not keys)

    def chosen_line(self) -> SampleLine | None:
        if self.sample is None or not self.sample_table.rows.rowCount():
            return None
        key = self.sample_table.current_key()
        return next((line for line in self.sample.lines if line.offender_id == key), None)

    def remove_line(self) -> None:
        """Remove the chosen line, with a reason; an added offender is simply taken out again."""
        if not self.remove_button.isEnabled() or self.dialog is not None:
            return
        key = self.sample_table.current_key() if self.sample_table.rows.rowCount() else None
        if key in self.added:
            self._undo(("add", key))
            return
        line = self.chosen_line()
        if line is None:
            return
        dialog = RemoveDialog(self.ctx, line, self.removed.get(line.offender_id, ""), self)
        dialog.saved.connect(lambda reason, i=line.offender_id: self._removed(i, reason))
        self._open_dialog(dialog)

    def _removed(self, offender_id: int, reason: str) -> None:
        self.removed[offender_id] = reason
        self.problems.pop(f"remove:{offender_id}", None)
        self.render_sample()
        self.announce(f"Removed from the sample, with your reason: {self._ref(offender_id)}.")

    def add_offender(self) -> None:
        """Add an offender of the team: the team's records are loaded once, in the background."""
        if not self.add_button.isEnabled() or self.dialog is not None:
            return
        if self.offenders is None:
            self.add_button.setEnabled(False)
            self.show_state("Loading the team's offenders…", "info")
            self.ctx.runner.run(
                self.ctx.svc.caseload.load,
                self.ctx.officer,
                "team",
                on_result=self._offenders_arrived,
                on_error=self._offenders_failed,
                owner=self,
            )
            return
        assert self.sample is not None
        taken = {line.offender_id for line in self.sample.lines} | set(self.added)
        dialog = AddDialog(
            self.ctx,
            self.sample.team_name,
            [r for r in self.offenders if r.offender_id not in taken],
            self,
        )
        dialog.saved.connect(lambda value: self._added(*value))
        self._open_dialog(dialog)

    def _offenders_arrived(self, caseload: Any) -> None:
        self.offenders = list(caseload.rows)
        self.state_label.hide()
        self._enable()
        self.add_offender()

    def _offenders_failed(self, exc: BaseException) -> None:
        self._enable()
        self.show_state(f"The team's offenders could not be loaded. {error_text(exc)}", "alert")

    def _added(self, row: CaseloadRow, reason: str) -> None:
        self.added[row.offender_id] = (row, reason)
        self.render_sample()
        self.announce(f"Added to the sample, with your reason: {row.reference} {row.name}.")

    def undo_change(self) -> None:
        if not self.undo_button.isEnabled():
            return
        key = self.changes_table.current_key() if self.changes_table.rows.rowCount() else None
        if key is not None:
            self._undo(key)

    def _undo(self, key: tuple[str, int]) -> None:
        kind, offender_id = key
        (self.removed if kind == "remove" else self.added).pop(offender_id, None)
        self.problems.pop(f"{kind}:{offender_id}", None)
        self.render_sample()

    def _ref(self, offender_id: int) -> str:
        lines = self.sample.lines if self.sample is not None else ()
        line = next((x for x in lines if x.offender_id == offender_id), None)
        return f"{line.reference} {line.name}" if line else str(offender_id)

    def _open_dialog(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda _r, d=dialog: self._dialog_closed(d))
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    # -- generating and reprinting ----------------------------------------------------------------

    def generate(self) -> None:
        """Save the pack as shown and print it, in the background, with progress."""
        sample = self.sample
        if sample is None or not self.generate_button.isEnabled():
            return
        self.problems = {}
        self._render_changes()
        self._start_work("Saving the pack…")
        self.ctx.runner.run(
            generate_pack,
            self.ctx.svc,
            self.ctx.officer,
            sample.team_id,
            sample.fortnight_ending,
            sample.seed,
            [Adjustment(i, reason) for i, reason in self.removed.items()],
            [Adjustment(i, reason) for i, (_row, reason) in self.added.items()],
            self.relay.progressed.emit,
            on_result=self._generated,
            on_error=self._generate_failed,
            owner=self,
        )

    def _generated(self, result: tuple[int, bytes]) -> None:
        pack_id, pdf = result
        sample = self.sample
        self._end_work()
        self.removed.clear()
        self.added.clear()
        team = sample.team_name if sample else ""
        ending = sample.fortnight_ending if sample else self.ending
        self._show_pdf(pdf, texts.pack_file_name(team, ending))
        self.announce(
            f"The {team} team pack for the {texts.period(ending)} is printed: "
            f"{plural(self.preview.page_count, 'page')}. Read it, then enter the findings."
        )
        self.draw()
        self.load_packs()
        self.load_pack(pack_id)

    def _generate_failed(self, exc: BaseException) -> None:
        self._end_work()
        if isinstance(exc, ValidationFailed):
            self.problems = {e.field: e.message for e in exc.errors}
            self._render_changes()
            self.show_state(
                "The pack was not saved: "
                + " ".join(dict.fromkeys(e.message for e in exc.errors))
                + " Your changes are kept below.",
                "alert",
            )
            return
        text = error_text(exc)
        self.show_state(text, "alert")
        self.failed.emit(text)
        self.draw(keep_seed=True)
        self.load_packs()

    def show_printed(self) -> None:
        if self.sample is not None and self.sample.printed is not None:
            self.reprint(self.sample.printed.pack_id)

    def chosen_pack(self) -> PackSummary | None:
        if not self.packs:
            return None
        key = self.packs_table.current_key()
        return next((p for p in self.packs if p.pack_id == key), None)

    def reprint_chosen(self) -> None:
        pack = self.chosen_pack()
        if pack is not None and self.reprint_button.isEnabled():
            self.reprint(pack.pack_id)

    def reprint(self, pack_id: int) -> None:
        """The pack's PDF in the preview: the bytes kept at its first print (or its first print,
        for a pack saved but never printed)."""
        if self.working:
            return
        summary = next((p for p in self.packs if p.pack_id == pack_id), None)
        self._start_work("Fetching the printed pack…")
        self.ctx.runner.run(
            self.ctx.svc.scrutiny.print_pack,
            self.ctx.officer,
            pack_id,
            self.relay.progressed.emit,
            on_result=lambda pdf, s=summary: self._reprinted(s, pdf),
            on_error=self._reprint_failed,
            owner=self,
        )

    def _reprinted(self, summary: PackSummary | None, pdf: bytes) -> None:
        self._end_work()
        name = (
            texts.pack_file_name(summary.team_name, summary.fortnight_ending)
            if summary
            else "scrutiny-pack.pdf"
        )
        self._show_pdf(pdf, name)
        if summary is not None:
            self.announce(
                f"The pack for the {texts.period(summary.fortnight_ending)} as printed "
                f"{texts.printed_text(summary)}."
                if summary.printed_at
                else f"The pack for the {texts.period(summary.fortnight_ending)} is printed."
            )
        self.load_packs()

    def _reprint_failed(self, exc: BaseException) -> None:
        self._end_work()
        text = error_text(exc)
        self.show_state(text, "alert")
        self.failed.emit(text)

    def _show_pdf(self, pdf: bytes, name: str) -> None:
        self.preview.show_pdf(pdf, name)
        self.show_page("pack")
        self.preview.view.setFocus()
        self.pdf_shown.emit()

    def _start_work(self, text: str) -> None:
        self.working = True
        self.progress.setRange(0, 0)  # busy until the first record is done
        self.progress_label.setText(text)
        self.progress_row.show()
        self._enable()

    def _progressed(self, done: int, total: int) -> None:
        if not self.working or total <= 0:
            return
        self.progress_label.setText(f"Record {done} of {total}")
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _end_work(self) -> None:
        self.working = False
        self.progress_row.hide()
        self._enable()

    @property
    def progress_text(self) -> str:
        return self.progress_label.text() if not self.progress_row.isHidden() else ""

    # -- findings ---------------------------------------------------------------------------------

    def findings_for_chosen(self) -> None:
        pack = self.chosen_pack()
        if pack is not None and self.packs_findings_button.isEnabled():
            self.open_findings(pack.pack_id)

    def open_findings(self, pack_id: int) -> bool:
        self.show_page("findings")
        self.load_pack(pack_id)
        return True

    def load_pack(self, pack_id: int, keep_item: int | None = None) -> None:
        self.pack_label.setText("Loading the pack…")
        self.ctx.runner.run(
            self.ctx.svc.scrutiny.pack,
            self.ctx.officer,
            pack_id,
            on_result=lambda view: self._pack_arrived(view, keep_item),
            on_error=self._pack_failed,
            owner=self,
        )

    def _pack_arrived(self, view: PackView, keep_item: int | None) -> None:
        if self.form.dirty and self.pack_view is not None and self.form.item is not None:
            keep_item = self.form.item.item_id  # never lose what is typed to a reload
            if self.pack_view.summary.pack_id == view.summary.pack_id:
                self.pack_view = view
                self._render_items(keep_item, refill=False)
                self.pack_loaded.emit()
                return
        self.pack_view = view
        self._render_items(keep_item)
        self.pack_loaded.emit()

    def _pack_failed(self, exc: BaseException) -> None:
        text = error_text(exc)
        self.pack_label.setText(f"The pack could not be loaded. {text}")
        self.failed.emit(text)

    def _render_items(self, keep_item: int | None = None, *, refill: bool = True) -> None:
        view = self.pack_view
        if view is None:
            return
        summary = view.summary
        self.pack_label.setText(
            texts.pack_heading(summary)
            + ("" if summary.printed_at else " Print it before entering findings.")
        )
        set_tone(self.pack_label, "" if summary.printed_at else "warn")
        ids = [item.item_id for item in view.items]
        self._choosing = True
        try:
            self.items_table.set_rows([texts.item_row(i) for i in view.items], ids)
            if keep_item in ids:
                self.items_table.selectRow(ids.index(keep_item))
            elif ids:
                self.items_table.selectRow(0)
        finally:
            self._choosing = False
        if refill:
            self.form.show_item(self.chosen_item(), summary.pack_id)

    def chosen_item(self) -> ItemView | None:
        if self.pack_view is None or not self.items_table.rows.rowCount():
            return None
        key = self.items_table.current_key()
        return next((i for i in self.pack_view.items if i.item_id == key), None)

    def choose_item(self, offender_id: int) -> bool:
        """Choose the pack's record of `offender_id` (for tests and the keyboard)."""
        if self.pack_view is None:
            return False
        ids = [i.offender_id for i in self.pack_view.items]
        if offender_id not in ids:
            return False
        self.items_table.selectRow(ids.index(offender_id))
        return True

    def _item_chosen(self, row: int, previous: int) -> None:
        if self._choosing or self.pack_view is None:
            return
        item = self.chosen_item()
        shown = self.form.item
        if item is None or (shown is not None and item.item_id == shown.item_id):
            return
        if self.form.dirty and shown is not None:
            answer = QMessageBox.question(
                self,
                "Findings not saved",
                f"The findings typed for {shown.reference} {shown.name} are not saved. "
                "Leave them unsaved?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                self._choosing = True
                try:
                    self.items_table.selectRow(max(previous, 0))
                finally:
                    self._choosing = False
                return
        self.form.show_item(item, self.pack_view.summary.pack_id)

    def _finding_saved(self, saved: ItemView) -> None:
        view = self.pack_view
        if view is None:
            return
        items = tuple(saved if i.item_id == saved.item_id else i for i in view.items)
        summary = dataclasses.replace(
            view.summary, reviewed=sum(1 for i in items if i.reviewed_at is not None)
        )
        self.pack_view = dataclasses.replace(view, items=items, summary=summary)
        self._render_items(saved.item_id, refill=False)
        self.load_packs()

    def open_chosen(self) -> None:
        """Open the record chosen on the page shown."""
        if self.page == "findings":
            item = self.chosen_item()
            if item is not None:
                self.open_record.emit(item.offender_id)
        elif self.page == "sample" and self.sample_table.rows.rowCount():
            self.open_record.emit(int(self.sample_table.current_key()))

    # -- state ------------------------------------------------------------------------------------

    def _enable(self) -> None:
        sample = self.sample
        can_change = sample is not None and sample.printed is None and not self.working
        chosen = self.sample_table.rows.rowCount() > 0
        self.remove_button.setEnabled(can_change and chosen)
        self.add_button.setEnabled(can_change)
        self.undo_button.setEnabled(can_change and bool(self.removed or self.added))
        self.generate_button.setEnabled(can_change and chosen)
        self.generate_button.setToolTip(
            "This fortnight's pack is printed; a printed pack is never changed."
            if sample is not None and sample.printed is not None
            else f"Save the pack and print it to PDF ({SHORTCUTS['generate']})"
        )
        self.draw_button.setEnabled(not self.working and self.team_id is not None)
        self.fortnight_box.setEnabled(not self.working)
        self.team_box.setEnabled(not self.working and self.team_box.count() > 1)
        self.show_printed_button.setEnabled(not self.working)
        pack = self.chosen_pack()
        self.reprint_button.setEnabled(pack is not None and not self.working)
        self.reprint_button.setText("Re&print" if pack is None or pack.printed_at else "&Print")
        self.packs_findings_button.setEnabled(pack is not None and pack.printed_at is not None)

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
