"""The record's PPN tab: the offender's public protection notices, newest concern first, with
raising one and the steps that follow (edit the draft, submit it, record the MASH review, record
children's social care's decision). DESIGN section 3, "PPNs"; issue #7.

The PPNs come from `services.ppns.for_offender` in the background each time the record is shown;
after a dialog saves, the tab emits `changed` and the window loads the record again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ui.context import AppContext
from ui.safeguarding import texts
from ui.safeguarding.dialogs import PpnForm, RaisePpnDialog, action_dialog
from ui.safeguarding.model import GradeChipDelegate
from ui.widgets.forms import set_tone
from ui.widgets.labels import plural
from ui.widgets.messages import error_text
from ui.widgets.tables import RowsTable

if TYPE_CHECKING:
    from desktop.services.ppns import PpnSummary
    from desktop.services.records import OffenderRecord

COLUMNS = ("Grade", "Stage", "Concern", "Concern noticed", "Raised by", "Next step")
BUTTONS = {
    "raise": ("R&aise PPN…", "Raise a public protection notice for this offender"),
    "edit": ("&Edit…", "Edit the chosen draft PPN"),
    "submit": ("S&ubmit…", "Record the chosen PPN as submitted"),
    "mash": ("Record &MASH review…", "Record what the MASH decided"),
    "decision": ("Record &decision…", "Record children's social care's decision"),
}


class PpnsTab(QWidget):
    """Emits `changed` after a PPN was raised or moved on here; `loaded` when the PPNs arrive;
    `dialog_opened(dialog)` with each dialog it opens."""

    changed = Signal()
    loaded = Signal()
    dialog_opened = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.record: OffenderRecord | None = None
        self.ppns: list[PpnSummary] = []
        self.dialog: QDialog | None = None
        self._token = 0

        self.caption = QLabel("Loading the PPNs…")
        self.caption.setWordWrap(True)
        self.caption.setAccessibleName("PPNs summary")
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for key, (text, tip) in BUTTONS.items():
            button = QPushButton(text)
            button.setAccessibleName(text.replace("&", "").rstrip("…"))
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, k=key: self.act(k))
            self.buttons[key] = button
            row.addWidget(button)
        row.addStretch(1)
        self.table = RowsTable(COLUMNS, "PPNs", widest=320)  # the next step takes what is left
        self.table.setItemDelegateForColumn(0, GradeChipDelegate(self.table))
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.update_buttons())
        self.table.activated.connect(lambda _i: self._default_action())
        self.why = QLabel()
        self.why.setObjectName("mutedText")
        self.why.setWordWrap(True)
        self.why.setAccessibleName("Why some actions are not available")

        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addLayout(row)
        layout.addWidget(self.why)
        layout.addWidget(self.table, 1)
        self.update_buttons()

    # -- loading ----------------------------------------------------------------------------------

    def show_record(self, record: OffenderRecord) -> None:
        self.record = record
        self._token += 1
        token = self._token
        self.ctx.runner.run(
            self.ctx.svc.ppns.for_offender,
            self.ctx.officer,
            record.offender_id,
            on_result=lambda ppns: self._arrived(token, ppns),
            on_error=lambda exc: self._failed(token, exc),
            owner=self,
        )

    def _arrived(self, token: int, ppns: list[PpnSummary]) -> None:
        if token != self._token:
            return
        current = self.current()
        keep = current.ppn_id if current is not None else None
        self.ppns = list(ppns)
        self.table.set_rows([texts.record_row(p) for p in self.ppns], [p.ppn_id for p in ppns])
        ids = [p.ppn_id for p in self.ppns]
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        elif ids:
            self.table.selectRow(0)
        late = sum(1 for p in self.ppns if p.late)
        open_ = sum(1 for p in self.ppns if p.stage != "closed")
        text = f"{plural(len(self.ppns), 'PPN')} (public protection notices), {open_} open"
        self.caption.setText(text + (f", {late} LATE." if late else "."))
        set_tone(self.caption, "alert" if late else "")
        self.update_buttons()
        self.loaded.emit()

    def _failed(self, token: int, exc: BaseException) -> None:
        if token == self._token:
            self.ppns = []
            self.table.set_rows([])
            self.caption.setText(f"The PPNs could not be loaded. {error_text(exc)}")
            set_tone(self.caption, "alert")
            self.update_buttons()
            self.loaded.emit()

    # -- acting -----------------------------------------------------------------------------------

    def current(self) -> PpnSummary | None:
        key = self.table.current_key() if self.ppns else None
        return next((p for p in self.ppns if p.ppn_id == key), None)

    def update_buttons(self) -> None:
        p = self.current()
        free = self.dialog is None
        can_raise = self.record is not None and self.record.can_edit
        self.buttons["raise"].setEnabled(can_raise and free)
        self.buttons["raise"].setToolTip(
            BUTTONS["raise"][1] if can_raise else "You can read this record but not change it."
        )
        reasons = []
        for key in texts.ACTIONS:
            ok, why = texts.available(p, key)
            self.buttons[key].setEnabled(ok and free)
            self.buttons[key].setToolTip(BUTTONS[key][1] if ok else why)
            if not ok and p is not None and why not in reasons:
                reasons.append(why)
        stuck = p is not None and not any(texts.available(p, k)[0] for k in texts.ACTIONS)
        self.why.setText(" ".join(reasons) if stuck else "")
        self.why.setVisible(stuck)

    def _default_action(self) -> None:
        """Enter on a PPN does the next step its stage allows."""
        p = self.current()
        for key in texts.ACTIONS[1:]:
            if texts.available(p, key)[0]:
                self.act(key)
                return

    def act(self, action: str) -> None:
        """`action`: "raise", or one of `texts.ACTIONS` on the chosen PPN."""
        if self.dialog is not None or self.record is None:
            return
        if not self.buttons[action].isEnabled():
            return
        parent = self.window()
        if action == "raise":
            dialog: PpnForm = RaisePpnDialog(self.ctx, self.record.offender_id, parent=parent)
        else:
            p = self.current()
            if p is None:
                return
            dialog = action_dialog(self.ctx, action, p, parent=parent)
        self.dialog = dialog
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda _r, d=dialog: self._closed(d))
        dialog.saved.connect(lambda _v: self.changed.emit())
        dialog.conflicted.connect(self.changed.emit)
        self.update_buttons()
        dialog.open()
        self.dialog_opened.emit(dialog)

    def _closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
            self.update_buttons()
