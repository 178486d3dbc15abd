"""Every screen's use cases over an officer's own PostgreSQL role (issue #9, item 1).

On a shared PostgreSQL database the app connects as each officer's own login role (a URL that
names no user: `desktop.services.sign_in.open_as_officer`), and row-level security (migrations
0003 and 0004) lets the database itself refuse rows outside what the officer's Pillars role may
read. This module walks what each role does in the app - the caseload, a record and its tabs,
edits, visits, PPNs, the inbox and its approvals, cover, the hub, the Team, Scrutiny, Dashboard
and Daily sheet screens, the calendar export - over that connection, and compares what it reads
with the same calls over the owner's connection wherever the role should see the same rows.

Database roles are cluster-wide while each test has its own database, so the officers' login roles
(the test world's fixed usernames) are made, or have their password reset, at the start of a test
and are removed at its end; the module must not run concurrently with itself or with
tests/db/test_row_level_security.py. Each role's password is the Pillars password, as `pillars
user add` makes it, so one name and password pass both the server's check and Pillars's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from db.enums import PpnGrade, PpnState
from db.models import Ppn, Visit
from desktop.services.actor import Actor
from desktop.services.core import Services, utc_now
from desktop.services.database import create_officer_role, drop_officer_role
from desktop.services.errors import NotFound, PermissionRefused, ValidationFailed
from desktop.services.hub import NotificationEntry
from desktop.services.plans import ActionEdit, plan_edit_for
from desktop.services.ppns import PpnEntry, SubjectEntry
from desktop.services.records import AddressEdit, HouseholdEdit, identity_edit_for
from desktop.services.scrutiny import CHECKLIST
from desktop.services.sign_in import open_as_officer
from desktop.services.team import AbsenceEntry
from desktop.services.visits import OutcomeEdit, VisitEdit
from tests.conftest import pg_admin_url
from tests.desktop.factories import PASSWORD, PendingWork, World, add_pending_approvals, populate

# Makes PostgreSQL login roles: one such module at a time (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("server_roles")

ROLES = ("ada", "bram", "cora", "dorian", "gus", "hattie", "elsie", "fenn")

SignIn = Callable[[str], tuple[Services, Actor]]


@pytest.fixture(params=[pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """PostgreSQL only: SQLite has no roles (the migrations are no-ops there)."""
    pg_admin_url()
    return str(request.param)


def london_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Europe/London")).date()


@pytest.fixture
def world(db_url: str) -> World:
    """The test world dated today: the policies' "today" is the server's date, not a test clock."""
    return populate(db_url, today=london_today())


@pytest.fixture
def pending(db_url: str, world: World) -> PendingWork:
    return add_pending_approvals(db_url, world)


@pytest.fixture
def owner(db_url: str, world: World) -> Iterator[Services]:
    """The owner's connection (the role that ran the migrations): row-level security does not
    bind it, so it reads what the app would show with no database roles at all."""
    services = Services(db_url, clock=utc_now)
    yield services
    services.close()


@pytest.fixture
def sign_in(db_url: str, world: World) -> Iterator[SignIn]:
    """Open the app as an officer does on a shared database: their own role over a URL naming no
    user, then the Pillars sign-in with the same name and password. Roles removed afterwards."""
    made: list[str] = []
    opened: list[Services] = []
    no_user = make_url(db_url).set(username=None, password=None)

    def as_officer(username: str) -> tuple[Services, Actor]:
        if username not in made:
            create_officer_role(db_url, username, PASSWORD)
            made.append(username)
        services = open_as_officer(
            no_user.render_as_string(hide_password=False), username, PASSWORD
        )
        opened.append(services)
        return services, services.auth.sign_in(username, PASSWORD)

    yield as_officer
    for services in opened:
        services.close()
    for username in made:
        drop_officer_role(db_url, username)


VOLATILE = {"made_at", "as_of", "covering"}


def plain(value: Any) -> Any:
    """`value` with dataclasses turned into dicts, for comparing what two connections read; the
    moment a view was made is left out (two calls a few milliseconds apart differ there)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in VOLATILE
        }
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return plain(value._asdict())
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "__len__") and hasattr(value, "__getitem__") and not isinstance(value, str):
        return [plain(value[i]) for i in range(len(value))]
    return value


