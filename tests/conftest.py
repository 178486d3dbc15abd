"""Shared fixtures: fresh, migrated databases on SQLite and PostgreSQL; Qt offscreen with settings
that never touch the user's files; a check that no test leaves a thread running."""

from __future__ import annotations

import fcntl
import gc
import hashlib
import itertools
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

# Qt reads this when the platform plugin loads: set it before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from db import schema
from db.engine import make_engine, session_factory

PG_URL_ENV = "PILLARS_TEST_PG_URL"
PG_SKIP_REASON = f"PostgreSQL tests need {PG_URL_ENV} (set by .ci/run); skipped"
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

_counter = itertools.count()


@pytest.fixture(autouse=True)
def _isolated_user_files(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings, data and logs of every test live in a temporary home, never the user's."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("PILLARS_DB_URL", raising=False)


@pytest.fixture(autouse=True)
def _no_thread_left_running() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    leftover = [
        t for t in threading.enumerate() if t not in before and t.is_alive() and not t.daemon
    ]
    for thread in leftover:
        thread.join(timeout=5)
    still = [t.name for t in leftover if t.is_alive()]
    assert not still, f"test left threads running: {still}"


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test with Qt holds the garbage collector to the GUI thread, as a runner does in the app
    (ui.collector): between its runners, or before its first, an automatic pass on another
    thread (pytest-xdist's, a test's own) could free its windows there. Afterwards what it left
    is collected here, and no runner may still hold the collector (shut each one down)."""
    qt = {"qtbot", "qapp"} & set(request.fixturenames)
    if not qt or request.node.get_closest_marker("own_collector"):
        yield
        return
    request.getfixturevalue("qapp")
    from ui import collector

    collector.hold()
    yield
    gc.collect()
    collector.release()
    assert collector.holders() == 0, "a background runner was left running: shut it down"


# -- databases ---------------------------------------------------------------------------------


def pg_admin_url() -> str:
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(PG_SKIP_REASON)
    return url


def _pg_admin_engine() -> Engine:
    return create_engine(make_url(pg_admin_url()), isolation_level="AUTOCOMMIT")


def _create_pg_database(name: str, template: str | None = None) -> str:
    engine = _pg_admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            suffix = f' TEMPLATE "{template}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    finally:
        engine.dispose()
    return make_url(pg_admin_url()).set(database=name).render_as_string(hide_password=False)


def _drop_pg_database(name: str) -> None:
    engine = _pg_admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def server_roles() -> Iterator[None]:
    """For a module that makes PostgreSQL login roles (`pytestmark =
    pytest.mark.usefixtures("server_roles")`): roles are the server's, not one database's, so two
    such modules must not run at once, and `make test` runs files on several pytest-xdist workers.
    Holds an exclusive lock file, named after the server, while the module runs."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        yield
        return
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    with (Path(tempfile.gettempdir()) / f"pillars-test-roles-{digest}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"
    engine = make_engine(f"sqlite:///{path}", create=True)
    schema.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def _pg_template() -> Iterator[str]:
    name = f"pillars_tmpl_{os.getpid()}"
    url = _create_pg_database(name)
    engine = make_engine(url)
    schema.upgrade(engine)
    engine.dispose()
    yield name
    _drop_pg_database(name)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        pg_admin_url()
    return request.param


@pytest.fixture
def empty_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A new database with no schema at all, on each backend."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"pillars_t{os.getpid()}_{next(_counter)}"
    yield _create_pg_database(name)
    _drop_pg_database(name)


@pytest.fixture
def db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database migrated to head, on each backend; dropped after the test."""
    if backend == "sqlite":
        path = tmp_path / "pillars.sqlite3"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        os.chmod(path, 0o600)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("_pg_template")
    name = f"pillars_t{os.getpid()}_{next(_counter)}"
    yield _create_pg_database(name, template=template)
    _drop_pg_database(name)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    factory = session_factory(engine)
    with factory() as s:
        yield s
