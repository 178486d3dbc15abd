"""The caseload: one row per offender an officer can see, with every clock that matters.

Built from a handful of aggregate queries (latest approved ARMS, last completed visit, open task
counts, pending notifications, releases, the breaches (late PPNs among them), and for the
record-quality score the ARMS and plan in force with the plan's actions and the present risk
factors), each over the whole scope at once and joined here by offender id: never one query per
offender, so the force view of a few thousand offenders loads in a fraction of a second.

`quality_facts` is the one place a record's facts become `desktop.rules.quality.RecordFacts`, so
the caseload's score and the record's findings always agree.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, false, func, select, type_coerce
from sqlalchemy.orm import Session

from db.enums import (
    ActionStatus,
    ApprovalState,
    AssessmentKind,
    FactorKind,
    NotificationKind,
    NotificationState,
    OffenderStatus,
    Role,
    TaskState,
)
from db.models import (
    Address,
    Alias,
    Notification,
    Offender,
    Officer,
    PlanAction,
    RiskAssessment,
    RiskFactor,
    RiskManagementPlan,
    Task,
)
from desktop.rules import cadence
from desktop.rules.breaches import PPN_FOLLOW_UP_OVERDUE, PPN_NOT_SUBMITTED, Breach
from desktop.rules.plan_gaps import ActionFacts, FactorFacts, Gap, plan_gaps
from desktop.rules.quality import (
    ArmsFacts,
    PlanFacts,
    RecordFacts,
    quality_findings,
)
from desktop.services.actor import Actor
from desktop.services.due import breaches_for
from desktop.services.errors import PermissionRefused
from desktop.services.policy import policy_int
from desktop.services.visit_facts import newest_first, visit_flags

if TYPE_CHECKING:
    from desktop.services.core import Services

LONDON = ZoneInfo("Europe/London")
SEPARATOR = "\x1f"  # joins codes in one aggregated column; never part of a code

# The statements below name the tables' columns rather than the mapped classes' attributes: a
# statement without the ORM's attributes compiles without the ORM's layer, a few milliseconds less
# each on the caseload's first load after start-up (issue #10). The rows are the same.
_action = PlanAction.__table__.c
_address = Address.__table__.c
_alias = Alias.__table__.c
_assessment = RiskAssessment.__table__.c
_factor = RiskFactor.__table__.c
_notification = Notification.__table__.c
_offender = Offender.__table__.c
_officer = Officer.__table__.c
_plan = RiskManagementPlan.__table__.c
_task = Task.__table__.c


class Scope(StrEnum):
    MINE = "mine"
    TEAM = "team"
    FORCE = "force"

    @property
    def label(self) -> str:
        return {"mine": "My caseload", "team": "Team", "force": "Whole force"}[self.value]


_SCOPES_BY_ROLE: dict[str, list[Scope]] = {
    Role.OFFENDER_MANAGER.value: [Scope.MINE, Scope.TEAM],
    Role.SERGEANT.value: [Scope.TEAM],
    Role.TEAM_MANAGER.value: [Scope.TEAM, Scope.FORCE],
    Role.HUB_OFFICER.value: [Scope.FORCE],
    Role.ADMINISTRATOR.value: [],
}


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One offender as the caseload table shows them on the caseload's day: identity, risk, clocks
    and record-quality score, all worked out by the service so the table only sorts and filters
    (`search_key`) in Python."""

    offender_id: int
    reference: str
    name: str  # "Forename Surname"
    aliases: str  # "; "-joined, "" when none
    postcode: str  # current home postcode, "" when none (no fixed abode)
    risk_level: str | None  # RiskLevel value of the latest approved ARMS, None when none
    mappa_category: int
    mappa_level: int
    status: str  # OffenderStatus value
    manager: str  # manager's display name, "" when unallocated
    manager_id: int | None
    last_seen: dt.date | None  # date of the last completed visit
    next_visit_due: dt.date | None  # None when reactive management or not in the community
    visit_overdue: bool
    arms_review_due: dt.date | None
    arms_overdue: bool
    open_tasks: int
    breaches: int
    # The release date when the latest status change was a release: the newest release
    # notification (received or processed; not rejected) on or after status_since.
    released_on: dt.date | None
    reactive_management: bool
    search_key: str  # lowercase reference, name, aliases, postcode with and without its space
    no_fixed_abode: bool = False
    surname: str = ""  # for sorting by surname
    quality_score: int = 100  # record-quality score, 0-100 (desktop.rules.quality)
    quality_findings: int = 0  # how many record-quality findings
    failed_attempts: int = 0  # no access / refused entry in a row since the last completed visit
    warrant_consideration: bool = False  # s96B: consider a warrant to enter for risk assessment


