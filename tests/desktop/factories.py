"""A small synthetic world for tests: two teams, their officers, a handful of offenders with
assessments, visits, tasks, notifications and PPNs. Every name is made up and obviously fictional.

    world = populate(db_url)                       # builds it in a migrated database, returns ids
    services = Services(db_url, clock=world_clock)
    actor = services.auth.sign_in("ada", PASSWORD)

Everything is dated relative to `WORLD_TODAY` (12/06/2024), and the clock `world_clock` returns
10:00 UTC that day, so flags such as "visit overdue" are fixed facts the tests can rely on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from sqlalchemy.orm import Session

from db.engine import make_engine, session_factory
from db.enums import (
    TASK_GROUP,
    ApprovalState,
    AssessmentKind,
    FactorKind,
    NotificationKind,
    NotificationState,
    OffenderStatus,
    Pillar,
    PpnGrade,
    PpnState,
    RiskLevel,
    Role,
    SentenceKind,
    TaskKind,
    TaskState,
    VisitOutcome,
)
from db.models import (
    Address,
    Alias,
    Conviction,
    HouseholdMember,
    Notification,
    Offender,
    Officer,
    PlanAction,
    Ppn,
    RiskAssessment,
    RiskFactor,
    RiskManagementPlan,
    Task,
    Team,
    Visit,
)
from desktop.rules.policy_defaults import ARMS_PROTECTIVE_FACTORS, ARMS_RISK_FACTORS
from desktop.services.passwords import hash_password

PASSWORD = "pillars-demo"
WORLD_TODAY = dt.date(2024, 6, 12)
WORLD_NOW = dt.datetime(2024, 6, 12, 10, 0, tzinfo=dt.UTC)

_password_hash: str | None = None


def world_clock() -> dt.datetime:
    return WORLD_NOW


def password_hash() -> str:
    """One scrypt hash of PASSWORD for every synthetic officer (hashing is slow on purpose)."""
    global _password_hash
    if _password_hash is None:
        _password_hash = hash_password(PASSWORD)
    return _password_hash


@dataclass
class World:
    """Ids of everything built, by name. Officers' usernames equal their attribute names."""

    today: dt.date
    now: dt.datetime
    # teams
    alder: int = 0
    birch: int = 0
    # Alder team officers
    ada: int = 0  # offender manager: manages zebedee, quentin, horatio
    bram: int = 0  # offender manager: manages percival, barnaby
    cora: int = 0  # sergeant, Ada's and Bram's supervisor
    dorian: int = 0  # team manager
    # Birch team officers
    gus: int = 0  # offender manager: manages cuthbert, ignatius
    hattie: int = 0  # sergeant
    # no team
    elsie: int = 0  # hub officer
    fenn: int = 0  # administrator
    # offenders (Alder team unless said otherwise)
    zebedee: int = 0  # high risk, seen 2 months ago, household with a child, 30 months' custody
    quentin: int = 0  # low risk, reactive management, caution
    horatio: int = 0  # very high risk, seen 3 months ago (overdue), ARMS overdue, draft PPN, tasks
    percival: int = 0  # medium risk, Bram's
    barnaby: int = 0  # Bram's, in custody, release date passed: "release not recorded"
    mortimer: int = 0  # unallocated, no fixed abode, never assessed, never seen
    cuthbert: int = 0  # Birch, released 10 days ago (processed release notification)
    ignatius: int = 0  # Birch, an unprocessed notification past its deadline
    references: dict[str, str] = field(default_factory=dict)  # offender attribute -> reference
    display_names: dict[str, str] = field(default_factory=dict)  # officer attribute -> name

    @property
    def alder_offenders(self) -> list[int]:
        return [
            self.zebedee,
            self.quentin,
            self.horatio,
            self.percival,
            self.barnaby,
            self.mortimer,
        ]

    @property
    def birch_offenders(self) -> list[int]:
        return [self.cuthbert, self.ignatius]


