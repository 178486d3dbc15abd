"""The daily meeting sheet (issue #8 item 5) on the synthetic world, Wednesday 12/06/2024 at 11:00
in England, on SQLite and PostgreSQL: each of the six sections with the facts built here (a
release tomorrow and one never recorded, trips abroad and their changes, new convictions visited
and not, overdue visits and approvals with the cover chain, draft PPNs late and in time), who may
read it (and that a refusal reads nothing), and the PDF read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator

import pytest
from pypdf import PdfReader
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from db.engine import make_engine, session_factory
from db.enums import (
    TASK_GROUP,
    AbsenceKind,
    ApprovalState,
    NotificationKind,
    NotificationState,
    OffenderStatus,
    PpnGrade,
    PpnState,
    SentenceKind,
    TaskKind,
    TaskState,
    VisitOutcome,
)
from db.models import (
    Absence,
    AuditEvent,
    Conviction,
    Notification,
    Offender,
    Ppn,
    Task,
    Visit,
)
from desktop.reports.daily import sheet_title
from desktop.services.actor import Actor
from desktop.services.core import Services
from desktop.services.daily import DailyLine, DailySheet
from desktop.services.errors import NotFound, PermissionRefused
from tests.desktop.factories import PASSWORD, WORLD_NOW, WORLD_TODAY, World, populate, world_clock

TODAY = WORLD_TODAY  # Wednesday 12/06/2024
DAY = dt.timedelta(days=1)


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


@pytest.fixture
def sign_in(services: Services) -> Callable[[str], Actor]:
    return lambda username: services.auth.sign_in(username, PASSWORD)


def build(db_url: str, fill: Callable[[Session], object]) -> None:
    """Add rows to the world in one committed transaction."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            fill(session)
    finally:
        engine.dispose()


def lines(sheet: DailySheet, key: str) -> list[DailyLine]:
    return list(sheet.section(key).lines)


def names(sheet: DailySheet, key: str) -> list[str]:
    return [line.name for line in lines(sheet, key)]


def line_of(sheet: DailySheet, key: str, name: str) -> DailyLine:
    found = [line for line in lines(sheet, key) if line.name == name]
    assert len(found) == 1, f"{name} is listed {len(found)} times under {key}: {names(sheet, key)}"
    return found[0]


def trip(
    offender_id: int,
    departure: dt.date,
    back: dt.date | None,
    places: list[str],
    *,
    state: NotificationState = NotificationState.RECEIVED,
    changes: Notification | None = None,
) -> Notification:
    """A trip abroad as the hub enters it (a change names the trip it changes)."""
    details: dict[str, object] = {
        "departure": departure.isoformat(),
        "return": back.isoformat() if back else None,
        "destinations": places,
    }
    kind = NotificationKind.FOREIGN_TRAVEL
    if changes is not None:
        kind = NotificationKind.FOREIGN_TRAVEL_CHANGE
        details |= {
            "trip_notification_id": changes.id,
            "previous_departure": changes.event_on.isoformat(),
        }
    return Notification(
        offender_id=offender_id,
        kind=kind,
        event_on=departure,
        notified_on=TODAY - 10 * DAY,
        details=details,
        state=state,
    )


# -- the sections ---------------------------------------------------------------------------------


def test_releases_list_tomorrows_and_the_unrecorded_one_first_marked_late(
    db_url: str, world: World, services: Services, sign_in: Callable[[str], Actor]
) -> None:
    def fill(session: Session) -> None:
        percival = session.get(Offender, world.percival)
        assert percival is not None
        percival.status = OffenderStatus.CUSTODY
        percival.expected_release_on = TODAY + DAY
        zebedee = session.get(Offender, world.zebedee)
        assert zebedee is not None  # in custody, out beyond the week: not on the sheet
        zebedee.status = OffenderStatus.CUSTODY
        zebedee.expected_release_on = TODAY + 8 * DAY

    build(db_url, fill)
    sheet = services.daily.sheet(sign_in("cora"))
    assert sheet.team_name == "Alder" and sheet.on == TODAY
    assert names(sheet, "releases") == ["Barnaby Custard", "Percival Gumboot"]
    barnaby, percival = lines(sheet, "releases")
    # Barnaby's expected release was 07/06/2024 and the record still says custody
    assert barnaby.late and barnaby.when == TODAY - 5 * DAY
    assert barnaby.detail.startswith("Release date 07/06/2024 passed 5 days ago: release not")
    assert (barnaby.reference, barnaby.team, barnaby.manager) == (
        world.references["barnaby"],
        "Alder",
        "Bramwell Tiddlecombe",
    )
    assert not percival.late and percival.when == TODAY + DAY
    assert "expected tomorrow (Thursday 13/06/2024)" in percival.detail
    assert "within 3 days of release, by 16/06/2024" in percival.detail


