"""`pillars audit-verify`: exit 0 on an intact chain; a row edited or deleted directly in the
database (as someone with the database's credentials could) fails it, naming the first broken
row."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from db.engine import make_engine
from db.models import AuditEvent
from desktop.cli import main
from desktop.services.core import Services
from tests.desktop.factories import PASSWORD, World, populate, world_clock


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def audited(db_url: str) -> list[int]:
    """The world, and a few audited sign-ins; the audit rows' ids, oldest first."""
    world: World = populate(db_url)
    assert world.ada
    services = Services(db_url, clock=world_clock)
    try:
        for username in ("ada", "bram", "cora", "dorian", "ada"):
            services.auth.sign_in(username, PASSWORD)
    finally:
        services.close()
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            return list(conn.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    finally:
        engine.dispose()


def _execute(db_url: str, sql: str, **values: object) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), values)
    finally:
        engine.dispose()


def test_an_intact_chain_verifies(
    db_url: str, audited: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "audit-verify", "--db", db_url)
    assert (status, err) == (0, "")
    assert f": {len(audited)} rows, the hash chain holds" in out


def test_an_edited_row_is_named(
    db_url: str, audited: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    edited = audited[2]
    _execute(db_url, "UPDATE audit_event SET username = 'nobody' WHERE id = :id", id=edited)
    status, out, err = run(capsys, "audit-verify", "--db", db_url)
    assert status == 1 and out == ""
    assert f"audit row {edited} was changed after it was written" in err
    assert f"first broken row: {edited}" in err


def test_a_deleted_row_breaks_the_chain_at_its_successor(
    db_url: str, audited: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    deleted, successor = audited[1], audited[2]
    _execute(db_url, "DELETE FROM audit_event WHERE id = :id", id=deleted)
    status, _, err = run(capsys, "audit-verify", "--db", db_url)
    assert status == 1
    assert f"audit row {successor} does not follow the row before it" in err


def test_rows_cut_from_the_end_are_caught_by_an_anchor_kept_from_an_earlier_check(
    db_url: str, audited: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    """The rows left after a cut still chain; the newest hash printed by an earlier check (the
    anchor, kept outside the database) is then missing, and the check fails."""
    status, out, _ = run(capsys, "audit-verify", "--db", db_url)
    assert status == 0
    newest = out.splitlines()[-1]
    assert newest.startswith(f"Newest row {audited[-1]}, hash ")
    anchor = newest.rsplit(" ", 1)[-1]
    assert len(anchor) == 64

    status, out, _ = run(capsys, "audit-verify", "--db", db_url, "--anchor", anchor[:32])
    assert status == 0 and "the hash chain holds and holds the anchor" in out

    _execute(db_url, "DELETE FROM audit_event WHERE id >= :id", id=audited[-2])
    status, out, _ = run(capsys, "audit-verify", "--db", db_url)
    assert status == 0  # what is left still chains: only the anchor shows the cut
    status, _, err = run(capsys, "audit-verify", "--db", db_url, "--anchor", anchor)
    assert status == 1
    assert f"no row has the anchor hash {anchor[:12]}…: rows up to it were removed" in err

    status, _, err = run(capsys, "audit-verify", "--db", db_url, "--anchor", "not-a-hash")
    assert status == 1 and "--anchor: an anchor is the hash an earlier check printed" in err
