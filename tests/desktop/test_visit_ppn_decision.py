"""No silent closing (issue #7, item 4): the record of a visit that saw children is not submitted
until the officer has raised a PPN from it or recorded why none is needed. The rule's worked
examples, then the visit service on real SQLite and PostgreSQL: refusals, the "no PPN needed"
decision (validation, audit, optimistic locking, who may), a PPN raised from the visit, and the
officer changing their mind.

The world is `tests.desktop.factories`: Zebedee (Ada's) has a visit planned with Ada and Bram;
the tests record it as completed on 12/06/2024 at 10:15 with Pip, his partner's son, at home.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.enums import ApprovalState, PpnDecision, TaskKind
from db.models import Ppn, Task, Visit
from desktop.demo import build_demo
from desktop.rules.visit_closing import (
    DECISION_NEEDED,
    NO_LINKED_PPN,
    REASON_NEEDED,
    submission_refusal,
)
from desktop.services.core import Services
from desktop.services.errors import EditConflict, PermissionRefused, ServiceError, ValidationFailed
from desktop.services.ppns import PpnEntry, SubjectEntry
from desktop.services.visit_ppn import closing_refusal
from desktop.services.visits import VisitView
from tests.desktop.factories import World, populate, world_clock
from tests.desktop.test_visits import (
    CARD,
    _audit,
    _rows,
    _with_session,
    completed,
    edit,
    fields,
    who,
)

REASON = "Pip was with his mother throughout; no concern seen or heard."
REFUSED = (
    "Children were present at this visit: raise a PPN or record why none is needed before "
    "submitting the record."
)


# -- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("children", "decision", "reason", "linked", "refusal"),
    [
        (None, None, "", False, None),  # children not recorded (no access): nothing to decide
        (False, None, "", False, None),  # no children: nothing to decide
        (False, "no_ppn_needed", REASON, False, None),  # a decision kept after yes became no
        (True, None, "", False, DECISION_NEEDED),
        (True, None, "", True, DECISION_NEEDED),  # a linked PPN with no decision: cannot happen
        (True, "ppn_raised", "", True, None),
        (True, "ppn_raised", "", False, NO_LINKED_PPN),
        (True, "no_ppn_needed", REASON, False, None),
        (True, "no_ppn_needed", REASON, True, None),  # changed their mind after raising one
        (True, "no_ppn_needed", "", False, REASON_NEEDED),
        (True, "no_ppn_needed", "   ", False, REASON_NEEDED),
    ],
)
def test_the_closing_rule_worked_examples(
    children: bool | None, decision: str | None, reason: str, linked: bool, refusal: str | None
) -> None:
    assert submission_refusal(children, decision, reason, linked) == refusal


def test_the_refusal_says_what_to_do() -> None:
    assert DECISION_NEEDED == REFUSED
    for text in (NO_LINKED_PPN, REASON_NEEDED):
        assert text.startswith("Children were present at this visit")
        assert "raise" in text and "before submitting the record" in text


# -- the service ---------------------------------------------------------------------------------


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _zebedee_visit(services: Services, world: World) -> VisitView:
    [visit] = [
        v
        for v in services.visits.for_offender(who(world, "ada"), world.zebedee)
        if v.outcome == "planned"
    ]
    return visit


def _seen_with_children(services: Services, world: World) -> VisitView:
    """Zebedee's visit recorded by Ada as completed, children present, no decision yet."""
    ada = who(world, "ada")
    visit = _zebedee_visit(services, world)
    services.visits.record_outcome(
        ada, visit.visit_id, completed(visit.version, children_present="yes")
    )
    return services.visits.get(ada, visit.visit_id)


def _stored(db_url: str, visit_id: int) -> Visit:
    [visit] = _rows(db_url, select(Visit).where(Visit.id == visit_id))
    return visit


def _approval_tasks(db_url: str, visit_id: int) -> list[Task]:
    return _rows(
        db_url,
        select(Task).where(
            Task.kind == TaskKind.VISIT_APPROVAL,
            Task.subject_type == "visit",
            Task.subject_id == visit_id,
        ),
    )


def raise_ppn_from(services: Services, world: World, visit: VisitView) -> int:
    """An amber PPN raised by Ada from the visit, through the PPN service."""
    entry = PpnEntry(
        grade="amber",
        concern="Pip said a man he did not know stays over at weekends.",
        concern_date="12/06/2024",
        concern_time="10:15",
        subjects=(
            SubjectEntry(
                name="Pip Plimsoll",
                date_of_birth="12/06/2015",
                relationship="partner's child",
            ),
        ),
    )
    return services.ppns.raise_(who(world, "ada"), world.zebedee, entry, visit_id=visit.visit_id)


