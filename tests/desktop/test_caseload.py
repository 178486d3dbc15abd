"""The caseload: who sees which view, and the clocks on each row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from dateutil.relativedelta import relativedelta

from desktop.services.caseload import Scope, search_key
from desktop.services.core import Services
from desktop.services.errors import PermissionRefused
from tests.desktop.factories import PASSWORD, WORLD_TODAY, World, populate, world_clock


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _ids(caseload) -> set[int]:
    return {row.offender_id for row in caseload.rows}


ROLE_SCOPES = {
    "ada": [Scope.MINE, Scope.TEAM],
    "cora": [Scope.TEAM],
    "dorian": [Scope.TEAM, Scope.FORCE],
    "elsie": [Scope.FORCE],
    "fenn": [],
}


@pytest.mark.parametrize("username", sorted(ROLE_SCOPES))
def test_allowed_scopes_by_role(services: Services, world: World, username: str) -> None:
    actor = services.auth.sign_in(username, PASSWORD)
    assert services.caseload.allowed_scopes(actor) == ROLE_SCOPES[username]
    if ROLE_SCOPES[username]:
        assert services.caseload.default_scope(actor) == ROLE_SCOPES[username][0]
    else:
        with pytest.raises(PermissionRefused, match="administrator"):
            services.caseload.default_scope(actor)


def test_scopes_and_counts_per_role(services: Services, world: World) -> None:
    load = services.caseload.load
    ada = services.auth.sign_in("ada", PASSWORD)
    assert _ids(load(ada, Scope.MINE)) == {world.zebedee, world.quentin, world.horatio}
    assert _ids(load(ada, "team")) == set(world.alder_offenders)
    with pytest.raises(PermissionRefused, match="whole force"):
        load(ada, Scope.FORCE)
    cora = services.auth.sign_in("cora", PASSWORD)
    assert _ids(load(cora, Scope.TEAM)) == set(world.alder_offenders)
    with pytest.raises(PermissionRefused):
        load(cora, Scope.MINE)
    dorian = services.auth.sign_in("dorian", PASSWORD)
    assert _ids(load(dorian, Scope.TEAM)) == set(world.alder_offenders)
    everyone = set(world.alder_offenders) | set(world.birch_offenders)
    assert _ids(load(dorian, Scope.FORCE)) == everyone
    elsie = services.auth.sign_in("elsie", PASSWORD)
    assert _ids(load(elsie, Scope.FORCE)) == everyone
    gus = services.auth.sign_in("gus", PASSWORD)
    assert _ids(load(gus, Scope.TEAM)) == set(world.birch_offenders)
    fenn = services.auth.sign_in("fenn", PASSWORD)
    for scope in Scope:
        with pytest.raises(PermissionRefused):
            load(fenn, scope)
    with pytest.raises(PermissionRefused, match="not a caseload view"):
        load(ada, "everything")


def test_row_contents_and_flags(services: Services, world: World) -> None:
    dorian = services.auth.sign_in("dorian", PASSWORD)
    caseload = services.caseload.load(dorian, Scope.FORCE)
    assert caseload.on == WORLD_TODAY and caseload.benchmark == 50
    assert caseload.scope is Scope.FORCE
    rows = {row.offender_id: row for row in caseload.rows}
    today = WORLD_TODAY

    zeb = rows[world.zebedee]
    assert zeb.reference == "ZZ/2019/004512"
    assert zeb.name == "Zebedee Plimsoll"
    assert zeb.aliases == "Zeb Plimsoll; Zebedee Plimsole"
    assert zeb.postcode == "ZZ3 4QT"
    assert zeb.risk_level == "high"
    assert (zeb.mappa_category, zeb.mappa_level) == (1, 2)
    assert zeb.status == "community"
    assert zeb.manager == "Ada Quillfeather" and zeb.manager_id == world.ada
    assert zeb.last_seen == today - relativedelta(months=2)
    assert zeb.next_visit_due == today + relativedelta(months=1)
    assert not zeb.visit_overdue
    assert zeb.arms_review_due == today + relativedelta(months=6)
    assert not zeb.arms_overdue
    assert (zeb.open_tasks, zeb.breaches, zeb.released_on) == (0, 0, None)

    quentin = rows[world.quentin]
    assert quentin.reactive_management and quentin.risk_level == "low"
    assert quentin.next_visit_due is None and not quentin.visit_overdue

    horatio = rows[world.horatio]
    assert horatio.risk_level == "very_high"
    assert horatio.last_seen == today - relativedelta(months=3)  # the no-access visit is not "seen"
    assert horatio.next_visit_due == today - relativedelta(months=2)
    assert horatio.visit_overdue and horatio.arms_overdue
    assert horatio.open_tasks == 2
    assert horatio.breaches == 1  # PPN in draft 30 hours after the concern

    barnaby = rows[world.barnaby]
    assert barnaby.status == "custody"
    assert barnaby.next_visit_due is None and not barnaby.visit_overdue
    assert barnaby.breaches == 1  # release not recorded

    mortimer = rows[world.mortimer]
    assert mortimer.manager == "" and mortimer.manager_id is None
    assert mortimer.postcode == "" and mortimer.no_fixed_abode
    assert mortimer.risk_level is None and mortimer.arms_review_due is None
    assert mortimer.arms_overdue
    assert mortimer.last_seen is None and mortimer.visit_overdue

    cuthbert = rows[world.cuthbert]
    assert cuthbert.released_on == today - dt.timedelta(days=10)
    assert cuthbert.visit_overdue

    ignatius = rows[world.ignatius]
    # He notified on time; only the hub is late processing it: an open task, not his breach.
    assert ignatius.breaches == 0 and ignatius.open_tasks == 1
    assert not ignatius.visit_overdue


def test_rows_sorted_by_surname(services: Services, world: World) -> None:
    elsie = services.auth.sign_in("elsie", PASSWORD)
    surnames = [row.name.split()[-1] for row in services.caseload.load(elsie, Scope.FORCE).rows]
    assert surnames == sorted(surnames, key=str.casefold)


def test_search_key(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    rows = {r.offender_id: r for r in services.caseload.load(ada, Scope.MINE).rows}
    key = rows[world.zebedee].search_key
    for fragment in ("zz/2019/004512", "zebedee plimsoll", "zeb plimsoll", "zz3 4qt", "zz34qt"):
        assert fragment in key
    assert key == key.lower()
    assert search_key("R1", "A B", [], "") == "r1 a b"


def test_load_on_another_day(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    earlier = WORLD_TODAY - relativedelta(months=2, days=15)
    rows = {r.offender_id: r for r in services.caseload.load(ada, Scope.MINE, on=earlier).rows}
    assert rows[world.horatio].visit_overdue is False


def test_release_not_yet_processed_still_counts(
    services: Services, world: World, db_url: str
) -> None:
    from db.engine import make_engine, session_factory
    from db.enums import NotificationKind, NotificationState
    from db.models import Notification, Offender

    engine = make_engine(db_url)
    released = WORLD_TODAY - dt.timedelta(days=2)
    with session_factory(engine)() as session, session.begin():
        offender = session.get(Offender, world.percival)
        offender.status_since = released
        session.add(
            Notification(
                offender_id=world.percival,
                kind=NotificationKind.RELEASE,
                event_on=released,
                notified_on=released,
                due_on=released + dt.timedelta(days=3),
                state=NotificationState.RECEIVED,
            )
        )
        session.add(
            Notification(
                offender_id=world.zebedee,
                kind=NotificationKind.RELEASE,
                event_on=released,
                notified_on=released,
                state=NotificationState.REJECTED,
            )
        )
    engine.dispose()
    ada = services.auth.sign_in("ada", PASSWORD)
    rows = {r.offender_id: r for r in services.caseload.load(ada, Scope.TEAM).rows}
    assert rows[world.percival].released_on == released
    assert rows[world.percival].next_visit_due == released + dt.timedelta(days=3)
    assert rows[world.zebedee].released_on is None
    assert services.records.open(ada, world.percival).released_on == released
