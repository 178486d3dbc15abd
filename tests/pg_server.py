"""A throwaway PostgreSQL server of the tests' own, which a test may stop and start again.

The server-loss tests (issue #9 item 4) must not restart the shared server behind
`PILLARS_TEST_PG_URL`, which other tests use at the same time. This module runs `initdb` into a
temporary folder, starts PostgreSQL on a free loopback port with durability off (fsync, full page
writes and synchronous commit: a throwaway cluster starts and fills faster) and stops it and
deletes the folder at the end of the test session.

As root (CI, the dev containers) the server runs as the `postgres` user through `runuser`, since
`initdb` refuses root; as anyone else it runs as that user. Tests using it are skipped only when
no PostgreSQL binaries are installed (CI installs them: .ci/run).

    from tests.pg_server import lost_server_db, pg_server  # noqa: F401 (fixtures)

    def test_x(lost_server_db: ServerDatabase) -> None:
        lost_server_db.server.stop()
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from db import schema
from db.engine import make_engine
from tests.desktop.factories import World, populate

_databases = itertools.count(1)


def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's binaries, or None when there are none."""
    candidates = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for folder in reversed(candidates):
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One PostgreSQL cluster in its own folder on a loopback port: `start()`, `stop()`, `url()`."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="pillars-test-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = _free_port()
        self.running = False
        self._started = False
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin_dir / program), *args]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed: {done.stderr.strip()}\n{log}")

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server on its port. The first start takes another free port when the one
        chosen was taken meanwhile (`make test` runs files on several workers, and each may start
        a server of its own); a restart keeps the port, as clients reconnect to the same URL."""
        for attempt in range(3):
            options = (
                f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
                "-c full_page_writes=off -c synchronous_commit=off -c max_connections=40"
            )
            try:
                self._run(
                    "pg_ctl",
                    "-D",
                    str(self.data),
                    "-l",
                    str(self.log),
                    "-w",
                    "-o",
                    options,
                    "start",
                )
            except RuntimeError as exc:
                if self._started or attempt == 2 or "already in use" not in str(exc):
                    raise
                self.port = _free_port()
                continue
            break
        self.running = self._started = True

    def stop(self) -> None:
        """A fast shutdown: the server ends every session and closes, as for a restart."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def remove(self) -> None:
        if self.running:
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def new_database(self) -> str:
        """A new, empty database on this server; its URL."""
        name = f"pillars_{next(_databases)}"
        admin = create_engine(make_url(self.url()), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        return self.url(name)


@dataclass
class ServerDatabase:
    """A migrated database holding the test world, on a server the test may stop and start."""

    server: PgServer
    url: str
    world: World


_server: PgServer | None = None


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """The session's throwaway server, shared by every module that imports this fixture; stopped
    and deleted at the end of the session."""
    global _server
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries installed (initdb, pg_ctl); CI installs them")
    if _server is None:
        _server = PgServer(bin_dir)
    yield _server
    if _server is not None:
        _server.remove()
        _server = None


@pytest.fixture
def lost_server_db(pg_server: PgServer) -> ServerDatabase:
    """A fresh database with the Pillars schema and the test world, on a running server."""
    if not pg_server.running:
        pg_server.start()
    url = pg_server.new_database()
    engine = make_engine(url)
    try:
        schema.upgrade(engine)
    finally:
        engine.dispose()
    return ServerDatabase(pg_server, url, populate(url))
