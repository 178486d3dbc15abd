"""The database itself, for administrators: which schema it holds, and bringing it up to date.

Not a per-user service on `Services`: these work on a database that `Services` refuses to open
(empty, or of an older schema), so they take a URL. No permission check: only the command line
calls them, with the database's own credentials.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from db import engine as db_engine
from db import schema
from db.errors import DatabaseProblem, SchemaOutOfDate, SchemaTooNew

log = logging.getLogger("pillars.services")


@dataclass(frozen=True)
class SchemaReport:
    location: str  # where the data lives, without any password
    revision: str | None  # the schema the database holds; None when it is empty
    head: str  # the schema this version of Pillars uses
    state: str  # "current", "older", "newer" or "empty"


def schema_report(url: str) -> SchemaReport:
    """Which schema the database at `url` holds. Raises DatabaseProblem when it cannot be opened
    or holds tables that are not Pillars's; never writes."""
    location = db_engine.describe(url)
    engine = db_engine.make_engine(url)
    try:
        with db_engine.translated_errors(url):
            revision = schema.current_revision(engine)
            try:
                schema.check_current(engine, location)
                state = "current"
            except SchemaOutOfDate:
                state = "empty" if revision is None else "older"
            except SchemaTooNew:
                state = "newer"
    finally:
        engine.dispose()
    return SchemaReport(location, revision, schema.head_revision(), state)


def upgrade(url: str) -> SchemaReport:
    """Bring the database at `url` to this version's schema, creating a missing SQLite file.

    Refuses, writing nothing, a database of a newer Pillars or one holding other tables. A SQLite
    file this call created is removed again when the upgrade fails. Returns the state before."""
    parsed = db_engine.parse_url(url)
    path = db_engine.sqlite_path(parsed)
    created = path is not None and not path.exists()
    location = db_engine.describe(parsed)
    engine = db_engine.make_engine(parsed, create=True)
    try:
        with db_engine.translated_errors(parsed):
            revision = schema.current_revision(engine)
            try:
                schema.check_current(engine, location)
                state = "current"
            except SchemaOutOfDate:
                state = "empty" if revision is None else "older"
                schema.upgrade(engine)
    except BaseException:
        engine.dispose()
        if created and path is not None:
            remove_sqlite_file(path)
        raise
    engine.dispose()
    log.info("database at %s: schema %s -> %s", location, revision, schema.head_revision())
    return SchemaReport(location, revision, schema.head_revision(), state)


def remove_sqlite_file(path: Path) -> None:
    """Remove a SQLite file this process created, with its WAL and shared-memory files."""
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)


@dataclass(frozen=True)
class BackupReport:
    location: str  # the database copied
    out: Path
    revision: str | None  # the copy's schema
    bytes: int


def backup(url: str, out: Path) -> BackupReport:
    """Copy the SQLite database at `url` to `out` while it is in use (SQLite's online backup: a
    consistent snapshot, other desktops may go on writing), check the copy's integrity, and only
    then move it over `out`, readable by its owner only. A failure leaves any earlier `out` as it
    was. PostgreSQL is backed up with pg_dump (README, "Backups"): refused here with that
    pointer."""
    import contextlib
    import os
    import sqlite3
    import tempfile

    parsed = db_engine.parse_url(url)
    path = db_engine.sqlite_path(parsed)
    location = db_engine.describe(parsed)
    if path is None:
        raise DatabaseProblem(
            f"{location} is not a SQLite file: back up PostgreSQL with pg_dump, as the README's "
            "Backups section shows (pg_dump --format=custom --file=FILE.dump DATABASE)"
        )
    engine = db_engine.make_engine(parsed)  # refuses a missing file, says what is wrong
    handle, temp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle)
    try:
        with db_engine.translated_errors(parsed), engine.connect() as connection:
            source = connection.connection.dbapi_connection
            assert source is not None
            copy = sqlite3.connect(temp)
            try:
                source.backup(copy)  # type: ignore[attr-defined]
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
                problems = [row[0] for row in copy.execute("PRAGMA integrity_check")]
            finally:
                copy.close()
        if problems != ["ok"]:
            raise DatabaseProblem(
                f"the backup of {location} failed its integrity check ({'; '.join(problems)}); "
                f"{out} was not written"
            )
        check = db_engine.make_engine(f"sqlite:///{temp}")
        try:
            revision = schema.current_revision(check)
        finally:
            check.dispose()
        os.chmod(temp, 0o600)
        os.replace(temp, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    finally:
        engine.dispose()
    log.info("backed up %s to %s", location, out)
    return BackupReport(location, out, revision, out.stat().st_size)
