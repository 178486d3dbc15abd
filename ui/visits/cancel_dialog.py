"""Cancel a planned visit, with the reason (required). A cancelled plan is not a visit record: it
is never sent for approval, and the offender is due a visit again."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from ui.context import AppContext
from ui.visits import texts
from ui.visits.form import VisitForm, text_box

if TYPE_CHECKING:
    from desktop.services.visits import VisitView


class CancelVisitDialog(VisitForm):
    save_text = "&Cancel the visit"
    save_name = "Cancel the visit"

    def __init__(self, ctx: AppContext, visit: VisitView, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.visit = visit
        self.setObjectName("cancelVisitDialog")
        self.setWindowTitle(f"Cancel the visit to {visit.reference} {visit.name}")
        self.close_button.setText("&Keep the visit")
        self.close_button.setAccessibleName("Keep the visit")
        self.reason = text_box(84)
        self.reason.setPlaceholderText("Required: why the visit will not go ahead")
        self.add_field(
            "reason",
            "&Reason",
            self.reason,
            required=True,
            description="Why the visit will not go ahead",
        )
        self.refill(visit)
        self.reason.setFocus()

    def refill(self, saved: Any) -> None:
        view: VisitView = saved
        self.visit = view
        self.intro.setText(
            f"{view.reference} {view.name}: planned for {texts.when_text(view)} with "
            f"{texts.crew_text(view)}. The offender will be due a visit again; plan a new one "
            "when you can."
        )
        if view.outcome != "planned":
            self.show_message(
                f"This visit is now {texts.OUTCOME_LABELS.get(view.outcome, view.outcome)}: "
                "it can no longer be cancelled.",
                tone="alert",
            )
        self.save_button.setEnabled(self.can_save())

    def can_save(self) -> bool:
        return self.visit.outcome == "planned"

    def save_job(self) -> Callable[[], Any]:
        visits, actor = self.ctx.svc.visits, self.ctx.officer
        visit_id, version, reason = (
            self.visit.visit_id,
            self.visit.version,
            self.reason.toPlainText(),
        )

        def cancel() -> int:
            visits.cancel(actor, visit_id, version, reason)
            return visit_id

        return cancel

    def reload_job(self) -> Callable[[], Any] | None:
        visits, actor, visit_id = self.ctx.svc.visits, self.ctx.officer, self.visit.visit_id
        return lambda: visits.get(actor, visit_id)
