"""The database itself, for administrators: which schema it holds, and bringing it up to date.

Not a per-user service on `Services`: these work on a database that `Services` refuses to open
(empty, or of an older schema), so they take a URL. No permission check: only the command line
calls them, with the database's own credentials.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db import engine as db_engine
from db import schema
from db.errors import DatabaseProblem, SchemaOutOfDate, SchemaTooNew

log = logging.getLogger("pillars.services")

# The group role migration 0003 makes; every officer's login role is a member and nothing else.
OFFICER_GROUP = "pillars_officer"
# A username that can be a role name as typed, with no quoting surprises: the app matches
# usernames without regard to case, so the role is the lower-case username.
_ROLE_NAME = re.compile(r"[a-z][a-z0-9._-]{0,39}")
_RESERVED_ROLE_NAMES = frozenset(
    {"public", "none", "current_user", "session_user", "current_role", OFFICER_GROUP}
)


@dataclass(frozen=True)
class SchemaReport:
    """Which schema the database holds against the one this Pillars uses (`pillars db current`): the
    state decides whether to upgrade. `location` never shows a password."""

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
    """What `backup` wrote for `pillars backup`: the database copied, the file, the copy's schema
    and its size in bytes."""

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
                # Read with plain sqlite3: the app's engine would switch the copy back to WAL.
                try:
                    found = copy.execute("SELECT version_num FROM alembic_version").fetchone()
                except sqlite3.DatabaseError:
                    found = None
                revision = found[0] if found else None
            finally:
                copy.close()
        if problems != ["ok"]:
            raise DatabaseProblem(
                f"the backup of {location} failed its integrity check ({'; '.join(problems)}); "
                f"{out} was not written"
            )
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


# -- officers' own database roles (PostgreSQL) ---------------------------------------------------


def create_officer_role(url: str, username: str, password: str) -> str:
    """Let the officer `username` connect to the shared PostgreSQL database at `url` as a login
    role of their own, a member of `pillars_officer`, whose row-level security (migration 0003)
    shows them only what their Pillars role may read. Sets the password of a role that already
    exists. Returns a sentence saying what was done.

    `url` is the owner's connection (the role that ran `pillars db upgrade`, which needs
    CREATEROLE). Refused, changing nothing (DatabaseProblem): a SQLite database; a schema that
    is not current; a username that is not one active officer here or cannot be a role name; an
    existing role of that name that is not a plain Pillars officer role (a superuser, say).
    The password reaches the server only as a SCRAM verifier made here (as psql's \\password
    does), so it is never in SQL text or the server's log; the name is quoted as an identifier."""
    if not password:
        raise DatabaseProblem(
            "the officer's database password is empty; give one (nothing was changed)"
        )
    name = role_name(username)
    with _owner_connection(url) as (conn, raw):
        officers = conn.execute(
            text(
                "SELECT username, active, password_hash FROM officer WHERE lower(username) = :name"
            ),
            {"name": name},
        ).all()
        if len(officers) != 1 or not officers[0][1]:
            why = (
                "no officer has that username"
                if not officers
                else "that officer's account is not active"
                if len(officers) == 1
                else "more than one officer has that username in different cases"
            )
            raise DatabaseProblem(
                f"cannot make a database role for {username!r}: {why} in "
                f"{db_engine.describe(url)}; nothing was changed"
            )
        existing = _set_password(conn, raw, name, password, url)
    log.info("database role %s %s", name, "password set" if existing else "created")
    from desktop.services.passwords import verify_password

    drift = (
        ""
        if verify_password(password, officers[0][2] or "")
        else f" Note: this is not {officers[0][0]}'s Pillars password, so the app will refuse "
        f"their sign-in until both match: 'pillars user password {officers[0][0]}' sets both."
    )
    if existing:
        return f"Database role {name} already existed: its password is changed.{drift}"
    return (
        f"Database role {name} created: {officers[0][0]} can now connect with it and sees only "
        f"what their Pillars role may read.{drift}"
    )


def drop_officer_role(url: str, username: str) -> str:
    """Remove the officer's own database role (they leave, or no longer use the shared
    database). Refuses, changing nothing, a role that is not a plain Pillars officer role. A role
    that is already gone is not an error. Returns a sentence saying what was done."""
    name = role_name(username)
    with _owner_connection(url, check_schema=False) as (conn, raw):
        if not _officer_role(conn, name, url):
            return f"There is no database role {name}: nothing to remove."
        from psycopg import sql

        raw.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
    log.info("database role %s dropped", name)
    return f"Database role {name} removed: it can no longer connect."


def set_role_password(session: Session, username: str, password: str) -> str | None:
    """In the caller's transaction on a PostgreSQL database (the owner's connection): make the
    officer's own login role with `password`, or set the password of the one that exists. Returns
    the role's name; None on SQLite, which has no roles. Refused (DatabaseProblem) like
    `create_officer_role`; the caller's transaction then rolls back whole."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return None
    name = role_name(username)
    location = db_engine.describe(conn.engine.url)
    _require_group(conn, location)
    with _role_errors(location):
        _set_password(conn, conn.connection.dbapi_connection, name, password, conn.engine.url)
    return name


def connected_as_officer(session: Session) -> bool:
    """Whether the session's connection is an officer's own PostgreSQL role (a plain member of
    `pillars_officer`): not the owner's, not a superuser's (for whom pg_has_role is always true),
    nor the owner that made the group (PostgreSQL 16 records its creator as an ADMIN member)."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(
        session.scalar(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_auth_members m "
                "JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member "
                "WHERE g.rolname = :group AND u.rolname = current_user AND NOT m.admin_option)"
            ),
            {"group": OFFICER_GROUP},
        )
    )


