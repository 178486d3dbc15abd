"""The ViSOR hub: a hub officer enters a statutory notification, which raises a hub task due by
the statutory deadline, and processing it updates the record. Every kind's effect, every refusal,
and two hub officers processing the same task at once."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.enums import (
    NotificationState,
    OffenderStatus,
    Role,
    TaskGroup,
    TaskKind,
    TaskState,
)
from db.models import (
    Address,
    Alias,
    AuditEvent,
    HouseholdMember,
    Notification,
    Offender,
    Officer,
    RiskAssessment,
    Task,
)
from desktop.services.actor import Actor
from desktop.services.core import Services
from desktop.services.errors import (
    EditConflict,
    NotFound,
    PermissionRefused,
    ServiceError,
    ValidationFailed,
)
from desktop.services.hub import NotificationEntry, summary_line
from desktop.services.inbox import TaskClaimed
from tests.desktop.factories import PASSWORD, World, password_hash, populate, world_clock

TODAY = dt.date(2024, 6, 12)  # the world's today
CARD = "4539 1488 0343 6467"


@pytest.fixture
def world(db_url: str) -> World:
    w = populate(db_url)
    with _session(db_url) as session, session.begin():
        session.add(
            Officer(
                username="ivor",
                forename="Ivor",
                surname="Inkwell",
                role=Role.HUB_OFFICER,
                password_hash=password_hash(),
            )
        )
    return w


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


@pytest.fixture
def elsie(services: Services) -> Actor:
    return services.auth.sign_in("elsie", PASSWORD)


class _session:
    """A plain session on the test database, to read what the services wrote."""

    def __init__(self, db_url: str) -> None:
        self.engine = make_engine(db_url)
        self.session = session_factory(self.engine)()

    def __enter__(self):  # noqa: ANN204
        return self.session

    def __exit__(self, *exc: object) -> None:
        self.session.close()
        self.engine.dispose()


def _get(db_url: str, model: Any, row_id: int) -> Any:
    with _session(db_url) as session:
        row = session.get(model, row_id)
        assert row is not None
        session.expunge(row)
        return row


def _all(db_url: str, stmt: Any) -> list[Any]:
    with _session(db_url) as session:
        rows = list(session.scalars(stmt))
        session.expunge_all()
        return rows


def _audit(db_url: str) -> list[str]:
    return _all(db_url, select(AuditEvent.action).order_by(AuditEvent.id))


def _dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _entry(world: World, kind: str, offender: str = "zebedee", **fields: Any) -> NotificationEntry:
    reference = world.references[offender] if kind != "transfer_in" else ""
    return NotificationEntry(kind=kind, reference=reference, **fields)


NEW_HOME = {"line1": "2 Treacle Street", "town": "Northvale", "postcode": "zz3 5qq"}


def _process(services: Services, actor: Actor, task_id: int, **kwargs: Any) -> Any:
    view = services.hub.view(actor, task_id)
    return services.hub.process(actor, task_id, view.version, **kwargs)


# -- entering and its deadlines --------------------------------------------------------------------


def test_entering_a_change_of_address_raises_a_hub_task_due_by_the_deadline(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    moved = TODAY - dt.timedelta(days=2)
    task_id = services.hub.enter(
        elsie, _entry(world, "change_of_address", event_on=_dmy(moved), **NEW_HOME)
    )
    task = _get(db_url, Task, task_id)
    assert task.kind == TaskKind.HUB_NOTIFICATION and task.group == TaskGroup.HUB
    assert task.owner_id is None and task.team_id == world.alder
    assert task.offender_id == world.zebedee and task.state == TaskState.OPEN
    assert task.title == "Change of address: ZZ/2019/004512 (Zebedee Plimsoll)"
    assert task.due_on == moved + dt.timedelta(days=3)  # s84: within 3 days of the move
    notification = _get(db_url, Notification, task.subject_id)
    assert notification.state == NotificationState.RECEIVED
    assert notification.due_on == moved + dt.timedelta(days=3)
    assert notification.notified_on == TODAY and notification.received_by_id == world.elsie
    assert notification.details["postcode"] == "ZZ3 5QQ"  # the demo's keys, postcode normalised
    assert notification.details["from"] == moved.isoformat()
    assert _audit(db_url)[-1] == "notification_entered"
    view = services.hub.view(elsie, task_id)
    assert not view.late and view.kind_label == "Change of address"
    assert ("New home address", "2 Treacle Street, Northvale ZZ3 5QQ") in view.details


def test_a_change_of_address_notified_late_is_due_the_day_it_was_received(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    moved = TODAY - dt.timedelta(days=11)
    task_id = services.hub.enter(
        elsie, _entry(world, "change_of_address", event_on=_dmy(moved), **NEW_HOME)
    )
    task = _get(db_url, Task, task_id)
    assert task.due_on == TODAY
    view = services.hub.view(elsie, task_id)
    assert view.due_on == moved + dt.timedelta(days=3) and view.late


@pytest.mark.parametrize(
    ("days_ahead", "statutory_days", "task_days"),
    [(30, 23, 29), (3, -4, 2), (0, -7, 0)],
    ids=["in good time", "late notice", "departing today"],
)
def test_foreign_travel_is_due_by_the_day_before_departure(
    services: Services,
    world: World,
    elsie: Actor,
    db_url: str,
    days_ahead: int,
    statutory_days: int,
    task_days: int,
) -> None:
    departure = TODAY + dt.timedelta(days=days_ahead)
    task_id = services.hub.enter(
        elsie,
        _entry(
            world,
            "foreign_travel",
            event_on=_dmy(departure),
            return_on=_dmy(departure + dt.timedelta(days=7)),
            destinations=("Ruritania", "Freedonia"),
        ),
    )
    task = _get(db_url, Task, task_id)
    notification = _get(db_url, Notification, task.subject_id)
    assert notification.due_on == departure - dt.timedelta(days=7)  # s86: 7 days before
    assert notification.due_on == TODAY + dt.timedelta(days=statutory_days)
    assert task.due_on == TODAY + dt.timedelta(days=task_days)
    assert task.title == f"Foreign travel departing {_dmy(departure)}: ZZ/2019/004512 " + (
        "(Zebedee Plimsoll)"
    )


def test_only_hub_officers_enter_notifications(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    before = len(_all(db_url, select(Task.id)))
    with pytest.raises(PermissionRefused, match="Only hub officers enter notifications"):
        services.hub.enter(ada, _entry(world, "periodic"))
    assert len(_all(db_url, select(Task.id))) == before


def test_bad_entries_are_refused_field_by_field_and_nothing_is_saved(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    before = len(_all(db_url, select(Notification.id)))
    with pytest.raises(ValidationFailed) as refused:
        services.hub.enter(
            elsie,
            _entry(
                world,
                "change_of_address",
                event_on="31/02/2024",
                line1="2 Treacle Street",
                town="",
                postcode="ZZ",
                note=f"Paid the deposit with card {CARD}",
            ),
        )
    problems = {e.field: e.message for e in refused.value.errors}
    assert set(problems) == {"event_on", "town", "postcode", "note"}
    assert "not a day in the calendar" in problems["event_on"]
    assert "payment card" in problems["note"] and "must not be stored" in problems["note"]
    with pytest.raises(ValidationFailed) as refused:
        services.hub.enter(
            elsie,
            NotificationEntry(
                kind="no_fixed_abode",
                reference="ZZ/1999/999999",
                where="Bench by the canal; sort code 12-34-56 account 12345678",
            ),
        )
    problems = {e.field: e.message for e in refused.value.errors}
    assert "No offender has the reference ZZ/1999/999999" in problems["reference"]
    assert "sort code" in problems["where"]
    with pytest.raises(ValidationFailed) as refused:
        services.hub.enter(elsie, _entry(world, "foreign_travel", event_on=_dmy(TODAY)))
    assert {e.field for e in refused.value.errors} == {"return_on", "destinations"}
    with pytest.raises(ValidationFailed) as refused:
        services.hub.enter(elsie, _entry(world, "transfer_in", forename="Ozymandias"))
    assert {e.field for e in refused.value.errors} >= {
        "event_on",
        "surname",
        "date_of_birth",
        "from_force",
        "line1",
        "team_id",
    }
    assert len(_all(db_url, select(Notification.id))) == before


def test_find_offender_resolves_a_reference_as_typed(
    services: Services, world: World, elsie: Actor
) -> None:
    assert services.hub.find_offender(elsie, " zz/2019/004512 ") == (
        world.zebedee,
        "ZZ/2019/004512",
        "Zebedee Plimsoll",
    )
    assert services.hub.find_offender(elsie, "ZZ/1999/999999") is None
    with pytest.raises(PermissionRefused):
        services.hub.find_offender(services.auth.sign_in("cora", PASSWORD), "ZZ/2019/004512")


# -- processing, kind by kind ---------------------------------------------------------------------


def test_processing_a_change_of_address_moves_the_home_and_resets_the_clocks(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    moved = TODAY - dt.timedelta(days=2)
    task_id = services.hub.enter(
        elsie, _entry(world, "change_of_address", event_on=_dmy(moved), **NEW_HOME)
    )
    view = services.hub.view(elsie, task_id)
    result = services.hub.process(elsie, task_id, view.version)
    assert result.effects == view.effects  # the pane said what processing did
    assert result.effects == (
        f"Closes the home address 7 Marmalade Lane, Northvale ZZ3 4QT on {_dmy(moved - dt.timedelta(days=1))}.",  # noqa: E501
        f"Adds the home address 2 Treacle Street, Northvale ZZ3 5QQ from {_dmy(moved)}.",
        "Brings the ARMS review forward from 12/12/2024 to 10/07/2024.",
        "Next periodic notification due 12/06/2025, a year after this notification (s85).",
    )
    homes = _all(
        db_url,
        select(Address)
        .where(Address.offender_id == world.zebedee, Address.kind == "home")
        .order_by(Address.from_date),
    )
    assert [(a.line1, a.to_date) for a in homes][-2:] == [
        ("7 Marmalade Lane", moved - dt.timedelta(days=1)),
        ("2 Treacle Street", None),
    ]
    zebedee = _get(db_url, Offender, world.zebedee)
    assert zebedee.next_periodic_due == dt.date(2025, 6, 12)
    arms = _all(
        db_url,
        select(RiskAssessment).where(
            RiskAssessment.offender_id == world.zebedee, RiskAssessment.state == "approved"
        ),
    )
    assert [a.next_review_on for a in arms] == [dt.date(2024, 7, 10)]
    task = _get(db_url, Task, task_id)
    assert task.state == TaskState.DONE and task.completed_by_id == world.elsie
    notification = _get(db_url, Notification, task.subject_id)
    assert notification.state == NotificationState.PROCESSED
    assert notification.processed_by_id == world.elsie
    assert _audit(db_url)[-2:] == ["arms_review_brought_forward", "notification_processed"]
    after = services.hub.view(elsie, task_id)
    assert after.effects == result.effects and not after.can_process
    assert after.decided_by == "Elspeth Hobnail"


def test_a_move_to_no_fixed_abode_makes_notification_weekly(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    task_id = services.hub.enter(
        elsie,
        _entry(
            world,
            "change_of_address",
            event_on=_dmy(TODAY - dt.timedelta(days=1)),
            no_fixed_abode=True,
            where="Sleeping in the fictional bus shelter on Crumb Road",
        ),
    )
    _process(services, elsie, task_id)
    zebedee = _get(db_url, Offender, world.zebedee)
    assert zebedee.no_fixed_abode
    assert zebedee.next_periodic_due == TODAY + dt.timedelta(days=7)
    current = _all(
        db_url,
        select(Address).where(Address.offender_id == world.zebedee, Address.to_date.is_(None)),
    )
    assert current == []


def test_a_change_of_name_keeps_the_old_name_as_an_alias(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    task_id = services.hub.enter(
        elsie,
        _entry(
            world,
            "change_of_name",
            offender="percival",
            event_on=_dmy(TODAY - dt.timedelta(days=1)),
            forename="Percival",
            surname="Galosh",
        ),
    )
    result = _process(services, elsie, task_id)
    assert result.effects[0] == (
        "Changes the name from Percival Gumboot to Percival Galosh, keeping Percival Gumboot "
        "as an alias."
    )
    percival = _get(db_url, Offender, world.percival)
    assert percival.full_name == "Percival Galosh"
    assert percival.next_periodic_due == dt.date(2025, 6, 12)
    aliases = _all(db_url, select(Alias.name).where(Alias.offender_id == world.percival))
    assert aliases == ["Percival Gumboot"]


def test_a_release_sets_the_status_asks_for_a_visit_and_brings_the_arms_forward(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    released = TODAY - dt.timedelta(days=1)
    task_id = services.hub.enter(
        elsie,
        _entry(
            world,
            "release",
            offender="barnaby",
            event_on=_dmy(released),
            released_from="custody",
            **NEW_HOME,
        ),
    )
    result = _process(services, elsie, task_id)
    barnaby = _get(db_url, Offender, world.barnaby)
    assert barnaby.status == OffenderStatus.COMMUNITY and barnaby.status_since == released
    assert barnaby.expected_release_on is None
    assert barnaby.next_periodic_due == dt.date(2025, 6, 12)
    [home] = _all(db_url, select(Address).where(Address.offender_id == world.barnaby))
    assert (home.line1, home.from_date, home.to_date) == ("2 Treacle Street", released, None)
    assert result.follow_up_task_id is not None
    visit = _get(db_url, Task, result.follow_up_task_id)
    assert visit.kind == TaskKind.RELEASE_VISIT and visit.group == TaskGroup.FOLLOW_UP
    assert visit.owner_id == world.bram and visit.due_on == released + dt.timedelta(days=3)
    assert visit.title == "Visit within 3 days of release: ZZ/2017/000042 (Barnaby Custard)"
    assert f"Asks Bramwell Tiddlecombe to visit by {_dmy(released + dt.timedelta(days=3))}" in (
        " ".join(result.effects)
    )
    [arms] = _all(db_url, select(RiskAssessment).where(RiskAssessment.offender_id == world.barnaby))
    assert arms.next_review_on == released + dt.timedelta(days=30)
    record = services.records.open(elsie, world.barnaby)
    assert not [b for b in record.breaches if b.rule == "release_not_recorded"]


def test_the_visit_after_release_of_an_unallocated_offender_goes_to_the_sergeant(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    task_id = services.hub.enter(
        elsie,
        _entry(
            world,
            "release",
            offender="mortimer",
            event_on=_dmy(TODAY),
            released_from="hospital",
            no_fixed_abode=True,
            where="The fictional night shelter",
        ),
    )
    result = _process(services, elsie, task_id)
    assert result.follow_up_task_id is not None
    assert _get(db_url, Task, result.follow_up_task_id).owner_id == world.cora
    assert "no approved ARMS" in " ".join(result.effects)


def test_a_weekly_notification_while_of_no_fixed_abode_resets_the_date_a_week_on(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    task_id = services.hub.enter(
        elsie, _entry(world, "no_fixed_abode", offender="mortimer", where="Canal towpath tent")
    )
    view = services.hub.view(elsie, task_id)
    assert view.event_on == TODAY and ("Can be found", "Canal towpath tent") in view.details
    _process(services, elsie, task_id)
    assert _get(db_url, Offender, world.mortimer).next_periodic_due == TODAY + dt.timedelta(days=7)


def test_a_periodic_notification_resets_the_date_a_year_on(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    due_before = _get(db_url, Offender, world.quentin).next_periodic_due
    task_id = services.hub.enter(elsie, _entry(world, "periodic", offender="quentin"))
    assert _get(db_url, Task, task_id).due_on == due_before  # the date it answers
    _process(services, elsie, task_id)
    assert _get(db_url, Offender, world.quentin).next_periodic_due == dt.date(2025, 6, 12)


def test_an_older_notification_processed_late_does_not_undo_a_later_reset(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    older = services.hub.enter(
        elsie,
        _entry(
            world,
            "initial",
            notified_on=_dmy(TODAY - dt.timedelta(days=20)),
            event_on=_dmy(TODAY - dt.timedelta(days=21)),
        ),
    )
    newer = services.hub.enter(elsie, _entry(world, "periodic"))
    _process(services, elsie, newer)
    result = _process(services, elsie, older)
    assert "a later notification, made on 12/06/2024, already set it" in result.effects[-1]
    assert _get(db_url, Offender, world.zebedee).next_periodic_due == dt.date(2025, 6, 12)


def test_a_stay_of_seven_days_adds_the_stay_address(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    start = TODAY - dt.timedelta(days=8)
    place = {"line1": "9 Gingerbread Yard", "town": "Southmere", "postcode": "ZZ7 7GG"}
    with pytest.raises(ValidationFailed, match="come to 7 days"):
        services.hub.enter(
            elsie,
            _entry(
                world,
                "other_address_stay",
                event_on=_dmy(start),
                end_on=_dmy(start + dt.timedelta(days=2)),
                **place,
            ),
        )
    task_id = services.hub.enter(
        elsie,
        _entry(
            world,
            "other_address_stay",
            event_on=_dmy(start),
            end_on=_dmy(start + dt.timedelta(days=7)),
            **place,
        ),
    )
    notification = _get(db_url, Notification, _get(db_url, Task, task_id).subject_id)
    qualifying = start + dt.timedelta(days=6)  # the seventh day of the stay
    assert notification.details["qualifying_on"] == qualifying.isoformat()
    assert notification.due_on == qualifying + dt.timedelta(days=3)
    _process(services, elsie, task_id)
    [stay] = _all(
        db_url, select(Address).where(Address.offender_id == world.zebedee, Address.kind == "stay")
    )
    assert (stay.line1, stay.from_date, stay.to_date) == (
        "9 Gingerbread Yard",
        start,
        start + dt.timedelta(days=7),
    )
    assert _get(db_url, Offender, world.zebedee).next_periodic_due == dt.date(2025, 6, 12)


def test_a_stay_in_a_household_with_a_child_stays_on_the_notification(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    before = _all(db_url, select(HouseholdMember.id))
    task_id = services.hub.enter(
        elsie,
        _entry(
            world,
            "household_with_child",
            offender="percival",
            event_on=_dmy(TODAY - dt.timedelta(days=1)),
            end_on=_dmy(TODAY + dt.timedelta(days=4)),
            line1="4 Sherbet Court",
            town="Northvale",
            postcode="ZZ2 2SC",
        ),
    )
    result = _process(services, elsie, task_id)
    assert _all(db_url, select(HouseholdMember.id)) == before
    assert result.effects[0].startswith(
        "Keeps the stay in a household with a child at 4 Sherbet Court, Northvale ZZ2 2SC"
    )
    notification = _get(db_url, Notification, _get(db_url, Task, task_id).subject_id)
    assert notification.details["intended_days"] == 6
    assert _get(db_url, Offender, world.percival).next_periodic_due == dt.date(2025, 6, 12)


def test_foreign_travel_is_recorded_on_the_record_without_resetting_the_periodic_date(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    due_before = _get(db_url, Offender, world.zebedee).next_periodic_due
    departure, back = TODAY + dt.timedelta(days=20), TODAY + dt.timedelta(days=30)
    task_id = services.hub.enter(
        elsie,
        _entry(
            world,
            "foreign_travel",
            event_on=_dmy(departure),
            return_on=_dmy(back),
            destinations=("Ruritania", "Freedonia"),
        ),
    )
    result = _process(services, elsie, task_id)
    assert result.effects[0] == (
        f"Records the trip on the record's notifications: departing {_dmy(departure)}, "
        f"returning {_dmy(back)}, to Ruritania, Freedonia."
    )
    assert _get(db_url, Offender, world.zebedee).next_periodic_due == due_before
    record = services.records.open(elsie, world.zebedee)
    [trip] = [n for n in record.notifications if n.kind == "foreign_travel"]
    assert trip.event_on == departure and trip.state == "processed"
    details = {
        "departure": departure.isoformat(),
        "return": back.isoformat(),
        "destinations": ["Ruritania", "Freedonia"],
    }
    assert (
        summary_line("foreign_travel", details)
        == f"Foreign travel; Departure: {_dmy(departure)}; Return: {_dmy(back)}; "
        "Destinations: Ruritania, Freedonia"
    )


def test_a_change_to_foreign_travel_refers_to_the_trip_it_changes(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    departure = TODAY + dt.timedelta(days=20)
    first = services.hub.enter(
        elsie,
        _entry(
            world,
            "foreign_travel",
            event_on=_dmy(departure),
            return_on=_dmy(departure + dt.timedelta(days=5)),
            destinations=("Ruritania",),
        ),
    )
    _process(services, elsie, first)
    [trip] = services.hub.trips(elsie, world.references["zebedee"])
    assert trip.label == (
        f"departing {_dmy(departure)}, returning {_dmy(departure + dt.timedelta(days=5))}, "
        "to Ruritania"
    )
    with pytest.raises(ValidationFailed, match="Choose the trip"):
        services.hub.enter(
            elsie, _entry(world, "foreign_travel_change", event_on=_dmy(TODAY + dt.timedelta(2)))
        )
    earlier = TODAY + dt.timedelta(days=10)
    change = services.hub.enter(
        elsie,
        _entry(
            world,
            "foreign_travel_change",
            event_on=_dmy(earlier),
            trip_id=trip.notification_id,
        ),
    )
    notification = _get(db_url, Notification, _get(db_url, Task, change).subject_id)
    assert notification.due_on == earlier - dt.timedelta(days=1)  # 24 hours before departure
    assert notification.details["destinations"] == ["Ruritania"]  # kept from the trip
    result = _process(services, elsie, change)
    assert result.effects[0] == (
        f"Records the change to the trip departing {_dmy(departure)}: now departing "
        f"{_dmy(earlier)}, returning {_dmy(departure + dt.timedelta(days=5))}, to Ruritania."
    )


def test_an_advance_notice_changes_nothing_else(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    before = _get(db_url, Offender, world.zebedee)
    expected = TODAY + dt.timedelta(days=10)
    task_id = services.hub.enter(
        elsie,
        _entry(
            world,
            "advance_notice",
            event_on=_dmy(expected),
            expected_change="Moving to 2 Treacle Street",
        ),
    )
    assert _get(db_url, Notification, _get(db_url, Task, task_id).subject_id).due_on == (
        expected + dt.timedelta(days=6)
    )
    _process(services, elsie, task_id)
    after = _get(db_url, Offender, world.zebedee)
    assert after.version == before.version and after.next_periodic_due == before.next_periodic_due


def test_an_initial_notification_resets_the_periodic_date(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    convicted = TODAY - dt.timedelta(days=2)
    task_id = services.hub.enter(
        elsie, _entry(world, "initial", offender="horatio", event_on=_dmy(convicted))
    )
    assert _get(db_url, Task, task_id).due_on == convicted + dt.timedelta(days=3)
    _process(services, elsie, task_id)
    assert _get(db_url, Offender, world.horatio).next_periodic_due == dt.date(2025, 6, 12)


def _transfer(world: World, **extra: Any) -> NotificationEntry:
    fields: dict[str, Any] = {
        "event_on": _dmy(TODAY - dt.timedelta(days=1)),
        "forename": "Ozymandias",
        "surname": "Puddleby",
        "date_of_birth": "03/04/1977",
        "gender": "male",
        "from_force": "Fictional Shire Constabulary",
        "previous_reference": "FS/2015/000123",
        "team_id": world.alder,
        "offence": "Fictional offence under s.7 Notional Act",
        "convicted_on": "01/02/2015",
        "sentence_kind": "custody",
        "sentence_months": "36",
        **NEW_HOME,
    }
    fields.update(extra)
    return NotificationEntry(kind="transfer_in", **fields)


def test_a_transfer_in_creates_the_offender_and_allocates_the_least_loaded_manager(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    task_id = services.hub.enter(elsie, _transfer(world))
    task = _get(db_url, Task, task_id)
    assert task.offender_id is None and task.team_id == world.alder
    assert task.title == "Transfer in from Fictional Shire Constabulary: Puddleby, Ozymandias"
    view = services.hub.view(elsie, task_id)
    assert view.name == "Ozymandias Puddleby" and view.reference == ""
    # Ada manages three, Bram two (one in custody): Bram is the least loaded.
    assert [(m.name, m.caseload) for m in view.managers] == [
        ("Bramwell Tiddlecombe", 2),
        ("Ada Quillfeather", 3),
    ]
    assert view.default_manager_id == world.bram
    with pytest.raises(ValidationFailed, match="active offender manager of Alder team"):
        services.hub.process(elsie, task_id, view.version, manager_id=world.gus)
    result = services.hub.process(elsie, task_id, view.version, manager_id=world.ada)
    assert result.reference == "ZZ/2024/000002"  # Mortimer has ZZ/2024/000001
    offender = _get(db_url, Offender, result.offender_id)
    assert (offender.full_name, offender.date_of_birth) == (
        "Ozymandias Puddleby",
        dt.date(1977, 4, 3),
    )
    assert offender.team_id == world.alder and offender.manager_id == world.ada
    assert offender.status == OffenderStatus.COMMUNITY and offender.notification_indefinite
    assert offender.next_periodic_due == dt.date(2025, 6, 12)
    assert _get(db_url, Task, task_id).offender_id == offender.id
    assert _get(db_url, Notification, task.subject_id).offender_id == offender.id
    record = services.records.open(services.auth.sign_in("ada", PASSWORD), offender.id)
    assert record.current_address is not None
    assert record.current_address.line1 == "2 Treacle Street"
    assert "offender_created" in _audit(db_url)


# -- refusals --------------------------------------------------------------------------------------


def _claim(db_url: str, task_id: int, officer_id: int, at: dt.datetime) -> None:
    with _session(db_url) as session, session.begin():
        task = session.get(Task, task_id)
        assert task is not None
        task.claimed_by_id, task.claimed_at = officer_id, at


def test_processing_is_refused_to_others_when_claimed_decided_or_stale(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    task_id = services.hub.enter(elsie, _entry(world, "periodic"))
    view = services.hub.view(elsie, task_id)
    with pytest.raises(PermissionRefused, match="Only hub officers process notifications"):
        services.hub.process(services.auth.sign_in("cora", PASSWORD), task_id, view.version)
    ivor = services.auth.sign_in("ivor", PASSWORD)
    _claim(db_url, task_id, ivor.officer_id, world.now - dt.timedelta(minutes=5))
    with pytest.raises(TaskClaimed, match="Ivor Inkwell has been working on this task"):
        services.hub.process(elsie, task_id, view.version)
    assert not services.hub.view(elsie, task_id).can_process
    _claim(db_url, task_id, ivor.officer_id, world.now - dt.timedelta(minutes=31))  # lapsed
    with pytest.raises(EditConflict):
        services.hub.process(elsie, task_id, view.version - 1)
    services.hub.process(elsie, task_id, view.version)
    with pytest.raises(ServiceError, match="Elspeth Hobnail already processed this notification"):
        services.hub.process(ivor, task_id, view.version)
    with pytest.raises(NotFound):
        services.hub.process(elsie, 999_999, 1)
    assert _audit(db_url).count("notification_processed") == 1


def test_a_rejected_notification_changes_nothing_and_says_why(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    task_id = services.hub.enter(
        elsie, _entry(world, "change_of_address", event_on=_dmy(TODAY), **NEW_HOME)
    )
    view = services.hub.view(elsie, task_id)
    with pytest.raises(ValidationFailed, match="Enter the reason"):
        services.hub.reject(elsie, task_id, view.version, "  ")
    with pytest.raises(ValidationFailed, match="payment card"):
        services.hub.reject(elsie, task_id, view.version, f"Duplicate; card {CARD}")
    services.hub.reject(elsie, task_id, view.version, "Entered twice: a duplicate of yesterday's.")
    task = _get(db_url, Task, task_id)
    assert task.state == TaskState.CANCELLED
    assert task.comment == "Entered twice: a duplicate of yesterday's."
    assert _get(db_url, Notification, task.subject_id).state == NotificationState.REJECTED
    with pytest.raises(ServiceError, match="already rejected this notification"):
        _process(services, elsie, task_id)
    homes = _all(db_url, select(Address.line1).where(Address.offender_id == world.zebedee))
    assert "2 Treacle Street" not in homes
    assert _audit(db_url)[-1] == "notification_rejected"


def test_who_may_see_a_hub_task(services: Services, world: World, elsie: Actor) -> None:
    task_id = services.hub.enter(elsie, _entry(world, "periodic"))
    ada = services.auth.sign_in("ada", PASSWORD)
    seen = services.hub.view(ada, task_id)
    assert not seen.can_process and seen.why_not == "Only hub officers process notifications."
    with pytest.raises(PermissionRefused):
        services.hub.view(services.auth.sign_in("gus", PASSWORD), task_id)
    transfer = services.hub.enter(elsie, _transfer(world))
    assert services.hub.view(ada, transfer).name == "Ozymandias Puddleby"
    with pytest.raises(PermissionRefused):
        services.hub.view(services.auth.sign_in("gus", PASSWORD), transfer)


def test_two_hub_officers_processing_at_once(
    services: Services, world: World, elsie: Actor, db_url: str
) -> None:
    task_id = services.hub.enter(
        elsie, _entry(world, "change_of_address", event_on=_dmy(TODAY), **NEW_HOME)
    )
    version = services.hub.view(elsie, task_id).version
    desks = [Services(db_url, clock=world_clock) for _ in range(2)]
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def process(desk: Services, username: str) -> None:
        actor = desk.auth.sign_in(username, PASSWORD)
        barrier.wait()
        try:
            desk.hub.process(actor, task_id, version)
            outcomes.append(f"won:{username}")
        except ServiceError as exc:
            outcomes.append(f"lost:{exc}")

    threads = [
        threading.Thread(target=process, args=(desk, name))
        for desk, name in zip(desks, ("elsie", "ivor"), strict=True)
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        for desk in desks:
            desk.close()
    won = [o for o in outcomes if o.startswith("won:")]
    lost = [o for o in outcomes if o.startswith("lost:")]
    assert len(won) == 1 and len(lost) == 1
    winner = {"won:elsie": "Elspeth Hobnail", "won:ivor": "Ivor Inkwell"}[won[0]]
    assert f"{winner} already processed this notification at 11:00 on 12/06/2024" in lost[0]
    homes = _all(
        db_url,
        select(Address).where(Address.offender_id == world.zebedee, Address.to_date.is_(None)),
    )
    assert [a.line1 for a in homes] == ["2 Treacle Street"]  # added once, not twice
    assert _audit(db_url).count("notification_processed") == 1


def test_a_notification_reads_in_words_whatever_its_details_hold() -> None:
    """The summary a list shows: a flat address reads as one address; a lone postcode (older
    rows) still shows; nested details read in words, dates dd/mm/yyyy."""
    assert summary_line("change_of_address", {"postcode": "ZZ6 2EE"}) == (
        "Change of address; Postcode: ZZ6 2EE"
    )
    moved = {"line1": "2 Treacle Street", "line2": "", "town": "Northvale", "postcode": "ZZ3 5QQ"}
    assert summary_line("change_of_address", {**moved, "from": "2024-06-10"}, "Fictional") == (
        "Change of address; New home address: 2 Treacle Street, Northvale ZZ3 5QQ; "
        "Moved in on: 10/06/2024; Fictional"
    )
    assert summary_line("household_with_child", {"address": moved, "start": "2024-06-11"}) == (
        "Stay in a household with a child; Address: 2 Treacle Street, Northvale ZZ3 5QQ; "
        "First day: 11/06/2024"
    )
