"""Secrets (#9 item 9): no password or password hash in the log file, the audit log or an error
message, whatever is typed where; and a new SQLite database file is readable by its owner only."""

from __future__ import annotations

import logging
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text

from db.engine import make_engine
from db.models import AuditEvent, Officer
from desktop.cli import main
from desktop.services.core import Services
from desktop.services.errors import ServiceError
from tests.desktop.factories import PASSWORD, populate, world_clock
from ui.app import log_file, setup_logging

WRONG = "Wr0ng-Secret-Typed-9"  # a wrong password a person typed
IN_USERNAME_BOX = "Typed-In-Username-Box-7"  # a password typed into the username box


@pytest.fixture
def app_log() -> Iterator[Path]:
    """The app's own log file, at the level it logs at, in the test's home."""
    setup_logging()
    root = logging.getLogger("pillars")
    level = root.level
    root.setLevel(logging.DEBUG)  # more than the app logs: nothing sensitive even then
    try:
        yield log_file()
    finally:
        root.setLevel(level)
        for handler in [h for h in root.handlers if getattr(h, "_pillars", False)]:
            root.removeHandler(handler)
            handler.close()


def test_sign_ins_leave_no_password_or_hash_anywhere(db_url: str, app_log: Path) -> None:
    populate(db_url)
    services = Services(db_url, clock=world_clock)
    messages: list[str] = []
    try:
        for username, password in (
            ("ada", WRONG),
            (IN_USERNAME_BOX, PASSWORD),
            ("ada", ""),
            ("bram", WRONG),
        ):
            with pytest.raises(ServiceError) as refused:
                services.auth.sign_in(username, password)
            messages.append(str(refused.value))
        assert services.auth.sign_in("ada", PASSWORD).username == "ada"
    finally:
        services.close()

    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            hashes = list(conn.scalars(select(Officer.password_hash)))
            audit = [
                f"{row.username} {row.action} {row.detail}"
                for row in conn.execute(select(AuditEvent))
            ]
    finally:
        engine.dispose()
    logged = app_log.read_text(encoding="utf-8") if app_log.exists() else ""
    assert audit and all(hashes)
    for secret in (PASSWORD, WRONG, IN_USERNAME_BOX, *hashes):
        for where, text_ in (("log", logged), ("audit", "\n".join(audit))):
            assert secret not in text_, f"{secret[:6]}… found in the {where}"
        assert not any(secret in message for message in messages)


def test_a_database_password_never_reaches_the_screen_or_the_log(
    app_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "Db-Passw0rd-Secret"
    # Port 1 on the loopback address: nothing listens, the connection is refused at once.
    url = f"postgresql+psycopg://officer:{secret}@127.0.0.1:1/pillars"
    for argv in (("stats", "--db", url), ("db", "current", "--db", url)):
        status = main(list(argv))
        out, err = capsys.readouterr()
        assert status == 1 and err.startswith("pillars: error: ")
        assert secret not in out + err
    logged = app_log.read_text(encoding="utf-8") if app_log.exists() else ""
    assert secret not in logged


def test_a_new_sqlite_database_is_readable_by_its_owner_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.sqlite3"
    assert main(["db", "upgrade", "--db", f"sqlite:///{path}"]) == 0
    capsys.readouterr()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:  # a write, so the WAL and shared-memory files exist
            conn.execute(text("CREATE TABLE scratch (x INTEGER)"))
            for companion in (path.with_name(path.name + "-wal"),):
                if companion.exists():
                    assert stat.S_IMODE(companion.stat().st_mode) & 0o077 == 0
    finally:
        engine.dispose()
