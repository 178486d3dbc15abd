"""Two desktops editing the same draft ARMS (issue #9, item 5): the second desktop's save is
refused with the message naming who saved first, the dialog stays open with everything typed in
it, and "Reload" brings in the saved version while listing what had been typed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt

from desktop.services.core import Services
from tests.desktop.factories import World, world_clock
from tests.ui.helpers import wait_idle
from ui.context import AppContext
from ui.record.arms_dialog import ArmsDialog


@pytest.fixture
def second_services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _dialog(qtbot, ctx: AppContext, offender_id: int, assessment_id: int) -> ArmsDialog:
    """The ARMS dialog as the record's Risk tab opens it for a draft."""
    svc, actor = ctx.svc, ctx.officer
    dialog = ArmsDialog(
        ctx,
        svc.records.open(actor, offender_id),
        svc.assessments.factor_list(),
        svc.assessments.arms_form(actor, assessment_id),
    )
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _type_summary(qtbot, dialog: ArmsDialog, text: str) -> None:
    box = dialog.inputs["summary"]
    box.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(box, text)


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_stale_arms_save_is_refused_and_keeps_what_was_typed(
    qtbot,
    services: Services,
    second_services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
) -> None:
    first, second = make_ctx(services, "ada"), make_ctx(second_services, "ada")
    form = services.assessments.new_arms_form(first.officer, world.zebedee)
    draft = services.assessments.save_arms(
        first.officer, world.zebedee, dataclasses.replace(form, summary="Started (fictional).")
    )
    one = _dialog(qtbot, first, world.zebedee, draft)
    two = _dialog(qtbot, second, world.zebedee, draft)
    _type_summary(qtbot, one, "Saved on the first desktop (fictional).")
    _type_summary(qtbot, two, "Typed on the second desktop (fictional).")

    with qtbot.waitSignal(one.saved, timeout=10_000):
        qtbot.mouseClick(one.save_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(two.save_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, second)

    assert two.isVisible()
    assert two.message_text.startswith("Ada Quillfeather changed this assessment at 11:00")
    assert "Nothing of yours was saved" in two.message_text
    assert two.value("summary") == "Typed on the second desktop (fictional)."
    assert two.reload_button.isVisible()
    saved = services.assessments.arms_form(first.officer, draft)
    assert saved.summary == "Saved on the first desktop (fictional)."

    with qtbot.waitSignal(two.refreshed, timeout=10_000):
        qtbot.mouseClick(two.reload_button, Qt.MouseButton.LeftButton)
    assert two.value("summary") == "Saved on the first desktop (fictional)."
    assert "Typed on the second desktop (fictional)." in two.yours.text()
    assert two.version == saved.expected_version  # the next save is made against theirs
