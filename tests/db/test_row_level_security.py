"""Row-level security on PostgreSQL (migration 0003, issue #9 item 1): an officer connecting with
their own database role sees, straight from the database, only what their Pillars role may read;
the audit table takes inserts only; and the app's services work over such a connection.

Database roles are cluster-wide while each test has its own database, so the officers' login roles
(the test world's fixed usernames) are made or have their password reset at the start of a test
and are removed at its end; the tests of this module must not run concurrently with themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from db.base import Base
from db.engine import make_engine
from db.errors import DatabaseProblem
from desktop.services.core import Services, utc_now
from desktop.services.database import create_officer_role, drop_officer_role
from desktop.services.errors import SignInRefused
from desktop.services.ppns import PpnEntry, SubjectEntry
from desktop.services.team import AbsenceEntry
from tests.conftest import pg_admin_url
from tests.desktop.factories import PASSWORD, World, populate

ROLE_PASSWORD = "synthetic-db-secret-1"  # the officers' database password, not Pillars's
OFFICERS = ("ada", "bram", "cora", "dorian", "gus", "hattie", "elsie", "fenn")

Connect = Callable[[str], psycopg.Connection]


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """PostgreSQL only: SQLite has no roles (the migration is a no-op there)."""
    pg_admin_url()
    return str(request.param)


def london_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Europe/London")).date()


@pytest.fixture
def world(db_url: str) -> World:
    """The test world dated today: the policies' "today" is the server's date, not a test clock."""
    return populate(db_url, today=london_today())


@pytest.fixture
def owner(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def officer_url(db_url: str, username: str) -> str:
    url = make_url(db_url).set(username=username, password=ROLE_PASSWORD)
    return url.render_as_string(hide_password=False)


@pytest.fixture
def connect(db_url: str, world: World) -> Iterator[Connect]:
    """Connect as an officer's own role (made on first use, autocommit); removed afterwards."""
    made: list[str] = []
    connections: list[psycopg.Connection] = []

    def as_officer(username: str) -> psycopg.Connection:
        if username not in made:
            create_officer_role(db_url, username, ROLE_PASSWORD)
            made.append(username)
        url = make_url(officer_url(db_url, username))
        conn = psycopg.connect(
            host=url.host,
            port=url.port,
            dbname=url.database,
            user=url.username,
            password=url.password,
            autocommit=True,
        )
        connections.append(conn)
        return conn

    yield as_officer
    for conn in connections:
        conn.close()
    for username in made:
        drop_officer_role(db_url, username)


def references(conn: psycopg.Connection, where: str = "") -> set[str]:
    return {row[0] for row in conn.execute(f"SELECT reference FROM offender {where}")}


def owner_references(owner: Engine, team_ids: list[int]) -> set[str]:
    with owner.connect() as conn:
        rows = conn.execute(
            text("SELECT reference FROM offender WHERE team_id = ANY(:teams)"), {"teams": team_ids}
        )
        return {row[0] for row in rows}


EVERY_OFFENDER_HAS = [
    "INSERT INTO alias (offender_id, name) SELECT id, 'Synthetic Alias' FROM offender",
    "INSERT INTO mappa_change (offender_id, category, level, changed_at, reason) "
    "SELECT id, 1, 1, now(), 'synthetic' FROM offender",
    "INSERT INTO ppn_subject (ppn_id, name, is_child, relationship) "
    "SELECT id, 'Child Example-Test', true, 'nephew' FROM ppn",
    "INSERT INTO scrutiny_pack (team_id, fortnight_ending, seed, method, created_at, version, "
    "updated_at) SELECT id, current_date, 1, '{}', now(), 1, now() FROM team",
    "INSERT INTO scrutiny_item (pack_id, offender_id, position, reason, checklist, comments, "
    "actions, version, updated_at) SELECT p.id, o.id, 0, '', '{}', '', '', 1, now() "
    "FROM offender o JOIN scrutiny_pack p ON p.team_id = o.team_id",
    # the log about each offender, as opening a record writes it
    "INSERT INTO audit_event (at, username, action, entity_type, offender_id, detail, "
    "prev_hash, hash) SELECT now(), 'ada', 'record_viewed', 'offender', id, '{}', "
    "md5(id::text || 'p'), md5(id::text || 'h') FROM offender",
]


