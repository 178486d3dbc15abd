"""The inbox: the tasks an officer sees today, claiming them, and the team managers' escalation.

Who sees what, on a day (`InboxService.tasks`):

- an offender manager: the open follow-ups they own (a visit after release, PPN follow-ups);
- a sergeant or team manager: the open approvals routed to them by the cover chain
  (`desktop.rules.cover`): their own when on duty, and those of every absent officer they cover,
  "on behalf of" that officer. An approval whose authors include the officer it would reach goes
  on down the chain (four eyes). A PPN escalation (three PPNs within three months, for the
  offender's sergeant) is routed the same way, with no authors: an absent sergeant's cover sees
  it on her behalf, and it returns to her when she is back. Plus their own follow-ups;
- a hub officer: the hub's shared queue (notification tasks have no owner);
- a team manager also gets the escalation: the team's overdue approvals and PPN escalations in
  age bands of working days past the due date (up to 5, 6 to 10, 11 to 20, over 20), and any
  nobody can cover today.

Claiming (`claim`): opening a task claims it, so that another desktop shows it as being worked
and refuses to decide it. One conditional UPDATE takes the claim, so of two desktops claiming at
once exactly one succeeds, on SQLite and PostgreSQL alike. A claim lapses after
`claim_lapse_minutes` (policy, 30) without being renewed: the app renews it while the task stays
open and the desktop is in use, and releases it when the officer moves on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from sqlalchemy import CursorResult, DateTime, String, or_, select, type_coerce, update
from sqlalchemy.orm import Session

from db.enums import Role, TaskGroup, TaskKind, TaskState
from db.models import Offender, Officer, RiskAssessment, RiskManagementPlan, Task, Team, Visit
from desktop.rules.cover import CoverDecision
from desktop.rules.workdays import working_days_between
from desktop.services.actor import Actor
from desktop.services.approvals import (
    DECIDERS,
    CoveredOfficer,
    DecisionFacts,
    may_decide,
    officer_names,
)
from desktop.services.cover import Roster, load_roster
from desktop.services.errors import LONDON, NotFound, PermissionRefused, ServiceError
from desktop.services.policy import policy_int

if TYPE_CHECKING:
    from desktop.services.core import Services

AGE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("up to 5 working days", 1, 5),
    ("6 to 10 working days", 6, 10),
    ("11 to 20 working days", 11, 20),
    ("over 20 working days", 21, None),
)


class TaskClaimed(ServiceError):
    """Another officer is working on the task (their claim has not lapsed)."""

    def __init__(self, message: str, claimed_by: str, claimed_at: dt.datetime | None) -> None:
        super().__init__(message)
        self.claimed_by = claimed_by
        self.claimed_at = claimed_at


class InboxItem(NamedTuple):
    """One task as the asking officer sees it. A named tuple rather than a dataclass: an inbox
    can hold ten thousand of them and must open in 150 ms (issue #10), and a tuple is built in a
    fifth of the time of a frozen dataclass."""

    task_id: int
    version: int
    kind: str  # a TaskKind value
    kind_label: str  # "Plan approval", "Notification", ...
    group: str  # a TaskGroup value: approval | hub | follow_up
    title: str
    offender_id: int | None  # None for a transfer in not yet on the system
    reference: str  # "" when no offender
    offender_name: str
    subject_type: str  # risk_assessment | risk_management_plan | visit | notification | ...
    subject_id: int | None
    owner_id: int | None  # None for the hub queue
    owner: str  # the owner's name; "Hub" for the hub queue
    covering_for_id: int | None  # the absent officer whose task this is, when seen as cover
    covering_for: str  # their name, "" when not cover
    cover_reason: str  # the cover chain's sentence, "" when not cover
    submitted_by: str  # who raised it ("" when nobody)
    created_at: dt.datetime
    age_days: int  # working days since it was raised
    due_on: dt.date
    overdue: bool
    overdue_days: int  # working days past the due date (0 when not overdue)
    claimed_by_id: int | None  # only while the claim has not lapsed
    claimed_by: str
    claimed_at: dt.datetime | None
    can_act: bool  # whether the asking officer may decide or process it now
    why_not: str  # "" when they may

    @property
    def claimed_by_other(self) -> bool:
        return self.claimed_by_id is not None and not self.claimed_by_me

    @property
    def claimed_by_me(self) -> bool:
        return self.claimed_by_id is not None and self.claimed_by == "you"


@dataclass(frozen=True)
class AgeBand:
    label: str  # "up to 5 working days", ...
    items: tuple[InboxItem, ...]


@dataclass(frozen=True)
class BacklogLine:
    """Open approvals of one owner in the teams the officer looks after."""

    owner_id: int
    owner: str
    absent: bool
    open: int
    overdue: int


@dataclass(frozen=True)
class Inbox:
    day: dt.date
    items: tuple[InboxItem, ...]  # sorted by due date, then age (oldest first), then id
    covering: tuple[str, ...]  # sentences: whose cover the officer is today, and why
    escalation: tuple[AgeBand, ...] = ()  # team managers only; empty bands included
    unrouted: tuple[InboxItem, ...] = ()  # team managers: approvals nobody can cover today
    backlog: tuple[BacklogLine, ...] = field(default=())  # sergeants and team managers

    def group(self, group: str) -> list[InboxItem]:
        return [i for i in self.items if i.group == group]


@dataclass(frozen=True)
class Claim:
    task_id: int
    claimed_at: dt.datetime
    lapses_at: dt.datetime


def claim_lapse(session: Session) -> dt.timedelta:
    return dt.timedelta(minutes=policy_int(session, "claim_lapse_minutes"))


def refuse_if_claimed(session: Session, task: Task, actor: Actor, now: dt.datetime) -> None:
    """TaskClaimed when someone other than `actor` holds an unlapsed claim on `task`. Every
    decision on a task (an approval, processing a notification) calls this first."""
    if task.claimed_by_id is None or task.claimed_by_id == actor.officer_id:
        return
    if task.claimed_at is None or task.claimed_at + claim_lapse(session) <= now:
        return
    officer = session.get(Officer, task.claimed_by_id)
    name = officer.display_name if officer is not None else "Another officer"
    since = task.claimed_at.astimezone(LONDON).strftime("%H:%M")
    raise TaskClaimed(
        f"{name} has been working on this task since {since}. Nothing was changed: leave it to "
        "them, or ask them to release it.",
        name,
        task.claimed_at,
    )


KIND_LABELS = {
    TaskKind.ASSESSMENT_APPROVAL: "Assessment approval",
    TaskKind.PLAN_APPROVAL: "Plan approval",
    TaskKind.VISIT_APPROVAL: "Visit record approval",
    TaskKind.HUB_NOTIFICATION: "Notification",
    TaskKind.PPN_FOLLOW_UP: "PPN follow-up",
    TaskKind.PPN_ESCALATION: "PPN escalation",
    TaskKind.SCRUTINY_ACTION: "Scrutiny action",
    TaskKind.RELEASE_VISIT: "Visit after release",
}
_SUBMITTER = "the officer who submitted it"
_NO_AUTHORS: dict[int, str] = {}  # a PPN escalation's (shared: never written to)


class _Approval(NamedTuple):
    """An open task routed by the cover chain (an approval, or a sergeant's PPN escalation): its
    owner and the officers whose work it is (none for an escalation)."""

    task_id: int
    owner_id: int | None
    team_id: int | None
    due_on: dt.date
    authors: dict[int, str]  # officer id -> their part
    approval: bool = True  # False: a PPN escalation, not an approval (no four eyes, no backlog)


# A PPN escalation is owned by the offender's sergeant and, like an approval, seen by her cover
# while she is absent (DESIGN section 3, "PPNs" and "Tasks and cover"; issue #7).
ROUTED = (Task.group == TaskGroup.APPROVAL) | (
    (Task.group == TaskGroup.FOLLOW_UP) & (Task.kind == TaskKind.PPN_ESCALATION)
)


# The values, for loops over ten thousand rows (an enum member's lookup costs more than the
# comparison).
_APPROVAL, _HUB, _FOLLOW_UP = (
    TaskGroup.APPROVAL.value,
    TaskGroup.HUB.value,
    TaskGroup.FOLLOW_UP.value,
)
_PPN_ESCALATION = TaskKind.PPN_ESCALATION.value


def _is_routed(group: str, kind: str) -> bool:
    """`ROUTED` for a task already read."""
    return group == _APPROVAL or (group == _FOLLOW_UP and kind == _PPN_ESCALATION)


def _chunks(ids: Iterable[int], size: int = 900) -> Iterator[list[int]]:
    """`ids` in lists short enough for SQLite's limit on bound parameters."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), size):
        yield ordered[start : start + size]


# The work behind each kind of approval and the officers who did it, in the order their part is
# named (a visit's crew, an assessment's assessor, a plan's author); whoever submitted it comes
# after them.
_SUBJECTS: tuple[tuple[str, str, tuple[Any, ...]], ...] = (
    ("visit", "on the crew", (Visit.id, Visit.officer1_id, Visit.officer2_id)),
    ("risk_assessment", "the assessor", (RiskAssessment.id, RiskAssessment.assessor_id)),
    ("risk_management_plan", "the author", (RiskManagementPlan.id, RiskManagementPlan.author_id)),
)
Subjects = dict[tuple[str, int], dict[int, str]]  # (subject type, id) -> officer id -> part


def _subject_authors(session: Session, subjects: Iterable[tuple[str, int]]) -> Subjects:
    """The authors of each piece of work (subject type, id): one query per kind of work, by id
    (a join per task row cost three lookups a row, most of the time of a 10,000-task inbox;
    issue #10)."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for subject_type, subject_id in subjects:
        by_type[subject_type].add(subject_id)
    found: Subjects = {}
    for subject_type, part, (subject_id, *officers) in _SUBJECTS:
        for ids in _chunks(by_type.get(subject_type, ())):
            for found_id, *officer_ids in session.execute(
                select(subject_id, *officers).where(subject_id.in_(ids))
            ):
                found[subject_type, found_id] = {i: part for i in officer_ids if i is not None}
    return found


def _approvals_of(session: Session, tasks: Iterable[Any]) -> dict[int, _Approval]:
    """The routed tasks among `tasks` (rows with Task's column names) by id, in their order, with
    the authors of each approval: who did its work, then whoever submitted it. Tasks on one piece
    of work by one submitter share one authors dict (read only)."""
    routed = [t for t in tasks if _is_routed(t.group, t.kind)]
    subjects = _subject_authors(
        session,
        {(t.subject_type, t.subject_id) for t in routed if t.group == _APPROVAL and t.subject_id},
    )
    known: dict[tuple[str, int | None, int | None], dict[int, str]] = {}
    approvals: dict[int, _Approval] = {}
    for t in routed:
        if t.group != _APPROVAL:
            approvals[t.id] = _Approval(
                t.id, t.owner_id, t.team_id, t.due_on, _NO_AUTHORS, approval=False
            )
            continue
        key = (t.subject_type, t.subject_id, t.created_by_id)
        authors = known.get(key)
        if authors is None:
            authors = known[key] = dict(subjects.get((t.subject_type, t.subject_id), {}))
            if t.created_by_id is not None:
                authors.setdefault(t.created_by_id, _SUBMITTER)
        approvals[t.id] = _Approval(t.id, t.owner_id, t.team_id, t.due_on, authors)
    return approvals


def _open_approvals(session: Session, where: Sequence[Any] = ()) -> list[_Approval]:
    """Every open task the cover chain routes (approvals with their authors, and PPN
    escalations), narrowed by `where` (conditions on Task)."""
    tasks = session.execute(
        select(
            Task.id,
            Task.owner_id,
            Task.team_id,
            Task.due_on,
            Task.group,
            Task.kind,
            Task.created_by_id,
            Task.subject_type,
            Task.subject_id,
        ).where(ROUTED, Task.state == TaskState.OPEN, *where)
    ).all()
    return list(_approvals_of(session, tasks).values())


def _route(roster: Roster, approvals: Iterable[_Approval]) -> dict[int, CoverDecision]:
    owners: list[tuple[int, int]] = []
    authors: dict[int, dict[int, str]] = {}
    for a in approvals:
        if a.owner_id is not None:
            owners.append((a.task_id, a.owner_id))
            authors[a.task_id] = a.authors
    return roster.route(owners, authors)


def _age_band(overdue_days: int) -> int:
    for index, (_label, low, high) in enumerate(AGE_BANDS):
        if overdue_days >= low and (high is None or overdue_days <= high):
            return index
    return len(AGE_BANDS) - 1


class _Open(NamedTuple):
    """An open task as the inbox reads it: plain columns, no ORM entity (building ten thousand
    Task entities took half of the inbox's time; issue #10). Its claim is read apart (`_claims`):
    few tasks have one."""

    id: int
    version: int
    kind: str  # a TaskKind value, read as text: converting ten thousand enums costs 10 ms
    group: str  # a TaskGroup value, likewise
    title: str
    offender_id: int | None
    subject_type: str
    subject_id: int | None
    owner_id: int | None
    team_id: int | None
    created_by_id: int | None
    created_at: dt.datetime  # as read: see `_as_utc`
    due_on: dt.date


# Read as text: kind and group (converting ten thousand enums costs 10 ms); created_at as the
# plain timestamp, made UTC by `_as_utc` in the one loop that needs it (the UtcDateTime column
# type's per-value wrapper cost 20 ms a 10,000-row read; issue #10).
_PLAIN: dict[str, Any] = {
    "kind": String(),
    "group": String(),
    "created_at": DateTime(timezone=True),
}
_OPEN_COLUMNS = tuple(
    type_coerce(getattr(Task, name), _PLAIN[name]) if name in _PLAIN else getattr(Task, name)
    for name in _Open._fields
)


def _as_utc(value: dt.datetime) -> dt.datetime:
    """What `db.base.UtcDateTime` reads: SQLite keeps no zone (the value is UTC), PostgreSQL
    answers in the session's zone."""
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


_OffenderFacts = tuple[str, str, int | None]  # reference, "forename surname", team
_NO_OFFENDER: _OffenderFacts = ("", "", None)
_NO_CLAIM = (None, None)


def _claims(
    session: Session, now: dt.datetime, lapse: dt.timedelta
) -> dict[int, tuple[int, dt.datetime]]:
    """Task id -> (who, since when) for every open task whose claim has not lapsed."""
    found = {}
    for task_id, officer_id, claimed_at in session.execute(
        select(Task.id, Task.claimed_by_id, Task.claimed_at).where(
            Task.state == TaskState.OPEN, Task.claimed_at > now - lapse
        )
    ):
        if officer_id is not None and claimed_at is not None:
            found[task_id] = (officer_id, claimed_at)
    return found


def _offenders(session: Session, ids: set[int]) -> dict[int | None, _OffenderFacts]:
    found: dict[int | None, _OffenderFacts] = {}
    for chunk in _chunks(ids):
        for offender_id, reference, forename, surname, team_id in session.execute(
            select(
                Offender.id,
                Offender.reference,
                Offender.forename,
                Offender.surname,
                Offender.team_id,
            ).where(Offender.id.in_(chunk))
        ):
            found[offender_id] = (reference, f"{forename} {surname}" if reference else "", team_id)
    return found


# The inbox's order: by due date, then the oldest first, then by number. SQL sorts the rows: in
# Python, sorting ten thousand items by a date and a timestamp took 15 to 45 ms (issue #10).
INBOX_ORDER = (Task.due_on, Task.created_at, Task.id)


class InboxService:
    def __init__(self, services: Services) -> None:
        self._services = services

    # -- what an officer sees ---------------------------------------------------------------

    def tasks(self, actor: Actor, on: dt.date | None = None) -> Inbox:
        """What `actor` sees on `on` (default today), see the module notes.

        Every task the officer might see is read in one query of plain columns, in the inbox's
        order (for a sergeant or team manager, every open routed task: the cover chain decides
        which are hers). The chain runs once per owner (route_tasks), the working-day counts once
        per date and `may_decide` once per set of facts: issue #10 wants a sergeant's inbox open
        in 150 ms with 10,000 open tasks in the database."""
        day = on or self._services.today()
        now = self._services.now()
        decider = actor.role in DECIDERS
        own = (
            (Task.owner_id == actor.officer_id) | (Task.group == TaskGroup.HUB)
            if actor.role == Role.HUB_OFFICER.value
            else Task.owner_id == actor.officer_id
        )
        with self._services.transaction() as session:
            lapse = claim_lapse(session)
            rows = list(
                map(
                    _Open._make,
                    session.connection()
                    .execute(
                        select(*_OPEN_COLUMNS)
                        .where(
                            Task.state == TaskState.OPEN,
                            ROUTED | own if decider else (Task.group != TaskGroup.APPROVAL) & own,
                        )
                        .order_by(*INBOX_ORDER)
                    )
                    .all(),
                )
            )
            mine: dict[int, CoverDecision | None] = {}  # task id -> the cover decision, if cover
            approvals: dict[int, _Approval] = {}
            escalation: list[int] = []
            unrouted: list[int] = []
            backlog: tuple[BacklogLine, ...] = ()
            roster: Roster | None = None
            if decider:
                roster = load_roster(session, day)
                approvals = _approvals_of(session, rows)
                routes = _route(roster, approvals.values())
                for task_id, decision in routes.items():
                    if decision.cover_officer_id == actor.officer_id:
                        mine[task_id] = decision if decision.is_cover else None
                covered = {d.owner_id for d in mine.values() if d is not None}
                team = [a for a in approvals.values() if a.team_id == actor.team_id]
                looked_after = [
                    a
                    for a in approvals.values()
                    if a.team_id == actor.team_id or a.owner_id in covered
                ]
                if actor.role == Role.TEAM_MANAGER.value:
                    escalation = [a.task_id for a in team if a.due_on < day]
                    unrouted = [
                        a.task_id
                        for a in team
                        if a.task_id in routes and routes[a.task_id].link == "nobody"
                    ]
                backlog = self._backlog(session, roster, looked_after, day)
            for row in rows:
                if not (decider and row.id in approvals):
                    mine.setdefault(row.id, None)  # their own follow-ups, or the hub's queue
            wanted = set(mine).union(escalation, unrouted)
            listed = self._items(  # in the inbox's order, as the rows are
                session,
                actor,
                [row for row in rows if row.id in wanted],
                mine,
                approvals,
                day,
                _claims(session, now, lapse),
            )

        bands: list[list[InboxItem]] = [[] for _ in AGE_BANDS]
        overdue = set(escalation)
        for item in listed:
            if item.task_id in overdue:
                bands[_age_band(item.overdue_days)].append(item)
        unrouted_ids = set(unrouted)
        return Inbox(
            day=day,
            items=tuple(item for item in listed if item.task_id in mine),
            covering=self._covering(roster, mine, approvals, day),
            escalation=tuple(
                AgeBand(label, tuple(band))
                for (label, _low, _high), band in zip(AGE_BANDS, bands, strict=True)
            )
            if actor.role == Role.TEAM_MANAGER.value
            else (),
            unrouted=tuple(item for item in listed if item.task_id in unrouted_ids),
            backlog=backlog,
        )

    def _items(
        self,
        session: Session,
        actor: Actor,
        rows: list[_Open],
        cover: dict[int, CoverDecision | None],
        approvals: dict[int, _Approval],
        day: dt.date,
        claims: dict[int, tuple[int, dt.datetime]],
    ) -> list[InboxItem]:
        offenders = _offenders(session, {r.offender_id for r in rows if r.offender_id is not None})
        people = {i for r in rows for i in (r.owner_id, r.created_by_id) if i is not None}
        names = officer_names(session, people | {officer for officer, _at in claims.values()})
        team_names: dict[int, str] = {i: n for i, n in session.execute(select(Team.id, Team.name))}
        why_not = _WhyNot(actor, team_names)

        @cache
        def days_since(date: dt.date) -> int:  # working days; many tasks share a date
            return max(0, working_days_between(date, day))

        labels = {kind.value: KIND_LABELS.get(kind) or kind.label for kind in TaskKind}
        owners = {i: names.get(i, "") for i in people} | {None: "Hub"}
        no_cover = (None, "", "")
        covers = {  # the cover decision -> on whose behalf, their name, and why
            id(d): (d.owner_id, names.get(d.owner_id, ""), d.text)
            for d in cover.values()
            if d is not None
        }
        items = []
        for r in rows:
            decision = cover.get(r.id)
            reference, offender_name, offender_team = offenders.get(r.offender_id, _NO_OFFENDER)
            claimer, claimed_at = claims.get(r.id, _NO_CLAIM)
            claimed_by = (
                ""
                if claimer is None
                else "you"
                if claimer == actor.officer_id
                else names.get(claimer, "another officer")
            )
            why = why_not(r, approvals.get(r.id), decision, offender_team, reference)
            if not why and claimed_at is not None and claimer != actor.officer_id:
                since = claimed_at.astimezone(LONDON).strftime("%H:%M")
                why = f"{claimed_by} has been working on this since {since}."
            overdue = r.due_on < day
            raised = _as_utc(r.created_at)
            covering_for_id, covering_for, cover_reason = (
                covers[id(decision)] if decision is not None else no_cover
            )
            items.append(
                InboxItem(
                    r.id,
                    r.version,
                    r.kind,
                    labels[r.kind],
                    r.group,
                    r.title,
                    r.offender_id,
                    reference,
                    offender_name,
                    r.subject_type,
                    r.subject_id,
                    r.owner_id,
                    owners[r.owner_id],
                    covering_for_id,
                    covering_for,
                    cover_reason,
                    owners[r.created_by_id] if r.created_by_id is not None else "",
                    raised,
                    days_since(raised.astimezone(LONDON).date()),
                    r.due_on,
                    overdue,
                    days_since(r.due_on) if overdue else 0,
                    claimer,
                    claimed_by,
                    claimed_at,
                    not why,
                    why,
                )
            )
        return items

    @staticmethod
    def _backlog(
        session: Session, roster: Roster, team: list[_Approval], day: dt.date
    ) -> tuple[BacklogLine, ...]:
        """Open and overdue approvals per owner: the owners of the officer's team and those they
        cover today."""
        counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
        for approval in team:
            if approval.owner_id is None or not approval.approval:
                continue
            counts[approval.owner_id][0] += 1
            counts[approval.owner_id][1] += approval.due_on < day
        names = officer_names(session, set(counts))
        lines = [
            BacklogLine(
                owner_id=owner_id,
                owner=names.get(owner_id, ""),
                absent=not roster.on_duty(owner_id),
                open=open_,
                overdue=overdue,
            )
            for owner_id, (open_, overdue) in counts.items()
        ]
        lines.sort(key=lambda line: (-line.open, line.owner))
        return tuple(lines)

    @staticmethod
    def _covering(
        roster: Roster | None,
        mine: dict[int, CoverDecision | None],
        routed: dict[int, _Approval],
        day: dt.date,
    ) -> tuple[str, ...]:
        """One sentence per absent officer whose approvals (and PPN escalations) the officer sees
        today."""
        if roster is None:
            return ()
        counts: dict[int, int] = defaultdict(int)
        escalations: dict[int, int] = defaultdict(int)
        decisions: dict[int, CoverDecision] = {}
        for task_id, decision in mine.items():
            if decision is not None:
                task = routed.get(task_id)
                if task is not None and not task.approval:
                    escalations[decision.owner_id] += 1
                else:
                    counts[decision.owner_id] += 1
                decisions[decision.owner_id] = decision
        by_id = roster.by_id
        sentences = []
        for owner_id, decision in sorted(
            decisions.items(), key=lambda pair: by_id[pair[0]].label if pair[0] in by_id else ""
        ):
            owner = by_id.get(owner_id)
            ends = [end for start, end in owner.absences if start <= day <= end] if owner else []
            until = f", absent until {max(ends).strftime('%d/%m/%Y')}" if ends else ""
            how = {
                "named_cover": "named as their cover",
                "team_sergeant": "as a sergeant of their team on duty",
                "other_team_sergeant": "as no sergeant of their team is on duty",
                "team_manager": "as their team manager, with no sergeant on duty",
            }.get(decision.link, "as the officer next in the cover chain")
            parts = [
                f"{n} {word if n == 1 else word + 's'}"
                for n, word in (
                    (counts[owner_id], "approval"),
                    (escalations[owner_id], "PPN escalation"),
                )
                if n
            ]
            name = owner.label if owner else "an absent officer"
            sentences.append(f"You are covering for {name}{until} ({how}): {' and '.join(parts)}.")
        return tuple(sentences)

    # -- claiming ---------------------------------------------------------------------------

    def claim(self, actor: Actor, task_id: int) -> Claim:
        """Claim the task for `actor`, or renew their claim. TaskClaimed naming the officer when
        someone else holds an unlapsed claim; ServiceError when the task is no longer open;
        PermissionRefused when the task is not one `actor` may work."""
        now = self._services.now()
        with self._services.transaction() as session:
            task = session.get(Task, task_id)
            if task is None:
                raise NotFound(f"There is no task number {task_id}.")
            self._require_may_work(session, actor, task)
            lapse = claim_lapse(session)
            taken = session.execute(
                update(Task)
                .where(
                    Task.id == task_id,
                    Task.state == TaskState.OPEN,
                    or_(
                        Task.claimed_by_id.is_(None),
                        Task.claimed_by_id == actor.officer_id,
                        Task.claimed_at <= now - lapse,
                    ),
                )
                .values(claimed_by_id=actor.officer_id, claimed_at=now)
                .execution_options(synchronize_session=False)
            )
            if cast("CursorResult[Any]", taken).rowcount == 1:
                return Claim(task_id, now, now + lapse)
            session.expire(task)
            if task.state != TaskState.OPEN:
                raise ServiceError(_finished(session, task))
            refuse_if_claimed(session, task, actor, now)
            raise ServiceError("The task could not be claimed; reload the inbox and try again.")

    def release(self, actor: Actor, task_id: int) -> None:
        """Give up `actor`'s claim (nothing happens when they hold none)."""
        with self._services.transaction() as session:
            session.execute(
                update(Task)
                .where(Task.id == task_id, Task.claimed_by_id == actor.officer_id)
                .values(claimed_by_id=None, claimed_at=None)
                .execution_options(synchronize_session=False)
            )

    def _require_may_work(self, session: Session, actor: Actor, task: Task) -> None:
        if task.group == TaskGroup.HUB:
            if actor.role != Role.HUB_OFFICER.value:
                raise PermissionRefused("Only a hub officer processes notifications.")
            return
        if task.owner_id == actor.officer_id:
            return
        if actor.role not in DECIDERS:
            raise PermissionRefused("This task belongs to another officer.")
        offender = session.get(Offender, task.offender_id) if task.offender_id else None
        team_id = offender.team_id if offender is not None else task.team_id
        if team_id == actor.team_id:
            return
        if (
            task.group == TaskGroup.APPROVAL or task.kind == TaskKind.PPN_ESCALATION
        ) and task.owner_id is not None:
            (approval,) = _open_approvals(session, [Task.id == task.id]) or (None,)
            if approval is not None:
                roster = load_roster(session, self._services.today())
                decision = roster.decide(task.owner_id, approval.authors.keys())
                if decision.cover_officer_id == actor.officer_id:
                    return
        raise PermissionRefused(
            "This task is not in your inbox today: it belongs to another team and you are not "
            "covering for its owner."
        )

    # -- deciding -----------------------------------------------------------------------------

    def approve(self, actor: Actor, task_id: int) -> None:
        """Approve the work of an approval task (as cover when the owner is absent)."""
        self._services.approvals.approve(actor, task_id)

    def return_(self, actor: Actor, task_id: int, comment: str) -> None:
        """Return the work to its author with a comment."""
        self._services.approvals.return_(actor, task_id, comment)


def _finished(session: Session, task: Task) -> str:
    verb = {
        TaskState.DONE: "completed",
        TaskState.RETURNED: "returned",
        TaskState.CANCELLED: "cancelled",
    }.get(task.state, task.state.label)
    officer = session.get(Officer, task.completed_by_id) if task.completed_by_id else None
    who = f" by {officer.display_name}" if officer is not None else ""
    when = (
        f" on {task.completed_at.astimezone(LONDON).strftime('%d/%m/%Y')}"
        if task.completed_at is not None
        else ""
    )
    return f"This task was already {verb}{who}{when}. Nothing was changed."


class _WhyNot:
    """Why the asking officer may not decide or process a task, "" when they may (the claim aside,
    which `_items` adds). The answer for an approval comes from `may_decide` (the four-eyes and
    team rules, desktop/services/approvals.py), asked once per distinct set of facts: an inbox of
    ten thousand approvals holds a few hundred."""

    def __init__(self, actor: Actor, team_names: dict[int, str]) -> None:
        self.actor = actor
        self.team_names = team_names
        self._answers: dict[tuple[Any, ...], str] = {}
        self._by_group = {  # notifications are the hub's; a follow-up is its owner's
            _HUB: ""
            if actor.role == Role.HUB_OFFICER.value
            else "Only a hub officer processes notifications.",
            _FOLLOW_UP: "",
        }

    def __call__(
        self,
        task: _Open,
        approval: _Approval | None,
        decision: CoverDecision | None,
        offender_team: int | None,
        reference: str | None,
    ) -> str:
        answer = self._by_group.get(task.group)
        if answer is not None:
            return answer
        if approval is None or offender_team is None:
            return "This approval is no longer open."
        covered_team = approval.team_id if decision is not None else None
        authors = id(approval.authors)  # shared by the tasks on one piece of work
        key = (task.kind, reference, offender_team, decision is not None, covered_team, authors)
        answer = self._answers.get(key)
        if answer is None:
            refusal = may_decide(
                self.actor,
                DecisionFacts(
                    what=KIND_LABELS[TaskKind(task.kind)].removesuffix(" approval").lower(),
                    reference=reference or "",
                    team_id=offender_team,
                    team_name=self.team_names.get(offender_team, ""),
                    authors=approval.authors,
                ),
                covering_for=CoveredOfficer(decision.owner_id, "", covered_team)
                if decision is not None
                else None,
            )
            answer = self._answers[key] = refusal or ""
        return answer
