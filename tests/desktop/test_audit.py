"""The audit log: hash-chained rows that reveal an edited or deleted row."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select, update

from db.engine import make_engine, session_factory
from db.models import AuditEvent
from desktop.services.core import Services
from desktop.services.errors import PermissionRefused, SignInRefused
from tests.desktop.factories import PASSWORD, World, populate, world_clock


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    yield s
    s.close()


def _write_some(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    with pytest.raises(SignInRefused):
        services.auth.sign_in("ada", "not the password")
    _view(services, ada, world.zebedee)
    services.auth.sign_out(ada)


def _view(services: Services, actor, offender_id: int) -> None:
    with services.transaction() as session:
        services.audit.record(
            session,
            actor,
            "record_viewed",
            entity_type="offender",
            entity_id=offender_id,
            offender_id=offender_id,
        )


def _tamper(db_url: str, statement) -> None:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            session.execute(statement)
    finally:
        engine.dispose()


def _ids(db_url: str) -> list[int]:
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            return list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    finally:
        engine.dispose()


def test_empty_log_verifies(services: Services) -> None:
    result = services.audit.verify()
    assert result.ok and result.rows == 0 and result.first_broken_id is None


def test_chain_verifies_and_links_rows(services: Services, world: World, db_url: str) -> None:
    _write_some(services, world)
    result = services.audit.verify()
    assert result.ok, result.reason
    assert result.rows == 4
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    finally:
        engine.dispose()
    assert rows[0].prev_hash == "0" * 64
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
    assert [r.action for r in rows] == ["sign_in", "sign_in_failed", "record_viewed", "sign_out"]


def test_edited_detail_is_named(services: Services, world: World, db_url: str) -> None:
    _write_some(services, world)
    ids = _ids(db_url)
    _tamper(
        db_url, update(AuditEvent).where(AuditEvent.id == ids[1]).values(detail={"reason": "x"})
    )
    result = services.audit.verify()
    assert not result.ok
    assert result.first_broken_id == ids[1]
    assert str(ids[1]) in result.reason


def test_deleted_middle_row_is_named(services: Services, world: World, db_url: str) -> None:
    _write_some(services, world)
    ids = _ids(db_url)
    _tamper(db_url, delete(AuditEvent).where(AuditEvent.id == ids[1]))
    result = services.audit.verify()
    assert not result.ok
    assert result.first_broken_id == ids[2]


def test_no_password_in_the_log(services: Services, world: World, db_url: str) -> None:
    _write_some(services, world)
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session:
            details = [str(d) for d in session.scalars(select(AuditEvent.detail))]
    finally:
        engine.dispose()
    assert not any("not the password" in d or PASSWORD in d for d in details)


def test_detail_never_keeps_a_password_key(services: Services, world: World) -> None:
    with services.transaction() as session:
        services.audit.record(session, None, "test", detail={"password": "secret", "ok": 1})
        row = session.scalars(select(AuditEvent)).one()
        assert row.detail == {"ok": 1}
    assert services.audit.verify().ok


def test_history_is_newest_first_and_permission_checked(services: Services, world: World) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    _view(services, ada, world.zebedee)
    _view(services, ada, world.zebedee)
    rows = services.audit.history(ada, world.zebedee)
    assert [r.action for r in rows] == ["record_viewed", "record_viewed"]
    assert rows[0].username == "ada"
    gus = services.auth.sign_in("gus", PASSWORD)
    with pytest.raises(PermissionRefused):
        services.audit.history(gus, world.zebedee)


def test_concurrent_writers_keep_one_chain(services: Services, world: World) -> None:
    """Desktops writing at once queue on the tail of the chain instead of forking it."""
    import threading

    actors = [services.auth.sign_in(name, PASSWORD) for name in ("ada", "bram", "cora", "gus")]
    problems: list[BaseException] = []

    def write(actor) -> None:
        try:
            for _ in range(10):
                services.auth.sign_out(actor)
        except BaseException as exc:  # reported below
            problems.append(exc)

    threads = [threading.Thread(target=write, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not problems, problems
    result = services.audit.verify()
    assert result.ok, result.reason
    assert result.rows == 4 + 40