def test_a_visit_that_saw_children_is_not_submitted_without_a_decision(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    view = _seen_with_children(services, world)
    assert view.ppn_decision is None and view.ppns == ()
    assert not view.can_submit and view.submit_blocked == REFUSED
    with pytest.raises(ServiceError) as raised:
        services.visits.submit_record(ada, view.visit_id, view.version)
    assert str(raised.value) == f"{REFUSED} Nothing was submitted."
    assert _stored(db_url, view.visit_id).record_state == ApprovalState.DRAFT
    assert _approval_tasks(db_url, view.visit_id) == []
    assert _audit(db_url)[-1].action == "visit_outcome_recorded"


def test_no_ppn_needed_with_a_reason_lets_the_record_go_to_the_sergeant(
    services: Services, world: World, db_url: str
) -> None:
    bram = who(world, "bram")  # on the crew
    view = _seen_with_children(services, world)
    services.visits.record_no_ppn_needed(bram, view.visit_id, view.version, f"  {REASON}  ")
    saved = services.visits.get(bram, view.visit_id)
    assert (saved.ppn_decision, saved.ppn_decision_reason) == ("no_ppn_needed", REASON)
    assert saved.version == view.version + 1
    assert saved.can_submit and saved.submit_blocked == ""
    last = _audit(db_url)[-1]
    assert (last.action, last.username, last.entity_id) == (
        "visit_ppn_decision",
        "bram",
        view.visit_id,
    )
    assert last.offender_id == world.zebedee
    assert last.detail == {
        "decision": "no_ppn_needed",
        "reason": REASON,
        "before": {"decision": None, "reason": ""},
    }

    task_id = services.visits.submit_record(bram, view.visit_id, saved.version)
    [task] = _approval_tasks(db_url, view.visit_id)
    assert task.id == task_id and task.owner_id == world.cora
    assert _stored(db_url, view.visit_id).record_state == ApprovalState.SUBMITTED


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "Enter the reason no PPN is needed."),
        ("  \n ", "Enter the reason no PPN is needed."),
        ("Not needed", "Say in a few words why no PPN is needed"),
        (f"Mother paid with card {CARD} for the school trip.", "payment card"),
    ],
)
def test_a_reason_that_says_nothing_is_refused_and_nothing_saved(
    services: Services, world: World, db_url: str, typed: str, problem: str
) -> None:
    ada = who(world, "ada")
    view = _seen_with_children(services, world)
    events = len(_audit(db_url))
    with pytest.raises(ValidationFailed) as raised:
        services.visits.record_no_ppn_needed(ada, view.visit_id, view.version, typed)
    assert problem in fields(raised)["reason"]
    stored = _stored(db_url, view.visit_id)
    assert stored.ppn_decision is None and stored.version == view.version
    assert len(_audit(db_url)) == events


