"""Statutory notifications: three years of processed history, and the hub's open backlog.

The history follows each offender's own clocks: the initial notification at conviction, a change of
address for every move, a release notification for every release, foreign travel, and a periodic
notification a year after the last one (the date resets at every s84 notification; the clock stops
in custody). The backlog is the inspection's 195 hub tasks, each a notification still `received`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from dateutil.relativedelta import relativedelta

from desktop.demo.dates import DAY, add_months
from desktop.demo.names import (
    DESTINATIONS,
    FEMALE_FORENAMES,
    MALE_FORENAMES,
    OTHER_FORCES,
    SURNAMES,
)
from desktop.demo.offenders import street_address
from desktop.demo.world import Case, Row, World

HOUR = dt.timedelta(hours=1)
TITLES = {
    "initial": "Initial notification",
    "change_of_address": "Change of address",
    "change_of_name": "Change of name",
    "periodic": "Periodic notification",
    "no_fixed_abode": "Weekly notification (no fixed abode)",
    "household_with_child": "Stay in a household with a child",
    "foreign_travel": "Foreign travel",
    "release": "Release from custody",
}


def build_notifications(world: World, progress: Callable[[str], None]) -> None:
    for case in world.cases:
        _history(world, case)
    progress("notifications")
    _backlog(world)
    progress("hub tasks")


def _notify(
    world: World,
    case: Case | None,
    kind: str,
    event: dt.date,
    notified: dt.date,
    due: dt.date | None,
    details: dict[str, Any],
    *,
    open_task: bool = False,
    team_id: int | None = None,
    title: str = "",
) -> Row:
    rng = world.rng
    notified = min(notified, world.on - DAY)
    received_at = world.stamp(notified, start=9, end=17)
    hub = rng.choice(world.hub)
    row = world.rows.add(
        "notification",
        offender_id=case.row["id"] if case else None,
        kind=kind,
        event_on=event,
        notified_on=notified,
        due_on=due,
        details=details,
        state="received" if open_task else "processed",
        received_by_id=hub.id,
        received_at=received_at,
        processed_by_id=None if open_task else rng.choice(world.hub).id,
        processed_at=None
        if open_task
        else min(received_at + HOUR * rng.randint(1, 120), world.now - HOUR),
        note="",
    )
    if open_task:
        assert due is not None
        world.add_task(
            kind="hub_notification",
            offender_id=case.row["id"] if case else None,
            owner_id=None,
            team_id=case.team.id if case else team_id,
            subject_type="notification",
            subject_id=row["id"],
            title=title or f"{TITLES[kind]}: {case.label if case else ''}",
            created_at=received_at,
            due_on=due,
        )
    return row


def _address_details(address: Row) -> dict[str, str]:
    return {k: address[k] for k in ("line1", "line2", "town", "postcode")}


def _late(world: World, share: float, on_time: tuple[int, int], late: tuple[int, int]) -> int:
    return world.rng.randint(*(late if world.rng.random() < share else on_time))


def _history(world: World, case: Case) -> None:
    """Processed notifications for one offender, and their next periodic date."""
    rng, on, start = world.rng, world.on, world.window_start
    if case.new_conviction:
        case.row["next_periodic_due"] = case.convicted_on + relativedelta(years=1)
        return
    resets: list[tuple[dt.date, str, dict[str, Any]]] = [(case.convicted_on, "initial", {})]
    for address in case.addresses[1:]:
        resets.append((address["from_date"], "change_of_address", _address_details(address)))
    if case.released_on and not case.recent_release:
        resets.append((case.released_on, "release", {}))
    resets.sort(key=lambda r: r[0])

    custody = None
    if case.released_on and case.sentenced_on:
        custody = (case.sentenced_on, case.released_on)
    stop = case.away_since if case.row["status"] != "community" and case.away_since else on
    breach = rng.random() < 0.06 and case.row["status"] == "community" and not case.recent_release

    last = case.convicted_on
    next_due: dt.date | None = None
    events = [*resets, (stop, "stop", {})]
    for event, kind, details in events:
        periodic = add_months(last, 12)
        while periodic < event and periodic < stop:
            if custody and custody[0] <= periodic < custody[1]:
                break
            if breach and on - DAY * 60 < periodic < on:
                next_due = periodic
                case.breach = True
                break
            notified = periodic - DAY * _late(world, 0.03, (0, 10), (-5, -1))
            if notified >= on:
                break
            if periodic >= start:
                _notify(world, case, "periodic", periodic, notified, periodic, {})
            last = notified
            periodic = add_months(last, 12)
        if next_due is not None or kind == "stop" or event >= stop:
            break
        notified = event + DAY * _late(world, 0.03, (0, 3), (4, 8))
        if event >= start and notified < on:
            _notify(world, case, kind, event, notified, event + DAY * 3, details)
        last = notified
    if case.recent_release and case.released_on:
        next_due = add_months(case.released_on, 12)
    if next_due is None:
        next_due = add_months(last, 12)
        if case.row["status"] != "community" and next_due < on:
            next_due = max(case.row["expected_release_on"] or on, on) + DAY * 3
    case.row["next_periodic_due"] = next_due

    if case.row["no_fixed_abode"]:
        _weekly(world, case)
    _travel(world, case, stop)


def _weekly(world: World, case: Case) -> None:
    """No fixed abode: a notification every week since the last address ended."""
    since = case.addresses[-1]["to_date"] if case.addresses else world.on - DAY * 60
    day = since + DAY * 7
    while day < world.on - DAY * 7:
        _notify(
            world,
            case,
            "no_fixed_abode",
            day,
            day,
            day,
            {"where": f"Sleeping at friends' addresses around {case.team.towns[0]}"},
        )
        day += DAY * 7
    case.row["next_periodic_due"] = day


def _travel(world: World, case: Case, stop: dt.date) -> None:
    rng, on = world.rng, world.on
    if case.row["status"] == "abroad" and case.away_since:
        departure = case.away_since
        _notify(
            world,
            case,
            "foreign_travel",
            departure,
            departure - DAY * rng.randint(7, 30),
            departure - DAY * 7,
            _trip(world, departure, on + DAY * rng.randint(5, 40)),
        )
    first = max(world.window_start, case.community_from) + DAY * 30
    last = min(stop, on) - DAY * 30
    if (last - first).days < 30 or rng.random() >= 0.1:
        return
    for _ in range(rng.randint(1, 2)):
        departure = first + DAY * rng.randrange((last - first).days)
        back = departure + DAY * rng.randint(4, 21)
        notified = departure - DAY * _late(world, 0.05, (7, 40), (1, 6))
        _notify(
            world,
            case,
            "foreign_travel",
            departure,
            notified,
            departure - DAY * 7,
            _trip(world, departure, back),
        )


def _trip(world: World, departure: dt.date, back: dt.date) -> dict[str, Any]:
    return {
        "departure": departure.isoformat(),
        "return": back.isoformat(),
        "destinations": world.rng.sample(DESTINATIONS, world.rng.choice((1, 1, 1, 2))),
    }


def _backlog(world: World) -> None:
    """The open hub tasks: exactly the scale's quota of each kind, each a received notification."""
    on, quota = world.on, world.scale.hub_quota
    community = [c for c in world.cases if c.row["status"] == "community" and not c.new_conviction]
    settled = [
        c
        for c in community
        if not c.row["no_fixed_abode"]
        and c.addresses
        and c.addresses[-1]["from_date"] < on - DAY * 40
    ]
    due_soon = [
        c
        for c in community
        if c.row["next_periodic_due"]
        and not c.breach
        and on - DAY * 20 <= c.row["next_periodic_due"] <= on + DAY * 10
    ]

    new = [c for c in world.cases if c.new_conviction]
    for i, case in enumerate(new):
        notified = case.convicted_on + DAY * _late(world, 0.2, (0, 3), (4, 6))
        _notify(
            world,
            case,
            "initial",
            case.convicted_on,
            notified,
            case.convicted_on + DAY * 3,
            {},
            open_task=i < quota["initial"],
        )

    pools: list[tuple[str, list[Case], Callable[[World, Case], None]]] = [
        ("change_of_address", settled, _open_change_of_address),
        ("change_of_name", community, _open_change_of_name),
        ("periodic", due_soon, _open_periodic),
        ("no_fixed_abode", [c for c in community if c.row["no_fixed_abode"]], _open_weekly),
        ("household_with_child", settled, _open_household_stay),
        ("foreign_travel", settled, _open_travel),
    ]
    for kind, pool, make in pools:
        if len(pool) < quota[kind]:
            raise AssertionError(f"the hub backlog needs {quota[kind]} offenders for {kind}")
        for case in world.rng.sample(pool, quota[kind]):
            make(world, case)
    for _ in range(quota["transfer_in"]):
        _transfer_in(world)
    for case in [c for c in world.cases if c.recent_release][: quota["release"]]:
        assert case.released_on is not None
        released = case.released_on
        notified = released + DAY * _late(world, 0.2, (0, 3), (4, 6))
        _notify(world, case, "release", released, notified, released + DAY * 3, {}, open_task=True)