@dataclass(frozen=True)
class Caseload:
    """What `CaseloadService.load` returns: the offenders of one scope on the day `on`, sorted by
    name, and the caseload benchmark (policy) the screen compares a manager's count with."""

    scope: Scope
    rows: list[CaseloadRow]
    benchmark: int  # policy caseload_benchmark, default 50
    on: dt.date


class CaseloadService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def allowed_scopes(self, actor: Actor) -> list[Scope]:
        """OM: mine, team; sergeant: team; team manager: team, force; hub: force; admin: none."""
        return list(_SCOPES_BY_ROLE.get(actor.role, []))

    def default_scope(self, actor: Actor) -> Scope:
        scopes = self.allowed_scopes(actor)
        if not scopes:
            raise PermissionRefused(
                f"An {actor.role_label} has no caseload: offender records are not open to the "
                f"{actor.role_label} role."
                if actor.role == Role.ADMINISTRATOR.value
                else f"The {actor.role_label} role has no caseload."
            )
        return scopes[0]

    def load(self, actor: Actor, scope: Scope | str, *, on: dt.date | None = None) -> Caseload:
        """Every offender in `scope` with their clocks on `on` (default today), sorted by name."""
        wanted = self._check_scope(actor, scope)
        day = on or self._services.today()
        with self._services.transaction() as session:
            condition = _scope_condition(actor, wanted)
            rows = _build_rows(
                session, condition, day, self._services.now() if on is None else None
            )
            benchmark = policy_int(session, "caseload_benchmark")
        return Caseload(scope=wanted, rows=rows, benchmark=benchmark, on=day)

    def _check_scope(self, actor: Actor, scope: Scope | str) -> Scope:
        allowed = self.allowed_scopes(actor)
        try:
            wanted = Scope(scope)
        except ValueError:
            raise PermissionRefused(f"{scope!r} is not a caseload view.") from None
        if wanted not in allowed:
            if not allowed:
                self.default_scope(actor)  # raises the role's own message
            names = ", ".join(s.label.lower() for s in allowed)
            role = actor.role_label
            article = "An" if role[:1] in "aeiou" else "A"
            raise PermissionRefused(
                f"{article} {role} cannot see the {wanted.label.lower()} caseload; "
                f"the views open to you are: {names}."
            )
        return wanted


def _scope_condition(actor: Actor, scope: Scope) -> ColumnElement[bool] | None:
    if scope is Scope.MINE:
        return _offender.manager_id == actor.officer_id
    if scope is Scope.TEAM:
        return _offender.team_id == actor.team_id if actor.team_id is not None else false()
    return None


def _scoped(stmt: Any, offender_col: Any, condition: ColumnElement[bool] | None) -> Any:
    if condition is None:
        return stmt
    return stmt.join(Offender.__table__, _offender.id == offender_col).where(condition)


