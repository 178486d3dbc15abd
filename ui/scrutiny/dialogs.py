"""The Scrutiny screen's dialogs: remove a line from the drawn sample, or add an offender of the
team, each with the reason the service requires (`desktop.services.scrutiny`: "a line removed or
an offender of the team added, each with a required reason").

Nothing is saved here: the change joins the list the team manager sees before generating, and
the service checks it again when the pack is saved. The reason is checked as the service checks
it (`desktop.rules.validation.check_text`: required, at most REASON_MAX characters, no bank
details), so a refusal is seen at once, under the field, with what was typed kept."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QLineEdit, QWidget

from desktop.rules.validation import InvalidField, check_text
from desktop.services.errors import FieldError, ValidationFailed
from desktop.services.scrutiny import REASON_MAX
from ui.context import AppContext
from ui.scrutiny import texts
from ui.visits.form import VisitForm
from ui.widgets.labels import plural, risk_label, status_label
from ui.widgets.tables import RowsTable

if TYPE_CHECKING:
    from desktop.services.caseload import CaseloadRow
    from desktop.services.scrutiny import SampleLine

ADD_COLUMNS = ("Reference", "Offender", "Status", "Offender manager", "Risk")


def reason_box() -> QLineEdit:
    box = QLineEdit()
    box.setMaxLength(REASON_MAX)
    box.setPlaceholderText(f"Why, in a sentence (at most {REASON_MAX} characters)")
    return box


class ReasonForm(VisitForm):
    """A form whose OK checks what was typed here and hands it over with `saved`; nothing runs
    in the background."""

    def checked(self) -> Any:
        """The value to hand over; raises ValidationFailed naming the fields."""
        raise NotImplementedError

    def submit(self) -> None:
        self.clear_errors()
        try:
            value = self.checked()
        except ValidationFailed as refused:
            self.show_field_errors(refused)
            self.show_message(
                f"{self.message.text()} Nothing was changed in the sample.", tone="alert"
            )
            return
        self.saved.emit(value)
        self.accept()

    def reason(self, label: str) -> tuple[str, list[FieldError]]:
        try:
            return check_text(
                self.value("reason"), "reason", max_length=REASON_MAX, required=True, label=label
            ), []
        except InvalidField as problem:
            return "", [FieldError(problem.field, problem.message)]


class RemoveDialog(ReasonForm):
    """Remove one line of the sample; `saved(reason)`."""

    save_text = "&Remove from the sample"
    save_name = "Remove from the sample"

    def __init__(
        self, ctx: AppContext, line: SampleLine, reason: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("scrutinyRemoveDialog")
        self.setWindowTitle(f"Remove {line.reference} from the sample")
        self.line = line
        must = (
            " The rule says this record must be included: say why it is left out this time."
            if line.must_include
            else ""
        )
        self.intro.setText(
            f"{line.reference} {line.name} ({texts.manager_text(line.manager)}) is in the sample "
            f"because: {line.reason}.{must} The reason is kept with the pack and in the audit."
        )
        self.intro.setAccessibleName("About this record")
        self.reason_box = self.add_field(
            "reason", "&Reason to remove it", reason_box(), required=True
        )
        self.reason_box.setText(reason)  # type: ignore[attr-defined]

    def checked(self) -> str:
        reason, problems = self.reason("reason to remove it")
        if problems:
            raise ValidationFailed(problems)
        return reason


class AddDialog(ReasonForm):
    """Add an offender of the team (found by name or reference) to the sample;
    `saved((row, reason))`. Offenders already in the sample are not offered."""

    save_text = "&Add to the sample"
    save_name = "Add to the sample"

    def __init__(
        self,
        ctx: AppContext,
        team: str,
        offenders: Sequence[CaseloadRow],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("scrutinyAddDialog")
        self.setMinimumWidth(920)  # room for the offenders' names
        self.setWindowTitle("Add an offender to the sample")
        self.offenders = list(offenders)
        self.shown: list[CaseloadRow] = []
        self.intro.setText(
            f"Add a record of {team} team the draw left out, for example one in custody whose "
            "release is near. Find it by name or reference, then say why it should be looked at; "
            "the reason is printed in the pack."
        )
        self.intro.setAccessibleName("About adding a record")
        self.find_box = QLineEdit()
        self.find_box.setClearButtonEnabled(True)
        self.find_box.setPlaceholderText("Name or reference")
        self.add_field("find", "&Find", self.find_box)
        self.table = RowsTable(
            ADD_COLUMNS, "Offenders of the team", fit_rows=(6, 6), stretch=1, widest=200
        )
        self.add_field("offender", "&Offender", self.table, required=True)
        self.reason_box = self.add_field("reason", "&Reason to add it", reason_box(), required=True)
        self.find_box.textChanged.connect(lambda _t: self.refilter())
        self.table.activated.connect(lambda _i: self.reason_box.setFocus())
        self.refilter()

    def value(self, name: str) -> str:
        if name == "offender":
            row = self.chosen()
            return row.reference if row is not None else ""
        if name == "find":
            return self.find_box.text()
        return super().value(name)

    def refilter(self) -> None:
        words = self.find_box.text().lower().split()
        chosen = self.chosen()
        self.shown = [r for r in self.offenders if all(w in r.search_key for w in words)]
        self.table.set_rows(
            [
                [
                    r.reference,
                    r.name,
                    status_label(r.status),
                    texts.manager_text(r.manager),
                    risk_label(r.risk_level),
                ]
                for r in self.shown
            ],
            [r.offender_id for r in self.shown],
        )
        self.table.setAccessibleDescription(plural(len(self.shown), "offender") + " found")
        keep = [r.offender_id for r in self.shown]
        if chosen is not None and chosen.offender_id in keep:
            self.table.selectRow(keep.index(chosen.offender_id))
        elif len(self.shown) == 1:
            self.table.selectRow(0)

    def chosen(self) -> CaseloadRow | None:
        if not self.shown:
            return None
        key = self.table.current_key()
        return next((r for r in self.shown if r.offender_id == key), None)

    def choose(self, offender_id: int) -> bool:
        ids = [r.offender_id for r in self.shown]
        if offender_id not in ids:
            return False
        self.table.selectRow(ids.index(offender_id))
        return True

    def checked(self) -> tuple[CaseloadRow, str]:
        reason, problems = self.reason("reason to add it")
        row = self.chosen()
        if row is None:
            problems.insert(0, FieldError("offender", "Choose the offender to add from the list."))
        if problems:
            raise ValidationFailed(problems)
        assert row is not None
        return row, reason
