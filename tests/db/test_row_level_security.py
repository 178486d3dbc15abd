"""Row-level security on PostgreSQL (migration 0003, issue #9 item 1): an officer connecting with
their own database role sees, straight from the database, only what their Pillars role may read;
the audit table takes inserts only; and the app's services work over such a connection. Migration
0004's functions, which count rows across teams, answer only the use cases that need them, and a
role whose account is locked or inactive reads nothing, while signing in over it works as before.

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
from sqlalchemy.orm import Session

from db.base import Base
from db.engine import make_engine
from db.enums import PpnGrade, PpnState
from db.errors import DatabaseProblem
from db.models import Ppn, Visit
from desktop.services.core import Services, utc_now
from desktop.services.database import create_officer_role, drop_officer_role
from desktop.services.errors import AccountLocked, SignInRefused
from desktop.services.ppns import PpnEntry, SubjectEntry
from desktop.services.team import AbsenceEntry
from tests.conftest import pg_admin_url
from tests.desktop.factories import PASSWORD, World, add_pending_approvals, populate

# Makes PostgreSQL login roles: one such module at a time (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("server_roles")

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


LONDON = ZoneInfo("Europe/London")
CREW = "SELECT id FROM pillars_crew_visits(%s, %s, %s)"
HOUSEHOLD = "SELECT id FROM pillars_household_ppns(%s)"
APPROVALS = "SELECT owner_id, open_approvals FROM pillars_open_approvals(%s)"


def london(day: dt.date, hour: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


def ids(conn: psycopg.Connection, query: str, *params: object) -> set[int]:
    return {row[0] for row in conn.execute(query, params)}


def added(owner: Engine, row: Visit | Ppn) -> int:
    with Session(owner) as session, session.begin():
        session.add(row)
        session.flush()
        return row.id


def a_visit(owner: Engine, offender_id: int, crew: tuple[int, int], at: dt.datetime) -> int:
    return added(
        owner,
        Visit(offender_id=offender_id, planned_at=at, officer1_id=crew[0], officer2_id=crew[1]),
    )


def a_ppn(owner: Engine, offender_id: int, raised_by: int, household: str) -> int:
    now = utc_now()
    return added(
        owner,
        Ppn(
            offender_id=offender_id,
            grade=PpnGrade.AMBER,
            concern="Fictional concern about a child at a shared address.",
            concern_at=now,
            raised_by_id=raised_by,
            raised_at=now,
            state=PpnState.DRAFT,
            household_key=household,
        ),
    )


# -- migration 0004: functions counting across teams -----------------------------------------------


def test_the_crews_visits_are_for_planners_and_one_day_at_a_time(
    connect: Connect, world: World, owner: Engine
) -> None:
    """Bram (Alder) crews a visit to Ignatius (Birch) tomorrow at 10:00. Ada, who plans visits,
    learns of it for that one day (the duty rules' question); asking for three days or ten years
    at once gets nothing, and neither does an administrator, whose role reads no offender data."""
    tomorrow = dt.datetime.now(LONDON).date() + dt.timedelta(days=1)
    visit_id = a_visit(owner, world.ignatius, (world.gus, world.bram), london(tomorrow, 10))
    day = (london(tomorrow), london(tomorrow + dt.timedelta(days=1)))
    ada, fenn, elsie = connect("ada"), connect("fenn"), connect("elsie")

    assert ids(ada, CREW, [world.bram], *day) == {visit_id}
    with owner.connect() as conn:  # the command line's connection: answered in full
        crew = text("SELECT id FROM pillars_crew_visits(:ids, :starts, :ends)")
        found = conn.execute(crew, {"ids": [world.bram], "starts": day[0], "ends": day[1]})
        assert {row[0] for row in found} == {visit_id}
    assert ids(elsie, CREW, [world.bram], *day) == {visit_id}  # reads every visit anyway
    assert ids(ada, "SELECT id FROM visit") and visit_id not in ids(ada, "SELECT id FROM visit")
    for starts, ends in (
        (london(tomorrow - dt.timedelta(days=1)), london(tomorrow + dt.timedelta(days=2))),
        (london(tomorrow - dt.timedelta(days=3650)), london(tomorrow + dt.timedelta(days=3650))),
    ):
        assert ids(ada, CREW, [world.bram], starts, ends) == set()
    everyone = [getattr(world, name) for name in ("ada", "bram", "cora", "dorian", "gus", "hattie")]
    assert ids(fenn, CREW, everyone, *day) == set()


def test_a_households_ppns_are_asked_about_a_ppn_the_caller_may_read_not_a_postcode(
    connect: Connect, world: World, owner: Engine
) -> None:
    """Two PPNs about Ignatius (Birch) and one about Zebedee (Alder), all at Zebedee's postcode.
    Ada, asking about Zebedee's PPN, counts the household's three; asking about Ignatius's,
    which her role may not read, gets nothing; an administrator gets nothing; and no function
    takes a postcode to sweep."""
    household = "ZZ3 4QT"  # Zebedee's home
    birch = {a_ppn(owner, world.ignatius, world.gus, household) for _ in range(2)}
    alder = a_ppn(owner, world.zebedee, world.ada, household)
    ada, gus, fenn = connect("ada"), connect("gus"), connect("fenn")

    assert ids(ada, HOUSEHOLD, alder) == birch | {alder}
    assert ids(gus, HOUSEHOLD, min(birch)) == birch | {alder}
    assert ids(ada, HOUSEHOLD, min(birch)) == set()
    assert ids(fenn, HOUSEHOLD, alder) == set()
    with pytest.raises(psycopg.errors.UndefinedFunction):
        ada.execute("SELECT id FROM pillars_household_ppns(%s::text)", (household,))


def test_open_approvals_are_counted_for_the_team_screens_users_only(
    db_url: str, connect: Connect, world: World, owner: Engine
) -> None:
    """Cora owns the world's pending approvals. An administrator counts them (for any team), as
    does Cora, a sergeant of her own team; Hattie, Birch's sergeant, and Ada, an offender
    manager, get nothing."""
    add_pending_approvals(db_url, world)
    with owner.connect() as conn:
        owned = conn.execute(
            text(
                "SELECT count(*) FROM task WHERE owner_id = :cora AND \"group\" = 'approval' "
                "AND state = 'open'"
            ),
            {"cora": world.cora},
        ).scalar_one()
    assert owned
    officers = [world.cora, world.hattie, world.ada]
    assert set(connect("fenn").execute(APPROVALS, (officers,))) == {(world.cora, owned)}
    assert set(connect("cora").execute(APPROVALS, (officers,))) == {(world.cora, owned)}
    assert set(connect("hattie").execute(APPROVALS, (officers,))) == set()
    assert set(connect("ada").execute(APPROVALS, (officers,))) == set()


# -- migration 0004: a locked or inactive account --------------------------------------------------


@pytest.fixture
def services(db_url: str, connect: Connect) -> Iterator[tuple[Services, Services]]:
    """The owner's connection and Ada's own role (made by `connect`), with the real clock: the
    database compares the lock with its own now()."""
    connect("ada").close()
    pair = (Services(db_url, clock=utc_now), Services(officer_url(db_url, "ada"), clock=utc_now))
    yield pair
    for services in pair:
        services.close()


def counts(conn: psycopg.Connection) -> tuple[int, ...]:
    """How many offenders, visits, PPNs and tasks the role reads."""
    row = conn.execute(
        "SELECT (SELECT count(*) FROM offender), (SELECT count(*) FROM visit), "
        "(SELECT count(*) FROM ppn), (SELECT count(*) FROM task)"
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_a_locked_account_reads_nothing_until_the_lock_runs_out(
    connect: Connect, world: World, owner: Engine, services: tuple[Services, Services]
) -> None:
    """Ada's account is locked by failed sign-ins (on any desktop). While it is, her role reads
    no offender, visit, PPN or task and the functions answer nothing; signing in over it says
    when the lock ends and is audited. Once the time has passed she reads her team again, and
    signing in over her own role clears the counters."""
    as_owner, as_ada = services
    ada = connect("ada")
    unlocked = counts(ada)
    assert unlocked[0] == len(world.alder_offenders) and all(unlocked)
    today = (london(dt.datetime.now(LONDON).date()), london(dt.datetime.now(LONDON).date(), 23))

    for _ in range(20):  # as many as the policy allows
        with pytest.raises(SignInRefused) as failed:
            as_owner.auth.sign_in("ada", "not the password")
        if isinstance(failed.value, AccountLocked):
            break
    assert isinstance(failed.value, AccountLocked)
    assert counts(ada) == (0, 0, 0, 0)
    assert ada.execute("SELECT pillars_me(), pillars_my_account()").fetchone() == (None, world.ada)
    assert ids(ada, CREW, [world.ada, world.bram], *today) == set()
    with pytest.raises(AccountLocked, match=r"Try again after \d\d:\d\d") as refused:
        as_ada.auth.sign_in("ada", PASSWORD)
    with owner.connect() as conn:
        reasons = conn.execute(
            text(
                "SELECT detail ->> 'reason' FROM audit_event "
                "WHERE username = 'ada' AND action = 'sign_in_failed' ORDER BY id DESC LIMIT 1"
            )
        ).scalar_one()
    assert reasons == "account locked"

    with owner.begin() as conn:
        conn.execute(
            text("UPDATE officer SET locked_until = :past WHERE id = :ada"),
            {"past": refused.value.until - dt.timedelta(days=1), "ada": world.ada},
        )
    assert counts(ada) == unlocked
    assert as_ada.auth.sign_in("ada", PASSWORD).officer_id == world.ada
    with owner.connect() as conn:
        assert conn.execute(
            text("SELECT failed_sign_ins, locked_until FROM officer WHERE id = :ada"),
            {"ada": world.ada},
        ).one() == (0, None)
    verified = as_owner.audit.verify()
    assert verified.ok, verified.reason


def test_an_inactive_officers_role_reads_nothing_and_is_told_the_account_is_not_active(
    connect: Connect, world: World, owner: Engine, services: tuple[Services, Services]
) -> None:
    _as_owner, as_ada = services
    ada = connect("ada")
    with owner.begin() as conn:
        conn.execute(text("UPDATE officer SET active = false WHERE id = :ada"), {"ada": world.ada})
    assert counts(ada) == (0, 0, 0, 0)
    with pytest.raises(SignInRefused, match="no longer active"):
        as_ada.auth.sign_in("ada", PASSWORD)
