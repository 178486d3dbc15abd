"""The README's "Shared PostgreSQL deployment", followed as written (issue #9's "done when"): two
officers of different teams each see only their own team's offenders, through the app and
through psql.

The commands are read from the README itself, not copied here, so the README cannot drift from
what works. The only changes made to them are where this test runs: the server is the test
server (`db.example.invalid` becomes its address, its port comes from PGPORT), `sudo -u
postgres` becomes the test server's superuser, `pillars` is this checkout's, and passwords come
from the environment (PILLARS_PASSWORD, PGPASSWORD) or standard input where the README has them
typed. Step 3 (opening the app on a desktop) is done through the real sign-in dialog offscreen.

The server is a throwaway PostgreSQL cluster of this test's own (tests/pg_server.py), set up as
the README asks: every role but the superuser signs in with a SCRAM password over TCP, so the
server itself checks each officer's password, as it would on a force's server.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from sqlalchemy.engine import URL, make_url

from desktop.services.core import Services
from tests.pg_server import PgServer, postgres_bin_dir
from tests.ui.conftest import OFFSCREEN_NOISE
from ui.background import BackgroundRunner
from ui.context import AppContext
from ui.signin.dialog import SignInDialog

pytestmark = pytest.mark.qt_log_ignore(OFFSCREEN_NOISE, extend=True)

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Shared PostgreSQL deployment"
README_HOST = "db.example.invalid"
OWNER_PASSWORD = "synthetic-owner-secret-1"
OFFICER_PASSWORD = "synthetic officer words"  # each officer's first password (12+ characters)
DATABASE = "pillars"
ALDER = {"ZZ/2026/900001", "ZZ/2026/900003"}  # docs/import-example.csv: om01's team
BIRCH = {"ZZ/2026/900002"}  # om11's team


def readme_blocks() -> list[list[str]]:
    """The section's shell blocks, each as its command lines (comments and blanks dropped)."""
    text_ = README.read_text(encoding="utf-8")
    start = text_.index(SECTION)
    end = text_.find("\n## ", start + len(SECTION))
    section = text_[start : end if end != -1 else len(text_)]
    blocks = re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL)
    return [
        [line for line in block.splitlines() if line.strip() and not line.startswith("#")]
        for block in blocks
    ]