def _build_rows(
    session: Session,
    condition: ColumnElement[bool] | None,
    on: dt.date,
    now: dt.datetime | None,
) -> list[CaseloadRow]:
    review_months = policy_int(session, "arms_review_months")

    offender_stmt = select(
        _offender.id,
        _offender.reference,
        _offender.forename,
        _offender.surname,
        _offender.mappa_category,
        _offender.mappa_level,
        _offender.status,
        _offender.status_since,
        _offender.manager_id,
        _offender.reactive_management,
        _offender.no_fixed_abode,
        _officer.forename,
        _officer.surname,
    ).outerjoin(Officer.__table__, _officer.id == _offender.manager_id)
    if condition is not None:
        offender_stmt = offender_stmt.where(condition)
    offenders = session.execute(offender_stmt).all()
    if not offenders:
        return []

    aliases: dict[int, list[str]] = defaultdict(list)
    for offender_id, name in session.execute(
        _scoped(select(_alias.offender_id, _alias.name), _alias.offender_id, condition).order_by(
            _alias.id
        )
    ):
        aliases[offender_id].append(name)

    postcodes: dict[int, str] = {}
    for offender_id, postcode in session.execute(
        _scoped(select(_address.offender_id, _address.postcode), _address.offender_id, condition)
        .where(
            _address.kind == "home",
            _address.from_date <= on,
            (_address.to_date.is_(None)) | (_address.to_date >= on),
        )
        .order_by(_address.from_date, _address.id)
    ):
        postcodes[offender_id] = postcode  # the newest current home address wins

    latest = (
        _scoped(
            select(
                _assessment.id.label("id"),
                _assessment.offender_id.label("offender_id"),
                _assessment.level.label("level"),
                _assessment.assessed_on.label("assessed_on"),
                _assessment.next_review_on.label("next_review_on"),
                newest_first(_assessment),
            ),
            _assessment.offender_id,
            condition,
        )
        .where(
            _assessment.kind == AssessmentKind.ARMS,
            _assessment.state == ApprovalState.APPROVED,
        )
        .subquery()
    )
    arms: dict[int, tuple[str, dt.date, dt.date | None]] = {}
    arms_in_force: dict[int, int] = {}  # offender id -> id of the ARMS whose factors count
    for assessment_id, offender_id, level, assessed, review in session.execute(
        select(
            latest.c.id,
            latest.c.offender_id,
            latest.c.level,
            latest.c.assessed_on,
            latest.c.next_review_on,
        ).where(latest.c.rank == 1)
    ):
        arms[offender_id] = (level.value if hasattr(level, "value") else level, assessed, review)
        arms_in_force[offender_id] = assessment_id
    quality = _quality_inputs(session, condition, on, arms_in_force)

    # Last seen, the next visit due and the warrant flag come from the visit rules, so the
    # caseload always agrees with the scheduler and the record.
    levels = {offender_id: level for offender_id, (level, _on, _review) in arms.items()}
    visits = visit_flags(session, condition, on, levels)  # the ARMS levels read above

    open_tasks: dict[int, int] = dict(
        session.execute(  # type: ignore[arg-type]
            _scoped(select(_task.offender_id, func.count()), _task.offender_id, condition)
            .where(_task.state == TaskState.OPEN, _task.offender_id.is_not(None))
            .group_by(_task.offender_id)
        ).all()
    )

    pending: dict[int, int] = dict(  # notifications the hub has not processed by their due date
        session.execute(  # type: ignore[arg-type]
            _scoped(
                select(_notification.offender_id, func.count()),
                _notification.offender_id,
                condition,
            )
            .where(
                _notification.state == NotificationState.RECEIVED,
                _notification.due_on.is_not(None),
                _notification.due_on < on,
            )
            .group_by(_notification.offender_id)
        ).all()
    )
    # the breaches as the record and `pillars due` compute them (the late PPNs among them)
    breaches = breaches_for(session, condition, on, now)

    releases: dict[int, dt.date] = dict(
        session.execute(  # type: ignore[arg-type]
            _scoped(
                select(_notification.offender_id, func.max(_notification.event_on)),
                _notification.offender_id,
                condition,
            )
            .where(
                _notification.kind == NotificationKind.RELEASE,
                _notification.state != NotificationState.REJECTED,
                _notification.event_on <= on,
            )
            .group_by(_notification.offender_id)
        ).all()
    )

    community = OffenderStatus.COMMUNITY.value
    rows: list[CaseloadRow] = []
    for (
        offender_id,
        reference,
        forename,
        surname,
        mappa_category,
        mappa_level,
        status,
        status_since,
        manager_id,
        reactive,
        no_fixed_abode,
        manager_forename,
        manager_surname,
    ) in offenders:
        status_value = str(status)
        name = f"{forename} {surname}"
        alias_list = aliases.get(offender_id, [])
        postcode = postcodes.get(offender_id, "")
        risk = arms.get(offender_id)
        risk_level = risk[0] if risk else None
        flags = visits.get(offender_id)
        seen = flags.last_seen if flags is not None else None
        release = releases.get(offender_id)
        released_on = (
            release
            if release is not None
            and status_value == community
            and (status_since is None or release >= status_since)
            else None
        )
        due = flags.next_visit_due if flags is not None else None
        review_due = cadence.arms_review_due(
            risk[1] if risk else None, risk[2] if risk else None, review_months
        )
        joined_aliases = "; ".join(alias_list)
        unapproved = quality.open_arms.get(offender_id)
        late_submissions, late_follow_ups = late_ppn_counts(breaches.get(offender_id, ()))
        report = quality_findings(
            quality_facts(
                on,
                arms=(
                    ArmsFacts(risk[0], "approved", review_due)
                    if risk is not None
                    else ArmsFacts(unapproved[0], unapproved[1], unapproved[2])
                    if unapproved is not None
                    else None
                ),
                plan=quality.plans.get(offender_id),
                actions=quality.actions.get(quality.plans[offender_id][0], [])
                if offender_id in quality.plans
                else [],
                present_factors=quality.factors.get(offender_id, []),
                has_current_address=offender_id in postcodes,
                no_fixed_abode=bool(no_fixed_abode),
                last_nfa_notification_on=quality.last_nfa.get(offender_id),
                visit_next_due=due,
                unprocessed_notifications_past_due=pending.get(offender_id, 0),
                ppns_unsubmitted_past_24h=late_submissions,
                ppns_follow_up_overdue=late_follow_ups,
            )
        )
        rows.append(
            CaseloadRow(
                offender_id=offender_id,
                reference=reference,
                name=name,
                aliases=joined_aliases,
                postcode=postcode,
                risk_level=risk_level,
                mappa_category=mappa_category,
                mappa_level=mappa_level,
                status=status_value,
                manager=(
                    f"{manager_forename} {manager_surname}" if manager_forename is not None else ""
                ),
                manager_id=manager_id,
                last_seen=seen,
                next_visit_due=due,
                visit_overdue=flags.visit_overdue if flags is not None else False,
                arms_review_due=review_due,
                arms_overdue=cadence.arms_overdue(review_due, on, has_arms=risk is not None),
                open_tasks=open_tasks.get(offender_id, 0),
                breaches=len(breaches.get(offender_id, ())),
                released_on=released_on,
                reactive_management=bool(reactive),
                search_key=search_key(reference, name, alias_list, postcode),
                no_fixed_abode=bool(no_fixed_abode),
                surname=surname,
                quality_score=report.score,
                quality_findings=len(report.findings),
                failed_attempts=flags.failed_attempts if flags is not None else 0,
                warrant_consideration=(flags.warrant_consideration if flags is not None else False),
            )
        )
    rows.sort(key=lambda r: (r.surname.casefold(), r.name.casefold(), r.reference))
    return rows


