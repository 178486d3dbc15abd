"""TeamService on both databases: who may manage a team's absences and cover, recording, changing
and cancelling absences, naming cover, every link of the cover chain as the Team screen and the
inbox see it, and a returning sergeant getting their tasks back.

The synthetic world's Alder team has one sergeant (Cora) and a team manager (Dorian); Birch has
Hattie. A second Alder sergeant, Cyril, is added here so the chain's "another sergeant of the
team" link has someone to find. The world's day is Wednesday 12/06/2024."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from db.engine import make_engine, session_factory
from db.enums import Role, TaskGroup, TaskState
from db.models import AuditEvent, Officer, Task
from desktop.services.actor import Actor
from desktop.services.core import Services
from desktop.services.cover import load_roster
from desktop.services.errors import (
    EditConflict,
    NotFound,
    PermissionRefused,
    ServiceError,
    ValidationFailed,
)
from desktop.services.team import AbsenceEntry, TeamChoice
from tests.desktop.factories import PASSWORD, World, add_pending_approvals, populate, world_clock

TODAY = dt.date(2024, 6, 12)
CARD = "4539 1488 0343 6467"  # a fictional number that passes the Luhn check


def day(offset: int) -> dt.date:
    return TODAY + dt.timedelta(days=offset)


def typed(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


@dataclass
class Setup:
    services: Services
    world: World
    db_url: str
    cyril: int

    def sign_in(self, username: str) -> Actor:
        return self.services.auth.sign_in(username, PASSWORD)

    def away(
        self, actor: Actor, officer_id: int, first: dt.date, last: dt.date, kind: str = "leave"
    ) -> int:
        entry = AbsenceEntry(officer_id, kind, typed(first), typed(last))
        return self.services.team.record_absence(actor, entry)

    def audit(self, action: str) -> list[AuditEvent]:
        engine = make_engine(self.db_url)
        try:
            with session_factory(engine)() as session:
                return list(
                    session.scalars(
                        select(AuditEvent)
                        .where(AuditEvent.action == action)
                        .order_by(AuditEvent.id)
                    )
                )
        finally:
            engine.dispose()

    def decide(self, owner_id: int, on: dt.date) -> tuple[int | None, str]:
        engine = make_engine(self.db_url)
        try:
            with session_factory(engine)() as session:
                decision = load_roster(session, on).decide(owner_id)
                return decision.cover_officer_id, decision.link
        finally:
            engine.dispose()


@pytest.fixture
def setup(db_url: str) -> Iterator[Setup]:
    world = populate(db_url)
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            cora = session.get(Officer, world.cora)
            assert cora is not None
            cyril = Officer(
                username="cyril",
                forename="Cyril",
                surname="Wobblethorpe",
                role=Role.SERGEANT,
                team_id=world.alder,
                password_hash=cora.password_hash,
            )
            session.add(cyril)
            session.flush()
            cyril_id = cyril.id
    finally:
        engine.dispose()
    services = Services(db_url, clock=world_clock)
    yield Setup(services, world, db_url, cyril_id)
    services.close()


# -- who may ------------------------------------------------------------------------------------


def test_the_teams_an_officer_may_manage(setup: Setup) -> None:
    w, team = setup.world, setup.services.team
    assert team.teams(setup.sign_in("cora")) == [TeamChoice(w.alder, "Alder")]
    assert team.teams(setup.sign_in("dorian")) == [TeamChoice(w.alder, "Alder")]
    assert team.teams(setup.sign_in("fenn")) == [
        TeamChoice(w.alder, "Alder"),
        TeamChoice(w.birch, "Birch"),
    ]
    assert team.teams(setup.sign_in("ada")) == []
    assert team.teams(setup.sign_in("elsie")) == []


def test_only_the_teams_sergeants_and_managers_and_administrators_see_its_roster(
    setup: Setup,
) -> None:
    w, team = setup.world, setup.services.team
    assert team.roster(setup.sign_in("fenn"), w.birch).team == "Birch"
    assert team.roster(setup.sign_in("dorian"), w.alder).team == "Alder"
    with pytest.raises(PermissionRefused, match="offender manager cannot"):
        team.roster(setup.sign_in("ada"), w.alder)
    with pytest.raises(PermissionRefused, match="This is Alder team.*own team only"):
        team.roster(setup.sign_in("hattie"), w.alder)
    with pytest.raises(NotFound):
        team.roster(setup.sign_in("cora"), 999_999)


def test_absences_only_for_the_officers_of_ones_own_team(setup: Setup) -> None:
    w = setup.world
    with pytest.raises(PermissionRefused, match="Gulliver Snodgrass is in Birch team"):
        setup.away(setup.sign_in("cora"), w.gus, day(1), day(2))
    with pytest.raises(PermissionRefused, match="offender manager cannot"):
        setup.away(setup.sign_in("ada"), w.bram, day(1), day(2))
    # An administrator records anyone's, a hub officer without a team included.
    fenn = setup.sign_in("fenn")
    assert setup.away(fenn, w.gus, day(1), day(2)) > 0
    assert setup.away(fenn, w.elsie, day(1), day(2)) > 0
    assert setup.audit("absence_recorded")[-1].username == "fenn"


# -- recording an absence -------------------------------------------------------------------------


def test_every_problem_of_an_absence_is_named_beside_its_field(setup: Setup) -> None:
    cora = setup.sign_in("cora")
    entry = AbsenceEntry(None, "holiday", "", "31/02/2024", f"Paid to card {CARD}")
    with pytest.raises(ValidationFailed) as refused:
        setup.services.team.record_absence(cora, entry)
    problems = {e.field: e.message for e in refused.value.errors}
    assert problems == {
        "officer_id": "Choose the officer who is away.",
        "kind": "Choose one of: Leave, Sickness, Training, Abstraction, Court.",
        "starts_on": "Enter the first day as dd/mm/yyyy, for example 31/01/1985.",
        "ends_on": "“31/02/2024” is not a day in the calendar.",
        "note": "This looks like a payment card number. Bank, card and passport details must "
        "not be stored in Pillars.",
    }
    entry = AbsenceEntry(setup.world.bram, "Leave", typed(day(5)), typed(day(3)))
    with pytest.raises(ValidationFailed) as refused:
        setup.services.team.record_absence(cora, entry)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        ("ends_on", "The last day 15/06/2024 is before the first day 17/06/2024.")
    ]
    assert setup.audit("absence_recorded") == []


def test_an_overlapping_absence_of_the_same_officer_is_refused_with_its_dates(
    setup: Setup,
) -> None:
    cora, bram = setup.sign_in("cora"), setup.world.bram
    first = setup.away(cora, bram, day(5), day(9))
    entry = AbsenceEntry(bram, "court", typed(day(9)), typed(day(9)))
    with pytest.raises(ValidationFailed) as refused:
        setup.services.team.record_absence(cora, entry)
    assert [(e.field, e.message) for e in refused.value.errors] == [
        (
            "starts_on",
            "Bramwell Tiddlecombe already has leave recorded from 17/06/2024 to 21/06/2024, "
            "which overlaps 21/06/2024 to 21/06/2024. Change that absence instead, or choose "
            "other days.",
        )
    ]
    # Another officer on those days, and Bram the day after, are fine.
    setup.away(cora, setup.world.ada, day(9), day(9))
    setup.away(cora, bram, day(10), day(10), "court")
    roster = setup.services.team.roster(cora, setup.world.alder, day(5))
    mine = next(a for a in roster.absences if a.absence_id == first)
    assert (mine.kind, mine.starts_on, mine.ends_on, mine.when) == (
        "leave",
        day(5),
        day(9),
        "current",
    )
    assert mine.recorded_by == "Cora Pennywhistle"
    audit = setup.audit("absence_recorded")[0]
    assert audit.entity_id == first and audit.username == "cora"
    assert audit.detail == {
        "officer": "bram",
        "kind": "leave",
        "starts_on": "2024-06-17",
        "ends_on": "2024-06-21",
        "note": "",
    }


def test_changing_an_absence_checks_the_version_and_names_who_changed_it(setup: Setup) -> None:
    cora, dorian, bram = setup.sign_in("cora"), setup.sign_in("dorian"), setup.world.bram
    team = setup.services.team
    absence_id = setup.away(cora, bram, day(5), day(9))
    team.change_absence(
        dorian, absence_id, 1, AbsenceEntry(bram, "sickness", typed(day(5)), typed(day(7)), "Flu")
    )
    with pytest.raises(EditConflict, match="Dorian Mothersole changed this absence"):
        team.change_absence(
            cora, absence_id, 1, AbsenceEntry(bram, "leave", "17/06/2024", "18/06/2024")
        )
    with pytest.raises(ValidationFailed, match="stays theirs"):
        team.change_absence(
            cora,
            absence_id,
            2,
            AbsenceEntry(setup.world.ada, "leave", typed(day(5)), typed(day(7))),
        )
    # Its own dates do not clash with themselves.
    team.change_absence(
        cora, absence_id, 2, AbsenceEntry(bram, "sickness", typed(day(4)), typed(day(7)), "Flu")
    )
    view = next(
        a for a in team.roster(cora, setup.world.alder).absences if a.absence_id == absence_id
    )
    assert (view.kind, view.starts_on, view.ends_on, view.note, view.version) == (
        "sickness",
        day(4),
        day(7),
        "Flu",
        3,
    )
    changed = setup.audit("absence_changed")
    assert [e.username for e in changed] == ["dorian", "cora"]
    assert changed[0].detail["changes"] == {
        "kind": ["leave", "sickness"],
        "ends_on": ["2024-06-21", "2024-06-19"],
        "note": ["", "Flu"],
    }


def test_cancelling_an_absence_removes_it_and_its_cover(setup: Setup) -> None:
    cora, w, team = setup.sign_in("cora"), setup.world, setup.services.team
    absence_id = setup.away(setup.sign_in("dorian"), w.cora, day(0), day(2))
    team.name_cover(cora, absence_id, w.hattie, day(0), day(2))
    with pytest.raises(EditConflict):
        team.cancel_absence(cora, absence_id, 1)  # naming cover moved the absence's version
    team.cancel_absence(cora, absence_id, 2)
    assert team.roster(cora, w.alder).absences == ()
    assert setup.decide(w.cora, day(1))[1] == "owner"
    with pytest.raises(NotFound, match="no longer recorded"):
        team.cancel_absence(cora, absence_id, 2)
    (event,) = setup.audit("absence_cancelled")
    assert event.detail["covers"] == ["Hattie Bumblesworth (12/06/2024 to 14/06/2024)"]


# -- naming cover ---------------------------------------------------------------------------------


def test_named_cover_must_be_a_sergeant_or_manager_on_duty_within_the_absence(
    setup: Setup,
) -> None:
    w, team = setup.world, setup.services.team
    cora, dorian = setup.sign_in("cora"), setup.sign_in("dorian")
    absence_id = setup.away(dorian, w.cora, day(0), day(4))

    def refused(cover: int | None, first: dt.date | str, last: dt.date | str) -> dict[str, str]:
        with pytest.raises(ValidationFailed) as error:
            team.name_cover(dorian, absence_id, cover, first, last)
        return {e.field: e.message for e in error.value.errors}

    assert refused(w.ada, day(0), day(1)) == {
        "cover_officer_id": "Ada Quillfeather is an offender manager: cover is a sergeant or a "
        "team manager, who may approve work."
    }
    assert refused(w.cora, day(0), day(1))["cover_officer_id"] == (
        "Cora Pennywhistle is the one away and cannot cover their own absence."
    )
    assert refused(None, "", day(9)) == {
        "starts_on": "Enter the first day as dd/mm/yyyy, for example 31/01/1985.",
        "ends_on": "21/06/2024 is outside the absence (12/06/2024 to 16/06/2024): cover is "
        "named for days of the absence.",
        "cover_officer_id": "Choose the sergeant or team manager who covers.",
    }
    setup.away(cora, setup.cyril, day(3), day(6), "training")
    assert refused(setup.cyril, day(0), day(4)) == {
        "cover_officer_id": "Cyril Wobblethorpe is away themselves (training 15/06/2024 to "
        "18/06/2024), so cannot cover 12/06/2024 to 16/06/2024. Choose someone else, or name "
        "them for days they are on duty."
    }
    # For the days Cyril is on duty, and then a second cover for the rest.
    first = team.name_cover(dorian, absence_id, setup.cyril, day(0), day(2))
    assert refused(w.hattie, "13/06/2024", "16/06/2024") == {
        "starts_on": "Cyril Wobblethorpe (12/06/2024 to 14/06/2024) is already named for these "
        "days; remove that cover first, or name this one for other days."
    }
    second = team.name_cover(cora, absence_id, w.hattie, "15/06/2024", "16/06/2024")
    view = team.roster(cora, w.alder).absences[0]
    assert [
        (c.arrangement_id, c.name, c.starts_on, c.ends_on, c.named_by) for c in view.covers
    ] == [
        (first, "Cyril Wobblethorpe", day(0), day(2), "Dorian Mothersole"),
        (second, "Hattie Bumblesworth", day(3), day(4), "Cora Pennywhistle"),
    ]
    assert [e.detail for e in setup.audit("cover_named")] == [
        {
            "absence_id": absence_id,
            "absent_officer": "cora",
            "cover_officer": "cyril",
            "starts_on": "2024-06-12",
            "ends_on": "2024-06-14",
        },
        {
            "absence_id": absence_id,
            "absent_officer": "cora",
            "cover_officer": "hattie",
            "starts_on": "2024-06-15",
            "ends_on": "2024-06-16",
        },
    ]
    # Hattie may not name cover for an Alder absence; nor is cover named for an offender manager.
    with pytest.raises(PermissionRefused, match="Cora Pennywhistle is in Alder team"):
        team.name_cover(setup.sign_in("hattie"), absence_id, w.hattie, day(3), day(4))
    bram_away = setup.away(cora, w.bram, day(0), day(1))
    with pytest.raises(ServiceError, match="offender manager and has no approvals to cover"):
        team.name_cover(cora, bram_away, setup.cyril, day(0), day(1))


def test_the_cover_choices_say_who_is_away_on_the_days(setup: Setup) -> None:
    w, cora = setup.world, setup.sign_in("cora")
    absence_id = setup.away(setup.sign_in("dorian"), w.cora, day(0), day(4))
    setup.away(cora, setup.cyril, day(3), day(6), "training")
    choices = setup.services.team.cover_choices(cora, absence_id)
    assert [(c.name, c.team, c.away) for c in choices] == [
        ("Dorian Mothersole", "Alder", ""),
        ("Cyril Wobblethorpe", "Alder", "training 15/06/2024 to 18/06/2024"),
        ("Hattie Bumblesworth", "Birch", ""),
    ]


def test_removing_a_named_cover_gives_the_days_back_to_the_chain(setup: Setup) -> None:
    w, team, cora = setup.world, setup.services.team, setup.sign_in("cora")
    absence_id = setup.away(setup.sign_in("dorian"), w.cora, day(0), day(4))
    arrangement = team.name_cover(cora, absence_id, w.hattie, day(0), day(4))
    assert setup.decide(w.cora, day(1)) == (w.hattie, "named_cover")
    with pytest.raises(EditConflict):
        team.remove_cover(cora, arrangement, 2)
    team.remove_cover(cora, arrangement, 1)
    assert setup.decide(w.cora, day(1)) == (setup.cyril, "team_sergeant")
    with pytest.raises(NotFound):
        team.remove_cover(cora, arrangement, 1)
    (event,) = setup.audit("cover_removed")
    assert event.detail["cover_officer"] == "hattie" and event.entity_id == arrangement


def test_shortening_an_absence_trims_its_named_cover(setup: Setup) -> None:
    w, team, cora = setup.world, setup.services.team, setup.sign_in("cora")
    absence_id = setup.away(setup.sign_in("dorian"), w.cora, day(0), day(6))
    team.name_cover(cora, absence_id, setup.cyril, day(0), day(2))
    team.name_cover(cora, absence_id, w.hattie, day(5), day(6))
    entry = AbsenceEntry(w.cora, "leave", typed(day(1)), typed(day(3)))
    team.change_absence(cora, absence_id, 3, entry)
    (view,) = team.roster(cora, w.alder).absences
    assert [(c.name, c.starts_on, c.ends_on) for c in view.covers] == [
        ("Cyril Wobblethorpe", day(1), day(2))
    ]
    assert setup.audit("absence_changed")[0].detail["cover_trimmed"] == [
        "Cyril Wobblethorpe (12/06/2024 to 14/06/2024) now 13/06/2024 to 14/06/2024",
        "Hattie Bumblesworth (17/06/2024 to 18/06/2024) removed",
    ]


# -- the chain ------------------------------------------------------------------------------------


def test_every_link_of_the_cover_chain_through_the_database(setup: Setup) -> None:
    """Cora away all week; day by day one more officer is away too."""
    w, team = setup.world, setup.services.team
    fenn, cora_id = setup.sign_in("fenn"), w.cora
    absence_id = setup.away(fenn, cora_id, day(0), day(6))
    team.name_cover(fenn, absence_id, w.hattie, day(0), day(0))
    team.name_cover(fenn, absence_id, w.hattie, day(6), day(6))
    setup.away(fenn, w.hattie, day(2), day(6))  # so on day 6 the named cover is away too
    setup.away(fenn, setup.cyril, day(3), day(6))  # both Alder sergeants away from day 3
    setup.away(fenn, w.dorian, day(5), day(6))
    expected = {
        day(0): (w.hattie, "named_cover"),
        day(1): (setup.cyril, "team_sergeant"),
        day(2): (setup.cyril, "team_sergeant"),
        day(3): (w.dorian, "team_manager"),
        day(4): (w.dorian, "team_manager"),
        day(5): (None, "nobody"),
        day(6): (None, "nobody"),
        day(7): (cora_id, "owner"),
    }
    assert {on: setup.decide(cora_id, on) for on in expected} == expected

    assert {on: setup.decide(cora_id, on) for on in expected} == expected

    # A sergeant of another team, when no sergeant of the team is on duty: make Hattie available
    # on day 3 by moving her absence.
    hattie_away = next(
        a for a in team.roster(fenn, w.birch, day(2)).absences if a.officer_id == w.hattie
    )
    team.change_absence(
        fenn,
        hattie_away.absence_id,
        hattie_away.version,
        AbsenceEntry(w.hattie, "leave", typed(day(5)), typed(day(6))),
    )
    assert setup.decide(cora_id, day(3)) == (w.hattie, "other_team_sergeant")

    roster = team.roster(fenn, w.alder, day(3))
    members = {m.username: m for m in roster.members}
    assert [m.username for m in roster.members] == ["dorian", "cora", "cyril", "ada", "bram"]
    cora = members["cora"]
    assert (cora.on_duty, cora.absence_kind, cora.absent_until) == (False, "leave", day(6))
    assert (cora.covered_by, cora.covered_by_team, cora.cover_link) == (
        "Hattie Bumblesworth",
        "Birch",
        "other_team_sergeant",
    )
    assert cora.cover_reason == (
        "Cora Pennywhistle is absent on 15/06/2024: Hattie Bumblesworth, a sergeant of another "
        "team, as no sergeant of the team is on duty, covers."
    )
    assert members["cyril"].cover_link == "other_team_sergeant"  # both sergeants away
    assert members["dorian"].on_duty and members["dorian"].cover_link is None
    assert members["ada"].covered_by is None and members["ada"].cover_reason == ""
    birch = {m.username: m for m in team.roster(fenn, w.birch, day(3)).members}
    assert birch["hattie"].covering == ("Cora Pennywhistle", "Cyril Wobblethorpe")

    nobody = {m.username: m for m in team.roster(fenn, w.alder, day(5)).members}["cora"]
    assert (nobody.covered_by, nobody.cover_link) == (None, "nobody")
    assert "nobody can cover" in nobody.cover_reason


def test_a_returning_sergeant_gets_their_unfinished_tasks_back(setup: Setup) -> None:
    w = setup.world
    add_pending_approvals(setup.db_url, w)
    cora = setup.sign_in("cora")
    absence_id = setup.away(setup.sign_in("dorian"), w.cora, day(0), day(2))
    setup.services.team.name_cover(cora, absence_id, setup.cyril, day(0), day(2))
    assert setup.decide(w.cora, day(2)) == (setup.cyril, "named_cover")
    assert setup.decide(w.cora, day(3)) == (w.cora, "owner")
    engine = make_engine(setup.db_url)
    try:
        with session_factory(engine)() as session:
            owned = session.scalar(
                select(func.count()).where(
                    Task.owner_id == w.cora,
                    Task.group == TaskGroup.APPROVAL,
                    Task.state == TaskState.OPEN,
                )
            )
    finally:
        engine.dispose()
    assert owned is not None and owned >= 3  # the pending work added above, at least
    during = {m.username: m for m in setup.services.team.roster(cora, w.alder).members}
    assert during["cora"].open_approvals == owned  # still hers: cover is worked out day by day
    assert during["cyril"].covering == ("Cora Pennywhistle",)
    back = {m.username: m for m in setup.services.team.roster(cora, w.alder, day(3)).members}
    assert back["cora"].on_duty and back["cora"].open_approvals == owned
    assert back["cyril"].covering == ()


def test_the_roster_shows_current_upcoming_and_recent_absences(setup: Setup) -> None:
    w, cora = setup.world, setup.sign_in("cora")
    setup.away(cora, w.ada, day(-20), day(-15))  # ended over 14 days ago: not shown
    recent = setup.away(cora, w.ada, day(-14), day(-10))
    current = setup.away(cora, w.bram, day(-1), day(1), "sickness")
    upcoming = setup.away(cora, w.ada, day(60), day(62), "training")
    setup.away(cora, w.ada, day(63), day(70))  # starts over 60 days ahead: not shown
    roster = setup.services.team.roster(cora, w.alder)
    assert [(a.absence_id, a.when) for a in roster.absences] == [
        (recent, "recent"),
        (current, "current"),
        (upcoming, "upcoming"),
    ]
    bram = next(m for m in roster.members if m.username == "bram")
    assert (bram.on_duty, bram.absence_kind, bram.absent_until) == (False, "sickness", day(1))
