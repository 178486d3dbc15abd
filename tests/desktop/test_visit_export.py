"""The calendar export, read back with the icalendar library: one confidential event per planned
visit of the officer, the reference, crew and postcode district only, stable UIDs; audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from icalendar import Calendar
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.models import AuditEvent
from desktop.rules.time_bands import LONDON
from desktop.services.core import Services
from desktop.services.errors import NotFound, PermissionRefused
from desktop.services.visits import VisitEdit
from tests.desktop.factories import World, populate, world_clock
from tests.desktop.test_visits import who

NAMES_AND_STREETS = [
    b"Zebedee",
    b"Plimsoll",
    b"Horatio",
    b"Fiddlesticks",
    b"Marmalade Lane",
    b"Crumpet Close",
    b"ZZ3 4QT",
    b"ZZ9 9ZZ",
    b"Northvale",
]


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _events(data: bytes) -> list:  # type: ignore[type-arg]
    calendar = Calendar.from_ical(data)
    return list(calendar.walk("VEVENT"))


def test_export_reads_back_with_only_the_reference_crew_and_district(
    services: Services, world: World, db_url: str
) -> None:
    ada = who(world, "ada")
    horatio_visit = services.visits.plan(
        ada, world.horatio, VisitEdit("13/06/2024", "18:30", "cora", "ada")
    )
    data = services.visits.export_ics("ada")
    for forbidden in NAMES_AND_STREETS:
        assert forbidden not in data, forbidden
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0" and "Pillars" in str(calendar["PRODID"])
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    events = _events(data)
    assert [str(e["SUMMARY"]) for e in events] == [
        "Home visit ZZ/2018/002209",
        "Home visit ZZ/2019/004512",
    ]
    horatio, zebedee = events
    assert str(horatio["UID"]) == f"visit-{horatio_visit}@pillars.invalid"
    assert str(horatio["LOCATION"]) == "ZZ9" and str(zebedee["LOCATION"]) == "ZZ3"
    assert all(str(e["CLASS"]) == "CONFIDENTIAL" for e in events)
    start = horatio.decoded("DTSTART")
    assert start == dt.datetime(2024, 6, 13, 18, 30, tzinfo=LONDON)
    assert str(start.tzinfo) == "Europe/London"
    assert horatio.decoded("DTEND") - start == dt.timedelta(hours=1)
    assert horatio.decoded("DTSTAMP") == world_clock()
    description = str(horatio["DESCRIPTION"])
    assert "Cora Pennywhistle (cora)" in description and "Ada Quillfeather (ada)" in description
    assert "OFFICIAL-SENSITIVE" in description and "Unannounced" in description

    # a moved visit keeps its UID with a higher SEQUENCE, so calendars update it
    view = services.visits.get(ada, horatio_visit)
    services.visits.move(
        ada,
        VisitEdit(
            "14/06/2024",
            "11:00",
            "cora",
            "ada",
            visit_id=horatio_visit,
            expected_version=view.version,
        ),
    )
    moved = _events(services.visits.export_ics("ada"))[0]
    assert moved["UID"] == horatio["UID"] and int(moved["SEQUENCE"]) > int(horatio["SEQUENCE"])
    assert moved.decoded("DTSTART") == dt.datetime(2024, 6, 14, 11, 0, tzinfo=LONDON)


def test_export_is_audited_and_only_planned_visits_from_the_day_count(
    services: Services, world: World, db_url: str
) -> None:
    export = services.visits.export("bram")
    assert export.officer == "bram" and export.visits == 1  # Zebedee's, with Ada
    later = services.visits.export("bram", start=dt.date(2024, 6, 23))
    assert later.visits == 0 and _events(later.data) == []
    assert services.visits.export("gus").visits == 0
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            rows = session.scalars(
                select(AuditEvent).where(AuditEvent.action == "visits_exported")
            ).all()
            assert [(r.username, r.detail["officer"], r.detail["visits"]) for r in rows] == [
                ("pillars export-visits", "bram", 1),
                ("pillars export-visits", "bram", 0),
                ("pillars export-visits", "gus", 0),
            ]
    finally:
        engine.dispose()


def test_who_may_export(services: Services, world: World) -> None:
    assert services.visits.export("ada", actor=who(world, "ada")).visits == 1
    assert services.visits.export("ada", actor=who(world, "cora")).visits == 1
    assert services.visits.export("ada", actor=who(world, "bram")).visits == 1
    with pytest.raises(PermissionRefused):
        services.visits.export("ada", actor=who(world, "gus"))
    with pytest.raises(PermissionRefused):
        services.visits.export("ada", actor=who(world, "elsie"))
    with pytest.raises(NotFound, match="no officer with the username 'nobody'"):
        services.visits.export("nobody")
