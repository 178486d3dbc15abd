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
the README asks: TLS on, with a certificate for its address that the clients verify
(`sslmode=verify-full`, the authority's certificate in PGSSLROOTCERT), and every role but the
superuser signs in with a SCRAM password over TLS only (`hostssl`), so the server itself checks
each officer's password, as it would on a force's server.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

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
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[URL, Path]]:
    """A cluster of its own with TLS and SCRAM as the README's step 1 sets them up (the
    superuser, who stands for `sudo -u postgres`, is trusted); its superuser URL and the
    certificate the clients trust."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("no PostgreSQL binaries installed (initdb, pg_ctl); CI installs them")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make the test server's certificate")
    cluster = PgServer(bin_dir)
    try:
        certificate = make_certificate(cluster.data)
        with (cluster.data / "postgresql.conf").open("a") as conf:
            conf.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\n")
        (cluster.data / "pg_hba.conf").write_text(
            "local all all trust\n"
            "host all postgres 127.0.0.1/32 trust\n"
            "hostssl all all 127.0.0.1/32 scram-sha-256\n"
        )
        cluster.start()
        yield make_url(cluster.url()), certificate
    finally:
        cluster.remove()


def make_certificate(data: Path) -> Path:
    """A self-signed certificate for 127.0.0.1 in the cluster's folder, the key readable by the
    server's user only; a copy of the certificate for the clients to trust."""
    subprocess.run(
        [
            "openssl", "req", "-new", "-x509", "-days", "2", "-nodes", "-newkey", "rsa:2048",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(data / "server.key"), "-out", str(data / "server.crt"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )  # fmt: skip
    (data / "server.key").chmod(0o600)
    if os.geteuid() == 0:
        for name in ("server.key", "server.crt"):
            shutil.chown(data / name, "postgres", "postgres")
    trusted = data.parent / "root.crt"
    shutil.copyfile(data / "server.crt", trusted)
    trusted.chmod(0o644)
    return trusted


def run_line(
    line: str, env: dict[str, str], admin: URL, *, stdin: str = "", cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    """One README command where this test runs (module docstring); `export` lines set `env`."""
    if line.startswith("export "):
        name, _, value = shlex.split(line.removeprefix("export "))[0].partition("=")
        env[name] = value.replace(README_HOST, env["PGHOST"])
        return subprocess.CompletedProcess(line, 0, "", "")
    run_env = dict(env)
    if line.startswith("sudo -u postgres "):
        line = line.removeprefix("sudo -u postgres ")
        run_env["PGUSER"] = admin.username or "postgres"
        run_env.pop("PGPASSWORD", None)
    line = line.replace(README_HOST, env["PGHOST"])
    if line.startswith("pillars "):
        line = f"{shlex.quote(sys.executable)} -m desktop " + line.removeprefix("pillars ")
    return subprocess.run(
        ["bash", "-c", line],
        input=stdin,
        capture_output=True,
        text=True,
        env=run_env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"{done.args!r} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_readme_deployment_shows_each_officer_only_their_own_team(
    server: tuple[URL, Path], qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin, certificate = server
    blocks = readme_blocks()
    assert len(blocks) == 5, "the README's deployment section has its five steps"
    env = {
        **os.environ,
        "PGHOST": admin.host or "127.0.0.1",
        "PGPORT": str(admin.port or 5432),
        "PGSSLROOTCERT": str(certificate),
        "PILLARS_PASSWORD": OFFICER_PASSWORD,
        "PGPASSWORD": OWNER_PASSWORD,
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    for name in ("PILLARS_DB_URL", "PGUSER", "PGDATABASE", "PGSSLMODE"):
        env.pop(name, None)

    # 1. the owner role and the database, as the superuser (the password typed twice)
    for line in blocks[0]:
        ok(run_line(line, env, admin, stdin=f"{OWNER_PASSWORD}\n{OWNER_PASSWORD}\n"))

    # 2. as the owner, over TLS: schema, teams, officers with their roles, the caseload, a check
    for line in blocks[1]:
        ok(run_line(line, env, admin))
    assert "sslmode=verify-full" in env["PILLARS_DB_URL"]

    # a URL with no user, for a command: the OS user has no password here, and is told so
    desktop_export = next(line for line in blocks[2] if line.startswith("export "))
    desktop_env = dict(env)
    run_line(desktop_export, desktop_env, admin)
    desktop_url = desktop_env["PILLARS_DB_URL"]
    assert make_url(desktop_url).username is None
    refused = run_line("pillars stats", {**desktop_env, "PGPASSWORD": ""}, admin)
    assert refused.returncode == 1 and "wants a password for" in refused.stderr

    # 3. a desktop: the URL names no user; each officer signs in as themselves
    monkeypatch.setenv("PGPORT", env["PGPORT"])  # the app in this process reaches the server
    monkeypatch.setenv("PGSSLROOTCERT", str(certificate))
    seen = {
        username: sign_in_and_read_offenders(qtbot, tmp_path, desktop_url, username)
        for username in ("om01", "om11")
    }
    assert seen == {"om01": ALDER, "om11": BIRCH}
    assert wrong_password_message(qtbot, tmp_path, desktop_url) == "Wrong username or password."

    # 4. psql as each officer: the same rows, straight from the database
    (psql_line,) = blocks[3]
    for username, expected in (("om01", ALDER), ("om11", BIRCH)):
        line = psql_line.replace("user=om01", f"user={username}")
        out = ok(run_line(line, {**env, "PGPASSWORD": OFFICER_PASSWORD}, admin))
        assert set(re.findall(r"ZZ/\d{4}/\d{6}", out)) == expected, out
    wrong = run_line(psql_line, {**env, "PGPASSWORD": "not the password at all"}, admin)
    assert wrong.returncode != 0 and "password authentication failed for user" in wrong.stderr

    # 5. a backup restored beside the live database, as the owner; its policies came along
    for line in blocks[4]:
        out = ok(run_line(line, env, admin, cwd=tmp_path))
    assert "the hash chain holds" in out
    restored = psql_line.replace("dbname=pillars ", "dbname=pillars_restored ")
    out = ok(run_line(restored, {**env, "PGPASSWORD": OFFICER_PASSWORD}, admin))
    assert set(re.findall(r"ZZ/\d{4}/\d{6}", out)) == ALDER, out


def sign_in_and_read_offenders(qtbot, tmp_path: Path, url: str, username: str) -> set[str]:  # noqa: ANN001
    """Sign in through the real dialog; then the offenders the app's own connection can read at
    all (the database's answer, not the app's filtering), and the team caseload it shows."""
    ctx, dialog = open_dialog(qtbot, tmp_path, url)
    try:
        assert "pillars on 127.0.0.1 (shared: your username and password" in dialog.location.text()
        with qtbot.waitSignal(dialog.signed_in, timeout=30_000):
            type_and_submit(qtbot, dialog, username, OFFICER_PASSWORD)
        assert ctx.services is not None and ctx.actor is not None
        assert make_url(ctx.services.url).username == username
        with ctx.services.transaction() as session:
            readable = set(session.scalars(text("SELECT reference FROM offender")))
        shown = {row.reference for row in ctx.services.caseload.load(ctx.actor, "team").rows}
        assert shown == readable
        return readable
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