def test_departures_abroad_in_the_week_as_last_changed(
    db_url: str, world: World, services: Services, sign_in: Callable[[str], Actor]
) -> None:
    def fill(session: Session) -> None:
        soon = trip(world.zebedee, TODAY + 3 * DAY, TODAY + 10 * DAY, ["France", "Spain"])
        moved_in = trip(world.percival, TODAY + 30 * DAY, TODAY + 40 * DAY, ["Italy"])
        moved_out = trip(world.horatio, TODAY + 2 * DAY, TODAY + 9 * DAY, ["Malta"])
        rejected = trip(
            world.quentin, TODAY + DAY, None, ["Norway"], state=NotificationState.REJECTED
        )
        later = trip(world.mortimer, TODAY + 8 * DAY, TODAY + 12 * DAY, ["Iceland"])
        session.add_all([soon, moved_in, moved_out, rejected, later])
        session.flush()
        first_change = trip(
            world.percival, TODAY + 20 * DAY, TODAY + 25 * DAY, ["Italy"], changes=moved_in
        )
        session.add(first_change)
        session.flush()
        session.add_all(
            [
                # changed twice: the latest word brings the trip into the week
                trip(
                    world.percival,
                    TODAY + 6 * DAY,
                    TODAY + 12 * DAY,
                    ["Italy", "Greece"],
                    state=NotificationState.PROCESSED,
                    changes=first_change,
                ),
                trip(
                    world.horatio, TODAY + 20 * DAY, TODAY + 27 * DAY, ["Malta"], changes=moved_out
                ),
            ]
        )

    build(db_url, fill)
    sheet = services.daily.sheet(sign_in("dorian"), team_id=world.alder)
    assert names(sheet, "departures") == ["Zebedee Plimsoll", "Percival Gumboot"]
    zebedee, percival = lines(sheet, "departures")
    assert zebedee.when == TODAY + 3 * DAY and not zebedee.late
    assert zebedee.detail == (
        "Departs on Saturday 15/06/2024 (in 3 days) to France, Spain, returning 22/06/2024. "
        "The notification is waiting for the hub."
    )
    assert percival.when == TODAY + 6 * DAY
    assert "to Italy, Greece, returning 24/06/2024" in percival.detail
    assert "Changed from a departure on 02/07/2024." in percival.detail
    assert "waiting for the hub" not in percival.detail


