"""An officer's planned visits as an iCalendar file, for their phone or mail calendar.

A calendar leaves Pillars, so it carries as little as will do the job: each event gives the
offender's reference ("Home visit ZZ/2019/004512"), the postcode district only ("ZZ3") as its
location, and the crew in its description. Never the offender's name, address or anything
recorded about them; every event is CLASS:CONFIDENTIAL and says OFFICIAL-SENSITIVE.

Each visit's UID is stable ("visit-<id>@pillars.invalid") and its SEQUENCE is the visit's
version, so importing a newer export updates a moved visit instead of adding a second one. Start
times carry TZID=Europe/London with the VTIMEZONE the `icalendar` library writes for it. Every
export is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from icalendar import Calendar, Event
from sqlalchemy import or_, select

from db.enums import Role, VisitOutcome
from db.models import Address, Offender, Officer, Visit
from desktop.rules.time_bands import LONDON
from desktop.services.actor import Actor
from desktop.services.errors import NotFound, PermissionRefused
from desktop.services.visit_facts import start_of_day
from desktop.services.visits import CLASH_MINUTES, postcode_district

if TYPE_CHECKING:
    from desktop.services.core import Services

PRODID = "-//Pillars//Home visits//EN"
UID_DOMAIN = "pillars.invalid"
MARKING = "OFFICIAL-SENSITIVE"
VISIT_LENGTH = dt.timedelta(minutes=CLASH_MINUTES)
TEAM_ROLES = frozenset({Role.OFFENDER_MANAGER.value, Role.SERGEANT.value, Role.TEAM_MANAGER.value})


@dataclass(frozen=True)
class VisitExport:
    """An officer's planned visits as an iCalendar file (`export_visits`), for the screen or the
    command line to write, with how many events it holds."""

    officer: str  # username
    visits: int  # events in the calendar
    data: bytes  # the .ics file


@dataclass(frozen=True)
class _Event:
    """One planned visit as its calendar event needs it: the reference, the postcode district and
    the crew, never the offender's name; `at` is Europe/London, `version` the event's SEQUENCE."""

    visit_id: int
    version: int
    reference: str
    at: dt.datetime
    district: str
    crew: tuple[str, str]  # "Ada Quillfeather (ada)"
    announced: bool


def export_visits(
    services: Services,
    officer_username: str,
    *,
    start: dt.date | None = None,
    actor: Actor | None = None,
) -> VisitExport:
    """The officer's planned visits (either place on the crew) from `start` (default today).
    With an actor: the officer themselves, or an officer of the same team."""
    first = start or services.today()
    with services.transaction() as session:
        officer = session.scalar(
            select(Officer).where(Officer.username == officer_username.strip())
        )
        if officer is None:
            raise NotFound(f"There is no officer with the username {officer_username.strip()!r}.")
        if actor is not None and not _may_export(actor, officer):
            raise PermissionRefused(
                f"Only {officer.display_name} or an officer of their team can export their visits."
            )
        rows = session.execute(
            select(
                Visit.id,
                Visit.version,
                Visit.offender_id,
                Offender.reference,
                Visit.planned_at,
                Visit.officer1_id,
                Visit.officer2_id,
                Visit.announced,
            )
            .join(Offender, Offender.id == Visit.offender_id)
            .where(
                Visit.outcome == VisitOutcome.PLANNED,
                Visit.planned_at >= start_of_day(first),
                or_(Visit.officer1_id == officer.id, Visit.officer2_id == officer.id),
            )
            .order_by(Visit.planned_at, Visit.id)
        ).all()
        crew_ids = {r[5] for r in rows} | {r[6] for r in rows}
        people = {
            officer_id: f"{forename} {surname} ({username})"
            for officer_id, forename, surname, username in session.execute(
                select(Officer.id, Officer.forename, Officer.surname, Officer.username).where(
                    Officer.id.in_(crew_ids)
                )
            )
        }
        districts: dict[int, str] = {}
        offender_ids = {r[2] for r in rows}
        for offender_id, postcode in session.execute(
            select(Address.offender_id, Address.postcode)
            .where(
                Address.offender_id.in_(offender_ids),
                Address.kind == "home",
                Address.from_date <= first,
                (Address.to_date.is_(None)) | (Address.to_date >= first),
            )
            .order_by(Address.from_date, Address.id)
        ):
            districts[offender_id] = postcode_district(postcode)
        events = [
            _Event(
                visit_id=r[0],
                version=r[1],
                reference=r[3],
                at=r[4].astimezone(LONDON),
                district=districts.get(r[2], ""),
                crew=(people.get(r[5], "?"), people.get(r[6], "?")),
                announced=bool(r[7]),
            )
            for r in rows
        ]
        data = build_calendar(events, officer.username, services.now())
        services.audit.record(
            session,
            actor,
            "visits_exported",
            entity_type="officer",
            entity_id=officer.id,
            detail={"officer": officer.username, "from": first, "visits": len(events)},
            username="" if actor is not None else "pillars export-visits",
        )
    return VisitExport(officer=officer.username, visits=len(events), data=data)


def _may_export(actor: Actor, officer: Officer) -> bool:
    if actor.officer_id == officer.id:
        return True
    return (
        actor.team_id is not None and actor.team_id == officer.team_id and actor.role in TEAM_ROLES
    )


def build_calendar(events: list[_Event], username: str, stamp: dt.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Pillars home visits: {username} ({MARKING})")
    for item in events:
        event = Event()
        event.add("uid", f"visit-{item.visit_id}@{UID_DOMAIN}")
        event.add("dtstamp", stamp.astimezone(dt.UTC))
        event.add("dtstart", item.at)
        event.add("dtend", item.at + VISIT_LENGTH)
        event.add("sequence", max(0, item.version - 1))
        event.add("summary", f"Home visit {item.reference}")
        if item.district:
            event.add("location", item.district)
        kind = "Announced" if item.announced else "Unannounced"
        event.add(
            "description",
            f"{kind} home visit, double crewed: {item.crew[0]} and {item.crew[1]}.\n"
            f"{MARKING}: do not share. Details are in Pillars.",
        )
        event.add("class", "CONFIDENTIAL")
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