def role_exists(session: Session, username: str) -> bool:
    """Whether the server already has the database role of `username` (False on SQLite). Roles
    are the whole server's, shared by every database on it."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    return (
        session.scalar(
            text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": role_name(username)}
        )
        is not None
    )


def _set_password(conn: Connection, raw: Any, name: str, password: str, url: Any) -> bool:
    """CREATE or ALTER the login role `name`; whether it existed. The password reaches the
    server only as a SCRAM verifier made here."""
    existing = _officer_role(conn, name, url)
    from psycopg import sql

    verifier = raw.pgconn.encrypt_password(password.encode("utf-8"), name.encode("utf-8"))
    statement = (
        "ALTER ROLE {} WITH LOGIN PASSWORD {}"
        if existing
        else "CREATE ROLE {} WITH LOGIN PASSWORD {} IN ROLE " + OFFICER_GROUP
    )
    raw.execute(
        sql.SQL(statement).format(sql.Identifier(name), sql.Literal(verifier.decode("ascii")))
    )
    return existing


def role_name(username: str) -> str:
    """The database role of the officer `username`: the username in lower case. Raises
    DatabaseProblem for one that cannot be a role name."""
    name = (username or "").strip().lower()
    if not _ROLE_NAME.fullmatch(name) or name in _RESERVED_ROLE_NAMES or name.startswith("pg_"):
        raise DatabaseProblem(
            f"{username!r} cannot be a database role name: use the officer's Pillars username, "
            "a letter then up to 39 letters, digits, dots, hyphens or underscores; nothing was "
            "changed"
        )
    return name


@contextmanager
def _owner_connection(url: str, *, check_schema: bool = True) -> Iterator[tuple[Connection, Any]]:
    """One transaction on the PostgreSQL database at `url`, with its psycopg connection for
    statements that take identifiers; committed when the block ends. Refuses SQLite, a schema
    that is not current (when `check_schema`), and a server without the officer group role."""
    parsed = db_engine.parse_url(url)
    location = db_engine.describe(parsed)
    if parsed.get_backend_name() != "postgresql":
        raise DatabaseProblem(
            f"{location} is a SQLite file: officers' database roles are for a shared PostgreSQL "
            "database (the file's own permissions decide who opens a SQLite file)"
        )
    engine = db_engine.make_engine(parsed)
    try:
        with db_engine.translated_errors(parsed):
            if check_schema:
                schema.check_current(engine, location)
            with engine.begin() as conn:
                _require_group(conn, location)
                with _role_errors(location):
                    yield conn, conn.connection.dbapi_connection
    finally:
        engine.dispose()


def _require_group(conn: Connection, location: str) -> None:
    if conn.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :g"), {"g": OFFICER_GROUP}) is None:
        raise DatabaseProblem(
            f"the server of {location} has no role {OFFICER_GROUP}: run "
            "'pillars db upgrade --db URL' first (nothing was changed)"
        )


@contextmanager
def _role_errors(location: str) -> Iterator[None]:
    """The server's refusal of a role statement (through SQLAlchemy or psycopg directly) as one
    sentence that says nothing was changed."""
    try:
        yield
    except DBAPIError as exc:
        raise _role_problem(exc.orig, location) from exc
    except Exception as exc:
        if type(exc).__module__.startswith("psycopg"):
            raise _role_problem(exc, location) from exc
        raise


def _role_problem(error: BaseException | None, location: str) -> DatabaseProblem:
    first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    hint = (
        " (connect as the database's owner, which needs CREATEROLE)"
        if getattr(error, "sqlstate", None) == "42501"  # insufficient_privilege
        else ""
    )
    return DatabaseProblem(
        f"the server of {location} refused to change the role: {first}{hint}; nothing was changed"
    )


def _officer_role(conn: Connection, name: str, url: str) -> bool:
    """Whether the role `name` exists; refuses one that is not a plain officer role: a member of
    `pillars_officer` only, with no power beyond logging in, and not the owner's own."""
    row = conn.execute(
        text(
            """SELECT r.rolsuper OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication
                      OR r.rolbypassrls OR r.rolname = current_user,
                      array(SELECT g.rolname FROM pg_auth_members m
                            JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid)
               FROM pg_roles r WHERE r.rolname = :name"""
        ),
        {"name": name},
    ).one_or_none()
    if row is None:
        return False
    powerful, groups = row
    if powerful or list(groups) != [OFFICER_GROUP]:
        raise DatabaseProblem(
            f"the server of {db_engine.describe(url)} already has a role {name} that is not a "
            f"Pillars officer's role (only a member of {OFFICER_GROUP}, with no other powers); "
            "Pillars will not change it: nothing was changed"
        )
    return True
