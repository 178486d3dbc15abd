"""Every bad database gives one clear line on stderr, exit status 1, no traceback, and nothing
written: missing, locked, newer, empty, unreachable, not a database, no such PostgreSQL database.

Run through the command line in-process (`main([...])`), and a few as a real `python -m desktop`
subprocess, where a traceback would show."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from db import schema
from db.engine import make_engine
from desktop.cli import main

REPO = Path(__file__).resolve().parents[2]
NEWER = "ffff99990000"  # a revision no version of this code knows
CLOSED_PORT_URL = "postgresql+psycopg://postgres@127.0.0.1:1/pillars"

# Every command that opens an existing database; each must refuse a bad one the same way.
READERS = [["stats"], ["stats", "--json"], ["users", "--json"], ["db", "current"]]


def fails(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Run `pillars ARGV`; assert it failed with one `pillars: error:` line; return the line."""
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert status == 1, (out, err)
    assert out == ""
    assert err.startswith("pillars: error: "), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return err.removeprefix("pillars: error: ").strip()


def pillars_subprocess(
    *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *argv],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
        timeout=60,
        check=False,
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sqlite_file(url: str) -> Path:
    database = make_url(url).database
    assert database
    return Path(database)


# -- 1. missing SQLite file --------------------------------------------------------------------