def populate(db_url: str, *, today: dt.date = WORLD_TODAY) -> World:
    """Build the world in the (migrated, empty) database at `db_url` and commit it."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            return build_world(session, today=today)
    finally:
        engine.dispose()


def build_world(session: Session, *, today: dt.date = WORLD_TODAY) -> World:
    """Add the world to `session` (flushed, not committed) and return its ids."""
    now = dt.datetime.combine(today, dt.time(10, 0), tzinfo=dt.UTC)
    w = World(today=today, now=now)

    alder = Team(name="Alder", area="Northvale (fictional)")
    birch = Team(name="Birch", area="Southmere (fictional)")
    session.add_all([alder, birch])
    session.flush()
    w.alder, w.birch = alder.id, birch.id

    def officer(attr: str, forename: str, surname: str, role: Role, team: Team | None) -> Officer:
        o = Officer(
            username=attr,
            forename=forename,
            surname=surname,
            collar_number=f"ZZ{len(w.display_names) + 101}",
            role=role,
            team_id=team.id if team else None,
            password_hash=password_hash(),
        )
        session.add(o)
        session.flush()
        setattr(w, attr, o.id)
        w.display_names[attr] = o.display_name
        return o

    cora = officer("cora", "Cora", "Pennywhistle", Role.SERGEANT, alder)
    ada = officer("ada", "Ada", "Quillfeather", Role.OFFENDER_MANAGER, alder)
    bram = officer("bram", "Bramwell", "Tiddlecombe", Role.OFFENDER_MANAGER, alder)
    officer("dorian", "Dorian", "Mothersole", Role.TEAM_MANAGER, alder)
    hattie = officer("hattie", "Hattie", "Bumblesworth", Role.SERGEANT, birch)
    gus = officer("gus", "Gulliver", "Snodgrass", Role.OFFENDER_MANAGER, birch)
    elsie = officer("elsie", "Elspeth", "Hobnail", Role.HUB_OFFICER, None)
    officer("fenn", "Fennimore", "Cogwheel", Role.ADMINISTRATOR, None)
    ada.supervisor_id = cora.id
    bram.supervisor_id = cora.id
    gus.supervisor_id = hattie.id

    def offender(
        attr: str,
        reference: str,
        forename: str,
        surname: str,
        born: dt.date,
        team: Team,
        manager: Officer | None,
        **extra: object,
    ) -> Offender:
        o = Offender(
            reference=reference,
            forename=forename,
            surname=surname,
            date_of_birth=born,
            gender=str(extra.pop("gender", "male")),
            team_id=team.id,
            manager_id=manager.id if manager else None,
            registration_start=extra.pop("registration_start", today - relativedelta(years=4)),
            next_periodic_due=extra.pop("next_periodic_due", today + relativedelta(months=5)),
            status_since=extra.pop("status_since", today - relativedelta(years=4)),
            **extra,
        )
        session.add(o)
        session.flush()
        setattr(w, attr, o.id)
        w.references[attr] = reference
        return o

    def home(
        o: Offender, line1: str, postcode: str, since: dt.date, until: dt.date | None = None
    ) -> None:
        session.add(
            Address(
                offender_id=o.id,
                kind="home",
                line1=line1,
                town="Northvale",
                postcode=postcode,
                from_date=since,
                to_date=until,
            )
        )

    def arms(
        o: Offender,
        level: RiskLevel,
        on: dt.date,
        assessor: Officer,
        *,
        state: ApprovalState = ApprovalState.APPROVED,
        review: dt.date | None = None,
        present: tuple[str, ...] = (),
    ) -> RiskAssessment:
        a = RiskAssessment(
            offender_id=o.id,
            kind=AssessmentKind.ARMS,
            assessed_on=on,
            assessor_id=assessor.id,
            level=level,
            next_review_on=review or on + relativedelta(months=12),
            state=state,
            decided_by_id=cora.id if state == ApprovalState.APPROVED else None,
            decided_at=now - dt.timedelta(days=1) if state == ApprovalState.APPROVED else None,
        )
        for i, (code, label) in enumerate(ARMS_RISK_FACTORS):
            a.factors.append(
                RiskFactor(
                    kind=FactorKind.RISK,
                    code=code,
                    label=label,
                    present=code in present,
                    evidence="Seen at the fictional day centre." if code in present else "",
                    position=i,
                )
            )
        for i, (code, label) in enumerate(ARMS_PROTECTIVE_FACTORS):
            a.factors.append(
                RiskFactor(
                    kind=FactorKind.PROTECTIVE,
                    code=code,
                    label=label,
                    present=False,
                    position=len(ARMS_RISK_FACTORS) + i,
                )
            )
        session.add(a)
        return a

    def visit(
        o: Offender,
        on: dt.date,
        crew: tuple[Officer, Officer],
        *,
        outcome: VisitOutcome = VisitOutcome.COMPLETED,
        children: bool | None = False,
    ) -> Visit:
        at = dt.datetime.combine(on, dt.time(18, 30), tzinfo=dt.UTC)
        v = Visit(
            offender_id=o.id,
            planned_at=at,
            officer1_id=crew[0].id,
            officer2_id=crew[1].id,
            outcome=outcome,
            occurred_at=at if outcome != VisitOutcome.PLANNED else None,
            children_present=children if outcome == VisitOutcome.COMPLETED else None,
            record_state=(
                ApprovalState.APPROVED if outcome == VisitOutcome.COMPLETED else ApprovalState.DRAFT
            ),
            notes="Home tidy; fictional visit record.",
        )
        session.add(v)
        return v

    def task(o: Offender, kind: TaskKind, owner: Officer | None, due: dt.date, title: str) -> None:
        session.add(
            Task(
                kind=kind,
                group=TASK_GROUP[kind],
                offender_id=o.id,
                owner_id=owner.id if owner else None,
                team_id=o.team_id,
                title=title,
                due_on=due,
                created_at=now - dt.timedelta(days=3),
                state=TaskState.OPEN,
            )
        )

    # -- Alder team ----------------------------------------------------------------------------
    zeb = offender(
        "zebedee",
        "ZZ/2019/004512",
        "Zebedee",
        "Plimsoll",
        dt.date(1980, 3, 14),
        alder,
        ada,
        mappa_category=1,
        mappa_level=2,
        notification_indefinite=True,
        notes="Works nights at a fictional biscuit factory.",
    )
    session.add_all(
        [
            Alias(offender_id=zeb.id, name="Zeb Plimsoll"),
            Alias(offender_id=zeb.id, name="Zebedee Plimsole"),
        ]
    )
    home(
        zeb,
        "1 Custard Row",
        "ZZ1 1AA",
        today - relativedelta(years=3),
        today - relativedelta(years=1),
    )
    home(zeb, "7 Marmalade Lane", "ZZ3 4QT", today - relativedelta(years=1) + dt.timedelta(days=1))
    session.add(
        HouseholdMember(
            offender_id=zeb.id,
            name="Tabitha Plimsoll",
            relationship_to_offender="partner",
            date_of_birth=dt.date(1984, 7, 2),
            from_date=today - relativedelta(years=1),
        )
    )
    session.add(
        HouseholdMember(
            offender_id=zeb.id,
            name="Pip Plimsoll",
            relationship_to_offender="partner's child",
            date_of_birth=today - relativedelta(years=9),
            from_date=today - relativedelta(years=1),
        )
    )
    session.add(
        Conviction(
            offender_id=zeb.id,
            offence="Fictional offence under s.99 Imaginary Act",
            court="Northvale Crown Court",
            convicted_on=today - relativedelta(years=4, months=3),
            sentenced_on=today - relativedelta(years=4, months=2),
            sentence_kind=SentenceKind.CUSTODY,
            sentence_months=30,
        )
    )
    arms(zeb, RiskLevel.MEDIUM, today - relativedelta(years=2), ada, state=ApprovalState.SUPERSEDED)
    zeb_arms = arms(
        zeb,
        RiskLevel.HIGH,
        today - relativedelta(months=6),
        ada,
        present=("sexual_preoccupation", "access_to_potential_victims"),
    )
    session.flush()
    plan = RiskManagementPlan(
        offender_id=zeb.id,
        plan_number=1,
        state=ApprovalState.APPROVED,
        author_id=ada.id,
        based_on_assessment_id=zeb_arms.id,
        contingency="Call the duty sergeant; fictional.",
        licence_conditions="No unsupervised contact with children (fictional order).",
        review_on=today + relativedelta(months=6),
        decided_by_id=cora.id,
        decided_at=now - relativedelta(months=5),
        submitted_at=now - relativedelta(months=5, days=2),
    )
    for i, (pillar, text, factor) in enumerate(
        [
            (Pillar.SUPERVISION, "Monthly office appointment", None),
            (Pillar.MONITORING_CONTROL, "Unannounced home visits", "access_to_potential_victims"),
            (
                Pillar.INTERVENTIONS_TREATMENT,
                "Attend the fictional programme",
                "sexual_preoccupation",
            ),
            (Pillar.VICTIM_SAFETY, "Check school contact with the partner", None),
        ]
    ):
        plan.actions.append(
            PlanAction(
                pillar=pillar,
                description=text,
                owner_id=ada.id,
                position=i,
                due_on=today + relativedelta(months=1),
                answers_factor=factor,
            )
        )
    session.add(plan)
    visit(zeb, today - relativedelta(months=2), (ada, bram), children=True)
    visit(zeb, today - relativedelta(months=5), (ada, cora))
    visit(zeb, today + dt.timedelta(days=10), (ada, bram), outcome=VisitOutcome.PLANNED)

    quentin = offender(
        "quentin",
        "ZZ/2020/000731",
        "Quentin",
        "Marmalade",
        dt.date(1966, 11, 30),
        alder,
        ada,
        reactive_management=True,
        notification_end=today + relativedelta(years=1),
    )
    home(quentin, "22 Teacake Terrace", "ZZ2 9XY", today - relativedelta(years=5))
    session.add(
        Conviction(
            offender_id=quentin.id,
            offence="Fictional offence under s.12 Pretend Act",
            court="Southmere Magistrates' Court",
            convicted_on=today - relativedelta(years=1),
            sentence_kind=SentenceKind.CAUTION,
        )
    )
    arms(quentin, RiskLevel.LOW, today - relativedelta(months=3), ada)
    visit(quentin, today - relativedelta(years=2), (ada, bram))

    horatio = offender(
        "horatio",
        "ZZ/2018/002209",
        "Horatio",
        "Fiddlesticks",
        dt.date(1991, 1, 5),
        alder,
        ada,
        mappa_category=1,
        mappa_level=3,
        notification_indefinite=True,
    )
    home(horatio, "3 Crumpet Close", "ZZ9 9ZZ", today - relativedelta(years=2))
    arms(
        horatio,
        RiskLevel.VERY_HIGH,
        today - relativedelta(months=13),
        ada,
        review=today - relativedelta(months=1),
        present=("hostile_orientation",),
    )
    visit(horatio, today - relativedelta(months=3), (ada, bram))
    visit(horatio, today - relativedelta(months=2), (ada, bram), outcome=VisitOutcome.NO_ACCESS)
    task(
        horatio,
        TaskKind.VISIT_APPROVAL,
        cora,
        today - dt.timedelta(days=2),
        "Approve visit record: Horatio Fiddlesticks",
    )
    task(
        horatio,
        TaskKind.PPN_FOLLOW_UP,
        ada,
        today + dt.timedelta(days=4),
        "Follow up PPN with children's social care",
    )
    session.add(
        Ppn(
            offender_id=horatio.id,
            grade=PpnGrade.AMBER,
            concern="Fictional concern about a child visitor.",
            concern_at=now - dt.timedelta(hours=30),
            raised_by_id=ada.id,
            raised_at=now - dt.timedelta(hours=30),
            state=PpnState.DRAFT,
            household_key="ZZ9 9ZZ",
        )
    )

    percival = offender(
        "percival",
        "ZZ/2021/010010",
        "Percival",
        "Gumboot",
        dt.date(1975, 8, 21),
        alder,
        bram,
    )
    home(percival, "14 Jelly Street", "ZZ4 2AB", today - relativedelta(years=3))
    arms(percival, RiskLevel.MEDIUM, today - relativedelta(months=2), bram)
    visit(percival, today - relativedelta(months=1), (bram, ada))

    barnaby = offender(
        "barnaby",
        "ZZ/2017/000042",
        "Barnaby",
        "Custard",
        dt.date(1988, 2, 29),
        alder,
        bram,
        status=OffenderStatus.CUSTODY,
        status_since=today - relativedelta(years=1),
        expected_release_on=today - dt.timedelta(days=5),
    )
    arms(barnaby, RiskLevel.HIGH, today - relativedelta(months=4), bram)

    offender(
        "mortimer",
        "ZZ/2024/000001",
        "Mortimer",
        "Wobblebottom",
        dt.date(1999, 12, 1),
        alder,
        None,
        no_fixed_abode=True,
        registration_start=today - relativedelta(months=1),
        status_since=today - relativedelta(months=1),
    )

    # -- Birch team ----------------------------------------------------------------------------
    cuthbert = offender(
        "cuthbert",
        "ZZ/2016/003300",
        "Cuthbert",
        "Pumpernickel",
        dt.date(1970, 5, 17),
        birch,
        gus,
        status_since=today - dt.timedelta(days=10),
    )
    home(cuthbert, "9 Scone Square", "ZZ5 5CC", today - dt.timedelta(days=10))
    arms(cuthbert, RiskLevel.MEDIUM, today - relativedelta(months=8), gus)
    session.add(
        Notification(
            offender_id=cuthbert.id,
            kind=NotificationKind.RELEASE,
            event_on=today - dt.timedelta(days=10),
            notified_on=today - dt.timedelta(days=9),
            due_on=today - dt.timedelta(days=7),
            state=NotificationState.PROCESSED,
            received_by_id=elsie.id,
            processed_by_id=elsie.id,
            processed_at=now - dt.timedelta(days=8),
        )
    )

    ignatius = offender(
        "ignatius",
        "ZZ/2022/007777",
        "Ignatius",
        "Crumble",
        dt.date(1983, 10, 9),
        birch,
        gus,
    )
    home(ignatius, "5 Trifle Walk", "ZZ6 1DD", today - relativedelta(years=2))
    arms(ignatius, RiskLevel.LOW, today - relativedelta(months=5), gus)
    visit(ignatius, today - relativedelta(months=4), (gus, hattie))
    session.add(
        Notification(
            offender_id=ignatius.id,
            kind=NotificationKind.CHANGE_OF_ADDRESS,
            event_on=today - dt.timedelta(days=9),
            notified_on=today - dt.timedelta(days=8),
            due_on=today - dt.timedelta(days=6),
            state=NotificationState.RECEIVED,
            received_by_id=elsie.id,
            details={"postcode": "ZZ6 2EE"},
        )
    )
    task(
        ignatius,
        TaskKind.HUB_NOTIFICATION,
        None,
        today - dt.timedelta(days=6),
        "Process change of address: Ignatius Crumble",
    )

    session.flush()
    return w


def add_bulk_offenders(session: Session, world: World, count: int, *, seed: int = 0) -> list[int]:
    """`count` more offenders spread over both teams and their managers, each with two ARMS, a
    few visits, an address, an alias and sometimes a task: enough to time the caseload at the
    force's size (2,346). Deterministic for a seed. Returns the new offender ids."""
    import random

    rng = random.Random(seed)
    today = world.today
    managers = [(world.alder, world.ada), (world.alder, world.bram), (world.birch, world.gus)]
    levels = list(RiskLevel)
    offenders = []
    for i in range(count):
        team_id, manager_id = managers[i % len(managers)]
        offenders.append(
            Offender(
                reference=f"ZZ/2099/{i:06d}",
                forename=f"Testperson{i}",
                surname=f"Bulkington{rng.randrange(1000):03d}",
                date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(15000)),
                team_id=team_id,
                manager_id=manager_id,
                registration_start=today - dt.timedelta(days=rng.randrange(200, 4000)),
                next_periodic_due=today + dt.timedelta(days=rng.randrange(-20, 360)),
                reactive_management=rng.random() < 0.05,
            )
        )
    session.add_all(offenders)
    session.flush()
    crew = (world.ada, world.bram)
    for o in offenders:
        session.add(Alias(offender_id=o.id, name=f"Alias {o.forename}"))
        session.add(
            Address(
                offender_id=o.id,
                kind="home",
                line1=f"{o.id} Bulk Street",
                town="Northvale",
                postcode=f"ZZ{o.id % 90 + 1} {o.id % 9 + 1}AB",
                from_date=o.registration_start,
            )
        )
        for years_ago, state in ((2, ApprovalState.SUPERSEDED), (0, ApprovalState.APPROVED)):
            session.add(
                RiskAssessment(
                    offender_id=o.id,
                    kind=AssessmentKind.ARMS,
                    assessed_on=today - relativedelta(years=years_ago, days=rng.randrange(300)),
                    level=rng.choice(levels),
                    state=state,
                )
            )
        for _ in range(rng.randrange(0, 6)):
            at = dt.datetime.combine(
                today - dt.timedelta(days=rng.randrange(1, 700)), dt.time(19), tzinfo=dt.UTC
            )
            session.add(
                Visit(
                    offender_id=o.id,
                    planned_at=at,
                    occurred_at=at,
                    officer1_id=crew[0],
                    officer2_id=crew[1],
                    outcome=VisitOutcome.COMPLETED,
                    record_state=ApprovalState.APPROVED,
                )
            )
        if rng.random() < 0.3:
            session.add(
                Task(
                    kind=TaskKind.VISIT_APPROVAL,
                    group=TASK_GROUP[TaskKind.VISIT_APPROVAL],
                    offender_id=o.id,
                    owner_id=world.cora,
                    team_id=o.team_id,
                    title="Approve visit record",
                    due_on=today + dt.timedelta(days=3),
                )
            )
    session.flush()
    return [o.id for o in offenders]