# -- who reads which offenders ---------------------------------------------------------------------


def test_each_officer_role_reads_only_the_offenders_their_pillars_role_may(
    connect: Connect, world: World, owner: Engine
) -> None:
    alder = owner_references(owner, [world.alder])
    birch = owner_references(owner, [world.birch])
    assert alder and birch and not alder & birch

    assert references(connect("ada")) == alder  # offender manager of Alder
    assert references(connect("cora")) == alder  # sergeant of Alder, nobody absent
    assert references(connect("gus")) == birch  # offender manager of Birch
    assert references(connect("hattie")) == birch  # sergeant of Birch
    assert references(connect("dorian")) == alder | birch  # team manager: the force
    assert references(connect("elsie")) == alder | birch  # hub officer: the force
    assert references(connect("fenn")) == set()  # administrator: no offender records


def test_rows_about_offenders_follow_the_offender_in_every_table(
    connect: Connect, world: World, owner: Engine
) -> None:
    """Each table holding offender data shows an officer exactly its rows about the offenders
    they may read, whether it names the offender or hangs off a plan, assessment or PPN."""
    offender_of = {
        "alias": "offender_id",
        "address": "offender_id",
        "household_member": "offender_id",
        "conviction": "offender_id",
        "mappa_change": "offender_id",
        "risk_assessment": "offender_id",
        "risk_management_plan": "offender_id",
        "visit": "offender_id",
        "ppn": "offender_id",
        "notification": "offender_id",
        "task": "offender_id",
        "scrutiny_item": "offender_id",
        "audit_event": "offender_id",
        "plan_action": "(SELECT offender_id FROM risk_management_plan p WHERE p.id = plan_id)",
        "risk_factor": "(SELECT offender_id FROM risk_assessment a WHERE a.id = assessment_id)",
        "ppn_subject": "(SELECT offender_id FROM ppn p WHERE p.id = ppn_id)",
        # a pack stands for its team: compared through the team's first offender
        "scrutiny_pack": "(SELECT min(o.id) FROM offender o WHERE o.team_id = t.team_id)",
    }
    ada, gus = connect("ada"), connect("gus")
    with owner.connect() as conn:
        for statement in EVERY_OFFENDER_HAS:  # rows the world leaves out, for every offender
            conn.execute(text(statement))
        conn.commit()
        team_of = dict(conn.execute(text("SELECT id, team_id FROM offender")).all())
        everything = {
            table: sorted(
                tuple(r)
                for r in conn.execute(text(f"SELECT id, {column} FROM {table} t ORDER BY id"))
            )
            for table, column in offender_of.items()
        }
    seen_something = set()
    for table, column in offender_of.items():
        for conn, team in ((ada, world.alder), (gus, world.birch)):
            rows = sorted(conn.execute(f"SELECT id, {column} FROM {table} t ORDER BY id"))
            expected = [r for r in everything[table] if team_of.get(r[1]) == team]
            assert rows == expected, f"{table} as {conn.info.user}"
            if rows:
                seen_something.add(table)
    assert seen_something == set(offender_of)  # no comparison was of empty lists


def test_every_table_is_granted_and_every_table_with_offender_data_is_guarded(
    owner: Engine,
) -> None:
    """A table added later without a decision about officers fails here."""
    guarded_by = ("offender_id", "team_id", "plan_id", "assessment_id", "ppn_id")
    with owner.connect() as conn:
        for name, table in Base.metadata.tables.items():
            granted, guarded = conn.execute(
                text(
                    # any column: officer is granted column by column (not its password hash)
                    "SELECT has_any_column_privilege('pillars_officer', :t, 'SELECT'), "
                    "relrowsecurity FROM pg_class WHERE oid = to_regclass(:t)"
                ),
                {"t": name},
            ).one()
            assert granted, f"{name} is not granted to pillars_officer"
            if name == "officer" or any(c in table.columns for c in guarded_by):
                assert guarded, f"{name} holds offender data but has no row-level security"