def test_a_ppn_raised_from_the_visit_lets_the_record_go(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    view = _seen_with_children(services, world)
    ppn_id = raise_ppn_from(services, world, view)
    saved = services.visits.get(ada, view.visit_id)
    assert saved.ppn_decision == "ppn_raised"
    [linked] = saved.ppns
    assert (linked.ppn_id, linked.grade, linked.stage) == (ppn_id, "amber", "draft")
    assert saved.can_submit and saved.submit_blocked == ""
    services.visits.submit_record(ada, view.visit_id, saved.version)
    assert len(_approval_tasks(db_url, view.visit_id)) == 1


def test_ppn_raised_with_no_ppn_linked_is_refused(
    services: Services, world: World, db_url: str
) -> None:
    """No method records "PPN raised" by hand; a decision left without its PPN (one written by
    something else) does not close the visit."""
    ada = who(world, "ada")
    assert not hasattr(services.visits, "record_ppn_raised")
    view = _seen_with_children(services, world)

    def decide(session) -> None:  # type: ignore[no-untyped-def]
        stored = session.get(Visit, view.visit_id)
        stored.ppn_decision = PpnDecision.PPN_RAISED

    _with_session(db_url, decide)
    saved = services.visits.get(ada, view.visit_id)
    assert not saved.can_submit and saved.submit_blocked == NO_LINKED_PPN
    with pytest.raises(ServiceError, match="no PPN is linked to it"):
        services.visits.submit_record(ada, view.visit_id, saved.version)
    assert _approval_tasks(db_url, view.visit_id) == []


def test_the_later_choice_wins_and_the_audit_keeps_both(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    view = _seen_with_children(services, world)
    services.visits.record_no_ppn_needed(ada, view.visit_id, view.version, REASON)
    # then a PPN after all: the PPN service makes the decision "PPN raised"
    raise_ppn_from(services, world, view)
    raised = services.visits.get(ada, view.visit_id)
    assert raised.ppn_decision == "ppn_raised" and len(raised.ppns) == 1
    # and back again: none needed, with a new reason; the PPN raised stays on record
    second = "Social worker confirmed the visitor is Pip's uncle, already assessed."
    services.visits.record_no_ppn_needed(ada, view.visit_id, raised.version, second)
    final = services.visits.get(ada, view.visit_id)
    assert (final.ppn_decision, final.ppn_decision_reason) == ("no_ppn_needed", second)
    assert len(final.ppns) == 1 and final.can_submit
    decisions = [e.detail for e in _audit(db_url) if e.action == "visit_ppn_decision"]
    assert [d["reason"] for d in decisions] == [REASON, second]
    assert decisions[1]["before"] == {"decision": "ppn_raised", "reason": ""}
    [raised_event] = [e for e in _audit(db_url) if e.action == "ppn_raised"][-1:]
    assert raised_event.detail["visit_ppn_decision"] == ["no_ppn_needed", "ppn_raised"]


def test_a_decision_against_an_old_version_is_refused(
    services: Services, world: World, db_url: str
) -> None:
    ada, bram = who(world, "ada"), who(world, "bram")
    view = _seen_with_children(services, world)
    services.visits.record_no_ppn_needed(bram, view.visit_id, view.version, REASON)
    with pytest.raises(EditConflict, match="Bram") as raised:
        services.visits.record_no_ppn_needed(
            ada, view.visit_id, view.version, "Ada's own reason, typed at the same time."
        )
    assert "Nothing of yours was saved" in str(raised.value)
    assert _stored(db_url, view.visit_id).ppn_decision_reason == REASON
    with pytest.raises(ValidationFailed) as missing:
        services.visits.record_no_ppn_needed(ada, view.visit_id, None, REASON)
    assert "expected_version" in fields(missing)


def test_who_may_record_the_decision_and_when(
    services: Services, world: World, db_url: str
) -> None:
    view = _seen_with_children(services, world)
    events = len(_audit(db_url))
    for name in ("cora", "dorian"):  # of the team, but not on the crew nor the manager
        with pytest.raises(PermissionRefused, match="crew or the offender's manager"):
            services.visits.record_no_ppn_needed(
                who(world, name), view.visit_id, view.version, REASON
            )
    with pytest.raises(PermissionRefused, match="Only Alder team officers"):
        services.visits.record_no_ppn_needed(who(world, "gus"), view.visit_id, view.version, REASON)
    assert len(_audit(db_url)) == events
    ada = who(world, "ada")
    planned_id = services.visits.plan(ada, world.horatio, edit("13/06/2024", "11:30"))
    planned = services.visits.get(ada, planned_id)
    with pytest.raises(ServiceError, match="Record the outcome of the visit before"):
        services.visits.record_no_ppn_needed(ada, planned_id, planned.version, REASON)
    services.visits.record_no_ppn_needed(ada, view.visit_id, view.version, REASON)
    version = services.visits.get(ada, view.visit_id).version
    services.visits.submit_record(ada, view.visit_id, version)
    # a submitted record is the sergeant's until returned
    version = services.visits.get(ada, view.visit_id).version
    with pytest.raises(ServiceError, match="submitted"):
        services.visits.record_no_ppn_needed(ada, view.visit_id, version, REASON)


def test_changing_children_present_keeps_the_decision(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    view = _seen_with_children(services, world)
    services.visits.record_no_ppn_needed(ada, view.visit_id, view.version, REASON)
    version = services.visits.get(ada, view.visit_id).version
    services.visits.record_outcome(ada, view.visit_id, completed(version, children_present="no"))
    no_children = services.visits.get(ada, view.visit_id)
    assert no_children.children_present is False
    assert no_children.ppn_decision == "no_ppn_needed" and no_children.can_submit
    # yes again: the decision kept still answers it, nothing more to do
    services.visits.record_outcome(
        ada, view.visit_id, completed(no_children.version, children_present="yes")
    )
    again = services.visits.get(ada, view.visit_id)
    assert again.ppn_decision_reason == REASON and again.can_submit
    services.visits.submit_record(ada, view.visit_id, again.version)


def test_a_visit_without_children_needs_no_decision(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    visit = _zebedee_visit(services, world)
    services.visits.record_outcome(ada, visit.visit_id, completed(visit.version))
    view = services.visits.get(ada, visit.visit_id)
    assert view.children_present is False and view.can_submit and view.submit_blocked == ""
    services.visits.submit_record(ada, visit.visit_id, view.version)
    assert len(_approval_tasks(db_url, visit.visit_id)) == 1


def test_every_demo_visit_that_saw_children_has_its_decision(tmp_path: Path) -> None:
    """The demo's visit records can all be submitted: none saw children without a decision."""
    url = f"sqlite:///{tmp_path / 'team.sqlite3'}"
    build_demo(url, scale="team", seed=2022, on=dt.date(2026, 11, 22))
    engine = make_engine(url)
    try:
        with session_factory(engine)() as session:
            linked = set(session.scalars(select(Ppn.visit_id).where(Ppn.visit_id.is_not(None))))
            seen = list(session.scalars(select(Visit).where(Visit.children_present.is_(True))))
            refused = [v.id for v in seen if closing_refusal(v, v.id in linked) is not None]
    finally:
        engine.dispose()
    assert seen and linked
    assert refused == []