def test_new_convictions_not_yet_visited(
    db_url: str, world: World, services: Services, sign_in: Callable[[str], Actor]
) -> None:
    def fill(session: Session) -> None:
        session.add_all(
            [
                # convicted 5 days ago, not sentenced, last seen two years ago: due in 2 days
                Conviction(
                    offender_id=world.quentin,
                    offence="Fictional offence under s.3 Pretend Act",
                    convicted_on=TODAY - 5 * DAY,
                ),
                # convicted 10 days ago and visited since: nothing to say
                Conviction(
                    offender_id=world.percival,
                    offence="Fictional offence under s.4 Pretend Act",
                    convicted_on=TODAY - 10 * DAY,
                    sentenced_on=TODAY + 20 * DAY,
                ),
                Visit(
                    offender_id=world.percival,
                    planned_at=WORLD_NOW - 3 * DAY,
                    occurred_at=WORLD_NOW - 3 * DAY,
                    officer1_id=world.bram,
                    officer2_id=world.ada,
                    outcome=VisitOutcome.COMPLETED,
                    record_state=ApprovalState.APPROVED,
                ),
                # convicted 12 days ago, no sentencing date: the first visit was due 05/06
                Conviction(
                    offender_id=world.horatio,
                    offence="Fictional offence under s.5 Pretend Act.",
                    convicted_on=TODAY - 12 * DAY,
                ),
                # convicted 40 days ago: not new
                Conviction(
                    offender_id=world.zebedee,
                    offence="Fictional offence under s.6 Pretend Act",
                    convicted_on=TODAY - 40 * DAY,
                    sentenced_on=TODAY - 30 * DAY,
                    sentence_kind=SentenceKind.COMMUNITY_ORDER,
                ),
            ]
        )
        # registered 20 days ago (a transfer in, no conviction recorded), never seen
        mortimer = session.get(Offender, world.mortimer)
        assert mortimer is not None
        mortimer.registration_start = TODAY - 20 * DAY

    build(db_url, fill)
    sheet = services.daily.sheet(sign_in("cora"))
    assert names(sheet, "new_convictions") == [
        "Mortimer Wobblebottom",
        "Horatio Fiddlesticks",
        "Quentin Marmalade",
    ]
    mortimer, horatio, quentin = lines(sheet, "new_convictions")
    # late first: never seen since registering, the first visit was due 7 days after
    assert mortimer.late and mortimer.manager == "" and mortimer.when == TODAY - 20 * DAY
    assert mortimer.detail == (
        "Registered 23/05/2024 with no recent conviction recorded; never visited. A home visit "
        "was due by 30/05/2024: overdue."
    )
    # Horatio's routine visit fell due before the conviction's, and is still owed
    assert horatio.late and horatio.when == TODAY - 12 * DAY
    assert horatio.detail == (
        "Convicted 31/05/2024 of Fictional offence under s.5 Pretend Act; not yet sentenced; not "
        "visited since, last seen 12/03/2024. A home visit was due by 12/04/2024: overdue."
    )
    assert not quentin.late
    assert quentin.detail == (
        "Convicted 07/06/2024 of Fictional offence under s.3 Pretend Act; not yet sentenced; not "
        "visited since, last seen 12/06/2022. Home visit due by 14/06/2024 (before sentence)."
    )


def test_overdue_visits_and_approvals_with_the_cover_today(
    db_url: str, world: World, services: Services, sign_in: Callable[[str], Actor]
) -> None:
    def fill(session: Session) -> None:
        # Cora is on leave: her overdue approval is seen by Hattie, Birch's sergeant
        session.add(
            Absence(
                officer_id=world.cora,
                kind=AbsenceKind.LEAVE,
                starts_on=TODAY - DAY,
                ends_on=TODAY + 2 * DAY,
            )
        )
        session.add(
            Task(  # not due yet: not on the sheet
                kind=TaskKind.PLAN_APPROVAL,
                group=TASK_GROUP[TaskKind.PLAN_APPROVAL],
                offender_id=world.zebedee,
                owner_id=world.cora,
                team_id=world.alder,
                title="Approve plan",
                due_on=TODAY,
                state=TaskState.OPEN,
            )
        )

    build(db_url, fill)
    sheet = services.daily.sheet(sign_in("cora"))
    visits = lines(sheet, "overdue_visits")
    assert [v.name for v in visits] == ["Horatio Fiddlesticks", "Mortimer Wobblebottom"]
    assert all(v.late for v in visits)
    assert visits[0].when == dt.date(2024, 4, 12)  # very high risk: a month after 12/03
    assert visits[0].detail == (
        "Home visit (routine) was due by 12/04/2024, 61 days ago; last seen 12/03/2024. "
        "No visit planned."
    )
    assert "never seen" in visits[1].detail

    (approval,) = lines(sheet, "overdue_approvals")
    assert approval.name == "Horatio Fiddlesticks" and approval.late
    assert approval.when == TODAY - 2 * DAY
    assert approval.detail == (
        "Visit record approval was due by 10/06/2024: 2 working days overdue, with Cora "
        "Pennywhistle, who is absent: Hattie Bumblesworth covers today."
    )


