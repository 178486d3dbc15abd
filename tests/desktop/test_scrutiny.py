"""ScrutinyService on both databases: who may draw, print and review a team's peer-scrutiny pack;
the sample as the team manager sees it; saving the pack with their adjustments; a printed pack
never changing; and findings that become tasks for the offender manager.

The synthetic world's Alder team (manager Dorian): Ada manages Zebedee (high risk), Quentin (low)
and Horatio (very high, never scrutinised); Bram manages Percival (medium) and Barnaby (in
custody, so not drawn); Mortimer is unallocated and never assessed. Birch (Gus) has no team
manager; one, Bertram, is added here to show a team manager is kept to their own team."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.enums import Role, TaskGroup, TaskKind, TaskState
from db.models import AuditEvent, Officer, ScrutinyItem, ScrutinyPack, Task
from desktop.rules.sampling import default_seed
from desktop.rules.workdays import add_working_days
from desktop.services.actor import Actor
from desktop.services.core import Services
from desktop.services.errors import (
    EditConflict,
    PermissionRefused,
    ServiceError,
    ValidationFailed,
)
from desktop.services.scrutiny import ANSWERS, CHECKLIST, Adjustment, ScrutinyService
from tests.desktop.factories import PASSWORD, World, password_hash, populate, world_clock

TODAY = dt.date(2024, 6, 12)
FORTNIGHT = dt.date(2024, 6, 7)  # a Friday before the world's day
Row = TypeVar("Row", ScrutinyPack, ScrutinyItem, Task, AuditEvent)
CARD = "4539 1488 0343 6467"  # a fictional number that passes the Luhn check
ALL_YES = {key: "yes" for key, _ in CHECKLIST}


@dataclass
class Setup:
    services: Services
    scrutiny: ScrutinyService
    world: World
    db_url: str
    bertram: int  # Birch team manager

    def sign_in(self, username: str) -> Actor:
        return self.services.auth.sign_in(username, PASSWORD)

    def read(self, model: type[Row], *where: Any) -> list[Row]:
        """Rows as now committed, read outside the services (detached, ordered by id)."""
        engine = make_engine(self.db_url)
        try:
            with session_factory(engine)() as session:
                rows = list(session.scalars(select(model).where(*where).order_by(model.id)))
                session.expunge_all()
                return rows
        finally:
            engine.dispose()

    def audit(self, action: str) -> list[AuditEvent]:
        return self.read(AuditEvent, AuditEvent.action == action)

    def mark_printed(self, pack_id: int, by: int, on: dt.date) -> None:
        """Stands for a print where the PDF itself is not the point of the test."""
        engine = make_engine(self.db_url)
        try:
            with session_factory(engine)() as session, session.begin():
                pack = session.get(ScrutinyPack, pack_id)
                assert pack is not None
                pack.printed_by_id = by
                pack.printed_at = dt.datetime.combine(on, dt.time(9, 0), tzinfo=dt.UTC)
        finally:
            engine.dispose()


@pytest.fixture
def setup(db_url: str) -> Iterator[Setup]:
    world = populate(db_url)
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            bertram = Officer(
                username="bertram",
                forename="Bertram",
                surname="Wigglesworth",
                role=Role.TEAM_MANAGER,
                team_id=world.birch,
                password_hash=password_hash(),
            )
            session.add(bertram)
            session.flush()
            bertram_id = bertram.id
    finally:
        engine.dispose()
    services = Services(db_url, clock=world_clock)
    yield Setup(services, ScrutinyService(services), world, db_url, bertram_id)
    services.close()


def pack_for(s: Setup, ending: dt.date = FORTNIGHT, **changes: Any) -> int:
    return s.scrutiny.create_pack(s.sign_in("dorian"), s.world.alder, ending, **changes)


# -- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "words"),
    [
        ("ada", "by the team manager; An offender manager cannot"),
        ("cora", "A sergeant cannot"),
        ("elsie", "A hub officer cannot"),
        ("fenn", "An administrator manages users and policy and cannot open offender records"),
        ("bertram", "Only the team manager of Alder team"),
    ],
)
def test_only_the_teams_own_manager_may_draw_or_save_a_pack(
    setup: Setup, username: str, words: str
) -> None:
    actor = setup.sign_in(username)
    with pytest.raises(PermissionRefused, match=words) as refused:
        setup.scrutiny.draw(actor, setup.world.alder, FORTNIGHT)
    assert "Nothing was changed" in str(refused.value)
    with pytest.raises(PermissionRefused):
        setup.scrutiny.create_pack(actor, setup.world.alder, FORTNIGHT)
    with pytest.raises(PermissionRefused):
        setup.scrutiny.packs(actor, setup.world.alder)
    assert setup.read(ScrutinyPack) == []


def test_a_team_manager_cannot_open_another_teams_pack_or_its_findings(setup: Setup) -> None:
    pack_id = pack_for(setup)
    setup.mark_printed(pack_id, setup.world.dorian, TODAY)
    item = setup.scrutiny.pack(setup.sign_in("dorian"), pack_id).items[0]
    bertram = setup.sign_in("bertram")
    with pytest.raises(PermissionRefused, match="Only the team manager of Alder team"):
        setup.scrutiny.pack(bertram, pack_id)
    with pytest.raises(PermissionRefused):
        setup.scrutiny.print_pack(bertram, pack_id)
    with pytest.raises(PermissionRefused):
        setup.scrutiny.record_findings(bertram, item.item_id, item.version, ALL_YES, "", ["x"])
    assert setup.read(Task, Task.kind == TaskKind.SCRUTINY_ACTION) == []


# -- the sample ----------------------------------------------------------------------------------


def test_the_sample_is_two_per_manager_with_every_very_high_risk_record_due(setup: Setup) -> None:
    w = setup.world
    sample = setup.scrutiny.draw(setup.sign_in("dorian"), w.alder, FORTNIGHT)
    assert sample.team_name == "Alder" and sample.seed == default_seed(FORTNIGHT) == 20240607
    assert sample.candidates == 5  # Barnaby is in custody
    by_id = {line.offender_id: line for line in sample.lines}
    assert by_id[w.horatio].must_include
    assert by_id[w.horatio].reason == "very high risk, never scrutinised (must include)"
    assert by_id[w.horatio].risk == "very_high"
    ada = [line for line in sample.lines if line.manager_id == w.ada]
    assert len(ada) == 2 and {line.offender_id for line in ada} <= {
        w.zebedee,
        w.quentin,
        w.horatio,
    }
    assert by_id[w.percival].reason == "drawn: medium risk, never scrutinised"
    assert by_id[w.mortimer].reason == "drawn: no approved ARMS, never scrutinised"
    assert w.barnaby not in by_id
    # by manager name, the unallocated last
    assert [line.manager for line in sample.lines] == [
        "Ada Quillfeather",
        "Ada Quillfeather",
        "Bramwell Tiddlecombe",
        "",
    ]
    assert "each offender manager has 2 records" in sample.method_text
    assert sample.printed is None


def test_the_same_seed_gives_the_same_sample(setup: Setup) -> None:
    dorian = setup.sign_in("dorian")
    first = setup.scrutiny.draw(dorian, setup.world.alder, FORTNIGHT, seed=77)
    again = setup.scrutiny.draw(dorian, setup.world.alder, FORTNIGHT, seed=77)
    assert first.lines == again.lines and first.seed == 77
    ada_draws = {
        next(
            line.offender_id
            for line in setup.scrutiny.draw(dorian, setup.world.alder, FORTNIGHT, seed=seed).lines
            if line.manager_id == setup.world.ada and not line.must_include
        )
        for seed in range(12)
    }
    assert ada_draws == {setup.world.zebedee, setup.world.quentin}  # the seed does matter


def test_a_fortnight_that_has_not_ended_is_refused(setup: Setup) -> None:
    dorian = setup.sign_in("dorian")
    with pytest.raises(ValidationFailed) as refused:
        setup.scrutiny.draw(dorian, setup.world.alder, TODAY + dt.timedelta(days=2))
    assert refused.value.errors[0].field == "fortnight_ending"
    assert "14/06/2024 has not ended yet" in str(refused.value)
    assert setup.scrutiny.draw(dorian, setup.world.alder, TODAY).fortnight_ending == TODAY


def test_records_printed_last_fortnight_are_not_drawn_again_and_count_as_scrutinised(
    setup: Setup,
) -> None:
    w = setup.world
    previous = FORTNIGHT - dt.timedelta(days=14)
    dorian = setup.sign_in("dorian")
    earlier = pack_for(setup, previous)
    setup.mark_printed(earlier, w.dorian, previous)
    in_earlier = {item.offender_id for item in setup.scrutiny.pack(dorian, earlier).items}
    assert w.horatio in in_earlier
    sample = setup.scrutiny.draw(dorian, w.alder, FORTNIGHT)
    by_id = {line.offender_id: line for line in sample.lines}
    # Horatio was scrutinised a fortnight ago: no longer a must-include, and in last
    # fortnight's sample, so Ada's two are her other records
    assert {i for i, line in by_id.items() if line.manager_id == w.ada} == {
        w.zebedee,
        w.quentin,
    }
    # Bram has only Percival, so he is drawn again if he was in the previous sample
    if w.percival in in_earlier:
        assert by_id[w.percival].reason == (
            "drawn: medium risk, last scrutinised 24/05/2024; in the previous fortnight's "
            "sample too: no other record of this manager left"
        )


# -- saving the pack -------------------------------------------------------------------------------


def test_the_pack_saves_the_sample_with_its_method_and_is_audited(setup: Setup) -> None:
    dorian = setup.sign_in("dorian")
    sample = setup.scrutiny.draw(dorian, setup.world.alder, FORTNIGHT)
    pack_id = pack_for(setup)
    view = setup.scrutiny.pack(dorian, pack_id)
    assert [(i.offender_id, i.reason) for i in view.items] == [
        (line.offender_id, line.reason) for line in sample.lines
    ]
    assert [i.position for i in view.items] == list(range(len(sample.lines)))
    assert view.method_text == sample.method_text
    assert view.policy["records_per_manager"] == 2
    assert view.summary.seed == sample.seed and view.summary.created_by == "Dorian Mothersole"
    assert view.summary.printed_at is None and view.summary.records == 4
    (event,) = setup.audit("scrutiny_pack_created")
    assert event.entity_id == pack_id and event.username == "dorian"
    assert event.detail["offender_ids"] == [line.offender_id for line in sample.lines]


def test_the_team_manager_removes_and_adds_records_with_a_reason(setup: Setup) -> None:
    w = setup.world
    dorian = setup.sign_in("dorian")
    pack_id = pack_for(
        setup,
        remove=[Adjustment(w.mortimer, "Registered only last month; nothing to review yet.")],
        add=[Adjustment(w.barnaby, "Release date passed and not recorded.")],
    )
    view = setup.scrutiny.pack(dorian, pack_id)
    reasons = {i.offender_id: i.reason for i in view.items}
    assert w.mortimer not in reasons
    assert reasons[w.barnaby] == (
        "added by Dorian Mothersole: Release date passed and not recorded."
    )
    # Barnaby is Bram's: his line sits with Bram's, before nothing unallocated
    assert [i.manager for i in view.items][-2:] == ["Bramwell Tiddlecombe"] * 2
    (removed,) = view.removed
    assert (removed.reference, removed.by) == (w.references["mortimer"], "Dorian Mothersole")
    assert removed.reason == "Registered only last month; nothing to review yet."
    assert [a.offender_id for a in view.added] == [w.barnaby]
    (event,) = setup.audit("scrutiny_pack_created")
    assert event.detail["removed"][0]["reason"] == removed.reason
    assert event.detail["added"][0]["offender_id"] == w.barnaby


def test_bad_adjustments_are_each_named_and_nothing_is_saved(setup: Setup) -> None:
    w = setup.world
    with pytest.raises(ValidationFailed) as refused:
        pack_for(
            setup,
            remove=[Adjustment(w.percival, "  "), Adjustment(w.barnaby, "Not drawn anyway")],
            add=[
                Adjustment(w.cuthbert, "Birch's record"),
                Adjustment(w.horatio, "Already there"),
                Adjustment(w.barnaby, f"Paid by card {CARD}"),
            ],
        )
    problems = {e.field: e.message for e in refused.value.errors}
    assert problems[f"remove:{w.percival}"] == "Enter the reason to remove it."
    assert "not in the sample as drawn now" in problems[f"remove:{w.barnaby}"]
    assert "Only offenders of Alder team" in problems[f"add:{w.cuthbert}"]
    assert "already in the sample" in problems[f"add:{w.horatio}"]
    assert "payment card number" in problems[f"add:{w.barnaby}"]
    assert setup.read(ScrutinyPack) == [] and setup.audit("scrutiny_pack_created") == []


def test_a_pack_needs_at_least_one_record(setup: Setup) -> None:
    sample = setup.scrutiny.draw(setup.sign_in("dorian"), setup.world.alder, FORTNIGHT)
    with pytest.raises(ValidationFailed, match="A pack needs at least one record"):
        pack_for(setup, remove=[Adjustment(line.offender_id, "No") for line in sample.lines])
    assert setup.read(ScrutinyPack) == []


def test_a_new_pack_replaces_an_unprinted_one_but_a_printed_pack_is_never_changed(
    setup: Setup,
) -> None:
    dorian = setup.sign_in("dorian")
    first = pack_for(setup)
    second = pack_for(setup, seed=5)
    assert [p.pack_id for p in setup.scrutiny.packs(dorian, setup.world.alder)] == [second]
    assert setup.audit("scrutiny_pack_created")[-1].detail["replaced_unprinted_packs"] == [first]
    setup.mark_printed(second, setup.world.dorian, dt.date(2024, 6, 10))
    with pytest.raises(ServiceError) as refused:
        pack_for(setup, seed=9)
    assert str(refused.value) == (
        "The Alder team pack for the fortnight ending 07/06/2024 was printed on 10/06/2024 by "
        "Dorian Mothersole; a printed pack is never changed. Reprint it from the past packs "
        "instead; nothing was saved."
    )
    assert [p.id for p in setup.read(ScrutinyPack)] == [second]
    printed = setup.scrutiny.draw(dorian, setup.world.alder, FORTNIGHT).printed
    assert printed is not None and printed.printed_by == "Dorian Mothersole"


def test_past_packs_are_listed_newest_fortnight_first(setup: Setup) -> None:
    older = pack_for(setup, FORTNIGHT - dt.timedelta(days=14))
    newer = pack_for(setup)
    setup.mark_printed(older, setup.world.dorian, FORTNIGHT - dt.timedelta(days=13))
    packs = setup.scrutiny.packs(setup.sign_in("dorian"), setup.world.alder)
    assert [(p.pack_id, p.fortnight_ending) for p in packs] == [
        (newer, FORTNIGHT),
        (older, FORTNIGHT - dt.timedelta(days=14)),
    ]
    assert packs[1].printed_by == "Dorian Mothersole" and packs[0].printed_by == ""
    assert setup.scrutiny.packs(setup.sign_in("bertram"), setup.world.birch) == []


# -- findings --------------------------------------------------------------------------------------


def printed_pack(s: Setup) -> int:
    pack_id = pack_for(s, add=[Adjustment(s.world.barnaby, "Release not recorded.")])
    s.mark_printed(pack_id, s.world.dorian, TODAY)
    return pack_id


def test_the_printed_checklist_is_the_one_findings_are_recorded_against(setup: Setup) -> None:
    """What the reviewer ticks on paper is what the findings are entered against: the pack
    prints the service's own questions, in order, under the service's own answers."""
    from pypdf import PdfReader

    pdf = setup.scrutiny.print_pack(setup.sign_in("dorian"), pack_for(setup))
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]
    checklists = [text for text in pages if "Reviewer checklist" in text]
    assert checklists
    for text in checklists:
        assert f"Question {' '.join(ANSWERS.values())}" in text
        at = [text.index(question) for _, question in CHECKLIST]
        assert at == sorted(at)


def test_findings_need_a_printed_pack(setup: Setup) -> None:
    dorian = setup.sign_in("dorian")
    item = setup.scrutiny.pack(dorian, pack_for(setup)).items[0]
    with pytest.raises(ServiceError, match="has not been printed yet") as refused:
        setup.scrutiny.record_findings(dorian, item.item_id, item.version, ALL_YES, "", [])
    assert "Nothing was saved" in str(refused.value)


def test_actions_become_tasks_for_the_offender_manager_and_are_not_raised_twice(
    setup: Setup,
) -> None:
    w = setup.world
    dorian = setup.sign_in("dorian")
    view = setup.scrutiny.pack(dorian, printed_pack(setup))
    item = next(i for i in view.items if i.offender_id == w.horatio)
    answers = {**ALL_YES, "arms": "no", "visits": "partly", "mappa": "N/A"}
    saved = setup.scrutiny.record_findings(
        dorian,
        item.item_id,
        item.version,
        answers,
        "ARMS review overdue by a month.\nVisits otherwise in cadence.",
        ["Review the ARMS assessment", "  ", "Plan a visit this week"],
    )
    assert saved.checklist == {
        **ALL_YES,
        "arms": "no",
        "visits": "partly",
        "mappa": "not_applicable",
    }
    assert saved.reviewer == "Dorian Mothersole" and saved.reviewed_at is not None
    assert saved.actions == ("Review the ARMS assessment", "Plan a visit this week")
    tasks = setup.read(Task, Task.kind == TaskKind.SCRUTINY_ACTION)
    assert [t.title for t in tasks] == [
        f"Scrutiny action: {w.references['horatio']}: Review the ARMS assessment",
        f"Scrutiny action: {w.references['horatio']}: Plan a visit this week",
    ]
    for task in tasks:
        assert task.owner_id == w.ada and task.team_id == w.alder
        assert task.group == TaskGroup.FOLLOW_UP and task.state == TaskState.OPEN
        assert task.subject_type == "scrutiny_item" and task.subject_id == item.item_id
        assert task.due_on == add_working_days(TODAY, 10) and task.created_by_id == w.dorian
    assert saved.action_task_ids == tuple(t.id for t in tasks)
    (event,) = setup.audit("scrutiny_findings_recorded")
    assert event.offender_id == w.horatio and event.detail["tasks_created"] == [t.id for t in tasks]

    # corrected: one action kept, one new; the kept one is not raised again
    again = setup.scrutiny.record_findings(
        dorian,
        item.item_id,
        saved.version,
        ALL_YES,
        "Corrected.",
        ["Plan a visit this week", "Raise the overdue PPN"],
    )
    tasks = setup.read(Task, Task.kind == TaskKind.SCRUTINY_ACTION)
    assert len(tasks) == 3 and tasks[-1].title.endswith("Raise the overdue PPN")
    assert again.comments == "Corrected." and len(again.action_task_ids) == 3
    assert setup.audit("scrutiny_findings_recorded")[-1].detail["tasks_created"] == [tasks[-1].id]


def test_an_unallocated_records_action_goes_to_the_teams_sergeant(setup: Setup) -> None:
    w = setup.world
    dorian = setup.sign_in("dorian")
    view = setup.scrutiny.pack(dorian, printed_pack(setup))
    item = next(i for i in view.items if i.offender_id == w.mortimer)
    setup.scrutiny.record_findings(
        dorian, item.item_id, item.version, ALL_YES, "", ["Allocate an offender manager"]
    )
    (task,) = setup.read(Task, Task.kind == TaskKind.SCRUTINY_ACTION)
    assert task.owner_id == w.cora


def test_every_question_must_be_answered_from_the_choices(setup: Setup) -> None:
    dorian = setup.sign_in("dorian")
    item = setup.scrutiny.pack(dorian, printed_pack(setup)).items[0]
    answers = {key: "yes" for key, _ in CHECKLIST[2:]}
    answers["visits"] = "maybe"
    answers["colour"] = "blue"
    with pytest.raises(ValidationFailed) as refused:
        setup.scrutiny.record_findings(
            dorian, item.item_id, item.version, answers, f"Card {CARD}", ["Act"]
        )
    problems = {e.field: e.message for e in refused.value.errors}
    assert problems["arms"] == "Answer this question: yes, partly, no or N/A."
    assert "plan_factors" in problems
    assert problems["visits"] == "Choose one of: Yes, Partly, No, N/A."
    assert "“colour” is not a question" in problems["checklist"]
    assert "payment card number" in problems["comments"]
    assert setup.read(Task, Task.kind == TaskKind.SCRUTINY_ACTION) == []
    unchanged = setup.read(ScrutinyItem, ScrutinyItem.id == item.item_id)[0]
    assert unchanged.reviewed_at is None and unchanged.checklist == {}


def test_findings_saved_over_someone_elses_are_refused(setup: Setup) -> None:
    dorian = setup.sign_in("dorian")
    item = setup.scrutiny.pack(dorian, printed_pack(setup)).items[0]
    setup.scrutiny.record_findings(dorian, item.item_id, item.version, ALL_YES, "First.", [])
    with pytest.raises(EditConflict, match="Dorian Mothersole changed this scrutiny findings"):
        setup.scrutiny.record_findings(dorian, item.item_id, item.version, ALL_YES, "Stale.", [])
    assert setup.scrutiny.pack(dorian, item_pack(setup, item.item_id)).items[0].comments == (
        "First."
    )


def item_pack(s: Setup, item_id: int) -> int:
    return s.read(ScrutinyItem, ScrutinyItem.id == item_id)[0].pack_id


# -- printing (through desktop.reports.pack) ------------------------------------------------


def test_printing_keeps_the_pdf_and_a_reprint_is_exact(setup: Setup) -> None:
    from pypdf import PdfReader

    w = setup.world
    dorian = setup.sign_in("dorian")
    pack_id = pack_for(setup)
    pdf = setup.scrutiny.print_pack(dorian, pack_id)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    assert all("OFFICIAL-SENSITIVE" in page.extract_text() for page in reader.pages)
    assert w.references["horatio"] in reader.pages[0].extract_text()
    view = setup.scrutiny.pack(dorian, pack_id)
    assert view.summary.printed_by == "Dorian Mothersole"
    assert view.summary.printed_at == dt.datetime(2024, 6, 12, 10, 0, tzinfo=dt.UTC)
    printed = setup.audit("scrutiny_pack_printed")
    assert sorted(e.offender_id or 0 for e in printed) == sorted(i.offender_id for i in view.items)
    assert printed[0].detail["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()

    later = Services(setup.db_url, clock=lambda: dt.datetime(2024, 7, 1, 9, 0, tzinfo=dt.UTC))
    try:
        again = ScrutinyService(later).print_pack(later.auth.sign_in("dorian", PASSWORD), pack_id)
    finally:
        later.close()
    assert again == pdf
    assert len(setup.audit("scrutiny_pack_reprinted")) == len(view.items)
    assert setup.scrutiny.pack(dorian, pack_id).summary.printed_at == view.summary.printed_at
    with pytest.raises(ServiceError, match="was printed on 12/06/2024 by Dorian Mothersole"):
        pack_for(setup)


def test_printing_reports_progress_record_by_record(setup: Setup) -> None:
    """The Scrutiny screen's progress bar: (done, total) for each record in turn as its pages
    are drawn, ending with all done; a reprint says all done at once."""
    dorian = setup.sign_in("dorian")
    pack_id = pack_for(setup)
    total = len(setup.scrutiny.pack(dorian, pack_id).items)
    calls: list[tuple[int, int]] = []
    setup.scrutiny.print_pack(dorian, pack_id, lambda done, of: calls.append((done, of)))
    assert calls == [(done, total) for done in range(1, total + 1)]
    again: list[tuple[int, int]] = []
    setup.scrutiny.print_pack(dorian, pack_id, lambda done, of: again.append((done, of)))
    assert again == [(total, total)]
