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

What the officer sees is read in one query and sorted in one pass over its rows; each task is made
an `InboxItem` only when something reads it (`TaskList`): a sergeant's inbox of ten thousand tasks
opens in 150 ms while the screen shows a dozen of them (issue #10).

Claiming (`claim`): opening a task claims it, so that another desktop shows it as being worked
and refuses to decide it. One conditional UPDATE takes the claim, so of two desktops claiming at
once exactly one succeeds, on SQLite and PostgreSQL alike. A claim lapses after
`claim_lapse_minutes` (policy, 30) without being renewed: the app renews it while the task stays
open and the desktop is in use, and releases it when the officer moves on.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import count
from operator import itemgetter
from typing import TYPE_CHECKING, Any, NamedTuple, cast, overload

from sqlalchemy import (
    CursorResult,
    bindparam,
    or_,
    select,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db.enums import Role, TaskGroup, TaskKind, TaskState
from db.models import Offender, Officer, RiskAssessment, RiskManagementPlan, Task, Team, Visit
from desktop.rules.cover import CoverDecision, Router
from desktop.rules.workdays import bank_holidays, working_days_between
from desktop.services.actor import Actor
from desktop.services.approvals import (
    DECIDERS,
    CoveredOfficer,
    DecisionFacts,
    may_decide,
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
    """One task as the asking officer sees it, made when first read (`TaskList`). A named tuple
    rather than a dataclass: a tuple is built in a fifth of the time of a frozen dataclass, and
    reading a whole inbox of ten thousand (the command line, a test) makes every one."""

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
    """One band of a team manager's escalation: the team's overdue approvals and PPN escalations
    that are this many working days past their due date (AGE_BANDS)."""

    label: str  # "up to 5 working days", ...
    items: Sequence[InboxItem]


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
    """The items are `TaskList`s: each task is made an InboxItem when first read."""

    day: dt.date
    items: Sequence[InboxItem]  # sorted by due date, then age (oldest first), then id
    covering: tuple[str, ...]  # sentences: whose cover the officer is today, and why
    groups: Mapping[str, Sequence[InboxItem]]  # the items by group (a TaskGroup value), in order
    overdue: int  # how many of the items are overdue
    escalation: tuple[AgeBand, ...] = ()  # team managers only; empty bands included
    unrouted: Sequence[InboxItem] = ()  # team managers: approvals nobody can cover today
    backlog: tuple[BacklogLine, ...] = field(default=())  # sergeants and team managers

    def group(self, group: str) -> list[InboxItem]:
        return list(self.groups.get(group, ()))

    def in_group(self, group: str) -> Sequence[InboxItem]:
        """The group's items without making them (a `TaskList`)."""
        return self.groups.get(group, ())


@dataclass(frozen=True)
class Claim:
    """A task claimed by an officer so that no one else works on it at the same time; the claim
    lapses after the `claim_lapse_minutes` policy (UTC times)."""

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


_CHUNK = 900  # ids bound in one statement: SQLite's limit on bound parameters is 999
_THROUGH_TASKS = _CHUNK  # more subjects of a kind than this are read through the tasks


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    """`ids` in lists short enough for SQLite's limit on bound parameters."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), _CHUNK):
        yield ordered[start : start + _CHUNK]


def _by_ids(
    session: Session, columns: Sequence[Any], ids: Iterable[int]
) -> Iterator[tuple[Any, ...]]:
    """The rows of `columns` whose first column is one of `ids`, as the driver reads them
    (`_plain_rows`). The ids are bound as one expanding parameter of a statement built once, not
    coerced one by one into each statement (a thousand ids cost 1 to 2 ms that way; issue #10)."""
    statement = select(*columns).where(columns[0].in_(bindparam("ids", expanding=True)))
    for chunk in _chunks(ids):
        yield from _plain_rows(session, statement, {"ids": chunk})


# The work behind each kind of approval and the officers who did it, in the order their part is
# named (a visit's crew, an assessment's assessor, a plan's author); whoever submitted it comes
# after them.
_SUBJECTS: tuple[tuple[str, str, tuple[Any, ...]], ...] = (
    ("visit", "on the crew", (Visit.id, Visit.officer1_id, Visit.officer2_id)),
    ("risk_assessment", "the assessor", (RiskAssessment.id, RiskAssessment.assessor_id)),
    ("risk_management_plan", "the author", (RiskManagementPlan.id, RiskManagementPlan.author_id)),
)
_PARTS = {subject_type: part for subject_type, part, _columns in _SUBJECTS}
Subjects = dict[tuple[str, int], tuple[int, ...]]  # (subject type, id) -> the officers who did it


def _subject_authors(
    session: Session, subjects: Iterable[tuple[str, int]], within: Sequence[Any] = ()
) -> Subjects:
    """The officers who did each piece of work (subject type, id): one query per kind of work,
    by id (a join per task row cost three lookups a row; issue #10). More ids of a kind than
    one statement binds (`_THROUGH_TASKS`) are read through the open tasks `within` picks out,
    which gave them, a join the database does: binding five thousand ids cost 20 ms, the join 8."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for subject_type, subject_id in subjects:
        by_type[subject_type].add(subject_id)
    found: Subjects = {}
    for subject_type, _part, columns in _SUBJECTS:
        ids = by_type.get(subject_type, set())
        rows: Iterable[tuple[Any, ...]] = _by_ids(session, columns, ids)
        if within and len(ids) > _THROUGH_TASKS:
            tasks = select(Task.subject_id).where(*within, Task.subject_type == subject_type)
            rows = _plain_rows(session, select(*columns).where(columns[0].in_(tasks)))
        for row in rows:  # the officers' ids, an empty one left out (an id is never 0)
            found[subject_type, row[0]] = tuple(filter(None, row[1:]))
    return found


class _Authors:
    """The officers whose work each approval is (officer id -> their part): who did the work, in
    the order their part is named, then whoever submitted it. Tasks on one piece of work by one
    submitter share one dict (read only). `did` holds who did each piece of work, by (subject
    type, subject id): the order of those columns in a row of `_OPEN_COLUMNS`, so that a slice
    of the row is the key, and the cover chain needs no dict made for most tasks."""

    def __init__(
        self,
        session: Session,
        subjects: Iterable[tuple[str, int | None]],
        within: Sequence[Any] = (),
    ) -> None:
        self.did = _subject_authors(session, ((t, i) for t, i in subjects if i is not None), within)
        self._known: dict[tuple[int | None, str, int | None], dict[int, str]] = {}

    def __call__(
        self, submitter: int | None, subject_type: str, subject_id: int | None
    ) -> dict[int, str]:
        key = (submitter, subject_type, subject_id)
        authors = self._known.get(key)
        if authors is None:
            did = () if subject_id is None else self.did.get((subject_type, subject_id), ())
            authors = self._known[key] = dict.fromkeys(did, _PARTS.get(subject_type, ""))
            if submitter is not None:
                authors.setdefault(submitter, _SUBMITTER)
        return authors


def _approvals_of(session: Session, tasks: Iterable[Any]) -> dict[int, _Approval]:
    """The routed tasks among `tasks` (rows with Task's column names) by id, in their order, with
    the authors of each approval."""
    routed = [t for t in tasks if _is_routed(t.group, t.kind)]
    authors = _Authors(session, {(t.subject_type, t.subject_id) for t in routed})
    return {
        t.id: _Approval(
            t.id,
            t.owner_id,
            t.team_id,
            t.due_on,
            authors(t.created_by_id, t.subject_type, t.subject_id)
            if t.group == _APPROVAL
            else _NO_AUTHORS,
            approval=t.group == _APPROVAL,
        )
        for t in routed
    }


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
    route = Router(roster.day, roster.officers, roster.named)
    return {a.task_id: route(a.owner_id, a.authors) for a in approvals if a.owner_id is not None}


def _age_band(overdue_days: int) -> int:
    for index, (_label, low, high) in enumerate(AGE_BANDS):
        if overdue_days >= low and (high is None or overdue_days <= high):
            return index
    return len(AGE_BANDS) - 1


class _Open(NamedTuple):
    """The columns of an open task as the inbox reads them: plain columns, no ORM entity
    (building ten thousand Task entities took half of the inbox's time; issue #10). The rows are
    kept as the driver gives them (`_plain_rows`), and indexed by the positions below in the
    loops over all of them. Few tasks have a claim: it is read with the rest (two columns, mostly
    empty, cost less than a second scan of the open tasks) and picked out by `_claims`."""

    id: int
    group: str  # a TaskGroup value, read as text: converting ten thousand enums costs 10 ms
    kind: str  # a TaskKind value, likewise
    owner_id: int | None
    team_id: int | None
    due_on: dt.date | str  # as the driver reads it: SQLite's ISO text (see `_DueDates`)
    created_by_id: int | None
    subject_type: str
    subject_id: int | None
    offender_id: int | None
    version: int
    title: str
    created_at: dt.datetime | str  # as the driver reads it: see `_as_utc`
    claimed_by_id: int | None
    claimed_at: dt.datetime | str | None  # as the driver reads it


_ID, _GROUP, _KIND, _OWNER, _TEAM, _DUE, _CREATED_BY, _SUBJECT_TYPE, _SUBJECT_ID = range(9)
_OFFENDER, _CREATED_AT, _CLAIMED_BY, _CLAIMED_AT = map(
    _Open._fields.index, ("offender_id", "created_at", "claimed_by_id", "claimed_at")
)

# The columns as the driver reads them (`_plain_rows`): kind and group as text (converting ten
# thousand enums cost 10 ms), created_at and due_on made a UTC datetime by `_as_utc` and a date by
# `_DueDates` only when an item is made (the UtcDateTime column type's per-value wrapper cost
# 20 ms a 10,000-row read, SQLite's parsing 5 to 10; issue #10).
_OPEN_COLUMNS = tuple(getattr(Task, name) for name in _Open._fields)


def _plain_rows(
    session: Session, statement: Any, params: dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """The rows of `statement` as the driver gives them: plain tuples, with no result processing
    (each column is read as the driver reads it). SQLAlchemy's Row around each of ten thousand
    rows cost 6 to 7 ms, and doubled the objects the garbage collector tracks, so that every
    opening of a sergeant's inbox paid for a collection of about 6 ms (issue #10)."""
    connection = session.connection()
    result = cast("CursorResult[Any]", connection.execute(statement, params))
    driver_error = connection.dialect.loaded_dbapi.Error
    try:
        return cast("list[tuple[Any, ...]]", result.cursor.fetchall())
    except driver_error as exc:  # raised as SQLAlchemy's own fetch raises it (db.engine reads it)
        raise DBAPIError.instance(None, None, exc, driver_error) from exc
    finally:
        result.close()


class _DueDates(dict[Any, dt.date]):
    """A due date as the driver reads it (SQLite's ISO text, PostgreSQL's date) -> the date: ten
    thousand tasks fall due on a few hundred days, and parsing every value cost 5 to 10 ms a read
    (issue #10). `key(day)` is `day` as the rows hold it, to compare with theirs: ISO text sorts
    as the date does."""

    def __missing__(self, value: dt.date | str) -> dt.date:
        day = self[value] = dt.date.fromisoformat(value) if isinstance(value, str) else value
        return day

    @staticmethod
    def key(day: dt.date, rows: Sequence[tuple[Any, ...]]) -> dt.date | str:
        return day.isoformat() if rows and isinstance(rows[0][_DUE], str) else day


def _as_utc(value: dt.datetime | str) -> dt.datetime:
    """What `db.base.UtcDateTime` reads: SQLite keeps text with no zone (the value is UTC),
    PostgreSQL answers in the session's zone."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _raised_slot(value: dt.datetime | str) -> tuple[Any, bool]:
    """Tasks raised in one slot were raised on one day in London, so read alike in the Age
    column: London is at UTC or an hour ahead, changing at 01:00 UTC, so of a UTC day only the
    hour from 23:00 may be the next day there. SQLite's text is UTC ("2024-06-12 23:30:00")."""
    if isinstance(value, str):
        return value[:10], value[11:13] == "23"
    value = value.astimezone(dt.UTC)
    return value.date(), value.hour == 23


_OffenderFacts = tuple[str, str, int | None]  # reference, "forename surname", team
_NO_OFFENDER: _OffenderFacts = ("", "", None)
_NO_CLAIM = (None, None)


def _claims(
    rows: Sequence[tuple[Any, ...]], now: dt.datetime, lapse: dt.timedelta
) -> dict[int, tuple[int, dt.datetime]]:
    """Task id -> (who, since when) for each of `rows` whose claim has not lapsed."""
    found = {}
    for row in filter(itemgetter(_CLAIMED_AT), rows):  # the few with a claim, picked out in C
        task_id, officer_id, since = row[_ID], row[_CLAIMED_BY], _as_utc(row[_CLAIMED_AT])
        if officer_id is not None and since > now - lapse:
            found[task_id] = (officer_id, since)
    return found


_OFFENDER_COLUMNS = (
    Offender.id,
    Offender.reference,
    Offender.forename,
    Offender.surname,
    Offender.team_id,
)


def _offenders(session: Session, ids: set[int | None]) -> dict[int | None, _OffenderFacts]:
    """The offenders of `ids` (None, a task with no offender, is left out)."""
    return {
        offender_id: (reference, f"{forename} {surname}" if reference else "", team_id)
        for offender_id, reference, forename, surname, team_id in _by_ids(
            session,
            (
                Offender.id,
                Offender.reference,
                Offender.forename,
                Offender.surname,
                Offender.team_id,
            ),
            (i for i in ids if i is not None),
        )
    }


# The inbox's order: by due date, then the oldest first, then by number. SQL sorts the rows: in
# Python, sorting ten thousand items by a date and a timestamp took 15 to 45 ms (issue #10).
INBOX_ORDER = (Task.due_on, Task.created_at, Task.id)


class _Sorted:
    """The rows sorted, in one pass over them, into what the officer sees (the row positions of
    their tasks, each group's, the team managers' escalation) and the counts the screen shows.
    Each routed task (an approval or a PPN escalation) goes where the cover chain sends it
    (`route`: the chain runs once per owner); anything else in the rows is the officer's own."""

    def __init__(
        self,
        actor: Actor,
        day: dt.date,
        rows: Sequence[tuple[Any, ...]],
        route: Router | None,
        authors: _Authors,
    ) -> None:
        self.mine: list[int] = []
        self.groups: dict[str, list[int]] = {}
        self.overdue = 0
        self.cover: dict[int, CoverDecision] = {}  # row -> the decision, for a task seen as cover
        self.covered: dict[int, list[int]] = {}  # absent owner -> [approvals, PPN escalations]
        self.decisions: dict[int, CoverDecision] = {}  # absent owner -> the decision
        self.owned: Counter[tuple[int, bool]] = Counter()  # (owner, in the officer's team) ->
        self.late: Counter[tuple[int, bool]] = Counter()  # open, and overdue, approvals
        self.escalation: list[int] = []  # team managers: the team's overdue routed tasks
        self.unrouted: list[int] = []  # team managers: the team's routed tasks nobody covers
        me, team = actor.officer_id, actor.team_id
        manager = actor.role == Role.TEAM_MANAGER.value
        mine, cover, did = self.mine, self.cover, authors.did
        groups: defaultdict[str, list[int]] = defaultdict(list)
        plain: dict[int, tuple[CoverDecision, frozenset[int]]] = {}  # owner -> `Router.plain`
        owned: list[tuple[int, bool]] = []  # (owner, in the officer's team) per open approval
        late_owned: list[tuple[int, bool]] = []  # and per overdue one
        overdue = 0
        today = _DueDates.key(day, rows)  # the day as the rows hold their due dates
        for position, row in enumerate(rows):
            group = row[_GROUP]
            approval = group == _APPROVAL
            if route is None or not (
                approval or (group == _FOLLOW_UP and row[_KIND] == _PPN_ESCALATION)
            ):  # their own follow-ups, or the hub's queue
                mine.append(position)
                groups[group].append(position)
                overdue += row[_DUE] < today
                continue
            late = row[_DUE] < today
            owner = row[_OWNER]
            decision = None
            if owner is not None:
                plain_answer = plain.get(owner)
                if plain_answer is None:
                    plain_answer = plain[owner] = route.plain(owner)
                if approval:  # four eyes: its authors may send it on down the chain
                    bearing = plain_answer[1]
                    submitter = row[_CREATED_BY]
                    if submitter not in bearing and bearing.isdisjoint(
                        did.get(row[_SUBJECT_TYPE : _SUBJECT_ID + 1], ())
                    ):
                        decision = plain_answer[0]
                    else:
                        decision = route(
                            owner, authors(submitter, row[_SUBJECT_TYPE], row[_SUBJECT_ID])
                        )
                    owned.append((owner, row[_TEAM] == team))
                    if late:
                        late_owned.append(owned[-1])
                else:
                    decision = plain_answer[0]
                if decision.cover_officer_id == me:
                    mine.append(position)
                    groups[group].append(position)
                    overdue += late
                    if decision.link != "owner":
                        cover[position] = decision
                        self.covered.setdefault(owner, [0, 0])[not approval] += 1
                        self.decisions[owner] = decision
            if manager and row[_TEAM] == team:
                if late:
                    self.escalation.append(position)
                if decision is not None and decision.link == "nobody":
                    self.unrouted.append(position)
        self.groups = dict(groups)
        self.overdue = overdue
        self.owned = Counter(owned)
        self.late = Counter(late_owned)

    def backlog(self) -> dict[int, list[int]]:
        """Owner -> [open, overdue] approvals, of the officer's team and of those they cover."""
        found: dict[int, list[int]] = {}
        for (owner, in_team), open_ in self.owned.items():
            if in_team or owner in self.covered:
                counts = found.setdefault(owner, [0, 0])
                counts[0] += open_
                counts[1] += self.late[owner, in_team]
        return found


class _Maker:
    """Makes a row's InboxItem when it is first read, from what the service read with the rows
    (the transaction is over: it never touches the database), and keeps it."""

    def __init__(
        self,
        actor: Actor,
        day: dt.date,
        rows: Sequence[tuple[Any, ...]],
        cover: dict[int, CoverDecision],
        authors: _Authors,
        offenders: dict[int | None, _OffenderFacts],
        names: dict[int, str],
        claims: dict[int, tuple[int, dt.datetime]],
        why_not: _WhyNot,
    ) -> None:
        self.rows: Sequence[Any] = rows
        self.cover = cover
        self.claims = claims
        self._made: list[InboxItem | None] = [None] * len(rows)
        self.day = day
        self.offenders = offenders
        self.names = names
        self.labels = {kind.value: KIND_LABELS.get(kind) or kind.label for kind in TaskKind}
        self._me = actor.officer_id
        self._authors = authors
        self._why_not = why_not
        self._since: dict[dt.date, int] = {}
        self.due = _DueDates().__getitem__  # a row's due date, as a date
        # The Age column counts working days on the GUI thread as rows are shown: the first
        # count of a process loads the holidays library and builds a year (about half a second),
        # so that is done here, on the service's thread (other years take under a millisecond).
        bank_holidays(day.year)

    def __call__(self, position: int) -> InboxItem:
        item = self._made[position]
        if item is None:
            item = self._made[position] = self._make(position)
        return item

    def days_since(self, date: dt.date) -> int:
        """Working days from `date` to the day (many tasks share a date)."""
        days = self._since.get(date)
        if days is None:
            days = self._since[date] = max(0, working_days_between(date, self.day))
        return days

    def owner(self, owner_id: int | None) -> str:
        return self.names.get(owner_id, "") if owner_id is not None else "Hub"

    def claimed_by(self, claimer: int | None) -> str:
        if claimer is None:
            return ""
        return "you" if claimer == self._me else self.names.get(claimer, "another officer")

    def covering_for(self, decision: CoverDecision | None) -> str:
        return self.names.get(decision.owner_id, "") if decision is not None else ""

    def age_days(self, raised: dt.datetime) -> int:
        return self.days_since(raised.astimezone(LONDON).date())

    def overdue_days(self, due_on: dt.date) -> int:
        return self.days_since(due_on) if due_on < self.day else 0

    def _make(self, position: int) -> InboxItem:
        (
            task_id,
            group,
            kind,
            owner_id,
            team_id,
            due,
            created_by_id,
            subject_type,
            subject_id,
            offender_id,
            version,
            title,
            created_at,
            _claimer,
            _claimed_at,
        ) = self.rows[position]
        due_on = self.due(due)
        decision = self.cover.get(position)
        reference, offender_name, offender_team = self.offenders.get(offender_id, _NO_OFFENDER)
        claimer, claimed_at = self.claims.get(task_id, _NO_CLAIM)
        claimed_by = self.claimed_by(claimer)
        authors = (
            self._authors(created_by_id, subject_type, subject_id)
            if group == _APPROVAL
            else _NO_AUTHORS
        )
        why = self._why_not(group, kind, team_id, authors, decision, offender_team, reference)
        if not why and claimed_at is not None and claimer != self._me:
            since = claimed_at.astimezone(LONDON).strftime("%H:%M")
            why = f"{claimed_by} has been working on this since {since}."
        raised = _as_utc(created_at)
        return InboxItem(
            task_id,
            version,
            kind,
            self.labels[kind],
            group,
            title,
            offender_id,
            reference,
            offender_name,
            subject_type,
            subject_id,
            owner_id,
            self.owner(owner_id),
            decision.owner_id if decision is not None else None,
            self.covering_for(decision),
            decision.text if decision is not None else "",
            self.names.get(created_by_id, "") if created_by_id is not None else "",
            raised,
            self.age_days(raised),
            due_on,
            due_on < self.day,
            self.overdue_days(due_on),
            claimer,
            claimed_by,
            claimed_at,
            not why,
            why,
        )

    def firsts(self, field: str, positions: Sequence[int], rows: Sequence[Any]) -> list[int]:
        """Of `rows` (those at `positions`), one index for each distinct value of InboxItem's
        `field` (perhaps more), worked out from the rows as read, without making the items."""
        column = _KEY_COLUMNS.get(field)
        if column is not None:
            return _firsts(map(itemgetter(column), rows))
        if field == "covering_for":  # one name per decision
            return _firsts(map(id, map(self.cover.get, positions)))
        if field == "claimed_by":
            return _firsts(map(self.claims.get, map(itemgetter(_ID), rows)))
        if field == "age_days":  # one of each UTC hour (SQLite's text) or moment, then slot
            raised = list(map(itemgetter(_CREATED_AT), rows))
            text = bool(raised) and isinstance(raised[0], str)
            some = _firsts(map(itemgetter(slice(0, 13)), raised) if text else raised)
            return [some[i] for i in _firsts(_raised_slot(raised[i]) for i in some)]
        return _firsts(getattr(self(p), field) for p in positions)


def _firsts(keys: Iterable[Any]) -> list[int]:
    """The index of one of each distinct key (a dict built in C: ten thousand keys take 1 ms)."""
    return list(dict(zip(keys, count())).values())


# The column an InboxItem field follows: a kind has one label, an offender one reference and
# name, an owner one name, a due date one "overdue by …" on a day.
_KEY_COLUMNS = {
    "task_id": _ID,
    "kind": _KIND,
    "kind_label": _KIND,
    "group": _GROUP,
    "offender_id": _OFFENDER,
    "reference": _OFFENDER,
    "offender_name": _OFFENDER,
    "owner_id": _OWNER,
    "owner": _OWNER,
    "due_on": _DUE,
    "overdue": _DUE,
    "overdue_days": _DUE,
}


class TaskGlance:
    """The facts of one task that the inbox's columns show, each worked out as it is read and
    the same as its InboxItem's, without making the item (its refusal and claim words): to
    measure a column's texts over thousands of tasks (`TaskList.glance`)."""

    __slots__ = ("_make", "_position", "_row")

    def __init__(self, make: _Maker, position: int) -> None:
        self._make = make
        self._position = position
        self._row = make.rows[position]

    @property
    def kind_label(self) -> str:
        return self._make.labels[self._row[_KIND]]

    @property
    def reference(self) -> str:
        return self._make.offenders.get(self._row[_OFFENDER], _NO_OFFENDER)[0]

    @property
    def offender_name(self) -> str:
        return self._make.offenders.get(self._row[_OFFENDER], _NO_OFFENDER)[1]

    @property
    def owner(self) -> str:
        return self._make.owner(self._row[_OWNER])

    @property
    def covering_for(self) -> str:
        return self._make.covering_for(self._make.cover.get(self._position))

    @property
    def age_days(self) -> int:
        return self._make.age_days(_as_utc(self._row[_CREATED_AT]))

    @property
    def due_on(self) -> dt.date:
        return self._make.due(self._row[_DUE])

    @property
    def overdue(self) -> bool:
        return self.due_on < self._make.day

    @property
    def overdue_days(self) -> int:
        return self._make.overdue_days(self.due_on)

    @property
    def claimed_by_id(self) -> int | None:
        return self._make.claims.get(self._row[_ID], _NO_CLAIM)[0]

    @property
    def claimed_by(self) -> str:
        return self._make.claimed_by(self.claimed_by_id)

    claimed_by_other = InboxItem.claimed_by_other
    claimed_by_me = InboxItem.claimed_by_me


class TaskList(Sequence[InboxItem]):
    """Tasks in the inbox's order, each made an InboxItem when first read and kept: the screen
    reads the dozen it shows, not the ten thousand a sergeant may hold (issue #10). A slice is a
    TaskList too."""

    __slots__ = ("_make", "_positions", "_rows")

    def __init__(self, make: _Maker, positions: Sequence[int]) -> None:
        self._make = make
        self._positions = positions
        self._rows: list[Any] | None = None  # the rows at the positions, once asked

    def __len__(self) -> int:
        return len(self._positions)

    @overload
    def __getitem__(self, index: int) -> InboxItem: ...

    @overload
    def __getitem__(self, index: slice) -> TaskList: ...

    def __getitem__(self, index: int | slice) -> InboxItem | TaskList:
        if isinstance(index, slice):
            return TaskList(self._make, self._positions[index])
        return self._make(self._positions[index])

    def __iter__(self) -> Iterator[InboxItem]:
        return map(self._make, self._positions)

    def __repr__(self) -> str:
        return f"<TaskList of {len(self)} tasks>"

    def glance(self, index: int) -> TaskGlance:
        """The task's facts as the columns show them, without making its InboxItem."""
        return TaskGlance(self._make, self._positions[index])

    def index_of(self, task_id: int) -> int:
        """The task's index, -1 when it is not listed."""
        rows = self._make.rows
        ids = [rows[p][_ID] for p in self._positions]
        return ids.index(task_id) if task_id in ids else -1

    def firsts(self, field: str) -> list[int]:
        """One index for each distinct value of InboxItem's `field` (perhaps more): the tasks to
        measure to size a column to its widest text, found without making the items."""
        if self._rows is None:
            self._rows = list(map(self._make.rows.__getitem__, self._positions))
        return self._make.firsts(field, self._positions, self._rows)


def _all_officer_names(session: Session) -> dict[int, str]:
    """Every officer's name: a force has hundreds, and one read of them all is quicker than
    gathering the ids of ten thousand tasks."""
    return {
        officer_id: f"{forename} {surname}"
        for officer_id, forename, surname in session.execute(
            select(Officer.id, Officer.forename, Officer.surname)
        )
    }


class InboxService:
    def __init__(self, services: Services) -> None:
        self._services = services

    # -- what an officer sees ---------------------------------------------------------------

    def tasks(self, actor: Actor, on: dt.date | None = None) -> Inbox:
        """What `actor` sees on `on` (default today), see the module notes.

        Every task the officer might see is read in one query of plain columns, in the inbox's
        order (for a sergeant or team manager, every open routed task: the cover chain decides
        which are hers) and sorted in one pass (`_Sorted`); the chain runs once per owner, and
        each task is made an InboxItem only when read (`TaskList`), its working-day counts once
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
        seen = (
            Task.state == TaskState.OPEN,
            ROUTED | own if decider else (Task.group != TaskGroup.APPROVAL) & own,
        )
        backlog: tuple[BacklogLine, ...] = ()
        with self._services.transaction() as session:
            lapse = claim_lapse(session)
            rows = _plain_rows(session, select(*_OPEN_COLUMNS).where(*seen).order_by(*INBOX_ORDER))
            roster = load_roster(session, day) if decider else None
            authors = _Authors(
                session, set(map(itemgetter(_SUBJECT_TYPE, _SUBJECT_ID), rows)), within=seen
            )
            route = Router(day, roster.officers, roster.named) if roster is not None else None
            found = _Sorted(actor, day, rows, route, authors)
            names = _all_officer_names(session)
            team_names = {i: n for i, n in session.execute(select(Team.id, Team.name))}
            make = _Maker(
                actor,
                day,
                rows,
                found.cover,
                authors,
                _offenders(session, set(map(itemgetter(_OFFENDER), rows))),
                names,
                _claims(rows, now, lapse),
                _WhyNot(actor, team_names),
            )
        if roster is not None:
            backlog = self._backlog(roster, found.backlog(), names)

        bands: list[list[int]] = [[] for _ in AGE_BANDS]
        for position in found.escalation:
            bands[_age_band(make.days_since(make.due(rows[position][_DUE])))].append(position)
        return Inbox(
            day=day,
            items=TaskList(make, found.mine),
            covering=(
                *self._own_absence(roster, actor, day),
                *self._covering(roster, found.covered, found.decisions, day),
            ),
            groups={group: TaskList(make, rows) for group, rows in found.groups.items()},
            overdue=found.overdue,
            escalation=tuple(
                AgeBand(label, TaskList(make, band))
                for (label, _low, _high), band in zip(AGE_BANDS, bands, strict=True)
            )
            if actor.role == Role.TEAM_MANAGER.value
            else (),
            unrouted=TaskList(make, found.unrouted),
            backlog=backlog,
        )

    @staticmethod
    def _backlog(
        roster: Roster, counts: dict[int, list[int]], names: dict[int, str]
    ) -> tuple[BacklogLine, ...]:
        """Open and overdue approvals per owner: the owners of the officer's team and those they
        cover today."""
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
        covered: dict[int, list[int]],
        decisions: dict[int, CoverDecision],
        day: dt.date,
    ) -> tuple[str, ...]:
        """One sentence per absent officer whose approvals (and PPN escalations) the officer sees
        today."""
        if roster is None:
            return ()
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
            approvals, escalations = covered[owner_id]
            parts = [
                f"{n} {word if n == 1 else word + 's'}"
                for n, word in ((approvals, "approval"), (escalations, "PPN escalation"))
                if n
            ]
            name = owner.label if owner else "an absent officer"
            sentences.append(f"You are covering for {name}{until} ({how}): {' and '.join(parts)}.")
        return tuple(sentences)

    @staticmethod
    def _own_absence(roster: Roster | None, actor: Actor, day: dt.date) -> tuple[str, ...]:
        """A sentence when the officer is recorded as absent on `day`: the cover chain sends
        their approvals to someone else, so an officer who signs in on a day off would otherwise
        see an empty list and no reason for it."""
        me = roster.by_id.get(actor.officer_id) if roster is not None else None
        if roster is None or me is None or me.on_duty(day):
            return ()
        ends = [end for start, end in me.absences if start <= day <= end]
        until = f" until {max(ends).strftime('%d/%m/%Y')}" if ends else f" on {day:%d/%m/%Y}"
        decision = roster.decide(actor.officer_id)
        cover = roster.by_id.get(decision.cover_officer_id or -1)
        goes = (
            f"go to {cover.label} while you are"
            if cover is not None and decision.is_cover
            else "wait: nobody on duty can cover them, and the team's manager sees them listed "
            "as approvals nobody can cover"
        )
        return (f"You are recorded as absent{until}: your approvals and PPN escalations {goes}.",)

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
    which `_Maker` adds). The answer for an approval comes from `may_decide` (the four-eyes and
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
        group: str,
        kind: str,
        team_id: int | None,
        authors: dict[int, str],
        decision: CoverDecision | None,
        offender_team: int | None,
        reference: str | None,
    ) -> str:
        """For a task of `group` and `kind` in `team_id`, on work by `authors`, seen as cover when
        `decision` is given."""
        answer = self._by_group.get(group)
        if answer is not None:
            return answer
        if offender_team is None:
            return "This approval is no longer open."
        covered_team = team_id if decision is not None else None
        key = (kind, reference, offender_team, decision is not None, covered_team, id(authors))
        answer = self._answers.get(key)
        if answer is None:
            refusal = may_decide(
                self.actor,
                DecisionFacts(
                    what=KIND_LABELS[TaskKind(kind)].removesuffix(" approval").lower(),
                    reference=reference or "",
                    team_id=offender_team,
                    team_name=self.team_names.get(offender_team, ""),
                    authors=authors,
                ),
                covering_for=CoveredOfficer(decision.owner_id, "", covered_team)
                if decision is not None
                else None,
            )
            answer = self._answers[key] = refusal or ""
        return answer