def test_an_officer_on_a_visits_crew_reads_that_offender_of_another_team(
    connect: Connect, world: World, owner: Engine
) -> None:
    """The visits service lets a crew member of another team see and record the visit, so the
    database shows them that offender (and no other of that team)."""
    birch = owner_references(owner, [world.birch])
    gus = connect("gus")
    assert references(gus) == birch
    with owner.begin() as conn:
        visit_id = conn.execute(
            text("SELECT min(id) FROM visit WHERE offender_id = :o"), {"o": world.zebedee}
        ).scalar()
        conn.execute(
            text("UPDATE visit SET officer2_id = :gus WHERE id = :v"),
            {"gus": world.gus, "v": visit_id},
        )
    assert references(gus) == birch | {world.references["zebedee"]}
    assert visit_id in {row[0] for row in gus.execute("SELECT id FROM visit")}


# -- cover -----------------------------------------------------------------------------------------


def test_a_sergeant_reads_another_team_only_while_its_sergeant_is_off_duty(
    db_url: str, connect: Connect, world: World, owner: Engine
) -> None:
    """The cover chain's precondition (a sergeant or team manager absent today, by the server's
    Europe/London date, or no longer active with no sergeant of the team on duty) opens that team
    to sergeants, always including the teams the app's own cover gives them; offender managers
    are unmoved."""
    alder = owner_references(owner, [world.alder])
    birch = owner_references(owner, [world.birch])
    hattie, gus = connect("hattie"), connect("gus")
    app = Services(db_url, clock=utc_now)

    def cora(first: int, last: int, *, active: bool = True) -> tuple[set[str], set[int]]:
        """Cora (Alder's sergeant) away from `first` to `last` days from today: what Hattie
        (Birch's sergeant) reads then, and the teams the app gives her as cover, which it
        includes."""
        with owner.begin() as conn:
            conn.execute(text("DELETE FROM absence WHERE officer_id = :cora"), {"cora": world.cora})
            conn.execute(
                text(
                    "INSERT INTO absence (officer_id, kind, starts_on, ends_on, note, "
                    "recorded_at, version, updated_at) VALUES (:cora, 'leave', "
                    "(now() AT TIME ZONE 'Europe/London')::date + :first, "
                    "(now() AT TIME ZONE 'Europe/London')::date + :last, '', now(), 1, now())"
                ),
                {"cora": world.cora, "first": first, "last": last},
            )
            conn.execute(
                text("UPDATE officer SET active = :active WHERE id = :cora"),
                {"cora": world.cora, "active": active},
            )
        readable = hattie.execute("SELECT pillars_readable_team_ids()").fetchone()
        covering = app.auth.actor_named("hattie").covering_team_ids
        assert covering <= set(readable[0])
        return references(hattie), set(covering)

    try:
        assert cora(-10, -1) == (birch, set())  # back yesterday
        assert cora(-1, 1) == (alder | birch, {world.alder})  # away today
        assert references(gus) == birch
        assert cora(1, 5) == (birch, set())  # away from tomorrow
        # left, and Alder has no other sergeant
        assert cora(-10, -1, active=False) == (alder | birch, {world.alder})
    finally:
        app.close()


# -- the audit log ---------------------------------------------------------------------------------


def test_an_officer_role_may_add_audit_rows_but_never_change_or_delete_them(
    connect: Connect, world: World
) -> None:
    ada = connect("ada")
    tail = ada.execute("SELECT pillars_audit_tail()").fetchone()
    ada.execute(
        "INSERT INTO audit_event (at, officer_id, username, action, entity_type, detail, "
        "prev_hash, hash) VALUES (now(), %s, 'ada', 'sign_out', '', '{}', %s, %s)",
        (world.ada, tail[0] if tail and tail[0] else "0" * 64, "a" * 64),
    )
    for statement in (
        "UPDATE audit_event SET action = 'changed'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            ada.execute(statement)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        ada.execute(  # in a colleague's name
            "INSERT INTO audit_event (at, officer_id, username, action, entity_type, detail, "
            "prev_hash, hash) VALUES (now(), %s, 'cora', 'sign_out', '', '{}', %s, %s)",
            (world.cora, "b" * 64, "c" * 64),
        )
    assert ada.execute("SELECT pillars_audit_tail()").fetchone() == ("a" * 64,)
    # her own row is hers to read, not the hub's, which reads every offender but not colleagues
    own = "SELECT count(*) FROM audit_event WHERE officer_id = %s AND offender_id IS NULL"
    assert ada.execute(own, (world.ada,)).fetchone() == (1,)
    assert connect("elsie").execute(own, (world.ada,)).fetchone() == (0,)