def same(officer: Any, owner: Any) -> bool:
    return bool(plain(officer) == plain(owner))


def audit_actions(owner: Services) -> list[tuple[str, str]]:
    with owner.transaction() as session:
        return [
            (row[0], row[1])
            for row in session.execute(text("SELECT username, action FROM audit_event"))
        ]


def verified(owner: Services) -> None:
    result = owner.audit.verify()
    assert result.ok, result.reason


def reads_as_owner_reads(officer: Services, owner: Services, actor: Actor, world: World) -> int:
    """Every reading use case of the screens `actor` has, over their own connection and over the
    owner's, for each offender the Pillars role may open: the same answers. Returns how many
    records were compared (a walk that compared nothing proves nothing)."""
    monday = officer.today() - dt.timedelta(days=officer.today().weekday())
    for scope in officer.caseload.allowed_scopes(actor):
        mine, theirs = officer.caseload.load(actor, scope), owner.caseload.load(actor, scope)
        assert same(mine, theirs), f"caseload {scope} as {actor.username}"
    assert same(officer.inbox.tasks(actor), owner.inbox.tasks(actor)), "inbox"
    assert same(officer.users.officers(), owner.users.officers()), "officers and their duty"
    if actor.role in ("offender_manager", "sergeant", "team_manager"):
        assert same(officer.visits.due(actor), owner.visits.due(actor)), "visits due"
        assert same(
            officer.visits.week(actor, None, monday), owner.visits.week(actor, None, monday)
        )
        for scope in ("mine", "team"):
            assert same(officer.ppns.list(actor, scope=scope), owner.ppns.list(actor, scope=scope))
    opened = 0
    for offender_id in [*world.alder_offenders, *world.birch_offenders]:
        try:
            theirs = owner.records.open(actor, offender_id)
        except PermissionRefused:
            # The database shows the officer's role no such offender row at all, so the app
            # finds none: refused either way, without saying more than the owner's words would.
            with pytest.raises((PermissionRefused, NotFound)):
                officer.records.open(actor, offender_id)
            continue
        mine = officer.records.open(actor, offender_id)
        assert same(mine, theirs), f"record {theirs.reference} as {actor.username}"
        opened += 1
        for use_case in (
            "records.history",
            "visits.for_offender",
            "visits.flags",
            "ppns.for_offender",
            "ppns.household_choices",
            "plans.editor",
            "mappa.history",
            "approvals.pending_for_offender",
        ):
            mine, theirs = (call(s, use_case, actor, offender_id) for s in (officer, owner))
            assert same(mine, theirs), f"{use_case} of {offender_id} as {actor.username}"
        today = officer.today()
        assert same(
            officer.visits.crew_choices(actor, offender_id, today),
            owner.visits.crew_choices(actor, offender_id, today),
        )
        for visit in owner.visits.for_offender(actor, offender_id):
            assert same(officer.visits.get(actor, visit.visit_id), visit)
        for ppn in owner.ppns.for_offender(actor, offender_id):
            assert same(officer.ppns.get(actor, ppn.ppn_id), ppn)
        for version in owner.plans.editor(actor, offender_id).versions:
            assert same(
                officer.plans.version(actor, version.plan_id),
                owner.plans.version(actor, version.plan_id),
            )
        for assessment in theirs_record_assessments(owner, actor, offender_id):
            assert same(
                officer.assessments.arms_form(actor, assessment),
                owner.assessments.arms_form(actor, assessment),
            )
    return opened


def call(services: Services, use_case: str, *args: Any) -> Any:
    """`call(s, "visits.flags", actor, 7)` is `s.visits.flags(actor, 7)`."""
    service, method = use_case.split(".")
    return getattr(getattr(services, service), method)(*args)


def theirs_record_assessments(owner: Services, actor: Actor, offender_id: int) -> list[int]:
    record = owner.records.open(actor, offender_id)
    return [a.assessment_id for a in record.assessments if a.kind == "arms"]


# -- an offender manager ---------------------------------------------------------------------------


