"""PPNs on the command line and in the inbox (issue #7 items 3 and 6): `pillars due` lists the
late and running PPN steps with their PPN, grade, concern, deadline and officer; `pillars show`
gives the offender's PPNs in full; a PPN escalation reaches the absent sergeant's cover on her
behalf and returns to her when she is back. On both databases."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.enums import AbsenceKind, PpnGrade, PpnState, TaskGroup, TaskKind
from db.models import Absence, HouseholdMember, PpnSubject, Task
from desktop.cli import main
from desktop.services.core import Services
from desktop.services.errors import PermissionRefused
from desktop.services.inbox import InboxItem
from tests.desktop.factories import PASSWORD, WORLD_NOW, WORLD_TODAY, World, populate, world_clock
from tests.desktop.test_ppn_breaches import add_overdue_follow_up, add_ppn

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
PPN_KEYS = {"ppn_id", "grade", "concern_at", "deadline", "officer"}


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _write(db_url: str, *rows: Any) -> list[int]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            session.add_all(rows)
            session.flush()
            return [row.id for row in rows]
    finally:
        engine.dispose()


# -- pillars due -----------------------------------------------------------------------------------


def test_pillars_due_lists_late_and_running_ppn_steps_with_their_officer(
    db_url: str, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """On 12/06/2024: Horatio's draft PPN (concern 30 hours before 10:00) was not submitted in
    time; Zebedee's follow-up was due 09/06; Quentin's follow-up falls due 14/06."""
    zebedee_ppn = add_overdue_follow_up(db_url, world)
    quentin_ppn = add_ppn(
        db_url,
        world.quentin,
        world.bram,
        grade=PpnGrade.GREEN,
        concern_at=WORLD_NOW - 4 * DAY,
        raised_at=WORLD_NOW - 4 * DAY,
        state=PpnState.SUBMITTED,
        submitted_at=WORLD_NOW - 4 * DAY + 3 * HOUR,
        follow_up_due_on=WORLD_TODAY + 2 * DAY,
    )
    assert main(["due", "--db", db_url, "--on", "2024-06-12", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    late = {i["rule"]: i for i in doc["breaches"] if i["rule"].startswith("ppn_")}
    assert set(late) == {"ppn_not_submitted", "ppn_follow_up_overdue"}
    for item in late.values():
        assert set(item) >= PPN_KEYS
    follow_up = late["ppn_follow_up_overdue"]
    assert follow_up["offender"] == world.references["zebedee"]
    assert (follow_up["ppn_id"], follow_up["grade"], follow_up["officer"]) == (
        zebedee_ppn,
        "red",
        "Ada Quillfeather",
    )
    assert follow_up["date"] == "2024-06-09"
    assert follow_up["deadline"] == "2024-06-10T00:00:00+01:00"  # the end of 09/06, London
    assert follow_up["concern_at"] == "2024-06-01T11:00:00+01:00"
    submission = late["ppn_not_submitted"]
    assert submission["offender"] == world.references["horatio"]
    assert submission["officer"] == "Ada Quillfeather" and submission["grade"] == "amber"
    assert submission["concern_at"] == "2024-06-11T05:00:00+01:00"
    assert submission["deadline"] == "2024-06-12T05:00:00+01:00"
    [running] = [i for i in doc["due"] if i.get("ppn_id") == quentin_ppn]
    assert (running["rule"], running["date"], running["officer"]) == (
        "ppn_follow_up",
        "2024-06-14",
        "Bramwell Tiddlecombe",
    )
    # every other item keeps exactly the keys it always had
    for item in doc["breaches"] + doc["due"]:
        if not item["rule"].startswith("ppn_"):
            assert not PPN_KEYS & set(item)

    assert main(["due", "--db", db_url, "--on", "2024-06-12"]) == 0
    text = capsys.readouterr().out
    assert (
        "The follow-up with children's social care of a PPN for a concern on 01/06/2024 was due "
        f"by 09/06/2024 and no decision is recorded. PPN {zebedee_ppn} (red), raised by Ada "
        "Quillfeather." in text
    )
    assert f"is due by 14/06/2024. PPN {quentin_ppn} (green), raised by Bramwell" in text


# -- pillars show ----------------------------------------------------------------------------------


def test_pillars_show_gives_each_ppn_in_full(
    db_url: str, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    """Zebedee's PPN from concern to social care's decision, naming the child from the household
    and a neighbour's child added by hand; the draft behind it is late."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            pip = session.scalars(
                select(HouseholdMember.id).where(HouseholdMember.name == "Pip Plimsoll")
            ).one()
    finally:
        engine.dispose()
    closed = add_ppn(
        db_url,
        world.zebedee,
        world.ada,
        grade=PpnGrade.AMBER,
        concern_at=WORLD_NOW - 20 * DAY,
        raised_at=WORLD_NOW - 20 * DAY + HOUR,
        state=PpnState.CLOSED,
        submitted_at=WORLD_NOW - 20 * DAY + 4 * HOUR,
        submitted_by_id=world.ada,
        submission_reference="MASH/2024/0042",
        mash_reviewed_at=WORLD_NOW - 18 * DAY,
        mash_reviewed_by_id=world.bram,
        mash_outcome="Referred to children's social care.",
        follow_up_due_on=WORLD_TODAY - 13 * DAY,
        social_care_decision="Early help offered",
        social_care_decided_on=WORLD_TODAY - 14 * DAY,
        social_care_source="Duty social worker, Fictionton CSC",
        decision_recorded_by_id=world.ada,
        closed_at=WORLD_NOW - 14 * DAY,
    )
    _write(
        db_url,
        PpnSubject(
            ppn_id=closed,
            household_member_id=pip,
            name="Pip Plimsoll",
            date_of_birth=WORLD_TODAY.replace(year=2015),
            is_child=True,
        ),
        PpnSubject(ppn_id=closed, name="Wren Example", relationship="neighbour's child"),
    )
    draft = add_ppn(
        db_url,
        world.zebedee,
        world.bram,
        concern_at=WORLD_NOW - 2 * DAY,
        raised_at=WORLD_NOW - 2 * DAY,
        state=PpnState.DRAFT,
    )

    assert main(["show", "--db", db_url, world.references["zebedee"], "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    by_id = {p["ppn_id"]: p for p in doc["ppns"]}
    assert list(by_id) == [draft, closed]  # newest concern first
    p = by_id[closed]
    assert p["grade"] == "amber" and p["state"] == "closed"
    assert (p["stage"], p["stage_label"], p["late"]) == ("closed", "Closed", False)
    assert p["concern"] == "Fictional concern: a child seen at the address of a friend."
    assert p["concern_at"] == (WORLD_NOW - 20 * DAY).isoformat()
    assert p["raised_by"] == "Ada Quillfeather"
    assert p["subjects"] == [
        {
            "name": "Pip Plimsoll",
            "child": True,
            "date_of_birth": "2015-06-12",
            "relationship": "partner's child",  # the household record's
        },
        {
            "name": "Wren Example",
            "child": True,
            "date_of_birth": None,
            "relationship": "neighbour's child",
        },
    ]
    assert (p["submitted_at"], p["submitted_by"], p["submission_reference"]) == (
        (WORLD_NOW - 20 * DAY + 4 * HOUR).isoformat(),
        "Ada Quillfeather",
        "MASH/2024/0042",
    )
    assert (p["mash_reviewed_at"], p["mash_reviewed_by"], p["mash_outcome"]) == (
        (WORLD_NOW - 18 * DAY).isoformat(),
        "Bramwell Tiddlecombe",
        "Referred to children's social care.",
    )
    assert p["follow_up_due_on"] == "2024-05-30"
    assert (p["social_care_decision"], p["social_care_decided_on"], p["social_care_source"]) == (
        "Early help offered",
        "2024-05-29",
        "Duty social worker, Fictionton CSC",
    )
    assert p["decision_recorded_by"] == "Ada Quillfeather"
    assert p["closed_at"] == (WORLD_NOW - 14 * DAY).isoformat()
    d = by_id[draft]
    assert (d["stage"], d["stage_label"], d["late"]) == ("due", "Due", True)
    assert d["submit_by"] == (WORLD_NOW - DAY).isoformat() and d["submitted_at"] is None
    # the command line judges now (2026), when Zebedee's periodic date is long past too
    assert [b["rule"] for b in doc["breaches"] if b["rule"].startswith("ppn_")] == [
        "ppn_not_submitted"
    ]

    assert main(["show", "--db", db_url, world.references["zebedee"]]) == 0
    text = capsys.readouterr().out
    for line in (
        f"PPN {closed}: AMBER, Closed",
        "  Concern 23/05/2024 11:00: Fictional concern: a child seen at the address of a friend.",
        "  Raised by Ada Quillfeather; concerns Pip Plimsoll (child, partner's child); "
        "Wren Example (child, neighbour's child)",
        "  Submitted 23/05/2024 15:00 by Ada Quillfeather, reference MASH/2024/0042",
        "  MASH review 25/05/2024 11:00 by Bramwell Tiddlecombe: Referred to children's social "
        "care.",
        "  Follow-up with children's social care due 30/05/2024",
        "  Social care's decision 29/05/2024: Early help offered (source: Duty social worker, "
        "Fictionton CSC; recorded by Ada Quillfeather)",
        "  Closed 29/05/2024 11:00",
        f"PPN {draft}: RED, Due, a step is overdue",
        "  Not submitted: was due by 11/06/2024 11:00",
    ):
        assert line in text.splitlines(), line


# -- the inbox: the sergeant's PPN escalation and her cover ---------------------------------------


def _escalation(db_url: str, world: World, due_on: dt.date) -> int:
    [task_id] = _write(
        db_url,
        Task(
            kind=TaskKind.PPN_ESCALATION,
            group=TaskGroup.FOLLOW_UP,
            offender_id=world.zebedee,
            owner_id=world.cora,
            team_id=world.alder,
            subject_type="ppn",
            title="Three PPNs within three months: Zebedee Plimsoll",
            created_at=WORLD_NOW - 3 * DAY,
            due_on=due_on,
        ),
    )
    return task_id


def _seen(services: Services, username: str, on: dt.date) -> dict[int, InboxItem]:
    actor = services.auth.sign_in(username, PASSWORD)
    return {i.task_id: i for i in services.inbox.tasks(actor, on).items}


def test_an_escalation_goes_to_the_absent_sergeants_cover_and_returns_when_she_is_back(
    services: Services, world: World, db_url: str
) -> None:
    task_id = _escalation(db_url, world, WORLD_TODAY + 2 * DAY)
    # on duty: Cora's own
    mine = _seen(services, "cora", WORLD_TODAY)[task_id]
    assert (mine.covering_for, mine.can_act) == ("", True)
    assert task_id not in _seen(services, "hattie", WORLD_TODAY)

    _write(
        db_url,
        Absence(
            officer_id=world.cora,
            kind=AbsenceKind.LEAVE,
            starts_on=WORLD_TODAY - DAY,
            ends_on=WORLD_TODAY + DAY,
        ),
    )
    # absent: Alder has no other sergeant, so Birch's sergeant covers, on Cora's behalf
    assert task_id not in _seen(services, "cora", WORLD_TODAY)
    hattie = services.auth.sign_in("hattie", PASSWORD)
    inbox = services.inbox.tasks(hattie, WORLD_TODAY)
    [item] = [i for i in inbox.items if i.task_id == task_id]
    assert (item.kind_label, item.owner, item.covering_for, item.can_act) == (
        "PPN escalation",
        "Cora Pennywhistle",
        "Cora Pennywhistle",
        True,
    )
    assert any(
        "covering for Cora Pennywhistle" in s and "1 PPN escalation" in s for s in inbox.covering
    )
    claim = services.inbox.claim(hattie, task_id)  # the cover may work it
    assert claim.task_id == task_id
    services.inbox.release(hattie, task_id)
    with pytest.raises(PermissionRefused):
        services.inbox.claim(services.auth.sign_in("gus", PASSWORD), task_id)

    # back on duty the day after her leave: hers again, and no longer the cover's
    back = WORLD_TODAY + 2 * DAY
    assert _seen(services, "cora", back)[task_id].covering_for == ""
    assert task_id not in _seen(services, "hattie", back)


def test_an_overdue_escalation_shows_in_the_team_managers_escalation(
    services: Services, world: World, db_url: str
) -> None:
    dorian = services.auth.sign_in("dorian", PASSWORD)
    before = services.inbox.tasks(dorian, WORLD_TODAY).backlog
    task_id = _escalation(db_url, world, WORLD_TODAY - 8 * DAY)
    inbox = services.inbox.tasks(dorian, WORLD_TODAY)
    [band] = [b for b in inbox.escalation if any(i.task_id == task_id for i in b.items)]
    assert band.label == "6 to 10 working days"
    # an escalation is not an approval: the approval backlog does not count it
    assert inbox.backlog == before