@pytest.mark.parametrize("command", READERS)
def test_missing_file_names_the_path_and_how_to_create_one(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "no folder" / "pillars.sqlite3"
    message = fails(capsys, *command, "--db", f"sqlite:///{path}")
    assert str(path) in message
    assert "pillars db upgrade" in message and "pillars demo" in message
    assert not path.exists() and not path.parent.exists()


def test_missing_file_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "pillars.sqlite3"
    done = pillars_subprocess("stats", "--db", f"sqlite:///{path}")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("pillars: error: no Pillars database at ")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert not path.exists()


def test_a_folder_is_not_a_database_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    message = fails(capsys, "stats", "--db", f"sqlite:///{tmp_path}")
    assert message == f"{tmp_path} is a folder, not a Pillars database file"


# -- 2. locked SQLite file ---------------------------------------------------------------------


@pytest.fixture
def sqlite_db_url(tmp_path: Path, _sqlite_template: Path) -> str:
    """A migrated SQLite database (locking is a matter of the file)."""
    path = tmp_path / "pillars.sqlite3"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def held_exclusively(sqlite_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Another program holding the file exclusively. In WAL mode a plain BEGIN EXCLUSIVE still
    lets readers through (as it should), so the holder also takes SQLite's exclusive locking
    mode, as a tool that opens the file for itself does."""
    monkeypatch.setenv("PILLARS_BUSY_TIMEOUT_MS", "100")
    holder = sqlite3.connect(sqlite_file(sqlite_db_url), isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE alembic_version SET version_num = version_num")
    try:
        yield sqlite_db_url
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.mark.parametrize("command", [*READERS, ["db", "upgrade"]])
def test_locked_file_says_locked_quickly(
    command: list[str], held_exclusively: str, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    message = fails(capsys, *command, "--db", held_exclusively)
    assert time.monotonic() - started < 5
    assert "is locked by another program" in message
    assert str(sqlite_file(held_exclusively)) in message


def test_locked_file_in_a_real_process(held_exclusively: str) -> None:
    done = pillars_subprocess("users", "--db", held_exclusively)
    assert done.returncode == 1
    assert "locked by another program" in done.stderr
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def test_upgrade_while_another_program_writes_says_locked_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A writer in WAL mode blocks only other writers: reading that the file is empty works, the
    upgrade's first CREATE TABLE waits, then gives up with the locked message."""
    monkeypatch.setenv("PILLARS_BUSY_TIMEOUT_MS", "100")
    path = tmp_path / "busy.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("BEGIN EXCLUSIVE")
    try:
        message = fails(capsys, "db", "upgrade", "--db", f"sqlite:///{path}")
        assert "is locked by another program" in message
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    engine = make_engine(f"sqlite:///{path}")
    try:
        assert inspect(engine).get_table_names() == []
    finally:
        engine.dispose()


def test_busy_timeout_must_be_a_number(
    sqlite_db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PILLARS_BUSY_TIMEOUT_MS", "soon")
    message = fails(capsys, "stats", "--db", sqlite_db_url)
    assert message == "PILLARS_BUSY_TIMEOUT_MS must be a whole number of milliseconds, not 'soon'"


# -- 3. schema newer than the code -------------------------------------------------------------


def _set_revision(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    finally:
        engine.dispose()


def _revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        return schema.current_revision(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", [["stats"], ["users", "--json"], ["db", "upgrade"]])
def test_newer_schema_says_made_by_a_newer_pillars(
    command: list[str], db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _set_revision(db_url, NEWER)
    message = fails(capsys, *command, "--db", db_url)
    assert "was made by a newer version of Pillars" in message and NEWER in message
    assert _revision(db_url) == NEWER  # not "upgraded" back, nothing written


def test_db_current_reports_a_newer_schema_without_failing(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _set_revision(db_url, NEWER)
    assert main(["db", "current", "--db", db_url]) == 0
    assert f"schema {NEWER} (made by a newer version of Pillars)" in capsys.readouterr().out


# -- 4. empty database (no schema yet) ---------------------------------------------------------


@pytest.mark.parametrize("command", READERS[:3])
def test_empty_database_says_run_db_upgrade(
    command: list[str], empty_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if empty_url.startswith("sqlite"):
        sqlite_file(empty_url).touch()  # an empty file, as `touch` or a failed copy leaves
    message = fails(capsys, *command, "--db", empty_url)
    assert "is empty" in message and "pillars db upgrade" in message
    if empty_url.startswith("sqlite"):
        assert sqlite_file(empty_url).stat().st_size == 0
    else:
        engine = make_engine(empty_url)
        try:
            assert inspect(engine).get_table_names() == []
        finally:
            engine.dispose()


# -- 5. PostgreSQL unreachable -----------------------------------------------------------------


@pytest.mark.parametrize("command", [*READERS, ["db", "upgrade"]])
def test_unreachable_server_says_so_within_seconds(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    message = fails(capsys, *command, "--db", CLOSED_PORT_URL)
    assert time.monotonic() - started < 6
    assert message.startswith(f"cannot reach the database server at {CLOSED_PORT_URL}")


def test_unreachable_server_in_a_real_process_hides_the_password() -> None:
    done = pillars_subprocess(
        "stats", "--db", "postgresql+psycopg://pillars:s3cret@127.0.0.1:1/pillars"
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("pillars: error: cannot reach the database server at ")
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "s3cret" not in done.stderr


def test_unreachable_server_from_pillars_db_url(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PILLARS_DB_URL", CLOSED_PORT_URL)
    assert fails(capsys, "users").startswith("cannot reach the database server")


# -- 6. not a database; not a database URL -----------------------------------------------------


@pytest.mark.parametrize("command", [*READERS, ["db", "upgrade"]])
def test_random_bytes_are_not_a_pillars_database(
    command: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "holiday-photo.jpg"
    path.write_bytes(bytes(range(256)) * 64)
    before = digest(path)
    message = fails(capsys, *command, "--db", f"sqlite:///{path}")
    assert message == f"{path} is not a Pillars database (not an SQLite file)"
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["holiday-photo.jpg"]


def test_sqlite_file_of_other_tables_is_not_a_pillars_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "recipes.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipe (name TEXT)")
    conn.commit()
    conn.close()
    assert fails(capsys, "stats", "--db", f"sqlite:///{path}") == (
        f"{path} holds tables but is not a Pillars database"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("not a url", "not a database URL: 'not a url'; use sqlite:///FILE or "),
        ("/home/me/pillars.sqlite3", "not a database URL: '/home/me/pillars.sqlite3'; use "),
        ("mysql://me@127.0.0.1/pillars", "unsupported database 'mysql': use sqlite:///FILE or "),
        ("", "--db: not a database URL: ''; use sqlite:///FILE or "),
    ],
)
def test_not_a_database_url(url: str, expected: str, capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["stats"], ["users"], ["db", "upgrade"], ["gui"]):
        assert fails(capsys, *command, "--db", url).startswith(expected)


def test_not_a_database_url_in_a_real_process() -> None:
    done = pillars_subprocess("db", "upgrade", "--db", "http://example.invalid/pillars")
    assert done.returncode == 1
    assert done.stderr.startswith("pillars: error: unsupported database 'http'")
    assert "Traceback" not in done.stderr


# -- 7. PostgreSQL database that does not exist ------------------------------------------------


@pytest.mark.postgres
@pytest.mark.parametrize("command", [*READERS, ["db", "upgrade"]])
def test_no_such_postgresql_database(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    admin = os.environ.get("PILLARS_TEST_PG_URL")
    if not admin:
        pytest.skip("PostgreSQL tests need PILLARS_TEST_PG_URL (set by .ci/run); skipped")
    url = make_url(admin).set(database="pillars_no_such_db").render_as_string(hide_password=False)
    message = fails(capsys, *command, "--db", url)
    assert message.startswith("the server has no database named 'pillars_no_such_db'")
    assert "createdb pillars_no_such_db" in message and "pillars db upgrade" in message


# -- and a database damaged by hand ------------------------------------------------------------


def test_a_table_dropped_by_hand_is_one_line(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE notification"))
    finally:
        engine.dispose()
    message = fails(capsys, "stats", "--db", db_url)
    assert message.startswith("database error at ") and "notification" in message