def test_an_officer_role_cannot_make_itself_more_than_it_is(
    connect: Connect, world: World, owner: Engine
) -> None:
    """Only the sign-in counters of their own officer row: not their role, not a colleague's."""
    ada = connect("ada")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        ada.execute("UPDATE officer SET role = 'hub_officer' WHERE id = %s", (world.ada,))
    counters = "UPDATE officer SET failed_sign_ins = 9 WHERE id = %s"
    assert ada.execute(counters, (world.cora,)).rowcount == 0
    assert ada.execute(counters, (world.ada,)).rowcount == 1
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        ada.execute("DELETE FROM offender")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        ada.execute("UPDATE team SET name = 'Oak'")


# -- the app over an officer's connection ----------------------------------------------------------


def test_the_services_work_over_each_officers_own_connection(
    db_url: str, connect: Connect, world: World
) -> None:
    """Sign in, the caseload (the same rows as over the owner's connection), a record, a PPN, an
    absence recorded by the sergeant; every audit row chained onto the true tail."""
    for username in ("ada", "cora"):
        connect(username).close()  # makes the role
    clock = utc_now
    as_owner = Services(db_url, clock=clock)
    as_ada = Services(officer_url(db_url, "ada"), clock=clock)
    as_cora = Services(officer_url(db_url, "cora"), clock=clock)
    try:
        with pytest.raises(SignInRefused):
            as_ada.auth.sign_in("ada", "not the password")  # counts a failure on her own row
        ada = as_ada.auth.sign_in("ada", PASSWORD)
        mine = as_ada.caseload.load(ada, "team")
        theirs = as_owner.caseload.load(as_owner.auth.sign_in("ada", PASSWORD), "team")
        assert [r.reference for r in mine.rows] == [r.reference for r in theirs.rows]
        assert mine.rows

        record = as_ada.records.open(ada, world.zebedee)
        assert record.reference == world.references["zebedee"]
        today = as_ada.today().strftime("%d/%m/%Y")
        ppn_id = as_ada.ppns.raise_(
            ada,
            world.zebedee,
            PpnEntry(
                "amber",
                "A synthetic concern for a test.",
                today,
                "00:00",
                (SubjectEntry(name="Child Example-Test", relationship="nephew"),),
            ),
        )
        assert as_ada.ppns.get(ada, ppn_id).offender_id == world.zebedee

        cora = as_cora.auth.sign_in("cora", PASSWORD)
        absence_id = as_cora.team.record_absence(
            cora, AbsenceEntry(world.bram, "training", today, today)
        )
        assert absence_id

        verified = as_owner.audit.verify()
        assert verified.ok, verified.reason
        with as_owner.transaction() as session:
            actions = [
                (row.username, row.action)
                for row in session.execute(text("SELECT username, action FROM audit_event"))
            ]
        assert ("ada", "sign_in_failed") in actions
        assert ("ada", "ppn_raised") in actions
        assert ("cora", "absence_recorded") in actions
    finally:
        for services in (as_owner, as_ada, as_cora):
            services.close()


# -- making and removing roles ---------------------------------------------------------------------


def test_a_role_is_made_only_for_an_active_officer_and_never_over_another_role(
    db_url: str, world: World, owner: Engine
) -> None:
    with pytest.raises(DatabaseProblem, match="no officer has that username"):
        create_officer_role(db_url, "nobody", ROLE_PASSWORD)
    with pytest.raises(DatabaseProblem, match="cannot be a database role name"):
        create_officer_role(db_url, 'ada"; DROP TABLE offender; --', ROLE_PASSWORD)
    with pytest.raises(DatabaseProblem, match="password is empty"):
        create_officer_role(db_url, "ada", "")
    with owner.begin() as conn:  # an officer whose username is the server's own superuser
        conn.execute(
            text("UPDATE officer SET username = 'postgres' WHERE id = :id"), {"id": world.fenn}
        )
    with pytest.raises(DatabaseProblem, match="not a Pillars officer's role"):
        create_officer_role(db_url, "postgres", ROLE_PASSWORD)
    with pytest.raises(DatabaseProblem, match="not a Pillars officer's role"):
        drop_officer_role(db_url, "postgres")

    assert "created" in create_officer_role(db_url, "ADA", ROLE_PASSWORD)
    try:
        assert "password is changed" in create_officer_role(db_url, "ada", "another-secret-2")
        with owner.connect() as conn:
            stored = conn.execute(
                text("SELECT rolpassword FROM pg_authid WHERE rolname = 'ada'")
            ).scalar()
        assert stored.startswith("SCRAM-SHA-256$") and "another-secret-2" not in stored
    finally:
        assert "removed" in drop_officer_role(db_url, "ada")
    assert "nothing to remove" in drop_officer_role(db_url, "ada")