def _open_change_of_address(world: World, case: Case) -> None:
    """A move not yet processed: the new address is in the notification, not yet on the record."""
    event = world.on - DAY * world.rng.randint(1, 30)
    notified = event + DAY * _late(world, 0.15, (0, 3), (4, 8))
    details: dict[str, Any] = street_address(world, case.team.towns, case.team.districts)
    details["from"] = event.isoformat()
    _notify(
        world, case, "change_of_address", event, notified, event + DAY * 3, details, open_task=True
    )


def _open_change_of_name(world: World, case: Case) -> None:
    rng = world.rng
    event = world.on - DAY * rng.randint(1, 25)
    details = {
        "forename": case.row["forename"],
        "surname": rng.choice(SURNAMES),
        "reason": "Change of name by deed poll",
    }
    _notify(
        world,
        case,
        "change_of_name",
        event,
        event + DAY * rng.randint(0, 3),
        event + DAY * 3,
        details,
        open_task=True,
    )


def _open_periodic(world: World, case: Case) -> None:
    on = world.on
    periodic = case.row["next_periodic_due"]
    low, high = max(periodic - DAY * 10, on - DAY * 20), min(periodic + DAY * 2, on - DAY)
    notified = low + DAY * world.rng.randint(0, max(0, (high - low).days))
    _notify(world, case, "periodic", periodic, notified, periodic, {}, open_task=True)