@dataclass
class PendingWork:
    """Ids of the work `add_pending_approvals` submitted, each with its open approval task."""

    arms: int = 0  # Zebedee's new ARMS, submitted by Ada
    arms_task: int = 0
    plan: int = 0  # Zebedee's plan version 2, submitted by Ada
    plan_task: int = 0
    visit: int = 0  # Percival's visit record, crewed by Bram and Ada, submitted by Bram
    visit_task: int = 0


def add_pending_approvals(db_url: str, world: World) -> PendingWork:
    """Work waiting for Cora's decision, as the services leave it after a submission: a
    submitted ARMS and plan version for Zebedee and a submitted visit record for Percival, each
    with an open approval task owned by Cora. Commits; returns the ids."""
    engine = make_engine(db_url)
    try:
        with session_factory(engine)() as session, session.begin():
            return _pending_work(session, world)
    finally:
        engine.dispose()


def _pending_work(session: Session, w: World) -> PendingWork:
    now, today = w.now, w.today
    pending = PendingWork()

    def task(kind: TaskKind, offender: str, subject_type: str, subject_id: int, by: int) -> int:
        what = {"assessment_approval": "ARMS", "plan_approval": "risk management plan v2"}
        offender_id = getattr(w, offender)
        t = Task(
            kind=kind,
            group=TASK_GROUP[kind],
            offender_id=offender_id,
            owner_id=w.cora,
            team_id=w.alder,
            subject_type=subject_type,
            subject_id=subject_id,
            title=f"Approve {what.get(kind.value, 'visit record')} for {w.references[offender]}",
            created_by_id=by,
            created_at=now - dt.timedelta(hours=2),
            due_on=today + dt.timedelta(days=7),
            state=TaskState.OPEN,
        )
        session.add(t)
        session.flush()
        return t.id

    arms = RiskAssessment(
        offender_id=w.zebedee,
        kind=AssessmentKind.ARMS,
        assessed_on=today,
        assessor_id=w.ada,
        level=RiskLevel.VERY_HIGH,
        next_review_on=today + relativedelta(months=6),
        state=ApprovalState.SUBMITTED,
        submitted_at=now - dt.timedelta(hours=2),
        summary="Fictional reassessment after a new relationship.",
    )
    for i, (code, label) in enumerate(ARMS_RISK_FACTORS + ARMS_PROTECTIVE_FACTORS):
        present = code in ("sexual_preoccupation", "access_to_potential_victims")
        arms.factors.append(
            RiskFactor(
                kind=FactorKind.RISK if i < len(ARMS_RISK_FACTORS) else FactorKind.PROTECTIVE,
                code=code,
                label=label,
                present=present,
                evidence="Fictional evidence from a visit." if present else "",
                position=i,
            )
        )
    session.add(arms)
    session.flush()
    pending.arms = arms.id
    pending.arms_task = task(
        TaskKind.ASSESSMENT_APPROVAL, "zebedee", "risk_assessment", arms.id, w.ada
    )

    plan = RiskManagementPlan(
        offender_id=w.zebedee,
        plan_number=2,
        state=ApprovalState.SUBMITTED,
        author_id=w.ada,
        contingency="Call the duty sergeant; recall if whereabouts unknown (fictional).",
        licence_conditions="No unsupervised contact with children (fictional order).",
        review_on=today + relativedelta(months=6),
        submitted_at=now - dt.timedelta(hours=2),
    )
    for i, (pillar, text, factor) in enumerate(
        [
            (Pillar.SUPERVISION, "Fortnightly office appointment", None),
            (Pillar.MONITORING_CONTROL, "Unannounced home visits", "access_to_potential_victims"),
            (
                Pillar.INTERVENTIONS_TREATMENT,
                "Attend the fictional programme",
                "sexual_preoccupation",
            ),
            (Pillar.VICTIM_SAFETY, "Check school contact with the partner", None),
        ]
    ):
        plan.actions.append(
            PlanAction(
                pillar=pillar,
                description=text,
                owner_id=w.ada,
                position=i,
                due_on=today + relativedelta(months=1),
                answers_factor=factor,
            )
        )
    session.add(plan)
    session.flush()
    pending.plan = plan.id
    pending.plan_task = task(
        TaskKind.PLAN_APPROVAL, "zebedee", "risk_management_plan", plan.id, w.ada
    )

    at = now - dt.timedelta(days=1)
    visit = Visit(
        offender_id=w.percival,
        planned_at=at,
        occurred_at=at,
        officer1_id=w.bram,
        officer2_id=w.ada,
        outcome=VisitOutcome.COMPLETED,
        children_present=False,
        record_state=ApprovalState.SUBMITTED,
        submitted_at=now - dt.timedelta(hours=20),
        notes="Fictional visit record waiting for approval.",
    )
    session.add(visit)
    session.flush()
    pending.visit = visit.id
    pending.visit_task = task(TaskKind.VISIT_APPROVAL, "percival", "visit", visit.id, w.bram)
    return pending