def test_ppns_not_submitted_late_first(
    db_url: str, world: World, services: Services, sign_in: Callable[[str], Actor]
) -> None:
    def ppn(offender_id: int, hours_ago: float, state: PpnState) -> Ppn:
        return Ppn(
            offender_id=offender_id,
            grade=PpnGrade.RED,
            concern="Fictional concern about a child visitor.",
            concern_at=WORLD_NOW - dt.timedelta(hours=hours_ago),
            raised_by_id=world.bram,
            state=state,
        )

    build(
        db_url,
        lambda s: s.add_all(
            [
                ppn(world.zebedee, 2, PpnState.DRAFT),
                ppn(world.percival, 40, PpnState.SUBMITTED),
            ]
        ),
    )
    sheet = services.daily.sheet(sign_in("cora"))
    assert names(sheet, "ppns_not_submitted") == ["Horatio Fiddlesticks", "Zebedee Plimsoll"]
    horatio, zebedee = lines(sheet, "ppns_not_submitted")
    assert horatio.late
    assert horatio.detail == (
        "Amber PPN raised by Ada Quillfeather. A PPN for a concern on 11/06/2024 was not "
        "submitted within 24 hours."
    )
    assert not zebedee.late
    assert zebedee.when == WORLD_NOW + dt.timedelta(hours=22)
    assert "is to be submitted by 09:00 on 13/06/2024" in zebedee.detail

    # the sheet of an earlier day judges at that day's end: the new draft did not exist then
    yesterday = services.daily.sheet(sign_in("cora"), TODAY - DAY)
    assert names(yesterday, "ppns_not_submitted") == ["Horatio Fiddlesticks"]
    assert not yesterday.section("ppns_not_submitted").lines[0].late


def test_every_section_says_so_when_empty_and_keeps_its_order(
    world: World, services: Services, sign_in: Callable[[str], Actor]
) -> None:
    sheet = services.daily.sheet(sign_in("hattie"))
    assert sheet.team_name == "Birch"
    assert [s.key for s in sheet.sections] == [
        "releases",
        "departures",
        "new_convictions",
        "overdue_visits",
        "overdue_approvals",
        "ppns_not_submitted",
    ]
    assert names(sheet, "overdue_visits") == ["Cuthbert Pumpernickel"]  # after release, unseen
    empty = {s.key: s.empty_text for s in sheet.sections if not s.lines}
    assert empty["releases"] == "No releases due, and none overdue."
    assert empty["ppns_not_submitted"] == "No PPNs waiting to be submitted."
    assert len(empty) == 5


# -- who may read it ------------------------------------------------------------------------------


def test_a_team_manager_sees_any_team_or_the_force(
    world: World, services: Services, sign_in: Callable[[str], Actor]
) -> None:
    dorian = sign_in("dorian")
    force = services.daily.sheet(dorian)
    assert (force.team_id, force.team_name, force.made_by) == (
        None,
        "All teams",
        "Dorian Mothersole",
    )
    assert force.made_at == WORLD_NOW
    assert {line.team for line in lines(force, "overdue_visits")} == {"Alder", "Birch"}
    birch = services.daily.sheet(dorian, team_id=world.birch)
    assert birch.team_name == "Birch"
    assert names(birch, "overdue_visits") == ["Cuthbert Pumpernickel"]
    assert services.daily.teams(dorian) == [(world.alder, "Alder"), (world.birch, "Birch")]
    with pytest.raises(NotFound, match="no team number 999"):
        services.daily.sheet(dorian, team_id=999)
    # the command line sees the force
    assert services.daily.sheet(None).made_by == "pillars daily (command line)"