# -- record quality -------------------------------------------------------------------------------

# (plan id, state, review date, has a contingency) of the plan in force
PlanRow = tuple[int, str, dt.date | None, bool]


def quality_facts(
    on: dt.date,
    *,
    arms: ArmsFacts | None,
    plan: PlanRow | None,
    actions: list[ActionFacts],
    present_factors: list[FactorFacts],
    has_current_address: bool,
    no_fixed_abode: bool,
    last_nfa_notification_on: dt.date | None,
    visit_next_due: dt.date | None,
    unprocessed_notifications_past_due: int,
    ppns_unsubmitted_past_24h: int,
    ppns_follow_up_overdue: int,
) -> RecordFacts:
    """One record's facts for the quality checks; the caseload and the record both call this."""
    plan_facts = None
    if plan is not None:
        _, state, review_on, has_contingency = plan
        gaps: list[Gap] = plan_gaps(
            actions, present_factors, "x" if has_contingency else "", review_on, on
        )
        plan_facts = PlanFacts(state == "approved", state, review_on, gaps)
    return RecordFacts(
        on=on,
        latest_arms=arms,
        current_plan=plan_facts,
        has_current_address=has_current_address,
        no_fixed_abode=no_fixed_abode,
        last_nfa_notification_on=last_nfa_notification_on,
        visit_next_due=visit_next_due,
        visit_overdue=cadence.is_overdue(visit_next_due, on),
        unprocessed_notifications_past_due=unprocessed_notifications_past_due,
        ppns_unsubmitted_past_24h=ppns_unsubmitted_past_24h,
        ppns_follow_up_overdue=ppns_follow_up_overdue,
    )


