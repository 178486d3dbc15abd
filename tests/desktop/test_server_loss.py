"""Server loss (issue #9 item 4), on the service side: while the PostgreSQL server is down a call
fails with DatabaseUnreachable, and once it is back the same Services carries on (the pool's
pre-ping replaces the dead connections). The error says whether the work in hand may have saved
anything, which is what the desktop decides a retry on.

These tests stop and start a throwaway server of their own (tests/pg_server.py), never the shared
one. Each piece of work runs in a context of its own, as the desktop's background runner runs it:
the database layer counts the commits of changes per context."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select, update

from db.errors import DatabaseUnreachable
from db.models import Offender
from desktop.services.core import Services
from desktop.services.records import IdentityEdit
from tests.desktop.factories import PASSWORD, world_clock
from tests.pg_server import ServerDatabase, lost_server_db, pg_server  # noqa: F401 (fixtures)


def as_a_job(fn: Callable[..., Any], *args: Any) -> Any:
    return contextvars.Context().run(fn, *args)


@pytest.fixture
def services(lost_server_db: ServerDatabase) -> Iterator[Services]:  # noqa: F811
    s = Services(lost_server_db.url, clock=world_clock)
    yield s
    s.close()


def notes_of(services: Services, offender_id: int) -> str:
    with services.transaction() as session:
        return session.scalars(select(Offender.notes).where(Offender.id == offender_id)).one()


def test_a_call_fails_while_the_server_is_down_and_works_once_it_is_back(
    lost_server_db: ServerDatabase,  # noqa: F811
    services: Services,
) -> None:
    db = lost_server_db
    actor = services.auth.sign_in("ada", PASSWORD)
    before = as_a_job(services.records.open, actor, db.world.zebedee)

    db.server.stop()
    with pytest.raises(DatabaseUnreachable) as refused:
        as_a_job(services.records.open, actor, db.world.zebedee)
    assert "cannot reach the database server" in str(refused.value)
    assert "check the address and that PostgreSQL is running" in str(refused.value)
    assert refused.value.nothing_saved  # type: ignore[attr-defined]

    db.server.start()
    after = as_a_job(services.records.open, actor, db.world.zebedee)
    assert (after.reference, after.name) == (before.reference, before.name)
    # And a change saves as before, through the same Services.
    edit = IdentityEdit(
        forename=after.forename,
        surname=after.surname,
        date_of_birth=after.date_of_birth.strftime("%d/%m/%Y"),
        gender=after.gender or "",
        aliases="\n".join(after.aliases),
        notes="Seen at the allotment after the restart (synthetic).",
    )
    as_a_job(services.records.update_identity, actor, db.world.zebedee, after.version, edit)
    assert notes_of(services, db.world.zebedee) == edit.notes


def test_work_cut_off_before_its_commit_saved_nothing_and_says_so(
    lost_server_db: ServerDatabase,  # noqa: F811
    services: Services,
) -> None:
    db = lost_server_db
    before = notes_of(services, db.world.quentin)

    def cut_off() -> None:
        with services.transaction() as session:
            session.execute(
                update(Offender)
                .where(Offender.id == db.world.quentin)
                .values(notes="Typed just before the server went (synthetic).")
            )
            db.server.stop()  # a fast shutdown ends this session mid-transaction
            session.execute(select(Offender.id).limit(1))

    with pytest.raises(DatabaseUnreachable) as lost:
        as_a_job(cut_off)
    assert "lost the connection to the database server" in str(lost.value)
    assert "nothing was saved" in str(lost.value)
    assert lost.value.nothing_saved  # type: ignore[attr-defined]

    db.server.start()
    assert notes_of(services, db.world.quentin) == before


def test_work_that_committed_a_change_before_the_loss_may_have_saved_it(
    lost_server_db: ServerDatabase,  # noqa: F811
    services: Services,
) -> None:
    """Like a dialog's job that saves and then reads the record again: once the save's COMMIT
    was sent, running the whole job again could save twice, so the error does not say "nothing
    was saved". Read-only work in the same situation still may be run again."""
    db = lost_server_db
    actor = services.auth.sign_in("ada", PASSWORD)
    record = as_a_job(services.records.open, actor, db.world.horatio)
    edit = IdentityEdit(
        forename=record.forename,
        surname=record.surname,
        date_of_birth=record.date_of_birth.strftime("%d/%m/%Y"),
        gender=record.gender or "",
        aliases="\n".join(record.aliases),
        notes="Saved, and then the server went (synthetic).",
    )

    def save_then_read() -> None:
        services.records.update_identity(actor, db.world.horatio, record.version, edit)
        db.server.stop()
        services.records.open(actor, db.world.horatio)

    def read_then_read() -> None:
        notes_of(services, db.world.horatio)
        db.server.stop()
        notes_of(services, db.world.horatio)

    with pytest.raises(DatabaseUnreachable) as lost:
        as_a_job(save_then_read)
    assert not lost.value.nothing_saved  # type: ignore[attr-defined]
    assert "may or may not have been saved" in str(lost.value)

    db.server.start()
    with pytest.raises(DatabaseUnreachable) as refused:
        as_a_job(read_then_read)
    assert refused.value.nothing_saved  # type: ignore[attr-defined]

    db.server.start()
    assert notes_of(services, db.world.horatio) == edit.notes