def test_an_offender_manager_reads_every_screen_as_the_owner_would(
    sign_in: SignIn, owner: Services, world: World, pending: PendingWork
) -> None:
    services, ada = sign_in("ada")
    assert reads_as_owner_reads(services, owner, ada, world) == len(world.alder_offenders)
    verified(owner)


def calendar_events(data: bytes) -> list[str]:
    """An .ics file's lines but the moment it was made."""
    return [line for line in data.decode().splitlines() if not line.startswith("DTSTAMP")]


def dmy(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_an_offender_manager_edits_plans_visits_and_raises_ppns_over_her_own_role(
    sign_in: SignIn, owner: Services, world: World
) -> None:
    """Ada's day: corrects an address and the household, drafts and submits an ARMS and a plan,
    changes the MAPPA level, plans a visit, records one that saw a child, raises a PPN from it
    and takes it through the MASH to social care's decision, sends the visit record to her
    sergeant and exports her calendar; each lands in the database as over the owner's
    connection, audited on the one chain."""
    services, ada = sign_in("ada")
    today = services.today()
    horatio = world.horatio

    record = services.records.open(ada, horatio)
    record = services.records.save_address(
        ada,
        horatio,
        AddressEdit(
            None, None, "stay", "2 Pretend Place", "", "Northvale", "ZZ7 7ZZ", dmy(today), ""
        ),
    )
    record = services.records.save_household_member(
        ada,
        horatio,
        HouseholdEdit(
            None, None, "Dot Example-Test", "lodger's child", "01/02/2018", dmy(today), "", ""
        ),
    )
    edit = identity_edit_for(record)
    record = services.records.update_identity(
        ada, horatio, record.version, dataclasses.replace(edit, notes="Fictional note, corrected.")
    )
    assert same(record, owner.records.open(ada, horatio))

    arms = services.assessments.new_arms_form(ada, horatio)
    arms_id = services.assessments.save_arms(
        ada, horatio, dataclasses.replace(arms, summary="Fictional reassessment.", level="high")
    )
    form = services.assessments.arms_form(ada, arms_id)
    services.assessments.submit_arms(ada, arms_id, form.expected_version or 0)

    plan_id = services.plans.start_draft(ada, horatio)
    draft = services.plans.editor(ada, horatio).draft
    assert draft is not None and draft.plan_id == plan_id
    typed = plan_edit_for(draft)
    actions = [
        ActionEdit(
            None,
            pillar,
            f"Fictional action under {pillar}",
            f"officer:{world.ada}",
            dmy(today + dt.timedelta(days=30)),
            "not_started",
            "",
        )
        for pillar in (
            "supervision",
            "monitoring_control",
            "interventions_treatment",
            "victim_safety",
        )
    ]
    saved = services.plans.save_draft(
        ada,
        plan_id,
        dataclasses.replace(
            typed,
            contingency="Call the duty sergeant (fictional).",
            actions=actions,
            review_on=dmy(today + dt.timedelta(days=180)),
        ),
    )
    assert saved.draft is not None
    services.plans.submit(ada, plan_id, saved.draft.version)

    record = services.records.open(ada, horatio)
    services.mappa.change(
        ada, horatio, record.version, "1", "2", "Fictional review at a MAPPA meeting."
    )

    planned_id = services.visits.plan(
        ada,
        horatio,
        VisitEdit(
            date=dmy(today + dt.timedelta(days=2)),
            time="10:00",
            officer1="ada",
            officer2="bram",
            outside_window_reason="A synthetic test visit.",
        ),
    )
    assert services.visits.get(ada, planned_id).outcome == "planned"

    failed = next(v for v in services.visits.for_offender(ada, horatio) if v.outcome == "no_access")
    services.visits.record_outcome(
        ada,
        failed.visit_id,
        OutcomeEdit(
            expected_version=failed.version,
            outcome="completed",
            occurred_date=dmy(failed.at.date()),
            occurred_time="18:30",
            officer1="ada",
            officer2="bram",
            home_circumstances="Tidy; fictional.",
            children_present="yes",
            notes="A child visitor was present (fictional).",
        ),
    )
    member = next(m for m in services.ppns.household_choices(ada, horatio))
    ppn_id = services.ppns.raise_(
        ada,
        horatio,
        PpnEntry(
            "amber",
            "A synthetic concern for a test.",
            dmy(today),
            "00:00",
            (SubjectEntry(name=member.name, relationship=member.relationship),),
        ),
        visit_id=failed.visit_id,
    )
    ppn = services.ppns.get(ada, ppn_id)
    services.ppns.submit(ada, ppn_id, ppn.version, reference="MASH-TEST-1")
    ppn = services.ppns.get(ada, ppn_id)
    services.ppns.record_mash_review(
        ada,
        ppn_id,
        ppn.version,
        reviewed_date=dmy(today),
        outcome="Passed to children's social care (fictional).",
    )
    ppn = services.ppns.get(ada, ppn_id)
    services.ppns.record_decision(
        ada,
        ppn_id,
        ppn.version,
        decision="No further action",
        decided_date=dmy(today),
        source="Duty social worker, Fictionton CSC",
    )
    assert services.ppns.get(ada, ppn_id).stage == "closed"
    visit = services.visits.get(ada, failed.visit_id)
    task_id = services.visits.submit_record(ada, failed.visit_id, visit.version)

    exported = services.visits.export("ada", actor=ada)
    as_owner = owner.visits.export("ada", actor=ada)
    assert exported.visits == as_owner.visits >= 2  # Zebedee's and the one planned here
    assert calendar_events(exported.data) == calendar_events(as_owner.data)

    assert same(services.records.open(ada, horatio), owner.records.open(ada, horatio))
    cora = owner.auth.sign_in("cora", PASSWORD)
    assert task_id in [item.task_id for item in owner.inbox.tasks(cora).items]
    actions_done = {action for username, action in audit_actions(owner) if username == "ada"}
    assert {
        "address_saved",
        "household_member_saved",
        "identity_changed",
        "arms_submitted",
        "plan_submitted",
        "mappa_changed",
        "visit_planned",
        "visit_outcome_recorded",
        "ppn_raised",
        "ppn_submitted",
        "ppn_decision_recorded",
        "visit_record_submitted",
    } <= actions_done, actions_done
    verified(owner)


# -- sergeants, cover and management views ---------------------------------------------------------


def management_views_as_owner_reads(
    officer: Services, owner: Services, actor: Actor, team_ids: list[int | None]
) -> None:
    """The Team, Dashboard and Daily sheet screens of `actor` for each team (None: the force),
    every dashboard figure traced to its records: the same over both connections. The PDFs are
    made and their printing audited over the officer's own connection."""
    month = officer.today().replace(day=1)
    assert same(officer.daily.teams(actor), owner.daily.teams(actor))
    for team_id in team_ids:
        if team_id is not None and team_id == actor.team_id:  # the Team screen: their own
            assert same(officer.team.roster(actor, team_id), owner.team.roster(actor, team_id))
        mine, theirs = (s.dashboard.build(actor, month, team_id=team_id) for s in (officer, owner))
        assert same(mine, theirs), f"dashboard of team {team_id} as {actor.username}"
        assert mine.teams and any(v for row in mine.teams for v in row.values.values())
        for metric in mine.metrics:
            assert same(
                officer.dashboard.trace(actor, month, metric.key, team_id=team_id),
                owner.dashboard.trace(actor, month, metric.key, team_id=team_id),
            ), f"trace of {metric.key} for team {team_id} as {actor.username}"
        for row in mine.managers:
            lines = officer.dashboard.trace(actor, month, "caseload", officer_id=row.officer_id)
            assert same(
                lines, owner.dashboard.trace(actor, month, "caseload", officer_id=row.officer_id)
            )
        mine_sheet, their_sheet = (s.daily.sheet(actor, team_id=team_id) for s in (officer, owner))
        assert same(mine_sheet, their_sheet), f"daily sheet of team {team_id}"
        assert officer.dashboard.pdf(actor, month, team_id=team_id).startswith(b"%PDF")
        assert officer.daily.pdf(actor, team_id=team_id).startswith(b"%PDF")
    assert same(officer.team.teams(actor), owner.team.teams(actor))


def test_a_sergeant_approves_returns_and_arranges_cover_over_her_own_role(
    sign_in: SignIn, owner: Services, world: World, pending: PendingWork
) -> None:
    services, cora = sign_in("cora")
    today = services.today()
    assert reads_as_owner_reads(services, owner, cora, world) == len(world.alder_offenders)
    management_views_as_owner_reads(services, owner, cora, [world.alder])

    inbox = services.inbox.tasks(cora)
    assert {pending.arms_task, pending.plan_task, pending.visit_task} <= {
        item.task_id for item in inbox.items
    }
    services.inbox.claim(cora, pending.arms_task)
    services.inbox.approve(cora, pending.arms_task)
    services.inbox.claim(cora, pending.plan_task)
    services.inbox.release(cora, pending.plan_task)
    services.inbox.return_(cora, pending.plan_task, "Add a fictional curfew check, please.")
    services.approvals.approve(cora, pending.visit_task)  # from the record window
    assert same(services.inbox.tasks(cora), owner.inbox.tasks(cora))
    zebedee = owner.records.open(cora, world.zebedee)
    assert zebedee.plan is not None and zebedee.risk_level == "very_high"

    # Bram on a course; Cora herself on leave tomorrow with Dorian named to cover her
    services.team.record_absence(cora, AbsenceEntry(world.bram, "training", dmy(today), dmy(today)))
    tomorrow = today + dt.timedelta(days=1)
    absence_id = services.team.record_absence(
        cora, AbsenceEntry(world.cora, "leave", dmy(tomorrow), dmy(tomorrow))
    )
    choices = services.team.cover_choices(cora, absence_id)
    assert same(choices, owner.team.cover_choices(cora, absence_id))
    assert {c.officer_id for c in choices} == {world.dorian, world.hattie}
    services.team.name_cover(cora, absence_id, world.dorian, tomorrow, tomorrow)
    roster = services.team.roster(cora, world.alder)
    assert same(roster, owner.team.roster(cora, world.alder))
    assert same(services.users.officers(tomorrow), owner.users.officers(tomorrow))

    done = {a for u, a in audit_actions(owner) if u == "cora"}
    assert {"approved", "returned", "absence_recorded", "cover_named"} <= done, done
    verified(owner)


def a_visit_yesterday(owner: Services, offender_id: int, crew: tuple[int, int]) -> int:
    """A visit planned for yesterday evening whose outcome nobody has recorded yet."""
    at = dt.datetime.combine(owner.today() - dt.timedelta(days=1), dt.time(18, 30), tzinfo=dt.UTC)
    return a_visit(owner, offender_id, crew, at)


def a_visit(owner: Services, offender_id: int, crew: tuple[int, int], at: dt.datetime) -> int:
    with owner.transaction() as session:
        visit = Visit(
            offender_id=offender_id, planned_at=at, officer1_id=crew[0], officer2_id=crew[1]
        )
        session.add(visit)
        session.flush()
        return visit.id


@pytest.mark.parametrize("named", [True, False], ids=["named cover", "cover chain"])
def test_a_sergeant_covers_another_teams_absent_sergeant_over_her_own_role(
    sign_in: SignIn, owner: Services, world: World, named: bool
) -> None:
    """Gus records a visit and sends it to Hattie, Birch's sergeant; Hattie goes on leave today
    and names Cora, Alder's sergeant, to cover (or names nobody: Birch has no other sergeant
    and no team manager, so the chain goes to a sergeant of another team on duty, Cora). Cora's
    own role then reads Birch's work: her inbox holds the task, she opens Ignatius's record and
    approves it as Hattie's cover."""
    today = owner.today()
    visit_id = a_visit_yesterday(owner, world.ignatius, (world.gus, world.hattie))
    as_gus, gus = sign_in("gus")
    visit = as_gus.visits.get(gus, visit_id)
    as_gus.visits.record_outcome(
        gus,
        visit_id,
        OutcomeEdit(
            expected_version=visit.version,
            outcome="completed",
            occurred_date=dmy(visit.at.date()),
            occurred_time="18:30",
            officer1="gus",
            officer2="hattie",
            home_circumstances="Tidy; fictional.",
            children_present="no",
            notes="Nothing of concern (fictional).",
        ),
    )
    task_id = as_gus.visits.submit_record(gus, visit_id, as_gus.visits.get(gus, visit_id).version)

    as_hattie, hattie = sign_in("hattie")
    absence_id = as_hattie.team.record_absence(
        hattie, AbsenceEntry(world.hattie, "leave", dmy(today), dmy(today))
    )
    assert world.cora in {c.officer_id for c in as_hattie.team.cover_choices(hattie, absence_id)}
    if named:
        as_hattie.team.name_cover(hattie, absence_id, world.cora, today, today)

    services, cora = sign_in("cora")
    assert cora.covering_team_ids == {world.birch}
    inbox = services.inbox.tasks(cora)
    assert same(inbox, owner.inbox.tasks(cora))
    assert task_id in {item.task_id for item in inbox.items} and inbox.covering
    record = services.records.open(cora, world.ignatius)
    assert same(record, owner.records.open(cora, world.ignatius))
    assert [p.task_id for p in record.pending_approvals] == [task_id]
    services.inbox.claim(cora, task_id)
    services.inbox.approve(cora, task_id)
    assert owner.visits.get(cora, visit_id).record_state == "approved"
    assert same(services.team.roster(cora, world.alder), owner.team.roster(cora, world.alder))

    with owner.transaction() as session:
        detail = session.execute(
            text("SELECT detail FROM audit_event WHERE action = 'approved' AND username = 'cora'")
        ).scalar_one()
    assert detail["as_cover_for"] == world.display_names["hattie"], detail
    verified(owner)


# -- a team manager --------------------------------------------------------------------------------


def test_a_team_manager_sees_the_force_and_runs_peer_scrutiny_over_his_own_role(
    sign_in: SignIn, owner: Services, world: World, pending: PendingWork
) -> None:
    """Dorian reads every team's records, and his dashboard, traces and daily sheet for the force
    and for each team equal the owner's; he draws, prints and reviews his team's scrutiny pack,
    whose actions become tasks for the offender managers."""
    services, dorian = sign_in("dorian")
    everyone = len(world.alder_offenders) + len(world.birch_offenders)
    assert reads_as_owner_reads(services, owner, dorian, world) == everyone
    management_views_as_owner_reads(services, owner, dorian, [None, world.alder, world.birch])
    record = services.records.open(dorian, world.zebedee)
    services.mappa.change(
        dorian, world.zebedee, record.version, "1", "3", "Fictional MAPPA review."
    )

    ending = services.today()
    sample = services.scrutiny.draw(dorian, world.alder, ending, seed=7)
    assert same(sample, owner.scrutiny.draw(dorian, world.alder, ending, seed=7))
    assert sample.lines
    pack_id = services.scrutiny.create_pack(dorian, world.alder, ending, seed=7)
    assert same(
        services.scrutiny.packs(dorian, world.alder), owner.scrutiny.packs(dorian, world.alder)
    )
    pdf = services.scrutiny.print_pack(dorian, pack_id)
    assert pdf.startswith(b"%PDF")
    pack = services.scrutiny.pack(dorian, pack_id)
    assert same(pack, owner.scrutiny.pack(dorian, pack_id))
    item = pack.items[0]
    services.scrutiny.record_findings(
        dorian,
        item.item_id,
        item.version,
        {key: "yes" for key, _ in CHECKLIST},
        "Fictional reviewer comment.",
        ["Update the fictional contingency plan."],
    )
    reviewed = services.scrutiny.pack(dorian, pack_id)
    assert same(reviewed, owner.scrutiny.pack(dorian, pack_id))
    assert reviewed.items[0].action_task_ids
    assert same(services.inbox.tasks(dorian), owner.inbox.tasks(dorian))
    done = {a for u, a in audit_actions(owner) if u == "dorian"}
    assert {"mappa_changed", "scrutiny_pack_created", "scrutiny_pack_printed"} <= done, done
    verified(owner)


# -- a hub officer ---------------------------------------------------------------------------------


def test_a_hub_officer_enters_and_processes_notifications_over_her_own_role(
    sign_in: SignIn, owner: Services, world: World
) -> None:
    """Elsie reads the force's records and hub tasks as the owner does; she enters and processes
    a change of address, and takes in a transfer from another force, which makes the offender
    and allocates their manager."""
    services, elsie = sign_in("elsie")
    today = services.today()
    everyone = len(world.alder_offenders) + len(world.birch_offenders)
    assert reads_as_owner_reads(services, owner, elsie, world) == everyone
    assert same(services.hub.teams(elsie), owner.hub.teams(elsie))
    reference = world.references["zebedee"]
    assert services.hub.find_offender(elsie, reference.lower()) == owner.hub.find_offender(
        elsie, reference
    )
    assert same(services.hub.trips(elsie, reference), owner.hub.trips(elsie, reference))

    assert len(services.inbox.tasks(elsie).group("hub")) == 1  # Ignatius's, past its deadline
    home = {"line1": "2 Treacle Street", "town": "Northvale", "postcode": "ZZ3 5QQ"}
    moved = services.hub.enter(
        elsie,
        NotificationEntry(
            kind="change_of_address", reference=reference, event_on=dmy(today), **home
        ),
    )
    services.hub.process(elsie, moved, services.hub.view(elsie, moved).version)
    zebedee = owner.records.open(owner.auth.sign_in("ada", PASSWORD), world.zebedee)
    assert zebedee.current_address is not None
    assert zebedee.current_address.line1 == "2 Treacle Street"

    transfer = services.hub.enter(
        elsie,
        NotificationEntry(
            kind="transfer_in",
            event_on=dmy(today - dt.timedelta(days=1)),
            forename="Ozymandias",
            surname="Puddleby",
            date_of_birth="03/04/1977",
            gender="male",
            from_force="Fictional Shire Constabulary",
            previous_reference="FS/2015/000123",
            team_id=world.birch,
            offence="Fictional offence under s.7 Notional Act",
            convicted_on="01/02/2015",
            sentence_kind="custody",
            sentence_months="36",
            **home,
        ),
    )
    view = services.hub.view(elsie, transfer)
    assert same(view, owner.hub.view(elsie, transfer))
    assert view.default_manager_id == world.gus
    result = services.hub.process(elsie, transfer, view.version)
    new = owner.records.open(owner.auth.sign_in("gus", PASSWORD), result.offender_id)
    assert new.manager_id == world.gus and new.team_id == world.birch
    assert same(
        services.records.open(elsie, result.offender_id),
        owner.records.open(elsie, result.offender_id),
    )
    assert len(services.inbox.tasks(elsie).group("hub")) == 1  # Ignatius's still
    done = {a for u, a in audit_actions(owner) if u == "elsie"}
    assert {"notification_entered", "notification_processed", "offender_created"} <= done, done
    verified(owner)


# -- an administrator ------------------------------------------------------------------------------


def test_an_administrator_manages_absences_and_cover_over_his_own_role(
    sign_in: SignIn, owner: Services, world: World, pending: PendingWork
) -> None:
    """Fenn opens no offender record (the database shows his role none either), and manages
    any team's absences and cover on the Team screen: Hattie's leave, covered by Cora."""
    services, fenn = sign_in("fenn")
    today = services.today()
    assert reads_as_owner_reads(services, owner, fenn, world) == 0
    with services.transaction() as session:
        assert session.execute(text("SELECT count(*) FROM offender")).scalar_one() == 0
    teams = services.team.teams(fenn)
    assert same(teams, owner.team.teams(fenn)) and len(teams) == 2
    for team_id in (world.alder, world.birch):
        # the open approvals each member owns, though his role reads no task (migration 0004)
        assert same(services.team.roster(fenn, team_id), owner.team.roster(fenn, team_id))
    absence_id = services.team.record_absence(
        fenn, AbsenceEntry(world.hattie, "sickness", dmy(today), dmy(today + dt.timedelta(days=2)))
    )
    choices = services.team.cover_choices(fenn, absence_id)
    assert same(choices, owner.team.cover_choices(fenn, absence_id))
    arrangement = services.team.name_cover(fenn, absence_id, world.cora, today, today)
    roster = services.team.roster(fenn, world.birch)
    assert same(roster, owner.team.roster(fenn, world.birch))
    cover = next(a for a in roster.absences if a.absence_id == absence_id).covers[0]
    services.team.remove_cover(fenn, arrangement, cover.version)
    absence = next(a for a in services.team.roster(fenn, world.birch).absences)
    services.team.cancel_absence(fenn, absence_id, absence.version)
    assert services.team.roster(fenn, world.birch).absences == ()
    done = {a for u, a in audit_actions(owner) if u == "fenn"}
    assert {"absence_recorded", "cover_named", "cover_removed", "absence_cancelled"} <= done, done
    verified(owner)


# -- what an officer's role may not read but a rule must count -------------------------------------


def test_a_visit_planned_counts_the_crews_visits_to_another_teams_offenders(
    sign_in: SignIn, owner: Services, world: World
) -> None:
    """Bram (Alder) is on the crew of a visit to Ignatius (Birch) on Monday at 10:00. Ada's role
    cannot read that visit, yet planning hers with Bram at 10:30 is refused (an hour between
    visits) and the crew picker counts it: the duty rules see every visit of the crew (migration
    0004), and Ada still reads nothing of Ignatius."""
    services, ada = sign_in("ada")
    monday = services.today() + dt.timedelta(days=7 - services.today().weekday())
    london = ZoneInfo("Europe/London")
    a_visit(
        owner,
        world.ignatius,
        (world.gus, world.bram),
        dt.datetime.combine(monday, dt.time(10), tzinfo=london),
    )
    choices = {c.username: c for c in services.visits.crew_choices(ada, world.horatio, monday)}
    assert choices["bram"].visits_that_day == 1
    assert same(
        services.visits.crew_choices(ada, world.horatio, monday),
        owner.visits.crew_choices(ada, world.horatio, monday),
    )
    edit = VisitEdit(
        date=dmy(monday),
        time="10:30",
        officer1="ada",
        officer2="bram",
        outside_window_reason="A synthetic test visit.",
    )
    with pytest.raises(ValidationFailed, match="another visit at 10:00"):
        services.visits.plan(ada, world.horatio, edit)
    week = services.visits.week(ada, "bram", monday)
    assert world.ignatius not in {v.offender_id for day in week.days for v in day.visits}
    with pytest.raises((PermissionRefused, NotFound)):
        services.records.open(ada, world.ignatius)


def test_a_households_ppns_escalate_whichever_team_manages_its_other_offenders(
    sign_in: SignIn, owner: Services, world: World
) -> None:
    """Two PPNs this month about Ignatius (Birch) at Zebedee's postcode; Ada raising a third
    about Zebedee (Alder) escalates the household to Cora, though Ada's role reads no PPN of
    Ignatius (migration 0004)."""
    now = owner.now()
    with owner.transaction() as session:
        for days in (3, 10):
            session.add(
                Ppn(
                    offender_id=world.ignatius,
                    grade=PpnGrade.AMBER,
                    concern="Fictional concern about a child at a shared address.",
                    concern_at=now - dt.timedelta(days=days),
                    raised_by_id=world.gus,
                    raised_at=now - dt.timedelta(days=days),
                    state=PpnState.DRAFT,
                    household_key="ZZ3 4QT",  # Zebedee's home
                )
            )
    services, ada = sign_in("ada")
    services.ppns.raise_(
        ada,
        world.zebedee,
        PpnEntry(
            "amber",
            "A synthetic concern for a test.",
            dmy(services.today()),
            "00:00",
            (SubjectEntry(name="Child Example-Test", relationship="neighbour's child"),),
        ),
    )
    with owner.transaction() as session:
        escalations = session.execute(
            text("SELECT owner_id, offender_id FROM task WHERE kind = 'ppn_escalation'")
        ).all()
    assert escalations == [(world.cora, world.zebedee)]
    assert all(p.offender_id != world.ignatius for p in services.ppns.list(ada, scope="team").items)