@dataclass
class _QualityInputs:
    """What the record-quality score needs beyond the caseload's own query, read once for the whole
    scope by `_quality_inputs` and keyed by offender or plan id."""

    open_arms: dict[int, tuple[str, str, dt.date | None]]  # no approved ARMS: the newest other
    plans: dict[int, PlanRow]  # offender id -> the plan in force
    actions: dict[int, list[ActionFacts]]  # plan id -> what its actions cover (see below)
    factors: dict[int, list[FactorFacts]]  # offender id -> present risk factors
    last_nfa: dict[int, dt.date]


def _text(column: Any) -> Any:
    """A column read as its stored string, skipping the enum conversion (faster for many rows)."""
    return type_coerce(column, String)


def _quality_inputs(
    session: Session,
    condition: ColumnElement[bool] | None,
    on: dt.date,
    arms_in_force: dict[int, int],
) -> _QualityInputs:
    """The few extra aggregate queries the record-quality score needs, over the whole scope.

    The plan's actions are read already summed up per plan (which pillars have an action that
    counts, which present factors such actions answer) and handed to `plan_gaps` as one stand-in
    action each: the gaps the score depends on come out the same as from the full list, at a
    fraction of the rows. Overdue actions are not a record-quality check, so they are not read."""
    conn = session.connection()
    open_arms: dict[int, tuple[str, str, dt.date | None]] = {}
    chosen_arms = dict(arms_in_force)
    for assessment_id, offender_id, level, state, review in conn.execute(
        _scoped(
            select(
                _assessment.id,
                _assessment.offender_id,
                _text(_assessment.level),
                _text(_assessment.state),
                _assessment.next_review_on,
            ),
            _assessment.offender_id,
            condition,
        )
        .where(
            _assessment.kind == AssessmentKind.ARMS,
            _assessment.state.in_(
                [ApprovalState.DRAFT, ApprovalState.SUBMITTED, ApprovalState.RETURNED]
            ),
        )
        .order_by(_assessment.assessed_on, _assessment.id)
    ):
        if offender_id not in arms_in_force:  # the newest wins
            open_arms[offender_id] = (level, state, review)
            chosen_arms[offender_id] = assessment_id

    offender_of = {assessment_id: offender_id for offender_id, assessment_id in chosen_arms.items()}
    factors: dict[int, list[FactorFacts]] = defaultdict(list)
    for ids in _chunks(sorted(offender_of)):
        for assessment_id, codes in conn.execute(
            select(_factor.assessment_id, func.aggregate_strings(_factor.code, SEPARATOR))
            .where(
                _factor.assessment_id.in_(ids),
                _factor.present.is_(True),
                _factor.kind == FactorKind.RISK,
            )
            .group_by(_factor.assessment_id)
        ):
            factors[offender_of[assessment_id]] = [
                FactorFacts(code, code) for code in dict.fromkeys(codes.split(SEPARATOR))
            ]

    # the plan in force: the newest approved version, else the newest being worked on
    has_contingency = func.length(func.trim(_plan.contingency)) > 0
    plans: dict[int, PlanRow] = {}
    for plan_id, offender_id, state, review_on, contingency in conn.execute(
        _scoped(
            select(
                _plan.id,
                _plan.offender_id,
                _text(_plan.state),
                _plan.review_on,
                has_contingency,
            ),
            _plan.offender_id,
            condition,
        )
        .where(_plan.state != ApprovalState.SUPERSEDED)
        .order_by(_plan.plan_number)
    ):
        held = plans.get(offender_id)
        if held is None or state == "approved" or held[1] != "approved":
            plans[offender_id] = (plan_id, state, review_on, bool(contingency))

    # per plan, the pillars of its actions that count and the factors they answer, each as one
    # joined string (group_concat / string_agg): one short row per plan
    in_force = {row[0] for row in plans.values()}
    actions: dict[int, list[ActionFacts]] = {}
    for plan_id, pillars, answered in conn.execute(
        _scoped(
            select(
                _action.plan_id,
                func.aggregate_strings(_text(_action.pillar), SEPARATOR),
                func.aggregate_strings(_action.answers_factor, SEPARATOR),
            ).join(RiskManagementPlan.__table__, _plan.id == _action.plan_id),
            _plan.offender_id,
            condition,
        )
        .where(
            _plan.state != ApprovalState.SUPERSEDED,
            _action.status != ActionStatus.CANCELLED,
            _action.description != "",  # saved descriptions are trimmed and required
        )
        .group_by(_action.plan_id)
    ):
        if plan_id in in_force:
            actions[plan_id] = [
                ActionFacts(pillar, "x", None, "in_progress", None)
                for pillar in set((pillars or "").split(SEPARATOR))
            ] + [
                ActionFacts("supervision", "x", None, "in_progress", code)
                for code in set((answered or "").split(SEPARATOR)) - {""}
            ]

    last_nfa: dict[int, dt.date] = dict(
        session.execute(  # type: ignore[arg-type]
            _scoped(
                select(_notification.offender_id, func.max(_notification.event_on)),
                _notification.offender_id,
                condition,
            )
            .where(
                _notification.kind == NotificationKind.NO_FIXED_ABODE,
                _notification.state != NotificationState.REJECTED,
                _notification.event_on <= on,
            )
            .group_by(_notification.offender_id)
        ).all()
    )
    return _QualityInputs(open_arms, plans, actions, factors, last_nfa)


def _chunks(ids: list[int], size: int = 5000) -> list[list[int]]:
    """`ids` in slices small enough for any database's limit on bound parameters."""
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def late_ppn_counts(breaches: Iterable[Breach]) -> tuple[int, int]:
    """(not submitted in time, follow-up overdue): the record-quality check "PPNs submitted and
    followed up" counted from the breaches, so the quality score, the breach column, the record
    and `pillars due` share one rule (`desktop.rules.breaches.ppn_clocks`)."""
    rules = [b.rule for b in breaches]
    return rules.count(PPN_NOT_SUBMITTED), rules.count(PPN_FOLLOW_UP_OVERDUE)


def search_key(reference: str, name: str, aliases: list[str], postcode: str) -> str:
    """What a filter box matches against: reference, name, aliases, and the postcode both as
    written ("zz3 4qt") and without its space ("zz34qt")."""
    parts = [reference, name, *aliases]
    if postcode:
        parts += [postcode, postcode.replace(" ", "")]
    return " ".join(parts).lower()


def london_date(at: dt.datetime) -> dt.date:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(LONDON).date()
