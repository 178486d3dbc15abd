"""One engine and session factory from a URL.

The default is a SQLite file in the user's data directory, with WAL, foreign keys and a busy
timeout; a force sharing one database gives a `postgresql+psycopg://` URL instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db.errors import (
    DatabaseLocked,
    DatabaseMissing,
    DatabaseProblem,
    DatabaseSignInRefused,
    DatabaseUnreachable,
    NotAPillarsDatabase,
)

log = logging.getLogger("pillars.db")

DB_URL_ENV = "PILLARS_DB_URL"
BUSY_TIMEOUT_ENV = "PILLARS_BUSY_TIMEOUT_MS"
DEFAULT_BUSY_TIMEOUT_MS = 5000
URL_FORMS = "use sqlite:///FILE or postgresql+psycopg://USER@HOST/NAME"

# Transactions with changes whose COMMIT was sent, in the current context. The desktop's
# background runner runs each job in a context of its own, so when the connection to the server
# breaks it can tell work that may have saved something from work that certainly saved nothing
# (PostgreSQL throws away the uncommitted work of a lost connection).
_changes_committed: ContextVar[int] = ContextVar("pillars_changes_committed", default=0)
_CHANGED = "pillars_changed"


class ServerGone(DatabaseUnreachable):
    """The database server could not be reached, or the connection to it broke (a restart, a
    network drop). `nothing_saved` is true when no change of the work in hand (its context; see
    `_changes_committed`) can have reached the server, so it is safe to do it all again."""

    def __init__(self, message: str, *, nothing_saved: bool) -> None:
        super().__init__(message)
        self.nothing_saved = nothing_saved


def default_sqlite_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("Pillars", appauthor=False)) / "pillars.sqlite3"


def default_url() -> str:
    """`PILLARS_DB_URL` when set, else the SQLite file in the user's data directory."""
    return os.environ.get(DB_URL_ENV) or f"sqlite:///{default_sqlite_path()}"


