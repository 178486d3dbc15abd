"""The smaller risk dialogs: recording an RM2000 (with the categories worked out live as the scores
are typed) and changing the MAPPA category and level with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from desktop.rules.risk import AGGRAVATING_MAX, rm2000_result
from ui.context import AppContext
from ui.record.dialogs import EditDialog, FieldSpec
from ui.widgets.dates import fmt_date
from ui.widgets.forms import set_tone
from ui.widgets.labels import MAPPA_CATEGORIES, risk_label

if TYPE_CHECKING:
    from desktop.services.records import OffenderRecord


class Rm2000Dialog(EditDialog):
    """Scores typed as whole numbers; the categories below follow each keystroke
    (`desktop.rules.risk.rm2000_result`), and the services check what is saved."""

    what = "RM2000 assessment"
    fields = (
        FieldSpec("assessed_on", "Assessed on", kind="date", required=True),
        FieldSpec("sexual", "Sexual score", required=True, hint="A whole number, 0 or more"),
        FieldSpec("violent", "Violent score", required=True, hint="A whole number, 0 or more"),
        FieldSpec(
            "aggravating",
            "Aggravating factors",
            required=True,
            hint=f"How many, 0 to {AGGRAVATING_MAX}",
        ),
    )

    def __init__(
        self, ctx: AppContext, record: OffenderRecord, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, record, parent)
        self.setWindowTitle(f"RM2000: {record.name} ({record.reference})")
        self.intro.setText(
            "Categories: score 0–1 low, 2–3 medium, 4–5 high, 6 or more very high. Two "
            "aggravating factors raise the sexual and combined categories one level, four raise "
            "them two. Recording an RM2000 sends it to the sergeant to check the scoring."
        )
        self.save_button.setText("Record and &submit")
        self.save_button.setAccessibleName("Record and submit")
        for name in ("sexual", "violent", "aggravating"):
            line = self.inputs[name]
            assert isinstance(line, QLineEdit)
            line.setMaxLength(3)
            line.textChanged.connect(self._update_preview)
        self._update_preview()

    def add_body(self, layout: QVBoxLayout, form: QFormLayout) -> None:
        layout.addLayout(form)
        self.preview = QLabel()
        self.preview.setObjectName("rm2000Preview")
        self.preview.setWordWrap(True)
        self.preview.setAccessibleName("RM2000 categories")
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.preview)

    def _update_preview(self) -> None:
        scores = []
        for name in ("sexual", "violent", "aggravating"):
            text = self.value(name).strip()
            scores.append(int(text) if text.isascii() and text.isdigit() else None)
        sexual, violent, aggravating = scores
        if None in scores:
            missing = [
                self.field_label(n).lower()
                for n, v in zip(("sexual", "violent", "aggravating"), scores, strict=True)
                if v is None
            ]
            self.preview.setText(
                "The categories appear here when the "
                + " and ".join(missing)
                + (" are" if len(missing) > 1 else " is")
                + " typed as whole numbers."
            )
            set_tone(self.preview, "")
            return
        assert sexual is not None and violent is not None and aggravating is not None
        try:
            result = rm2000_result(sexual, violent, aggravating)
        except ValueError:
            self.preview.setText(
                f"Aggravating factors are counted from 0 to {AGGRAVATING_MAX}; the categories "
                "appear when the count is one of those."
            )
            set_tone(self.preview, "warn")
            return
        self.preview.setText(
            f"Sexual category: {risk_label(result.sexual_category)}\n"
            f"Violent category: {risk_label(result.violent_category)}\n"
            f"Combined score {result.combined_score}: "
            f"{risk_label(result.combined_category)} (the RM2000 level recorded)"
        )
        set_tone(self.preview, "alert" if result.combined_category == "very_high" else "")

    def fill(self, record: OffenderRecord) -> None:
        self.set_value("assessed_on", fmt_date(record.on))

    def save_job(self) -> Callable[[], OffenderRecord]:
        from desktop.services.assessments import Rm2000Edit

        edit = Rm2000Edit(**self.typed())
        svc, actor, offender_id = self.ctx.svc, self.ctx.officer, self.offender_id

        def job() -> OffenderRecord:
            svc.assessments.save_rm2000(actor, offender_id, edit)
            return svc.records.open(actor, offender_id)

        return job


class MappaDialog(EditDialog):
    what = "MAPPA"
    fields = (
        FieldSpec(
            "category",
            "MAPPA category",
            kind="choice",
            choices=tuple((str(k), f"{k}: {v}") for k, v in MAPPA_CATEGORIES.items()),
        ),
        FieldSpec(
            "level",
            "MAPPA level",
            kind="choice",
            choices=(
                ("1", "1: ordinary agency management"),
                ("2", "2: multi-agency management"),
                ("3", "3: multi-agency, senior oversight"),
            ),
        ),
        FieldSpec(
            "reason",
            "Reason for the change",
            kind="text",
            required=True,
            hint="Why, and on whose decision (for example the MAPPA meeting)",
        ),
    )

    def __init__(
        self, ctx: AppContext, record: OffenderRecord, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, record, parent)
        self.setWindowTitle(f"Change MAPPA: {record.name} ({record.reference})")
        self.intro.setText(
            f"Now category {record.mappa_category}, level {record.mappa_level}. The change, who "
            "made it and the reason are kept in the MAPPA history."
        )

    def fill(self, record: OffenderRecord) -> None:
        self.version = record.version
        self.set_value("category", str(record.mappa_category))
        self.set_value("level", str(record.mappa_level))

    def save_job(self) -> Callable[[], OffenderRecord]:
        typed = self.typed()
        svc, actor, offender_id, version = (
            self.ctx.svc,
            self.ctx.officer,
            self.offender_id,
            self.version,
        )

        def job() -> OffenderRecord:
            svc.mappa.change(
                actor, offender_id, version, typed["category"], typed["level"], typed["reason"]
            )
            return svc.records.open(actor, offender_id)

        return job
