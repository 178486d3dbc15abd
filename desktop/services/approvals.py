"""Approvals: a sergeant approves or returns an ARMS assessment, a plan or a visit record.

Submitting work (`create_approval_task`) raises a Task for the offender manager's sergeant: the
manager's `supervisor_id`; if they have none, a sergeant of the offender's team; if the team has
none, its team manager. It is due `approval_due_working_days` (policy, 5) working days later,
bank holidays skipped.

Deciding (`ApprovalService.approve` / `return_`) happens in one place, `_decide`, which the inbox
issue extends with cover. The rules, in the order they are checked (`may_decide`):

1. four eyes: nobody decides their own work — the assessor of an assessment, the author of a
   plan, an officer on the crew of a visit, or whoever submitted it;
2. only a sergeant or a team manager decides;
3. of the offender's team (a covering officer's authority comes from the officer they cover,
   which the inbox issue supplies as `covering_for`);
4. the task must still be open: otherwise "already approved by X on dd/mm/yyyy".

Two deciders at once: the task row carries a version, so the second UPDATE matches no row
(SQLAlchemy raises StaleDataError); the loser is told who decided and nothing of theirs is kept.

The helpers at the top (`raise_if_invalid`, `stamp`, `officer_name`, `conflict_after_race`) are
shared by the other services that edit approvable work (assessments, plans).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from db.base import Approvable
from db.enums import (
    TASK_GROUP,
    ApprovalState,
    AssessmentKind,
    Role,
    TaskGroup,
    TaskKind,
    TaskState,
)
from db.models import (
    AuditEvent,
    Offender,
    Officer,
    RiskAssessment,
    RiskManagementPlan,
    Task,
    Team,
    Visit,
)
from desktop.rules.validation import Form
from desktop.rules.workdays import add_working_days
from desktop.services.actor import Actor
from desktop.services.core import take_write_lock
from desktop.services.cover import Roster, load_roster
from desktop.services.errors import (
    LONDON,
    EditConflict,
    FieldError,
    NotFound,
    PermissionRefused,
    ServiceError,
    ValidationFailed,
)
from desktop.services.permissions import load_subject, require_read
from desktop.services.policy import policy_int

if TYPE_CHECKING:
    from desktop.services.core import Services

COMMENT_MAX = 2000
DECIDERS = frozenset({Role.SERGEANT.value, Role.TEAM_MANAGER.value})

# subject_type of a task -> (model, what people call it)
SUBJECTS: dict[str, tuple[Any, str]] = {
    "risk_assessment": (RiskAssessment, "assessment"),
    "risk_management_plan": (RiskManagementPlan, "risk management plan"),
    "visit": (Visit, "visit record"),
}


# -- shared helpers -----------------------------------------------------------------------------


def raise_if_invalid(form: Form) -> None:
    if not form.ok:
        raise ValidationFailed([FieldError(p.field, p.message) for p in form.problems])


def stamp(row: Any, actor: Actor | None, now: dt.datetime) -> None:
    """Mark `row` as saved by `actor`; forces the UPDATE (and with it the version check and bump)
    even when only a child collection changed."""
    row.updated_by_id = actor.officer_id if actor is not None else None
    row.updated_at = now
    if inspect(row).persistent:
        flag_modified(row, "updated_by_id")
        # an unchanged time (a fixed clock) would otherwise be dropped from the UPDATE and the
        # column's onupdate default would write the machine's time instead
        flag_modified(row, "updated_at")


def officer_name(session: Session, officer_id: int | None, default: str = "Someone") -> str:
    if officer_id is None:
        return default
    officer = session.get(Officer, officer_id)
    return officer.display_name if officer is not None else default


def officer_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {
        officer_id: f"{forename} {surname}"
        for officer_id, forename, surname in session.execute(
            select(Officer.id, Officer.forename, Officer.surname).where(Officer.id.in_(ids))
        )
    }


def check_version(session: Session, row: Any, expected: int | None, what: str) -> None:
    """Refuse a save made against a version someone has since changed, naming them."""
    if expected is None:
        raise ValidationFailed(
            [FieldError("expected_version", f"Reload the {what} before changing it.")]
        )
    if row.version != expected:
        raise EditConflict(what, officer_name(session, row.updated_by_id), row.updated_at)


def conflict_after_race(services: Services, model: Any, row_id: int, what: str) -> ServiceError:
    """Who won a race the version column caught: read the row as it now stands."""
    with services.transaction() as session:
        row = session.get(model, row_id)
        if row is None:
            return NotFound(f"Someone removed this {what} after you opened it; nothing was saved.")
        return EditConflict(what, officer_name(session, row.updated_by_id), row.updated_at)


def d(day: dt.date | dt.datetime | None) -> str:
    """A date as people read it, dd/mm/yyyy (a timestamp in London time)."""
    if day is None:
        return ""
    if isinstance(day, dt.datetime):
        day = day.astimezone(LONDON).date()
    return day.strftime("%d/%m/%Y")


# -- raising an approval task ---------------------------------------------------------------------


def approval_owner(session: Session, offender: Offender) -> Officer:
    """Who approves this offender's work: the manager's sergeant, else a sergeant of the team,
    else the team manager. ServiceError when the team has none of them."""
    if offender.manager_id is not None:
        manager = session.get(Officer, offender.manager_id)
        if manager is not None and manager.supervisor_id is not None:
            supervisor = session.get(Officer, manager.supervisor_id)
            if supervisor is not None and supervisor.active:
                return supervisor
    for role in (Role.SERGEANT, Role.TEAM_MANAGER):
        officer = session.scalars(
            select(Officer)
            .where(
                Officer.team_id == offender.team_id,
                Officer.role == role,
                Officer.active.is_(True),
            )
            .order_by(Officer.id)
            .limit(1)
        ).first()
        if officer is not None:
            return officer
    team = session.get(Team, offender.team_id)
    name = team.name if team is not None else "this"
    raise ServiceError(
        f"Nobody can approve this: {name} team has no sergeant or team manager. Ask an "
        "administrator to add one; nothing was submitted."
    )


def _clear_for_submission(subject: Approvable, now: dt.datetime) -> None:
    """Sent (again) for approval at `now`: no decision yet, so a returned version's decision and
    comment go."""
    subject.submitted_at = now
    subject.decided_by_id = None
    subject.decided_at = None
    subject.decided_as_cover_for_id = None
    subject.return_comment = ""


def create_approval_task(
    services: Services,
    session: Session,
    actor: Actor,
    offender: Offender,
    *,
    kind: TaskKind,
    subject_type: str,
    subject_id: int,
    what: str,
) -> Task:
    """An open approval task for the offender's sergeant (see the module's notes), titled
    "Approve <what> for <reference> (<name>)"."""
    owner = approval_owner(session, offender)
    today = services.today()
    task = Task(
        kind=kind,
        group=TASK_GROUP[kind],
        offender_id=offender.id,
        owner_id=owner.id,
        team_id=offender.team_id,
        subject_type=subject_type,
        subject_id=subject_id,
        title=f"Approve {what} for {offender.reference} ({offender.full_name})"[:200],
        created_by_id=actor.officer_id,
        created_at=services.now(),
        due_on=add_working_days(today, policy_int(session, "approval_due_working_days")),
        state=TaskState.OPEN,
        updated_by_id=actor.officer_id,
    )
    session.add(task)
    session.flush()
    return task


def submit_for_approval(
    services: Services,
    session: Session,
    actor: Actor,
    offender: Offender,
    subject: Any,
    *,
    state_column: str,
    kind: TaskKind,
    subject_type: str,
    what: str,
    action: str,
    detail: dict[str, Any] | None = None,
) -> Task:
    """Send an assessment, a plan or a visit record to the sergeant, in the caller's
    transaction: its state (`state_column`) becomes submitted, any earlier decision and return
    comment go, an approval task is raised, and `action` is audited with `detail`, the task and
    whether it was a resubmission after a return."""
    now = services.now()
    resubmitted = getattr(subject, state_column) == ApprovalState.RETURNED
    setattr(subject, state_column, ApprovalState.SUBMITTED)
    _clear_for_submission(subject, now)
    stamp(subject, actor, now)
    session.flush()
    task = create_approval_task(
        services,
        session,
        actor,
        offender,
        kind=kind,
        subject_type=subject_type,
        subject_id=subject.id,
        what=what,
    )
    audited: dict[str, Any] = {**(detail or {}), "task_id": task.id, "due_on": task.due_on}
    if resubmitted:
        audited["resubmitted"] = True
    services.audit.record(
        session,
        actor,
        action,
        entity_type=subject_type,
        entity_id=subject.id,
        offender_id=offender.id,
        detail=audited,
    )
    return task


# -- who may decide -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CoveredOfficer:
    """The absent sergeant a decider covers (the inbox issue's cover rules decide who that is)."""

    officer_id: int
    name: str
    team_id: int | None


@dataclass(frozen=True)
class DecisionFacts:
    """What `may_decide` needs about one piece of work."""

    what: str  # "assessment", "risk management plan", "visit record"
    reference: str
    team_id: int
    team_name: str
    authors: dict[int, str]  # officer id -> their part in the work ("the assessor", ...)


def may_decide(
    actor: Actor, facts: DecisionFacts, *, covering_for: CoveredOfficer | None = None
) -> str | None:
    """Why `actor` may not approve or return this work, or None when they may (pure)."""
    part = facts.authors.get(actor.officer_id)
    if part is not None:
        return (
            f"Nobody approves their own work (four eyes): you are {part} of this {facts.what}, "
            "so another sergeant must decide it."
        )
    if actor.role not in DECIDERS:
        return (
            f"Only a sergeant or team manager of {facts.team_name} team can approve or return "
            f"this {facts.what}; you are signed in as {_article(actor.role_label)}."
        )
    team_id = covering_for.team_id if covering_for is not None else actor.team_id
    if team_id != facts.team_id:
        yours = f"you are in {actor.team_name} team" if actor.team_name else "you are in no team"
        return (
            f"Only a sergeant or team manager of {facts.team_name} team can approve or return "
            f"work on {facts.reference}; {yours}."
        )
    return None


def _article(words: str) -> str:
    return f"{'an' if words[:1] in 'aeiou' else 'a'} {words}"


# -- the service ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingApproval:
    """An open approval task on an offender's record (an ARMS, plan or visit record waiting for a
    sergeant), and whether the asking officer may decide it: `why_not` says why not, in a sentence
    (four eyes, role, team)."""

    task_id: int
    kind: str  # a TaskKind value
    subject_type: str  # risk_assessment | risk_management_plan | visit
    subject_id: int | None
    submitted_by: str  # the officer who submitted it
    submitted_at: dt.datetime
    due_on: dt.date
    can_decide: bool  # whether the asking officer may approve or return it
    why_not: str  # "" when they may
    title: str = ""
    owner: str = ""  # the sergeant the task belongs to
    overdue: bool = False
    task_version: int = 0


class _LostRace(Exception):
    pass


class ApprovalService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def pending_for_offender(self, actor: Actor, offender_id: int) -> list[PendingApproval]:
        """The open approval tasks of one offender, oldest first, each saying whether `actor`
        may decide it (and if not, why)."""
        with self._services.transaction() as session:
            require_read(actor, load_subject(session, offender_id))
            return pending_in(session, actor, offender_id, today=self._services.today())

    def approve(self, actor: Actor, task_id: int) -> None:
        self._decide(actor, task_id, approve=True, comment="")

    def return_(self, actor: Actor, task_id: int, comment: str) -> None:
        """Send the work back to its author with a comment saying what to change."""
        self._decide(actor, task_id, approve=False, comment=comment)

    # the one place a decision is made

    def _decide(
        self,
        actor: Actor,
        task_id: int,
        *,
        approve: bool,
        comment: str,
        covering_for: CoveredOfficer | None = None,
    ) -> None:
        try:
            with self._services.transaction() as session:
                # Two desktops deciding at once on SQLite: the second waits, then sees the task
                # decided, rather than failing with "database is locked".
                take_write_lock(session)
                self._decide_in(session, actor, task_id, approve, comment, covering_for)
        except (_LostRace, StaleDataError):
            raise self._lost(task_id) from None

    def _decide_in(
        self,
        session: Session,
        actor: Actor,
        task_id: int,
        approve: bool,
        comment: str,
        covering_for: CoveredOfficer | None,
    ) -> None:
        task = session.get(Task, task_id)
        if task is None or task.group != TaskGroup.APPROVAL or task.offender_id is None:
            raise NotFound(f"There is no approval task number {task_id}.")
        subject_model, what = SUBJECTS.get(task.subject_type, (None, "work"))
        subject = (
            session.get(subject_model, task.subject_id)
            if subject_model is not None and task.subject_id is not None
            else None
        )
        if subject is None:
            raise NotFound(f"The {what} this approval task is about is no longer on the record.")
        offender_subject = load_subject(session, task.offender_id)
        facts = DecisionFacts(
            what=_what(subject, what),
            reference=offender_subject.reference,
            team_id=offender_subject.team_id,
            team_name=offender_subject.team_name,
            authors=_authors(session, task, subject),
        )
        if covering_for is None:
            covering_for = self._cover(session, actor, task, facts)
        refusal = may_decide(actor, facts, covering_for=covering_for)
        if refusal is not None:
            raise PermissionRefused(refusal)
        if task.state != TaskState.OPEN:
            raise ServiceError(_already_decided(session, task))
        from desktop.services.inbox import refuse_if_claimed  # the inbox imports this module

        refuse_if_claimed(session, task, actor, self._services.now())
        form = Form()
        text = form.text(
            "comment",
            comment,
            max_length=COMMENT_MAX,
            required=not approve,
            multiline=True,
            label="comment saying what to change",
        )
        raise_if_invalid(form)
        state_attr = "record_state" if isinstance(subject, Visit) else "state"
        if getattr(subject, state_attr) != ApprovalState.SUBMITTED:
            raise ServiceError(
                f"This {facts.what} is {getattr(subject, state_attr).label}, not waiting for "
                "approval; nothing was changed."
            )

        now = self._services.now()
        cover_id = covering_for.officer_id if covering_for is not None else None
        task.state = TaskState.DONE if approve else TaskState.RETURNED
        task.completed_by_id = actor.officer_id
        task.completed_at = now
        task.completed_as_cover_for_id = cover_id
        task.comment = text
        stamp(task, actor, now)
        try:
            session.flush()  # the version check: the second of two deciders stops here
        except StaleDataError:
            raise _LostRace() from None

        setattr(subject, state_attr, ApprovalState.APPROVED if approve else ApprovalState.RETURNED)
        subject.decided_by_id = actor.officer_id
        subject.decided_at = now
        subject.decided_as_cover_for_id = cover_id
        subject.return_comment = text
        stamp(subject, actor, now)
        superseded = _supersede_older(session, subject, actor, now) if approve else []
        detail: dict[str, Any] = {"task_id": task.id, "kind": task.kind.value, "what": facts.what}
        if text:
            detail["comment"] = text
        if cover_id is not None:
            detail["as_cover_for"] = covering_for.name if covering_for else cover_id
        if superseded:
            detail["superseded"] = superseded
        self._services.audit.record(
            session,
            actor,
            "approved" if approve else "returned",
            entity_type=task.subject_type,
            entity_id=task.subject_id,
            offender_id=task.offender_id,
            detail=detail,
        )

    def _cover(
        self, session: Session, actor: Actor, task: Task, facts: DecisionFacts
    ) -> CoveredOfficer | None:
        return cover_as(
            session, actor, task, facts, lambda: load_roster(session, self._services.today())
        )

    def _lost(self, task_id: int) -> ServiceError:
        with self._services.transaction() as session:
            task = session.get(Task, task_id)
            if task is None:
                return NotFound(f"There is no approval task number {task_id}.")
            return ServiceError(_already_decided(session, task))


def cover_as(
    session: Session,
    actor: Actor,
    task: Task,
    facts: DecisionFacts,
    roster: Callable[[], Roster],
) -> CoveredOfficer | None:
    """Whose cover `actor` decides `task` as today: the owner's, when the cover chain routes the
    owner's task to `actor`, or when the owner is absent and `actor` is of the same team. The
    roster is loaded (by `roster()`) only when it can matter."""
    if task.owner_id is None or task.owner_id == actor.officer_id or actor.role not in DECIDERS:
        return None
    today = roster()
    decision = today.decide(task.owner_id, facts.authors.keys())
    routed = decision.is_cover and decision.cover_officer_id == actor.officer_id
    if not routed and (today.on_duty(task.owner_id) or actor.team_id != facts.team_id):
        return None
    return CoveredOfficer(
        task.owner_id, officer_name(session, task.owner_id, default=""), facts.team_id
    )


def pending_in(
    session: Session, actor: Actor, offender_id: int, *, today: dt.date
) -> list[PendingApproval]:
    """`pending_for_offender` inside a caller's transaction (no permission check)."""
    return pending_in_many(session, actor, [offender_id], today=today)[offender_id]


def pending_in_many(
    session: Session, actor: Actor, offender_ids: Iterable[int], *, today: dt.date
) -> dict[int, list[PendingApproval]]:
    """`pending_in` for several offenders at once: each offender's open approval tasks, oldest
    first, exactly as `pending_in` gives them (an empty list for one with none), read with a
    fixed number of queries however many offenders there are. The record loader reads a
    scrutiny pack's sample so: one offender at a time cost a sixth of reading the records
    (issue #10). No permission check: callers check first."""
    out: dict[int, list[PendingApproval]] = {i: [] for i in offender_ids}
    tasks = (
        list(
            session.scalars(
                select(Task)
                .where(
                    Task.offender_id.in_(list(out)),
                    Task.group == TaskGroup.APPROVAL,
                    Task.state == TaskState.OPEN,
                )
                .order_by(Task.created_at, Task.id)
            )
        )
        if out
        else []
    )
    if not tasks:
        return out
    # what `load_subject` reads of each offender, for the team rule
    offenders = {
        offender_id: (reference, team_id, team_name)
        for offender_id, reference, team_id, team_name in session.execute(
            select(Offender.id, Offender.reference, Offender.team_id, Team.name)
            .join(Team, Team.id == Offender.team_id)
            .where(Offender.id.in_({t.offender_id for t in tasks}))
        )
    }
    wanted: dict[Any, set[int]] = {}
    for task in tasks:
        model = SUBJECTS.get(task.subject_type, (None, ""))[0]
        if model is not None and task.subject_id is not None:
            wanted.setdefault(model, set()).add(task.subject_id)
    rows = {
        (model, row.id): row
        for model, ids in wanted.items()
        for row in session.scalars(select(model).where(model.id.in_(ids)))
    }
    recorders = _outcome_recorders(session, wanted.get(Visit, set()))
    loaded: list[Roster] = []

    def roster() -> Roster:
        if not loaded:
            loaded.append(load_roster(session, today))
        return loaded[0]

    names = officer_names(
        session,
        {t.created_by_id for t in tasks if t.created_by_id is not None}
        | {t.owner_id for t in tasks if t.owner_id is not None},
    )
    for task in tasks:
        if task.offender_id is None:  # none is: the tasks were read by offender
            continue
        model, what = SUBJECTS.get(task.subject_type, (None, "work"))
        row = rows.get((model, task.subject_id))
        if row is None:
            why: str | None = f"The {what} this task is about is no longer on the record."
        else:
            reference, team_id, team_name = offenders[task.offender_id]
            facts = DecisionFacts(
                what=_what(row, what),
                reference=reference,
                team_id=team_id,
                team_name=team_name,
                authors=_authors_of(task, row, recorders.get(row.id, ())),
            )
            # as the decision itself will judge it: a covering sergeant may decide
            why = may_decide(
                actor, facts, covering_for=cover_as(session, actor, task, facts, roster)
            )
        submitted_by = names.get(task.created_by_id, "") if task.created_by_id is not None else ""
        out[task.offender_id].append(
            PendingApproval(
                task_id=task.id,
                kind=task.kind.value,
                subject_type=task.subject_type,
                subject_id=task.subject_id,
                submitted_by=submitted_by,
                submitted_at=task.created_at,
                due_on=task.due_on,
                can_decide=why is None,
                why_not=why or "",
                title=task.title,
                owner=names.get(task.owner_id, "") if task.owner_id is not None else "",
                overdue=task.due_on < today,
                task_version=task.version,
            )
        )
    return out


def _what(subject: Any, default: str) -> str:
    if isinstance(subject, RiskAssessment):
        return "RM2000 assessment" if subject.kind == AssessmentKind.RM2000 else "ARMS assessment"
    return default


def _authors(session: Session, task: Task, subject: Any) -> dict[int, str]:
    """Officers whose own work this is, with their part in it (for the four-eyes refusal)."""
    recorders = _outcome_recorders(session, {subject.id} if isinstance(subject, Visit) else set())
    return _authors_of(task, subject, recorders.get(subject.id, ()))


def _authors_of(task: Task, subject: Any, recorders: Iterable[int]) -> dict[int, str]:
    """Officers whose own work this is, with their part in it. For a visit that includes
    `recorders`, whoever recorded its outcome (read from the audit rows, since submitting the
    record restamps the visit), not only the crew and the submitter."""
    authors: dict[int, str] = {}
    if task.created_by_id is not None:
        authors[task.created_by_id] = "the officer who submitted it"
    if isinstance(subject, RiskAssessment) and subject.assessor_id is not None:
        authors[subject.assessor_id] = "the assessor"
    elif isinstance(subject, RiskManagementPlan) and subject.author_id is not None:
        authors[subject.author_id] = "the author"
    elif isinstance(subject, Visit):
        for officer_id in (subject.officer1_id, subject.officer2_id):
            authors[officer_id] = "on the crew"
        for recorder_id in recorders:
            authors.setdefault(recorder_id, "the officer who recorded the outcome")
    return authors


def _outcome_recorders(session: Session, visit_ids: set[int]) -> dict[int, list[int]]:
    """For each visit of `visit_ids`, the officers who recorded its outcome (its audit rows)."""
    out: dict[int, list[int]] = {}
    if not visit_ids:
        return out
    for visit_id, officer_id in session.execute(
        select(AuditEvent.entity_id, AuditEvent.officer_id)
        .where(
            AuditEvent.action == "visit_outcome_recorded",
            AuditEvent.entity_type == "visit",
            AuditEvent.entity_id.in_(visit_ids),
            AuditEvent.officer_id.is_not(None),
        )
        .order_by(AuditEvent.id)
    ):
        if visit_id is not None and officer_id is not None:
            out.setdefault(visit_id, []).append(officer_id)
    return out


def _already_decided(session: Session, task: Task) -> str:
    verb = {
        TaskState.DONE: "approved",
        TaskState.RETURNED: "returned",
        TaskState.CANCELLED: "cancelled",
    }.get(task.state, task.state.label)
    who = officer_name(session, task.completed_by_id, default="someone")
    when = f" on {d(task.completed_at)}" if task.completed_at is not None else ""
    return f"This was already decided: {verb} by {who}{when}. Nothing was changed."


def _supersede_older(session: Session, subject: Any, actor: Actor, now: dt.datetime) -> list[int]:
    """On approval, the version this one replaces is superseded: for a plan, the offender's
    earlier approved versions; for an assessment, every other approved one of the same kind."""
    older: list[Any] = []
    if isinstance(subject, RiskManagementPlan):
        older = list(
            session.scalars(
                select(RiskManagementPlan).where(
                    RiskManagementPlan.offender_id == subject.offender_id,
                    RiskManagementPlan.state == ApprovalState.APPROVED,
                    RiskManagementPlan.id != subject.id,
                    RiskManagementPlan.plan_number < subject.plan_number,
                )
            )
        )
    elif isinstance(subject, RiskAssessment):
        # every other approved one of the same kind, whatever its date: the one just approved
        # is the one in force (a backdated assessment must not leave two approved)
        older = list(
            session.scalars(
                select(RiskAssessment)
                .where(
                    RiskAssessment.offender_id == subject.offender_id,
                    RiskAssessment.kind == subject.kind,
                    RiskAssessment.state == ApprovalState.APPROVED,
                    RiskAssessment.id != subject.id,
                )
                .order_by(RiskAssessment.id)
            )
        )
    for row in older:
        row.state = ApprovalState.SUPERSEDED
        stamp(row, actor, now)
    return [row.id for row in older]
