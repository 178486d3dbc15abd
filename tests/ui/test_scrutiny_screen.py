"""The Scrutiny screen on the synthetic world (Wednesday 12/06/2024), on SQLite and PostgreSQL:
Dorian, Alder's team manager, draws the fortnight's sample, removes a line (a reason required)
and adds Barnaby (in custody, so never drawn), generates the pack with progress and reads it in
the preview, enters findings whose actions become tasks for the offender manager, and reprints
the exact PDF from the past packs (issue #8 item 3's "done when"). Refusals keep what was typed;
a sergeant or an offender manager sees the service's refusal in words.

Alder in the world: Ada manages Zebedee (high), Quentin (low) and Horatio (very high, never
scrutinised: a must-include); Bram manages Percival (medium) and Barnaby (in custody); Mortimer
is unallocated. The fortnight ending Friday 07/06/2024 is the latest one ended."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from db.enums import TaskKind
from desktop.services.core import Services
from desktop.services.scrutiny import ANSWERS, CHECKLIST
from tests.desktop.factories import PASSWORD, World
from tests.ui.helpers import unnamed, wait_idle
from ui.context import AppContext
from ui.scrutiny import texts
from ui.scrutiny.dialogs import AddDialog, RemoveDialog
from ui.scrutiny.screen import ScrutinyScreen

BOTH = pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)

FORTNIGHT = dt.date(2024, 6, 7)
CARD = "4539 1488 0343 6467"  # a fictional number that passes the Luhn check
WHY = texts.SAMPLE_COLUMNS.index("In the sample because")


def open_screen(qtbot, ctx: AppContext) -> ScrutinyScreen:
    screen = ScrutinyScreen(ctx)
    qtbot.addWidget(screen)
    screen.resize(1300, 900)
    screen.show()
    with qtbot.waitSignal(screen.drawn, timeout=10_000):
        screen.activate()
    wait_idle(qtbot, ctx)
    return screen


def click(qtbot, widget: QWidget) -> None:
    assert widget.isEnabled(), f"{widget.accessibleName()} is disabled: {widget.toolTip()}"
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def column(table, col: int) -> list[str]:
    model = table.model()
    return [model.index(r, col).data() for r in range(model.rowCount())]


def choose_line(screen: ScrutinyScreen, offender_id: int) -> None:
    keys = [screen.sample_table.rows.key(r) for r in range(screen.sample_table.rows.rowCount())]
    screen.sample_table.selectRow(keys.index(offender_id))


def open_dialog(qtbot, screen: ScrutinyScreen, button: QWidget):
    with qtbot.waitSignal(screen.dialog_opened, timeout=10_000) as opened:
        click(qtbot, button)
    return opened.args[0]


def generate(qtbot, screen: ScrutinyScreen) -> list[str]:
    """Press Generate pack; the progress texts seen until the PDF is shown."""
    seen: list[str] = []
    screen.progress.valueChanged.connect(lambda _v: seen.append(screen.progress_text))
    with qtbot.waitSignal(screen.pdf_shown, timeout=30_000):
        click(qtbot, screen.generate_button)
        assert screen.working and not screen.generate_button.isEnabled()
    wait_idle(qtbot, screen.ctx)
    return seen


@BOTH
def test_a_team_manager_draws_adjusts_generates_reviews_and_reprints(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    ctx = make_ctx(services, "dorian")
    screen = open_screen(qtbot, ctx)
    assert not unnamed(screen)
    assert screen.ending == FORTNIGHT
    assert screen.fortnight_box.currentText() == "Fortnight 25/05/2024 to 07/06/2024"
    drawn = services.scrutiny.draw(ctx.officer, world.alder, FORTNIGHT)
    assert screen.seed_box.value() == drawn.seed == 20240607
    assert screen.sample_table.rows.rowCount() == len(drawn.lines) == 4
    assert column(screen.sample_table, 0) == [line.reference for line in drawn.lines]
    horatio = next(r for r, line in enumerate(drawn.lines) if line.offender_id == world.horatio)
    assert column(screen.sample_table, WHY)[horatio] == (
        "Must include: very high risk, never scrutinised"
    )
    assert screen.drawn_label.text().startswith("4 records drawn from 5 records of Alder team")
    assert drawn.method_text in screen.method_label.text()

    # remove Mortimer: a reason is required, and the empty dialog stays open
    choose_line(screen, world.mortimer)
    dialog = open_dialog(qtbot, screen, screen.remove_button)
    assert isinstance(dialog, RemoveDialog) and not unnamed(dialog)
    click(qtbot, dialog.save_button)
    assert dialog.isVisible()
    assert dialog.field_error("reason") == "Enter the reason to remove it."
    assert "Nothing was changed in the sample" in dialog.message_text
    qtbot.keyClicks(dialog.reason_box, f"Paid by card {CARD}")
    click(qtbot, dialog.save_button)
    assert "payment card number" in dialog.field_error("reason")
    assert dialog.reason_box.text() == f"Paid by card {CARD}"  # kept as typed
    dialog.reason_box.clear()
    qtbot.keyClicks(dialog.reason_box, "Allocation meeting on Monday; review next fortnight.")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    assert world.mortimer not in {
        screen.sample_table.rows.key(r) for r in range(screen.sample_table.rows.rowCount())
    }
    assert column(screen.changes_table, 0) == ["Removed"]
    assert column(screen.changes_table, 3) == [
        "Allocation meeting on Monday; review next fortnight."
    ]

    # add Barnaby (in custody, not drawn), found by name
    dialog = open_dialog(qtbot, screen, screen.add_button)
    wait_idle(qtbot, ctx)
    assert isinstance(dialog, AddDialog) and not unnamed(dialog)
    assert world.horatio not in {r.offender_id for r in dialog.offenders}  # already in
    qtbot.keyClicks(dialog.find_box, "barnaby")
    assert [r.offender_id for r in dialog.shown] == [world.barnaby]
    click(qtbot, dialog.save_button)
    assert dialog.field_error("reason") == "Enter the reason to add it."
    qtbot.keyClicks(dialog.reason_box, "Release date passed: check the release was recorded.")
    click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    assert column(screen.changes_table, 0) == ["Removed", "Added"]
    assert column(screen.sample_table, WHY)[-1] == (
        "Added by you: Release date passed: check the release was recorded."
    )

    # generate: progress record by record, then the PDF in the preview
    seen = generate(qtbot, screen)
    assert "Record 4 of 4" in seen
    assert screen.page == "pack" and screen.preview.page_count > 1
    assert screen.preview.open_button.isEnabled() and screen.preview.print_button.isEnabled()
    first_print = screen.preview.data
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(first_print)).pages)
    assert world.references["barnaby"] in text and world.references["mortimer"] not in text
    assert "Alder" in screen.state_text and "printed" in screen.state_text
    wait_idle(qtbot, ctx)
    # the fortnight is printed now: the sample says so and cannot be changed
    assert not screen.printed_box.isHidden()
    assert not screen.generate_button.isEnabled() and not screen.remove_button.isEnabled()
    assert "a printed pack is never changed" in screen.printed_label.text()

    # findings: Horatio's record, two actions become two tasks for Ada
    screen.show_page("findings")
    view = screen.pack_view
    assert view is not None and view.summary.printed_at is not None
    assert len(view.items) == 4
    assert column(screen.items_table, 3) == ["Not yet"] * 4
    assert screen.choose_item(world.horatio)
    form = screen.form
    assert form.item is not None and form.item.offender_id == world.horatio
    for key, _question in CHECKLIST:
        form.set_answer(key, "yes")
    click(qtbot, form.groups["arms"].button(list(ANSWERS).index("no")))
    qtbot.keyClicks(form.comments_box, "ARMS review overdue by a month.")
    qtbot.keyClicks(form.actions_box, "Review the ARMS assessment")
    qtbot.keyClick(form.actions_box, Qt.Key.Key_Return)
    qtbot.keyClicks(form.actions_box, "Plan a visit this week")
    click(qtbot, form.save_button)
    wait_idle(qtbot, ctx)
    assert form.message_text == (
        f"Findings saved for {world.references['horatio']} Horatio Fiddlesticks. "
        "2 tasks raised for Ada Quillfeather."
    )
    assert form.tasks.text() == "2 tasks raised for Ada Quillfeather."
    saved = services.scrutiny.pack(ctx.officer, view.summary.pack_id)
    item = next(i for i in saved.items if i.offender_id == world.horatio)
    assert item.checklist["arms"] == "no" and item.comments == "ARMS review overdue by a month."
    ada = services.auth.sign_in("ada", PASSWORD)
    tasks = [
        i
        for i in services.inbox.tasks(ada).items
        if i.kind == TaskKind.SCRUTINY_ACTION.value and i.offender_id == world.horatio
    ]
    assert sorted(t.title.rsplit(": ", 1)[-1] for t in tasks) == [
        "Plan a visit this week",
        "Review the ARMS assessment",
    ]
    row = [i.item_id for i in screen.pack_view.items].index(item.item_id)
    assert column(screen.items_table, 3)[row] == "12/06/2024"
    assert column(screen.items_table, 4)[row] == "2"

    # past packs: reviewed 1 of 4; Reprint gives the first print's bytes exactly
    screen.show_page("packs")
    wait_idle(qtbot, ctx)
    assert column(screen.packs_table, 3) == ["1 of 4"]
    screen.preview.clear()
    seen = []
    screen.progress.valueChanged.connect(lambda _v: seen.append(screen.progress_text))
    with qtbot.waitSignal(screen.pdf_shown, timeout=10_000):
        click(qtbot, screen.reprint_button)
    wait_idle(qtbot, ctx)
    assert seen == ["Record 4 of 4"]
    assert screen.preview.data == first_print
    assert screen.page == "pack"


@BOTH
def test_findings_refused_keep_what_was_typed_and_a_conflict_shows_theirs(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    ctx = make_ctx(services, "dorian")
    pack_id = services.scrutiny.create_pack(ctx.officer, world.alder, FORTNIGHT)
    services.scrutiny.print_pack(ctx.officer, pack_id)
    screen = open_screen(qtbot, ctx)
    assert not screen.printed_box.isHidden() and not screen.generate_button.isEnabled()
    with qtbot.waitSignal(screen.pack_loaded, timeout=10_000):
        click(qtbot, screen.printed_findings_button)
    wait_idle(qtbot, ctx)
    assert screen.page == "findings" and screen.choose_item(world.zebedee)
    form = screen.form
    assert not unnamed(screen)

    # two questions unanswered and bank details in the comments: nothing saved, all kept
    for key, _question in CHECKLIST[2:]:
        form.set_answer(key, "partly")
    qtbot.keyClicks(form.comments_box, f"Card {CARD} seen on the table.")
    qtbot.keyClicks(form.actions_box, "Update the contingency plan")
    click(qtbot, form.save_button)
    wait_idle(qtbot, ctx)
    assert form.field_error("arms") == "Answer this question: yes, partly, no or N/A."
    assert form.field_error("plan_factors")
    assert "payment card number" in form.field_error("comments")
    assert form.message_text.startswith("Please correct the 3 problems marked below.")
    assert form.message_text.endswith("Nothing was saved.")
    assert form.comments_box.toPlainText() == f"Card {CARD} seen on the table."
    assert form.actions_box.toPlainText() == "Update the contingency plan"
    assert form.answers()["visits"] == "partly"
    assert services.scrutiny.pack(ctx.officer, pack_id).summary.reviewed == 0

    # someone saves this record's findings first: a conflict, in words; theirs on request
    item = form.item
    assert item is not None
    services.scrutiny.record_findings(
        ctx.officer,
        item.item_id,
        item.version,
        {key: "yes" for key, _q in CHECKLIST},
        "Saved on the other desktop.",
        [],
    )
    form.comments_box.setPlainText("Mine: the plan needs a victim-safety action.")
    for key, _question in CHECKLIST:
        form.set_answer(key, "yes")
    click(qtbot, form.save_button)
    wait_idle(qtbot, ctx)
    assert "changed this scrutiny findings" in form.message_text
    assert "Nothing of yours was saved over it" in form.message_text
    assert form.comments_box.toPlainText() == "Mine: the plan needs a victim-safety action."
    assert form.reload_button.isVisibleTo(form)
    click(qtbot, form.reload_button)
    wait_idle(qtbot, ctx)
    assert form.comments_box.toPlainText() == "Saved on the other desktop."
    assert "Mine: the plan needs a victim-safety action." in form.yours.text()
    assert "Update the contingency plan" in form.yours.text()


@BOTH
def test_a_new_draw_keeps_changes_that_still_apply(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    ctx = make_ctx(services, "dorian")
    screen = open_screen(qtbot, ctx)
    choose_line(screen, world.horatio)
    dialog = open_dialog(qtbot, screen, screen.remove_button)
    qtbot.keyClicks(dialog.reason_box, "Scrutinised by the MAPPA panel last week.")
    click(qtbot, dialog.save_button)
    screen.seed_box.setValue(77)
    with qtbot.waitSignal(screen.drawn, timeout=10_000):
        click(qtbot, screen.draw_button)
    wait_idle(qtbot, ctx)
    assert screen.sample is not None and screen.sample.seed == 77
    assert screen.removed == {world.horatio: "Scrutinised by the MAPPA panel last week."}
    assert world.horatio not in {
        screen.sample_table.rows.key(r) for r in range(screen.sample_table.rows.rowCount())
    }
    # another fortnight starts from its own sample and seed
    with qtbot.waitSignal(screen.drawn, timeout=10_000):
        screen.choose_fortnight(FORTNIGHT - dt.timedelta(days=14))
    wait_idle(qtbot, ctx)
    assert screen.removed == {} and screen.seed_box.value() == 20240524


@BOTH
@pytest.mark.parametrize(
    ("username", "words"),
    [("cora", "A sergeant cannot"), ("ada", "An offender manager cannot")],
)
def test_a_sergeant_or_offender_manager_is_refused_in_words(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
    username: str,
    words: str,
) -> None:
    ctx = make_ctx(services, username)
    screen = ScrutinyScreen(ctx)
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(screen.failed, timeout=10_000) as failed:
        screen.activate()
    wait_idle(qtbot, ctx)
    assert words in failed.args[0] and "Nothing was changed" in failed.args[0]
    assert words in screen.state_text
    assert screen.sample_table.rows.rowCount() == 0
    assert not screen.generate_button.isEnabled() and not screen.add_button.isEnabled()


def test_the_fortnight_rule() -> None:
    assert texts.latest_fortnight_ending(dt.date(2024, 6, 12)) == FORTNIGHT
    assert texts.latest_fortnight_ending(FORTNIGHT) == FORTNIGHT
    assert texts.latest_fortnight_ending(dt.date(2026, 11, 22)) == dt.date(2026, 11, 20)
    endings = texts.fortnight_endings(dt.date(2024, 6, 12), 3)
    assert endings == [FORTNIGHT, dt.date(2024, 5, 24), dt.date(2024, 5, 10)]
    assert all(day.weekday() == 4 for day in endings)  # Fridays
    assert texts.period(FORTNIGHT) == "fortnight 25/05/2024 to 07/06/2024"


@BOTH
def test_keyboard(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
) -> None:
    ctx = make_ctx(services, "dorian")
    screen = open_screen(qtbot, ctx)
    screen.sample_table.setFocus()
    choose_line(screen, world.percival)
    with qtbot.waitSignal(screen.dialog_opened, timeout=5_000) as opened:
        qtbot.keyClick(screen.sample_table, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    dialog = opened.args[0]
    assert isinstance(dialog, RemoveDialog) and dialog.line.offender_id == world.percival
    dialog.reject()
    qtbot.keyClick(screen.sample_table, Qt.Key.Key_4, Qt.KeyboardModifier.AltModifier)
    assert screen.page == "packs"
    with qtbot.waitSignal(screen.open_record, timeout=5_000) as opened_record:
        screen.show_page("sample")
        screen.sample_table.setFocus()
        choose_line(screen, world.percival)
        qtbot.keyClick(screen.sample_table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert opened_record.args == [world.percival]

    # the findings form: one Tab stop a question (arrows choose its answer), then the boxes
    pack_id = services.scrutiny.create_pack(ctx.officer, world.alder, FORTNIGHT)
    services.scrutiny.print_pack(ctx.officer, pack_id)
    with qtbot.waitSignal(screen.pack_loaded, timeout=10_000):
        screen.open_findings(pack_id)
    wait_idle(qtbot, ctx)
    form = screen.form
    first = form.groups["arms"].buttons()[0]
    first.setFocus()
    qtbot.keyClick(first, Qt.Key.Key_Space)
    assert form.answers() == {"arms": "yes"}
    for key, _question in CHECKLIST[1:]:
        qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Tab)
        assert screen.focusWidget() in form.groups[key].buttons(), key
    qtbot.keyClick(screen.focusWidget(), Qt.Key.Key_Tab)
    assert screen.focusWidget() is form.comments_box
    qtbot.keyClick(form.comments_box, Qt.Key.Key_Tab)
    assert screen.focusWidget() is form.actions_box


@BOTH
def test_a_pack_printed_on_another_desktop_meanwhile_is_offered_instead(
    qtbot, services: Services, make_ctx: Callable[..., AppContext], world: World
) -> None:
    ctx = make_ctx(services, "dorian")
    screen = open_screen(qtbot, ctx)
    assert screen.generate_button.isEnabled()
    elsewhere = services.scrutiny.create_pack(ctx.officer, world.alder, FORTNIGHT, seed=5)
    stored = services.scrutiny.print_pack(ctx.officer, elsewhere)
    with qtbot.waitSignal(screen.failed, timeout=30_000) as failed:
        click(qtbot, screen.generate_button)
    wait_idle(qtbot, ctx)
    assert "a printed pack is never changed" in failed.args[0]
    assert "nothing was saved" in screen.state_text
    assert [p.pack_id for p in services.scrutiny.packs(ctx.officer, world.alder)] == [elsewhere]
    # drawn again: the fortnight is printed, and its pack is one click away, exactly as kept
    assert not screen.printed_box.isHidden() and not screen.generate_button.isEnabled()
    with qtbot.waitSignal(screen.pdf_shown, timeout=10_000):
        click(qtbot, screen.show_printed_button)
    wait_idle(qtbot, ctx)
    assert screen.preview.data == stored and screen.page == "pack"


@BOTH
def test_choosing_another_record_asks_before_unsaved_findings_go(
    qtbot,
    services: Services,
    make_ctx: Callable[..., AppContext],
    world: World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ctx = make_ctx(services, "dorian")
    pack_id = services.scrutiny.create_pack(ctx.officer, world.alder, FORTNIGHT)
    services.scrutiny.print_pack(ctx.officer, pack_id)
    screen = open_screen(qtbot, ctx)
    with qtbot.waitSignal(screen.pack_loaded, timeout=10_000):
        screen.open_findings(pack_id)
    wait_idle(qtbot, ctx)
    assert screen.choose_item(world.zebedee)
    qtbot.keyClicks(screen.form.comments_box, "Half-typed thought")
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard])
    asked: list[str] = []

    def question(*args: object, **_kwargs: object) -> QMessageBox.StandardButton:
        asked.append(str(args[2]))
        return next(answers)

    monkeypatch.setattr(QMessageBox, "question", question)
    assert screen.choose_item(world.percival)
    assert "are not saved" in asked[0]
    assert screen.form.item is not None and screen.form.item.offender_id == world.zebedee
    assert screen.chosen_item() is not None and screen.chosen_item().offender_id == world.zebedee
    assert screen.form.comments_box.toPlainText() == "Half-typed thought"
    assert screen.choose_item(world.percival)
    assert len(asked) == 2
    assert screen.form.item is not None and screen.form.item.offender_id == world.percival
    assert screen.form.comments_box.toPlainText() == ""