def test_roles_are_for_postgresql_only(tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(DatabaseProblem, match="SQLite file"):
        create_officer_role(f"sqlite:///{tmp_path / 'x.sqlite3'}", "ada", ROLE_PASSWORD)


def test_pillars_db_role_makes_and_drops_the_role_from_the_command_line(
    db_url: str,
    world: World,
    owner: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from desktop.cli import main

    monkeypatch.delenv("PILLARS_ROLE_PASSWORD", raising=False)
    assert main(["db", "role", "--db", db_url, "bram"]) == 1  # no password, no terminal
    assert "set PILLARS_ROLE_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("PILLARS_ROLE_PASSWORD", ROLE_PASSWORD)
    try:
        assert main(["db", "role", "--db", db_url, "bram"]) == 0
        out, err = capsys.readouterr()
        assert "created" in out and err == "" and ROLE_PASSWORD not in out
        url = make_url(officer_url(db_url, "bram"))
        with psycopg.connect(
            host=url.host, port=url.port, dbname=url.database, user="bram", password=ROLE_PASSWORD
        ) as conn:
            assert references(conn) == owner_references(owner, [world.alder])
    finally:
        assert main(["db", "role", "--db", db_url, "bram", "--drop"]) == 0
    assert "removed" in capsys.readouterr().out
    assert main(["db", "role", "--db", db_url, "nobody"]) == 1
    assert "no officer has that username" in capsys.readouterr().err


def test_an_officer_role_deletes_only_what_a_use_case_removes(
    connect: Connect, world: World, owner: Engine
) -> None:
    """No assessment, plan, visit, PPN, notification or task is deleted by anyone from psql; a
    printed scrutiny pack stays as printed; and the rows nobody wrote (the command line's, failed
    sign-ins) are read only by those who read the force."""
    with owner.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_event (at, username, action, entity_type, detail, prev_hash, "
                "hash) VALUES (now(), 'pillars daily', 'daily_sheet_printed', '', "
                "'{\"offender_ids\": [1, 2, 3]}', :p, :h)"
            ),
            {"p": "d" * 64, "h": "e" * 64},
        )
        conn.execute(
            text(
                "INSERT INTO scrutiny_pack (team_id, fortnight_ending, seed, method, "
                "printed_at, created_at, updated_at, version) VALUES (:t, '2024-06-07', 1, "
                "'{}', now(), now(), now(), 1)"
            ),
            {"t": world.alder},
        )
    ada = connect("ada")
    for table in ("risk_assessment", "risk_management_plan", "visit", "ppn", "task"):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
            ada.execute(f"DELETE FROM {table}")
    assert ada.execute("DELETE FROM scrutiny_pack WHERE printed_at IS NOT NULL").rowcount == 0
    nobodys = "SELECT count(*) FROM audit_event WHERE action = 'daily_sheet_printed'"
    assert ada.execute(nobodys).fetchone() == (0,)
    assert connect("elsie").execute(nobodys).fetchone() == (1,)


def test_no_officer_role_reads_a_password_hash_but_its_own(
    connect: Connect, world: World, owner: Engine
) -> None:
    ada = connect("ada")
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
        ada.execute("SELECT password_hash FROM officer")
    assert ada.execute("SELECT count(username) FROM officer").fetchone()[0] > 1  # names: yes
    own = ada.execute("SELECT pillars_password_hash(%s)", (world.ada,)).fetchone()[0]
    with owner.connect() as conn:
        stored = conn.execute(
            text("SELECT password_hash FROM officer WHERE id = :id"), {"id": world.ada}
        ).scalar()
    assert own == stored and own
    assert ada.execute("SELECT pillars_password_hash(%s)", (world.cora,)).fetchone() == (None,)