def configured_busy_timeout_ms() -> int:
    """How long SQLite waits for another program's lock: `PILLARS_BUSY_TIMEOUT_MS` or 5 s."""
    value = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not value:
        return DEFAULT_BUSY_TIMEOUT_MS
    if not value.isdigit():
        raise DatabaseProblem(
            f"{BUSY_TIMEOUT_ENV} must be a whole number of milliseconds, not {value!r}"
        )
    return int(value)


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseProblem(f"not a database URL: {url!r}; {URL_FORMS}") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseProblem(f"unsupported database {parsed.get_backend_name()!r}: {URL_FORMS}")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername != "postgresql+psycopg":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_path(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for an in-memory database."""
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def describe(url: str | URL) -> str:
    """Where the data lives, for the status bar and messages; never shows a password."""
    parsed = url if isinstance(url, URL) else parse_url(url)
    path = sqlite_path(parsed)
    if path is not None:
        return str(path)
    return parsed.render_as_string(hide_password=True)


def make_engine(
    url: str | URL,
    *,
    create: bool = False,
    busy_timeout_ms: int | None = None,
    **kwargs: Any,
) -> Engine:
    """An engine for `url`. For SQLite, a missing file is an error unless `create` is true; a new
    file is made readable by its owner only. `busy_timeout_ms` (SQLite's wait for another
    program's lock) defaults to `configured_busy_timeout_ms()`."""
    parsed = url if isinstance(url, URL) else parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        if busy_timeout_ms is None:
            busy_timeout_ms = configured_busy_timeout_ms()
        return _sqlite_engine(parsed, create=create, busy_timeout_ms=busy_timeout_ms, **kwargs)
    connect_args = {"connect_timeout": 5, **kwargs.pop("connect_args", {})}
    # pool_pre_ping: after a server restart the first checkout finds its pooled connection dead,
    # drops every connection made before, and connects afresh; no error reaches the caller.
    engine = create_engine(parsed, pool_pre_ping=True, connect_args=connect_args, **kwargs)
    event.listen(engine, "begin", _forget_changes)
    event.listen(engine, "before_cursor_execute", _note_change)
    event.listen(engine, "commit", _count_commit)
    return engine


def _forget_changes(conn: Any) -> None:
    conn.info.pop(_CHANGED, None)


def _note_change(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    if not conn.info.get(_CHANGED) and statement.lstrip()[:6].upper() != "SELECT":
        conn.info[_CHANGED] = True


def _count_commit(conn: Any) -> None:
    """Before the COMMIT is sent: from here on, the change may have been saved."""
    if conn.info.pop(_CHANGED, False):
        _changes_committed.set(_changes_committed.get() + 1)


def _sqlite_engine(url: URL, *, create: bool, busy_timeout_ms: int, **kwargs: Any) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            if not create:
                raise DatabaseMissing(
                    f"no Pillars database at {path}: create one with 'pillars demo' or "
                    "'pillars db upgrade'"
                )
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            except OSError as exc:
                raise DatabaseProblem(
                    f"cannot create the database file {path}: {exc.strerror}"
                ) from exc
            os.close(fd)
        elif path.is_dir():
            raise DatabaseProblem(f"{path} is a folder, not a Pillars database file")
    connect_args = {"timeout": busy_timeout_ms / 1000, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            # Switching to WAL writes a header: never into an empty file we were only to open.
            if path is not None and (create or _has_pages(cursor)):
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return engine


def _has_pages(cursor: Any) -> bool:
    cursor.execute("PRAGMA page_count")
    return bool(cursor.fetchone()[0])


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def explain_operational_error(exc: DBAPIError, url: str | URL) -> DatabaseProblem:
    """Turn a driver's error about reaching, opening or locking the database into a one-line
    message a person can act on."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    # psycopg: 'connection failed: connection to server at "h", port 5432 failed: FATAL:  ...'
    detail = first_line.rsplit(" failed: ", 1)[-1].removeprefix("FATAL:").strip()
    lowered = text.lower()
    where = describe(url)
    if "database is locked" in lowered or "database table is locked" in lowered:
        return DatabaseLocked(
            f"the database {where} is locked by another program; close it and try again"
        )
    if "unable to open database file" in lowered:
        return DatabaseMissing(f"cannot open the database file {where}")
    if _not_an_sqlite_file(lowered):
        return NotAPillarsDatabase(f"{where} is not a Pillars database (not an SQLite file)")
    if "does not exist" in lowered and "database" in lowered and "role" not in lowered:
        name = (url if isinstance(url, URL) else parse_url(url)).database
        return DatabaseMissing(
            f"the server has no database named {name!r} ({where}): create it with "
            f"'createdb {name}', then run 'pillars db upgrade --db URL'"
        )
    if "password authentication failed" in lowered or (
        "role" in lowered and "does not exist" in lowered
    ):
        return DatabaseSignInRefused(
            f"the database server at {where} refused the sign-in: {detail}"
        )
    if "no password supplied" in lowered:
        parsed = url if isinstance(url, URL) else parse_url(url)
        user = parsed.username or "your computer's user name (the URL names no user)"
        return DatabaseSignInRefused(
            f"the database server at {where} wants a password for {user}: name the user in the "
            "URL (postgresql+psycopg://USER@HOST/NAME) and put the password in ~/.pgpass or "
            "PGPASSWORD"
        )
    nothing_saved = _changes_committed.get() == 0
    if exc.connection_invalidated or any(word in lowered for word in _BROKE):
        saved = "nothing was saved" if nothing_saved else "a change may or may not have been saved"
        return ServerGone(
            f"lost the connection to the database server at {where} ({detail}); {saved}",
            nothing_saved=nothing_saved,
        )
    if any(
        word in lowered
        for word in (
            "connection refused",
            "could not connect",
            "timeout expired",
            "connection to server",
            "could not translate host name",
            "name or service not known",
        )
    ):
        earlier = "" if nothing_saved else "; a change made before may or may not have been saved"
        return ServerGone(
            f"cannot reach the database server at {where} ({detail}); check the address and "
            f"that PostgreSQL is running{earlier}",
            nothing_saved=nothing_saved,
        )
    return DatabaseProblem(f"database error at {where}: {first_line}")


# A connection that worked and then broke: the server shut down, crashed or was cut off.
_BROKE = (
    "server closed the connection",
    "terminating connection",
    "consuming input failed",
    "connection is lost",
    "connection is closed",
)


def _not_an_sqlite_file(lowered: str) -> bool:
    return "file is not a database" in lowered or "file is encrypted" in lowered


@contextmanager
def translated_errors(url: str | URL) -> Iterator[None]:
    """Re-raise driver errors about reaching, opening or locking the database as DatabaseProblem.

    Other driver errors (an integrity error, say) pass through unchanged for the caller."""
    try:
        yield
    except OperationalError as exc:
        raise explain_operational_error(exc, url) from exc
    except DBAPIError as exc:
        # sqlite3 reports a file of random bytes as DatabaseError, not OperationalError.
        if _not_an_sqlite_file(str(exc.orig).lower()):
            raise explain_operational_error(exc, url) from exc
        raise
