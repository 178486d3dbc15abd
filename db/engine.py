"""One engine and session factory from a URL.

The default is a SQLite file in the user's data directory, with WAL, foreign keys and a busy
timeout; a force sharing one database gives a `postgresql+psycopg://` URL instead.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from db.errors import DatabaseLocked, DatabaseMissing, DatabaseProblem, DatabaseUnreachable

log = logging.getLogger("pillars.db")

DB_URL_ENV = "PILLARS_DB_URL"
DEFAULT_BUSY_TIMEOUT_MS = 5000


def default_sqlite_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("Pillars", appauthor=False)) / "pillars.sqlite3"


def default_url() -> str:
    """`PILLARS_DB_URL` when set, else the SQLite file in the user's data directory."""
    return os.environ.get(DB_URL_ENV) or f"sqlite:///{default_sqlite_path()}"


def parse_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseProblem(f"not a database URL: {url!r}") from exc
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseProblem(
            f"unsupported database {parsed.get_backend_name()!r}: use sqlite:///FILE or "
            "postgresql+psycopg://USER@HOST/NAME"
        )
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
    busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS,
    **kwargs: Any,
) -> Engine:
    """An engine for `url`. For SQLite, a missing file is an error unless `create` is true; a new
    file is made readable by its owner only."""
    parsed = url if isinstance(url, URL) else parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, create=create, busy_timeout_ms=busy_timeout_ms, **kwargs)
    connect_args = {"connect_timeout": 5, **kwargs.pop("connect_args", {})}
    return create_engine(parsed, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def _sqlite_engine(url: URL, *, create: bool, busy_timeout_ms: int, **kwargs: Any) -> Engine:
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            if not create:
                raise DatabaseMissing(
                    f"no Pillars database at {path}: create one with 'pillars demo' or "
                    "'pillars db upgrade'"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
            os.close(fd)
        elif path.is_dir():
            raise DatabaseProblem(f"{path} is a folder, not a Pillars database file")
    connect_args = {"timeout": busy_timeout_ms / 1000, **kwargs.pop("connect_args", {})}
    engine = create_engine(url, connect_args=connect_args, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if path is not None:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def explain_operational_error(exc: OperationalError, url: str | URL) -> DatabaseProblem:
    """Turn a driver's OperationalError into a one-line message a person can act on."""
    text = str(exc.orig) if exc.orig is not None else str(exc)
    lowered = text.lower()
    where = describe(url)
    if "database is locked" in lowered or "database table is locked" in lowered:
        return DatabaseLocked(
            f"the database {where} is locked by another program; close it and try again"
        )
    if "unable to open database file" in lowered:
        return DatabaseMissing(f"cannot open the database file {where}")
    if "file is not a database" in lowered or "file is encrypted" in lowered:
        return DatabaseProblem(f"{where} is not a Pillars database (not an SQLite file)")
    if any(
        word in lowered
        for word in ("connection refused", "could not connect", "timeout expired", "connection to server",
                     "could not translate host name", "name or service not known")
    ):
        return DatabaseUnreachable(f"cannot reach the database server at {where}: {text.strip().splitlines()[0]}")
    if "password authentication failed" in lowered or "role" in lowered and "does not exist" in lowered:
        return DatabaseUnreachable(f"the database server at {where} refused the sign-in: {text.strip().splitlines()[0]}")
    if "does not exist" in lowered and "database" in lowered:
        return DatabaseMissing(f"no database at {where}: {text.strip().splitlines()[0]}")
    return DatabaseProblem(f"database error at {where}: {text.strip().splitlines()[0]}")


@contextmanager
def translated_errors(url: str | URL) -> Iterator[None]:
    """Re-raise driver errors about reaching or locking the database as DatabaseProblem."""
    try:
        yield
    except OperationalError as exc:
        raise explain_operational_error(exc, url) from exc
