"""MAPPA category and level: who may change them, validation, history, audit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from db.engine import make_engine, session_factory
from db.models import AuditEvent, MappaChange, Offender
from desktop.services.core import Services
from desktop.services.errors import EditConflict, PermissionRefused, ValidationFailed
from tests.desktop.factories import PASSWORD, World, populate, world_clock


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _offender(db_url: str, offender_id: int) -> Offender:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            offender = session.get(Offender, offender_id)
            assert offender is not None
            return offender
    finally:
        engine.dispose()


def _count(db_url: str, model) -> int:  # noqa: ANN001
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return len(list(session.scalars(select(model.id))))
    finally:
        engine.dispose()


def test_manager_and_sergeant_change_mappa_with_history(
    services: Services, world: World, db_url: str
) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    version = _offender(db_url, world.zebedee).version
    services.mappa.change(ada, world.zebedee, version, "1", "3", "Fictional MAPPA meeting.")
    offender = _offender(db_url, world.zebedee)
    assert (offender.mappa_category, offender.mappa_level) == (1, 3)
    assert offender.updated_by_id == world.ada and offender.version == version + 1
    cora = services.auth.sign_in("cora", PASSWORD)
    services.mappa.change(cora, world.zebedee, offender.version, "2: violent", "2", "Review.")
    history = services.mappa.history(ada, world.zebedee)
    assert [(h.category, h.level, h.changed_by) for h in history] == [
        (2, 2, "Cora Pennywhistle"),
        (1, 3, "Ada Quillfeather"),
    ]
    assert (
        history[1].reason == "Fictional MAPPA meeting." and history[0].changed_at == world_clock()
    )
    engine = make_engine(db_url)
    with session_factory(engine)() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    engine.dispose()
    assert actions.count("mappa_changed") == 2 and actions[-1] == "mappa_changed"
    # the record shows the history too
    assert [h.level for h in services.records.open(ada, world.zebedee).mappa_history] == [2, 3]


def test_who_may_change_mappa(services: Services, world: World, db_url: str) -> None:
    version = _offender(db_url, world.zebedee).version
    for username, why in (
        ("bram", "offender's manager"),  # another offender manager of the team
        ("hattie", "Only Alder team officers"),  # a sergeant of another team
        ("elsie", "offender's manager"),  # hub
        ("fenn", "cannot open offender records"),  # administrator
    ):
        actor = services.auth.sign_in(username, PASSWORD)
        with pytest.raises(PermissionRefused, match=why):
            services.mappa.change(actor, world.zebedee, version, "1", "3", "No.")
    assert _count(db_url, MappaChange) == 0
    dorian = services.auth.sign_in("dorian", PASSWORD)
    services.mappa.change(dorian, world.zebedee, version, "1", "1", "Team manager's review.")
    assert _offender(db_url, world.zebedee).mappa_level == 1


def test_validation_and_conflict(services: Services, world: World, db_url: str) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    version = _offender(db_url, world.zebedee).version
    with pytest.raises(ValidationFailed) as failed:
        services.mappa.change(
            ada, world.zebedee, version, "5", "0", "sort code 12-34-56, account 12345678"
        )
    assert {e.field for e in failed.value.errors} == {"category", "level", "reason"}
    with pytest.raises(ValidationFailed, match="Enter the reason"):
        services.mappa.change(ada, world.zebedee, version, "1", "3", " ")
    with pytest.raises(ValidationFailed, match="nothing to change"):
        services.mappa.change(ada, world.zebedee, version, "1", "2", "Same again.")
    assert _count(db_url, MappaChange) == 0
    second = Services(db_url, clock=lambda: world_clock() + dt.timedelta(minutes=1))
    try:
        cora = second.auth.sign_in("cora", PASSWORD)
        second.mappa.change(cora, world.zebedee, version, "1", "3", "Meeting.")
    finally:
        second.close()
    with pytest.raises(EditConflict, match="Cora Pennywhistle changed this record"):
        services.mappa.change(ada, world.zebedee, version, "1", "1", "Mine.")
    assert _offender(db_url, world.zebedee).mappa_level == 3