@pytest.fixture
def server() -> Iterator[URL]:
    """A cluster of its own whose pg_hba.conf wants SCRAM passwords from everyone but the
    superuser (who stands for `sudo -u postgres`); its superuser URL."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries installed (initdb, pg_ctl); CI installs them")
    cluster = PgServer(bin_dir)
    try:
        (cluster.data / "pg_hba.conf").write_text(
            "local all all trust\n"
            "host all postgres 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )
        cluster.start()
        yield make_url(cluster.url())
    finally:
        cluster.remove()


def run_line(line: str, env: dict[str, str], admin: URL, stdin: str = "") -> str:
    """One README command where this test runs (module docstring); its output."""
    env = dict(env)
    if line.startswith("sudo -u postgres "):
        line = line.removeprefix("sudo -u postgres ")
        env["PGUSER"] = admin.username or "postgres"
        if admin.password:
            env["PGPASSWORD"] = admin.password
    line = line.replace(README_HOST, env["PGHOST"])
    if line.startswith("pillars "):
        line = f"{shlex.quote(sys.executable)} -m desktop " + line.removeprefix("pillars ")
    if line.startswith("export "):
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value
        return ""
    done = subprocess.run(
        ["bash", "-c", line],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{line!r} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_readme_deployment_shows_each_officer_only_their_own_team(
    server: URL, qtbot, tmp_path: Path
) -> None:
    blocks = readme_blocks()
    assert len(blocks) == 4, "the README's deployment section has its four steps"
    env = {
        **os.environ,
        "PGHOST": server.host or "127.0.0.1",
        "PGPORT": str(server.port or 5432),
        "PILLARS_PASSWORD": OFFICER_PASSWORD,
        "PGPASSWORD": OWNER_PASSWORD,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    env.pop("PILLARS_DB_URL", None)
    env.pop("PGUSER", None)

    # 1. the owner role and the database, as the superuser (the password typed twice)
    for line in blocks[0]:
        run_line(line, env, server, stdin=f"{OWNER_PASSWORD}\n{OWNER_PASSWORD}\n")

    # 2. as the owner: schema, teams, officers with their roles, the caseload
    for line in blocks[1]:
        if line.startswith("export "):
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = value.replace(README_HOST, env["PGHOST"])
            continue
        run_line(line, env, server)
    owner_url = make_url(env["PILLARS_DB_URL"]).set(
        port=int(env["PGPORT"]), password=OWNER_PASSWORD
    )
    owner = Services(owner_url.render_as_string(hide_password=False))
    try:
        assert owner.audit.verify().ok
    finally:
        owner.close()

    # 3. a desktop: the URL names no user; each officer signs in as themselves
    (desktop_export,) = [line for line in blocks[2] if line.startswith("export ")]
    desktop_url = desktop_export.partition("=")[2].replace(README_HOST, env["PGHOST"])
    assert make_url(desktop_url).username is None
    os.environ["PGPORT"] = env["PGPORT"]  # the app in this process reaches the test server
    try:
        seen = {
            username: sign_in_and_read_caseload(qtbot, tmp_path, desktop_url, username)
            for username in ("om01", "om11")
        }
        refused = wrong_password_message(qtbot, tmp_path, desktop_url)
    finally:
        os.environ.pop("PGPORT", None)
    assert seen == {"om01": ALDER, "om11": BIRCH}
    assert refused == "Wrong username or password."

    # 4. psql as each officer: the same rows, straight from the database
    (psql_line,) = blocks[3]
    for username, expected in (("om01", ALDER), ("om11", BIRCH)):
        line = psql_line.replace("user=om01", f"user={username}")
        out = run_line(line, {**env, "PGPASSWORD": OFFICER_PASSWORD}, server)
        assert set(re.findall(r"ZZ/\d{4}/\d{6}", out)) == expected, out
    with pytest.raises(AssertionError, match="password authentication failed for user"):
        run_line(psql_line, {**env, "PGPASSWORD": "not the password at all"}, server)


def sign_in_and_read_caseload(qtbot, tmp_path: Path, url: str, username: str) -> set[str]:  # noqa: ANN001
    """Sign in through the real dialog, then read the officer's team caseload as the app does."""
    ctx, dialog = open_dialog(qtbot, tmp_path, url)
    try:
        assert "your username and password open it" in dialog.location.text()
        with qtbot.waitSignal(dialog.signed_in, timeout=30_000):
            type_and_submit(qtbot, dialog, username, OFFICER_PASSWORD)
        assert ctx.services is not None and ctx.actor is not None
        assert make_url(ctx.services.url).username == username
        return {row.reference for row in ctx.services.caseload.load(ctx.actor, "team").rows}
    finally:
        close(ctx)


def wrong_password_message(qtbot, tmp_path: Path, url: str) -> str:  # noqa: ANN001
    ctx, dialog = open_dialog(qtbot, tmp_path, url)
    try:
        with qtbot.waitSignal(ctx.runner.finished, timeout=30_000):
            type_and_submit(qtbot, dialog, "om01", "not the password at all")
        assert ctx.services is None and ctx.actor is None
        return dialog.message.text()
    finally:
        close(ctx)


def open_dialog(qtbot, tmp_path: Path, url: str) -> tuple[AppContext, SignInDialog]:  # noqa: ANN001
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    ctx = AppContext(settings=settings, runner=BackgroundRunner(), url=url)
    dialog = SignInDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.show()
    return ctx, dialog


def type_and_submit(qtbot, dialog: SignInDialog, username: str, password: str) -> None:  # noqa: ANN001
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)


def close(ctx: AppContext) -> None:
    ctx.runner.shutdown()
    if ctx.services is not None:
        ctx.services.close()
