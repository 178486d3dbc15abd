"""`pillars backup` (#9 item 8): a consistent copy of a SQLite database in use, owner-only,
integrity-checked, and restored by copying it back: the restored database opens, holds what was
committed before the backup and nothing after, and its audit chain verifies. PostgreSQL is
pointed to pg_dump."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from db.engine import make_engine
from db.models import AuditEvent
from desktop.cli import main
from desktop.services.core import Services
from tests.desktop.factories import PASSWORD, populate, world_clock


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _audit_rows(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(AuditEvent)) or 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", ["sqlite"])
def test_backup_then_restore_gives_back_what_was_committed_before_it(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    populate(db_url)
    services = Services(db_url, clock=world_clock)
    services.auth.sign_in("ada", PASSWORD)
    before = _audit_rows(db_url)

    # Another desktop holds a write open while the backup runs: the copy is a snapshot of what
    # was committed, so the uncommitted row is not in it.
    live = Path(db_url.removeprefix("sqlite:///"))
    writer = sqlite3.connect(live)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE officer SET surname = 'Uncommitted' WHERE username = 'bram'")
    target = tmp_path / "pillars-backup.sqlite3"
    try:
        status, out, err = run(capsys, "backup", "--db", db_url, "--out", str(target))
    finally:
        writer.rollback()
        writer.close()
    assert (status, err) == (0, "")
    assert out.startswith(f"Backed up {live} to {target} (") and "integrity check" in out
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with sqlite3.connect(target) as copy:  # one self-contained file, not left in WAL mode
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    services.auth.sign_in("bram", PASSWORD)  # after the backup
    services.close()
    assert _audit_rows(db_url) == before + 1

    # Restore: close everything, copy the backup over the database file.
    for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(target, live)
    assert _audit_rows(db_url) == before
    restored = Services(db_url, clock=world_clock)
    try:
        assert restored.auth.sign_in("ada", PASSWORD).username == "ada"
        assert restored.audit.verify().ok
    finally:
        restored.close()
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            names = conn.scalars(text("SELECT surname FROM officer")).all()
    finally:
        engine.dispose()
    assert "Uncommitted" not in names


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_failed_backup_leaves_the_earlier_backup_as_it_was(
    empty_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "backup.sqlite3"
    target.write_bytes(b"yesterday's backup")
    missing = f"sqlite:///{tmp_path / 'no-such.sqlite3'}"
    status, out, err = run(capsys, "backup", "--db", missing, "--out", str(target))
    assert status == 1 and out == ""
    assert err.startswith("pillars: error: no Pillars database at")
    assert target.read_bytes() == b"yesterday's backup"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


@pytest.mark.parametrize("backend", ["postgresql"])
def test_postgresql_is_pointed_to_pg_dump(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "backup"
    status, _, err = run(capsys, "backup", "--db", db_url, "--out", str(target))
    assert status == 1 and "pg_dump" in err
    assert not target.exists()