def _open_weekly(world: World, case: Case) -> None:
    due = case.row["next_periodic_due"]
    event = min(due, world.on - DAY)
    _notify(
        world,
        case,
        "no_fixed_abode",
        event,
        event,
        due,
        {"where": f"Staying in a tent near {case.team.towns[-1]}"},
        open_task=True,
    )


def _open_household_stay(world: World, case: Case) -> None:
    rng = world.rng
    event = world.on - DAY * rng.randint(1, 20)
    details: dict[str, Any] = {
        "address": street_address(world, case.team.towns, case.team.districts),
        "start": event.isoformat(),
        "intended_days": rng.randint(1, 14),
        "child_age": rng.randint(2, 16),
    }
    _notify(
        world,
        case,
        "household_with_child",
        event,
        event + DAY * rng.randint(0, 3),
        event + DAY * 3,
        details,
        open_task=True,
    )


def _open_travel(world: World, case: Case) -> None:
    """A departure in the coming weeks; when it is under a week away the notice came late."""
    rng, on = world.rng, world.on
    departure = on + DAY * rng.randint(1, 45)
    due = departure - DAY * 7
    notified = due - DAY * rng.randint(0, 20) if due > on else on - DAY * rng.randint(1, 4)
    _notify(
        world,
        case,
        "foreign_travel",
        departure,
        notified,
        due,
        _trip(world, departure, departure + DAY * rng.randint(4, 21)),
        open_task=True,
        title=f"Foreign travel departing {departure:%d/%m/%Y}: {case.label}",
    )


def _transfer_in(world: World) -> None:
    """An offender moving in from another force: not on the system yet, so the notification
    carries who they are and the hub creates the record when it processes it."""
    rng, on = world.rng, world.on
    team = rng.choice(world.teams)
    male = rng.random() < 0.95
    forename = rng.choice(MALE_FORENAMES if male else FEMALE_FORENAMES)
    surname = rng.choice(SURNAMES)
    born = on - relativedelta(years=rng.randint(20, 75)) - DAY * rng.randint(0, 364)
    event = on - DAY * rng.randint(1, 30)
    force = rng.choice(OTHER_FORCES)
    details = {
        "forename": forename,
        "surname": surname,
        "date_of_birth": born.isoformat(),
        "gender": "male" if male else "female",
        "from_force": force,
        "previous_reference": f"ZZ/{rng.randint(2010, on.year - 1)}/{rng.randrange(1, 999999):06d}",
        "address": street_address(world, team.towns, team.districts),
    }
    _notify(
        world,
        None,
        "transfer_in",
        event,
        event + DAY * _late(world, 0.2, (0, 3), (4, 8)),
        event + DAY * 3,
        details,
        open_task=True,
        team_id=team.id,
        title=f"Transfer in from {force}: {surname}, {forename}",
    )
