"""The inbox: the tasks an officer sees today, claiming them, and the team managers' escalation.

Who sees what, on a day (`InboxService.tasks`):

- an offender manager: the open follow-ups they own (a visit after release, PPN follow-ups);
- a sergeant or team manager: the open approvals routed to them by the cover chain
  (`desktop.rules.cover`): their own when on duty, and those of every absent officer they cover,
  "on behalf of" that officer. An approval whose authors include the officer it would reach goes
  on down the chain (four eyes). Plus their own follow-ups;
- a hub officer: the hub's shared queue (notification tasks have no owner);
- a team manager also gets the escalation: the team's overdue approvals in age bands of working
  days past the due date (up to 5, 6 to 10, 11 to 20, over 20), and any approval nobody can
  cover today.

Claiming (`claim`): opening a task claims it, so that another desktop shows it as being worked
and refuses to decide it. One conditional UPDATE takes the claim, so of two desktops claiming at
once exactly one succeeds, on SQLite and PostgreSQL alike. A claim lapses after
`claim_lapse_minutes` (policy, 30) without being renewed: the app renews it while the task stays
open and the desktop is in use, and releases it when the officer moves on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from db.models import Officer, Task
from desktop.services.actor import Actor
from desktop.services.errors import LONDON, ServiceError
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


@dataclass(frozen=True)
class InboxItem:
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


class InboxService:
    def __init__(self, services: Services) -> None:
        self._services = services

    def tasks(self, actor: Actor, on: dt.date | None = None) -> Inbox:
        """What `actor` sees on `on` (default today), see the module notes."""
        raise NotImplementedError

    def claim(self, actor: Actor, task_id: int) -> Claim:
        """Claim the task for `actor`, or renew their claim. TaskClaimed naming the officer when
        someone else holds an unlapsed claim; ServiceError when the task is no longer open;
        PermissionRefused when the task is not one `actor` may work."""
        raise NotImplementedError

    def release(self, actor: Actor, task_id: int) -> None:
        """Give up `actor`'s claim (nothing happens when they hold none)."""
        raise NotImplementedError

    def approve(self, actor: Actor, task_id: int) -> None:
        """Approve the work of an approval task, as cover when the owner is absent."""
        raise NotImplementedError

    def return_(self, actor: Actor, task_id: int, comment: str) -> None:
        """Return the work to its author with a comment."""
        raise NotImplementedError
