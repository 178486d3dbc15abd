"""Accounts (issue #9's deployment): teams, officers and passwords added by an administrator, on
the command line with the database's credentials or in the app as an administrator; on
PostgreSQL each officer's own login role gets the same password, in the same transaction.

Roles are cluster-wide while each test has its own database: usernames here carry the process
id, and the roles made are removed at the end of each test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from sqlalchemy import func, select, text

from db.enums import Role
from db.models import AuditEvent, Officer, Team
from desktop.cli import main
from desktop.services.accounts import OfficerEntry
from desktop.services.core import Services
from desktop.services.database import drop_officer_role
from desktop.services.errors import (
    NotFound,
    PermissionRefused,
    SignInRefused,
    ValidationFailed,
)
from desktop.services.sign_in import open_as_officer, signs_in_as_officer
from tests.desktop.factories import PASSWORD, World, populate, world_clock

# Makes PostgreSQL login roles: one such module at a time (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("server_roles")

NEW_PASSWORD = "three synthetic words"
SUFFIX = f"p{os.getpid()}"


@pytest.fixture
def world(db_url: str) -> World:
    return populate(db_url)


@pytest.fixture
def stack() -> Iterator[ExitStack]:
    with ExitStack() as opened:
        yield opened


@pytest.fixture
def services(db_url: str, world: World) -> Iterator[Services]:
    s = Services(db_url, clock=world_clock)
    made_before = set(_roles(s))
    yield s
    for name in set(_roles(s)) - made_before:
        drop_officer_role(db_url, name)
    s.close()


def _roles(services: Services) -> list[str]:
    if services.engine.dialect.name != "postgresql":
        return []
    with services.transaction() as session:
        return list(
            session.scalars(
                text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"), {"p": f"%{SUFFIX}%"}
            )
        )


def entry(username: str, **changes: str) -> OfficerEntry:
    values = {
        "username": username,
        "forename": "Olive",
        "surname": "Example-Test",
        "role": "offender_manager",
        "team": "Alder",
        "supervisor": "cora",
    }
    values.update(changes)
    return OfficerEntry(**values)  # type: ignore[arg-type]


def officer_count(services: Services) -> int:
    with services.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(Officer)) or 0)


def test_the_command_line_adds_a_team_audited_and_refuses_the_same_name_again(
    services: Services,
) -> None:
    assert services.accounts.add_team(None, "Cedar", "Synthetic Vale") == "Team Cedar added."
    with pytest.raises(ValidationFailed, match="There is already a team cedar"):
        services.accounts.add_team(None, "cedar")
    with pytest.raises(ValidationFailed, match="name"):
        services.accounts.add_team(None, "   ")
    with services.transaction() as session:
        assert session.scalar(select(Team.area).where(Team.name == "Cedar")) == "Synthetic Vale"
        audited = session.execute(
            select(AuditEvent.username, AuditEvent.action).where(
                AuditEvent.action == "team_created"
            )
        ).all()
    assert audited == [("cli", "team_created")]
    assert services.audit.verify().ok


def test_an_officer_added_signs_in_with_the_one_password(services: Services, db_url: str) -> None:
    username = f"om{SUFFIX}"
    said = services.accounts.add_officer(None, entry(username), NEW_PASSWORD)
    assert said.startswith(f"Officer {username} (Olive Example-Test, offender manager in Alder)")
    actor = services.auth.sign_in(username, NEW_PASSWORD)
    assert actor.role == Role.OFFENDER_MANAGER and actor.team_name == "Alder"
    with services.transaction() as session:
        officer = session.scalars(select(Officer).where(Officer.username == username)).one()
        assert officer.supervisor is not None and officer.supervisor.username == "cora"
        detail = session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "officer_created")
        )
    assert NEW_PASSWORD not in str(detail)
    if services.engine.dialect.name == "postgresql":
        assert said.endswith(f"with the database role {username}: one password for both.")
        assert detail["database_role"] == username
        mine = open_as_officer(_no_user(db_url), username, NEW_PASSWORD)
        try:
            assert mine.auth.sign_in(username, NEW_PASSWORD).username == username
        finally:
            mine.close()
        # the server's refusal reads as a wrong Pillars password: no telling who exists (the
        # test server trusts loopback, so a wrong password reaches Pillars's own check)
        with pytest.raises(SignInRefused, match="^Wrong username or password.$"):
            open_as_officer(_no_user(db_url), "nobody-here", NEW_PASSWORD)
    else:
        assert said.endswith("added.")


def test_a_refused_officer_lists_every_problem_and_adds_nothing(services: Services) -> None:
    before = officer_count(services)
    bad = entry(
        "Ada",  # taken, in another case
        forename="",
        role="constable",
        team="Oak",
        supervisor="gus",
    )
    with pytest.raises(ValidationFailed) as refused:
        services.accounts.add_officer(None, bad, "short")
    fields = [problem.field for problem in refused.value.errors]
    assert fields == ["forename", "role", "password", "username", "team"]  # every one at once
    with pytest.raises(ValidationFailed) as refused:
        services.accounts.add_officer(
            None, entry("ADA", team="Oak", supervisor="gus"), NEW_PASSWORD
        )
    messages = {p.field: p.message for p in refused.value.errors}
    assert messages["username"] == "ada is already an officer's username."
    assert messages["team"].startswith("There is no team 'Oak' (teams: Alder, Birch")
    with pytest.raises(ValidationFailed) as refused:
        services.accounts.add_officer(None, entry(f"x{SUFFIX}", supervisor="hattie"), NEW_PASSWORD)
    assert [p.message for p in refused.value.errors] == [
        "hattie is not an active sergeant of Alder."
    ]
    for wrong, field in (("1abc", "username"), ("a b", "username"), ("x" * 41, "username")):
        with pytest.raises(ValidationFailed) as refused:
            services.accounts.add_officer(None, entry(wrong), NEW_PASSWORD)
        assert [p.field for p in refused.value.errors] == [field]
    with pytest.raises(ValidationFailed, match="must not be the username"):
        services.accounts.add_officer(None, entry("longusername1"), "LongUserName1")
    with pytest.raises(ValidationFailed, match="belongs to a team"):
        services.accounts.add_officer(
            None, entry(f"s{SUFFIX}", role="sergeant", team="", supervisor=""), NEW_PASSWORD
        )
    assert officer_count(services) == before
    assert _roles(services) == []


def test_only_an_administrator_in_the_app_may_add_or_reset(services: Services) -> None:
    ada = services.auth.sign_in("ada", PASSWORD)
    fenn = services.auth.sign_in("fenn", PASSWORD)
    with pytest.raises(PermissionRefused, match="Only an administrator"):
        services.accounts.add_team(ada, "Cedar")
    with pytest.raises(PermissionRefused):
        services.accounts.set_password(ada, "bram", NEW_PASSWORD)
    assert services.accounts.add_team(fenn, "Cedar") == "Team Cedar added."
    with services.transaction() as session:
        assert (
            session.scalar(select(AuditEvent.username).where(AuditEvent.action == "team_created"))
            == "fenn"
        )


def test_a_new_password_replaces_the_old_and_lifts_the_lock(services: Services) -> None:
    username = f"om{SUFFIX}"
    services.accounts.add_officer(None, entry(username), NEW_PASSWORD)
    for _ in range(6):
        with pytest.raises(SignInRefused):
            services.auth.sign_in(username, "wrong password")
    with pytest.raises(SignInRefused, match="locked"):
        services.auth.sign_in(username, NEW_PASSWORD)
    said = services.accounts.set_password(None, username.upper(), "another three words")
    assert said.startswith(f"Password of {username}")
    assert services.auth.sign_in(username, "another three words").username == username
    with pytest.raises(SignInRefused):
        services.auth.sign_in(username, NEW_PASSWORD)
    with pytest.raises(NotFound):
        services.accounts.set_password(None, "nobody", NEW_PASSWORD)
    with pytest.raises(ValidationFailed, match="at least 12"):
        services.accounts.set_password(None, username, "short")
    # that the server takes the new password and not the old: tests/db/test_deployment.py, on a
    # server that checks passwords (this one trusts loopback)


def test_a_role_the_server_already_has_is_not_taken_over(services: Services) -> None:
    """Roles are the server's: another database's officer of the same name keeps theirs."""
    if services.engine.dialect.name != "postgresql":
        return
    username = f"other{SUFFIX}"
    with services.transaction() as session:
        session.execute(text(f'CREATE ROLE "{username}" LOGIN IN ROLE pillars_officer'))
    before = officer_count(services)
    with pytest.raises(ValidationFailed, match="already has a role"):
        services.accounts.add_officer(None, entry(username), NEW_PASSWORD)
    assert officer_count(services) == before


def test_the_app_signs_in_as_the_officer_only_on_a_postgresql_url_without_a_user() -> None:
    assert signs_in_as_officer("postgresql+psycopg://db.example.invalid/pillars")
    assert signs_in_as_officer("postgresql://db.example.invalid:5433/pillars")
    assert not signs_in_as_officer("postgresql+psycopg://owner@db.example.invalid/pillars")
    assert not signs_in_as_officer("sqlite:////tmp/pillars.sqlite3")
    assert not signs_in_as_officer("")
    assert not signs_in_as_officer(None)


def test_pillars_user_add_and_team_add_from_the_command_line(
    services: Services,
    db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    stack: ExitStack,
) -> None:
    monkeypatch.delenv("PILLARS_PASSWORD", raising=False)
    no_terminal = stack.enter_context(open(os.devnull))  # noqa: SIM115
    monkeypatch.setattr("sys.stdin", no_terminal)
    assert main(["team", "add", "--db", db_url, "Cedar"]) == 0
    assert capsys.readouterr().out == "Team Cedar added.\n"
    username = f"tm{SUFFIX}"
    add = ["user", "add", "--db", db_url, username, "--forename", "Tess", "--surname",
           "Example-Manager", "--role", "team manager", "--team", "cedar"]  # fmt: skip
    assert main(add) == 1
    assert "no password: set PILLARS_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("PILLARS_PASSWORD", "short")
    assert main(add) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "password: The password must be at least 12 characters (three random words make a good "
        "one).",
        "pillars: error: nothing was changed: 1 problem to fix",
    ]
    monkeypatch.setenv("PILLARS_PASSWORD", NEW_PASSWORD)
    assert main(add) == 0
    assert capsys.readouterr().out.startswith(
        f"Officer {username} (Tess Example-Manager, team manager in Cedar) added"
    )
    assert services.auth.sign_in(username, NEW_PASSWORD).team_name == "Cedar"
    assert main(["user", "password", "--db", db_url, username]) == 0
    assert NEW_PASSWORD not in capsys.readouterr().out


def _no_user(db_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(db_url).set(username=None, password=None).render_as_string()


def test_the_audit_log_is_checked_only_over_the_owners_connection(
    services: Services, db_url: str
) -> None:
    """An officer's own role reads only some audit rows: its check would report a broken chain
    that is whole, so it is refused; the owner's connection checks it."""
    username = f"om{SUFFIX}"
    services.accounts.add_officer(None, entry(username), NEW_PASSWORD)
    assert services.audit.verify().ok
    if services.engine.dialect.name != "postgresql":
        return
    mine = open_as_officer(_no_user(db_url), username, NEW_PASSWORD)
    try:
        with pytest.raises(PermissionRefused, match="only with the database owner's connection"):
            mine.audit.verify()
    finally:
        mine.close()