def test_a_sergeant_sees_their_own_team_only(
    world: World, services: Services, sign_in: Callable[[str], Actor]
) -> None:
    cora = sign_in("cora")
    assert services.daily.sheet(cora, team_id=world.alder).team_name == "Alder"
    assert services.daily.teams(cora) == [(world.alder, "Alder")]
    with pytest.raises(PermissionRefused, match=r"their own team only \(Alder\)"):
        services.daily.sheet(cora, team_id=world.birch)


@pytest.mark.parametrize(
    ("username", "says"),
    [
        ("ada", "an offender manager cannot open it"),
        ("elsie", "a hub officer cannot open it"),
        ("fenn", "an administrator cannot open it"),
    ],
)
def test_others_are_refused_before_anything_is_read(
    world: World, services: Services, sign_in: Callable[[str], Actor], username: str, says: str
) -> None:
    actor = sign_in(username)
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    event.listen(services.engine, "before_cursor_execute", seen)
    try:
        for call in (services.daily.sheet, services.daily.pdf, services.daily.teams):
            with pytest.raises(
                PermissionRefused, match="for sergeants and team managers"
            ) as refused:
                call(actor)
            assert says in str(refused.value)
    finally:
        event.remove(services.engine, "before_cursor_execute", seen)
    assert statements == []


# -- the PDF --------------------------------------------------------------------------------------


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_pdf_reads_back_marked_numbered_with_every_section(
    db_url: str, world: World, services: Services, sign_in: Callable[[str], Actor]
) -> None:
    # enough overdue approvals to run the table over several pages
    build(
        db_url,
        lambda s: s.add_all(
            Task(
                kind=TaskKind.ASSESSMENT_APPROVAL,
                group=TASK_GROUP[TaskKind.ASSESSMENT_APPROVAL],
                offender_id=world.zebedee,
                owner_id=world.cora,
                team_id=world.alder,
                title=f"Approve ARMS {i}",
                due_on=TODAY - (i % 20 + 1) * DAY,
                state=TaskState.OPEN,
            )
            for i in range(70)
        ),
    )
    cora = sign_in("cora")
    pdf = services.daily.pdf(cora)
    pages = _pages(pdf)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") == 2
        assert f"Page {number} of {len(pages)}" in text
        assert "Team Alder" in text and "printed by Cora Pennywhistle on 12/06/2024 11:00" in text
    whole = "\n".join(pages)
    assert sheet_title(TODAY) == "Daily meeting sheet: Wednesday 12/06/2024"
    assert pages[0].count(sheet_title(TODAY)) == 2  # the running title and the heading
    for heading in (
        "Releases (1)",
        "Departures abroad (0)",
        "New convictions not yet visited (0)",
        "Overdue home visits (2)",
        "Overdue approvals (71)",
        "PPNs not submitted (1)",
    ):
        assert heading in whole
    assert "No departures abroad notified." in whole
    assert "release not recorded" in whole
    # a team's sheet names the manager, not the team, on each line; late lines say so in words
    assert "Manager" in pages[0] and not re.search(r"Team and\s+manager", whole)
    assert len(re.findall(r"^LATE", whole, re.MULTILINE)) == 1 + 2 + 71 + 1

    with services.transaction() as session:
        row = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "daily_sheet_printed")
        ).one()
    assert row.officer_id == world.cora and row.entity_id == world.alder
    assert row.detail["on"] == "2024-06-12"
    assert row.detail["lines"]["overdue_approvals"] == 71
    assert set(row.detail["offender_ids"]) == {
        world.barnaby,
        world.horatio,
        world.mortimer,
        world.zebedee,
    }


def test_the_force_pdf_names_the_team_on_each_line(
    world: World, services: Services, sign_in: Callable[[str], Actor]
) -> None:
    pages = _pages(services.daily.pdf(sign_in("dorian"), TODAY + DAY))
    whole = "\n".join(pages)
    assert "Daily meeting sheet: Thursday 13/06/2024" in whole
    assert re.search(r"Team and\s+manager", whole)
    assert "All teams · " in whole and "Team All teams" not in whole
    assert re.search(r"Cuthbert\s+Pumpernickel\s+Birch\s+Gulliver\s+Snodgrass", whole)
